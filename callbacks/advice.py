"""Analyst defaults (issue #16 §6): suggest z-score when the features' spreads differ by more
than 10×, beside the plots, with a button that applies it."""

from dash import Input, Output, State, callback, no_update

from callbacks import validate
from callbacks.errors import shows_errors
from hclust.preprocess import feature_spreads, spread_advice
from services import store
from services.store import ResultKey

# Scalings after which every feature has the same spread: nothing left to suggest.
EQUAL_SPREADS = ("zscore", "whiten")
# The outputs when there is nothing to suggest: no text, the line hidden.
NO_ADVICE = ("", True)


def _number(value):
    """A spread as a person reads it: 3 significant digits, thousands separated (10,600; 1.35)."""
    if not 1e-3 <= abs(value) < 1e15:
        return f"{value:.3g}"
    rounded = float(f"{value:.3g}")
    return f"{rounded:,.0f}" if abs(rounded) >= 100 else f"{rounded:g}"


def advice_text(advice) -> str:
    """The suggestion, in words, from :func:`hclust.preprocess.spread_advice`'s answer."""
    return (
        f"The features' spreads differ {advice['ratio']:,.0f}-fold: the standard deviation of "
        f"{advice['widest']} is {_number(advice['widest_std'])}, of {advice['narrowest']} "
        f"{_number(advice['narrowest_std'])}. Unscaled, {advice['widest']} decides the distances; "
        "z-score gives each feature the same weight."
    )


@callback(
    Output("scaling-advice-text", "children"),
    Output("scaling-advice", "hidden"),
    Input("data-version", "data"),
    Input("scaling", "value"),
    State("session-id", "data"),
)
@shows_errors(outputs=2, status="clustering-status")
def suggest_scaling(data_version, scaling, session_id):
    """The suggestion for the data the page names, or nothing; every output always answered.

    The spreads are those of the loaded (already scaled) numbers, read from the
    server's store, never from the page; they are shared by content.
    """
    data_version = validate.data_version(data_version)
    scaling = validate.text(scaling, "The scaling", 100, optional=True)
    if not data_version or scaling in EQUAL_SPREADS:
        return NO_ADVICE
    shared = store.get_store()
    dataset = shared.loaded_dataset(session_id, data_version["key"])
    if dataset is None or dataset.is_distance_matrix:
        return NO_ADVICE
    spreads = shared.memo(
        ResultKey.of("feature-spreads", dataset), lambda: feature_spreads(dataset.values)
    )
    advice = spread_advice(spreads, dataset.feature_names)
    if advice is None:
        return NO_ADVICE
    return advice_text(advice), False


@callback(
    Output("scaling", "value", allow_duplicate=True),
    Input("scaling-advice-apply", "n_clicks"),
    prevent_initial_call=True,
)
def apply_zscore(n_clicks):
    """The suggestion taken: scale to z-score (the data reloads, and the suggestion goes)."""
    return "zscore" if n_clicks else no_update
