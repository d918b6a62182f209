"""From a parsed table to a :class:`~hclust.data.Dataset`, and the checks around it.

Choosing feature and label columns, missing values, infinities, constant
columns and scaling; a declared distance matrix and its classical MDS
embedding; warnings that depend on the data and the metric; and the memory a
linkage will need, refused before it is attempted.

Rows are named as :meth:`hclust.io.ParsedTable.where` names them (``line N``
of a text file, ``row N`` of a sheet); for a bare DataFrame they are
``data row N``, counting data rows from 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.cluster.vq import whiten

from .data import MIN_ROWS, Dataset
from .errors import InputError
from .io import ParsedTable, is_number
from .labelled_table import is_missing
from .linkage import MEMORY_LIGHT_PAIRS, validate_method_metric

SCALINGS = {
    "none": "none (raw values)",
    "zscore": "z-score (each column centred and divided by its standard deviation)",
    "whiten": "whiten (each column divided by its standard deviation, not centred, as scipy.cluster.vq.whiten)",
    "minmax": "min-max (each column mapped onto [0, 1])",
}
MISSING = {
    "drop": "drop rows with a missing value in a chosen column",
    "mean": "fill missing values with the column mean",
}
# The same choices as the page names them: in its menus, and in a sentence.
SCALING_MENU = {
    "none": "none",
    "zscore": "z-score",
    "whiten": "whiten (÷ std, as scipy.cluster.vq.whiten)",
    "minmax": "min-max to [0, 1]",
}
SCALING_NAMES = {"none": "none", "zscore": "z-score", "whiten": "whiten", "minmax": "min-max"}
MISSING_MENU = {"drop": "drop those rows", "mean": "fill with column mean"}
# How many rows a note or message names before it says "and N more".
_SHOW_ROWS = 10


def _frame_and_where(table):
    """The DataFrame of `table`, a function naming data row i, and notes."""
    if isinstance(table, ParsedTable):
        return table.frame, table.where, tuple(table.notes)
    if isinstance(table, pd.DataFrame):
        frame = table.copy()
        frame.columns = [str(c) for c in frame.columns]
        if frame.columns.has_duplicates:
            name = frame.columns[frame.columns.duplicated()][0]
            raise InputError(
                f"Column name '{name}' appears more than once; give each column a unique name."
            )
        return frame, (lambda i: f"data row {i + 1}"), ()
    raise InputError(f"Expected a parsed table, got {type(table).__name__}.")


def _is_numeric(series) -> bool:
    return series.dtype.kind in "fiu"


def numeric_columns(table) -> list:
    """Names of the columns that hold only numbers (and missing cells): candidate features."""
    frame, _, _ = _frame_and_where(table)
    return [name for name in frame.columns if _is_numeric(frame[name])]


def label_columns(table) -> list:
    """Names of the non-numeric columns: candidate label (id) columns."""
    frame, _, _ = _frame_and_where(table)
    return [name for name in frame.columns if not _is_numeric(frame[name])]


def default_feature_columns(table) -> list:
    """Numeric columns, less those that merely count rows (0, 1, 2, … or 1, 2, 3, …).

    A pandas or R export's row index would otherwise dominate every distance.
    """
    frame, _, _ = _frame_and_where(table)
    chosen = [
        name
        for name in numeric_columns(table)
        if not _counts_rows(frame[name].to_numpy(dtype=float))
    ]
    return chosen or numeric_columns(table)


def _counts_rows(values):
    if len(values) < 3 or not np.all(np.isfinite(values)):
        return False
    return values[0] in (0.0, 1.0) and np.array_equal(values, values[0] + np.arange(len(values)))


def _list_rows(where, indices):
    """'lines 3, 8 and 2 more' from the row namer and 0-based indices."""
    names = [where(int(i)) for i in indices[:_SHOW_ROWS]]
    prefixes = {name.rpartition(" ")[0] for name in names}
    if len(indices) > 1 and len(prefixes) == 1 and "" not in prefixes:
        shown = f"{prefixes.pop()}s " + ", ".join(name.rpartition(" ")[2] for name in names)
    else:
        shown = ", ".join(names)
    more = f" and {len(indices) - _SHOW_ROWS} more" if len(indices) > _SHOW_ROWS else ""
    return shown + more


def _first_text_cell(frame, name, where):
    """(row text, cell) of the first cell of column `name` that is not a number."""
    for i, value in enumerate(frame[name].tolist()):
        if is_missing(value):
            continue
        # Either decimal mark: a column is text because of a cell that is no number at all.
        if not (is_number(str(value), False) or is_number(str(value), True)):
            return where(i), str(value)
    return None, None


def _not_numeric_error(frame, name, where, role):
    row, cell = _first_text_cell(frame, name, where)
    example = f" ({row} holds '{cell[:40]}')" if row else ""
    return InputError(f"Column '{name}' is not numeric{example}, so it cannot be {role}.")


def build_dataset(
    table, feature_columns=None, label_column=None, scaling="none", missing="drop", name=None
) -> Dataset:
    """Turn chosen columns of a table into a clean, scaled :class:`Dataset`.

    Parameters
    ----------
    table : ParsedTable or pandas.DataFrame
    feature_columns : list of str, optional
        Numeric columns to cluster on; :func:`default_feature_columns` when
        omitted. The label column is never one of them.
    label_column : str, optional
        Column whose values name the rows (leaves, hovers, download).
    scaling : {'none', 'zscore', 'whiten', 'minmax'}
        'zscore' centres each column and divides by its population standard
        deviation; 'whiten' only divides, exactly as
        :func:`scipy.cluster.vq.whiten`; 'minmax' maps onto [0, 1].
    missing : {'drop', 'mean'}
        Drop rows with a missing value in a feature column, or fill such
        cells with the column's mean.
    name : str, optional
        Shown in the status line; the file name by default.

    Returns
    -------
    Dataset
        Its notes record how the file was read, rows dropped or filled,
        constant columns dropped, the scaling, and identical rows.

    Raises
    ------
    InputError
        For an unknown option or column, a non-numeric feature, an infinite
        cell, a column with no values, or fewer than 2 rows or no varying
        column left.
    """
    frame, where, table_notes = _frame_and_where(table)
    if scaling not in SCALINGS:
        raise InputError(f"Unknown scaling '{scaling}'. Choose one of: {', '.join(SCALINGS)}.")
    if missing not in MISSING:
        raise InputError(
            f"Unknown missing-value handling '{missing}'. Choose one of: {', '.join(MISSING)}."
        )
    if name is None:
        name = table.filename if isinstance(table, ParsedTable) else "data"
    notes = list(table_notes)

    if label_column is not None and label_column not in frame.columns:
        raise InputError(
            f"Label column '{label_column}' is not in the table. Columns: {_names(frame.columns)}."
        )
    if isinstance(feature_columns, str):
        feature_columns = [feature_columns]
    if feature_columns is None:
        feature_columns = [c for c in default_feature_columns(table) if c != label_column]
        for column in numeric_columns(table):
            if column not in feature_columns and column != label_column:
                # said once: this replaces the reader's note that the column counts rows
                notes = [n for n in notes if not n.startswith(f"Column '{column}' counts rows")]
                notes.append(
                    f"Left out column '{column}' by default: it counts rows (1, 2, 3, …), like a row index"
                )
    features = []
    for column in feature_columns:
        if column not in frame.columns:
            raise InputError(
                f"Column '{column}' is not in the table. Columns: {_names(frame.columns)}."
            )
        if column == label_column:
            notes.append(f"Column '{column}' is the label column, so it is not used as a feature")
            continue
        if column not in features:
            features.append(column)
    for column in features:
        if not _is_numeric(frame[column]):
            raise _not_numeric_error(
                frame, column, where, "a feature; choose it as the label column instead"
            )
    if not features:
        raise InputError(
            "Choose at least one numeric column to cluster on; the table has "
            + (f"these: {_names(numeric_columns(table))}." if numeric_columns(table) else "none.")
        )

    values = frame[features].to_numpy(dtype=float, na_value=np.nan, copy=True)
    if len(values) < MIN_ROWS:
        raise InputError(
            f"At least {MIN_ROWS} rows are needed to cluster; the table has {len(values)}."
        )
    _refuse_infinite(values, features, where)
    rows = np.arange(len(values))
    values, rows, note = _handle_missing(values, rows, features, where, missing)
    if note:
        notes.append(note)
    values, features, note = _drop_constant(values, features)
    if note:
        notes.append(note)
    values = scale_values(values, scaling, features)
    notes.append(f"Scaling: {SCALINGS[scaling]}")
    if not np.all(np.isfinite(values)):  # guard: every step above should keep values finite
        j = int(np.flatnonzero(~np.all(np.isfinite(values), axis=0))[0])
        raise InputError(
            f"Column '{features[j]}' holds values too large to process; change its units."
        )

    labels = None
    if label_column is not None:
        column = frame[label_column].tolist()
        labels = tuple(_label_text(column[i], where(int(i))) for i in rows)
    notes.extend(duplicate_row_warnings(values, [where(int(i)) for i in rows]))
    return Dataset(
        values=values,
        feature_names=tuple(features),
        name=name,
        labels=labels,
        notes=tuple(notes),
        source_rows=rows,
        label_name=None if label_column is None else str(label_column),
    )


def _names(columns):
    columns = [f"'{c}'" for c in columns]
    return ", ".join(columns[:20]) + (f" and {len(columns) - 20} more" if len(columns) > 20 else "")


def _refuse_infinite(values, features, where):
    infinite = np.isinf(values)
    if infinite.any():
        i, j = np.argwhere(infinite)[0]
        others = int(infinite.sum()) - 1
        more = f" (and {others} more infinite cell{'s' if others > 1 else ''})" if others else ""
        raise InputError(
            f"Column '{features[j]}' has an infinite value at {where(int(i))}{more}; "
            "distances to infinity are undefined, so remove or replace it."
        )


def _handle_missing(values, rows, features, where, missing):
    gaps = np.isnan(values)
    if not gaps.any():
        return values, rows, None
    empty = np.flatnonzero(gaps.all(axis=0))
    if empty.size:
        raise InputError(
            f"Column '{features[empty[0]]}' has no values at all; leave it out of the features."
        )
    if missing == "mean":
        # Scaled by each column's largest magnitude so huge values cannot overflow the sum.
        magnitude = np.nanmax(np.abs(values), axis=0)
        magnitude[magnitude == 0] = 1.0
        means = np.nanmean(values / magnitude, axis=0) * magnitude
        counts = gaps.sum(axis=0)
        values = np.where(gaps, means, values)
        per_column = ", ".join(f"{features[j]}: {counts[j]}" for j in np.flatnonzero(counts))
        return (
            values,
            rows,
            f"Filled {int(counts.sum())} missing value(s) with column means ({per_column})",
        )
    bad = np.flatnonzero(gaps.any(axis=1))
    keep = ~gaps.any(axis=1)
    if keep.sum() < MIN_ROWS:
        raise InputError(
            f"Dropping the {len(bad)} rows with missing values ({_list_rows(where, bad)}) leaves "
            f"{int(keep.sum())} row(s); at least {MIN_ROWS} are needed. Fill them with column means instead, "
            "or choose other columns."
        )
    note = f"Dropped {len(bad)} row{'s' if len(bad) > 1 else ''} with missing values ({_list_rows(where, bad)})"
    return values[keep], rows[keep], note


def _drop_constant(values, features):
    with np.errstate(all="ignore"):
        # A spread below float precision (std underflowing to 0) is constant too.
        constant = np.flatnonzero(np.all(values == values[:1], axis=0) | (values.std(axis=0) == 0))
    if constant.size == 0:
        return values, features, None
    if constant.size == len(features):
        raise InputError(
            "Every chosen column is constant ("
            + ", ".join(
                f"'{features[j]}' is always {values[0, j]:g}" for j in constant[:_SHOW_ROWS]
            )
            + "), so no two rows differ; choose columns that vary."
        )
    dropped = ", ".join(f"'{features[j]}' (always {values[0, j]:g})" for j in constant)
    kept = [j for j in range(len(features)) if j not in set(constant.tolist())]
    note = (
        f"Dropped constant column(s) {dropped}: they cannot separate rows, "
        "and z-score scaling would divide by zero"
    )
    return values[:, kept], [features[j] for j in kept], note


def scale_values(values, scaling, feature_names=None) -> np.ndarray:
    """Scale each column of `values` as :func:`build_dataset` describes.

    Columns must not be constant (build_dataset drops them first).

    Raises
    ------
    InputError
        When values are so large that scaling overflows.
    """
    values = np.asarray(values, dtype=float)
    if scaling not in SCALINGS:
        raise InputError(f"Unknown scaling '{scaling}'. Choose one of: {', '.join(SCALINGS)}.")
    with np.errstate(all="ignore"):
        if scaling == "none":
            scaled = values.copy()
        elif scaling == "whiten":
            scaled = whiten(values)  # the reference itself, so results match it bit for bit
        elif scaling == "zscore":
            scaled = (values - values.mean(axis=0)) / values.std(axis=0)
        else:
            low = values.min(axis=0)
            scaled = (values - low) / (values.max(axis=0) - low)
        # std or range overflowing to inf would quietly give zeros.
        spread = np.ptp(values, axis=0)
    bad = ~np.all(np.isfinite(scaled), axis=0) | ~np.isfinite(spread)
    if scaling != "none" and bad.any():
        j = int(np.flatnonzero(bad)[0])
        column = feature_names[j] if feature_names is not None else f"{j + 1}"
        raise InputError(
            f"Column '{column}' holds values too large to scale with '{scaling}' "
            f"(up to {np.max(np.abs(values[:, j])):.3g}); change its units or choose no scaling."
        )
    return scaled


# Spreads differing by more than this factor get the page's z-score suggestion (#16 §6).
SPREAD_ADVICE_RATIO = 10.0


def feature_spreads(values) -> np.ndarray:
    """The standard deviation of each column, as the z-score scaling divides by it.

    Parameters
    ----------
    values : array_like, shape (n, m)
        The data, one row per sample, without missing values.

    Returns
    -------
    numpy.ndarray, shape (m,)
        Population standard deviations (``ddof=0``, as :func:`scale_values` uses).
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"values must be a 2-D array, got {values.ndim} dimension(s)")
    with np.errstate(all="ignore"):
        return values.std(axis=0)


def spread_advice(spreads, feature_names, ratio=SPREAD_ADVICE_RATIO) -> dict | None:
    """Whether the features' spreads differ so much that one decides the distances.

    Euclidean and most other distances add up differences in each column's own
    units, so a column whose standard deviation is ten times another's weighs
    about ten times as much in every distance. Scaling to z-scores removes that.

    Parameters
    ----------
    spreads : array_like, shape (m,)
        Each feature's standard deviation (:func:`feature_spreads`).
    feature_names : sequence of str, length m
        The features' names, in the same order.
    ratio : float, default :data:`SPREAD_ADVICE_RATIO`
        Advise only when the largest spread exceeds the smallest by more than this factor.

    Returns
    -------
    dict or None
        ``{"ratio", "widest", "widest_std", "narrowest", "narrowest_std"}`` (the widest and
        narrowest feature by name, and their standard deviations) when
        ``max(spreads) > ratio * min(spreads)``; ``None`` for fewer than two features, a zero
        or non-finite spread (nothing a scaling could fix), or spreads within the ratio.
    """
    spreads = np.asarray(spreads, dtype=float)
    if spreads.ndim != 1 or len(spreads) != len(feature_names):
        raise ValueError("spreads and feature_names must be of the same length")
    if len(spreads) < 2 or not np.all(np.isfinite(spreads)) or np.any(spreads <= 0):
        return None
    wide, narrow = int(np.argmax(spreads)), int(np.argmin(spreads))
    if not spreads[wide] > ratio * spreads[narrow]:
        return None
    return {
        "ratio": float(spreads[wide] / spreads[narrow]),
        "widest": str(feature_names[wide]),
        "widest_std": float(spreads[wide]),
        "narrowest": str(feature_names[narrow]),
        "narrowest_std": float(spreads[narrow]),
    }


def _label_text(value, where_text):
    if is_missing(value):
        return where_text  # a missing label still has to tell rows apart
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def duplicate_row_warnings(values, row_names=None) -> list:
    """Warn about rows that repeat an earlier row exactly.

    Their distance is zero, so the order of such tied leaves in the
    dendrogram is arbitrary.

    Parameters
    ----------
    values : ndarray of shape (n, m)
    row_names : list of str, optional
        How to name each row; ``data row i`` (from 1) by default.

    Returns
    -------
    list of str
        Empty, or one warning.
    """
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return []
    _, first, inverse = np.unique(values, axis=0, return_index=True, return_inverse=True)
    first_of_row = first[inverse.reshape(-1)]
    repeats = np.flatnonzero(first_of_row != np.arange(len(values)))
    if repeats.size == 0:
        return []
    name = (lambda i: row_names[i]) if row_names is not None else (lambda i: f"data row {i + 1}")
    example = repeats[0]
    return [
        f"Exact repeats: {repeats.size} row{'s' if repeats.size > 1 else ''} "
        f"repeat{'' if repeats.size > 1 else 's'} an earlier row (e.g. {name(int(example))} repeats "
        f"{name(int(first_of_row[example]))}): their distance is 0, so the order of those tied leaves is arbitrary"
    ]


def check_metric_for_data(values, metric, row_names=None) -> list:
    """Refuse a metric undefined on these rows; warn when it ill fits them.

    Parameters
    ----------
    values : ndarray of shape (n, m)
        The observations (not a distance matrix).
    metric : str
    row_names : list of str, optional
        How to name each row; ``data row i`` (from 1) by default.

    Returns
    -------
    list of str
        Warnings: 'hamming' or 'jaccard' on data that is not 0/1.

    Raises
    ------
    InputError
        'cosine' with all-zero rows, or 'correlation' with constant rows,
        both of which give undefined (NaN) distances; the rows are named.
    """
    values = np.asarray(values, dtype=float)
    name = (lambda i: row_names[i]) if row_names is not None else (lambda i: f"data row {i + 1}")
    bad, why = None, ""
    if metric == "cosine":
        bad, why = (
            np.flatnonzero(~np.any(values != 0, axis=1)),
            "all zeros (a zero vector has no direction)",
        )
    elif metric == "correlation":
        bad, why = (
            np.flatnonzero(np.all(values == values[:, :1], axis=1)),
            "constant across the columns (zero variance, so correlation is undefined)",
        )
    if bad is not None and bad.size:
        rows = _list_rows(name, bad)
        raise InputError(
            f"The '{metric}' distance is undefined for {rows}: {'it is' if bad.size == 1 else 'they are'} {why}. "
            "Choose another metric, or remove those rows."
        )
    warnings = []
    if metric in ("hamming", "jaccard") and not np.all((values == 0) | (values == 1)):
        if metric == "hamming":
            warnings.append(
                "'hamming' counts the share of columns that differ; on data that is not 0/1 "
                "nearly every pair differs everywhere, so most distances are 1"
            )
        else:
            warnings.append(
                "'jaccard' treats every non-zero value as 1 (present); on data that is not 0/1 "
                "the magnitudes are ignored"
            )
    return warnings


def distance_matrix_dataset(table, label_column=None, name=None, tol=1e-8) -> Dataset:
    """Validate a table the user declared to be a distance matrix.

    Parameters
    ----------
    table : ParsedTable or pandas.DataFrame
        n rows and n numeric columns, plus optionally a label column.
    label_column : str, optional
        Column of row names; it is not part of the matrix.
    name : str, optional
    tol : float
        Allowed asymmetry and diagonal, relative to the largest distance
        (absolute when that is below 1). Within it the matrix is made exactly
        symmetric with a zero diagonal.

    Returns
    -------
    Dataset
        ``is_distance_matrix=True``, ``values`` the n × n matrix,
        ``feature_names`` the column names; labels from `label_column`, else
        the column names when the file had a header.

    Raises
    ------
    InputError
        Naming the cell or size at fault: not square, missing, infinite or
        negative cells, a non-zero diagonal, or asymmetry beyond `tol`.
    """
    frame, where, table_notes = _frame_and_where(table)
    if label_column is not None and label_column not in frame.columns:
        raise InputError(
            f"Label column '{label_column}' is not in the table. Columns: {_names(frame.columns)}."
        )
    columns = [c for c in frame.columns if c != label_column]
    for column in columns:
        if not _is_numeric(frame[column]):
            raise _not_numeric_error(
                frame, column, where, "part of a distance matrix (choose it as the label column?)"
            )
    d = frame[columns].to_numpy(dtype=float, na_value=np.nan, copy=True)
    n, k = d.shape
    if n != k:
        hint = ""
        if isinstance(table, ParsedTable) and not table.has_header and n == k + 1:
            hint = " If the first row holds names, read the file with a header row."
        raise InputError(
            f"A distance matrix must be square: the table has {n} rows and {k} matrix columns.{hint}"
        )
    if n < MIN_ROWS:
        raise InputError(f"At least {MIN_ROWS} rows are needed to cluster; the matrix has {n}.")

    def cell(i, j):
        return f"{where(int(i))}, column '{columns[j]}'"

    for test, what in (
        (np.isnan(d), "is missing"),
        (np.isinf(d), "is infinite"),
        (d < 0, "is negative"),
    ):
        if test.any():
            i, j = np.argwhere(test)[0]
            raise InputError(
                f"Distance at {cell(i, j)} {what}; distances must be finite and non-negative."
            )
    allowed = tol * max(1.0, float(d.max()))
    diagonal = np.abs(np.diag(d))
    if diagonal.max() > allowed:
        i = int(np.argmax(diagonal))
        raise InputError(
            f"The diagonal must be 0 (each item's distance to itself), but {cell(i, i)} is {d[i, i]:g}."
        )
    asymmetry = np.abs(d - d.T)
    if asymmetry.max() > allowed:
        i, j = np.unravel_index(int(np.argmax(asymmetry)), d.shape)
        raise InputError(
            f"The matrix is not symmetric: {cell(i, j)} is {d[i, j]:g} but {cell(j, i)} is {d[j, i]:g}."
        )
    notes = list(table_notes)
    if asymmetry.max() > 0 or diagonal.max() > 0:
        notes.append(
            "Made exactly symmetric with a zero diagonal "
            f"(differences were at most {max(asymmetry.max(), diagonal.max()):.3g})"
        )
    d = (d + d.T) / 2
    np.fill_diagonal(d, 0.0)
    # the size is said once, in the status line
    notes.append("Read as a distance matrix: the cell in row i, column j is the distance of i to j")

    if label_column is not None:
        column = frame[label_column].tolist()
        labels = tuple(_label_text(column[i], where(i)) for i in range(n))
    elif isinstance(table, ParsedTable) and table.has_header:
        labels = tuple(columns)
    else:
        labels = None
    if name is None:
        name = table.filename if isinstance(table, ParsedTable) else "distance matrix"
    return Dataset(
        values=d,
        feature_names=tuple(columns),
        name=name,
        labels=labels,
        notes=tuple(notes),
        is_distance_matrix=True,
        label_name=None if label_column is None else str(label_column),
    )


def classical_mds(distances, n_components=2) -> np.ndarray:
    """Classical (Torgerson) multidimensional scaling of a distance matrix.

    Double-centres the squared distances and keeps the top eigenvectors
    scaled by the square roots of their eigenvalues. For Euclidean distances
    between points in the plane it recovers the points up to rotation,
    reflection and translation.

    Parameters
    ----------
    distances : ndarray of shape (n, n)
        Symmetric, zero diagonal.
    n_components : int

    Returns
    -------
    ndarray of shape (n, n_components)
        Coordinates for the scatter; components whose eigenvalue is not
        positive are zero. Signs are fixed so the result is reproducible.
    """
    from scipy.linalg import eigh

    d = np.asarray(distances, dtype=float)
    if d.ndim != 2 or d.shape[0] != d.shape[1]:
        raise InputError(f"Classical MDS needs a square distance matrix, got shape {d.shape}.")
    n = d.shape[0]
    coords = np.zeros((n, n_components))
    if n < 2:
        return coords
    # In place: for a few thousand items each n × n copy costs hundreds of MB.
    b = d**2
    means = b.mean(axis=0)
    b -= means[:, None]
    b -= means[None, :]
    b += means.mean()
    b *= -0.5
    k = min(n_components, n)
    # Only the top k eigenpairs: O(n^2 k) instead of a full O(n^3) decomposition.
    eigenvalues, vectors = eigh(b, subset_by_index=[n - k, n - 1])
    eigenvalues, vectors = eigenvalues[::-1], vectors[:, ::-1]
    for c in range(k):
        if eigenvalues[c] <= 1e-12 * max(1.0, abs(eigenvalues[0])):
            continue
        v = vectors[:, c]
        if v[np.argmax(np.abs(v))] < 0:
            v = -v
        coords[:, c] = v * np.sqrt(eigenvalues[c])
    return coords


def estimate_linkage_memory_bytes(n, m, method, metric, is_distance_matrix=False) -> int:
    """Conservative peak memory, in bytes, to compute a linkage.

    Memory-light pairs (:data:`hclust.linkage.MEMORY_LIGHT_PAIRS`) run on the
    observations: a working copy of the n × m data and O(n) bookkeeping.
    Every other pair needs the condensed matrix of n(n-1)/2 float64
    distances, counted twice for the backend's working copy. A distance
    matrix upload also holds its n × n square. The data itself and Z
    ((n-1) × 4 float64) are added in every case.

    Parameters
    ----------
    n, m : int
        Rows and columns.
    method, metric : str
    is_distance_matrix : bool
    """
    validate_method_metric(method, metric)
    n, m = _count(n, "rows"), _count(m, "columns")
    data = 8 * n * m
    z = 32 * max(n - 1, 0)
    condensed = 8 * (n * (n - 1) // 2)
    if is_distance_matrix:
        return 8 * n * n + 2 * condensed + z
    if (method, metric) in MEMORY_LIGHT_PAIRS:
        return 2 * data + 64 * n + z
    return data + 2 * condensed + z


def _count(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise InputError(f"The number of {what} must be a whole number >= 0, got {value!r}.")
    return int(value)


def max_rows_within(m, method, metric, budget_mb, is_distance_matrix=False) -> int:
    """Largest n whose linkage estimate fits in `budget_mb` megabytes (0 if none)."""
    budget = budget_mb * 1024 * 1024

    def fits(n):
        return (
            estimate_linkage_memory_bytes(
                n, n if is_distance_matrix else m, method, metric, is_distance_matrix
            )
            <= budget
        )

    if not fits(1):
        return 0
    low, high = 1, 2
    while fits(high):
        low, high = high, high * 2
    while high - low > 1:  # fits(low) and not fits(high)
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low


def check_memory(n, m, method, metric, budget_mb, is_distance_matrix=False) -> None:
    """Refuse a linkage whose estimated memory exceeds `budget_mb` megabytes.

    Raises
    ------
    InputError
        Naming the estimate, the limit and a way out: a memory-light method
        where that would fit, and a sample size that would.
    """
    estimate = estimate_linkage_memory_bytes(n, m, method, metric, is_distance_matrix)
    if estimate <= budget_mb * 1024 * 1024:
        return
    light = (method, metric) in MEMORY_LIGHT_PAIRS and not is_distance_matrix
    # plain words: the need and the limit, in the same unit where it reads well
    message = (
        f"Clustering {n:,} rows × {m:,} columns with {method} linkage and {metric} distance needs "
        f"about {_human(estimate)} of memory; the limit is {_human(budget_mb * 1024 * 1024)}."
    )
    ways = []
    if not light and not is_distance_matrix:
        light_estimate = estimate_linkage_memory_bytes(n, m, "ward", "euclidean")
        if light_estimate <= budget_mb * 1024 * 1024:
            methods = ", ".join(sorted(method for method, _ in MEMORY_LIGHT_PAIRS))
            ways.append(
                f"choose {methods} linkage with euclidean distance, which needs only O(n·m) memory "
                f"(about {_human(light_estimate)} here)"
            )
    sample = max_rows_within(m, method, metric, budget_mb, is_distance_matrix)
    if sample >= MIN_ROWS:
        ways.append(f"cluster a random sample of at most {sample:,} rows")
    if ways:
        message += " To fit, " + ", or ".join(ways) + "."
    else:
        message += " Even 2 rows would not fit; reduce the number of columns."
    raise InputError(message)


def _human(n_bytes):
    """75 GB, 2 GB, 26.8 GB, 512 MB: one decimal only where it says something."""
    unit, size = ("GB", n_bytes / 1024**3) if n_bytes >= 1024**3 else ("MB", n_bytes / 1024**2)
    return f"{size:,.0f} {unit}" if size >= 100 or size == round(size) else f"{size:,.1f} {unit}"
