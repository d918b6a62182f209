"""The benchmark sections: name -> function.

A section is ``run(quick: bool) -> list[bench.common.Table]``: it measures,
prints its progress to stderr and returns the tables to print and record.
``--quick`` asks for small sizes (a smoke run of well under a minute).

To add a section, write a module with such a function and register it below.
The sections are imported only when selected, so a section's dependencies
(a browser driver, say) are needed only when it runs.
"""

from __future__ import annotations

import importlib

SECTIONS = {
    "figure": "bench.figure:run",  # figure build time and JSON payload vs plotly
    "linkage": "bench.linkage:run",  # linkage time and peak RSS vs scipy
    "upload_parse": "bench.upload_parse:run",  # parse time per upload size: inline threshold, time bound
    "download": "bench.download:run",  # the download zip vs pandas to_csv
    "merge_steps": "bench.merge_steps:run",  # one step of merges step by step, n up to 100,000
    "tanglegram": "bench.tanglegram:run",  # comparing two trees: untangling, measures, figure
    "agreement": "bench.agreement:run",  # label agreement and cluster profiles at 100,000 rows
    "clustergram": "bench.clustergram:run",  # clustergram first render at 100,000 rows ≤ 2 s
    "advice": "bench.advice:run",  # the z-score suggestion's callback at 100,000 rows
    # Browser latencies (headless Chromium against gunicorn -w 2; bench/browser.py):
    "cut_latency": "bench.browser:cut_latency",  # release a dragged cut -> both plots recoloured
    "deep_cuts": "bench.browser:deep_cuts",  # typed k into thousands of clusters -> longest task
    "dendrogram_redraw": "bench.dendrogram_redraw:run",  # Plotly.react per cut, hover targets drawn or not
    "first_render": "bench.browser:first_render",  # end of linkage -> dendrogram rendered
    "upload_50k": "bench.browser:upload_50k",  # upload a 50,000 x 10 CSV -> dendrogram rendered
    "diagnostics_x2": "bench.browser:diagnostics_x2",  # choose X2 -> all diagnostics panels updated
    # One client floods gunicorn -w 2 with its most expensive jobs; light latency, peak memory:
    "abuse": "bench.abuse:run",
    # The server work of one page load, this tree against a baseline commit, side by side:
    "page_load": "bench.page_load:run",
    # The server CPU of each step of the class's lesson, this tree against a baseline commit:
    "lesson_cost": "bench.lesson_cost:run",
    # A class of 30, 60 and 100 students replaying a recorded lesson, a real browser alongside:
    "class": "bench.class_sim:run",
}


def section(name: str):
    """The run function registered under `name`."""
    module, _, function = SECTIONS[name].partition(":")
    return getattr(importlib.import_module(module), function)
