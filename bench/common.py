"""Shared helpers: data, timing, tables and a description of the machine."""

from __future__ import annotations

import datetime
import gc
import os
import platform
import time
from dataclasses import dataclass, field
from importlib import metadata

import numpy as np
import psutil

LIBRARIES = ("numpy", "scipy", "fastcluster", "plotly", "dash")


def gaussian_blobs(n: int, seed: int = 0, centres: int = 5) -> np.ndarray:
    """`n` 2-D points from `centres` unit Gaussians; same seed, same data."""
    rng = np.random.default_rng(seed)
    middle = rng.uniform(-10, 10, size=(centres, 2))
    return middle[rng.integers(0, centres, size=n)] + rng.normal(size=(n, 2))


def best_of(fn, repeat: int = 3):
    """Run `fn` `repeat` times; return (fewest seconds, that run's result)."""
    best = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
        if best is None or seconds < best[0]:
            best = (seconds, result)
    return best


@dataclass
class Table:
    """One result table: printed to the terminal and written to RESULTS.md."""

    title: str
    headers: list
    rows: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def to_markdown(self) -> str:
        """A Markdown table, padded so it also reads well in a terminal."""
        cells = [[str(c) for c in self.headers]] + [[str(c) for c in row] for row in self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.headers))]

        def line(row):
            return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |"

        out = [
            f"### {self.title}",
            "",
            line(cells[0]),
            "|" + "|".join("-" * (w + 2) for w in widths) + "|",
        ]
        out += [line(row) for row in cells[1:]]
        out += [""] + [f"- {note}" for note in self.notes]
        return "\n".join(out).rstrip() + "\n"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def ratio(a, b) -> str:
    return f"{a / b:.3f}" if a is not None and b else "–"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> str:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def load_average() -> str:
    """1-, 5- and 15-minute load averages, with a warning when the CPUs are busy."""
    one, five, fifteen = os.getloadavg()
    busy = one > 0.5 * (os.cpu_count() or 1)
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}" + (
        " (busy: other processes may skew timings)" if busy else ""
    )


def machine_info() -> dict:
    """Date, CPU, cores, RAM, OS, Python and library versions."""
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return {
        "Date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "CPU": _cpu_model(),
        "Cores": f"{os.cpu_count()} logical, {len(os.sched_getaffinity(0))} usable",
        "RAM": _ram_gib(),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Load at start": load_average(),
        "Libraries": ", ".join(versions),
    }


def _server_processes(url: str) -> list[psutil.Process]:
    """Every process of the gunicorn at `url`: its master and all under it (the workers,
    the jobs' forkserver). psutil names one holder of the listening socket; the master is
    the highest gunicorn above it."""
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    holders = [
        c.pid
        for c in psutil.net_connections(kind="tcp")
        if c.pid and c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN
    ]
    if not holders:
        raise RuntimeError(f"no process listens at {url}")
    master = psutil.Process(holders[0])
    while master.parent() is not None and "gunicorn" in " ".join(master.parent().cmdline()):
        master = master.parent()
    return [master, *master.children(recursive=True)]


def server_cpu_seconds(url: str) -> float:
    """User + system CPU seconds of the gunicorn at `url`, all its processes together."""
    total = 0.0
    for process in _server_processes(url):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total
