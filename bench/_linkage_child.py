"""One linkage run in a fresh process, so peak RSS belongs to that run alone.

Usage: ``python -m bench._linkage_child IMPL METHOD N REPEAT SEED`` with IMPL
``ours`` (hclust.linkage.compute_linkage) or ``scipy``
(scipy.cluster.hierarchy.linkage). Makes up to REPEAT calls, stopping once
:data:`WINDOW_S` seconds are spent. Prints one JSON line: the best wall time
(and that call's CPU time), the number of calls, the resident memory before
the calls, the peak during them, and a checksum of the heights.

Peak RSS is read from ``VmHWM`` in /proc/self/status, reset to the current RSS
(``echo 5 > /proc/self/clear_refs``) after imports and data. Not from
``ru_maxrss``: on Linux it also carries the parent's peak across fork + exec,
so a child of a large process reports the parent's size. ``ru_maxrss`` is the
fallback where /proc is missing.
"""

from __future__ import annotations

import json
import resource
import sys
import time

from scipy.cluster.hierarchy import linkage as scipy_linkage

from hclust.linkage import compute_linkage
from hclust.ward import load_compiled

from .common import gaussian_blobs

WINDOW_S = 10.0


def _status_mib(key: str) -> float | None:
    """A ``Vm*`` line of /proc/self/status in MiB, or None without /proc."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Make the peak RSS (VmHWM) restart from the current RSS."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_mib(use_proc: bool) -> float:
    if use_proc:
        return _status_mib("VmHWM")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(impl: str, method: str, n: int, repeat: int, seed: int) -> dict:
    X = gaussian_blobs(n, seed)
    if impl == "ours":
        load_compiled()  # as each server process does when it boots (hclust.ward)

        def call():
            return compute_linkage(X, method, "euclidean")
    elif impl == "scipy":

        def call():
            return scipy_linkage(X, method=method, metric="euclidean")
    else:
        raise SystemExit(f"unknown implementation {impl!r}")
    use_proc = _reset_peak() and _status_mib("VmHWM") is not None
    baseline = _peak_mib(use_proc)
    best, best_cpu, calls, spent = float("inf"), float("inf"), 0, 0.0
    while calls < repeat and spent < WINDOW_S:
        Z = None
        start, start_cpu = time.perf_counter(), time.process_time()
        Z = call()
        wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        calls, spent = calls + 1, spent + wall
        if wall < best:
            best, best_cpu = wall, cpu
    peak = _peak_mib(use_proc)
    return {
        "seconds": best,
        "cpu_seconds": best_cpu,
        "calls": calls,
        "baseline_mib": baseline,
        "peak_mib": peak,
        "delta_mib": peak - baseline,
        "source": "VmHWM" if use_proc else "ru_maxrss",
        "height_sum": float(Z[:, 2].sum()),
    }


if __name__ == "__main__":
    impl, method, n, repeat, seed = sys.argv[1:6]
    print(json.dumps(main(impl, method, int(n), int(repeat), int(seed))))
