"""One module per feature. Importing this package registers every callback."""

from callbacks import (  # noqa: F401
    clustering,
    cut,
    data,
    diagnostics,
    download,
    export,
    lesson,
    linking,
    recolour,
    share,
    stale_view,
    views,
)
