"""One module per feature. Importing this package registers every callback."""

from callbacks import (  # noqa: F401
    access,
    advice,
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
    partition,
    recolour,
    share,
    stale_view,
    tanglegram,
    view_options,
    views,
)
