"""The tree comparison panel: the page's tree against another method's or metric's.

Closed until a person opens it, so a page load costs nothing for it (callbacks/tanglegram.py
computes only for an open panel).
"""

from dash import dcc, html

from components.figures import EXPORT_CONFIG, placeholder_figure
from hclust.compare import COMPARE_FULL_MAX_N, COMPARE_P
from hclust.linkage import METHODS, METRICS

DEFAULT_OTHER_METHOD = "average"
DEFAULT_OTHER_METRIC = "euclidean"


def tanglegram_panel():
    """The panel: a method and metric for the second tree, the tanglegram and its measures."""
    return html.Details(
        [
            # Dash does not report a <details>' open state: its summary's clicks (mouse or
            # keyboard) toggle it, so an odd count means open (callbacks/tanglegram.py)
            html.Summary(
                "Compare with another tree (tanglegram)",
                id="tanglegram-summary",
                className="panel-title",
                n_clicks=0,
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label(
                                "Other tree's method",
                                htmlFor="tanglegram-method",
                                className="field-label",
                            ),
                            dcc.Dropdown(
                                id="tanglegram-method",
                                options=[{"label": m, "value": m} for m in METHODS],
                                value=DEFAULT_OTHER_METHOD,
                                clearable=False,
                            ),
                        ],
                        className="field",
                    ),
                    html.Div(
                        [
                            html.Label(
                                "Other tree's metric",
                                htmlFor="tanglegram-metric",
                                className="field-label",
                            ),
                            dcc.Dropdown(
                                id="tanglegram-metric",
                                options=[{"label": m, "value": m} for m in METRICS],
                                value=DEFAULT_OTHER_METRIC,
                                clearable=False,
                            ),
                        ],
                        className="field",
                    ),
                ],
                className="field-row",
            ),
            html.P(
                "Left: this page's tree, in the current cut's colours; right: the other tree. "
                "Leaf orders are rotated to reduce crossings (never changing either tree). "
                f"Above {COMPARE_FULL_MAX_N:,} samples both trees are truncated to their last "
                f"{COMPARE_P} clusters (lastp) and a line's width says how many samples it carries; "
                "a line takes the colour of the cluster most of its samples are in.",
                className="panel-help",
            ),
            html.Div(
                id="tanglegram-status", className="status", role="status", **{"aria-live": "polite"}
            ),
            html.Div(id="tanglegram-progress", className="panel-help"),
            dcc.Graph(
                id="tanglegram",
                figure=placeholder_figure("Open this panel to compare two trees."),
                config=EXPORT_CONFIG,
                style={"height": "560px"},
            ),
            html.Div(id="tree-agreement", className="tree-agreement"),
            dcc.Store(id="tanglegram-colours"),
            dcc.Store(id="tanglegram-job"),
            dcc.Store(id="tanglegram-ready"),
        ],
        id="tanglegram-panel",
        className="panel tanglegram-panel",
        open=False,
    )
