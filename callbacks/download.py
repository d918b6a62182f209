"""Retrieving the clusters as CSV."""

import pandas as pd
from dash import Input, Output, State, callback, dcc
from dash.exceptions import PreventUpdate

from callbacks import validate
from callbacks.errors import shows_errors
from callbacks.views import labels_for
from services import store


def labelled_frame(dataset, labels):
    """The data as loaded, with its labels first when it has them and `cluster` last."""
    frame = pd.DataFrame(dataset.values, columns=list(dataset.feature_names))
    if dataset.labels is not None:
        frame.insert(0, "label", list(dataset.labels))
    frame["cluster"] = labels
    return frame


@callback(
    Output("download", "data"),
    Input("download-labels", "n_clicks"),
    State("cut", "data"),
    State("session-id", "data"),
    prevent_initial_call=True,
)
@shows_errors(outputs=1, status="view-status")
def download_labels(n_clicks, cut, session_id):
    if not n_clicks or not cut:
        raise PreventUpdate
    cut = validate.cut(cut)
    clustering = cut["clustering"]
    dataset, result = store.get_store().result_for(session_id, clustering)
    labels = labels_for(result, cut)
    frame = labelled_frame(dataset, labels)
    name = (
        f"clusters_{clustering['method']}_{clustering['metric']}_{cut['criterion']}_k{cut['k']}.csv"
    )
    return dcc.send_data_frame(frame.to_csv, name, index_label="sample")
