"""Two-dimensional views of the data for the scatter plot."""

from __future__ import annotations

import numpy as np


def principal_components(
    values: np.ndarray, n_components: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Project centred data onto its first principal components.

    Returns
    -------
    scores : ndarray of shape (n, n_components)
    explained : ndarray of shape (n_components,)
        Fraction of the total variance each component explains.
    """
    centred = values - values.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    k = min(n_components, vt.shape[0])
    scores = centred @ vt[:k].T
    total = float((singular**2).sum()) or 1.0
    explained = singular[:k] ** 2 / total
    if k < n_components:  # one feature: pad so callers always get two columns
        scores = np.column_stack([scores, np.zeros((len(values), n_components - k))])
        explained = np.concatenate([explained, np.zeros(n_components - k)])
    return scores, explained
