"""Retrieving the clusters: the analyst's table back, zipped with the settings that made it.

A zip, not a CSV and a sidecar: one click gives one file (browsers hold back a
second download from the same click), so the labels cannot travel without
their settings. Inside, ``clusters.csv`` opens in any spreadsheet or
``pandas.read_csv`` and ``settings.json`` in any JSON reader.
"""

import numpy as np
import pandas as pd
from dash import Input, Output, State, callback, dcc
from dash.exceptions import PreventUpdate

from callbacks import validate
from callbacks.data import active_table, build_from_source, rebuild_from_origin
from callbacks.errors import shows_errors
from callbacks.shown import labels_for
from hclust.datasets import BUNDLED
from hclust.errors import InputError
from hclust.labelled_table import download_archive, labelled_table, settings_document
from hclust.linkage import validate_method_metric
from services import store

ROW_COLUMNS = {"xlsx": "sheet_row"}  # text files count lines; generated data counts rows


def _source_table(session_id, origin):
    """The table as read (every row and column), each row's place in it, and how it was read."""
    table = active_table(session_id, origin["source"])
    if table is not None:
        about = {
            "file": table.filename,
            "format": table.format,
            "encoding": table.encoding,
            "decimal_comma": table.decimal_comma,
            "header_row": table.has_header,
        }
        return (
            table.frame,
            list(table.source_rows),
            ROW_COLUMNS.get(table.format, "file_line"),
            about,
        )
    # presets and generated data: the values before scaling are the "file"
    raw = build_from_source(
        session_id,
        origin["source"],
        "none",
        origin["missing"],
        None,
        None,
        False,
        tuple(origin["generator"]),
    )
    frame = pd.DataFrame(raw.values, columns=list(raw.feature_names))
    return frame, list(range(1, len(frame) + 1)), "row", {"generated": list(raw.notes)}


def _label_column(origin, frame):
    if origin["label"] in frame.columns:
        return origin["label"]
    source = origin["source"]
    if isinstance(source, str) and source.startswith("bundled:") and source[8:] in BUNDLED:
        return BUNDLED[source[8:]].label_column
    return None


def labelled_download(session_id, cut):
    """The zip's bytes and file name for the shown clustering and cut.

    Every row, name and note written comes from the session's own records (its
    table and how it loaded the data), rebuilt and checked against the numbers
    that were clustered; the shared cache supplies only the tree.

    Raises
    ------
    InputError
        When the data behind the result can no longer be made again exactly
        (the session expired, or the file was replaced by a newer upload).
    """
    clustering = cut["clustering"]
    validate_method_metric(clustering["method"], clustering["metric"])
    shared = store.get_store()
    dataset, result = shared.result_for(session_id, clustering)
    labels = np.asarray(labels_for(result, cut))
    origin = shared.session_value(session_id, f"origin:{clustering['key']}")
    if origin is None:
        raise InputError(
            "The settings behind these clusters are no longer on the server; load the data again."
        )
    whole, clustered = rebuild_from_origin(session_id, origin)
    if clustered.content_hash != dataset.content_hash:
        raise InputError(
            "The file behind these clusters has been replaced since they were computed; "
            "load it again to download its clusters."
        )
    frame, row_numbers, row_column, about = _source_table(session_id, origin)
    table = labelled_table(
        frame,
        row_numbers,
        row_column,
        whole.source_rows,
        whole.values,
        clustered.source_rows,
        labels,
        features=whole.feature_names,
        is_distance_matrix=whole.is_distance_matrix,
    )
    samples = origin.get("samples", [])
    settings = settings_document(
        data={
            "name": clustered.name,
            "source": origin["source"],
            **about,
            "rows_in_file": len(frame),
            "rows_dropped_for_missing_values": len(frame) - whole.n_samples,
            "rows_clustered": clustered.n_samples,
            "columns_used": [] if whole.is_distance_matrix else list(whole.feature_names),
            "distance_matrix": whole.is_distance_matrix,
            "label_column": _label_column(origin, frame),
            "scaling": "none" if whole.is_distance_matrix else origin["scaling"],
            "missing_values": origin["missing"],
            "notes": list(clustered.notes),
        },
        sample=(
            {
                "rows": samples[-1]["rows"],
                "of": samples[0]["of"],
                "seed": samples[-1]["seed"],
                "drawn_with": "numpy.random.default_rng(seed).choice(n, rows, replace=False)",
                "other_rows": (
                    "assigned to the cluster at the least mean distance to its members"
                    if whole.is_distance_matrix
                    else "assigned to the cluster whose centroid (mean of its clustered rows, "
                    "in the scaled columns used) is nearest in Euclidean distance"
                ),
            }
            if samples
            else None
        ),
        linkage={
            "method": clustering["method"],
            "metric": clustering["metric"],
            "optimal_leaf_ordering": bool(clustering.get("optimal_order", False)),
        },
        cut={
            "criterion": cut["criterion"],
            "height": cut.get("height"),
            "k": cut.get("base_k", cut.get("k")),
            "t": cut.get("t"),
            "depth": cut.get("depth"),
            "clusters": int(np.unique(labels).size),
            **(
                {
                    "splits_and_merges": [
                        {"action": action, "node": node, "linkage_row": node - result.tree.n}
                        for action, node in cut["edits"]
                    ],
                    "edits_mean": "after the cut, in order: 'split' replaces the cluster whose "
                    "top merge is that node by its two children; 'merge' joins every cluster "
                    "under that node. Nodes follow scipy: merge i of Z is node n + i.",
                }
                if cut.get("edits")
                else {}
            ),
        },
        columns={
            table.columns[-3]: "cluster number, as scipy.cluster.hierarchy.fcluster numbers "
            "them; empty for a row that was not clustered",
            table.columns[-2]: "clustered, assigned (a row outside the random sample), "
            "or not clustered and why",
            table.columns[-1]: {
                "file_line": "the row's line number in the file",
                "sheet_row": "the row's row number in the sheet",
                "row": "the row's number in the data, from 1",
            }[row_column],
        },
    )
    name = (
        f"clusters_{clustering['method']}_{clustering['metric']}_{cut['criterion']}_k{cut['k']}.zip"
    )
    return download_archive(table, settings), name


@callback(
    Output("download", "data"),
    Output("download-status", "children"),
    Input("download-labels", "n_clicks"),
    State("cut", "data"),
    State("session-id", "data"),
    prevent_initial_call=True,
)
@shows_errors(outputs=2, message=1)
def download_labels(n_clicks, cut, session_id):
    # one person's file, stamped with the time it was made: never a shared answer
    store.mark_answer_private()
    if not n_clicks or not isinstance(cut, dict) or not isinstance(cut.get("clustering"), dict):
        raise PreventUpdate
    cut = validate.cut(cut)
    content, name = labelled_download(session_id, cut)
    return dcc.send_bytes(content, name), ""
