"""Accessibility of the controls (issue #16): a field that does not apply says so."""

from dash import Input, Output, callback

from hclust.cut import HORIZONTAL_CRITERIA

CUT_HEIGHT_HELP = "Or drag the dashed line."
NO_HEIGHT_HELP = (
    "Not used by the {criterion} criterion: it cuts each branch by its own statistic "
    "(threshold t below), so there is no single height and no line to drag. "
    "Choose distance or maxclust to cut at a height."
)


@callback(
    Output("cut-height", "disabled"),
    Output("cut-height-help", "children"),
    Input("criterion", "value"),
)
def cut_height_field(criterion):
    """Disable the cut height, and say why, for a criterion that is not one height."""
    if criterion in HORIZONTAL_CRITERIA or criterion is None:
        return False, CUT_HEIGHT_HELP
    return True, NO_HEIGHT_HELP.format(criterion=criterion)
