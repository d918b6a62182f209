"""The page: a controls column, dendrogram and scatter side by side, diagnostics below.

Element ids are a contract with tests and scripts; see README.
"""

from __future__ import annotations

from dash import dash_table, dcc, html

from components.advice import scaling_advice
from components.agreement import agreement_over_k, analyst_panels
from components.clustergram import clustergram_panel
from components.figures import EXPORT_CONFIG, placeholder_figure
from components.lesson import lesson_card, lesson_header
from components.merge_steps import merge_steps_panel, merge_stores, zoom_control
from components.partition import partition_controls
from components.share import RESTORE_TICK_MS, share_limits
from components.sources import dataset_options
from components.tanglegram import tanglegram_panel
from components.view_options import view_options_store
from components.words import CUT_HEIGHT_HELP
from hclust.cut import CRITERION_DESCRIPTIONS
from hclust.data import DEFAULT_PRESET, MIN_ROWS
from hclust.dendrogram import P_RANGE
from hclust.diagnostics import DEFAULT_LARGEST_K
from hclust.generators import (
    BLOB_COLUMNS,
    MAX_GENERATED_ROWS,
    MAX_SEED,
    NOISE_RANGE,
    TUTORIAL_BLOBS,
)
from hclust.linkage import (
    DEFAULT_METHOD,
    DEFAULT_METRIC,
    METHOD_DESCRIPTIONS,
    METHODS,
    METRICS,
    compatible_metrics,
)
from hclust.preprocess import MISSING_MENU, SCALING_MENU
from services import config, sessions


def metric_options(method):
    """The metric menu for `method`: every metric, those scipy refuses with it disabled."""
    allowed = compatible_metrics(method)
    return [{"label": m, "value": m, "disabled": m not in allowed} for m in METRICS]


def metric_rules():
    """The metrics, and those each method takes: what the browser's metric menu follows
    (assets/answered_here.js restrictMetrics)."""
    return {"metrics": list(METRICS), "allowed": {m: list(compatible_metrics(m)) for m in METHODS}}


def _field(label, control, help_text=None, html_for=None, help_id=None):
    children = [html.Label(label, htmlFor=html_for, className="field-label"), control]
    if help_text:
        help_props = {"id": help_id} if help_id else {}
        children.append(html.Div(help_text, className="field-help", **help_props))
    return html.Div(children, className="field")


def _group(label, control):
    """A named group around a checklist (its own listbox role is removed by assets/a11y.js)."""
    return html.Div(control, role="group", **{"aria-label": label})


def _panel(title, *children, panel_id=None, **kwargs):
    body = [html.H3(title, className="panel-title"), *children]
    return (
        html.Section(body, className="panel", id=panel_id, **kwargs)
        if panel_id
        else html.Section(body, className="panel", **kwargs)
    )


def controls():
    return html.Aside(
        [
            html.H2("Data & method", className="column-title"),
            _field(
                "Dataset",
                dcc.Dropdown(
                    id="dataset", options=dataset_options(), value=DEFAULT_PRESET, clearable=False
                ),
                html_for="dataset",
            ),
            dcc.Upload(
                id="upload-data",
                children=html.Div(
                    ["Drop a file here or ", html.Span("choose one", className="link")]
                ),
                className="upload",
                accept=".csv,.tsv,.txt,.dat,.xlsx",
            ),
            html.Div(
                "CSV, TSV, semicolon CSV with decimal commas, whitespace text or .xlsx; "
                f"up to {config.MAX_UPLOAD_MB} MB.",
                className="field-help",
            ),
            html.Div(
                id="upload-limit",
                style={"display": "none"},
                **{"data-limit-mb": str(config.MAX_UPLOAD_MB)},
            ),
            html.Div(
                [
                    _field(
                        "Feature columns",
                        dcc.Dropdown(
                            id="feature-columns", multi=True, placeholder="numeric columns"
                        ),
                        "Only these enter the distances.",
                        html_for="feature-columns",
                    ),
                    _field(
                        "Label column",
                        dcc.Dropdown(id="label-column", placeholder="none"),
                        "Names leaves, hovers and downloaded rows.",
                        html_for="label-column",
                    ),
                    _group(
                        "File format",
                        dcc.Checklist(
                            id="as-distance-matrix",
                            options=[
                                {
                                    "label": " the file is a distance matrix (square, symmetric, zero diagonal)",
                                    "value": "yes",
                                }
                            ],
                            value=[],
                            className="checklist",
                        ),
                    ),
                ],
                id="upload-options",
                style={"display": "none"},
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label("Blobs", className="field-label"),
                            dash_table.DataTable(
                                id="gen-blobs",
                                columns=[
                                    {"name": c, "id": c, "type": "numeric"} for c in BLOB_COLUMNS
                                ],
                                data=[
                                    dict(zip(BLOB_COLUMNS, blob.as_row()))
                                    for blob in TUTORIAL_BLOBS
                                ],
                                editable=True,
                                row_deletable=True,
                                style_cell={
                                    "fontSize": 12,
                                    "padding": "1px 4px",
                                    "minWidth": "34px",
                                },
                                style_header={"fontWeight": "600"},
                            ),
                            html.Button(
                                "Add blob",
                                id="gen-add-blob",
                                className="button-secondary small",
                                n_clicks=0,
                            ),
                        ],
                        id="gen-blobs-field",
                        style={"display": "none"},
                    ),
                    html.Div(
                        [
                            _field(
                                "Points",
                                dcc.Input(
                                    id="gen-n",
                                    type="number",
                                    min=MIN_ROWS,
                                    max=MAX_GENERATED_ROWS,
                                    step=1,
                                    value=300,
                                    className="number-input",
                                ),
                                html_for="gen-n",
                            ),
                            _field(
                                "Noise",
                                dcc.Input(
                                    id="gen-noise",
                                    type="number",
                                    min=NOISE_RANGE[0],
                                    max=NOISE_RANGE[1],
                                    step="any",
                                    value=0.06,
                                    className="number-input",
                                ),
                                html_for="gen-noise",
                            ),
                        ],
                        id="gen-shape-fields",
                        className="field-row",
                    ),
                    _field(
                        "Seed",
                        dcc.Input(
                            id="gen-seed",
                            type="number",
                            min=0,
                            max=MAX_SEED,
                            step=1,
                            value=4711,
                            className="number-input",
                        ),
                        html_for="gen-seed",
                    ),
                    html.Button("Generate", id="generate", className="button-primary", n_clicks=0),
                ],
                id="generator-options",
                style={"display": "none"},
            ),
            html.Div(
                id="data-status", className="status", role="status", **{"aria-live": "polite"}
            ),
            _field(
                "Linkage method",
                dcc.Dropdown(
                    id="method",
                    options=[
                        {"label": f"{m} — {METHOD_DESCRIPTIONS[m]}", "value": m} for m in METHODS
                    ],
                    value=DEFAULT_METHOD,
                    clearable=False,
                ),
                html_for="method",
            ),
            _field(
                "Distance metric",
                dcc.Dropdown(
                    id="metric",
                    options=metric_options(DEFAULT_METHOD),
                    value=DEFAULT_METRIC,
                    clearable=False,
                ),
                "ward, centroid and median need euclidean.",
                html_for="metric",
            ),
            html.H2("Cut", className="column-title", id="cut-controls", tabIndex="-1"),
            _field(
                "Criterion",
                dcc.Dropdown(
                    id="criterion",
                    options=[{"label": v, "value": k} for k, v in CRITERION_DESCRIPTIONS.items()],
                    value="distance",
                    clearable=False,
                ),
                html_for="criterion",
            ),
            html.Div(
                [
                    _field(
                        "Cut height",
                        dcc.Input(
                            id="cut-height",
                            type="number",
                            # no min: the browser would send a number below it as empty,
                            # and the message could not say what was wrong with it
                            step="any",
                            debounce=True,
                            className="number-input",
                        ),
                        CUT_HEIGHT_HELP,
                        html_for="cut-height",
                        help_id="cut-height-help",
                    ),
                    _field(
                        "Number of clusters k",
                        dcc.Input(
                            id="n-clusters",
                            type="number",
                            step=1,
                            debounce=True,
                            className="number-input",
                        ),
                        html_for="n-clusters",
                    ),
                ],
                className="field-row",
            ),
            html.Button(
                "Download clusters (CSV + settings, zip)",
                id="download-labels",
                className="button-primary",
                n_clicks=0,
                title="Every row and column of your data with its cluster, and settings.json",
            ),
            html.Div(id="download-status", className="status", role="status"),
            dcc.Download(id="download"),
            html.Div(id="cut-status", className="status", role="status", **{"aria-live": "polite"}),
            # below the main loop (cut, k, download), which fits 1280×720 without scrolling
            partition_controls(),
            html.Div(
                [
                    _field(
                        "Threshold t",
                        dcc.Input(
                            id="criterion-t",
                            type="number",
                            value=8,
                            step="any",
                            debounce=True,
                            className="number-input",
                        ),
                        "For inconsistent and monocrit (the tutorial: t = 8, depth = 10).",
                        html_for="criterion-t",
                    ),
                    _field(
                        "Criterion depth",
                        dcc.Input(
                            id="criterion-depth",
                            type="number",
                            value=10,
                            min=1,
                            max=100,
                            step=1,
                            debounce=True,
                            className="number-input",
                        ),
                        "For t: levels below a merge in its inconsistency statistics.",
                        html_for="criterion-depth",
                    ),
                ],
                className="field-row",
            ),
            html.H2("Data options", className="column-title"),
            html.Div(
                [
                    _field(
                        "Scaling",
                        dcc.Dropdown(
                            id="scaling",
                            options=[{"label": v, "value": k} for k, v in SCALING_MENU.items()],
                            value="none",
                            clearable=False,
                        ),
                        html_for="scaling",
                    ),
                    _field(
                        "Missing values",
                        dcc.Dropdown(
                            id="missing-values",
                            options=[{"label": v, "value": k} for k, v in MISSING_MENU.items()],
                            value="drop",
                            clearable=False,
                        ),
                        html_for="missing-values",
                    ),
                ],
                className="field-stack",
            ),
            html.H2("Dendrogram", className="column-title"),
            _field(
                "Truncation",
                dcc.Dropdown(
                    id="truncate-mode",
                    options=[
                        {"label": "auto (last p above 1,000 leaves)", "value": "auto"},
                        {"label": "show everything", "value": "none"},
                        {"label": "last p merged clusters (lastp)", "value": "lastp"},
                        {"label": "p levels below the root (level)", "value": "level"},
                    ],
                    value="auto",
                    clearable=False,
                ),
                html_for="truncate-mode",
            ),
            html.Div(
                [
                    _field(
                        "p",
                        dcc.Input(
                            id="truncate-p",
                            type="number",
                            min=P_RANGE[0],
                            max=P_RANGE[1],
                            step=1,
                            value=60,
                            debounce=True,
                            className="number-input",
                        ),
                        html_for="truncate-p",
                    ),
                    _field(
                        "Annotate above",
                        dcc.Input(
                            id="annotate-above",
                            type="number",
                            min=0,
                            step="any",
                            debounce=True,
                            placeholder="height",
                            className="number-input",
                        ),
                        html_for="annotate-above",
                    ),
                ],
                className="field-row",
            ),
            _group(
                "Dendrogram options",
                dcc.Checklist(
                    id="dendrogram-flags",
                    options=[
                        {"label": " dots for contracted merges", "value": "contracted"},
                        {"label": " snap a dragged cut to the nearest large gap", "value": "snap"},
                    ],
                    value=["contracted"],
                    className="checklist",
                ),
            ),
            zoom_control(),
            _group(
                "Leaf order",
                dcc.Checklist(
                    id="optimal-order",
                    options=[{"label": " optimal leaf ordering", "value": "on"}],
                    value=[],
                    className="checklist",
                ),
            ),
            html.Div(
                [
                    _field(
                        "Orientation",
                        dcc.Dropdown(
                            id="orientation",
                            options=[
                                {"label": o, "value": o} for o in ("top", "bottom", "left", "right")
                            ],
                            value="top",
                            clearable=False,
                        ),
                        html_for="orientation",
                    ),
                    _field(
                        "Leaf labels",
                        dcc.Dropdown(
                            id="leaf-label-style",
                            options=[
                                {"label": "small, vertical", "value": "9:-90"},
                                {"label": "large, vertical", "value": "12:-90"},
                                {"label": "small, slanted", "value": "9:-45"},
                                {"label": "large, level", "value": "12:0"},
                            ],
                            value="9:-90",
                            clearable=False,
                        ),
                        html_for="leaf-label-style",
                    ),
                ],
                className="field-stack",
            ),
            html.H2("Scatter axes", className="column-title"),
            _field("x", dcc.Dropdown(id="scatter-x", clearable=False), html_for="scatter-x"),
            _field("y", dcc.Dropdown(id="scatter-y", clearable=False), html_for="scatter-y"),
            html.H2("Share and export", className="column-title"),
            html.Div(
                [
                    html.Button(
                        "Python script",
                        id="export-python",
                        className="button-secondary small",
                        n_clicks=0,
                        title="A script (numpy, scipy, pandas) that redoes this view and writes clusters.csv",
                    ),
                    html.Button(
                        "Tree (Newick)",
                        id="export-newick",
                        className="button-secondary small",
                        n_clicks=0,
                        title="The dendrogram in Newick format, branch lengths from merge heights",
                    ),
                    html.Button(
                        "Linkage Z (.npy, CSV)",
                        id="export-linkage",
                        className="button-secondary small",
                        n_clicks=0,
                        title="The linkage matrix Z as .npy and CSV, in a zip",
                    ),
                ],
                className="export-row",
            ),
            dcc.Download(id="share-download"),
            html.Button(
                "Copy link to this view",
                id="copy-link",
                className="button-secondary",
                n_clicks=0,
                title=(
                    "The address holds every setting of this view; "
                    "an upload is named by a reference the server keeps"
                ),
            ),
            share_limits(),
            dcc.Input(
                id="share-link",
                type="text",
                readOnly=True,
                className="share-link",
                style={"display": "none"},
                name="link to this view",
            ),
            html.Div(
                id="share-status", className="status", role="status", **{"aria-live": "polite"}
            ),
        ],
        className="controls",
        **{"aria-label": "Controls"},
    )


def _export_buttons(graph_id):
    return html.Div(
        [
            html.Span("Export:", className="export-label"),
            html.Button(
                "SVG",
                id=f"export-{graph_id}-svg",
                className="button-link",
                n_clicks=0,
                title="Vector image with title, axes and legend",
            ),
            html.Button(
                "PNG",
                id=f"export-{graph_id}-png",
                className="button-link",
                n_clicks=0,
                title="Raster image at 3× resolution",
            ),
            dcc.Store(id=f"export-{graph_id}-done"),
        ],
        className="export-row",
    )


def plots_status():
    """Progress, refusals and the sample offer, next to the plots they are about."""
    return html.Div(
        [
            html.Div(
                [
                    html.Div(id="job-stage", className="job-stage"),
                    html.Progress(id="job-progress", value="0", max="5", className="job-progress"),
                    html.Button(
                        "Cancel",
                        id="cancel-job",
                        className="button-secondary",
                        n_clicks=0,
                        disabled=True,
                    ),
                ],
                id="job-panel",
                className="job-panel",
                role="status",
                **{"aria-live": "polite"},
            ),
            html.Div(
                id="clustering-status", className="status", role="status", **{"aria-live": "polite"}
            ),
            html.Button(
                id="use-sample", className="button-secondary", n_clicks=0, style={"display": "none"}
            ),
            scaling_advice(),
        ],
        id="plots-status",
        className="plots-status",
    )


def plots():
    graph_style = {"height": "460px"}
    return html.Div(
        [
            # a heading for the section (seen by screen readers, and by axe's heading order)
            html.H2("Plots", className="visually-hidden"),
            plots_status(),
            # Shown, with the plots dimmed, while they are out of date (assets/stale_view.js).
            html.Div(
                "computing…",
                id="plots-overlay",
                className="stale-overlay",
                role="status",
                **{"aria-live": "polite"},
            ),
            html.Div(
                [
                    dcc.Graph(
                        id="dendrogram",
                        figure=placeholder_figure("Computing the linkage…"),
                        config={**EXPORT_CONFIG, "edits": {"shapePosition": True}},
                        style=graph_style,
                    ),
                    _export_buttons("dendrogram"),
                ],
                id="dendrogram-card",
                className="plot-card",
                tabIndex="0",
                title=(
                    "Drag the dashed line to cut; with this panel focused, "
                    "↑ and ↓ step the cut across merge heights, ← and → go from merge to "
                    "merge, and Enter shows the merge."
                ),
                **{
                    "aria-label": (
                        "Dendrogram. Up and down arrows move the cut; left and right arrows "
                        "choose a merge, Enter shows it."
                    )
                },
            ),
            # what the keyboard's chosen merge is (assets/keyboard.js), for screen readers
            html.Div(id="merge-cursor", className="visually-hidden", role="status"),
            html.Div(
                [
                    dcc.Graph(
                        id="scatter",
                        figure=placeholder_figure("Loading the data…"),
                        config=EXPORT_CONFIG,
                        style=graph_style,
                    ),
                    _export_buttons("scatter"),
                ],
                id="scatter-card",
                className="plot-card",
            ),
            html.Div(
                [
                    html.Div(
                        id="view-status",
                        className="status",
                        role="status",
                        **{"aria-live": "polite"},
                    ),
                    html.Div(
                        "Click a merge in the dendrogram to see its members.",
                        id="node-panel",
                        className="node-panel",
                    ),
                    html.Div(
                        [
                            html.Button(
                                "Show this branch in full",
                                id="focus-branch",
                                className="button-secondary",
                                n_clicks=0,
                                disabled=True,
                            ),
                            html.Button(
                                "Back to overview",
                                id="focus-reset",
                                className="button-secondary",
                                n_clicks=0,
                                disabled=True,
                            ),
                            html.Button(
                                "Clear highlight",
                                id="clear-highlight",
                                className="button-secondary",
                                n_clicks=0,
                            ),
                        ],
                        className="button-column",
                    ),
                ],
                className="plots-footer",
            ),
            clustergram_panel(),
        ],
        id="plots",
        className="plots",
        tabIndex="-1",
    )


def _table(table_id, columns=None, **kwargs):
    return dash_table.DataTable(
        id=table_id,
        columns=columns or [],
        style_cell={"fontFamily": "ui-monospace, monospace", "fontSize": 12, "padding": "2px 8px"},
        style_header={"fontWeight": "600"},
        **kwargs,
    )


def _k_plot(graph_id, label):
    """A plot of k that the keyboard can choose from too (assets/a11y.js)."""
    return html.Div(
        dcc.Graph(
            id=graph_id,
            figure=placeholder_figure("Waiting for the linkage…"),
            config={"displaylogo": False},
            style={"height": "300px"},
        ),
        id=f"{graph_id.split('-')[0]}-keys",
        className="k-plot-keys",
        tabIndex="0",
        role="group",
        title=label,
        **{"aria-label": label},
    )


def diagnostics():
    return html.Div(
        [
            html.H2("Diagnostics", className="visually-hidden"),
            html.Div("computing…", id="diagnostics-overlay", className="stale-overlay"),
            _panel(
                "Cophenetic correlation",
                html.Div(id="cophenetic", className="big-number"),
                html.P(
                    "How well the tree's merge heights preserve the original pairwise distances (1 is perfect).",
                    className="panel-help",
                ),
                html.Div(id="cophenetic-comparison"),
                dcc.Graph(
                    id="cophenetic-plot",
                    figure=placeholder_figure("Waiting for the linkage…"),
                    config={"displayModeBar": False},
                    style={"height": "280px"},
                ),
            ),
            _panel(
                "Inconsistency",
                html.Div(
                    [
                        _field(
                            "Table depth",
                            dcc.Input(
                                id="inconsistency-depth",
                                type="number",
                                min=1,
                                max=50,
                                step=1,
                                value=5,
                                debounce=True,
                                className="number-input",
                            ),
                            html_for="inconsistency-depth",
                        ),
                        _field(
                            "Last merges",
                            dcc.Input(
                                id="inconsistency-last",
                                type="number",
                                min=1,
                                max=200,
                                step=1,
                                value=10,
                                debounce=True,
                                className="number-input",
                            ),
                            html_for="inconsistency-last",
                        ),
                    ],
                    className="field-row",
                ),
                html.P(
                    "inconsistency = (h − mean) / std, over the link heights within depth levels below each merge. "
                    "Rows above the threshold t are marked.",
                    className="panel-help",
                ),
                html.Div(id="inconsistency"),
                html.P(
                    "⚠ The values depend heavily on the depth, and heights below a merge are expected to be lower, "
                    "so a high value is not automatically a real jump.",
                    className="panel-warning",
                ),
                panel_id="inconsistency-panel",
            ),
            _panel(
                "Elbow of merge distances",
                _k_plot(
                    "elbow-graph",
                    "Elbow plot. With it focused, the left and right arrows choose k.",
                ),
                html.Div(id="elbow"),
                panel_id="elbow-panel",
            ),
            _panel(
                "Quality per k",
                _field(
                    "Largest k",
                    dcc.Input(
                        id="quality-max-k",
                        type="number",
                        min=3,
                        max=30,
                        step=1,
                        value=DEFAULT_LARGEST_K,
                        debounce=True,
                        className="number-input",
                    ),
                    html_for="quality-max-k",
                ),
                _k_plot(
                    "quality-graph",
                    "Quality per k. With it focused, the left and right arrows choose k.",
                ),
                html.Div(id="quality-status", className="panel-help"),
                agreement_over_k(),
                panel_id="quality-panel",
            ),
            _panel(
                "Clusters",
                html.P(
                    [
                        "Click a row to highlight its cluster in both plots; "
                        "or focus the table and use the up and down arrows. Means are in the "
                        "file's units; medians and spreads are in ",
                        html.A("the cluster profiles", href="#cluster-profiles-panel"),
                        ".",
                    ],
                    className="panel-help",
                ),
                html.Div(
                    _table("cluster-summary", page_size=12, style_table={"overflowX": "auto"}),
                    id="summary-keys",
                    tabIndex="0",
                    role="group",
                    **{"aria-label": "Clusters. Up and down arrows highlight a cluster."},
                ),
                panel_id="summary-panel",
            ),
            *analyst_panels(),
            _panel(
                "Linkage matrix Z",
                html.P(
                    "Each row merges idx1 and idx2 at distance into a cluster of count samples. "
                    "An index ≥ n refers to the cluster formed in row idx − n.",
                    className="panel-help",
                ),
                _table(
                    "linkage-table",
                    [{"name": c, "id": c} for c in ("row", "idx1", "idx2", "distance", "count")],
                    page_size=10,
                    page_action="custom",
                    page_current=0,
                ),
                panel_id="linkage-panel",
                tabIndex="-1",
            ),
            tanglegram_panel(),
        ],
        id="diagnostics",
        className="diagnostics",
        tabIndex="-1",
    )


def serve_layout():
    """A fresh layout per page load, each with a new session token signed by the server."""
    return html.Div(
        [
            dcc.Store(id="session-id", data=sessions.issue_session()),
            # the view lives in the address: callbacks/share.py writes and restores it
            dcc.Location(id="url", refresh=False),
            dcc.Store(id="view-query"),
            dcc.Store(id="address-at-load"),
            dcc.Store(id="address-change"),
            dcc.Store(id="share-pending"),
            dcc.Interval(id="share-tick", interval=RESTORE_TICK_MS, disabled=True),
            dcc.Store(id="data-version"),
            dcc.Store(id="table-version"),
            dcc.Store(id="upload-job"),
            dcc.Store(id="sample-offer"),
            # which metrics each method takes, for the browser's metric menu (restrictMetrics)
            dcc.Store(id="metric-rules", data=metric_rules()),
            dcc.Store(id="job-tree"),  # a tree a background job answered: its cut follows
            dcc.Store(id="quality-ready"),
            dcc.Store(id="quality-job"),
            dcc.Store(id="clustering"),
            dcc.Store(id="linkage-job"),
            dcc.Store(id="cut"),
            dcc.Store(id="colour-map"),
            dcc.Store(id="recolour-index"),
            dcc.Store(id="recolour-ready"),
            dcc.Store(id="highlight"),
            dcc.Store(id="cut-clears-highlight"),
            dcc.Store(id="scatter-selection"),
            dcc.Store(id="cut-nudge"),
            # the dendrogram's relayouts split by intent (callbacks/relayout.py)
            dcc.Store(id="cut-drag"),
            dcc.Store(id="dendrogram-leaf-zoom"),
            dcc.Store(id="focus"),
            *merge_stores(),
            view_options_store(),
            html.Nav(
                [
                    html.A("Skip to the cut controls", href="#cut-controls"),
                    html.A("Skip to the plots", href="#plots"),
                    html.A("Skip to the diagnostics", href="#diagnostics"),
                    html.A("Skip to the linkage table", href="#linkage-panel"),
                ],
                className="skip-links",
                **{"aria-label": "Skip links"},
            ),
            # what a screen reader announces when the cut changes (callbacks/access.py)
            html.Div(
                id="clustering-summary",
                className="visually-hidden",
                role="status",
                **{"aria-live": "polite"},
            ),
            html.Header(
                [
                    html.H1("Hierarchical clustering explorer"),
                    html.Span(
                        "Build the tree, drag the cut, check the diagnostics, take the clusters.",
                        className="tagline",
                    ),
                    lesson_header(),
                ],
                className="app-header",
            ),
            html.Main(
                [
                    controls(),
                    html.Div([plots(), merge_steps_panel(), diagnostics()], className="content"),
                ],
                className="app-main",
            ),
            lesson_card(),
        ],
        className="app",
    )
