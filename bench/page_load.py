"""What one page load costs the server, this tree against a baseline commit, side by side.

A class of 100 opening the page at once is bounded by the server work of one
page load: the callbacks the page fires as it starts, times 100, on two cores.
For this tree and for a baseline commit (``PAGE_LOAD_BASELINE``, by default the
commit before the page-load work of issue #11), each served as ``make run``
serves it:

1. a headless Chromium opens the page and records the callback requests its
   load makes (so each tree is measured with its own callbacks);
2. the layout and those requests are replayed in order, one client, round after round,
   alternating between the two servers so both see the same machine;
3. then by several clients at once, as students opening the page together.

Printed: requests and bytes per load, server time per load (p50, p95), the
ratio to the baseline, and this tree's costliest callbacks.
Run alone: ``python -m bench --only page_load``.
"""

from __future__ import annotations

import concurrent.futures as futures
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np
import requests

from devtools.local_app import ROOT, app_env, gunicorn, headless_chromium

from .browser import text, wait
from .class_record import FETCH_RECORDER, settled
from .common import Table, ratio

BASELINE = os.environ.get("PAGE_LOAD_BASELINE", "5ae2a72")
ROUNDS, QUICK_ROUNDS = 15, 3
CLIENTS = 10
UPDATE = "_dash-update-component"
LAYOUT = "_dash-layout"


def export_commit(rev: str, into: Path) -> Path:
    """The source tree of commit `rev`, written under `into`."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _record_load(url: str) -> list[str]:
    """The bodies of the callback requests a real page makes as it loads."""
    with headless_chromium() as driver:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": FETCH_RECORDER})
        driver.get(url)
        wait(driver, lambda d: "0.980" in text(d, "cophenetic"), "the default page", 240)
        settled(driver)
        entries = driver.execute_script("return window.__rec;")
    return [e["body"] for e in entries if UPDATE in e["url"] and e["body"]]


def _session_of(layout) -> str:
    """The session token a served layout carries (the ``session-id`` store's data)."""
    todo = [layout]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            props = node.get("props", {})
            if props.get("id") == "session-id":
                return props["data"]
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    raise RuntimeError("the layout carries no session")


def _with_session(body: str, token: str) -> str:
    """A recorded callback request, sent by the page holding session `token`."""
    request = json.loads(body)
    for kind in ("inputs", "state"):
        for item in request.get(kind, []):
            if isinstance(item, dict) and item.get("id") == "session-id":
                item["value"] = token
    return json.dumps(request)


def _replay(session: requests.Session, url: str, bodies: list[str]) -> tuple[float, int, dict]:
    """One page load, the layout then its callbacks in order: (seconds, bytes, seconds each).

    The recorded callbacks are sent with the session the layout just issued, as
    the page would send them.
    """
    start = time.perf_counter()
    answer = session.get(url + LAYOUT, timeout=120)
    spent = time.perf_counter() - start
    if answer.status_code != 200:
        raise RuntimeError(f"{answer.status_code} from {url}{LAYOUT}")
    size, each = len(answer.content), {LAYOUT: spent}
    token = _session_of(answer.json())
    for body in bodies:
        body = _with_session(body, token)
        start = time.perf_counter()
        answer = session.post(
            url + UPDATE, data=body, headers={"Content-Type": "application/json"}, timeout=120
        )
        seconds = time.perf_counter() - start
        if answer.status_code not in (200, 204):
            raise RuntimeError(f"{answer.status_code} from {url} for {body[:120]}")
        spent += seconds
        size += len(answer.content)
        each[json.loads(body)["output"]] = seconds
    return spent, size, each


def _together(url: str, bodies: list[str], clients: int) -> list[float]:
    """Seconds for each of `clients` page loads replayed at the same moment."""
    with futures.ThreadPoolExecutor(clients) as pool:
        runs = [pool.submit(_replay, requests.Session(), url, bodies) for _ in range(clients)]
        return [run.result()[0] for run in runs]


def _short(output: str) -> str:
    names = [part.split(".")[0] for part in output.strip(".").split("...") if part]
    return ", ".join(dict.fromkeys(names))[:70]


def run(quick: bool = False) -> list[Table]:
    rounds = QUICK_ROUNDS if quick else ROUNDS
    with tempfile.TemporaryDirectory(prefix="page-load-") as tmp:
        tmp = Path(tmp)
        trees = {
            "baseline " + BASELINE: export_commit(BASELINE, tmp / "baseline"),
            "this tree": ROOT,
        }
        measured = {}
        with (
            gunicorn(
                app_env(tmp / "cache-a"), tmp / "a.log", root=trees["baseline " + BASELINE]
            ) as url_a,
            gunicorn(app_env(tmp / "cache-b"), tmp / "b.log", root=ROOT) as url_b,
        ):
            urls = dict(zip(trees, (url_a, url_b)))
            for name, url in urls.items():
                print(f"  recording a page load of {name}", file=sys.stderr)
                bodies = _record_load(url)
                measured[name] = dict(url=url, bodies=bodies, loads=[], size=0, each={})
            sessions = {name: requests.Session() for name in urls}
            for round_ in range(rounds + 1):  # the first round warms each server's caches
                for name, m in measured.items():
                    seconds, size, each = _replay(sessions[name], m["url"], m["bodies"])
                    if round_:
                        m["loads"].append(seconds)
                        m["size"] = size
                        for output, s in each.items():
                            m["each"].setdefault(output, []).append(s)
            for _ in range(max(2, rounds // 3)):  # alternating again
                for name, m in measured.items():
                    print(f"  {CLIENTS} loads at once on {name}", file=sys.stderr)
                    m.setdefault("together", []).extend(_together(m["url"], m["bodies"], CLIENTS))
    base, this = measured.values()
    rows = []
    for name, m in measured.items():
        loads, together = np.asarray(m["loads"]) * 1000, np.asarray(m["together"]) * 1000
        rows.append(
            [
                name,
                1 + len(m["bodies"]),
                f"{m['size'] / 1024:.0f} KB",
                f"{np.median(loads):.0f} / {np.percentile(loads, 95):.0f}",
                f"{np.median(together):.0f} / {np.percentile(together, 95):.0f}",
            ]
        )
    rows.append(
        [
            "ratio, this / baseline",
            ratio(1 + len(this["bodies"]), 1 + len(base["bodies"])),
            ratio(this["size"], base["size"]),
            ratio(np.median(this["loads"]), np.median(base["loads"])),
            ratio(np.median(this["together"]), np.median(base["together"])),
        ]
    )
    costs = sorted(
        ((np.median(s) * 1000, output) for output, s in this["each"].items()), reverse=True
    )
    table = Table(
        "page load: the layout and the callbacks a page fires as it starts, served by gunicorn "
        "as make run does",
        [
            "tree",
            "requests (layout + callbacks)",
            "answer bytes",
            "server ms per load, one client (p50 / p95)",
            f"ms per load, {CLIENTS} at once (p50 / p95)",
        ],
        rows,
        notes=[
            f"{rounds} rounds, alternating between the two servers; one warm-up round first.",
            "One client replays the load's requests (the layout, then the recorded callbacks "
            "with the session it issued) one after another: their sum is the server "
            "work a page load costs (a class of 100 costs 100 times this, on the machine's cores).",
            "This tree's costliest callbacks (median ms): "
            + "; ".join(f"{_short(output)} {ms:.0f}" for ms, output in costs[:6]),
        ],
    )
    return [table]
