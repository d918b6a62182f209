"""One linkage run in a fresh process, so peak RSS belongs to that run alone.

Usage: ``python -m bench._linkage_child IMPL METHOD N REPEAT SEED`` with IMPL
``ours`` (hclust.linkage.compute_linkage) or ``scipy``
(scipy.cluster.hierarchy.linkage). Prints one JSON line: best seconds, the
peak RSS before and after the calls (ru_maxrss) and a checksum of the heights.
"""
from __future__ import annotations

import json
import resource
import sys
import time

from scipy.cluster.hierarchy import linkage as scipy_linkage

from hclust.linkage import compute_linkage

from .common import gaussian_blobs


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(impl: str, method: str, n: int, repeat: int, seed: int) -> dict:
    X = gaussian_blobs(n, seed)
    if impl == "ours":
        call = lambda: compute_linkage(X, method, "euclidean")
    elif impl == "scipy":
        call = lambda: scipy_linkage(X, method=method, metric="euclidean")
    else:
        raise SystemExit(f"unknown implementation {impl!r}")
    baseline = _peak_mib()
    best = float("inf")
    for _ in range(repeat):
        Z = None
        start = time.perf_counter()
        Z = call()
        best = min(best, time.perf_counter() - start)
    peak = _peak_mib()
    return {"seconds": best, "baseline_mib": baseline, "peak_mib": peak,
            "delta_mib": peak - baseline, "height_sum": float(Z[:, 2].sum())}


if __name__ == "__main__":
    impl, method, n, repeat, seed = sys.argv[1:6]
    print(json.dumps(main(impl, method, int(n), int(repeat), int(seed))))
