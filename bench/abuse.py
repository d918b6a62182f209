"""Abuse: one client floods the instance with its most expensive jobs; is another still served?

A real gunicorn server (devtools/local_app.py, ``-w 2``) and two clients that
speak Dash's own HTTP protocol, as the page's renderer does (the page's
``end_id`` echoed on every request, background jobs polled with their signed
``cacheKey`` and ``job`` every 250 ms):

- the abuser opens several sessions, loads in each the largest data whose
  linkage fits ``MAX_MEMORY_MB``, and asks for one linkage after another
  (a new method/metric pair each time, so nothing comes from a memo), each
  session keeping one job running or queued at all times;
- the light session loads a 750-point preset and changes method and metric
  at a person's pace; its clusterings run inside the request.

Measured: the light session's request latencies (before and during the
abuse), the instance's memory (sum over the gunicorn process tree of RSS,
which counts pages shared by forked processes once per process, and of PSS,
which shares them out), the job budget's record (jobs running and queued,
their memory estimates), the abuser's jobs, and zombies left at the end.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from .common import Table, verdict

LIGHT_P95_TARGET_S = 1.0
LIGHT_ALONE_SECONDS = 25
SETTINGS = {
    "INSTANCE_JOBS": "2",
    "MAX_MEMORY_MB": "1024",
    "INSTANCE_MEMORY_MB": "1536",
    "JOB_ABANDON_SECONDS": "30",
}
# Pairs that need the full condensed distance matrix (the most expensive per row).
HEAVY_PAIRS = [
    (method, metric)
    for metric in ("euclidean", "cityblock", "chebyshev", "cosine", "canberra", "braycurtis")
    for method in ("average", "complete", "weighted", "single")
    if (method, metric) != ("single", "euclidean")  # memory-light: not the worst case
]
LIGHT_PAIRS = [
    (method, metric)
    for metric in ("euclidean", "cityblock", "cosine")
    for method in ("single", "complete", "average", "weighted")
] + [("ward", "euclidean"), ("centroid", "euclidean"), ("median", "euclidean")]


def _outputs(output: str) -> list:
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]


class Page:
    """One page load: a session, and callbacks posted as the renderer posts them."""

    def __init__(self, url: str, dependencies: list):
        import requests

        self.url = url
        self.http = requests.Session()
        html = self.http.get(url, timeout=60).text
        config = re.search(
            r'<script id="_dash-config" type="application/json">(.*?)</script>', html, re.S
        )
        self.end_id = json.loads(config.group(1))["end_id"]
        layout = self.http.get(url + "_dash-layout", timeout=60).text
        self.session_id = re.search(r'"id":"session-id","data":"([0-9a-f]+)"', layout).group(1)
        self.dependencies = dependencies

    def _dependency(self, output_start: str) -> dict:
        return next(
            d for d in self.dependencies if d["output"].lstrip(".").startswith(output_start)
        )

    def _body(self, dependency, values, changed):
        values = dict(values, **{"session-id.data": self.session_id})

        def given(items):
            return [dict(i, value=values.get(f"{i['id']}.{i['property']}")) for i in items]

        return {
            "output": dependency["output"],
            "outputs": _outputs(dependency["output"]),
            "inputs": given(dependency["inputs"]),
            "state": given(dependency.get("state", [])),
            "changedPropIds": changed,
        }

    def call(self, output_start: str, values: dict, changed: list):
        """Post one callback; returns (seconds, HTTP status, JSON answer or None)."""
        body = self._body(self._dependency(output_start), values, changed)
        start = time.perf_counter()
        answer = self.http.post(
            f"{self.url}_dash-update-component?endId={self.end_id}", json=body, timeout=300
        )
        seconds = time.perf_counter() - start
        return seconds, answer.status_code, answer.json() if answer.status_code == 200 else None

    def background(self, output_start: str, values: dict, changed: list, stop: threading.Event):
        """Start a background callback and poll it to its end; returns (answer, progress seen)."""
        dependency = self._dependency(output_start)
        body = self._body(dependency, values, changed)
        url = f"{self.url}_dash-update-component?endId={self.end_id}"
        handles = self.http.post(url, json=body, timeout=300).json()
        for item in body["inputs"] + body["state"]:  # polls carry no values, as the renderer's
            item["value"] = None
        poll = f"{url}&cacheKey={handles['cacheKey']}&job={handles['job']}"
        seen = []
        while not stop.is_set():
            time.sleep(dependency["background"]["interval"] / 1000)
            answer = self.http.post(poll, json=body, timeout=300)
            if answer.status_code == 204:
                return None, seen
            data = answer.json()
            seen += [str(v) for v in (data.get("progress") or {}).values()]
            if "response" in data:
                return data["response"], seen
        return None, seen


def _server_tree(port: int):
    import psutil

    for process in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if "gunicorn" in cmdline and f"127.0.0.1:{port}" in cmdline:
            parent = process.parent()
            if parent is None or f"127.0.0.1:{port}" not in " ".join(parent.cmdline()):
                return process
    raise RuntimeError("gunicorn's master process was not found")


def _memory(master):
    """(sum of RSS, sum of PSS, zombies) over the server's process tree, in bytes."""
    import psutil

    rss = pss = 0
    zombies = 0
    for process in [master, *master.children(recursive=True)]:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                zombies += 1
                continue
            info = process.memory_full_info()
            rss += info.rss
            pss += info.pss
        except psutil.Error:
            pass
    return rss, pss, zombies


def run(quick: bool = False) -> list[Table]:
    import requests

    from devtools.local_app import app_env, gunicorn
    from hclust.preprocess import max_rows_within
    from services.budget import Budget, DiskcacheState

    seconds = 30 if quick else 120
    abusers = 3 if quick else 6
    max_mb = 256 if quick else int(SETTINGS["MAX_MEMORY_MB"])
    settings = dict(SETTINGS, MAX_MEMORY_MB=str(max_mb))
    if quick:
        settings["INSTANCE_MEMORY_MB"] = "384"
    heavy_n = int(max_rows_within(2, "average", "euclidean", max_mb, False))
    cache = Path(tempfile.mkdtemp(prefix="hclust-bench-abuse-"))
    log = cache / "gunicorn.log"
    with gunicorn(app_env(cache, **settings), log, workers=2) as url:
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        master = _server_tree(port)
        dependencies = requests.get(url + "_dash-dependencies", timeout=60).json()
        budget = Budget(DiskcacheState(str(cache / "budget")), jobs=1, memory_bytes=1)
        stop = threading.Event()
        samples = {"rss": [], "pss": [], "running": [], "queued": [], "estimate": []}

        def sample():
            while not stop.wait(0.5):
                rss, pss, _ = _memory(master)
                tickets = budget.snapshot().values()
                running = [t for t in tickets if t["state"] == "running"]
                samples["rss"].append(rss)
                samples["pss"].append(pss)
                samples["running"].append(len(running))
                samples["queued"].append(sum(t["state"] == "queued" for t in tickets))
                samples["estimate"].append(sum(t["memory"] for t in running))

        idle_rss, idle_pss, _ = _memory(master)

        # the light session: the same work before and during the abuse, each phase on its own
        # copy of the preset (another scaling), so each starts with every pair to compute
        light = Page(url, dependencies)
        latencies = {"before": [], "during": []}
        errors = []

        def light_phase(name, scaling, until):
            _, status, answer = light.call(
                "data-version.data",
                {
                    "dataset.value": "tutorial-5-blobs",
                    "scaling.value": scaling,
                    "missing-values.value": "drop",
                },
                ["scaling.value"],
            )
            version = answer["response"]["data-version"]["data"]
            for method, metric in itertools.cycle(LIGHT_PAIRS):
                if until.is_set():
                    return
                took, status, answer = light.call(
                    "clustering.data",
                    {
                        "data-version.data": version,
                        "method.value": method,
                        "metric.value": metric,
                        "optimal-order.value": [],
                    },
                    ["method.value"],
                )
                if status != 200 or "clustering" not in answer["response"]:
                    errors.append(f"light {method}/{metric}: HTTP {status}")
                latencies[name].append(took)
                time.sleep(0.3)  # a person's pace

        # the abuser's sessions, each with its own largest data
        jobs_done, progress_texts = [], []

        def abuse(i):
            page = Page(url, dependencies)
            _, _, answer = page.call(
                "data-version.data",
                {
                    "dataset.value": "generate:moons",
                    "generate.n_clicks": 1,
                    "gen-n.value": heavy_n,
                    "gen-noise.value": 0.06,
                    "gen-seed.value": 100 + i,
                    "scaling.value": "none",
                    "missing-values.value": "drop",
                },
                ["generate.n_clicks"],
            )
            version = answer["response"]["data-version"]["data"]
            for method, metric in itertools.cycle(
                HEAVY_PAIRS[i % len(HEAVY_PAIRS) :] + HEAVY_PAIRS
            ):
                if stop.is_set():
                    return
                values = {
                    "data-version.data": version,
                    "method.value": method,
                    "metric.value": metric,
                    "optimal-order.value": [],
                }
                _, _, answer = page.call("clustering.data", values, ["method.value"])
                job = answer["response"]["linkage-job"]["data"]
                start = time.perf_counter()
                result, seen = page.background(
                    "clustering.data@", {"linkage-job.data": job}, ["linkage-job.data"], stop
                )
                progress_texts.extend(seen)
                if result is not None:
                    jobs_done.append((time.perf_counter() - start, method, metric))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        alone = threading.Event()
        light_thread = threading.Thread(target=light_phase, args=("before", "none", alone))
        light_thread.start()
        time.sleep(LIGHT_ALONE_SECONDS)  # the light session alone: its baseline
        alone.set()
        light_thread.join(60)
        print(f"    abuse: {abusers} sessions of {heavy_n:,} rows for {seconds} s", file=sys.stderr)
        light_thread = threading.Thread(target=light_phase, args=("during", "zscore", stop))
        light_thread.start()
        abuse_threads = [
            threading.Thread(target=abuse, args=(i,), daemon=True) for i in range(abusers)
        ]
        for thread in abuse_threads:
            thread.start()
        time.sleep(seconds)
        stop.set()
        light_thread.join(60)
        for thread in abuse_threads:
            thread.join(120)
        sampler.join(10)
        time.sleep(3)  # jobs ended by the stop have ended; the rest are abandoned
        _, _, zombies = _memory(master)

    during = np.array(latencies["during"])
    before = np.array(latencies["before"])
    budget_mb = int(settings["INSTANCE_MEMORY_MB"])

    def peak(name):
        return max(samples[name], default=0)

    light_p95 = float(np.percentile(during, 95)) if len(during) else float("nan")
    rows = [
        [
            f"{abusers} × {heavy_n:,} rows",
            len(before),
            f"{np.median(before) * 1e3:.0f}" if len(before) else "–",
            f"{np.percentile(before, 95) * 1e3:.0f}" if len(before) else "–",
            len(during),
            f"{np.median(during) * 1e3:.0f}",
            f"{light_p95 * 1e3:.0f}",
            f"{during.max() * 1e3:.0f}",
            len(jobs_done),
            f"{peak('running')} / {settings['INSTANCE_JOBS']}",
            peak("queued"),
            f"{peak('estimate') / 2**20:.0f} / {budget_mb}",
            f"{idle_pss / 2**20:.0f} → {peak('pss') / 2**20:.0f}",
            f"{idle_rss / 2**20:.0f} → {peak('rss') / 2**20:.0f}",
            zombies,
            verdict(light_p95 <= LIGHT_P95_TARGET_S),
            verdict(
                (peak("pss") - idle_pss) / 2**20 <= budget_mb
                and peak("estimate") / 2**20 <= budget_mb
            ),
        ]
    ]
    queued_texts = sorted({t for t in progress_texts if t.startswith("Queued")})
    notes = [
        f"Server: gunicorn -w 2 with {', '.join(f'{k}={v}' for k, v in settings.items())}; "
        f"the abuser's data is the most rows whose average linkage fits MAX_MEMORY_MB "
        f"({heavy_n:,} × 2, two moons), a new method/metric pair per job from {len(HEAVY_PAIRS)} "
        "that need every pairwise distance; each abuser session keeps one job running or queued.",
        "Light: the 750-point preset X2, method and metric cycled over "
        f"{len(LIGHT_PAIRS)} pairs, one request every 0.3 s plus its latency (clustered inside the "
        "request, with its diagnostics: computed on a pair's first visit, read back after); "
        f"'before' = {LIGHT_ALONE_SECONDS} s alone on the instance (scaling none), 'during' = the "
        "same on a z-scored copy (new data: every pair computed again) while the abuser runs.",
        "Memory: sampled every 0.5 s over gunicorn's process tree (master, workers, job processes). "
        "RSS counts the pages a forked job shares with its worker once per process; PSS shares them "
        "out, so it is the tree's real footprint. 'idle → peak'. The memory verdict: the jobs' estimates "
        "never exceed INSTANCE_MEMORY_MB and the tree's PSS grows by no more than it.",
        f"Budget record (services/budget.py), sampled: most jobs running, most queued, and the largest "
        f"sum of running estimates. Abuser jobs finished: {len(jobs_done)}"
        + (
            f", {np.median([j[0] for j in jobs_done]):.1f} s median from start to answer (queueing included)."
            if jobs_done
            else "."
        ),
        "Queue messages the abuser's pages received: "
        + ("; ".join(f"'{t}'" for t in queued_texts[:4]) or "none")
        + (f" (+{len(queued_texts) - 4} more)" if len(queued_texts) > 4 else ""),
        "Zombies: job processes left unreaped in the server's tree 3 s after the end. "
        f"Light errors: {errors[:3] or 'none'}.",
    ]
    return [
        Table(
            "Abuse: the most expensive jobs allowed, many times, while another session works (gunicorn -w 2)",
            [
                "abuser",
                "light before",
                "before median ms",
                "before p95 ms",
                "light during",
                "median ms",
                "p95 ms",
                "max ms",
                "abuser jobs done",
                "peak running",
                "peak queued",
                "peak estimates MB / budget",
                "PSS MB idle → peak",
                "RSS sum MB idle → peak",
                "zombies",
                f"light p95 ≤ {LIGHT_P95_TARGET_S:.0f} s",
                "memory within budget",
            ],
            rows,
            notes,
        )
    ]
