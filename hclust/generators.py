"""Synthetic two-dimensional datasets for teaching.

Gaussian blobs drawn as the tutorial draws them, plus shapes on which linkage
methods disagree: two moons and concentric rings (single linkage follows
them, Ward cuts them up) and elongated blobs. Every generator is seeded and
returns ``(X, y)``: the points and the index of the group each came from,
with groups in order (no shuffling), so a seed always gives the same data.
Settings arrive from the browser and are validated with
:class:`~hclust.errors.InputError` naming the setting at fault.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .data import MIN_ROWS, Dataset
from .errors import InputError

# Points a generator may produce: enough for any teaching example, small
# enough that the memory-light linkages stay interactive.
MAX_GENERATED_ROWS = 100_000
MAX_BLOBS = 20
MAX_SEED = 2**32 - 1  # numpy's RandomState accepts seeds below 2**32
NOISE_RANGE = (0.0, 10.0)  # the noise of the moons and rings, in their own units


@dataclass(frozen=True)
class Blob:
    """One multivariate normal blob in the plane.

    Attributes
    ----------
    size : int
        Number of points.
    mean : tuple of float
        ``(x, y)``.
    cov : tuple of tuple of float
        2 × 2 covariance, symmetric positive definite.
    """

    size: int
    mean: tuple
    cov: tuple

    @classmethod
    def from_std(cls, size, mean_x, mean_y, std_x, std_y, corr=0.0) -> Blob:
        """Blob from standard deviations and the x–y correlation."""
        covariance = corr * std_x * std_y
        return cls(size, (mean_x, mean_y), ((std_x**2, covariance), (covariance, std_y**2)))

    def as_row(self, digits=3) -> tuple:
        """``(size, mean x, mean y, std x, std y, corr)``, as the page's blob table shows it."""
        std_x, std_y = np.sqrt(self.cov[0][0]), np.sqrt(self.cov[1][1])
        corr = self.cov[0][1] / (std_x * std_y)
        return (self.size, *self.mean, *(round(float(v), digits) for v in (std_x, std_y, corr)))


# The tutorial's X: np.random.seed(4711), then these two draws in order.
TUTORIAL_BLOBS = (
    Blob(100, (10.0, 0.0), ((3.0, 1.0), (1.0, 4.0))),
    Blob(50, (0.0, 20.0), ((3.0, 1.0), (1.0, 4.0))),
)
TUTORIAL_SEED = 4711
# X2: the same stream goes on with three more blobs after X's two.
TUTORIAL_X2_BLOBS = (
    Blob(200, (40.0, 40.0), ((20.0, 1.0), (1.0, 30.0))),
    Blob(200, (80.0, 80.0), ((30.0, 1.0), (1.0, 30.0))),
    Blob(200, (0.0, 100.0), ((100.0, 1.0), (1.0, 100.0))),
)
# The generators as the dataset menu offers them (GENERATORS below names their data).
GENERATOR_MENU = {
    "blobs": "Gaussian blobs (set below)",
    "moons": "two moons",
    "rings": "concentric rings",
    "anisotropic": "elongated (anisotropic) blobs",
}
# The columns of a blob's row (Blob.as_row), as the page's blob table names them.
BLOB_COLUMNS = ("size", "mean x", "mean y", "std x", "std y", "corr")


def _number(value, what):
    """A finite float from a number or numeric string (table cells arrive as text)."""
    if isinstance(value, bool) or value is None:
        raise InputError(f"{what} must be a number, got {value!r}.")
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number, got {value!r}.") from None
    if not math.isfinite(number):
        raise InputError(f"{what} must be a finite number, got {value!r}.")
    return number


def _whole(value, what, low, high):
    number = _number(value, what)
    if not number.is_integer() or not low <= number <= high:
        raise InputError(f"{what} must be a whole number from {low:,} to {high:,}, got {value!r}.")
    return int(number)


def _seed(seed):
    return _whole(seed, "The seed", 0, MAX_SEED)


def _pair(value, what, convert=True):
    """Two values, e.g. (x, y), each a finite number unless `convert` is false."""
    if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__len__") or len(value) != 2:
        raise InputError(f"{what} must be a pair of values, got {value!r}.")
    if not convert:
        return list(value)
    return [_number(v, f"{what} ({axis})") for v, axis in zip(value, "xy")]


def _blob(spec, index):
    """Validate one blob given as a :class:`Blob` or a mapping of settings."""
    where = f"Blob {index + 1}"
    if isinstance(spec, Blob):
        size, mean, cov = spec.size, spec.mean, spec.cov
    elif isinstance(spec, Mapping):
        size = spec.get("size")
        if "mean" in spec:
            mean = spec["mean"]
        else:
            mean = (spec.get("mean_x"), spec.get("mean_y"))
        if "cov" in spec:
            cov = spec["cov"]
        else:
            std_x = _number(spec.get("std_x"), f"{where}: std_x")
            std_y = _number(spec.get("std_y"), f"{where}: std_y")
            corr = _number(spec.get("corr", 0.0), f"{where}: correlation")
            for name, std in (("std_x", std_x), ("std_y", std_y)):
                if std <= 0:
                    raise InputError(f"{where}: {name} must be greater than 0, got {std:g}.")
            if not -1 < corr < 1:
                raise InputError(
                    f"{where}: correlation must be strictly between -1 and 1, got {corr:g}."
                )
            cov = Blob.from_std(0, 0, 0, std_x, std_y, corr).cov
    else:
        raise InputError(f"{where}: expected blob settings, got {type(spec).__name__}.")
    size = _whole(size, f"{where}: size", 1, MAX_GENERATED_ROWS)
    mean_xy = _pair(mean, f"{where}: mean")
    rows = _pair(cov, f"{where}: covariance", convert=False)
    cov_matrix = np.array(
        [_pair(row, f"{where}: covariance row {i + 1}") for i, row in enumerate(rows)]
    )
    if cov_matrix[0, 1] != cov_matrix[1, 0]:
        raise InputError(
            f"{where}: the covariance must be symmetric, got {cov_matrix[0, 1]:g} and {cov_matrix[1, 0]:g}."
        )
    if not np.all(np.linalg.eigvalsh(cov_matrix) > 0):
        raise InputError(
            f"{where}: the covariance {cov_matrix.tolist()} is not positive definite: both variances must be "
            "greater than 0 and the correlation strictly between -1 and 1."
        )
    return size, mean_xy, cov_matrix


def blobs(specs=TUTORIAL_BLOBS, seed=TUTORIAL_SEED):
    """Draw multivariate normal blobs in order from one seeded stream.

    Draws exactly as the tutorial does, ``multivariate_normal(mean, cov,
    size)`` per blob from ``np.random.RandomState(seed)``, so
    ``blobs(TUTORIAL_BLOBS, seed=4711)[0]`` is the tutorial's ``X``.

    Parameters
    ----------
    specs : sequence of Blob or mapping
        The tutorial's two blobs by default. Each either a :class:`Blob` or a mapping with ``size``, ``mean_x``,
        ``mean_y`` and either ``std_x``, ``std_y``, ``corr`` or ``cov``
        (2 × 2); ``mean`` may replace ``mean_x``/``mean_y``.
    seed : int
        0 to 2**32 - 1.

    Returns
    -------
    X : ndarray of shape (n, 2)
    y : ndarray of shape (n,)
        Index of the blob each point came from.

    Raises
    ------
    InputError
        Naming the blob and setting at fault, or the total size limit.
    """
    if isinstance(specs, (Mapping, Blob)) or not hasattr(specs, "__len__"):
        raise InputError("Give a list of blobs.")
    if not 1 <= len(specs) <= MAX_BLOBS:
        raise InputError(f"Give between 1 and {MAX_BLOBS} blobs, got {len(specs)}.")
    checked = [_blob(spec, i) for i, spec in enumerate(specs)]
    total = sum(size for size, _, _ in checked)
    if total > MAX_GENERATED_ROWS:
        raise InputError(
            f"The blobs add up to {total:,} points; at most {MAX_GENERATED_ROWS:,} can be generated."
        )
    if total < MIN_ROWS:
        raise InputError(
            f"The blobs add up to {total} point; at least {MIN_ROWS} are needed to cluster."
        )
    rng = np.random.RandomState(_seed(seed))
    parts = [rng.multivariate_normal(mean, cov, size=[size]) for size, mean, cov in checked]
    groups = np.repeat(np.arange(len(checked)), [size for size, _, _ in checked])
    return np.concatenate(parts), groups


def _check_n(n):
    return _whole(n, "The number of points", MIN_ROWS, MAX_GENERATED_ROWS)


def _check_noise(noise):
    noise = _number(noise, "The noise")
    low, high = NOISE_RANGE
    if not low <= noise <= high:
        raise InputError(f"The noise must be from {low:g} to {high:g}, got {noise:g}.")
    return noise


def two_moons(n=200, noise=0.05, seed=0):
    """Two interleaving half circles (``sklearn.datasets.make_moons``, unshuffled).

    Returns
    -------
    X : ndarray of shape (n, 2)
    y : ndarray of shape (n,)
        0 for the upper moon (first ``n // 2`` points), 1 for the lower.
    """
    from sklearn.datasets import make_moons  # deferred: sklearn is slow to import

    return make_moons(
        n_samples=_check_n(n), noise=_check_noise(noise), random_state=_seed(seed), shuffle=False
    )


def concentric_rings(n=200, noise=0.05, factor=0.5, seed=0):
    """A ring inside a ring (``sklearn.datasets.make_circles``, unshuffled).

    Parameters
    ----------
    factor : float
        Inner radius over outer radius, strictly between 0 and 1.

    Returns
    -------
    X : ndarray of shape (n, 2)
    y : ndarray of shape (n,)
        0 for the outer ring (first ``n // 2`` points), 1 for the inner.
    """
    from sklearn.datasets import make_circles

    factor = _number(factor, "The ring factor")
    if not 0 < factor < 1:
        raise InputError(
            f"The ring factor (inner radius / outer radius) must be strictly between 0 and 1, got {factor:g}."
        )
    return make_circles(
        n_samples=_check_n(n),
        noise=_check_noise(noise),
        factor=factor,
        random_state=_seed(seed),
        shuffle=False,
    )


# scikit-learn's "anisotropically distributed blobs" example stretches with this.
ANISOTROPIC_TRANSFORM = ((0.6, -0.6), (-0.4, 0.8))


def anisotropic_blobs(n=300, n_blobs=3, seed=170):
    """Elongated blobs: isotropic blobs sheared by :data:`ANISOTROPIC_TRANSFORM`.

    With the defaults this is scikit-learn's clustering-comparison example.

    Returns
    -------
    X : ndarray of shape (n, 2)
    y : ndarray of shape (n,)
        Index of the blob, in order.
    """
    from sklearn.datasets import make_blobs

    n = _check_n(n)
    n_blobs = _whole(n_blobs, "The number of blobs", 1, min(MAX_BLOBS, n))
    X, y = make_blobs(n_samples=n, centers=n_blobs, random_state=_seed(seed), shuffle=False)
    return X @ np.array(ANISOTROPIC_TRANSFORM), y


GENERATORS = {
    "blobs": "Gaussian blobs",
    "moons": "Two moons",
    "rings": "Concentric rings",
    "anisotropic": "Elongated blobs",
}


def generated_dataset(kind, **params) -> Dataset:
    """Run the generator named `kind` and wrap the points in a :class:`Dataset`.

    Parameters
    ----------
    kind : {'blobs', 'moons', 'rings', 'anisotropic'}
    **params
        Passed on: ``specs`` and ``seed`` for blobs; ``n``, ``noise``,
        ``factor``, ``n_blobs`` and ``seed`` as the generator takes them.

    Returns
    -------
    Dataset
        Features ``x`` and ``y``; the notes record the settings and seed so
        the data can be made again.
    """
    functions = {
        "blobs": blobs,
        "moons": two_moons,
        "rings": concentric_rings,
        "anisotropic": anisotropic_blobs,
    }
    assert set(functions) == set(GENERATORS) == set(GENERATOR_MENU)
    if kind not in functions:
        raise InputError(f"Unknown generator '{kind}'. Choose one of: {', '.join(functions)}.")
    accepted = inspect.signature(functions[kind]).parameters
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise InputError(
            f"Unknown setting(s) for '{kind}': {', '.join(unknown)}. It takes: {', '.join(accepted)}."
        )
    X, _ = functions[kind](**params)
    # n is said once, in the status line's row count
    shown = {k: v for k, v in params.items() if k not in ("specs", "n")}
    settings = ", ".join(f"{k}={v!r}" for k, v in sorted(shown.items()))
    notes = [f"Generated: {GENERATORS[kind]}" + (f" ({settings})" if settings else "")]
    if kind == "blobs":
        for i, spec in enumerate(params.get("specs", ())):
            size, mean, cov = _blob(spec, i)
            notes.append(f"Blob {i + 1}: {size} points, mean {mean}, covariance {cov.tolist()}")
    # the size is said once, in the status line
    name = GENERATORS[kind]
    return Dataset(values=X, feature_names=("x", "y"), name=name, notes=tuple(notes))
