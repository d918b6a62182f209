"""Words the page shows both from its layout and from a callback, written once."""

CUT_HEIGHT_HELP = "Or drag the dashed line."
NO_HEIGHT_HELP = (
    "Not used by the {criterion} criterion: it cuts each branch by its own statistic "
    "(threshold t below), so there is no single height and no line to drag. "
    "Choose distance or maxclust to cut at a height."
)
