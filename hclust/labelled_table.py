"""The download: the analyst's own table back, with the clusters and the settings that made them.

Every row and column of the file comes back as it was read (raw values, text
and unused columns, the header's names), with three columns added: the
cluster, how the row got it, and the row's place in the file. A random sample
gives every other row the cluster whose centroid is nearest. The table is
written as CSV that a spreadsheet cannot run (text cells that would start a
formula are neutralised as OWASP recommends) and zipped with ``settings.json``.
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

from . import __version__

CLUSTERED = "clustered"
ASSIGNED = "assigned to the nearest cluster centroid"
ASSIGNED_DISTANCES = "assigned to the cluster at the least mean distance"
DROPPED = "not clustered"

# A spreadsheet treats a cell starting with one of these as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Text that is nothing but a number: a spreadsheet reads it as that number, never as a formula.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# Rows × clusters compared at once when assigning (bounds memory to about 32 MB).
_CHUNK_CELLS = 4_000_000


def neutralise(text: str) -> str:
    """`text` made safe to open in a spreadsheet.

    A text cell beginning with ``= + - @``, a tab or a carriage return is
    prefixed with a single quote, so that the spreadsheet shows it as text
    instead of running it; text that is only a number (``-3.5``) is left as it is.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def is_missing(value) -> bool:
    """A cell pandas read as empty: None, pandas.NA or a float NaN."""
    if value is None or value is pd.NA:
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def csv_field(value) -> str:
    """One CSV field: numbers bare, missing cells empty, text quoted and neutralised.

    Whole numbers are written without a decimal point and other floats with
    the shortest text that reads back to the same double (``repr``).
    """
    if is_missing(value):
        return ""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return str(int(value))
    if isinstance(value, (float, np.floating)) and math.isfinite(value):
        number = float(value)
        if number.is_integer() and abs(number) < 2**53:
            return str(int(number))
        return repr(number)
    # Text, and the odd infinity: quoted, so that delimiters and quotes inside survive.
    return '"' + neutralise(str(value)).replace('"', '""') + '"'


def to_csv(frame: pd.DataFrame) -> str:
    """`frame` as RFC 4180 CSV (comma separated, CRLF line ends), safe for spreadsheets.

    Header names are text cells too, so they are quoted and neutralised.
    """
    lines = [",".join(csv_field(str(name)) for name in frame.columns)]
    columns = [frame[name].tolist() for name in frame.columns]
    lines += [",".join(csv_field(cell) for cell in row) for row in zip(*columns)]
    return "\r\n".join(lines) + "\r\n"


def assign_rows(values, clustered, labels, is_distance_matrix=False) -> np.ndarray:
    """A cluster for every row, given the clusters of some of them.

    Parameters
    ----------
    values : ndarray of shape (n, m), or (n, n) for a distance matrix
        Every row as it entered the distances (after scaling).
    clustered : ndarray of int
        Positions (into `values`) of the rows that were clustered.
    labels : ndarray of int
        The cluster of each row in `clustered`.
    is_distance_matrix : bool
        When True, a row joins the cluster at the least mean distance to its
        members; otherwise the cluster whose centroid (mean of its members'
        values) is nearest in Euclidean distance.

    Returns
    -------
    ndarray of int, shape (n,)
        `labels` at the clustered positions; the others assigned. Equal
        distances go to the lowest-numbered cluster.
    """
    values = np.asarray(values, dtype=float)
    clustered = np.asarray(clustered, dtype=np.int64)
    labels = np.asarray(labels, dtype=np.int64)
    if clustered.shape != labels.shape:
        raise ValueError("clustered and labels must have the same length")
    n = values.shape[0]
    result = np.zeros(n, dtype=np.int64)
    result[clustered] = labels
    others = np.setdiff1d(np.arange(n), clustered)
    if others.size == 0:
        return result
    names, index = np.unique(labels, return_inverse=True)  # sorted: ties go to the lowest label
    counts = np.bincount(index, minlength=names.size).astype(float)
    if not is_distance_matrix:
        centroids = np.zeros((names.size, values.shape[1]))
        np.add.at(centroids, index, values[clustered])
        centroids /= counts[:, None]
    step = max(1, _CHUNK_CELLS // max(names.size, clustered.size if is_distance_matrix else 1))
    for start in range(0, others.size, step):
        rows = others[start : start + step]
        if is_distance_matrix:
            sums = np.zeros((rows.size, names.size))
            for j in range(names.size):
                sums[:, j] = values[np.ix_(rows, clustered[index == j])].sum(axis=1)
            scores = sums / counts
        else:
            scores = cdist(values[rows], centroids)
        result[rows] = names[np.argmin(scores, axis=1)]
    return result


def missing_reasons(frame: pd.DataFrame, rows, features) -> list:
    """Why each of `rows` (positions in `frame`) was left out: its missing features."""
    reasons = []
    present = [f for f in features if f in frame.columns]
    for i in rows:
        gaps = [f"'{f}'" for f in present if is_missing(frame[f].iloc[int(i)])]
        what = ", ".join(gaps) if gaps else "a chosen column"
        reasons.append(f"{DROPPED}: missing value in {what}")
    return reasons


def _free_name(name, taken):
    while name in taken:
        name += "_"
    return name


def labelled_table(
    frame,
    row_numbers,
    row_column,
    kept_rows,
    kept_values,
    clustered_rows,
    labels,
    features=(),
    is_distance_matrix=False,
):
    """The file's table with a cluster for every row that could have one.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read from the file: every row and column.
    row_numbers : sequence of int
        Each row's place in the file (its line, its sheet row, or 1, 2, …).
    row_column : str
        Name of the column that holds `row_numbers`.
    kept_rows : ndarray of int
        Positions in `frame` of the rows that entered the data (sorted), the
        others having been dropped for missing values.
    kept_values : ndarray
        Those rows' values as clustered (scaled), or their distance matrix.
    clustered_rows : ndarray of int
        Positions in `frame` of the rows that were clustered: all of
        `kept_rows`, or a random sample of them.
    labels : ndarray of int
        The cluster of each of `clustered_rows`.
    features : sequence of str
        Feature columns, to name the cause when a row was dropped.
    is_distance_matrix : bool

    Returns
    -------
    pandas.DataFrame
        `frame`'s columns, then ``cluster`` (empty for a dropped row),
        ``cluster_status`` and `row_column` (a name already in the file gets
        ``_`` appended).
    """
    kept_rows = np.asarray(kept_rows, dtype=np.int64)
    clustered_rows = np.asarray(clustered_rows, dtype=np.int64)
    n = len(frame)
    if len(row_numbers) != n:
        raise ValueError("row_numbers must give every row of the frame")
    position = np.full(n, -1, dtype=np.int64)
    position[kept_rows] = np.arange(kept_rows.size)
    if np.any(position[clustered_rows] < 0):
        raise ValueError("every clustered row must be a kept row")
    assigned = assign_rows(kept_values, position[clustered_rows], labels, is_distance_matrix)
    cluster = pd.array([pd.NA] * n, dtype="Int64")
    cluster[kept_rows] = assigned
    status = np.full(n, "", dtype=object)
    status[kept_rows] = ASSIGNED_DISTANCES if is_distance_matrix else ASSIGNED
    status[clustered_rows] = CLUSTERED
    dropped = np.setdiff1d(np.arange(n), kept_rows)
    status[dropped] = missing_reasons(frame, dropped, features)
    table = frame.reset_index(drop=True).copy()
    taken = set(map(str, table.columns))
    for name, column in (
        ("cluster", cluster),
        ("cluster_status", status),
        (row_column, np.asarray(row_numbers, dtype=np.int64)),
    ):
        name = _free_name(name, taken)
        taken.add(name)
        table[name] = column
    return table


def settings_document(**sections) -> dict:
    """The settings that made the clusters, with the app's version, for ``settings.json``."""
    return {"app": "hierarchical clustering explorer", "version": __version__, **sections}


def download_archive(table: pd.DataFrame, settings: dict) -> bytes:
    """A zip of ``clusters.csv`` (UTF-8 with BOM, which Excel needs) and ``settings.json``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("clusters.csv", to_csv(table).encode("utf-8-sig"))
        archive.writestr("settings.json", json.dumps(settings, indent=2, ensure_ascii=False))
    return buffer.getvalue()
