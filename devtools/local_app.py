"""The real app on this machine, as a person's browser meets it: gunicorn on a
free loopback port, and headless Debian Chromium. Shared by the browser tests
and the browser benchmarks, which both start and stop their own servers."""

from __future__ import annotations

import contextlib
import http.client
import http.server
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
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


def stop(*processes: subprocess.Popen) -> None:
    """Kill the children and everything they started (workers, job processes), all at once.

    Nothing here needs a graceful end: the servers' caches are throwaway folders, and
    a graceful shutdown of gunicorn or Celery on a busy machine takes many seconds.
    """
    import psutil

    tree = []
    for process in processes:
        try:
            parent = psutil.Process(process.pid)
            tree += [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            pass
    for member in tree:
        try:
            member.kill()
        except psutil.NoSuchProcess:
            pass
    for process in processes:
        process.wait()
    psutil.wait_procs(tree, timeout=10)


def _start_gunicorn(env, log, workers, threads, arguments, port, root):
    port = port or free_port()
    env = dict(env, HOST="127.0.0.1", PORT=str(port))
    if workers is not None:
        env["WEB_CONCURRENCY"] = str(workers)
    if threads is not None:
        env["GUNICORN_THREADS"] = str(threads)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *arguments, "app:server"],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, f"http://127.0.0.1:{port}/"


@contextlib.contextmanager
def gunicorns(*instances: dict, workers: int | None = 2, root: Path = ROOT):
    """Several gunicorn instances, booted side by side; yields their URLs in order.

    Each of `instances` is a dict with ``env`` and ``log_path``, and optionally
    ``workers``, ``threads``, ``arguments`` and ``port`` (as :func:`gunicorn`
    takes them). They are stopped together, at once (:func:`stop`).
    """
    with contextlib.ExitStack() as stack:
        started = []
        try:
            for instance in instances:
                log = stack.enter_context(open(instance["log_path"], "w"))
                started.append(
                    _start_gunicorn(
                        instance["env"],
                        log,
                        instance.get("workers", workers),
                        instance.get("threads"),
                        tuple(instance.get("arguments", ())),
                        instance.get("port"),
                        root,
                    )
                )
            urls = [url for _, url in started]
            for url in urls:
                wait_for_http(url, 240)  # a busy machine boots slowly
            yield urls
        finally:
            stop(*(process for process, _ in started))


@contextlib.contextmanager
def gunicorn(
    env: dict,
    log_path: Path,
    workers: int | None = 2,
    threads: int | None = None,
    arguments: tuple = (),
    port: int | None = None,
    root: Path = ROOT,
):
    """Serve ``app:server`` as ``make run`` does (gunicorn.conf.py) on a loopback port; yields the URL.

    `workers` and `threads` override the config's defaults (None keeps them: one
    worker per core, its threads); `arguments` go to gunicorn as they are; `root`
    is the source tree served (another commit's, for a side-by-side benchmark).
    """
    instance = dict(env=env, log_path=log_path, workers=workers, threads=threads)
    with gunicorns(dict(instance, arguments=arguments, port=port), root=root) as (url,):
        yield url


def app_env(cache_dir: Path, **overrides) -> dict:
    """This process's environment with a private cache, no Redis unless asked."""
    env = dict(os.environ, CACHE_DIR=str(cache_dir), **overrides)
    if "REDIS_URL" not in overrides:
        env.pop("REDIS_URL", None)
    return env


@contextlib.contextmanager
def redis_and_celery(tmp: Path):
    """A Redis server and one Celery worker on loopback, stopped at the end; yields Redis's URL.

    The hosted shape's shared services: the app's instances given this URL keep
    sessions and results in this Redis and run background jobs on this worker.
    Logs go to ``tmp / "redis.log"`` and ``tmp / "celery.log"``.
    """
    port = free_port()
    redis_url = f"redis://127.0.0.1:{port}/0"
    with contextlib.ExitStack() as stack:
        logs = {
            name: stack.enter_context(open(tmp / f"{name}.log", "w"))
            for name in ("redis", "celery")
        }
        redis = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no"],
            stdout=logs["redis"],
            stderr=subprocess.STDOUT,
        )
        stack.callback(stop, redis)
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "app:celery_app", "worker", "--concurrency=1"]
            + ["--loglevel=info", "--without-mingle", "--without-gossip"],
            cwd=ROOT,
            env=app_env(tmp / "worker-cache", REDIS_URL=redis_url),
            stdout=logs["celery"],
            stderr=subprocess.STDOUT,
        )
        stack.callback(stop, worker)  # a job still running at the end is not waited for
        yield redis_url


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


class _Proxy(http.server.ThreadingHTTPServer):
    daemon_threads = True


@contextlib.contextmanager
def round_robin_proxy(upstreams: list[str]):
    """A load balancer on a free loopback port: each request to the next upstream in turn.

    A background callback's polls (``cacheKey=`` in the query) go to an upstream
    other than the one that started the job, so a job is always collected
    through another instance than the one it was started through. Yields
    ``(url, log)``; `log` gets one dict per request: ``upstream`` (its index),
    ``method``, ``path``, ``status``, ``started`` (the job handle a start
    answered with) and ``collected`` (True when a poll carried the job's result).
    """
    targets = [urllib.parse.urlsplit(u) for u in upstreams]
    lock = threading.Lock()
    turn = itertools.count()
    owner: dict = {}  # job handle -> the upstream that started it
    log: list = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection keeps the proxy simple

        def log_message(self, *args):
            pass

        def do_GET(self):
            self._forward()

        def do_POST(self):
            self._forward()

        def _forward(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            query = dict(
                part.split("=", 1)
                for part in urllib.parse.urlsplit(self.path).query.split("&")
                if "=" in part
            )
            job = query.get("cacheKey")
            with lock:
                if job in owner:
                    index = (owner[job] + 1 + next(turn) % (len(targets) - 1)) % len(targets)
                else:
                    index = next(turn) % len(targets)
            target = targets[index]
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower() not in ("host", "connection", "accept-encoding", "keep-alive")
            }
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=300)
            try:
                connection.request(self.command, self.path, body or None, headers)
                response = connection.getresponse()
                data = response.read()
                status, response_headers = response.status, response.getheaders()
            finally:
                connection.close()
            entry = {
                "upstream": index,
                "method": self.command,
                "path": self.path,
                "status": status,
                "started": None,
                "collected": False,
            }
            if status == 200 and data[:1] == b"{" and b'"cacheKey"' in data[:4096]:
                try:
                    answer = json.loads(data)
                except ValueError:
                    answer = {}
                if job is None and "cacheKey" in answer:
                    with lock:
                        owner[answer["cacheKey"]] = index
                    entry["started"] = answer["cacheKey"]
            if job is not None and status == 200 and b'"response"' in data:
                entry["collected"] = True
            with lock:
                log.append(entry)
            self.send_response(status)
            for name, value in response_headers:
                if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = _Proxy(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", log
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
