"""The background job manager: ending a job that has just ended is not an error."""

import os
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


# A job host as gunicorn's sync worker is one: a single-threaded process that
# creates the manager in its main thread and forks each job from itself.
JOB_HOST = """
import json, sys, time
import multiprocess
import psutil
multiprocess.set_start_method("fork", force=True)
from services import jobs
manager = jobs.background_manager()


def quick(x):
    return 2 * x


def slow(x):
    with jobs.instance_budget().slot(f"session-{x}", "clustering", f"key-{x}", 1):
        time.sleep(30)
    return x


def zombies():
    return [p.pid for p in psutil.Process().children() if p.status() == psutil.STATUS_ZOMBIE]


if sys.argv[1] == "zombies":
    run = manager.make_job_fn(quick, False)
    keys = [f"job-{i}" for i in range(3)]
    for i, key in enumerate(keys):
        manager.call_job_fn(key, run, [i], {})
    deadline = time.time() + 30
    while any(manager.handle.get(key) is None for key in keys) and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # the jobs have written their results and ended; nobody has asked yet
    print(json.dumps({"results": [manager.handle.get(k) for k in keys], "zombies": zombies()}))
else:
    run = manager.make_job_fn(slow, False)
    abandoned = manager.call_job_fn("abandoned", run, [1], {})
    polled = manager.call_job_fn("polled", run, [2], {})
    start = time.time()
    while time.time() - start < 6:
        manager.get_result("polled", polled)  # this job's page keeps asking; the other's is gone
        time.sleep(0.25)
    alive = lambda pid: psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    tickets = [t["session"] for t in jobs.instance_budget().snapshot().values()]
    print(json.dumps({"abandoned": alive(abandoned), "polled": alive(polled), "tickets": tickets,
                      "zombies": zombies(), "niceness": psutil.Process(polled).nice()}))
    manager.terminate_job(polled)
"""


def run_job_host(tmp_path, what):
    import json
    from pathlib import Path

    env = dict(os.environ, CACHE_DIR=str(tmp_path), JOB_ABANDON_SECONDS="1")
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", JOB_HOST, what],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_ended_jobs_are_reaped_at_once_not_left_as_zombies(tmp_path):
    seen = run_job_host(tmp_path, "zombies")
    assert seen["results"] == [0, 2, 4]
    assert seen["zombies"] == []


def test_a_job_nobody_polls_is_ended_and_gives_back_its_slot(tmp_path):
    seen = run_job_host(tmp_path, "abandon")
    assert seen["abandoned"] is False  # JOB_ABANDON_SECONDS=1: ended, 25 s before its work would
    assert seen["polled"] is True  # a job whose page asks keeps running
    assert seen["tickets"] == ["session-2"]
    assert seen["zombies"] == []
    # jobs yield the CPU to request workers: JOB_NICENESS above the server's own (at most 19)
    assert seen["niceness"] == min(19, os.nice(0) + jobs.JOB_NICENESS)


def test_celery_jobs_record_polls_and_know_their_own_key(tmp_path, monkeypatch):
    from celery import Celery

    from services import config
    from services.budget import Budget, DiskcacheState

    budget = Budget(DiskcacheState(str(tmp_path)), jobs=1, memory_bytes=1)
    monkeypatch.setattr(jobs, "_budget_of_process", lambda pid: budget)
    monkeypatch.setattr(config, "REDIS_URL", "redis://127.0.0.1:9/0")  # hosted mode; not dialled
    manager = jobs.background_manager(Celery("t", broker="memory://", backend="cache+memory://"))
    assert budget.state.get_mark("poll:page-key") is None
    manager.get_result("page-key", None)  # the page polls
    assert jobs.seconds_since_poll("page-key") < 5
    seen = []
    task = manager.make_job_fn(lambda: seen.append(jobs.current_job_key()), False, "fn-key")
    task.apply(args=["result-key", "result-key-progress", [], {}])  # as a worker runs it
    assert seen == ["result-key"]  # so a queued Celery job can tell that its page is gone
