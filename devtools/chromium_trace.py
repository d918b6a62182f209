"""The page's main-thread tasks, read from a Chromium trace while a test or a benchmark
drives the page.

A ``longtask`` PerformanceObserver gives each long task's wall time. On a machine whose
cores are busy with other work, wall time also counts the wait for a core, so a task the
page kept short can still look long. The trace gives each task's thread time too: what the
page's own work cost. The trace is taken through the browser's DevTools socket (the one
chromedriver opened with ``--remote-debugging-port``), beside chromedriver's own session,
so any Chromium that chromedriver drives can be traced, for as long as a ``with`` block.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import urllib.request
from dataclasses import dataclass

import websocket

# RunTask: one task of a thread's event loop, with its wall time (dur) and thread time (tdur).
TASK_CATEGORY = "disabled-by-default-devtools.timeline"
# the main thread of a renderer process: where the page's scripts, style, layout and paint run
MAIN_THREAD = "CrRendererMain"


@dataclass(frozen=True)
class Task:
    """One task of a renderer's main thread: when it started (the trace's clock, µs), its
    wall time and thread time (ms), and whether the trace gave its thread time (``timed``;
    if not, ``thread_ms`` is its wall time)."""

    start_us: float
    wall_ms: float
    thread_ms: float
    timed: bool = True


@contextlib.contextmanager
def chromium_trace(driver, categories: tuple[str, ...] = (TASK_CATEGORY,), timeout: float = 120):
    """Trace the browser `driver` drives for the block; yields the list that the trace's
    events fill when the block ends (Chrome's JSON trace event format).

    Only `categories` are recorded (the rest are excluded); Chromium gives each task's thread
    time (``tdur``) itself. If the block raises, the trace is dropped: closing the socket ends
    the DevTools session, and with it the tracing it started.

    Raises
    ------
    RuntimeError
        When Chromium refuses a command, or says that the trace lost events (its buffer was
        full): a trace missing tasks would understate the longest.
    """
    address = driver.capabilities["goog:chromeOptions"]["debuggerAddress"]
    with urllib.request.urlopen(f"http://{address}/json/version", timeout=timeout) as answer:
        url = json.load(answer)["webSocketDebuggerUrl"]
    # Chromium refuses DevTools sockets that name an Origin it was not started to allow
    connection = websocket.create_connection(url, timeout=timeout, suppress_origin=True)
    ids = itertools.count(1)
    events: list[dict] = []
    try:
        config = {"includedCategories": list(categories), "excludedCategories": ["*"]}
        _answer(
            connection, next(ids), "Tracing.start", traceConfig=config, transferMode="ReportEvents"
        )
        yield events
        ended = _answer(
            connection, next(ids), "Tracing.end", until="Tracing.tracingComplete", into=events
        )
        if ended.get("dataLossOccurred"):
            raise RuntimeError("the trace lost events: Chromium's trace buffer was full")
    finally:
        connection.close()


def _answer(connection, id_, method, until=None, into=None, **params) -> dict:
    """Send `method` and read until its answer (and the event `until`, when named); the
    trace's data that arrives on the way is added to `into`. Returns the parameters of
    `until` (or {})."""
    connection.send(json.dumps({"id": id_, "method": method, "params": params}))
    answered, ended = False, until is None
    last = {}
    while not (answered and ended):
        message = json.loads(connection.recv())
        if message.get("id") == id_:
            if "error" in message:
                raise RuntimeError(f"{method}: {message['error']}")
            answered = True
        elif message.get("method") == "Tracing.dataCollected" and into is not None:
            into.extend(message["params"]["value"])
        elif message.get("method") == until:
            ended, last = True, message.get("params", {})
    return last


def main_thread_tasks(events: list[dict]) -> list[Task]:
    """The tasks of every renderer's main thread in a trace's `events`, in order of start.

    A task the trace gives no thread time counts its wall time as its thread time, so that
    it is never taken for a short one. A task still running when the trace ended (a begin
    without an end) lasts until the trace's last event.
    """
    threads = {
        (event["pid"], event["tid"])
        for event in events
        if event.get("ph") == "M"
        and event.get("name") == "thread_name"
        and event["args"].get("name") == MAIN_THREAD
    }
    end = max((event.get("ts", 0) + event.get("dur", 0) for event in events), default=0)
    tasks, open_ = [], {}  # open_: each thread's begun events not yet ended, innermost last
    for event in sorted(events, key=lambda event: event.get("ts", 0)):
        thread = (event.get("pid"), event.get("tid"))
        if thread not in threads:
            continue
        phase = event.get("ph")
        if phase == "B":
            open_.setdefault(thread, []).append(event)
        elif phase == "E" and open_.get(thread):
            begun = open_[thread].pop()
            if begun.get("name") == "RunTask":
                timed = "tts" in begun and "tts" in event
                wall = (event["ts"] - begun["ts"]) / 1e3
                own = (event["tts"] - begun["tts"]) / 1e3 if timed else wall
                tasks.append(Task(begun["ts"], wall, own, timed))
        elif phase == "X" and event.get("name") == "RunTask":
            wall = event["dur"] / 1e3
            timed = "tdur" in event
            tasks.append(Task(event["ts"], wall, event["tdur"] / 1e3 if timed else wall, timed))
    for begun in (event for stack in open_.values() for event in stack):
        if begun.get("name") == "RunTask":
            wall = (end - begun["ts"]) / 1e3
            tasks.append(Task(begun["ts"], wall, wall, False))
    return sorted(tasks, key=lambda task: task.start_us)
