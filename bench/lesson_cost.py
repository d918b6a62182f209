"""What each step of a class's lesson costs the server, this tree against a baseline, side by side.

A class on one instance is bounded by the server's CPU: 100 students doing the
same step cost 100 times that step's work, on the machine's cores. For this
tree with answers shared (as ``make run`` serves it), this tree with
``SHARE_ANSWERS=0`` (what the first student to ask for each view costs), and a
baseline commit (``LESSON_COST_BASELINE``, by default the start of the ninth
session's work on issue #11), each served as ``make run`` serves it:

1. a headless Chromium plays the lesson (:mod:`bench.class_record`) and records
   the requests each step makes, so each tree is measured with its own callbacks;
2. one student (:class:`bench.class_sim.Student`) replays the lesson, round after
   round, alternating between the three servers; the CPU time of the server's
   processes (``psutil``, user + system) is read before and after each step.

CPU time, unlike a request's wall time, counts only the work: it holds on a
machine that other processes share. Printed: requests and server CPU ms per
step (median over the rounds), and the ratio to the baseline.
Run alone: ``python -m bench --only lesson_cost``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from devtools.local_app import ROOT, app_env, gunicorn

from .class_record import record_lesson
from .class_sim import Lesson, Student
from .common import Table, ratio, server_cpu_seconds
from .page_load import export_commit

BASELINE = os.environ.get("LESSON_COST_BASELINE", "36b1b39")
ROUNDS, QUICK_ROUNDS = 6, 2
STEPS = ("page load", "x2", "drag", "type-cut", "type-k", "method", "upload")


def _one_round(url: str, lesson: Lesson, seed: int) -> dict:
    """Server CPU seconds and requests of each step, for one student's whole lesson."""
    student = Student(0, url, lesson, seed)
    spent: dict = {}
    try:
        before = server_cpu_seconds(url)
        student._open_page()
        student._replay("page load", lesson.actions[0][1])
        spent["page load"] = [server_cpu_seconds(url) - before, 2 + len(lesson.resources)]
        for name, requests in list(student.actions())[1:]:
            step = name.partition(":")[0]
            time.sleep(0.3)  # the server settles (a background job's last poll)
            before = server_cpu_seconds(url)
            student._replay(step, requests)
            cpu = server_cpu_seconds(url) - before
            found = spent.setdefault(step, [0.0, 0])
            found[0] += cpu
            found[1] += len(requests)
    finally:
        student.pool.shutdown(wait=False, cancel_futures=True)
        student.http.close()
    if student.outcome.errors:
        raise RuntimeError("; ".join(student.outcome.errors[:3]))
    return spent


def chain_rounds(requests) -> int:
    """Rounds of a step's chain of requests, as the page made them: a request waits for
    every earlier one that ended before it started (as bench.class_sim replays it)."""
    depth: list[int] = []
    for request in requests:
        waits = [d for earlier, d in zip(requests, depth) if earlier.end <= request.start]
        depth.append(1 + max(waits, default=0))
    return max(depth, default=0)


def rounds_of(lesson: Lesson, step: str) -> int:
    """Rounds of `step`'s recorded requests (summed over its occurrences)."""
    return sum(
        chain_rounds(requests)
        for name, requests in lesson.actions
        if name.partition(":")[0] == step
    )


def run(quick: bool = False) -> list[Table]:
    rounds = QUICK_ROUNDS if quick else ROUNDS
    base_name, alone_name, this_name = (
        "baseline " + BASELINE,
        "this tree, answers not shared",
        "this tree",
    )
    with tempfile.TemporaryDirectory(prefix="lesson-cost-") as tmp:
        tmp = Path(tmp)
        baseline = export_commit(BASELINE, tmp / "baseline")
        measured = {}
        with (
            gunicorn(app_env(tmp / "cache-a"), tmp / "a.log", root=baseline) as url_a,
            gunicorn(
                app_env(tmp / "cache-b", SHARE_ANSWERS="0"), tmp / "b.log", root=ROOT
            ) as url_b,
            gunicorn(app_env(tmp / "cache-c"), tmp / "c.log", root=ROOT) as url_c,
        ):
            urls = {base_name: url_a, alone_name: url_b, this_name: url_c}
            for name, url in urls.items():
                print(f"  recording the lesson on {name}", file=sys.stderr)
                record = record_lesson(url, tmp)
                measured[name] = dict(url=url, lesson=Lesson.from_record(record), rounds=[])
            for round_ in range(rounds + 1):  # the first round warms each server's caches
                for name, m in measured.items():
                    print(f"  round {round_} on {name}", file=sys.stderr)
                    found = _one_round(m["url"], m["lesson"], seed=round_)
                    if round_:
                        m["rounds"].append(found)
    base, alone, this = measured.values()

    def median_cpu(m, step):
        return float(np.median([r[step][0] for r in m["rounds"] if step in r])) * 1000

    def requests_of(m, step):
        return m["rounds"][0].get(step, [0, 0])[1]

    def row(name, cpu, requests, rounds):
        return [
            name,
            " → ".join(str(requests(m)) for m in (base, this)),
            " → ".join(str(rounds(m)) for m in (base, this)),
            " → ".join(f"{cpu(m):.0f}" for m in (base, alone, this)),
            ratio(cpu(alone), cpu(base)),
            ratio(cpu(this), cpu(base)),
        ]

    rows = [
        row(
            step,
            lambda m, s=step: median_cpu(m, s),
            lambda m, s=step: requests_of(m, s),
            lambda m, s=step: "-" if s == "page load" else rounds_of(m["lesson"], s),
        )
        for step in STEPS
    ]
    rows.append(
        row(
            "the whole lesson",
            lambda m: sum(median_cpu(m, s) for s in STEPS),
            lambda m: sum(requests_of(m, s) for s in STEPS),
            lambda m: sum(rounds_of(m["lesson"], s) for s in STEPS[1:]),
        )
    )
    table = Table(
        f"lesson cost: server CPU per step of the class's lesson, {base_name} → this tree",
        [
            "step",
            "requests",
            "rounds",
            "server CPU ms (median): baseline → not shared → shared",
            "ratio not shared",
            "ratio shared",
        ],
        rows,
        notes=[
            f"{rounds} rounds of one student, alternating between the three servers (gunicorn as "
            "make run serves it); one warm-up round first.",
            "'not shared': this tree with SHARE_ANSWERS=0, what each answer costs to compute (the "
            "first student to ask for a view); 'shared': as make run serves it, where a request "
            "another session asked before on the same data is answered with the kept answer "
            "(services/answers.py), as for every student after the first.",
            "Server CPU = user + system time of the gunicorn processes (psutil), read before and "
            "after each step: the work a class of N multiplies by N, whatever else the machine "
            "runs. Linux counts it in 10 ms ticks per process, so a step's figure is +-10 ms; "
            "the whole lesson's is the sum of the steps' medians.",
            "'page load' = the index page, its scripts and styles (gzip, as Chromium asks), the "
            "layout and the callbacks fired at load; 'drag' and 'type-k' sum two steps each.",
            "Each server replays the lesson it recorded itself (bench/class_record.py).",
            "'rounds': the longest chain of requests in the step as the page made them (a "
            "request waits for each earlier one that had ended when it started, as the class "
            "replays it); each round queues at the server again under a class.",
        ],
    )
    return [table]
