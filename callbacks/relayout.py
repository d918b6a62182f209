"""The dendrogram's relayouts split by intent, in the browser (assets/relayout.js).

plotly sends ``relayoutData`` on every draw, zoom, pan and drag of the cut line.
A server callback with it as an input must answer "no change" to the relayouts
that are not its own, and Dash then drops that callback's superseded real answer
(plotly/dash#1861). So no server callback reads it: the browser writes
``cut-drag`` for a dragged line (callbacks/cut.py) and ``dendrogram-leaf-zoom``
for a zoom of the leaf axis (callbacks/linking.py, callbacks/clustergram.py),
each only for its own event. The servers still check what the stores hold.
"""

from dash import ClientsideFunction, Input, Output, State, clientside_callback

clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="splitRelayout"),
    Output("cut-drag", "data"),
    Output("dendrogram-leaf-zoom", "data"),
    Input("dendrogram", "relayoutData"),
    State("orientation", "value"),
    State("cut-drag", "data"),
    prevent_initial_call=True,
)
