"""The clustergram's panel: its choices, its status line and the heatmap (id ``clustergram``).

A ``plot-card`` inside the plots, so it is dimmed with them while a new result
computes (assets/stale_view.js); callbacks/clustergram.py fills it.
"""

from __future__ import annotations

from dash import dcc, html

from components.clustergram_figures import SCALES
from components.figures import EXPORT_CONFIG, placeholder_figure

COLUMN_ORDERS = {"data": "as in the data", "clustered": "clustered"}


def clustergram_panel():
    """The heatmap of the features beside the tree, with its two choices."""
    return html.Div(
        [
            html.Div(
                [
                    html.H3("Clustergram", className="panel-title"),
                    html.Fieldset(  # a radio group is named by its legend
                        [
                            html.Legend("Colours"),
                            dcc.RadioItems(
                                id="clustergram-scale",
                                options=[{"label": v, "value": k} for k, v in SCALES.items()],
                                value="values",
                                inline=True,
                            ),
                        ],
                        className="clustergram-choice",
                    ),
                    html.Fieldset(  # a radio group is named by its legend
                        [
                            html.Legend("Columns"),
                            dcc.RadioItems(
                                id="clustergram-columns",
                                options=[
                                    {"label": v, "value": k} for k, v in COLUMN_ORDERS.items()
                                ],
                                value="data",
                                inline=True,
                            ),
                        ],
                        className="clustergram-choice",
                    ),
                ],
                className="clustergram-controls",
            ),
            html.P(
                "Rows follow the dendrogram's leaves, with each row's cluster in the bar on the "
                "left. A merge or cluster picked anywhere focuses the heatmap; click a row, or drag "
                "over the bar, to highlight its samples everywhere.",
                className="panel-help",
            ),
            html.Div(
                id="clustergram-status",
                className="status",
                role="status",
                **{"aria-live": "polite"},
            ),
            dcc.Graph(
                id="clustergram",
                figure=placeholder_figure("Waiting for the dendrogram…"),
                config=EXPORT_CONFIG,
                style={"height": "520px"},
            ),
            dcc.Store(id="clustergram-view"),
        ],
        id="clustergram-card",
        className="plot-card clustergram-card",
    )
