"""Pure core of the hierarchical clustering dashboard.

numpy, scipy and pandas in, numbers out. Nothing in this package imports dash
or plotly, so every function can be tested and benchmarked on its own.
"""
