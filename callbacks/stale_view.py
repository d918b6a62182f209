"""Out-of-date views say so: dimmed under a "computing…" overlay, and a refused choice is undone.

All in the browser (assets/stale_view.js), from what the page already holds:
the selected settings against the settings the shown result was computed for.

Dash holds a callback back while any of its inputs awaits another callback
(the metric awaits the method's rules, the cut awaits the clustering). So each
choice has its own callback, which answers at once, and one more answers when
a result has been drawn: it listens to the dendrogram's figure as well, so it
waits until the plots show the new result before it undims them.
"""

from dash import ClientsideFunction, Input, Output, State, clientside_callback

from callbacks.data import SOURCE_CONTROLS

# The data and its options, then the linkage's.
CHOICES = (
    *SOURCE_CONTROLS,
    ("method", "value"),
    ("metric", "value"),
    ("optimal-order", "value"),
)
RESULTS = (
    ("data-version", "data"),
    ("cut", "data"),
    ("clustering-status", "children"),
    ("data-status", "children"),
)
STALE_VIEW = ClientsideFunction(namespace="hclust", function_name="staleView")


def _outputs(duplicate):
    return [
        Output("plots", "className", allow_duplicate=duplicate),
        Output("diagnostics", "className", allow_duplicate=duplicate),
        Output("plots-overlay", "children", allow_duplicate=duplicate),
        Output("diagnostics-overlay", "children", allow_duplicate=duplicate),
    ]


for i, choice in enumerate(CHOICES):
    clientside_callback(
        STALE_VIEW,
        *_outputs(duplicate=i > 0),
        Input(*choice),
        *[State(*other) for other in CHOICES if other != choice],
        *[State(*result) for result in RESULTS],
        prevent_initial_call=i > 0,  # the first one sets the page's initial state
    )

clientside_callback(
    STALE_VIEW,
    *_outputs(duplicate=True),
    *[Input(*result) for result in RESULTS],
    Input("dendrogram", "figure"),
    *[State(*choice) for choice in CHOICES],
    prevent_initial_call=True,
)
