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
    "figure": "bench.figure:run",    # figure build time and JSON payload vs plotly
    "linkage": "bench.linkage:run",  # linkage time and peak RSS vs scipy
    # Planned browser-latency sections (headless Chromium), not implemented yet:
    # "cut_latency": "bench.browser:cut_latency",    # drag the cut -> recoloured dendrogram
    # "first_render": "bench.browser:first_render",  # load data -> dendrogram rendered
}


def section(name: str):
    """The run function registered under `name`."""
    module, _, function = SECTIONS[name].partition(":")
    return getattr(importlib.import_module(module), function)
