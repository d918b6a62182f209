"""One module per feature. Importing this package registers every callback."""

from callbacks import clustering, cut, data, diagnostics, download, export, linking, recolour, views  # noqa: F401
