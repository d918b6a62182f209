"""A class of N students on one instance: the ``class`` benchmark section.

The lesson is recorded from a real page first (:mod:`bench.class_record`), so
the replay follows the page as it changes. Then, against a server started as
``make run`` starts it (gunicorn.conf.py, on a loopback port, fresh cache), N
simulated students each:

- open the page: ``GET /`` (its own signed ``endId``), the scripts, styles and
  chunks the browser fetched, ``/_dash-layout`` (its own session id, read from
  the layout, never invented) and the callbacks the page fires at load;
- after 1-3 s of thought per step, replay the lesson: X2, two cut drags, a
  typed cut, two typed k; every second student changes the method, every
  tenth uploads the small file.

Requests of one action are sent with the overlap the browser had: a request
waits for those that had answered before it started in the recording.
Background callbacks are polled as the renderer polls them. One real headless
browser runs alongside and times typed k -> scatter repainted.

Every loop is bounded in count and time; everything is on loopback.
Run alone: ``python -m bench --only class`` (or ``python -m bench.class_sim 30,60``).
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from devtools.local_app import app_env, free_port, gunicorn, headless_chromium

from .class_client import CONNECTIONS as BROWSER_CONNECTIONS
from .class_client import BrowserConnections
from .class_network import enter_student_side, shaped_network
from .class_record import KINDS, record_lesson, settled, type_and_enter
from .common import Table, server_cpu_seconds, verdict

SIZES = (30, 60, 100)
QUICK_SIZES = (10,)
OPEN_WITHIN_S = 10.0  # students open the page within this window
THINK_S = (1.0, 3.0)
REQUEST_TIMEOUT_S = 60.0
CLIENT_DEADLINE_S = 300.0  # a student who is not done by then is counted as failed
POLL_S, MAX_POLLS = 0.25, 240  # background callbacks: as the page polls, at most a minute
# a classroom's network, Mbit/s shared by the class (bench/class_network.py); unset: loopback
NETWORK_MBIT = float(os.environ.get("CLASS_NETWORK_MBIT", "0") or 0)
GOALS = {  # kind -> (what is measured, p95 goal in seconds)
    "page load": ("action", 2.0),
    "light (cut, k)": ("request", 0.3),
    "dataset change": ("action", 3.0),
    "method change": ("action", 3.0),
    "typed k -> scatter repainted (real browser)": ("action", 1.0),
}
# Each request names its kind of action, for the server's access log (ACCESS_LOG_FORMAT):
# the time the server itself took, beside the time a student waited.
KIND_HEADER = "X-Bench-Kind"
ACCESS_LOG_FORMAT = "%({x-bench-kind}i)s|%({x-bench-wait}i)s|%(D)s"
TIMED_CONFIG = Path(__file__).with_name("gunicorn_timed.py")
CONFIG = re.compile(r'<script id="_dash-config" type="application/json">(.*?)</script>', re.S)


# ---------------------------------------------------------------- the recorded lesson


@dataclass
class Request:
    method: str
    path: str
    body: str | None
    start: float
    end: float


@dataclass
class Lesson:
    """The recorded page: static resources, then each action's requests in order."""

    resources: list
    actions: list  # [(action name, [Request])]
    session_id: str

    @classmethod
    def from_record(cls, record: dict) -> Lesson:
        actions: list = []
        session_id = None
        for entry in record["entries"]:
            path = entry["url"].split("?", 1)[0]
            if "cacheKey=" in entry["url"] or entry.get("end") is None:
                continue  # polls of a background job: the replay polls its own
            if path.endswith("_dash-layout"):
                session_id = _session_id(json.loads(entry["response"]))
            request = Request(entry["method"], path, entry["body"], entry["start"], entry["end"])
            if not actions or actions[-1][0] != entry["action"]:
                actions.append((entry["action"], []))
            actions[-1][1].append(request)
        if session_id is None:
            raise RuntimeError("the recording has no /_dash-layout answer with a session id")
        resources = sorted({r["url"] for r in record["resources"]})
        return cls(resources, actions, session_id)


def _session_id(layout) -> str | None:
    """The data of the ``session-id`` store, wherever it sits in a layout tree."""
    stack = [layout]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            props = node.get("props", {})
            if isinstance(props, dict) and props.get("id") == "session-id":
                return props.get("data")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return None


# ---------------------------------------------------------------- one simulated student


@dataclass
class Outcome:
    times: dict = field(default_factory=dict)  # kind -> [action seconds]
    requests: dict = field(default_factory=dict)  # kind -> [request seconds]
    errors: list = field(default_factory=list)
    answers: list = field(default_factory=lambda: [0, 0])  # [shared, all] callback answers


class Student:
    def __init__(self, index: int, url: str, lesson: Lesson, seed: int):
        self.index, self.lesson = index, lesson
        self.random = random.Random(seed * 1000 + index)
        # a browser's kept-alive connections, at a small share of the cores it measures
        self.http = BrowserConnections(url, REQUEST_TIMEOUT_S, BROWSER_CONNECTIONS)
        self.pool = futures.ThreadPoolExecutor(BROWSER_CONNECTIONS)
        self.end_id = None
        self.session_id = None
        self.outcome = Outcome()

    def actions(self):
        for name, requests in self.lesson.actions:
            step = name.partition(":")[0]
            if step == "method" and self.index % 2:
                continue
            if step == "upload" and self.index % 10:
                continue
            yield name, requests

    def run(self, start_at: float, deadline: float) -> Outcome:
        try:
            time.sleep(max(0.0, start_at - time.monotonic()))
            for name, requests in self.actions():
                if time.monotonic() > deadline:
                    self.outcome.errors.append(f"student {self.index}: out of time before {name}")
                    break
                if name != "load":
                    time.sleep(self.random.uniform(*THINK_S))
                kind = KINDS[name.partition(":")[0]]
                self.http.headers[KIND_HEADER] = kind  # the server's access log names it
                began = time.monotonic()
                if name == "load":
                    self._open_page()
                self._replay(kind, requests)
                self.outcome.times.setdefault(kind, []).append(time.monotonic() - began)
        except Exception as error:  # noqa: BLE001 (a failed student is counted, not raised)
            self.outcome.errors.append(f"student {self.index}: {type(error).__name__}: {error}")
        finally:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.http.close()
        return self.outcome

    def _get(self, path: str):
        response = self.http.get(path)
        if response.status >= 400:
            raise RuntimeError(f"GET {path}: HTTP {response.status}")
        return response

    def _open_page(self) -> None:
        page = self._get("/")
        self.end_id = json.loads(CONFIG.search(page.text).group(1))["end_id"]
        # scripts, styles and chunks, BROWSER_CONNECTIONS at a time, as a browser fetches them:
        # every byte read, none unpacked (a student's laptop unpacks the 6 MB of scripts on
        # its own CPU; the load generator shares the server's cores, so it does not)
        list(self.pool.map(self._get, self.lesson.resources))

    def _replay(self, kind: str, requests: list) -> None:
        """Send an action's requests with the overlap the browser gave them."""
        sent = []
        for request in requests:
            for earlier, future in zip(requests, sent):
                if earlier.end <= request.start:
                    future.result(timeout=REQUEST_TIMEOUT_S * 2)
            sent.append(self.pool.submit(self._send, kind, request))
        for future in sent:
            future.result(timeout=REQUEST_TIMEOUT_S * 2)

    def _send(self, kind: str, request: Request) -> None:
        began = time.monotonic()
        if request.method == "GET":
            response = self._get(request.path)
            if request.path.endswith("_dash-layout"):
                self.session_id = _session_id(response.json())
                if not self.session_id:
                    raise RuntimeError("the layout holds no session id")
        else:
            body = request.body.replace(self.lesson.session_id, self.session_id)
            response = self._post(request.path, body, {"endId": self.end_id})
            self.outcome.answers[0] += bool(response.headers.get("x-shared-answer"))
            self.outcome.answers[1] += 1
            polls = 0
            while response.status == 200 and polls < MAX_POLLS:
                answer = response.json()
                if "cacheKey" not in answer or "response" in answer:
                    break
                polls += 1
                time.sleep(POLL_S)
                query = {"endId": self.end_id, "cacheKey": answer["cacheKey"], "job": answer["job"]}
                response = self._post(request.path, _without_values(body), query)
        self.outcome.requests.setdefault(kind, []).append(time.monotonic() - began)

    def _post(self, path: str, body: str, query: dict):
        response = self.http.post(path, body.encode(), query, "application/json")
        if response.status >= 400:
            raise RuntimeError(f"POST {path}: HTTP {response.status}: {response.text[:200]}")
        return response


def _without_values(body: str) -> str:
    """A poll's body: the renderer clears the inputs' and states' values."""
    payload = json.loads(body)
    for group in ("inputs", "state"):
        for item in payload.get(group) or []:
            if isinstance(item, dict):
                item["value"] = None
    return json.dumps(payload)


# ---------------------------------------------------------------- the real browser alongside


def browser_alongside(
    url: str, ready: threading.Event, stop: threading.Event, out: Outcome, ks=(3, 4, 5, 2, 6)
):
    """A person in the class: open the page and X2 (then `ready`), then type k and time the
    scatter's repaint until `stop`: every k typed while the class works is a sample."""
    from .browser import choose, input_value, text, wait

    try:
        with headless_chromium() as driver:
            began = time.monotonic()
            driver.get(url)
            wait(driver, lambda d: "0.980" in text(d, "cophenetic"), "the default page", 120)
            out.times.setdefault("page load (real browser, before the class)", []).append(
                time.monotonic() - began
            )
            wait(driver, lambda d: d.find_elements("id", "dataset"), "the dataset menu", 30)
            settled(driver, timeout=120)
            choose(driver, "dataset", "X2")
            wait(driver, lambda d: "X2" in d.find_element("id", "dataset").text, "X2", 60)
            settled(driver, timeout=120)
            ready.set()
            while not stop.is_set():
                for k in ks:
                    if stop.is_set():
                        return
                    if input_value(driver, "n-clusters") == str(k):
                        continue  # the same k again repaints nothing
                    kind = "typed k -> scatter repainted (real browser)"
                    try:
                        seconds = _typed_k_repaint(driver, k)
                    except TimeoutError as error:  # counted as an error, and the lesson goes on
                        out.errors.append(f"real browser: {error}")
                        seconds = float("inf")
                    out.times.setdefault(kind, []).append(seconds)
                    time.sleep(1.0)
    except Exception as error:  # noqa: BLE001
        out.errors.append(f"real browser: {type(error).__name__}: {error}")
    finally:
        ready.set()  # (a browser that failed holds no class back: its error is counted)


TYPED_K_RECORDER = """
const gd = document.querySelector('#scatter .js-plotly-plot');
window.__k = {t0: null, plots: []};
// (on the window, capturing: before the page's own listeners see the key)
if (!window.__classBench) {
  window.__classBench = true;
  window.addEventListener('keydown', e => {
    if (e.target.id === 'n-clusters' && e.key === 'Enter' && window.__k.t0 === null) window.__k.t0 = performance.now();
  }, true);
}
// painted: the frame after plotly applied new data (a full redraw or a restyle of the colours),
// or after assets/cut_recolour.js painted the typed cut's colours over the plot
const painted = () => requestAnimationFrame(() => window.__k.plots.push(performance.now()));
if (!gd.__classBench) {
  gd.__classBench = true;
  for (const e of ['plotly_afterplot', 'plotly_restyle', 'plotly_redraw']) gd.on(e, painted);
  gd.addEventListener('hclust:painted', painted);
}
"""


def _typed_k_repaint(driver, k: int, timeout: float = 60.0) -> float:
    """Seconds from pressing Enter after typing k to the scatter's first repaint after it."""
    from .browser import input_value, wait

    driver.execute_script(TYPED_K_RECORDER)
    type_and_enter(driver, "n-clusters", k)
    wait(
        driver,
        lambda d: (
            input_value(d, "n-clusters") == str(k)
            and d.execute_script(
                "const K = window.__k; return K.t0 !== null && K.plots.some(t => t > K.t0);"
            )
        ),
        f"the scatter repainted for k = {k}",
        timeout,
        0.02,
    )
    k_state = driver.execute_script("return window.__k;")
    return (min(t for t in k_state["plots"] if t > k_state["t0"]) - k_state["t0"]) / 1e3


# ---------------------------------------------------------------- a class


def _students(url: str, lesson: Lesson, indices, seed: int, start: float, deadline: float):
    """Students `indices` in threads of this process; their outcomes and this process's CPU time.

    ``time.monotonic`` is the machine's clock on Linux, the same in every process.
    """
    opens = random.Random(seed)
    at = [opens.uniform(0, OPEN_WITHIN_S) for _ in range(max(indices, default=-1) + 1)]
    students = [Student(i, url, lesson, seed) for i in indices]
    with futures.ThreadPoolExecutor(max(1, len(students))) as pool:
        running = [pool.submit(s.run, start + at[s.index], deadline) for s in students]
        done, late = futures.wait(running, timeout=CLIENT_DEADLINE_S + 60)
    outcomes = [f.result() for f in done]
    late_errors = [f"a student still running after {CLIENT_DEADLINE_S:.0f} s" for _ in late]
    return outcomes, late_errors, time.process_time()


def run_class(
    url: str, lesson: Lesson, n: int, seed: int = 0, students_url: str | None = None
) -> tuple[Outcome, dict]:
    """N students and one real browser against `url`; returns the merged outcome and loads.

    The students run as threads of ``CLASS_CLIENT_PROCESSES`` processes (default 4):
    in one Python process, 100 students' threads wait for its one interpreter lock
    (measured at 100 students: page load p50 3.9 s with one process, 0.8 s with four,
    the server's CPU the same), which a class on 100 laptops does not. With
    `students_url`, the students reach the server there, from the shaped network's
    namespace (:mod:`bench.class_network`); the real browser stays on `url`.
    """
    import multiprocessing

    stop, ready = threading.Event(), threading.Event()
    browser_out = Outcome()
    # the real browser opens its page and X2 first, then types k all through the class
    browser = threading.Thread(target=browser_alongside, args=(url, ready, stop, browser_out))
    browser.start()
    ready.wait(timeout=300)
    loads = {"before": os.getloadavg()}
    start = time.monotonic() + 2.0
    deadline = start + CLIENT_DEADLINE_S
    processes = max(1, min(n, int(os.environ.get("CLASS_CLIENT_PROCESSES", "4"))))
    if students_url:
        processes = max(2, processes)  # the namespace is entered by the pool's processes
    chunks = [list(range(i, n, processes)) for i in range(processes)]
    if processes == 1:
        results = [_students(url, lesson, chunks[0], seed, start, deadline)]
        client_cpu = 0.0  # counted in this process's own time by the caller
    else:
        context = multiprocessing.get_context("fork")
        enter = {"initializer": enter_student_side} if students_url else {}
        with futures.ProcessPoolExecutor(processes, mp_context=context, **enter) as pool:
            running = [
                pool.submit(_students, students_url or url, lesson, chunk, seed, start, deadline)
                for chunk in chunks
            ]
            results = [f.result() for f in running]
        client_cpu = sum(cpu for _, _, cpu in results)
    stop.set()
    browser.join(timeout=120)
    loads["after"] = os.getloadavg()
    loads["client cpu"] = client_cpu
    merged = Outcome()
    for outcome in [o for outcomes, _, _ in results for o in outcomes] + [browser_out]:
        for kind, values in outcome.times.items():
            merged.times.setdefault(kind, []).extend(values)
        for kind, values in outcome.requests.items():
            merged.requests.setdefault(kind, []).extend(values)
        merged.errors.extend(outcome.errors)
        merged.answers = [a + b for a, b in zip(merged.answers, outcome.answers)]
    for _, late_errors, _ in results:
        merged.errors.extend(late_errors)
    return merged, loads


def _pcts(values) -> tuple:
    if not values:
        return (float("nan"),) * 3
    return tuple(float(np.percentile(values, q)) for q in (50, 95, 99))


def meets_goals(outcome: Outcome) -> bool:
    for kind, (measure, goal) in GOALS.items():
        values = (outcome.requests if measure == "request" else outcome.times).get(kind, [])
        if not values or _pcts(values)[1] > goal:
            return False
    return not outcome.errors


def server_times(access_log: Path) -> tuple[dict, dict]:
    """({kind: [seconds in the app]}, {kind: [seconds waiting for a worker thread]}) of every
    request the access log names a kind for."""
    own: dict = {}
    waits: dict = {}
    if not access_log.exists():
        return own, waits
    for line in access_log.read_text().splitlines():
        kind, _, rest = line.strip().strip("'\"").partition("|")
        wait, _, micros = rest.partition("|")
        if kind in ("", "-") or not micros.isdigit():
            continue
        own.setdefault(kind, []).append(int(micros) / 1e6)
        try:
            waits.setdefault(kind, []).append(float(wait))
        except ValueError:
            pass
    return own, waits


def _also_bound(host: str | None, port: int | None) -> tuple:
    """gunicorn's binds for a shaped network: loopback (the real browser) and the students' link."""
    if not host:
        return ()
    return ("--bind", f"127.0.0.1:{port}", "--bind", f"{host}:{port}")


def record(workdir: Path, server: dict) -> Lesson:
    with gunicorn(app_env(workdir / "record-cache"), workdir / "record.log", **server) as url:
        raw = record_lesson(url, workdir)
    (workdir / "lesson.json").write_text(json.dumps(raw))
    return Lesson.from_record(raw)


def run(quick: bool = False, sizes=None, server: dict | None = None) -> list[Table]:
    """The class table at each size, each against a fresh server and cache."""
    sizes = sizes or (QUICK_SIZES if quick else SIZES)
    server = server or {"workers": None}  # as make run: gunicorn.conf.py's defaults
    cores = os.cpu_count() or 1
    table = Table(
        f"A class on one instance ({cores} cores): students replaying a recorded lesson",
        [
            "students",
            "kind",
            "count",
            "action p50 / p95 / p99 (s)",
            "request p95 (s)",
            "at the server p95: waiting / in the app (s)",
            "goal (p95)",
            "errors",
            "load before -> after",
        ],
    )
    passing, shares, busy = [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-class-") as tmp:
        tmp = Path(tmp)
        print("  recording the lesson in headless Chromium...", file=sys.stderr, flush=True)
        lesson = record(tmp, server)
        print(
            f"  lesson: {len(lesson.resources)} static resources, "
            + ", ".join(f"{name} {len(r)} requests" for name, r in lesson.actions),
            file=sys.stderr,
            flush=True,
        )
        for n in sizes:
            access = tmp / f"access-{n}.log"
            logged = ("--access-logfile", str(access), "--access-logformat", ACCESS_LOG_FORMAT)
            logged += ("-c", str(TIMED_CONFIG))
            network = shaped_network(NETWORK_MBIT) if NETWORK_MBIT else contextlib.nullcontext()
            port = free_port() if NETWORK_MBIT else None
            with (
                network as students_host,
                gunicorn(
                    app_env(tmp / f"cache-{n}"),
                    tmp / f"gunicorn-{n}.log",
                    arguments=logged + _also_bound(students_host, port),
                    port=port,
                    **server,
                ) as url,
            ):
                students_url = f"http://{students_host}:{port}/" if students_host else None
                began, server_cpu, own_cpu = (
                    time.monotonic(),
                    server_cpu_seconds(url),
                    time.process_time(),
                )
                outcome, loads = run_class(url, lesson, n, students_url=students_url)
                wall = time.monotonic() - began
                server_cpu = server_cpu_seconds(url) - server_cpu
                own_cpu = time.process_time() - own_cpu + loads["client cpu"]
            busy.append(
                f"{n} students: {wall:.0f} s; server {server_cpu:.0f} CPU-s "
                f"({server_cpu / (wall * cores):.0%} of the machine), load generator "
                f"{own_cpu:.0f} CPU-s ({own_cpu / (wall * cores):.0%})"
            )
            log = (tmp / f"gunicorn-{n}.log").read_text()
            timeouts = log.count("WORKER TIMEOUT")
            if timeouts:
                outcome.errors.append(f"{timeouts} gunicorn worker timeouts")
            if meets_goals(outcome):
                passing.append(n)
            load = f"{loads['before'][0]:.1f} -> {loads['after'][0]:.1f}"
            own, waits = server_times(access)
            kinds = list(dict.fromkeys([*GOALS, *outcome.times]))
            for kind in kinds:
                times = outcome.times.get(kind, [])
                if not times:
                    continue
                measure, goal = GOALS.get(kind, ("action", None))
                p = _pcts(times)
                request_p95 = _pcts(outcome.requests.get(kind, []))[1]
                shown = request_p95 if measure == "request" else p[1]
                table.rows.append(
                    [
                        n,
                        kind,
                        len(times),
                        f"{p[0]:.2f} / {p[1]:.2f} / {p[2]:.2f}",
                        "–" if np.isnan(request_p95) else f"{request_p95:.2f}",
                        f"{_pcts(waits[kind])[1]:.2f} / {_pcts(own[kind])[1]:.2f}"
                        if own.get(kind) and waits.get(kind)
                        else "–",
                        "–" if goal is None else f"{goal:g} s {verdict(shown <= goal)}",
                        len(outcome.errors) if kind == "page load" else "",
                        load if kind == "page load" else "",
                    ]
                )
            shared, answered = outcome.answers
            shares.append(f"{n} students: {shared:,} of {answered:,}")
            for error in outcome.errors[:5]:
                print(f"    {n} students: {error}", file=sys.stderr, flush=True)
            print(f"  {n} students done: {len(outcome.errors)} errors", file=sys.stderr, flush=True)
    served = ", ".join(f"{k}={v}" for k, v in server.items() if v is not None) or "defaults"
    clients = int(os.environ.get("CLASS_CLIENT_PROCESSES", "4"))
    table.notes += [
        f"Server as `make run` starts it (gunicorn.conf.py; overrides: {served}), fresh cache per size; "
        "the load generator and the real browser share the machine with it.",
        f"Students open the page within {OPEN_WITHIN_S:.0f} s, think {THINK_S[0]:g}-{THINK_S[1]:g} s "
        "before each step; every 2nd changes the method, every 10th uploads a 60-row CSV; "
        f"they run as threads of {clients} Python process(es) (CLASS_CLIENT_PROCESSES), each "
        "with a browser's 6 kept-alive connections (bench/class_client.py), "
        + (
            f"behind one link of {NETWORK_MBIT:g} Mbit/s shared by the class "
            "(CLASS_NETWORK_MBIT, bench/class_network.py); the real browser on loopback."
            if NETWORK_MBIT
            else "on loopback: no network between them and the server, which a classroom's "
            "Wi-Fi adds (CLASS_NETWORK_MBIT=100 puts the students behind a shaped link)."
        ),
        "Light interactions are judged on request p95 (the goal), other kinds on the whole action.",
        "The real browser opens its page and X2 before the students arrive, as a teacher's "
        "projector would, then types k all through the class.",
        "At the server, per request of that kind (its access log, bench/gunicorn_timed.py): "
        "waiting, from the student's send to a worker thread taking it (the kernel's queue, "
        "gunicorn's poller and thread pool, and any new connection; the student's own send "
        "runs on the same busy cores, so part of it can be the load generator's); in the app, "
        "from there to the answer written (gunicorn's %(D)s). The rest of a student's request "
        "time is the load generator's own share of the two cores.",
        "Where the machine's time went (the real browser's Chromium aside): "
        + "; ".join(busy)
        + ".",
        "Callback answers another student's request had made already (services/answers.py): "
        + "; ".join(shares)
        + ".",
        f"Capacity: {max(passing, default=0)} students meet every goal with 0 errors "
        f"({max(passing, default=0) / cores:.0f} students per core) among sizes {', '.join(map(str, sizes))}.",
    ]
    return [table]


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    sizes = tuple(int(s) for s in argv[0].split(",")) if argv else SIZES
    server = {"workers": None}
    for option in argv[1:]:
        key, _, value = option.partition("=")
        server[key] = int(value)
    for table in run(sizes=sizes, server=server):
        print(table.to_markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
