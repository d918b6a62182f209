"""Getting data in: presets, bundled datasets, generators and uploads.

A bad input only changes the status line: the dataset, clustering and cut
the person had stay exactly as they were.
"""

import secrets

from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    no_update,
)
from dash.exceptions import MissingCallbackContextException, PreventUpdate

from callbacks import validate
from callbacks.clustering import optimal_order_options
from components.sources import UPLOAD, dataset_options
from hclust.data import PRESETS, Dataset, load_preset, random_sample
from hclust.datasets import BUNDLED, load_bundled_table
from hclust.errors import InputError
from hclust.generators import GENERATORS, generated_dataset
from hclust.io import ZIP_MAGIC, UploadLimits, decode_dash_upload, parse_upload
from hclust.preprocess import (
    MISSING,
    SCALINGS,
    build_dataset,
    default_feature_columns,
    distance_matrix_dataset,
    duplicate_row_warnings,
    label_columns,
    numeric_columns,
    scale_values,
)
from services import config, store
from services.jobs import JOB_POLL_MS

PCA_AXES = ("PC1", "PC2")
MDS_AXES = ("MDS1", "MDS2")
# The one-click sample is seeded, so the download can draw the same rows again.
SAMPLE_SEED = 0


def axis_options(dataset):
    """Scatter axis choices: features, principal components beyond 2-D, MDS for distances."""
    if dataset.is_distance_matrix:
        return [{"label": f"{axis} (classical MDS)", "value": axis} for axis in MDS_AXES], MDS_AXES
    names = list(dataset.feature_names)
    options = [{"label": name, "value": name} for name in names]
    if len(names) > 2:
        options += [{"label": f"{pc} (principal component)", "value": pc} for pc in PCA_AXES]
        return options, PCA_AXES
    return options, (names[0], names[-1])


def describe(dataset, warnings=(), label_column=None):
    """The status line: what is loaded, how it was cleaned, what to watch for."""
    parts = [
        f"{dataset.name}: a distance matrix of {dataset.n_samples:,} items."
        if dataset.is_distance_matrix
        else f"{dataset.name}: {dataset.n_samples:,} rows × {dataset.n_features} columns used."
    ]
    if label_column and dataset.labels is not None:
        parts.append(f"Label column: {label_column}.")
    parts += [note if note.endswith(".") else f"{note}." for note in dataset.notes]
    parts += [f"⚠ {warning}" for warning in warnings]
    return " ".join(parts)


def scaled(dataset, scaling):
    """The dataset with its features scaled, noted for the status line."""
    if scaling == "none" or dataset.is_distance_matrix:
        return dataset
    values = scale_values(dataset.values, scaling, list(dataset.feature_names))
    return Dataset(
        values=values,
        feature_names=dataset.feature_names,
        name=dataset.name,
        labels=dataset.labels,
        notes=(*dataset.notes, f"Scaling: {SCALINGS[scaling]}"),
        source_rows=dataset.source_rows,
        label_name=dataset.label_name,
    )


def _number(value, name, low, high, whole=False):
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not numeric or not low <= value <= high or (whole and not float(value).is_integer()):
        kind = "a whole number" if whole else "a number"
        raise InputError(f"{name} must be {kind} from {low:,} to {high:,}.")
    return int(value) if whole else float(value)


def generator_params(kind, n, noise, seed, blob_rows):
    """Validated settings for a generator, from the generator panel."""
    seed = _number(seed, "Seed", 0, 2**32 - 1, whole=True)
    if kind == "blobs":
        specs = []
        for i, row in enumerate(blob_rows or []):
            try:
                specs.append(
                    {
                        "size": int(float(row["size"])),
                        "mean_x": float(row["mean x"]),
                        "mean_y": float(row["mean y"]),
                        "std_x": float(row["std x"]),
                        "std_y": float(row["std y"]),
                        "corr": float(row["corr"]),
                    }
                )
            except (KeyError, TypeError, ValueError, OverflowError) as err:
                raise InputError(
                    f"Blob {i + 1}: every setting must be a number "
                    "(size, mean x, mean y, std x, std y, corr)."
                ) from err
        if not specs:
            raise InputError("Add at least one blob.")
        return {"specs": specs, "seed": seed}
    params = {"n": _number(n, "Number of points", 2, 100_000, whole=True), "seed": seed}
    if kind != "anisotropic":  # elongated blobs take no noise
        params["noise"] = _number(noise, "Noise", 0, 10)
    return params


def build_from_source(
    session_id, source, scaling, missing, features, label, as_distances, generator
):
    """The Dataset a source and its options describe."""
    # a forged request can send any JSON: a list or an object is not a choice either
    if not isinstance(scaling, str) or scaling not in SCALINGS:
        raise InputError(f"Unknown scaling '{scaling}'. Choose one of: {', '.join(SCALINGS)}.")
    if not isinstance(missing, str) or missing not in MISSING:
        raise InputError(
            f"Unknown missing-value rule '{missing}'. Choose one of: {', '.join(MISSING)}."
        )
    if source in PRESETS:
        return scaled(load_preset(source), scaling)
    if isinstance(source, str) and source.startswith("generate:") and source[9:] in GENERATORS:
        kind = source[9:]
        return scaled(generated_dataset(kind, **generator_params(kind, *generator)), scaling)
    table = active_table(session_id, source)
    if table is not None and features == [] and not as_distances:
        # the person emptied the picker (Deselect All): say so, never load the defaults silently
        raise InputError(
            "Choose at least one column to cluster on (Select All picks every one); "
            "the data loaded before stays."
        )
    if table is not None:
        columns = list(table.frame.columns)
        label = label if label in columns else None
        features = [c for c in _present(features, columns) if c != label] or None
        if source.startswith("bundled:"):
            entry = BUNDLED[source[8:]]
            return build_dataset(
                table,
                features or list(entry.features),
                label or entry.label_column,
                scaling,
                missing,
                name=entry.title,
            )
        if as_distances:
            return distance_matrix_dataset(table, label_column=label)
        return build_dataset(table, features, label, scaling, missing)
    if source == UPLOAD:
        raise InputError(
            "The uploaded file is no longer on the server (sessions expire); upload it again."
        )
    raise InputError(f"Unknown dataset '{source}'.")


def dataset_origin(source, scaling, missing, features, label, as_distances, generator):
    """What :func:`build_from_source` needs to build a dataset again, as plain JSON values."""
    return {
        "source": source,
        "scaling": scaling or "none",
        "missing": missing or "drop",
        "features": list(features) if features else None,
        "label": label,
        "as_distances": bool(as_distances),
        "generator": list(generator),
        "samples": [],
    }


def rebuild_from_origin(session_id, origin):
    """The dataset an origin (see :func:`dataset_origin`) describes, samples included.

    Returns the whole data (after missing values, before any sample) and the
    data as clustered (the same, or its random sample).
    """
    whole = build_from_source(
        session_id,
        origin["source"],
        origin["scaling"],
        origin["missing"],
        origin["features"],
        origin["label"],
        origin["as_distances"],
        tuple(origin["generator"]),
    )
    clustered = whole
    for step in origin.get("samples", []):
        clustered = random_sample(clustered, int(step["rows"]), seed=int(step["seed"]))
    return whole, clustered


def active_table(session_id, source):
    """The table behind a file-like source (bundled or uploaded), else None."""
    if isinstance(source, str) and source.startswith("bundled:") and source[8:] in BUNDLED:
        return load_bundled_table(source[8:])
    if source == UPLOAD:
        return store.get_store().session_value(session_id, "table")
    return None


def _present(chosen, available):
    """The chosen columns that exist in this table (stale picks are dropped)."""
    return [c for c in (chosen or []) if c in available]


def upload_limits() -> UploadLimits:
    """The instance's bounds on an upload's shape and reading time (services.config)."""
    return UploadLimits(
        max_rows=config.MAX_ROWS,
        max_columns=config.MAX_COLUMNS,
        max_cells=config.MAX_CELLS,
        max_unpacked_bytes=config.MAX_XLSX_UNPACKED_MB * 2**20,
        max_seconds=config.PARSE_TIMEOUT_SECONDS,
    )


# A workbook is read about 15 times slower per byte than CSV (bench upload_parse:
# 645 KB of xlsx 2.9 s, 513 KB of CSV 0.18 s).
WORKBOOK_SLOWDOWN = 16


def inline_parse_bytes(raw) -> int:
    """The largest upload like `raw` that is parsed inside the request."""
    limit = config.INLINE_PARSE_KB * 1024
    return limit // WORKBOOK_SLOWDOWN if raw.startswith(ZIP_MAGIC) else limit


def read_table(raw, filename):
    """The parsed upload, within the instance's limits, with a column to cluster on."""
    table = parse_upload(raw, filename, limits=upload_limits())
    if not numeric_columns(table):
        raise InputError(
            f"it has no numeric column to cluster on (columns: {', '.join(map(str, list(table.frame.columns)[:10]))})."
        )
    return table


def keep_table(session_id, table, filename):
    """Make `table` the session's upload; outputs that select it."""
    store.get_store().put_session_value(session_id, "table", table)
    store.get_store().put_session_value(session_id, "link-ref", None)  # a new table, a new link
    # the status line is left to load_choice, which the new table-version triggers
    return (
        dataset_options(True, filename),
        UPLOAD,
        {"file": filename, "rows": len(table.frame)},
        no_update,
    )


def refused(filename, error):
    return (
        no_update,
        no_update,
        no_update,
        f"⚠ {filename}: {error} The data loaded before is unchanged.",
    )


@callback(
    Output("dataset", "options"),
    Output("dataset", "value"),
    Output("table-version", "data"),
    Output("data-status", "children", allow_duplicate=True),
    Output("upload-job", "data"),
    Input("upload-data", "contents"),
    State("upload-data", "filename"),
    State("session-id", "data"),
    prevent_initial_call=True,
)
def receive_upload(contents, filename, session_id):
    """Parse a small upload at once; hand a larger one to a background job. A bad file changes nothing.

    A refusal, or the note that a job reads the file, goes straight to the
    status line; a table that is kept selects itself (``dataset``,
    ``table-version``), and :func:`load_choice` loads it.

    Parsing is bounded by rows, columns, cells and time, but even bounded it
    can take seconds (a workbook most of all): above ``INLINE_PARSE_KB`` the
    worker that answers everyone's light callbacks only stores the bytes, and
    :func:`read_large_upload` parses them in a job process.
    """
    filename = validate.text(filename, "The file name", 1_000, optional=True)
    if not contents:
        raise PreventUpdate
    filename = filename if isinstance(filename, str) and filename else "upload.csv"
    try:
        raw = decode_dash_upload(contents, config.MAX_UPLOAD_MB)
        shared = store.get_store()
        # Named by arrival: a later upload (of the same file, too) overtakes an earlier job.
        job = shared.begin_request(session_id, "upload", secrets.token_hex(8))
        if len(raw) > inline_parse_bytes(raw):
            shared.put_session_value(
                session_id, "pending-upload", {"job": job, "file": filename, "bytes": raw}
            )
            note = f"Reading {filename} ({len(raw) / 2**20:.1f} MB)…"
            return no_update, no_update, no_update, note, {"job": job}
        return (*keep_table(session_id, read_table(raw, filename), filename), no_update)
    except InputError as error:
        return (*refused(filename, error), no_update)


@callback(
    Output("dataset", "options", allow_duplicate=True),
    Output("dataset", "value", allow_duplicate=True),
    Output("table-version", "data", allow_duplicate=True),
    Output("data-status", "children", allow_duplicate=True),
    Input("upload-job", "data"),
    State("session-id", "data"),
    background=True,
    interval=JOB_POLL_MS,
    prevent_initial_call=True,
)
def read_large_upload(job, session_id):
    """Parse a stored upload in a job process (within PARSE_TIMEOUT_SECONDS); a newer upload wins."""
    if not isinstance(job, dict) or not isinstance(job.get("job"), str):
        raise PreventUpdate
    shared = store.get_store()
    try:
        pending = shared.session_value(session_id, "pending-upload")
    except InputError as error:
        return refused("the upload", error)
    if not pending or pending["job"] != job["job"]:
        raise PreventUpdate
    shared.put_session_value(session_id, "pending-upload", None)  # the bytes are read once
    try:
        table = read_table(pending["bytes"], pending["file"])
    except InputError as error:
        table, outputs = None, refused(pending["file"], error)
    if not shared.is_latest_request(session_id, "upload", job["job"]):
        raise PreventUpdate
    return outputs if table is None else keep_table(session_id, table, pending["file"])


def column_choices(source, table_version, session_id):
    """Feature, label and scaling defaults for the active table.

    A bundled dataset brings its own scaling (penguins mixes grams and
    millimetres, so z-score); other sources keep the person's choice
    (``no_update``).
    """
    source = validate.text(source, "The dataset", 200, optional=True)
    table = active_table(session_id, source)
    if table is None:
        return [], [], [], None, no_update
    numeric, labels = numeric_columns(table), label_columns(table)
    scaling = no_update
    if source.startswith("bundled:"):
        entry = BUNDLED[source[8:]]
        features, label, scaling = list(entry.features), entry.label_column, entry.scaling
    else:
        features, label = default_feature_columns(table), (labels[0] if labels else None)
    return (
        [{"label": c, "value": c} for c in numeric],
        features,
        [{"label": c, "value": c} for c in labels],
        label,
        scaling,
    )


def loaded_outputs(session_id, current, dataset, origin, loaded_from, label):
    """Make `dataset` the session's data; the outputs every way of loading answers.

    A session the server cannot store it for keeps what it had (:func:`kept_outputs`).

    Parameters
    ----------
    current : dict or None
        The data-version the page shows (for the refusal's wording).
    origin : dict
        How to build it again (:func:`dataset_origin`), kept for the download.
    loaded_from : dict
        The choices it was loaded from: the page dims the plots while these
        differ from the controls (assets/stale_view.js).
    label : str or None
        The label column, for the status line.
    """
    # repeated rows are said once: a note of the reader's, or else this warning
    noted = any(note.startswith("Exact repeats:") for note in dataset.notes)
    warnings = (
        []
        if dataset.is_distance_matrix or noted
        else duplicate_row_warnings(dataset.values, dataset.leaf_names())
    )
    try:
        key = store.get_store().put_dataset(session_id, dataset)
        # how to make this data again, for the download: the session's own, never shared
        store.get_store().put_session_value(session_id, f"origin:{key}", origin)
    except InputError as error:
        return kept_outputs(error, current)
    options, (x, y) = axis_options(dataset)
    return (
        {"key": key, "n": dataset.n_samples, **loaded_from},
        describe(dataset, warnings, label),
        options,
        x,
        options,
        y,
        optimal_order_options(dataset.n_samples),
    )


def kept_outputs(error, current):
    """A refused load: the message, and everything the person had stays as it was."""
    kept = " The data loaded before is unchanged." if current else ""
    return no_update, f"⚠ {error}{kept}", *[no_update] * (len(loaded_props()) - 2)


def load_selected(
    session_id, current, source, features, label, as_distances, scaling, missing, generator, table
):
    """Load what the controls select; the outputs of :func:`loaded_outputs` or of a refusal."""
    source = validate.text(source, "The dataset", 200, optional=True)
    features = validate.strings(features, "The feature columns")
    label = validate.text(label, "The label column", 1_000, optional=True)
    blob_rows = validate.list_of(generator[3], "The blobs", max_items=1_000, optional=True)
    generator = (*generator[:3], blob_rows)
    current = validate.data_version(current)
    try:
        dataset = build_from_source(
            session_id,
            source,
            scaling or "none",
            missing or "drop",
            features,
            label,
            bool(as_distances),
            generator,
        )
    except InputError as error:
        return kept_outputs(error, current)
    origin = dataset_origin(source, scaling, missing, features, label, as_distances, generator)
    loaded_from = {
        "source": source,
        "settings": [features, label, scaling, missing, as_distances],
        "table": table if source == UPLOAD else None,
    }
    return loaded_outputs(session_id, current, dataset, origin, loaded_from, label)


def loaded_props(duplicate=False):
    """What every way of loading data writes: the data version, the status line, the axes,
    and the optimal ordering's checkbox for the data's size (no request of its own, #11)."""
    return [
        Output(component, prop, allow_duplicate=duplicate)
        for component, prop in (
            ("data-version", "data"),
            ("data-status", "children"),
            ("scatter-x", "options"),
            ("scatter-x", "value"),
            ("scatter-y", "options"),
            ("scatter-y", "value"),
            ("optimal-order", "options"),
        )
    ]


# The choice of data and its options (triggers of load_choice, states of load_generated).
SOURCE_CONTROLS = (
    ("dataset", "value"),
    ("feature-columns", "value"),
    ("label-column", "value"),
    ("as-distance-matrix", "value"),
    ("scaling", "value"),
    ("missing-values", "value"),
    ("table-version", "data"),
)
GENERATOR_STATE = [
    State("gen-n", "value"),
    State("gen-noise", "value"),
    State("gen-seed", "value"),
    State("gen-blobs", "data"),
    State("data-version", "data"),
    State("session-id", "data"),
]


# The column menus and the scaling, as load_choice answers them with the data.
COLUMN_PROPS = (
    ("feature-columns", "options"),
    ("feature-columns", "value"),
    ("label-column", "options"),
    ("label-column", "value"),
    ("scaling", "value"),
)
# What makes the choice a new one: its columns are then the table's defaults.
NEW_CHOICE = {"dataset.value", "table-version.data"}


def _triggers() -> set:
    try:
        return set(ctx.triggered_prop_ids)
    except MissingCallbackContextException:  # called as a plain function: the values given
        return set()


def column_outputs(session_id, source, features, label, scaling, new_choice):
    """The column menus and the scaling for `source` (:data:`COLUMN_PROPS`).

    A new choice of data gets its table's defaults (:func:`column_choices`);
    otherwise the person's picks stand, in menus of the table's columns.
    Always every value, never ``no_update`` (plotly/dash#1861).
    """
    if new_choice:
        numeric, chosen, labels, label, default_scaling = column_choices(source, None, session_id)
        return (
            numeric,
            chosen,
            labels,
            label,
            scaling if default_scaling is no_update else default_scaling,
        )
    table = active_table(session_id, source)
    if table is None:
        return [], [], [], None, scaling
    return (
        [{"label": c, "value": c} for c in numeric_columns(table)],
        features,
        [{"label": c, "value": c} for c in label_columns(table)],
        label,
        scaling,
    )


# The only load at page load (the first preset, which has no columns to choose).
@callback(
    *loaded_props(),
    *[Output(*control) for control in COLUMN_PROPS],
    *[Input(*control) for control in SOURCE_CONTROLS],
    *GENERATOR_STATE,
)
def load_choice(
    source,
    features,
    label,
    as_distances,
    scaling,
    missing,
    table_version,
    n,
    noise,
    seed,
    blob_rows,
    current,
    session_id,
):
    """Load the chosen source with its options (columns, labels, distances, scaling, missing).

    A dataset and its options are one choice: a new dataset (or a new upload,
    ``table-version``) is loaded with its table's default columns and scaling,
    and the menus are answered with the data, in one request (#11: the columns
    were a request and a round of their own). A change of an option loads the
    options as chosen. A refusal changes nothing.
    """
    source = validate.text(source, "The dataset", 200, optional=True)
    features = validate.strings(features, "The feature columns")
    label = validate.text(label, "The label column", 1_000, optional=True)
    try:
        columns = column_outputs(
            session_id, source, features, label, scaling, bool(_triggers() & NEW_CHOICE)
        )
    except InputError as error:
        return (*kept_outputs(error, validate.data_version(current)), *[no_update] * 5)
    _, features, _, label, scaling = columns
    loaded = load_selected(
        session_id,
        current,
        source,
        features,
        label,
        as_distances,
        scaling,
        missing,
        (n, noise, seed, blob_rows),
        table_version,
    )
    if loaded[0] is no_update:  # refused: the menus stay as they were, with the data
        return (*loaded, *[no_update] * 5)
    return (*loaded, *columns)


@callback(
    *loaded_props(duplicate=True),
    Input("generate", "n_clicks"),
    *[State(*control) for control in SOURCE_CONTROLS],
    *GENERATOR_STATE,
    prevent_initial_call=True,
)
def load_generated(generate_clicks, *choice):
    """Draw the chosen generator's data again with the settings of the generator panel.

    `choice`: the values of :data:`SOURCE_CONTROLS`, then of :data:`GENERATOR_STATE`.
    """
    (source, features, label, as_distances, scaling, missing, table_version, *generator) = choice
    *generator, current, session_id = generator
    return load_selected(
        session_id,
        current,
        source,
        features,
        label,
        as_distances,
        scaling,
        missing,
        tuple(generator),
        table_version,
    )


@callback(
    *loaded_props(duplicate=True),
    Input("use-sample", "n_clicks"),
    State("data-version", "data"),
    State("session-id", "data"),
    prevent_initial_call=True,
)
def load_sample(sample_clicks, current, session_id):
    """Cluster the random sample the server offered for the data the page shows.

    The sample is of the data loaded, so it keeps the choices that data was
    loaded from; the page's copy of the offer only says it was clicked.
    """
    current = validate.data_version(current)
    data_key = (current or {}).get("key")
    shared = store.get_store()
    try:
        loaded = shared.loaded_dataset(session_id, data_key)  # what the page shows
        offer = shared.session_value(session_id, "sample-offer")  # the server's own offer
        if not offer or loaded is None or offer.get("key") != data_key:
            raise InputError("No sample was offered for the data shown; it stays as it is.")
        dataset = random_sample(loaded, int(offer["rows"]), seed=SAMPLE_SEED)
        parent = shared.session_value(session_id, f"origin:{data_key}")
    except InputError as error:
        return kept_outputs(error, current)
    origin = parent and {
        **parent,
        "samples": [
            *parent.get("samples", []),
            {"rows": int(offer["rows"]), "seed": SAMPLE_SEED, "of": loaded.n_samples},
        ],
    }
    loaded_from = {name: current.get(name) for name in ("source", "settings", "table")}
    label = (parent or {}).get("label")
    return loaded_outputs(session_id, current, dataset, origin, loaded_from, label)


# In the browser (assets/answered_here.js, the same rules as show_source_options): no request.
# The layout shows the first dataset's (a preset's): only the choice of another changes them.
clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="sourceOptionStyles"),
    Output("upload-options", "style"),
    Output("generator-options", "style"),
    Output("gen-blobs-field", "style"),
    Output("gen-shape-fields", "style"),
    Input("dataset", "value"),
    prevent_initial_call=True,
)


def show_source_options(source):
    """Column choices for files, settings for generators; nothing for presets.

    The page answers this in the browser (``sourceOptionStyles``); this is the
    rule the layout's first styles are checked against.
    """
    shown, hidden = {}, {"display": "none"}
    is_file = source == UPLOAD or (isinstance(source, str) and source.startswith("bundled:"))
    is_generator = isinstance(source, str) and source.startswith("generate:")
    is_blobs = source == "generate:blobs"
    return (
        shown if is_file else hidden,
        shown if is_generator else hidden,
        shown if is_blobs else hidden,
        hidden if is_blobs else shown,
    )


@callback(
    Output("gen-blobs", "data"),
    Input("gen-add-blob", "n_clicks"),
    State("gen-blobs", "data"),
    prevent_initial_call=True,
)
def add_blob(n_clicks, rows):
    """A new blob row, offset from the last so it is visible at once."""
    rows = validate.list_of(rows, "The blobs", max_items=1_000, optional=True)
    rows = list(rows or [])
    last = rows[-1] if rows else {"mean x": 0, "mean y": 0}
    try:
        x, y = float(last["mean x"]) + 15, float(last["mean y"]) + 15
    except (TypeError, ValueError, KeyError):
        x, y = 0.0, 0.0
    return rows + [{"size": 50, "mean x": x, "mean y": y, "std x": 2, "std y": 2, "corr": 0}]
