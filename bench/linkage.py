"""Section ``linkage``: compute_linkage (fastcluster, and hclust.ward for large Ward) versus scipy's linkage.

Every run happens in a fresh process (:mod:`bench._linkage_child`), which
reports its wall time and its peak RSS above the baseline after imports.
Runs that would blow the time or memory budget are skipped with the reason.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from hclust.linkage import MEMORY_LIGHT_PAIRS

from .common import Table, ratio, verdict

ROOT = Path(__file__).resolve().parent.parent
METHODS = ("ward", "single", "average", "complete")
SIZES = (1_000, 10_000, 20_000, 50_000)
LIGHT_SIZES = (100_000,)  # only for methods on the memory-light path
QUICK_SIZES, QUICK_LIGHT_SIZES = (500, 2_000), (5_000,)
TIME_BUDGET_S, QUICK_TIME_BUDGET_S = 90.0, 10.0  # per run, estimated before running
MEMORY_BUDGET_GIB = 8.0
SEED = 0
TARGET_TIME = (20_000, 0.06)  # ward at n: ours / scipy time
TARGET_RSS = (100_000, 1.5)  # ward at n: our peak RSS above baseline, GiB


REPEAT = 3  # best of up to 3 calls per process, within the child's 10 s window


def needs_condensed(impl: str, method: str) -> bool:
    return impl == "scipy" or (method, "euclidean") not in MEMORY_LIGHT_PAIRS


def memory_estimate_gib(impl: str, method: str, n: int) -> float:
    """The condensed matrix and the copy the linkage works on; ~0 otherwise."""
    return 2 * 8 * n * (n - 1) / 2 / 2**30 if needs_condensed(impl, method) else 0.0


def skip_reason(impl, method, n, previous, budget_s) -> str | None:
    """Why a run should not start: memory need, or a quadratic time estimate.

    `previous` is ``(n, seconds)`` of this impl and method at a smaller n.
    """
    reasons = []
    if previous:
        estimate = previous[1] * (n / previous[0]) ** 2
        if estimate > budget_s:
            reasons.append(f"est. {estimate:.0f} s > {budget_s:.0f} s")
    memory = memory_estimate_gib(impl, method, n)
    if memory > MEMORY_BUDGET_GIB:
        reasons.append(f"est. {memory:.0f} GiB > {MEMORY_BUDGET_GIB:.0f} GiB")
    return f"skipped ({'; '.join(reasons)})" if reasons else None


def measure(impl: str, method: str, n: int, budget_s: float) -> dict:
    """Run one (impl, method, n) in a fresh interpreter; parse its JSON line."""
    cmd = [
        sys.executable,
        "-m",
        "bench._linkage_child",
        impl,
        method,
        str(n),
        str(REPEAT),
        str(SEED),
    ]
    try:
        done = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, timeout=max(60.0, 4 * budget_s)
        )
    except subprocess.TimeoutExpired:
        return {"error": "timed out"}
    if done.returncode != 0:
        last_line = (done.stderr.strip().splitlines() or [""])[-1]
        return {"error": f"failed ({done.returncode}): {last_line}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _cell_time(r):
    return (
        r.get("skip")
        or r.get("error")
        or f"{r['seconds']:.3f}" + ("" if r["calls"] == REPEAT else f" ×{r['calls']}")
    )


def _cell_rss(r):
    if "seconds" not in r:
        return "–"
    return f"{r['delta_mib']:.{1 if r['delta_mib'] < 10 else 0}f} ({r['peak_mib']:.0f})"


def _rss_ratio(a, b) -> str:
    """Ours / scipy peak RSS Δ, when scipy's is big enough to compare (≥ 1 MiB)."""
    if "seconds" not in a or "seconds" not in b or b["delta_mib"] < 1:
        return "–"
    return ratio(a["delta_mib"], b["delta_mib"])


def _agree(a, b) -> str:
    if "seconds" not in a or "seconds" not in b:
        return "–"
    return "yes" if math.isclose(a["height_sum"], b["height_sum"], rel_tol=1e-7) else "NO"


def run(quick: bool = False) -> list[Table]:
    """Time and peak RSS per method and size, ours versus scipy."""
    sizes, light = (QUICK_SIZES, QUICK_LIGHT_SIZES) if quick else (SIZES, LIGHT_SIZES)
    budget = QUICK_TIME_BUDGET_S if quick else TIME_BUDGET_S
    table = Table(
        "Linkage: compute_linkage vs scipy.cluster.hierarchy.linkage (2-D, euclidean)",
        [
            "method",
            "n",
            "ours s",
            "scipy s",
            "time ratio",
            "CPU ratio",
            "ours peak MiB Δ (abs)",
            "scipy peak MiB Δ (abs)",
            "RSS Δ ratio",
            "same heights",
        ],
    )
    results = {}
    for method in METHODS:
        last = {}
        light_path = (method, "euclidean") in MEMORY_LIGHT_PAIRS
        for n in sizes + (light if light_path else ()):
            row = {}
            for impl in ("ours", "scipy"):
                reason = skip_reason(impl, method, n, last.get(impl), budget)
                row[impl] = {"skip": reason} if reason else measure(impl, method, n, budget)
                if "seconds" in row[impl]:
                    last[impl] = (n, row[impl]["seconds"])
                print(
                    f"  linkage {method:8s} n={n:>7,} {impl:5s}: {_cell_time(row[impl])}",
                    file=sys.stderr,
                    flush=True,
                )
            results[method, n] = row
            o, s = row["ours"], row["scipy"]
            table.rows.append(
                [
                    method,
                    f"{n:,}",
                    _cell_time(o),
                    _cell_time(s),
                    ratio(o.get("seconds"), s.get("seconds")),
                    ratio(o.get("cpu_seconds"), s.get("cpu_seconds")),
                    _cell_rss(o),
                    _cell_rss(s),
                    _rss_ratio(o, s),
                    _agree(o, s),
                ]
            )
    table.notes += [
        "Each cell is one fresh process (python -m bench._linkage_child); time is the best of "
        f"{REPEAT} calls, or of fewer (×k) once 10 s have been spent. "
        "Data: 2-D Gaussian blobs, seed 0, identical for both.",
        "CPU ratio: the same ratio in process CPU time, less sensitive than wall time to other load "
        "on the machine (see 'Load at start/end' above).",
        "Peak RSS Δ: the process's peak RSS during the calls minus its RSS after imports and data, "
        "in MiB; the absolute peak in parentheses. Read from VmHWM after resetting it "
        "(/proc/self/clear_refs), not from ru_maxrss, which on Linux carries the parent's peak "
        "across fork + exec (a child of the bench process reported ~128 MiB before doing anything). "
        "Ratios are shown only where scipy's Δ is at least 1 MiB.",
        f"Skips are decided before running: a memory estimate of 2 × the n² condensed matrix "
        f"(scipy always; ours for average/complete) above {MEMORY_BUDGET_GIB:.0f} GiB, or a quadratic "
        f"extrapolation of the previous size above {budget:.0f} s per run.",
        "Memory estimates are those of the n² condensed matrix approach. "
        "Ours needs O(n) memory for ward and single on euclidean data, so only those run at n = 100,000: "
        "single on fastcluster.linkage_vector, ward above 2,000 samples on hclust.ward "
        "(an exact nearest-neighbour chain with a "
        "float32 first pass; its compiled code is loaded before timing, "
        "as each server process loads it when it boots). "
        "average/complete on fastcluster.linkage. 'same heights': sums of merge heights agree to 1e-7.",
    ]
    return [table, _targets(results)]


def _targets(results) -> Table:
    """PASS/FAIL for the two ward targets, or why they were not measured."""
    table = Table("Linkage targets", ["target", "measured", "result"])
    n, limit = TARGET_TIME
    row = results.get(("ward", n))
    if row and "seconds" in row["ours"] and "seconds" in row["scipy"]:
        value = row["ours"]["seconds"] / row["scipy"]["seconds"]
        cpu = row["ours"]["cpu_seconds"] / row["scipy"]["cpu_seconds"]
        table.rows.append(
            [
                f"ward n={n:,}: time ours/scipy ≤ {limit}",
                f"{value:.3f} (CPU {cpu:.3f})",
                verdict(value <= limit),
            ]
        )
    else:
        table.rows.append([f"ward n={n:,}: time ours/scipy ≤ {limit}", "not measured", "–"])
    n, limit = TARGET_RSS
    row = results.get(("ward", n))
    if row and "seconds" in row["ours"]:
        value = row["ours"]["delta_mib"] / 1024
        table.rows.append(
            [
                f"ward n={n:,}: our peak RSS Δ ≤ {limit} GiB",
                f"{value:.3f} GiB (abs {row['ours']['peak_mib'] / 1024:.3f} GiB)",
                verdict(value <= limit),
            ]
        )
    else:
        table.rows.append([f"ward n={n:,}: our peak RSS Δ ≤ {limit} GiB", "not measured", "–"])
    return table
