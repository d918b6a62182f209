"""Benchmarks of the dashboard's hot paths against the libraries it replaces.

Run ``python -m bench`` (or ``make bench``); see :mod:`bench.__main__` for the
options and :mod:`bench.registry` for the sections. This package stays free of
heavy imports so that :mod:`bench._linkage_child` measures a lean process.
"""
