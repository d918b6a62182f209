"""The tree and the analysis in forms other programs read: Newick, Z, a Python script.

Everything here is a pure function of its arguments. Text a person typed
(file and column names, labels) only enters the script as Python literals
written by :func:`repr`, so it can never become code.
"""

from __future__ import annotations

import io
import re

import numpy as np

from .data import PRESETS
from .errors import InputError

# Characters that force a Newick label into single quotes (the spec's
# punctuation, blanks, and the underscore, which unquoted stands for a blank).
_NEWICK_SPECIAL = re.compile(r"[\s()\[\]':;,_]")


def newick_label(name) -> str:
    """`name` as a Newick label, quoted and escaped when the spec requires it.

    Parameters
    ----------
    name : object
        Turned into text with :class:`str`.

    Returns
    -------
    str
        The bare name when it holds no special character, else the name in
        single quotes with every single quote doubled.
    """
    text = str(name)
    if text and not _NEWICK_SPECIAL.search(text):
        return text
    return "'" + text.replace("'", "''") + "'"


def newick(Z: np.ndarray, leaf_names=None) -> str:
    """The tree of linkage `Z` in Newick format, ending with ``;``.

    Parameters
    ----------
    Z : ndarray of shape (n - 1, 4)
        A scipy linkage matrix.
    leaf_names : sequence, optional
        One name per observation (the label column); ``0 .. n-1`` by default.

    Returns
    -------
    str
        Children in Z's order (``idx1`` then ``idx2``). The branch above a
        node is its parent's merge height minus its own (0 for a leaf), so the
        distance from the root to every leaf is the root's height. Methods with
        inversions (centroid, median) can give negative lengths, as in Z.
    """
    Z = np.asarray(Z, dtype=float)
    n = Z.shape[0] + 1
    names = [str(i) for i in range(n)] if leaf_names is None else [str(x) for x in leaf_names]
    if len(names) != n:
        raise ValueError(f"{len(names)} leaf names for a tree of {n} leaves")
    heights = np.concatenate([np.zeros(n), Z[:, 2]])
    text = [newick_label(name) for name in names] + [""] * (n - 1)
    # Z's rows only refer to earlier rows, so building in row order needs no recursion.
    for row, (a, b, height, _) in enumerate(Z):
        parts = [f"{text[int(c)]}:{float(height - heights[int(c)])!r}" for c in (a, b)]
        text[n + row] = "(" + ",".join(parts) + ")"
        text[int(a)] = text[int(b)] = ""  # free memory as we go
    return (text[2 * n - 2] if n > 1 else text[0]) + ";"


def linkage_csv(Z: np.ndarray) -> str:
    """Z as CSV with a header, every height written to full precision (``repr``)."""
    Z = np.asarray(Z, dtype=float)
    lines = ["idx1,idx2,distance,count"]
    lines += [f"{int(a)},{int(b)},{float(d)!r},{int(c)}" for a, b, d, c in Z]
    return "\n".join(lines) + "\n"


def linkage_npy(Z: np.ndarray) -> bytes:
    """Z as the bytes of a ``.npy`` file (float64, as scipy returns it)."""
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(Z, dtype=np.float64), allow_pickle=False)
    return buffer.getvalue()


# --------------------------------------------------------------------------- the script

_HEADER = '''\
"""Reproduces a view of the hierarchical clustering explorer.

Made by its "Export as Python" button. Needs numpy, scipy and pandas{needs}.
Run:  python {script_name}{file_arg}
Writes clusters.csv (one row per sample kept, its cluster as scipy's fcluster
numbers them) and prints the cophenetic correlation and the number of clusters k.
"""

import sys

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import cophenet, fcluster, inconsistent, linkage, maxRstat
from scipy.cluster.hierarchy import leaves_list, optimal_leaf_ordering
from scipy.spatial.distance import pdist

'''

_PRESET = {
    "tutorial-2-blobs": '''
def load_data():
    """The tutorial's X: np.random.seed(4711), two multivariate normal blobs."""
    rng = np.random.RandomState(4711)
    a = rng.multivariate_normal([10, 0], [[3, 1], [1, 4]], size=[100])
    b = rng.multivariate_normal([0, 20], [[3, 1], [1, 4]], size=[50])
    return np.concatenate((a, b)), ["x", "y"], None
''',
    "tutorial-5-blobs": '''
def load_data():
    """The tutorial's X2: X then three more blobs from the same stream (seed 4711)."""
    rng = np.random.RandomState(4711)
    a = rng.multivariate_normal([10, 0], [[3, 1], [1, 4]], size=[100])
    b = rng.multivariate_normal([0, 20], [[3, 1], [1, 4]], size=[50])
    c = rng.multivariate_normal([40, 40], [[20, 1], [1, 30]], size=[200])
    d = rng.multivariate_normal([80, 80], [[30, 1], [1, 30]], size=[200])
    e = rng.multivariate_normal([0, 100], [[100, 1], [1, 100]], size=[200])
    return np.concatenate((a, b, c, d, e)), ["x", "y"], None
''',
    "three-squares": '''
def load_data():
    """Three groups of 30 points in unit squares, whitened (scipy.cluster.vq.whiten)."""
    from scipy.cluster.vq import whiten

    rng = np.random.RandomState(0)
    data = np.vstack((rng.rand(30, 2) + 1, rng.rand(30, 2) + 2.5, rng.rand(30, 2) + 4))
    return whiten(data), ["x", "y"], None
''',
}

_GENERATOR = {
    "blobs": '''
SPECS = {specs!r}
SEED = {seed!r}


def load_data():
    """Gaussian blobs drawn in order from np.random.RandomState(SEED)."""
    rng = np.random.RandomState(SEED)
    parts = []
    for s in SPECS:
        c = s["corr"] * s["std_x"] * s["std_y"]
        cov = [[s["std_x"] ** 2, c], [c, s["std_y"] ** 2]]
        parts.append(rng.multivariate_normal([s["mean_x"], s["mean_y"]], cov, size=[s["size"]]))
    return np.concatenate(parts), ["x", "y"], None
''',
    "moons": '''
N, NOISE, SEED = {n!r}, {noise!r}, {seed!r}


def load_data():
    """Two moons, as sklearn.datasets.make_moons(N, noise=NOISE, random_state=SEED, shuffle=False)."""
    rng = np.random.RandomState(SEED)
    n_out = N // 2
    n_in = N - n_out
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.vstack(
        [
            np.append(np.cos(t_out), 1 - np.cos(t_in)),
            np.append(np.sin(t_out), 1 - np.sin(t_in) - 0.5),
        ]
    ).T
    X += rng.normal(scale=NOISE, size=X.shape)
    return X, ["x", "y"], None
''',
    "rings": '''
N, NOISE, SEED, FACTOR = {n!r}, {noise!r}, {seed!r}, 0.5


def load_data():
    """Rings, as sklearn.datasets.make_circles(N, noise=NOISE, factor=0.5, random_state=SEED, shuffle=False)."""
    rng = np.random.RandomState(SEED)
    n_out = N // 2
    n_in = N - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack(
        [
            np.append(np.cos(t_out), np.cos(t_in) * FACTOR),
            np.append(np.sin(t_out), np.sin(t_in) * FACTOR),
        ]
    ).T
    X += rng.normal(scale=NOISE, size=X.shape)
    return X, ["x", "y"], None
''',
    "anisotropic": '''
N, SEED, N_BLOBS = {n!r}, {seed!r}, 3


def load_data():
    """Elongated blobs: sklearn.datasets.make_blobs(N, centers=3, random_state=SEED, shuffle=False), sheared."""
    rng = np.random.RandomState(SEED)
    centers = rng.uniform(-10.0, 10.0, size=(N_BLOBS, 2))
    sizes = [N // N_BLOBS + (1 if i < N % N_BLOBS else 0) for i in range(N_BLOBS)]
    X = np.concatenate([rng.normal(loc=c, scale=1.0, size=(s, 2)) for c, s in zip(centers, sizes)])
    return X @ np.array([[0.6, -0.6], [-0.4, 0.8]]), ["x", "y"], None
''',
}

_CSV_READER = """
def read_records(path):
    import csv
    import io

    with open(path, encoding=ENCODING, newline="") as handle:
        text = handle.read()
    if DELIMITER == " ":
        records = []
        for line in io.StringIO(text, newline=""):
            cells = [c[1:-1] if len(c) >= 2 and c[0] == c[-1] and c[0] in "\\"'" else c
                     for c in line.split()]
            if cells:
                records.append(cells)
        return records
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITER or "\\x1e", strict=False)
    return [cells for cells in reader if cells and "".join(cells).strip()]
"""

_XLSX_READER = """
def cell_text(value):
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def read_records(path):
    # The first sheet, every cell as it is stored (pandas reads .xlsx with openpyxl).
    sheet = pd.read_excel(
        path, sheet_name=0, header=None, dtype=object, keep_default_na=False, na_filter=False
    )
    records = []
    for row in sheet.itertuples(index=False):
        cells = ["" if value is None else cell_text(value) for value in row]
        while cells and not cells[-1].strip():
            cells.pop()  # empty cells on the right are not columns
        if any(c.strip() for c in cells):
            records.append(cells)  # empty rows are skipped
    width = max(len(cells) for cells in records)
    records = [cells + [""] * (width - len(cells)) for cells in records]
    # columns empty in every row are margins
    used = [j for j in range(width) if any(cells[j].strip() for cells in records)]
    return [cells[used[0] : used[-1] + 1] for cells in records]
"""

_FILE = """
# How the explorer read the file (its parsing decisions).
FILE_NAME = {filename!r}
ENCODING = {encoding!r}
DELIMITER = {delimiter!r}  # " " stands for any run of whitespace
DECIMAL_COMMA = {decimal_comma!r}
HAS_HEADER = {has_header!r}
# Columns by position (0-based) in each data row, with the names the page gave them.
FEATURES = {features!r}
LABEL = {label!r}
MISSING = {missing!r}  # "drop" rows with a gap in a feature column, or fill with the column "mean"
MISSING_TOKENS = {tokens!r}


{reader}

def number(cell):
    cell = cell.strip()
    if cell.lower() in MISSING_TOKENS:
        return np.nan
    return float(cell.replace(",", ".") if DECIMAL_COMMA else cell)


{load_data}
"""

_FEATURES_LOAD = """
def load_data():
    path = sys.argv[1] if len(sys.argv) > 1 else FILE_NAME
    rows = read_records(path)[1 if HAS_HEADER else 0:]
    cell = lambda cells, j: cells[j] if j < len(cells) else ""  # noqa: E731
    values = np.array([[number(cell(r, j)) for j, _ in FEATURES] for r in rows], dtype=float)
    labels = None if LABEL is None else [cell(r, LABEL[0]).strip() for r in rows]
    names = [name for _, name in FEATURES]
    gaps = np.isnan(values)
    if gaps.any() and MISSING == "mean":
        scale = np.nanmax(np.abs(values), axis=0)
        scale[scale == 0] = 1.0
        values = np.where(gaps, np.nanmean(values / scale, axis=0) * scale, values)
    elif gaps.any():
        keep = ~gaps.any(axis=1)
        values = values[keep]
        labels = None if labels is None else [x for x, k in zip(labels, keep) if k]
    # Constant columns cannot separate rows; the explorer drops them.
    varying = ~np.all(values == values[:1], axis=0) & (values.std(axis=0) != 0)
    return values[:, varying], [n for n, v in zip(names, varying) if v], labels
"""

_DISTANCES_LOAD = """
def load_data():
    # A square distance matrix: FEATURES are its columns, the rows in the same order.
    path = sys.argv[1] if len(sys.argv) > 1 else FILE_NAME
    rows = read_records(path)[1 if HAS_HEADER else 0:]
    cell = lambda cells, j: cells[j] if j < len(cells) else ""  # noqa: E731
    d = np.array([[number(cell(r, j)) for j, _ in FEATURES] for r in rows], dtype=float)
    names = [name for _, name in FEATURES]
    if LABEL is not None:
        labels = [cell(r, LABEL[0]).strip() for r in rows]
    else:
        labels = names if HAS_HEADER else None  # the header names the items
    if d.shape[0] != d.shape[1] or not np.isfinite(d).all():
        sys.exit(f"{path} does not hold a complete square matrix ({d.shape[0]} x {d.shape[1]}).")
    # the explorer makes it exactly symmetric with a zero diagonal
    d = (d + d.T) / 2
    np.fill_diagonal(d, 0.0)
    return d, names, labels
"""

_BODY = """
SCALING = {scaling!r}
IS_DISTANCE_MATRIX = {is_distance_matrix!r}
# The random sample(s) the view clusters, drawn after scaling: (rows, seed) each.
SAMPLES = {samples!r}
METHOD, METRIC, OPTIMAL_ORDER = {method!r}, {metric!r}, {optimal_order!r}
CRITERION = {criterion!r}
HEIGHT, K, T, DEPTH = {height!r}, {k!r}, {t!r}, {depth!r}


def sample(values, names, labels):
    # Sorted row numbers from numpy's default_rng(seed), as the explorer draws them.
    for rows, seed in SAMPLES:
        chosen = np.sort(np.random.default_rng(seed).choice(len(values), size=rows, replace=False))
        if IS_DISTANCE_MATRIX:
            values, names = values[np.ix_(chosen, chosen)], [str(i) for i in chosen]
        else:
            values = values[chosen]
        labels = [str(i) for i in chosen] if labels is None else [labels[i] for i in chosen]
    return values, names, labels


def scale(values):
    if SCALING == "zscore":
        return (values - values.mean(axis=0)) / values.std(axis=0)
    if SCALING == "whiten":
        from scipy.cluster.vq import whiten

        return whiten(values)
    if SCALING == "minmax":
        low = values.min(axis=0)
        return (values - low) / (values.max(axis=0) - low)
    return values


def flat_clusters(Z):
    if CRITERION == "distance":
        return fcluster(Z, HEIGHT, criterion="distance")
    if CRITERION == "maxclust":
        return fcluster(Z, K, criterion="maxclust")
    R = inconsistent(Z, DEPTH)
    if CRITERION == "inconsistent":
        return fcluster(Z, T, criterion="inconsistent", depth=DEPTH, R=R)
    MR = maxRstat(Z, R, 3)
    if CRITERION == "monocrit":
        return fcluster(Z, T, criterion="monocrit", monocrit=MR)
    return fcluster(Z, K, criterion="maxclust_monocrit", monocrit=MR)
{edit_code}

def main():
    values, names, labels = load_data()
    if not IS_DISTANCE_MATRIX:
        values = scale(values)
    values, names, labels = sample(values, names, labels)
    if IS_DISTANCE_MATRIX:
        from scipy.spatial.distance import squareform

        distances = squareform(values, checks=False)
    else:
        distances = pdist(values, metric=METRIC)
    Z = linkage(distances, method=METHOD)
    if OPTIMAL_ORDER:
        Z = optimal_leaf_ordering(Z, distances)
    clusters = flat_clusters(Z){edit_step}
    out = pd.DataFrame(values, columns=names)
    if labels is not None:
        out.insert(0, "label", labels)
    out["cluster"] = clusters
    out.to_csv("clusters.csv", index_label="sample")
    correlation, _ = cophenet(Z, distances)
    print(f"cophenetic correlation: {{correlation:.5f}}")
    print(f"k: {{len(np.unique(clusters))}}")


if __name__ == "__main__":
    main()
"""

CRITERIA = ("distance", "maxclust", "inconsistent", "monocrit", "maxclust_monocrit")

# Written only when the view has splits and merges of single clusters (hclust.partition):
# the same replay with numpy and scipy, numbered as the explorer numbers them.
_EDITS = """
# The clusters split or merged one by one after the cut, in order, by scipy's node ids
# (sample i is node i; row i of Z makes node n + i).
EDITS = {edits!r}


def spans(Z):
    # Every node's samples lie side by side in the dendrogram's leaf order: where they start, how many.
    n = len(Z) + 1
    start = np.empty(2 * n - 1, dtype=np.int64)
    size = np.ones(2 * n - 1, dtype=np.int64)
    start[leaves_list(Z)] = np.arange(n)
    for i, (a, b) in enumerate(Z[:, :2].astype(np.int64)):
        start[n + i] = min(start[a], start[b])
        size[n + i] = size[a] + size[b]
    return start, size


def cluster_roots(Z, clusters):
    # The nodes whose subtrees are the flat clusters: whole nodes under a node that is not.
    n = len(Z) + 1
    label = np.concatenate([clusters, np.zeros(n - 1, dtype=clusters.dtype)])
    for i, (a, b) in enumerate(Z[:, :2].astype(np.int64)):
        label[n + i] = label[a] if label[a] == label[b] else 0
    parent = np.full(2 * n - 1, -1)
    parent[Z[:, 0].astype(np.int64)] = np.arange(n, 2 * n - 1)
    parent[Z[:, 1].astype(np.int64)] = np.arange(n, 2 * n - 1)
    whole = label > 0
    return set(np.flatnonzero(whole & ~np.where(parent >= 0, whole[parent], False)).tolist())


def apply_edits(Z, clusters):
    # Split a cluster into its node's two children; merge the clusters under a node into one.
    n = len(Z) + 1
    start, size = spans(Z)
    roots = cluster_roots(Z, clusters)

    def within(inner, outer):
        return start[outer] <= start[inner] and start[inner] + size[inner] <= start[outer] + size[outer]

    for action, node in EDITS:
        if action == "split":
            if node < n or node not in roots:
                sys.exit(f"Node {{node}} is not a cluster of more than one sample: it cannot be split.")
            roots.remove(node)
            roots.update(int(child) for child in Z[node - n, :2])
        else:
            if node < n or any(within(node, root) for root in roots):
                sys.exit(f"The samples under node {{node}} are already one cluster.")
            roots = {{root for root in roots if not within(root, node)}} | {{node}}
    # Numbered as scipy numbers a cut: fcluster on a statistic 0 for the merges inside a
    # cluster and 1 for the others (monotone), at threshold 0.5.
    cluster_at = np.empty(n, dtype=np.int64)
    for index, root in enumerate(roots):
        cluster_at[start[root] : start[root] + size[root]] = index
    merges = np.arange(n, 2 * n - 1)
    inside = cluster_at[start[merges]] == cluster_at[start[merges] + size[merges] - 1]
    return fcluster(Z, 0.5, criterion="monocrit", monocrit=np.where(inside, 0.0, 1.0))

"""


def python_script(recipe: dict, script_name: str = "exported.py") -> str:
    """A self-contained Python script (numpy, scipy, pandas) that redoes a view.

    Parameters
    ----------
    recipe : dict
        ``data``: one of ``{"kind": "preset", "key": ...}``,
        ``{"kind": "generator", "generator": ..., "params": {...}}`` (the
        validated settings of :func:`hclust.generators.generated_dataset`), or
        ``{"kind": "file", "format", "filename", "encoding", "delimiter",
        "decimal_comma", "has_header", "features": [(position, name), ...],
        "label": (position, name) or None, "missing", "is_distance_matrix"}``
        (``format`` "xlsx": the first sheet, read with pandas.read_excel, which
        needs openpyxl, as the script's first lines say; a distance matrix:
        `features` are its columns, and the script links ``squareform`` of it).
        Also ``scaling``, ``method``, ``metric``, ``optimal_order``,
        ``cut``: ``{"criterion", "height", "k", "t", "depth", "edits"}`` (``edits``:
        optional ``[action, node]`` splits and merges of single clusters, replayed
        after ``fcluster`` as :func:`hclust.partition.replay` does), and
        ``samples``: ``[{"rows", "seed"}, ...]``, random samples drawn in turn
        after scaling (as :func:`hclust.data.random_sample` draws them).
    script_name : str
        Shown in the script's usage line.

    Returns
    -------
    str
        The script. It reads the data the same way, links with
        ``scipy.cluster.hierarchy.linkage``, cuts with ``fcluster``, writes
        ``clusters.csv`` and prints the cophenetic correlation and k.

    Raises
    ------
    InputError
        For a recipe it cannot reproduce.
    """
    from .io import MISSING_TOKENS

    data = recipe["data"]
    kind = data.get("kind")
    file_arg = needs = ""
    is_distance_matrix = False
    if kind == "preset" and data.get("key") in PRESETS:
        loader = _PRESET[data["key"]]
    elif kind == "generator" and data.get("generator") in _GENERATOR:
        params = dict(data["params"])
        if data["generator"] == "blobs":
            loader = _GENERATOR["blobs"].format(specs=params["specs"], seed=params["seed"])
        else:
            loader = _GENERATOR[data["generator"]].format(
                n=params["n"], noise=params.get("noise"), seed=params["seed"]
            )
    elif kind == "file":
        file_arg = " DATA_FILE   (by default the file named in FILE_NAME, in this folder)"
        is_distance_matrix = bool(data.get("is_distance_matrix"))
        if data.get("format") == "xlsx":
            needs = ", and openpyxl for pandas to read the workbook (pip install openpyxl)"
        loader = _FILE.format(
            reader=_XLSX_READER if data.get("format") == "xlsx" else _CSV_READER,
            load_data=_DISTANCES_LOAD if is_distance_matrix else _FEATURES_LOAD,
            filename=str(data["filename"]),
            encoding=data["encoding"],
            delimiter=data["delimiter"],
            decimal_comma=bool(data["decimal_comma"]),
            has_header=bool(data["has_header"]),
            features=[(int(j), str(name)) for j, name in data["features"]],
            label=None if data["label"] is None else (int(data["label"][0]), str(data["label"][1])),
            missing=data["missing"],
            tokens=sorted(MISSING_TOKENS),
        )
    else:
        raise InputError("This data source cannot be exported as a script.")
    cut = recipe["cut"]
    if cut.get("criterion") not in CRITERIA:
        raise InputError(f"Unknown criterion '{cut.get('criterion')}'.")
    samples = [(int(step["rows"]), int(step["seed"])) for step in recipe.get("samples", [])]
    edits = cut.get("edits") or []
    if any(
        not isinstance(edit, (list, tuple))
        or len(edit) != 2
        or edit[0] not in ("split", "merge")
        or isinstance(edit[1], bool)
        or not isinstance(edit[1], (int, np.integer))
        for edit in edits
    ):
        raise InputError("The splits and merges must each be ['split' or 'merge', node].")
    edit_code = edit_step = ""
    if edits:
        edit_code = _EDITS.format(edits=[(str(a), int(node)) for a, node in edits])
        edit_step = "\n    clusters = apply_edits(Z, clusters)"
    body = _BODY.format(
        scaling="none" if is_distance_matrix else recipe.get("scaling", "none"),
        is_distance_matrix=is_distance_matrix,
        samples=samples,
        method=str(recipe["method"]),
        metric=str(recipe["metric"]),
        optimal_order=bool(recipe.get("optimal_order")),
        criterion=cut["criterion"],
        height=None if cut.get("height") is None else float(cut["height"]),
        k=None if cut.get("k") is None else int(cut["k"]),
        t=None if cut.get("t") is None else float(cut["t"]),
        depth=None if cut.get("depth") is None else int(cut["depth"]),
        edit_code=edit_code,
        edit_step=edit_step,
    )
    header = _HEADER.format(script_name=script_name, file_arg=file_arg, needs=needs)
    return header + loader + body
