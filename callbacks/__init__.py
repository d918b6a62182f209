"""One module per feature. Importing this package registers every callback."""

from callbacks import (  # noqa: F401
    access,
    agreement,
    clustergram,
    clustering,
    cut,
    data,
    diagnostics,
    download,
    export,
    lesson,
    linking,
    merge_steps,
    recolour,
    relayout,
    share,
    stale_view,
    tanglegram,
    views,
)
