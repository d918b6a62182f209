"""Sharing and reproducing a view: the tree as Newick, Z, the view as a Python script and a link.

Every export is built from the server's records: the clustering the page's
``cut`` names is read from the session (never a matrix the page sends), and
the script's recipe is rebuilt from the data controls and checked to give
exactly the dataset that clustering was computed on (with the samples the
server drew of it).

The link holds every setting of the view (IN_LINK lists each control, LEFT_OUT
the few left out and why; the page says so under Copy link). Colours are not a
setting: they are derived from the palette, the cut and the cuts shown before
it (hclust.cut.assign_colours keeps a cluster's colour as the cut moves), so the
link names them (``pal``) when a new page would colour the cut otherwise.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    no_update,
)
from dash.exceptions import PreventUpdate

from callbacks import validate
from callbacks.data import (
    SAMPLE_SEED,
    UPLOAD,
    active_table,
    build_from_source,
    generator_params,
)
from callbacks.errors import shows_errors
from callbacks.shown import edits_of, labels_for
from hclust.cut import PALETTE, assign_colours
from hclust.data import MIN_ROWS, PRESETS, random_sample
from hclust.datasets import BUNDLED
from hclust.errors import InputError
from hclust.export import linkage_csv, linkage_npy, newick, python_script
from hclust.lesson import N_STEPS
from hclust.linkage import METHODS, METRICS
from hclust.partition import MAX_EDITS, MERGE, SPLIT
from services import config, store
from services.store import dataset_id

NOT_THE_SHOWN_DATA = (
    "The data controls no longer describe the data on screen (a setting changed and is "
    "not applied yet); the script cannot reproduce this view."
)


def _file_recipe(table, source, features, label, as_distances, missing):
    """How the explorer read a file-like source, and the columns it used, by position."""
    columns = list(table.frame.columns)
    label = label if label in columns else None
    chosen = [c for c in (features or []) if c in columns and c != label]
    if as_distances:  # the matrix is every column but the label (distance_matrix_dataset)
        chosen = [c for c in columns if c != label]
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
        "format": table.format,
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
    samples = sample_steps(session_id, clustering.get("key"))
    if dataset_id(_sampled(rebuilt, samples)) != dataset_id(dataset):
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
        "cut": {
            **{key: cut.get(key) for key in ("criterion", "height", "t", "depth")},
            "k": cut.get("base_k", cut.get("k")),  # the cut's own k: the edits follow
            "edits": [list(edit) for edit in cut.get("edits") or ()],
        },
        "samples": samples,
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
    # one person's file (a zip is stamped with the time it was made): never a shared answer
    store.mark_answer_private()
    trigger = ctx.triggered_id
    if trigger not in ("export-newick", "export-linkage", "export-python"):
        raise PreventUpdate
    if not isinstance(cut, dict) or not isinstance(cut.get("clustering"), dict):
        raise InputError("Nothing is clustered yet; choose a dataset and a method.")
    cut = validate.cut(cut, optional=False)  # its edits enter the script: their form first
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


# --------------------------------------------------------------------------- the view in the address

# The address holds the view's settings, never its data: an upload is named by
# a random reference the server keeps (services.store.Store.link_table).
MAX_QUERY_CHARS = 8_000
MAX_NAME_CHARS = 200
TRUNCATIONS = ("auto", "none", "lastp", "level")
# Rounds of "set a control, wait for the page" a restore may take before it gives up.
MAX_RESTORE_STEPS = 12
# A restore checks the page every components.share.RESTORE_TICK_MS and gives up after this many checks
# (a large linkage runs as a job and may take minutes).
MAX_RESTORE_TICKS = 750
# A cut sent while the page was still redrawing can be overwritten by the page's default
# cut for the new drawing; cut settings (cheap to apply) are sent again after this many checks.
RESEND_TICKS = 10
CHEAP_TO_RESEND = frozenset(
    f"{c}.value"
    for c in ("cut-height", "n-clusters", "criterion", "criterion-t", "criterion-depth")
)
# A typed height or k reaches the cut by Enter (callbacks/cut.py reads the field's value
# on n_submit): a restore writes this with the value. Dash triggers on the prop written,
# whatever its count.
SUBMITTED = 1


def _source_values():
    from components.sources import dataset_options

    return {option["value"] for option in dataset_options()} | {UPLOAD}


def _whole(raw, name, low, high):
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"The link's '{name}' must be a whole number; got '{raw[:20]}'.") from None
    if not low <= value <= high:
        raise InputError(f"The link's '{name}' must be from {low:,} to {high:,}; got {value:,}.")
    return value


def _real(raw, name, low=-math.inf, high=math.inf):
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"The link's '{name}' must be a number; got '{raw[:20]}'.") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise InputError(f"The link's '{name}' must be a finite number from {low:g} to {high:g}.")
    return value


def _one_of(raw, name, allowed):
    if raw not in allowed:
        raise InputError(f"The link's '{name}' must be one of: {', '.join(map(str, allowed))}.")
    return raw


def _name(raw, name):
    if len(raw) > MAX_NAME_CHARS:
        raise InputError(f"The link's '{name}' is longer than {MAX_NAME_CHARS} characters.")
    return raw


def _blob_rows(raw):
    from hclust.generators import BLOB_COLUMNS, MAX_BLOBS

    rows = [row for row in raw.split(";") if row]
    if not 1 <= len(rows) <= MAX_BLOBS:
        raise InputError(f"The link's 'blobs' must list 1 to {MAX_BLOBS} blobs.")
    out = []
    for i, row in enumerate(rows):
        cells = row.split(",")
        if len(cells) != len(BLOB_COLUMNS):
            raise InputError(
                f"Blob {i + 1} of the link must have {len(BLOB_COLUMNS)} numbers "
                f"({', '.join(BLOB_COLUMNS)})."
            )
        values = [_real(cell, f"blobs ({i + 1})") for cell in cells]
        values[0] = int(_whole(cells[0], f"blobs ({i + 1}) size", 1, 100_000))
        out.append(dict(zip(BLOB_COLUMNS, values)))
    return out


def parse_view(search) -> dict:
    """The view a query string describes, every parameter validated.

    Returns
    -------
    dict
        Only the parameters present, by their control's meaning.

    Raises
    ------
    InputError
        Naming the first parameter that is malformed, unknown or out of range.
    """
    from hclust.cut import CRITERIA
    from hclust.linkage import METHODS, METRICS
    from hclust.preprocess import MISSING, SCALINGS

    if not isinstance(search, str) or len(search) > MAX_QUERY_CHARS:
        raise InputError(f"The link's settings are longer than {MAX_QUERY_CHARS:,} characters.")
    try:
        pairs = parse_qsl(search.lstrip("?"), keep_blank_values=True, strict_parsing=False)
    except ValueError:
        raise InputError("The link's settings cannot be read.") from None
    single = {
        "src": lambda v: _one_of(v, "src", sorted(_source_values())),
        "ref": lambda v: v if _REF.fullmatch(v) else _bad("ref", "is not a data reference"),
        "n": lambda v: _whole(v, "n", 2, 100_000),
        "noise": lambda v: _real(v, "noise", 0, 10),
        "seed": lambda v: _whole(v, "seed", 0, 2**32 - 1),
        "blobs": _blob_rows,
        "label": lambda v: _name(v, "label"),
        "dm": lambda v: _one_of(v, "dm", ("1",)) == "1",
        "scale": lambda v: _one_of(v, "scale", SCALINGS),
        "miss": lambda v: _one_of(v, "miss", MISSING),
        "method": lambda v: _one_of(v, "method", METHODS),
        "metric": lambda v: _one_of(v, "metric", METRICS),
        "olo": lambda v: _one_of(v, "olo", ("1",)) == "1",
        "trunc": lambda v: _one_of(v, "trunc", TRUNCATIONS),
        "p": lambda v: _whole(v, "p", 2, 2000),
        "crit": lambda v: _one_of(v, "crit", CRITERIA),
        "h": lambda v: _real(v, "h", 0),
        "k": lambda v: _whole(v, "k", 1, 200_000),
        "t": lambda v: _real(v, "t"),
        "depth": lambda v: _whole(v, "depth", 1, 100),
        "hl": _highlight,
        "edits": _edits,
        # the lesson's step and presentation mode (callbacks/lesson.py)
        "lesson": lambda v: _whole(v, "lesson", 1, N_STEPS),
        "present": lambda v: _one_of(v, "present", ("1",)) == "1",
        # the panels' settings (PANEL) and those set last (finishing_settings)
        **{setting.param: setting.parse for setting in PANEL},
        "sx": lambda v: _name(v, "sx"),
        "sy": lambda v: _name(v, "sy"),
        "step": lambda v: _whole(v, "step", 0, 400_000),
        "pal": _palette,
    }
    view, columns, samples = {}, [], []
    for key, raw in pairs:
        if key == "col":
            columns.append(_name(raw, "col"))
            if len(columns) > config.MAX_COLUMNS:
                raise InputError(f"The link names more than {config.MAX_COLUMNS:,} columns.")
        elif key == "sample":
            samples.append(_sample(raw))
            if len(samples) > MAX_SAMPLE_STEPS:
                raise InputError(f"The link names more than {MAX_SAMPLE_STEPS} samples.")
        elif key in single:
            if key in view:
                raise InputError(f"The link gives '{key}' twice.")
            view[key] = single[key](raw)
        else:
            raise InputError(f"The link has an unknown setting '{key[:30]}'.")
    if columns:
        view["col"] = columns
    if samples:
        view["sample"] = samples
    if view.get("src") == UPLOAD and "ref" not in view:
        raise InputError("The link names an upload without its data reference ('ref').")
    return view


_REF = re.compile(r"[0-9a-f]{32}")


def lesson_pairs(lesson, presenting) -> tuple:
    """The address's lesson step (while the lesson is open) and presentation flag."""
    pairs = []
    step = lesson.get("step") if isinstance(lesson, dict) and lesson.get("open") else None
    if isinstance(step, int) and 1 <= step <= N_STEPS:
        pairs.append(("lesson", step))
    if presenting:
        pairs.append(("present", "1"))
    return tuple(pairs)


def _bad(name, why):
    raise InputError(f"The link's '{name}' {why}.")


EDIT_CODES = {"s": SPLIT, "m": MERGE}


def _edits(raw):
    """``s290,m296``: the splits and merges of single clusters, in order, as ``[action, node]``.

    Whether each applies is the server's tree's to say (hclust.partition.replay, at
    the end of the restore).
    """
    entries = [entry for entry in raw.split(",") if entry]
    if len(entries) > MAX_EDITS:
        _bad("edits", f"lists more than {MAX_EDITS} splits and merges")
    edits = []
    for entry in entries:
        if entry[:1] not in EDIT_CODES:
            _bad("edits", f"must list s<node> (split) or m<node> (merge); got '{entry[:20]}'")
        edits.append([EDIT_CODES[entry[0]], _whole(entry[1:], "edits", 0, 400_000)])
    return edits


def edits_text(edits) -> str:
    """The address's text of a cut's edits (``[action, node]`` lists)."""
    codes = {action: code for code, action in EDIT_CODES.items()}
    return ",".join(f"{codes[action]}{int(node)}" for action, node in edits)


def _highlight(raw):
    kind, _, number = raw.partition(":")
    if kind not in ("node", "cluster"):
        _bad("hl", "must be node:<index> or cluster:<number>")
    return {kind: _whole(number, "hl", 0, 400_000)}


# --------------------------------------------------------------------------- what a link holds
#
# In the link (besides the data, method and cut above):
#   PANEL   settings of the panels, written only when they differ from the page's default
#           (so a plain view's link stays short) and restored to the default when absent;
#   sx, sy  the scatter's axes, when not the data's default axes;
#   step    the merges-step-by-step position (not while it plays: a play would write
#           an address per frame; the position it stops at is written);
#   pal     the colours: they are not a choice on the page but derived from the palette,
#           the cut, and the cuts shown before (a cluster keeps its colour as the cut
#           moves, hclust.cut.assign_colours), so two pages with the same cut can colour
#           it differently; the link names each cluster's palette colour when it differs
#           from what a new page would give, and the restore draws those colours;
#   sample  the random sample a person chose to work on (its rows and seed), after the
#           data it was drawn from; the restore loads that data and draws the same sample;
#   edits   the splits and merges of single clusters (s<node>, m<node>, in order) made
#           after the cut (whose own k the link gives as k); the restore replays them on
#           the server's tree once the cut is shown, and names one that does not apply.
# Deliberately NOT in the link (the page says so next to Copy link, LINK_LEAVES_OUT):
#   the branch shown in full (focus-branch: a zoom into one merge, left by double-click),
#   a lasso or box selection on the scatter (scatter-selection: a passing selection,
#   the highlight is kept), the "predict the next merge" exercise's answers and the
#   pins of merges step by step (merge-pins: set by the lesson, whose step is kept),
#   the play/pause state, the open/closed panels, the splits and merges undone (Redo's
#   history), and the data itself (an upload is named by a reference the server keeps
#   for SESSION_TTL_SECONDS).
# Buttons (download, exports, generate), the upload box and the link box hold no setting.
# IN_LINK and LEFT_OUT (below) name every control of the page, with its parameter or the
# reason it has none; a test keeps them complete.


@dataclass(frozen=True)
class Setting:
    """A panel's control the address carries as `param` when it is not `default`."""

    param: str
    component: str
    default: object
    choices: tuple | None = None  # the allowed values (a list value: a subset of them)
    bounds: tuple | None = None  # (low, high) of a number
    whole: bool = True
    multi: bool = False

    def parse(self, raw):
        if self.multi:
            values = [v for v in raw.split(",") if v]
            for v in values:
                _one_of(v, self.param, self.choices)
            return [v for v in self.choices if v in values]
        if self.choices is not None:
            return _one_of(raw, self.param, self.choices)
        if self.whole:
            return _whole(raw, self.param, *self.bounds)
        return _real(raw, self.param, *self.bounds)

    def text(self, value) -> str:
        if self.multi:
            return ",".join(v for v in self.choices if v in (value or []))
        return _text(value)

    def same(self, a, b) -> bool:
        if self.multi:
            return set(a or []) == set(b or [])
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return float(a) == float(b)
        return a == b


ORIENTATIONS = ("top", "bottom", "left", "right")
LEAF_LABEL_STYLES = ("9:-90", "12:-90", "9:-45", "12:0")
PANEL = (
    Setting("idepth", "inconsistency-depth", 5, bounds=(1, 50)),
    Setting("ilast", "inconsistency-last", 10, bounds=(1, 200)),
    Setting("maxk", "quality-max-k", 10, bounds=(3, 30)),
    Setting("orient", "orientation", "top", choices=ORIENTATIONS),
    Setting("leaves", "leaf-label-style", "9:-90", choices=LEAF_LABEL_STYLES),
    Setting("ann", "annotate-above", None, bounds=(0, math.inf), whole=False),
    Setting("flags", "dendrogram-flags", ["contracted"], ("contracted", "snap"), multi=True),
    Setting("zoom", "dendrogram-zoom", [], ("below",), multi=True),
    Setting("cgs", "clustergram-scale", "values", choices=("values", "zscore")),
    Setting("cgc", "clustergram-columns", "data", choices=("data", "clustered")),
    Setting("tmethod", "tanglegram-method", "average", choices=METHODS),
    Setting("tmetric", "tanglegram-metric", "euclidean", choices=METRICS),
)
# What the lesson sets itself when a link names its step (callbacks/lesson.py DIRECT and
# its step-through): a restore leaves these to it.
LESSON_SETS = frozenset({"inconsistency-depth", "annotate-above", "merge-step"})
MAX_SAMPLE_STEPS = 4


# Every control of the page, and the address parameter that holds what it sets ...
IN_LINK = {
    "dataset": "src (an upload: ref)",
    "feature-columns": "col",
    "label-column": "label",
    "as-distance-matrix": "dm",
    "gen-blobs": "blobs",
    "gen-n": "n",
    "gen-noise": "noise",
    "gen-seed": "seed",
    "use-sample": "sample",
    "scaling": "scale",
    "missing-values": "miss",
    "method": "method",
    "metric": "metric",
    "optimal-order": "olo",
    "truncate-mode": "trunc",
    "truncate-p": "p",
    "criterion": "crit",
    "cut-height": "h",
    "n-clusters": "k",
    "criterion-t": "t",
    "criterion-depth": "depth",
    "dendrogram": "h (the dragged line), hl (a clicked merge)",
    "elbow-graph": "k (a clicked k cuts there)",
    "quality-graph": "k (a clicked k cuts there)",
    "cluster-summary": "hl (a clicked cluster)",
    "clustergram": "hl (a clicked row)",
    "clear-highlight": "hl",
    "partition-split": "edits (s<node>, after the cut it started from: crit, h or k)",
    "partition-merge": "edits (m<node>, after the cut it started from: crit, h or k)",
    **{setting.component: setting.param for setting in PANEL},
    "scatter-x": "sx",
    "scatter-y": "sy",
    "merge-step": "step",
    "merge-back": "step",
    "merge-forward": "step",
    "merge-dendrogram": "step (a clicked merge)",
    "linkage-table": "step (a clicked row)",
    "lesson-open": "lesson",
    "lesson-next": "lesson",
    "lesson-back": "lesson",
    "lesson-close": "lesson (absent once closed)",
    "presentation-mode": "present",
}
# ... or why it is not in the link.
LEFT_OUT = {
    "upload-data": "the data itself never goes into a link; the upload is named by ref",
    "gen-add-blob": "a button: the blobs it adds are in the link",
    "generate": "a button: the generator settings it applies are in the link",
    "cancel-job": "stops a computation; sets nothing",
    "download-labels": "a download",
    "export-python": "a download",
    "export-newick": "a download",
    "export-linkage": "a download",
    "export-dendrogram-svg": "a download",
    "export-dendrogram-png": "a download",
    "export-scatter-svg": "a download",
    "export-scatter-png": "a download",
    "copy-link": "makes the link",
    "share-link": "shows the link",
    "lesson-link": "makes the lesson's link",
    "lesson-link-box": "shows the lesson's link",
    "focus-branch": "a branch shown in full is a zoom, left by a double-click, like plotly's zoom",
    "focus-reset": "leaves the branch zoom",
    "scatter": "a box or lasso selection is a passing selection (its highlight is kept)",
    "merge-play": "playing is a passing state; the step it stops at is kept",
    "merge-pin": "pinned merges annotate a walk through the merges (the lesson's come with it)",
    "merge-unpin": "pinned merges annotate a walk through the merges",
    "merge-predict": "the exercise's answers are the person's own",
    "merge-scatter": "the exercise's clicks are the person's own",
    "cophenetic-plot": "a plot to read; it sets nothing",
    "label-agreement-k": "a plot to read; it sets nothing",
    "cluster-profiles-graph": "a plot to read; it sets nothing",
    "cluster-profiles-table": "a table to read; it sets nothing",
    "tanglegram": "a plot to read; it sets nothing",
    "scaling-advice-apply": "a button: the scaling it sets is in the link",
    "partition-undo": "a button: the splits and merges left are in the link (edits); "
    "what was undone (the redo history) is not",
    "partition-redo": "a button: the splits and merges made are in the link (edits); "
    "what is still undone (the redo history) is not",
}

# Parameters no lesson step sets: moving through the lesson compares the rest.
PAGE_ONLY = frozenset({*(s.param for s in PANEL), "sx", "sy", "step", "pal"})


def panel_pairs(values: dict) -> list:
    """The address's pairs for the panels' settings that are not at their default.

    Parameters
    ----------
    values : dict
        ``{component id: value}`` of the :data:`PANEL` controls now.
    """
    return [
        (s.param, s.text(values.get(s.component)))
        for s in PANEL
        if values.get(s.component) is not None and not s.same(values[s.component], s.default)
    ]


def _palette(raw):
    entries = [e for e in raw.split(",") if e]
    if not 1 <= len(entries) <= len(PALETTE):
        _bad("pal", f"must name 1 to {len(PALETTE)} coloured clusters")
    colours = {}
    for entry in entries:
        node, _, colour = entry.partition(":")
        colours[str(_whole(node, "pal", 0, 400_000))] = _whole(colour, "pal", 0, len(PALETTE) - 1)
    if len(set(colours.values())) != len(colours):
        _bad("pal", "gives one colour to two clusters")
    return colours


def palette_text(nodes: dict) -> str:
    return ",".join(f"{node}:{nodes[node]}" for node in sorted(nodes, key=int))


def _sample(raw):
    rows, _, seed = raw.partition(":")
    return {
        "rows": _whole(rows, "sample", MIN_ROWS, 400_000),
        "seed": _whole(seed, "sample", 0, 2**32 - 1),
    }


def fresh_colours(result, labels) -> dict:
    """``{root node: palette index}`` a page that opens on this cut gives (no earlier cut)."""
    roots, _ = result.tree.partition_roots(labels)
    colours = assign_colours(result.tree, roots, None)
    return {str(int(n)): int(c) for n, c in zip(roots, colours) if c >= 0}


def drawn_colours(colour_map, clustering, result, labels) -> dict | None:
    """The colours the views drew for this cut (``colour-map``), or None when they drew another."""
    if not isinstance(colour_map, dict) or colour_map.get("clustering") != clustering:
        return None
    nodes = colour_map.get("nodes") or {}
    roots, _ = result.tree.partition_roots(labels)
    if set(nodes) != {str(int(n)) for n in roots}:
        return None
    return {str(n): int(c) for n, c in nodes.items() if int(c) >= 0}


def view_query(
    controls: dict,
    cut: dict | None,
    highlight,
    ref: str | None,
    extra: tuple = (),
    settings: tuple = (),
) -> str:
    """The query string (with '?') for the page's controls, its cut and highlight.

    `settings` pairs (the panels', the sample's, the colours': see
    :func:`address_settings`) follow the highlight; `extra` pairs (the lesson's
    step, presentation mode) go last.
    """
    source = controls.get("source")
    pairs = [("src", source)]
    if source == UPLOAD and ref:
        pairs.append(("ref", ref))
    if isinstance(source, str) and source.startswith("generate:"):
        pairs.append(("seed", controls.get("seed")))
        if source == "generate:blobs":
            rows = ";".join(
                ",".join(_text(row.get(c)) for c in BLOB_KEYS)
                for row in controls.get("blob_rows") or []
            )
            pairs.append(("blobs", rows))
        else:
            pairs.append(("n", controls.get("n")))
            if source != "generate:anisotropic":
                pairs.append(("noise", controls.get("noise")))
    if source == UPLOAD or (isinstance(source, str) and source.startswith("bundled:")):
        pairs += [("col", c) for c in controls.get("features") or []]
        if controls.get("label"):
            pairs.append(("label", controls["label"]))
        if controls.get("as_distances"):
            pairs.append(("dm", "1"))
    pairs += [
        ("scale", controls.get("scaling")),
        ("miss", controls.get("missing")),
        ("method", controls.get("method")),
        ("metric", controls.get("metric")),
    ]
    if controls.get("optimal_order"):
        pairs.append(("olo", "1"))
    pairs += [("trunc", controls.get("truncate_mode")), ("p", controls.get("p"))]
    if isinstance(cut, dict) and cut.get("criterion"):
        pairs.append(("crit", cut["criterion"]))
        if cut["criterion"] == "distance" and cut.get("height") is not None:
            pairs.append(("h", cut["height"]))
        k = cut.get("base_k", cut.get("k"))  # the cut's own k; its edits follow
        if cut["criterion"] in ("maxclust", "maxclust_monocrit") and k is not None:
            pairs.append(("k", k))
        if cut["criterion"] not in ("distance", "maxclust"):
            pairs += [("t", cut.get("t")), ("depth", cut.get("depth"))]
        if cut.get("edits"):
            pairs.append(("edits", edits_text(cut["edits"])))
    if isinstance(highlight, dict):
        for kind in ("node", "cluster"):
            if isinstance(highlight.get(kind), int):
                pairs.append(("hl", f"{kind}:{highlight[kind]}"))
    pairs += list(settings)
    pairs += list(extra)
    return "?" + urlencode([(key, _text(value)) for key, value in pairs if value is not None])


BLOB_KEYS = ("size", "mean x", "mean y", "std x", "std y", "corr")


def _text(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return "" if value is None else str(value)


def upload_reference(session_id) -> str:
    """The link reference of the session's uploaded table, made on first use."""
    shared = store.get_store()
    reference = shared.session_value(session_id, "link-ref")
    if reference is None or shared.linked_table(reference) is None:
        table = shared.session_value(session_id, "table")
        if table is None:
            raise InputError("The uploaded file is no longer on the server; upload it again.")
        reference = shared.link_table(table)
        shared.put_session_value(session_id, "link-ref", reference)
    return reference


CONTROL_STATES = (
    ("source", "dataset", "value"),
    ("features", "feature-columns", "value"),
    ("label", "label-column", "value"),
    ("as_distances", "as-distance-matrix", "value"),
    ("scaling", "scaling", "value"),
    ("missing", "missing-values", "value"),
    ("n", "gen-n", "value"),
    ("noise", "gen-noise", "value"),
    ("seed", "gen-seed", "value"),
    ("blob_rows", "gen-blobs", "data"),
    ("method", "method", "value"),
    ("metric", "metric", "value"),
    ("optimal_order", "optimal-order", "value"),
    ("truncate_mode", "truncate-mode", "value"),
    ("p", "truncate-p", "value"),
)


def _controls(values):
    controls = dict(zip([name for name, _, _ in CONTROL_STATES], values))
    controls["as_distances"] = bool(controls["as_distances"])
    controls["optimal_order"] = bool(controls["optimal_order"])
    return controls


def _generator_tuple(controls):
    return (controls["n"], controls["noise"], controls["seed"], controls["blob_rows"])


def sample_steps(session_id, key) -> list:
    """The samples (rows, seed) that made the data `key` from the data the controls name.

    Read from the server's record of how the session made that data (the
    ``origin:`` entry callbacks/data.py keeps), never from the page.
    """
    origin = store.get_store().session_value(session_id, f"origin:{key}")
    steps = origin.get("samples", []) if isinstance(origin, dict) else []
    return [{"rows": int(step["rows"]), "seed": int(step["seed"])} for step in steps]


def _sampled(dataset, steps):
    for step in steps:
        dataset = random_sample(dataset, step["rows"], seed=step["seed"])
    return dataset


def _shows_generated(session_id, controls, cut, steps=()):
    """Whether the generator settings on the page made the data on screen.

    They are read only when Generate is pressed, so typed settings may not
    be the shown data's; the server rebuilds the data to check, once per key.
    """
    source = controls["source"]
    if not (isinstance(source, str) and source.startswith("generate:")):
        return True
    key = cut["clustering"].get("key")
    checked = (key, repr(_generator_tuple(controls)), controls["scaling"])
    shared = store.get_store()
    if shared.session_value(session_id, "address-checked") == checked:
        return True
    try:
        rebuilt = build_from_source(
            session_id,
            source,
            controls["scaling"] or "none",
            "drop",
            None,
            None,
            False,
            _generator_tuple(controls),
        )
        rebuilt = _sampled(rebuilt, steps)
    except InputError:
        return False
    if dataset_id(rebuilt) != key:
        return False
    shared.put_session_value(session_id, "address-checked", checked)
    return True


def address_settings(session_id, cut, colour_map, panel, axes, step, playing, lesson_open):
    """The address's pairs beyond the data, method and cut: panels, axes, step, colours, sample.

    Returns None while the views have not drawn this cut yet (their colour
    map names another): the address waits for the drawing, so a cut is one
    history entry, written with its colours.
    """
    clustering = cut["clustering"]
    dataset, result = store.get_store().result_for(session_id, clustering)
    labels = labels_for(result, cut)
    drawn = drawn_colours(colour_map, clustering, result, labels)
    if drawn is None:
        return None
    pairs = [
        ("sample", f"{s['rows']}:{s['seed']}") for s in sample_steps(session_id, clustering["key"])
    ]
    pairs += panel_pairs(panel)
    from callbacks.data import axis_options

    _, default_axes = axis_options(dataset)
    for param, chosen, default in zip(("sx", "sy"), axes, default_axes):
        if isinstance(chosen, str) and chosen != default:
            pairs.append((param, chosen))
    if isinstance(step, int) and step > 0 and not playing and not lesson_open:
        pairs.append(("step", step))
    if drawn != fresh_colours(result, labels):
        pairs.append(("pal", palette_text(drawn)))
    return tuple(pairs)


@callback(
    Output("url", "search"),
    Output("view-query", "data"),
    Input("colour-map", "data"),
    *[Input(setting.component, "value") for setting in PANEL],
    Input("scatter-x", "value"),
    Input("scatter-y", "value"),
    Input("merge-step", "value"),
    State("cut", "data"),
    State("highlight", "data"),
    *[State(component, prop) for _, component, prop in CONTROL_STATES],
    # an Input: a pause (in the browser, assets/merge_play.js) writes the step it stopped at
    Input("merge-timer", "disabled"),
    State("share-pending", "data"),
    State("url", "search"),
    State("view-query", "data"),
    # an Input: a page's first view comes in its layout (callbacks/first_view.py), so the
    # address is first written once the page has read the one it was opened with
    Input("address-at-load", "data"),
    State("lesson-state", "data"),
    State("presentation-mode", "value"),
    State("session-id", "data"),
    prevent_initial_call=True,
)
@shows_errors(outputs=2, status="share-status")
def update_address(colour_map, *values):
    """Write the shown view into the address (a history entry per change).

    Triggered by the views' drawing (``colour-map``, written each time they
    draw a cut, a highlight or a truncation), by the settings that draw
    nothing there, and once as the page starts. Not while a link is being restored, nor before the link
    the page was opened with has been read.
    """
    panel = dict(zip([s.component for s in PANEL], values[: len(PANEL)]))
    x_axis, y_axis, step, cut, highlight, *rest = values[len(PANEL) :]
    *control_values, paused, pending, search, shown, at_load, lesson, presenting, session_id = rest
    if pending or (shown is None and at_load):
        raise PreventUpdate
    if paused is False and ctx.triggered_id == "merge-step":
        raise PreventUpdate  # playing: the step it stops at is written then
    if shown is not None and search not in (None, "", "?") and search != shown:
        # the address was changed by another (a lesson step, Back): the restore it starts
        # decides; writing now would overwrite it and drop that restore (plotly/dash#1861)
        raise PreventUpdate
    if not isinstance(cut, dict) or not isinstance(cut.get("clustering"), dict):
        raise PreventUpdate
    controls = _controls(control_values)
    clustering = cut["clustering"]
    steps = sample_steps(session_id, clustering.get("key"))
    if (clustering.get("method"), clustering.get("metric")) != (
        controls["method"],
        controls["metric"],
    ) or not _shows_generated(session_id, controls, cut, steps):
        raise PreventUpdate  # the controls are ahead of the plots; the next drawing is written
    lesson_open = isinstance(lesson, dict) and bool(lesson.get("open"))
    settings = address_settings(
        session_id,
        cut,
        colour_map,
        panel,
        (x_axis, y_axis),
        step,
        paused is False,
        lesson_open,
    )
    if settings is None:
        raise PreventUpdate  # the views are drawing this cut; their colour map comes next
    reference = upload_reference(session_id) if controls["source"] == UPLOAD else None
    query = view_query(
        controls, cut, highlight, reference, lesson_pairs(lesson, presenting), settings
    )
    if query == search:
        raise PreventUpdate
    return query, query


# What a restore sets, and which of those other callbacks also set.
RESTORED = (
    ("dataset", "value"),
    ("dataset", "options"),
    ("table-version", "data"),
    ("gen-n", "value"),
    ("gen-noise", "value"),
    ("gen-seed", "value"),
    ("gen-blobs", "data"),
    ("generate", "n_clicks"),
)


@callback(
    Output("share-pending", "data"),
    Output("share-status", "children"),
    Output("share-tick", "disabled"),
    Output("view-query", "data", allow_duplicate=True),
    *[Output(component, prop, allow_duplicate=True) for component, prop in RESTORED],
    Input("address-change", "data"),
    Input("address-at-load", "data"),
    State("view-query", "data"),
    State("generate", "n_clicks"),
    State("session-id", "data"),
    prevent_initial_call="initial_duplicate",
)
def begin_restore(search, at_load, shown, generate_clicks, session_id):
    """A link opened, a reload or back/forward: load the data the address names.

    The rest of the view (columns, method, cut, highlight) follows in
    :func:`continue_restore` as the page catches up.
    """
    unchanged = (no_update,) * len(RESTORED)
    if "address-at-load.data" in ctx.triggered_prop_ids:
        if shown is not None:
            raise PreventUpdate  # read once, as the page starts
        search = at_load
    elif search in (None, "", "?", shown):
        raise PreventUpdate
    if not search or search == "?":
        return None, no_update, True, "", *unchanged  # a plain address: the page's own view
    try:
        view = parse_view(search)
    except InputError as error:
        message = f"⚠ {error} The page shows its own view instead."
        return None, message, True, search, *unchanged
    outputs = dict.fromkeys(RESTORED, no_update)
    source = view.get("src")
    if source == UPLOAD:
        try:
            shared = store.get_store()
            table = shared.linked_table(view["ref"])
            if table is None:
                return (
                    None,
                    "⚠ The data of this link has expired: the server no longer keeps the uploaded "
                    "file. Upload it again (drop it on the upload box); the settings stay in the "
                    "address.",
                    True,
                    search,
                    *unchanged,
                )
            shared.put_session_value(session_id, "table", table)
            shared.put_session_value(session_id, "link-ref", view["ref"])
        except InputError as error:
            return None, f"⚠ {error}", True, search, *unchanged
        from components.sources import dataset_options

        outputs[("dataset", "options")] = dataset_options(True, table.filename)
        outputs[("table-version", "data")] = {"file": table.filename, "rows": len(table.frame)}
    if source is not None:
        outputs[("dataset", "value")] = source
    for key, component in (("n", "gen-n"), ("noise", "gen-noise"), ("seed", "gen-seed")):
        if key in view:
            outputs[(component, "value")] = view[key]
    if "blobs" in view:
        outputs[("gen-blobs", "data")] = view["blobs"]
    if isinstance(source, str) and source.startswith("generate:"):
        outputs[("generate", "n_clicks")] = (generate_clicks or 0) + 1  # same source, new settings
    pending = {"view": view, "step": 0}
    return pending, "Opening the view of this link…", False, search, *outputs.values()


CONVERGED = (
    ("feature-columns", "value"),
    ("label-column", "value"),
    ("as-distance-matrix", "value"),
    ("scaling", "value"),
    ("missing-values", "value"),
    ("method", "value"),
    ("metric", "value"),
    ("optimal-order", "value"),
    ("truncate-mode", "value"),
    ("truncate-p", "value"),
    ("criterion", "value"),
    ("criterion-t", "value"),
    ("criterion-depth", "value"),
    ("cut-height", "value"),
    ("n-clusters", "value"),
    ("highlight", "data"),
)


def restore_step(
    view, controls, feature_options, data_version, cut, expected_key, n, sample_keys=()
):
    """The next controls to set so the page shows `view`, or None when it does.

    Parameters
    ----------
    view : dict
        From :func:`parse_view`.
    controls : dict
        The page's controls now.
    feature_options : list
        The feature dropdown's options (empty until a file's columns are known).
    data_version, cut : dict or None
        What the page shows now.
    expected_key : str
        The id of the dataset the view's data settings build (from the server).
    n : int or None
        Samples of that dataset, from the server's record.
    sample_keys : sequence of str
        When the link names samples: the ids of the data each is drawn from.

    Returns
    -------
    dict or str or None
        ``{(component, prop): value}`` to set; ``{"sample": i}`` to draw the
        link's i-th sample of the data on screen; ``"wait"`` until the page
        catches up; None when the view's data, method and cut are shown (the
        panels' settings, colours and highlight follow in
        :func:`finishing_settings`).
    """
    from hclust.cut import HORIZONTAL_CRITERIA

    changes = {}
    source = view.get("src", controls["source"])
    is_file = source == UPLOAD or source.startswith("bundled:")

    def want(key, component, current, wanted):
        if key in view and current != wanted:
            changes[(component, "value")] = wanted

    if is_file and feature_options:
        known = {option["value"] for option in feature_options}
        if "col" in view and list(controls["features"] or []) != view["col"]:
            changes[("feature-columns", "value")] = [c for c in view["col"] if c in known]
        want("label", "label-column", controls["label"], view.get("label"))
        if controls["as_distances"] != bool(view.get("dm")):
            changes[("as-distance-matrix", "value")] = ["yes"] if view.get("dm") else []
    want("scale", "scaling", controls["scaling"], view.get("scale"))
    want("miss", "missing-values", controls["missing"], view.get("miss"))
    if changes:
        return changes
    shown_key = (data_version or {}).get("key")
    if shown_key != expected_key:
        if shown_key in (sample_keys or ()):
            return {"sample": list(sample_keys).index(shown_key)}  # the link's next sample
        return "wait"
    # the method only once the data is the link's: one clustering request, not two racing
    want("method", "method", controls["method"], view.get("method"))
    want("metric", "metric", controls["metric"], view.get("metric"))
    if controls["optimal_order"] != bool(view.get("olo")):
        changes[("optimal-order", "value")] = ["on"] if view.get("olo") else []
    want("trunc", "truncate-mode", controls["truncate_mode"], view.get("trunc"))
    want("p", "truncate-p", controls["p"], view.get("p"))
    if changes:
        return changes
    clustering = (cut or {}).get("clustering") or {}
    if (
        clustering.get("key") != expected_key
        or clustering.get("method") != controls["method"]
        or clustering.get("metric") != controls["metric"]
        or bool(clustering.get("optimal_order")) != controls["optimal_order"]
    ):
        return "wait"
    criterion = view.get("crit")
    if criterion:
        parameters = criterion not in HORIZONTAL_CRITERIA and (
            ("t" in view and cut.get("t") != view["t"])
            or ("depth" in view and cut.get("depth") != view["depth"])
        )
        if cut.get("criterion") != criterion or parameters:
            changes[("criterion", "value")] = criterion
            if "t" in view:
                changes[("criterion-t", "value")] = view["t"]
            if "depth" in view:
                changes[("criterion-depth", "value")] = view["depth"]
            return changes
        if criterion == "distance" and "h" in view and cut.get("height") != view["h"]:
            return {("cut-height", "value"): view["h"]}
        if criterion in ("maxclust", "maxclust_monocrit") and "k" in view:
            if cut.get("base_k", cut.get("k")) != view["k"]:
                return {("n-clusters", "value"): view["k"]}
    return None


def _linked_highlight(view, n):
    highlight = view.get("hl")
    if highlight and n is not None:
        node, cluster = highlight.get("node"), highlight.get("cluster")
        if (node is not None and n <= node <= 2 * n - 2) or (
            cluster is not None and 1 <= cluster <= n
        ):
            return highlight
    return None


def _linked_edits(view, cut, session_id, out):
    """The cut with the link's splits and merges; what to write for it goes into `out`."""
    from callbacks.partition import edited_cut, result_of

    wanted = view.get("edits", [])
    if [list(edit) for edit in cut.get("edits") or ()] == wanted:
        return cut
    result = result_of(cut, session_id)
    try:
        edited, status, k = edited_cut(result, cut, edits_of({"edits": wanted}), [])
    except InputError as error:
        out[("share-status", "children")] = (
            f"⚠ The link's splits and merges do not apply to this tree: {error} "
            "The page shows the cut they started from."
        )
        if not cut.get("edits"):
            return cut
        edited, status, k = edited_cut(result, cut, [], [])
    out[("cut", "data")] = edited
    out[("cut-status", "children")] = status
    out[("n-clusters", "value")] = k  # as an edit button writes it: the field echoes the cut
    return edited


def finishing_settings(view, now: dict, cut, session_id) -> dict:
    """The last settings of a restore, once its data, method and cut are shown.

    Parameters
    ----------
    view : dict
        From :func:`parse_view`.
    now : dict
        ``{(component, prop): value}`` of :data:`FINISHING` on the page now.
    cut : dict
        The cut shown (the link's).
    session_id : str

    Returns
    -------
    dict
        ``{(component, prop): value}`` for what differs: the cut store with the
        link's splits and merges replayed on the server's tree (none where the
        link has none; one that does not apply is named under
        ``("share-status", "children")`` and the cut they started from is shown),
        the panels' settings (their defaults where the link has none), the
        scatter's axes, the merge step, the highlight, and the colours (the
        link's, else those a new page gives this cut) with a redraw in them.
    """
    from callbacks.data import axis_options
    from callbacks.shown import cluster_colours

    out = {}
    lesson_sets = LESSON_SETS if "lesson" in view else frozenset()
    for setting in PANEL:
        wanted = view.get(setting.param, setting.default)
        if setting.component not in lesson_sets and not setting.same(
            now.get((setting.component, "value")), wanted
        ):
            out[(setting.component, "value")] = wanted
    cut = _linked_edits(view, cut, session_id, out)
    clustering = cut["clustering"]
    dataset, result = store.get_store().result_for(session_id, clustering)
    options, defaults = axis_options(dataset)
    allowed = {option["value"] for option in options}
    for param, component, default in zip(("sx", "sy"), ("scatter-x", "scatter-y"), defaults):
        wanted = view.get(param, default)
        if wanted in allowed and now.get((component, "value")) != wanted:
            out[(component, "value")] = wanted
    if "merge-step" not in lesson_sets:
        wanted = min(view.get("step", 0), max(len(result.Z) - 1, 0))
        if now.get(("merge-step", "value")) != wanted:
            out[("merge-step", "value")] = wanted
    highlight = _linked_highlight(view, dataset.n_samples)
    labels = labels_for(result, cut)
    wanted = view.get("pal") or fresh_colours(result, labels)
    if drawn_colours(now.get(("colour-map", "data")), clustering, result, labels) != wanted:
        # the views draw with the colour map they find (as `previous`): give them the
        # link's, and the highlight (theirs to follow) to make them draw again
        label_colours, node_colours = cluster_colours(result, labels, wanted)
        spans = {
            node: [int(result.tree.start[int(node)]), int(result.tree.size[int(node)])]
            for node in node_colours
        }
        out[("colour-map", "data")] = {
            "clustering": clustering,
            "nodes": node_colours,
            "spans": spans,
            "labels": {str(k): v for k, v in label_colours.items()},
        }
        out[("highlight", "data")] = highlight
    elif highlight != now.get(("highlight", "data")):
        out[("highlight", "data")] = highlight
    return out


# What the last step of a restore sets (finishing_settings), read from the page too.
FINISHING = (
    *[(setting.component, "value") for setting in PANEL],
    ("scatter-x", "value"),
    ("scatter-y", "value"),
    ("merge-step", "value"),
    ("colour-map", "data"),
)


# Outputs of a restore's steps: CONVERGED first (tests index them), then these.
RESTORE_OUTPUTS = (
    *CONVERGED,
    *[target for target in FINISHING if target not in CONVERGED],
    ("use-sample", "n_clicks"),
    ("cut", "data"),  # the link's splits and merges (finishing_settings)
    ("cut-status", "children"),
    ("cut-height", "n_submit"),  # the link's height or k, as Enter in its field
    ("n-clusters", "n_submit"),
)
# Read from the page after the session id (FINISHING, the highlight, the sample button).
LATE_STATES = (*FINISHING, ("highlight", "data"), ("use-sample", "n_clicks"))


@callback(
    Output("share-pending", "data", allow_duplicate=True),
    Output("share-status", "children", allow_duplicate=True),
    Output("share-tick", "disabled", allow_duplicate=True),
    *[Output(component, prop, allow_duplicate=True) for component, prop in RESTORE_OUTPUTS],
    Input("share-tick", "n_intervals"),
    State("share-pending", "data"),
    State("data-version", "data"),
    State("cut", "data"),
    *[State(component, prop) for _, component, prop in CONTROL_STATES],
    State("feature-columns", "options"),
    State("session-id", "data"),
    *[State(component, prop) for component, prop in LATE_STATES],
    prevent_initial_call=True,
)
def continue_restore(tick, pending, data_version, cut, *states):
    """Set the view's controls in order, each once the page has caught up with the last.

    Driven by a timer that runs only during a restore: the page's answers
    (data-version, cut) are read, not listened to, since this callback sets
    the very inputs that produce them.
    """
    early = len(CONTROL_STATES) + 2
    *values, feature_options, session_id = states[:early]
    late = dict(zip(LATE_STATES, states[early:]))  # absent ones (a test's short call): None
    if not isinstance(pending, dict) or not isinstance(pending.get("view"), dict):
        return None, no_update, True, *[no_update] * len(RESTORE_OUTPUTS)
    unchanged = [no_update] * len(RESTORE_OUTPUTS)
    view, step = pending["view"], int(pending.get("step", 0))
    ticks = int(pending.get("ticks", 0)) + 1
    if step > MAX_RESTORE_STEPS or ticks > MAX_RESTORE_TICKS:
        message = "⚠ The page could not show every setting of this link; check the controls."
        return None, message, True, *unchanged
    pending = {**pending, "ticks": ticks}
    controls = _controls(values)
    try:
        if pending.get("key") is None:
            # the dataset the link's data settings build, decided by the server once
            dataset = build_from_source(
                session_id,
                view.get("src", controls["source"]),
                view.get("scale", controls["scaling"]) or "none",
                view.get("miss", controls["missing"]) or "drop",
                view.get("col"),
                view.get("label"),
                bool(view.get("dm")),
                (view.get("n"), view.get("noise"), view.get("seed"), view.get("blobs")),
            )
            # a sampled view: the data it was drawn from, then each sample (same rows, seed)
            keys = []
            for sample in view.get("sample", []):
                if sample["seed"] != SAMPLE_SEED:
                    raise InputError(
                        f"The link's sample was drawn with seed {sample['seed']}; this server "
                        f"draws its samples with seed {SAMPLE_SEED}."
                    )
                keys.append(dataset_id(dataset))
                dataset = random_sample(dataset, sample["rows"], seed=sample["seed"])
            pending = {
                **pending,
                "key": dataset_id(dataset),
                "n": dataset.n_samples,
                "sample_keys": keys,
            }
        step_to = restore_step(
            view,
            controls,
            feature_options,
            data_version,
            cut,
            pending["key"],
            pending["n"],
            pending.get("sample_keys", ()),
        )
        if step_to is None:
            step_to = {**finishing_settings(view, late, cut, session_id), "final": True}
        elif isinstance(step_to, dict):
            for field in ("cut-height", "n-clusters"):
                if (field, "value") in step_to:
                    step_to[(field, "n_submit")] = SUBMITTED
        if isinstance(step_to, dict) and ("n-clusters", "n_submit") in step_to and cut.get("edits"):
            # the link's k is a new cut of the tree: the page's own edits are taken back
            from callbacks.partition import edited_cut, result_of

            plain, status, _ = edited_cut(result_of(cut, session_id), cut, [], [])
            step_to.update({("cut", "data"): plain, ("cut-status", "children"): status})
    except InputError as error:
        return None, f"⚠ {error}", True, *unchanged
    if step_to == "wait":
        return pending, no_update, no_update, *unchanged
    if "sample" in step_to:
        return _take_sample(pending, step_to["sample"], view, late, ticks, session_id)
    final = step_to.pop("final", False)
    refused = step_to.pop(("share-status", "children"), "")
    outputs = [step_to.get(target, no_update) for target in RESTORE_OUTPUTS]
    if final:
        return None, refused, True, *outputs
    # the Enter that goes with a height or k is sent, and resent, with it
    sent = {f"{c}.{p}": v for (c, p), v in step_to.items() if p != "n_submit"}
    if sent == pending.get("sent") and not (
        set(sent) <= CHEAP_TO_RESEND and ticks - pending.get("sent_at", 0) >= RESEND_TICKS
    ):  # sent on an earlier tick; its answer has not come yet
        return pending, no_update, no_update, *unchanged
    return (
        {**pending, "step": step + 1, "sent": sent, "sent_at": ticks},
        no_update,
        no_update,
        *outputs,
    )


def _take_sample(pending, i, view, late, ticks, session_id):
    """Offer the link's i-th sample of the data on screen and press "use the sample" for it.

    The offer is put where the page's own offer lives (the server's copy,
    which load_sample reads); pressed again only if nothing came of it
    after a while (the press may meet a clustering that replaced the offer).
    """
    keys = pending["sample_keys"]
    unchanged = [no_update] * len(RESTORE_OUTPUTS)
    sent = {"sample": i, "of": keys[i]}
    if pending.get("sent") == sent and ticks - pending.get("sent_at", 0) < 3 * RESEND_TICKS:
        return pending, no_update, no_update, *unchanged
    shared = store.get_store()
    loaded = shared.loaded_dataset(session_id, keys[i])
    if loaded is None:
        return pending, no_update, no_update, *unchanged
    rows = view["sample"][i]["rows"]
    shared.put_session_value(
        session_id, "sample-offer", {"rows": rows, "of": loaded.n_samples, "key": keys[i]}
    )
    outputs = list(unchanged)
    outputs[RESTORE_OUTPUTS.index(("use-sample", "n_clicks"))] = (
        late.get(("use-sample", "n_clicks")) or 0
    ) + 1
    step = int(pending.get("step", 0)) + 1
    return {**pending, "step": step, "sent": sent, "sent_at": ticks}, no_update, no_update, *outputs


# The address changed by another than the page (Back, Forward, a lesson step): the page's own
# writes (update_address) are told apart in the browser, so they cost no request.
clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="addressChange"),
    Output("address-change", "data"),
    Input("url", "search"),
    State("view-query", "data"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="addressAtLoad"),
    Output("address-at-load", "data"),
    Input("session-id", "data"),
)

clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="copyViewLink"),
    Output("share-link", "value"),
    Output("share-link", "style"),
    Input("copy-link", "n_clicks"),
    prevent_initial_call=True,
)
