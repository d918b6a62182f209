"""Datasets: the tutorial's presets and the container every other module reads.

A :class:`Dataset` is immutable once built and identified by a content hash,
so results computed from it can be cached and shared safely.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field

import numpy as np
from scipy.cluster.vq import whiten

from .errors import InputError

# Two observations are the least that can be clustered.
MIN_ROWS = 2


@dataclass(frozen=True)
class Dataset:
    """A numeric matrix ready for clustering.

    Parameters
    ----------
    values : ndarray of shape (n, m)
        Finite float observations, one row per sample.
    feature_names : tuple of str
        One name per column of `values`.
    name : str
        What the user sees in the status line.
    labels : tuple of str, optional
        One label per row, used for leaves, hovers and the download.
    notes : tuple of str
        Facts about how the data was made or cleaned, shown to the user.
    is_distance_matrix : bool
        True when `values` is a square distance matrix rather than
        observation vectors.
    source_rows : ndarray of int, optional
        For each row of `values`, its 0-based position among the data rows
        of the table it was built from (rows dropped for missing values and
        rows left out of a sample leave gaps); ``0 .. n-1`` by default. The
        download joins the clusters back onto the file by these positions.
        Not part of :attr:`content_hash`: it does not change a clustering.
    label_name : str, optional
        The name of the column `labels` were read from, for axis titles; None
        when the labels are row numbers or a distance matrix's header.
    """

    values: np.ndarray
    feature_names: tuple
    name: str
    labels: tuple | None = None
    notes: tuple = field(default_factory=tuple)
    is_distance_matrix: bool = False
    source_rows: np.ndarray | None = None
    label_name: str | None = None

    def __post_init__(self):
        values = np.ascontiguousarray(self.values, dtype=float)
        if values.ndim != 2:
            raise InputError(
                f"Data must be a table of rows and columns, got {values.ndim} dimension(s)."
            )
        if values.shape[0] < MIN_ROWS:
            raise InputError(
                f"At least {MIN_ROWS} rows are needed to cluster; the data has {values.shape[0]}."
            )
        if values.shape[1] < 1:
            raise InputError("The data has no numeric column to cluster on.")
        if len(self.feature_names) != values.shape[1]:
            raise ValueError("feature_names must name every column")
        if self.labels is not None and len(self.labels) != values.shape[0]:
            raise ValueError("labels must name every row")
        values.setflags(write=False)
        object.__setattr__(self, "values", values)
        if self.source_rows is None:
            rows = np.arange(values.shape[0])
        else:
            rows = np.array(self.source_rows, dtype=np.int64)
            if rows.shape != (values.shape[0],) or (rows.size and rows.min() < 0):
                raise ValueError("source_rows must give one non-negative position per row")
        rows.setflags(write=False)
        object.__setattr__(self, "source_rows", rows)

    @property
    def n_samples(self) -> int:
        return self.values.shape[0]

    @property
    def n_features(self) -> int:
        return self.values.shape[1]

    @functools.cached_property
    def content_hash(self) -> str:
        """SHA-256 of everything that changes a clustering result.

        Computed once per dataset and kept with it (also when it is pickled into the
        store): every shared result's key names it, several times per request.
        """
        digest = hashlib.sha256()
        digest.update(str(self.values.shape).encode())
        digest.update(self.values.tobytes())
        digest.update(repr(self.is_distance_matrix).encode())
        return digest.hexdigest()

    def leaf_names(self) -> list:
        """Labels when present, else sample indices as strings."""
        if self.labels is not None:
            return [str(label) for label in self.labels]
        return [str(i) for i in range(self.n_samples)]


def tutorial_blobs():
    """Return the tutorial's data sets ``X`` (150 x 2) and ``X2`` (750 x 2).

    Reproduces the tutorial exactly: numpy's legacy global generator seeded
    with 4711, two blobs for ``X``, then three more drawn from the same stream
    for ``X2``. A private ``RandomState`` gives the same stream without
    touching the global generator other users' requests may rely on.

    Returns
    -------
    X, X2 : ndarray
    """
    # (here, not at the top: hclust.generators builds on this module's Dataset)
    from .generators import TUTORIAL_BLOBS, TUTORIAL_SEED, TUTORIAL_X2_BLOBS, blobs

    X2, _ = blobs(TUTORIAL_BLOBS + TUTORIAL_X2_BLOBS, seed=TUTORIAL_SEED)
    return X2[: sum(blob.size for blob in TUTORIAL_BLOBS)].copy(), X2


def three_squares_whitened(seed=0):
    """Return the second tutorial's three uniform squares, whitened.

    Three groups of 30 points drawn uniformly from unit squares offset by 1,
    2.5 and 4, each feature then divided by its standard deviation with
    :func:`scipy.cluster.vq.whiten`, as that tutorial does.
    """
    rng = np.random.RandomState(seed)
    data = np.vstack((rng.rand(30, 2) + 1, rng.rand(30, 2) + 2.5, rng.rand(30, 2) + 4))
    return whiten(data)


PRESETS = {
    "tutorial-2-blobs": "Tutorial: 2 Gaussian blobs (150 × 2)",
    "tutorial-5-blobs": "Tutorial: 5 blobs of growing variance, X2 (750 × 2)",
    "three-squares": "Three uniform squares, whitened (90 × 2)",
}
DEFAULT_PRESET = "tutorial-2-blobs"


def preset_name(key: str) -> str:
    """The preset's name without its size: the status line says the size once, in words."""
    return PRESETS[key].rsplit(" (", 1)[0]


def load_preset(key: str) -> Dataset:
    """Build the preset dataset named `key` (one of :data:`PRESETS`)."""
    if key not in PRESETS:
        raise InputError(f"Unknown dataset '{key}'. Choose one of: {', '.join(PRESETS)}.")
    if key == "three-squares":
        values = three_squares_whitened()
        notes = ("Whitened: each feature divided by its standard deviation",)
    else:
        X, X2 = tutorial_blobs()
        values = X if key == "tutorial-2-blobs" else X2
        notes = (
            "Multivariate normal blobs drawn as the tutorial draws them, after np.random.seed(4711)",
        )
    return Dataset(values=values, feature_names=("x", "y"), name=preset_name(key), notes=notes)


def random_sample(dataset: Dataset, rows: int, seed: int = 0) -> Dataset:
    """A seeded random subset of `rows` samples, in their original order.

    For a distance matrix the sub-matrix of the chosen rows and columns is
    kept, so it stays square.
    """
    n = dataset.n_samples
    if not MIN_ROWS <= rows < n:
        raise InputError(f"A sample must have between {MIN_ROWS} and {n - 1:,} rows; got {rows:,}.")
    chosen = np.sort(np.random.default_rng(seed).choice(n, size=int(rows), replace=False))
    values = (
        dataset.values[np.ix_(chosen, chosen)]
        if dataset.is_distance_matrix
        else dataset.values[chosen]
    )
    labels = None if dataset.labels is None else tuple(dataset.labels[i] for i in chosen)
    # a Dataset pickled before source_rows existed reads the class default, None
    parent_rows = np.arange(n) if dataset.source_rows is None else np.asarray(dataset.source_rows)
    if labels is None:  # keep the original row numbers visible on leaves and in the download
        labels = tuple(str(i) for i in chosen)
    return Dataset(
        values=values,
        feature_names=tuple(f"{i}" for i in chosen)
        if dataset.is_distance_matrix
        else dataset.feature_names,
        name=f"{dataset.name}, random sample",
        labels=labels,
        notes=(*dataset.notes, f"random sample of {rows:,} of {n:,} rows (seed {seed})"),
        is_distance_matrix=dataset.is_distance_matrix,
        label_name=dataset.label_name,
        source_rows=parent_rows[chosen],
    )
