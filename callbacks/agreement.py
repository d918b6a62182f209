"""Clusters against known labels, and cluster profiles in the file's units (issue 15 §4, §5).

Both follow the cut (the ``cut`` store, as the cluster summary does) in the
colours the views last drew (``colour-map``). What they read that the person
gave (the label column, the values before scaling) is rebuilt from the
session's own record of how the data was loaded and kept under the session
(:func:`analyst_source`); only scores computed from the numbers are shared,
under :class:`services.store.ResultKey`s that name everything they depend on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    dash_table,
    html,
)
from dash.exceptions import PreventUpdate

from callbacks import validate
from callbacks.data import active_table, rebuild_from_origin
from callbacks.diagnostics import valid_max_k
from callbacks.errors import shows_errors
from callbacks.shown import labels_for
from components.agreement import TABLE_STYLE
from components.agreement_figures import (
    PROFILE_FEATURES_MAX,
    agreement_k_figure,
    profiles_figure,
    shown_clusters,
)
from components.figures import placeholder_figure
from components.sources import UPLOAD
from hclust.agreement import agreement, agreement_per_k
from hclust.cut import OVERFLOW_COLOUR
from hclust.data import Dataset
from hclust.datasets import BUNDLED
from hclust.errors import InputError
from hclust.preprocess import SCALING_NAMES, scale_values
from hclust.profiles import cluster_profiles
from services import store
from services.store import ResultKey

NO_LABEL_COLUMN = (
    "This data has no label column, so there are no known classes to compare the clusters "
    "with. Choose a text column of known classes as the Label column of an uploaded file (for "
    "example a species or diagnosis column), or load the bundled iris or penguins data, whose "
    "species column is the label column."
)
# A contingency table wider than this is not a table a person reads: an id column, probably.
CONTINGENCY_CLASSES_MAX = 50
PROFILE_TABLE_FEATURES_MAX = 100
# Tables send every row to the page: beyond this many clusters, the largest only.
TABLE_CLUSTERS_MAX = 200
MISSING = -1
# Class names of the panels once they show the current cut (the browser dims them meanwhile).
SHOWN = "panel"
K_SHOWN = "label-agreement-k"
# without a label column the plot is left out (the agreement panel says how to get one)
K_HIDDEN = "label-agreement-k no-labels"


@dataclass(frozen=True)
class AnalystSource:
    """What the session gave its data, rebuilt for the clustered rows.

    Attributes
    ----------
    label_column : str or None
    class_codes : ndarray of int or None
        Index into `class_names` of each clustered row's label, -1 where it is missing.
    class_names : tuple of str
    raw : Dataset or None
        The clustered rows' features before scaling (None for a distance matrix).
    scaling : str
    generated : bool
        True for presets and generated data, whose "file" is the values as generated.
    """

    label_column: str | None
    class_codes: np.ndarray | None
    class_names: tuple
    raw: Dataset | None
    scaling: str
    generated: bool

    @property
    def classes_hash(self) -> str:
        return hashlib.sha256(np.ascontiguousarray(self.class_codes).tobytes()).hexdigest()


def _label_column(origin, frame):
    """The label column the data was loaded with (a bundled set's own when none was chosen)."""
    if origin.get("label") in frame.columns:
        return origin["label"]
    source = origin["source"]
    if isinstance(source, str) and source.startswith("bundled:") and source[8:] in BUNDLED:
        return BUNDLED[source[8:]].label_column
    return None


def _label_text(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def class_codes(values) -> tuple[np.ndarray, tuple]:
    """Codes into the sorted distinct labels, -1 for a missing one."""
    found, uniques = pd.factorize(pd.Series(list(values), dtype=object), use_na_sentinel=True)
    texts = [_label_text(v) for v in uniques]  # each distinct value once, not each row
    names = tuple(sorted({t for t in texts if t is not None}))
    index = {name: i for i, name in enumerate(names)}
    to_code = np.asarray([MISSING if t is None else index[t] for t in texts] + [MISSING])
    return to_code[np.where(found < 0, len(texts), found)].astype(np.int64), names


def build_source(session_id, dataset, origin) -> AnalystSource:
    """Rebuild the label column and the unscaled values of `dataset`'s rows from `origin`.

    The data is read again once, unscaled; scaling it as it was loaded must give
    exactly the numbers that were clustered, or the file has changed since.

    Raises
    ------
    InputError
        When the data can no longer be made again exactly as it was clustered.
    """
    whole, clustered = rebuild_from_origin(session_id, {**origin, "scaling": "none"})
    scaling = origin["scaling"]
    if clustered.is_distance_matrix or scaling == "none":
        same = clustered.content_hash == dataset.content_hash
    else:  # a random sample is drawn from the whole data after scaling: scale the whole
        rows = np.searchsorted(whole.source_rows, clustered.source_rows)
        made = scale_values(whole.values, scaling, list(whole.feature_names))[rows]
        # equal up to rounding: sums in another memory order round otherwise
        same = made.shape == dataset.values.shape and np.allclose(
            made, dataset.values, rtol=1e-9, atol=1e-12
        )
    if not same:
        raise InputError(
            "The file behind these clusters has been replaced since they were computed; "
            "load it again to compare its clusters."
        )
    table = active_table(session_id, origin["source"])
    label = None if table is None else _label_column(origin, table.frame)
    codes, names = None, ()
    if label is not None:
        column = table.frame[label].to_numpy(dtype=object)
        codes, names = class_codes(column[np.asarray(clustered.source_rows)])
    return AnalystSource(
        label_column=label,
        class_codes=codes,
        class_names=names,
        raw=None if clustered.is_distance_matrix else clustered,
        scaling="none" if clustered.is_distance_matrix else scaling,
        generated=table is None,
    )


def analyst_source(session_id, clustering) -> AnalystSource:
    """The session's :class:`AnalystSource` for the data a clustering names, built once.

    Data made from a preset, a bundled file or a generator is rebuilt from its
    origin alone, so its source is shared by every session with the same data
    and origin (and their answers with it, services/answers.py). An upload's is
    rebuilt from the session's own table and kept under the session.
    """
    shared = store.get_store()
    key = clustering.get("key")
    dataset = shared.loaded_dataset(session_id, key)
    if dataset is None:
        raise InputError(store.NO_DATA)
    origin = shared.session_value(session_id, f"origin:{key}")
    if origin is None:
        raise InputError(
            "The settings behind these clusters are no longer on the server; load the data again."
        )
    if origin["source"] != UPLOAD:
        made_of = hashlib.sha256(repr((key, sorted(origin.items()))).encode()).hexdigest()
        return shared.memo(
            ResultKey("analyst-source", made_of), lambda: build_source(session_id, dataset, origin)
        )
    name = f"analyst-source:{key}"
    found = shared.session_value(session_id, name)
    if found is None:
        found = build_source(session_id, dataset, origin)
        shared.put_session_value(session_id, name, found)
    return found


def _colour(colours, label):
    return colours.get(str(label), colours.get(label, "#9A9A9A"))


def _colour_styles(colours, rows):
    """The swatch column's rules: the pale grey of the smallest clusters for every row, then
    one rule per listed cluster of another colour (at most the palette's 12; a later rule
    wins). The table evaluates every rule for every cell it draws: 4,000 rules froze the page
    for a second, and 200, one per listed cluster, still took 150-300 ms at deep cuts (#12 §5).
    """
    listed = {str(row["cluster"]) for row in rows}
    swatch = {"column_id": "colour"}
    shown = {str(label): colour for label, colour in colours.items() if str(label) in listed}
    rules = []
    if OVERFLOW_COLOUR in shown.values():
        rules.append({"if": swatch, "color": OVERFLOW_COLOUR, "fontSize": 18})
    rules += [
        {
            "if": {"filter_query": f"{{cluster}} = {label}", **swatch},
            "color": colour,
            "fontSize": 18,
        }
        for label, colour in shown.items()
        if colour != OVERFLOW_COLOUR
    ]
    return rules


def agreement_view(labels, source: AnalystSource, colours: dict, k: int):
    """The scores of one cut and its contingency table, as page content."""
    keep = source.class_codes != MISSING
    if not keep.any():
        return html.P(
            f"Every row's {source.label_column} is empty: there is nothing to compare with.",
            className="panel-help",
        )
    found, scores = agreement(labels[keep], source.class_codes[keep])
    left_out = int((~keep).sum())
    about = f"{scores.n:,} samples with a {source.label_column}" + (
        f"; {left_out:,} without one are left out" if left_out else ""
    )
    children = [
        html.Div(
            [
                html.Span(f"k = {k}", className="agreement-k"),
                html.Span(f"ARI = {scores.ari:.4f}", id="label-agreement-ari"),
                html.Span(f"NMI = {scores.nmi:.4f}", id="label-agreement-nmi"),
                html.Span(f"purity = {scores.purity:.4f}", id="label-agreement-purity"),
            ],
            className="agreement-scores",
        ),
        html.Small(about),
    ]
    names = [source.class_names[c] for c in found.classes]
    if len(names) > CONTINGENCY_CLASSES_MAX:
        children.append(
            html.P(
                f"The column {source.label_column} has {len(names):,} distinct values: too many "
                f"for a table (up to {CONTINGENCY_CLASSES_MAX}), and more like an id than classes.",
                className="panel-warning",
            )
        )
        return children
    columns = ["colour", "cluster", "size", *names]
    rows = [
        {
            "colour": "■",
            "cluster": int(cluster),
            "size": int(counts.sum()),
            **{name: int(c) for name, c in zip(names, counts.tolist())},
        }
        for cluster, counts in zip(found.clusters, found.table)
    ]
    if len(rows) > TABLE_CLUSTERS_MAX:
        children.append(
            html.P(
                f"The table lists the {TABLE_CLUSTERS_MAX} largest of {len(rows):,} clusters; "
                "the scores count them all.",
                className="panel-help",
            )
        )
        rows = largest(rows)
    children.append(
        dash_table.DataTable(
            id="label-agreement-table",
            data=rows,
            columns=[{"name": c, "id": c} for c in columns],
            style_data_conditional=_colour_styles(colours, rows),
            page_size=12,
            **TABLE_STYLE,
        )
    )
    return children


def _current(cut, colour_map):
    cut, colour_map = validate.cut(cut), validate.colour_map(colour_map)
    if not cut or not colour_map or colour_map.get("clustering") != cut["clustering"]:
        raise PreventUpdate  # the views have not drawn this cut yet: its colours follow
    return cut, colour_map.get("labels", {})


@callback(
    Output("label-agreement", "children"),
    Output("label-agreement-panel", "className"),
    # the views write the colour map for every cut they draw: it brings the cut along
    Input("colour-map", "data"),
    State("cut", "data"),
    State("session-id", "data"),
    prevent_initial_call=True,  # the cut and its colours arrive from other callbacks
)
@shows_errors(outputs=2, message=0)
def update_label_agreement(colour_map, cut, session_id):
    """Contingency table, ARI, NMI and purity of the current cut against the label column."""
    cut, colours = _current(cut, colour_map)
    source = analyst_source(session_id, cut["clustering"])
    if source.label_column is None:
        return html.P(NO_LABEL_COLUMN, className="panel-help"), SHOWN
    _, result = store.get_store().result_for(session_id, cut["clustering"])
    labels = np.asarray(labels_for(result, cut))
    return agreement_view(labels, source, colours, cut["k"]), SHOWN


def agreement_per_k_for(session_id, clustering, source, max_k):
    """The scores over k, shared by every session with the same numbers, tree and classes."""
    dataset, result = store.get_store().result_for(session_id, clustering)
    keep = source.class_codes != MISSING
    key = ResultKey.of(
        "label-agreement",
        dataset,
        clustering["method"],
        clustering["metric"],
        classes=source.classes_hash,
        max_k=int(max_k),
    )
    return store.get_store().memo(
        key,
        lambda: agreement_per_k(result.tree, source.class_codes[keep], int(max_k), keep=keep),
    )


@callback(
    Output("label-agreement-k", "figure"),
    Output("label-agreement-k-status", "children"),
    Output("label-agreement-k-box", "className"),
    Input("cut", "data"),
    Input("quality-max-k", "value"),
    State("session-id", "data"),
    prevent_initial_call=True,  # the cut and its colours arrive from other callbacks
)
@shows_errors(outputs=3, message=1)
def update_agreement_per_k(cut, max_k, session_id):
    """ARI, NMI and purity for k = 2..largest k, beside the quality indices."""
    cut = validate.cut(cut)
    if not cut:
        raise PreventUpdate
    if not valid_max_k(max_k):  # the quality panel's own message says why
        return placeholder_figure("Largest k must be a whole number from 3 to 30"), "", K_SHOWN
    source = analyst_source(session_id, cut["clustering"])
    if source.label_column is None:
        return placeholder_figure("No label column: no agreement per k"), "", K_HIDDEN
    if not (source.class_codes != MISSING).any():
        return placeholder_figure(f"Every row's {source.label_column} is empty"), "", K_SHOWN
    found = agreement_per_k_for(session_id, cut["clustering"], source, max_k)
    figure = agreement_k_figure(
        found.k, found.ari, found.nmi, found.purity, cut["k"], source.label_column
    )
    best = (
        f"Best ARI with {source.label_column} at k = {int(found.k[np.nanargmax(found.ari)])}."
        if np.isfinite(found.ari).any()
        else ""
    )
    if np.isnan(found.ari).any():
        best += " Gaps: ties in merge heights make those k unreachable."
    return figure, best.strip(), K_SHOWN


def units_note(source: AnalystSource) -> str:
    if source.generated:
        return "of the values as generated, before any scaling"
    if source.scaling == "none":
        return "in the file's units"
    scaling = SCALING_NAMES.get(source.scaling, source.scaling)
    return f"in the file's units, before the {scaling} scaling used for clustering"


def largest(rows, limit=TABLE_CLUSTERS_MAX):
    """The `limit` largest clusters' rows, in cluster order."""
    chosen = sorted(range(len(rows)), key=lambda i: -rows[i]["size"])[:limit]
    return [rows[i] for i in sorted(chosen)]


def profiles_table(profiles, feature_names, colours):
    """Rows of cluster, size, and each feature's mean and median; the table's columns."""
    features = list(feature_names)[:PROFILE_TABLE_FEATURES_MAX]
    rows = []
    for i, cluster in enumerate(profiles.clusters):
        row = {"colour": "■", "cluster": int(cluster), "size": int(profiles.size[i])}
        for j, feature in enumerate(features):
            row[f"mean {feature}"] = float(f"{profiles.mean[i, j]:.6g}")
            row[f"median {feature}"] = float(f"{profiles.median[i, j]:.6g}")
        rows.append(row)
    columns = ["colour", "cluster", "size"]
    for feature in features:
        columns += [f"mean {feature}", f"median {feature}"]
    shown = largest(rows)
    return shown, [{"name": c, "id": c} for c in columns], _colour_styles(colours, shown)


def profiles_for(source, labels):
    """Per-cluster statistics of the unscaled values, shared by content (values and partition)."""
    labels = np.ascontiguousarray(labels, dtype=np.int64)
    key = ResultKey.of(
        "profiles", source.raw, partition=hashlib.sha256(labels.tobytes()).hexdigest()
    )
    return store.get_store().memo(key, lambda: cluster_profiles(source.raw.values, labels))


@callback(
    Output("cluster-profiles-graph", "figure"),
    Output("cluster-profiles-table", "data"),
    Output("cluster-profiles-table", "columns"),
    Output("cluster-profiles-table", "style_data_conditional"),
    Output("cluster-profiles-status", "children"),
    Output("cluster-profiles-panel", "className"),
    Input("colour-map", "data"),
    State("cut", "data"),
    State("session-id", "data"),
    prevent_initial_call=True,  # the cut and its colours arrive from other callbacks
)
@shows_errors(outputs=6, message=4)
def update_profiles(colour_map, cut, session_id):
    """Means, medians and box plots of every feature per cluster, before scaling."""
    cut, colours = _current(cut, colour_map)
    source = analyst_source(session_id, cut["clustering"])
    if source.raw is None:
        message = "A distance matrix has no features to profile."
        return placeholder_figure(message), [], [], [], message, SHOWN
    _, result = store.get_store().result_for(session_id, cut["clustering"])
    labels = labels_for(result, cut)
    profiles = profiles_for(source, labels)
    names = source.raw.feature_names
    note = f"Means and medians {units_note(source)}, for k = {cut['k']:,}."
    if len(names) > PROFILE_FEATURES_MAX:
        note += f" Box plots of the first {PROFILE_FEATURES_MAX} of {len(names)} features."
    drawn = shown_clusters(profiles.size)
    if len(drawn) < len(profiles.clusters):
        note += f" Box plots of the {len(drawn)} largest clusters."  # k is said once, above
    if len(names) > PROFILE_TABLE_FEATURES_MAX:
        note += f" The table shows the first {PROFILE_TABLE_FEATURES_MAX} features."
    if len(profiles.clusters) > TABLE_CLUSTERS_MAX:
        note += f" The table lists the {TABLE_CLUSTERS_MAX} largest clusters."
    note += " Boxes: quartiles, whiskers at 1.5 × IQR, dashed line at the mean."
    figure = profiles_figure(profiles, names, colours)
    return (figure, *profiles_table(profiles, names, colours), note, SHOWN)


# Dimmed as soon as the cut changes (assets/analyst_views.js), until the answers above arrive.
clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="analystStale"),
    Output("label-agreement-panel", "className", allow_duplicate=True),
    Output("cluster-profiles-panel", "className", allow_duplicate=True),
    Output("label-agreement-k-box", "className", allow_duplicate=True),
    Input("cut", "data"),
    prevent_initial_call=True,
)
