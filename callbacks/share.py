"""Sharing and reproducing a view: the tree as Newick, Z, and the view as a Python script.

Every export is built from the server's records: the clustering the page's
``cut`` names is read from the session (never a matrix the page sends), and
the script's recipe is rebuilt from the data controls and checked to give
exactly the dataset that clustering was computed on.
"""

from __future__ import annotations

import io
import zipfile

from dash import Input, Output, State, callback, ctx, dcc
from dash.exceptions import PreventUpdate

from callbacks.data import active_table, build_from_source, generator_params
from callbacks.errors import shows_errors
from callbacks.views import labels_for
from hclust.data import PRESETS
from hclust.datasets import BUNDLED
from hclust.errors import InputError
from hclust.export import linkage_csv, linkage_npy, newick, python_script
from services import store
from services.store import dataset_id

NOT_THE_SHOWN_DATA = (
    "The data controls no longer describe the data on screen (a sample was taken, or a "
    "setting changed and is not applied yet); the script cannot reproduce this view."
)


def _file_recipe(table, source, features, label, as_distances, missing):
    """How the explorer read a file-like source, and the columns it used, by position."""
    if table.format == "xlsx":
        raise InputError(
            "A workbook cannot be exported as a script yet (it would need openpyxl); "
            "save the sheet as CSV, upload that, and export again."
        )
    columns = list(table.frame.columns)
    label = label if label in columns else None
    chosen = [c for c in (features or []) if c in columns and c != label]
    if source.startswith("bundled:"):
        entry = BUNDLED[source[8:]]
        chosen = chosen or list(entry.features)
        label = label or entry.label_column
        filename = entry.filename
    else:
        from hclust.preprocess import default_feature_columns

        chosen = chosen or [c for c in default_feature_columns(table) if c != label]
        filename = table.filename
    return {
        "kind": "file",
        "filename": filename,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "decimal_comma": table.decimal_comma,
        "has_header": table.has_header,
        "features": [(columns.index(c), c) for c in chosen],
        "label": None if label is None else (columns.index(label), label),
        "missing": missing,
        "is_distance_matrix": bool(as_distances),
    }


def view_recipe(session_id, cut, source, features, label, as_distances, scaling, missing, gen):
    """The script's recipe for the view the page shows, and that view's dataset and result.

    Raises
    ------
    InputError
        When the data controls do not rebuild the very dataset the cut's
        clustering was computed on, or the source cannot be scripted.
    """
    if not isinstance(cut, dict) or not isinstance(cut.get("clustering"), dict):
        raise InputError("Nothing is clustered yet; choose a dataset and a method.")
    clustering = cut["clustering"]
    dataset, result = store.get_store().result_for(session_id, clustering)
    rebuilt = build_from_source(
        session_id, source, scaling, missing, features, label, bool(as_distances), gen
    )
    if dataset_id(rebuilt) != dataset_id(dataset):
        raise InputError(NOT_THE_SHOWN_DATA)
    if source in PRESETS:
        data = {"kind": "preset", "key": source}
    elif source.startswith("generate:"):
        kind = source[9:]
        data = {"kind": "generator", "generator": kind, "params": generator_params(kind, *gen)}
    else:
        table = active_table(session_id, source)
        if table is None:
            raise InputError("The file behind this view is no longer on the server.")
        data = _file_recipe(table, source, features, label, as_distances, missing)
    recipe = {
        "data": data,
        "scaling": scaling if not dataset.is_distance_matrix else "none",
        "method": clustering["method"],
        "metric": clustering["metric"],
        "optimal_order": bool(clustering.get("optimal_order")),
        "cut": {key: cut.get(key) for key in ("criterion", "height", "k", "t", "depth")},
    }
    return recipe, dataset, result


def _stem(clustering):
    return f"{clustering['method']}_{clustering['metric']}"


def linkage_zip(Z) -> bytes:
    """Z.npy and Z.csv in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Z.npy", linkage_npy(Z))
        archive.writestr("Z.csv", linkage_csv(Z))
    return buffer.getvalue()


@callback(
    Output("share-download", "data"),
    Input("export-newick", "n_clicks"),
    Input("export-linkage", "n_clicks"),
    Input("export-python", "n_clicks"),
    State("cut", "data"),
    State("dataset", "value"),
    State("feature-columns", "value"),
    State("label-column", "value"),
    State("as-distance-matrix", "value"),
    State("scaling", "value"),
    State("missing-values", "value"),
    State("gen-n", "value"),
    State("gen-noise", "value"),
    State("gen-seed", "value"),
    State("gen-blobs", "data"),
    State("session-id", "data"),
    prevent_initial_call=True,
)
@shows_errors(outputs=1, status="view-status")
def export_view(
    newick_clicks,
    linkage_clicks,
    python_clicks,
    cut,
    source,
    features,
    label,
    as_distances,
    scaling,
    missing,
    n,
    noise,
    seed,
    blob_rows,
    session_id,
):
    """The tree as Newick, Z as .npy and CSV, or the view as a Python script."""
    trigger = ctx.triggered_id
    if trigger not in ("export-newick", "export-linkage", "export-python"):
        raise PreventUpdate
    if not isinstance(cut, dict) or not isinstance(cut.get("clustering"), dict):
        raise InputError("Nothing is clustered yet; choose a dataset and a method.")
    clustering = cut["clustering"]
    if trigger == "export-python":
        recipe, _, result = view_recipe(
            session_id,
            cut,
            source,
            features,
            label,
            as_distances,
            scaling or "none",
            missing or "drop",
            (n, noise, seed, blob_rows),
        )
        labels_for(result, cut)  # the cut's settings are checked before they enter the script
        return dcc.send_string(python_script(recipe, "exported.py"), "exported.py")
    dataset, result = store.get_store().result_for(session_id, clustering)
    if trigger == "export-newick":
        names = dataset.labels if dataset.labels is not None else None
        return dcc.send_string(newick(result.Z, names), f"tree_{_stem(clustering)}.nwk")
    return dcc.send_bytes(linkage_zip(result.Z), f"linkage_{_stem(clustering)}.zip")
