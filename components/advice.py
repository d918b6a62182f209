"""The analyst's suggestion beside the plots (issue #16 §6): scale features whose spreads differ.

Filled by callbacks/advice.py; empty (and so not shown) when there is nothing to suggest.
"""

from dash import html

# The button's words; the callback and the browser test read them from here.
APPLY_ZSCORE = "Use z-score"


def scaling_advice():
    """A status line (announced when it appears) with a button that sets the scaling to z-score."""
    return html.Div(
        [
            html.Span(id="scaling-advice-text"),
            html.Button(
                APPLY_ZSCORE,
                id="scaling-advice-apply",
                className="button-secondary small",
                n_clicks=0,
                title="Set Data options › Scaling to z-score",
            ),
        ],
        id="scaling-advice",
        className="scaling-advice",
        role="status",
        hidden=True,
        **{"aria-live": "polite"},
    )
