"""One module per feature. Importing this package registers every callback."""

from callbacks import (  # noqa: F401
    clustergram,
    clustering,
    cut,
    data,
    diagnostics,
    download,
    export,
    linking,
    recolour,
    share,
    stale_view,
    views,
)
