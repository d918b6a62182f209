"""Small public datasets shipped with the app, read through the upload path.

Each is a CSV file beside this module (sources and licences in README.md),
parsed by :func:`hclust.io.parse_upload` exactly as an upload would be, so
the bundled data also exercises the reader. Penguins has missing values on
purpose: it shows how :func:`hclust.preprocess.build_dataset` handles them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..data import Dataset
from ..errors import InputError
from ..io import ParsedTable, parse_upload
from ..preprocess import build_dataset

_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class BundledDataset:
    """A shipped CSV file and how to cluster it by default.

    Attributes
    ----------
    filename : str
    title : str
        What the user sees in the dataset menu.
    features : tuple of str
        Default feature columns.
    label_column : str
    scaling : str
        Default scaling: z-score where the features have different units.
    """

    filename: str
    title: str
    features: tuple
    label_column: str
    scaling: str


BUNDLED = {
    "iris": BundledDataset(
        "iris.csv",
        "Iris flowers (150 × 4, 3 species)",
        ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"),
        "species",
        # All four are lengths in cm: scaling would hide the petals' larger spread.
        "none",
    ),
    "penguins": BundledDataset(
        "penguins.csv",
        "Palmer penguins (344 × 4, 3 species, missing values)",
        ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"),
        "species",
        # Grams next to millimetres: unscaled, body mass alone would decide.
        "zscore",
    ),
}


def _entry(name):
    if name not in BUNDLED:
        raise InputError(f"Unknown bundled dataset '{name}'. Choose one of: {', '.join(BUNDLED)}.")
    return BUNDLED[name]


def load_bundled_table(name: str) -> ParsedTable:
    """The bundled dataset `name` as a :class:`ParsedTable`, for choosing columns."""
    entry = _entry(name)
    return parse_upload((_HERE / entry.filename).read_bytes(), entry.filename)


def load_bundled(name: str, scaling: str | None = None, missing: str = "drop") -> Dataset:
    """The bundled dataset `name` with its default features and labels.

    Parameters
    ----------
    name : {'iris', 'penguins'}
    scaling : str, optional
        Overrides the dataset's default scaling.
    missing : {'drop', 'mean'}
    """
    entry = _entry(name)
    return build_dataset(
        load_bundled_table(name),
        list(entry.features),
        label_column=entry.label_column,
        scaling=entry.scaling if scaling is None else scaling,
        missing=missing,
        name=entry.title,
    )
