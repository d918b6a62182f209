"""Accessibility (issue #16): a field that does not apply says so; a live summary of the cut."""

import numpy as np
from dash import Input, Output, State, callback
from dash.exceptions import PreventUpdate

from callbacks import validate
from callbacks.errors import shows_errors
from callbacks.shown import labels_for
from components.words import CUT_HEIGHT_HELP, NO_HEIGHT_HELP
from hclust.cut import CRITERIA, HORIZONTAL_CRITERIA
from services import store


@callback(
    Output("cut-height", "disabled"),
    Output("cut-height-help", "children"),
    Input("criterion", "value"),
    prevent_initial_call=True,  # the layout holds the distance criterion's answer
)
def cut_height_field(criterion):
    """Disable the cut height, and say why, for a criterion that is not one height."""
    criterion = validate.one_of(criterion, "The criterion", CRITERIA, optional=True)
    if criterion in HORIZONTAL_CRITERIA or criterion is None:
        return False, CUT_HEIGHT_HELP
    return True, NO_HEIGHT_HELP.format(criterion=criterion)


# The live summary names at most this many cluster sizes.
SUMMARY_SIZES = 12


def summary_text(labels, cut) -> str:
    """One sentence a screen reader announces: k, how the cut was made, the sizes."""
    sizes = np.sort(np.bincount(np.asarray(labels))[1:])[::-1]
    sizes = sizes[sizes > 0]
    k = len(sizes)
    if cut.get("criterion") in HORIZONTAL_CRITERIA and cut.get("height") is not None:
        how = f"cut at height {cut['height']:.5g}"
    else:
        how = f"by the {cut.get('criterion')} criterion"
        if cut.get("t") is not None and cut.get("criterion") in ("inconsistent", "monocrit"):
            how += f" with threshold t = {cut['t']:g}"
    shown = ", ".join(f"{int(size):,}" for size in sizes[:SUMMARY_SIZES])
    more = f" and {k - SUMMARY_SIZES:,} more" if k > SUMMARY_SIZES else ""
    return f"{k:,} cluster{'s' if k != 1 else ''}, {how}. Sizes, largest first: {shown}{more}."


@callback(
    Output("clustering-summary", "children"),
    Input("cut", "data"),
    State("session-id", "data"),
    prevent_initial_call=True,  # nothing to say before the first cut
)
@shows_errors(outputs=1, message=0)
def clustering_summary(cut, session_id):
    """The live summary of the current clustering, updated when the cut changes."""
    cut = validate.cut(cut)
    if not cut:
        raise PreventUpdate
    _, result = store.get_store().result_for(session_id, cut["clustering"])
    return summary_text(labels_for(result, cut), cut)
