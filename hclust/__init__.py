"""Pure core of the hierarchical clustering dashboard.

numpy, scipy and pandas in, numbers out. Nothing in this package imports dash
or plotly, so every function can be tested and benchmarked on its own.
"""

# Written into every download's settings.json, so labels say which release made them.
__version__ = "1.1.0"
