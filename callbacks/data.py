"""Loading a dataset into the session."""
from dash import Input, Output, State, callback, no_update

from hclust.data import load_preset
from hclust.errors import InputError
from services import store

PCA_AXES = ("PC1", "PC2")


def axis_options(feature_names):
    """Scatter axis choices: every feature, plus principal components beyond 2-D."""
    options = [{"label": name, "value": name} for name in feature_names]
    if len(feature_names) > 2:
        options += [{"label": f"{pc} (principal component)", "value": pc} for pc in PCA_AXES]
        return options, PCA_AXES
    return options, (feature_names[0], feature_names[-1])


def describe(dataset):
    notes = "; ".join(dataset.notes)
    text = f"{dataset.name}: {dataset.n_samples} rows × {dataset.n_features} columns used."
    return f"{text} {notes}." if notes else text


@callback(
    Output("data-version", "data"),
    Output("data-status", "children"),
    Output("scatter-x", "options"),
    Output("scatter-x", "value"),
    Output("scatter-y", "options"),
    Output("scatter-y", "value"),
    Input("dataset", "value"),
    State("session-id", "data"),
)
def load_dataset(preset, session_id):
    """Put the chosen preset in the session; on error keep what was loaded."""
    try:
        dataset = load_preset(preset)
        key = store.get_store().put_dataset(session_id, dataset)
    except InputError as error:
        return no_update, f"⚠ {error}", no_update, no_update, no_update, no_update
    options, (x, y) = axis_options(list(dataset.feature_names))
    return {"key": key, "n": dataset.n_samples}, describe(dataset), options, x, options, y
