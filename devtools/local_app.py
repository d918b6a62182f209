"""The real app on this machine, as a person's browser meets it: gunicorn on a
free loopback port, and headless Debian Chromium. Shared by the browser tests
and the browser benchmarks, which both start and stop their own servers."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGUMENTS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, seconds: float = 60) -> None:
    """Block until `url` answers 200, or raise after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def stop(process: subprocess.Popen) -> None:
    """Terminate a child, killing it if it does not stop within 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@contextlib.contextmanager
def gunicorn(
    env: dict,
    log_path: Path,
    workers: int | None = 2,
    threads: int | None = None,
    arguments: tuple = (),
    port: int | None = None,
):
    """Serve ``app:server`` as ``make run`` does (gunicorn.conf.py) on a loopback port; yields the URL.

    `workers` and `threads` override the config's defaults (None keeps them: one
    worker per core, its threads); `arguments` go to gunicorn as they are.
    """
    port = port or free_port()
    env = dict(env, HOST="127.0.0.1", PORT=str(port))
    if workers is not None:
        env["WEB_CONCURRENCY"] = str(workers)
    if threads is not None:
        env["GUNICORN_THREADS"] = str(threads)
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *arguments, "app:server"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}/"
            wait_for_http(url)
            yield url
        finally:
            stop(process)


def app_env(cache_dir: Path, **overrides) -> dict:
    """This process's environment with a private cache, no Redis unless asked."""
    env = dict(os.environ, CACHE_DIR=str(cache_dir), **overrides)
    if "REDIS_URL" not in overrides:
        env.pop("REDIS_URL", None)
    return env


@contextlib.contextmanager
def headless_chromium(window: str = "1400,1000"):
    """Debian's Chromium driven by Selenium, closed at the end."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in (*CHROMIUM_ARGUMENTS, f"--window-size={window}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def click_centred(driver, css: str) -> None:
    """Scroll an element to the middle of its view, then click it, as a person would."""
    element = driver.find_element("css selector", css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def choose_option(driver, dropdown_id: str, option_text: str, timeout: float = 10) -> None:
    """Open a Dash dropdown and click the option showing `option_text`.

    The option is centred in the list first: at the list's top edge the
    dropdown's sticky search box covers it.
    """
    from selenium.webdriver.support.ui import WebDriverWait

    click_centred(driver, f"#{dropdown_id}")
    WebDriverWait(driver, timeout).until(
        lambda d: any(
            option_text in o.text for o in d.find_elements("css selector", "[role=option]")
        )
    )
    option = next(
        o for o in driver.find_elements("css selector", "[role=option]") if option_text in o.text
    )
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", option)
    option.click()
