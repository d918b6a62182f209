"""The background job manager: ending a job that has just ended is not an error."""

import subprocess
import sys

import psutil

from services import jobs


def test_ending_a_job_that_exits_meanwhile_is_not_an_error(tmp_path, monkeypatch):
    manager = jobs.background_manager()
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    # the race: the process still existed when Dash checked, and is gone when it lists the children
    monkeypatch.setattr(psutil, "pid_exists", lambda pid: True)
    manager.terminate_job(finished.pid)  # Dash's own manager raises NoSuchProcess here


def test_a_running_job_is_still_ended(tmp_path):
    manager = jobs.background_manager()
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    manager.terminate_job(running.pid)  # kills and reaps it
    assert not psutil.pid_exists(running.pid)
