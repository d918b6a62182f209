"""Tools for developing the app, shared by the browser tests and the benchmarks. Not imported by the app."""
