"""Layout of the analyst's views: clusters against known labels, cluster profiles.

Both live inside the diagnostics column, so the page's stale-view overlay
dims them with the rest while a new result is computing.
"""

from dash import dash_table, dcc, html

from components.figures import placeholder_figure

TABLE_STYLE = dict(
    style_cell={"fontFamily": "ui-monospace, monospace", "fontSize": 12, "padding": "2px 8px"},
    style_header={"fontWeight": "600"},
    style_table={"overflowX": "auto"},
)


def _panel(title, *children, panel_id):
    return html.Section(
        [html.H3(title, className="panel-title"), *children], className="panel", id=panel_id
    )


def agreement_over_k():
    """The agreement per k, for the quality panel."""
    return html.Div(
        [
            dcc.Graph(
                id="label-agreement-k",
                figure=placeholder_figure("Waiting for the linkage…"),
                config={"displaylogo": False},
                style={"height": "300px"},
            ),
            html.Div(id="label-agreement-k-status", className="panel-help"),
        ],
        id="label-agreement-k-box",
        className="label-agreement-k",
    )


def label_agreement_panel():
    """Contingency table of cluster × label with ARI, NMI and purity of the current cut."""
    return _panel(
        "Clusters against known labels",
        html.P(
            "How the clusters of the current cut match the label column: adjusted Rand index "
            "(1 identical, about 0 chance), normalised mutual information (0–1) and purity "
            "(share of samples in their cluster's most common label).",
            className="panel-help",
        ),
        html.Div(id="label-agreement", className="label-agreement"),
        panel_id="label-agreement-panel",
    )


def cluster_profiles_panel():
    """Per-cluster feature means and medians, and box plots, in the file's units."""
    return _panel(
        "Cluster profiles",
        html.Div(id="cluster-profiles-status", className="panel-help"),
        html.Div(
            [
                dcc.Graph(
                    id="cluster-profiles-graph",
                    figure=placeholder_figure("Waiting for the linkage…"),
                    config={"displaylogo": False},
                ),
                dash_table.DataTable(
                    id="cluster-profiles-table", columns=[], page_size=12, **TABLE_STYLE
                ),
            ],
            id="cluster-profiles",
            className="cluster-profiles",
        ),
        panel_id="cluster-profiles-panel",
    )


def analyst_panels():
    """Both panels, in page order."""
    return [label_agreement_panel(), cluster_profiles_panel()]
