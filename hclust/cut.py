"""Cutting the tree: height <-> number of clusters, flat labels, stable colours.

Everything here is O(n) on a computed linkage, so moving the cut never
recomputes Z. Heights are *cophenetic* (monotone) heights: for a linkage with
inversions a node is only merged when its whole subtree is, which is what
``fcluster(..., criterion='distance')`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster

from .errors import InputError

CRITERIA = ("distance", "maxclust", "inconsistent", "monocrit", "maxclust_monocrit")
CRITERION_DESCRIPTIONS = {
    "distance": "distance: cut at a height (the line)",
    "maxclust": "maxclust: at most k clusters",
    "inconsistent": "inconsistent: inconsistency ≤ t",
    "monocrit": "monocrit: max inconsistency (MR) ≤ t",
    "maxclust_monocrit": "maxclust_monocrit: MR threshold giving ≤ k clusters",
}
# Criteria that amount to one horizontal line across the dendrogram.
HORIZONTAL_CRITERIA = frozenset({"distance", "maxclust"})


def monotone_heights(Z: np.ndarray) -> np.ndarray:
    """Height of each merge raised to the highest merge beneath it.

    Equal to ``Z[:, 2]`` for monotonic linkages. For centroid or median
    linkage with inversions this is the height at which ``fcluster`` with the
    distance criterion treats the merge as done.

    Returns
    -------
    ndarray of shape (n - 1,)
    """
    heights = Z[:, 2].astype(float).copy()
    if np.all(np.diff(heights) >= 0):
        return heights
    n = Z.shape[0] + 1
    children = Z[:, :2].astype(np.int64)
    for i in range(Z.shape[0]):  # children always come before their parent
        for child in children[i]:
            if child >= n and heights[child - n] > heights[i]:
                heights[i] = heights[child - n]
    return heights


def n_clusters_at(sorted_heights: np.ndarray, height: float) -> int:
    """Number of flat clusters a cut at `height` gives.

    Parameters
    ----------
    sorted_heights : ndarray
        ``np.sort(monotone_heights(Z))``.
    height : float
    """
    return int(len(sorted_heights) - np.searchsorted(sorted_heights, height, side="right") + 1)


@dataclass(frozen=True)
class CutForK:
    """Where to cut for k clusters: a height, or why there is none."""

    height: float | None
    low: float | None = None
    high: float | None = None
    reason: str = ""


def cut_in_gap(low: float, high: float) -> float:
    """A height t with ``low <= t < high``: the middle of the gap when it lies strictly inside.

    fcluster joins every merge at or below the cut, so any such t leaves the
    merges at `low` done and those at `high` undone. The midpoint of two
    adjacent floating-point numbers rounds onto one of them (onto `high` half
    the time), so it is checked; when no float lies strictly between them the
    cut sits on `low` itself, which still gives the count of the gap.
    """
    middle = (low + high) / 2 if np.isfinite(low + high) else low / 2 + high / 2
    if low < middle < high:
        return float(middle)
    above = np.nextafter(low, np.inf)
    return float(above if above < high else low)


def above_top(top: float) -> float:
    """A height above the highest merge, where everything is one cluster."""
    height = top + max(abs(top) * 0.05, 1e-9)
    return float(height if np.isfinite(height) else np.nextafter(top, np.inf))


def height_for_k(sorted_heights: np.ndarray, k: int) -> CutForK:
    """A cut in the gap of heights that gives exactly `k` clusters, checked under fcluster's rule.

    Parameters
    ----------
    sorted_heights : ndarray
        ``np.sort(monotone_heights(Z))`` of length n - 1.
    k : int
        Wanted number of clusters, 1 <= k <= n.

    Returns
    -------
    CutForK
        ``height`` is the middle of the gap (see :func:`cut_in_gap` for
        gaps too narrow to have one); it is only offered after
        :func:`n_clusters_at` has confirmed that it gives `k` clusters.
        ``height`` is None, with a ``reason``, when ties among merge heights
        make exactly `k` clusters impossible.
    """
    n = len(sorted_heights) + 1
    if not 1 <= k <= n:
        raise InputError(
            f"The number of clusters must be between 1 and {n} (the number of samples); got {k}."
        )
    top = sorted_heights[-1]
    if k == 1:
        cut = CutForK(height=above_top(top), low=float(top), high=None)
    else:
        low = sorted_heights[n - k - 1] if k < n else None
        high = sorted_heights[n - k]
        if low is None:
            if high <= 0:
                return CutForK(
                    None,
                    reason=f"{n} clusters would need a cut below 0: some samples are identical.",
                )
            cut = CutForK(height=cut_in_gap(0.0, float(high)), low=0.0, high=float(high))
        elif high <= low:
            below = n_clusters_at(sorted_heights, np.nextafter(low, -np.inf))
            above = n_clusters_at(sorted_heights, low)
            return CutForK(
                None,
                low=float(low),
                high=float(high),
                reason=(
                    f"No cut gives exactly {k} clusters: several merges tie at height {low:.6g}, "
                    f"so the count jumps from {above} to {below} there."
                ),
            )
        else:
            cut = CutForK(
                height=cut_in_gap(float(low), float(high)), low=float(low), high=float(high)
            )
    found = n_clusters_at(sorted_heights, cut.height)
    if found != k:  # not expected after the checks above; never offer a cut that is not k
        return CutForK(
            None,
            low=cut.low,
            high=cut.high,
            reason=f"No cut height gives exactly {k} clusters here (the nearest gives {found}).",
        )
    return cut


def largest_gap_cut(sorted_heights: np.ndarray) -> float:
    """The middle of the largest jump between successive merge heights.

    This is the tutorial's "huge jump" and the page's default cut. It gives at
    least two clusters whenever the tree has two or more merges.
    """
    if len(sorted_heights) < 2:
        return float(sorted_heights[0] / 2) if len(sorted_heights) else 0.0
    gaps = np.diff(sorted_heights)
    i = int(np.argmax(gaps))
    return float((sorted_heights[i] + sorted_heights[i + 1]) / 2)


def labels_at(Z: np.ndarray, height: float) -> np.ndarray:
    """Flat cluster labels 1..k for a cut at `height`, as scipy numbers them.

    Exactly ``fcluster(Z, height, 'distance')``. scipy's numbering does not
    follow the dendrogram from left to right; map a cluster's root to its
    label with :meth:`TreeIndex.root_labels`.
    """
    return fcluster(Z, height, criterion="distance")


@dataclass(frozen=True)
class TreeIndex:
    """Arrays about every node of the tree, computed once per linkage.

    Node ids follow scipy: leaves are 0..n-1 and merge ``i`` is node ``n + i``.
    Positions are ranks in the dendrogram's left-to-right leaf order, so every
    node covers the contiguous positions ``start .. start + size - 1``.

    Attributes
    ----------
    n : int
    leaf_order : ndarray of shape (n,)
        Leaves from left to right, as ``scipy.cluster.hierarchy.leaves_list``.
    node_height : ndarray of shape (2n - 1,)
        Monotone heights, 0 for leaves.
    sorted_heights : ndarray of shape (n - 1,)
    parent : ndarray of shape (2n - 1,)
        Parent node id, -1 for the root.
    start, size : ndarray of shape (2n - 1,)
        First position and number of leaves under each node.
    """

    n: int
    leaf_order: np.ndarray
    node_height: np.ndarray
    sorted_heights: np.ndarray
    parent: np.ndarray
    start: np.ndarray
    size: np.ndarray

    @classmethod
    def from_linkage(cls, Z: np.ndarray) -> TreeIndex:
        from scipy.cluster.hierarchy import leaves_list

        n = Z.shape[0] + 1
        leaf_order = leaves_list(Z)
        heights = monotone_heights(Z)
        position = np.empty(n, dtype=np.int64)
        position[leaf_order] = np.arange(n)
        start = np.concatenate([position, np.zeros(n - 1, dtype=np.int64)])
        size = np.concatenate([np.ones(n, dtype=np.int64), Z[:, 3].astype(np.int64)])
        parent = np.full(2 * n - 1, -1, dtype=np.int64)
        left = Z[:, 0].astype(np.int64)
        right = Z[:, 1].astype(np.int64)
        parent[left] = np.arange(n, 2 * n - 1)
        parent[right] = np.arange(n, 2 * n - 1)
        # children come before parents, so one pass fills every start
        start_list = start.tolist()
        for i, (a, b) in enumerate(zip(left.tolist(), right.tolist())):
            start_list[n + i] = min(start_list[a], start_list[b])
        return cls(
            n=n,
            leaf_order=leaf_order,
            node_height=np.concatenate([np.zeros(n), heights]),
            sorted_heights=np.sort(heights),
            parent=parent,
            start=np.asarray(start_list, dtype=np.int64),
            size=size,
        )

    def cluster_roots(self, height: float) -> np.ndarray:
        """Node ids at the top of each flat cluster of a cut at `height`.

        Returned in left-to-right order. Their flat labels (which scipy does
        not number left to right) come from :meth:`root_labels`.
        """
        parent_height = np.where(self.parent >= 0, self.node_height[self.parent], np.inf)
        is_root = (self.node_height <= height) & (parent_height > height)
        roots = np.flatnonzero(is_root)
        return roots[np.argsort(self.start[roots], kind="stable")]

    def pure_nodes(self, labels: np.ndarray) -> np.ndarray:
        """Mask of nodes whose samples all share one flat label, in O(n).

        A node is pure when the labels along its span of leaf positions never
        change; a running count of changes answers that for every node at once.
        """
        by_position = labels[self.leaf_order]
        changes = np.concatenate([[0], np.cumsum(by_position[1:] != by_position[:-1])])
        end = self.start + self.size - 1
        return changes[end] == changes[self.start]

    def partition_roots(self, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Roots of the clusters of any flat partition that ``fcluster`` makes.

        Every ``fcluster`` criterion cuts the tree into whole subtrees, so each
        flat cluster has one root: a pure node whose parent is not pure. This
        serves cuts that are not a single height (inconsistent, monocrit).

        Returns
        -------
        roots : ndarray
            Left to right.
        pure : ndarray of bool, shape (2n - 1,)
        """
        pure = self.pure_nodes(labels)
        parent_pure = np.where(self.parent >= 0, pure[np.maximum(self.parent, 0)], False)
        roots = np.flatnonzero(pure & ~parent_pure)
        return roots[np.argsort(self.start[roots], kind="stable")], pure

    def root_labels(self, roots: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """The flat label of each root, read from its leftmost sample."""
        return labels[self.leaf_order[self.start[roots]]]


# CARTOColors' colour-blind-safe qualitative scheme "Safe" (Paul Tol's muted colours
# and two more), keeping the eight of its colours with at least 3:1 contrast on the
# plots' white background (WCAG 1.4.11); its pale cyan, sand and teal fall below.
# Under simulated deuteranopia, protanopia and tritanopia (Machado et al. 2009) any two
# stay at least 11 CAM02-UCS units apart (tests/unit/test_palette.py). Largest cluster first.
PALETTE = (
    "#332288",  # indigo
    "#CC6677",  # rose
    "#117733",  # green
    "#6699CC",  # blue
    "#AA4499",  # purple
    "#999933",  # olive
    "#882255",  # wine
    "#661100",  # brown
)
# Links above the cut: a light grey, 3.2:1 on white, apart from every colour above.
ABOVE_CUT_COLOUR = "#909090"
# Clusters beyond the palette's eight: a darker grey (5.7:1), apart from both.
OVERFLOW_COLOUR = "#666666"
OVERFLOW = -1
# A second cue besides colour (WCAG 1.4.1): a marker symbol per palette index, as
# plotly names them (each drawn by both SVG and WebGL scatter plots). The dark grey of
# the clusters beyond the palette, most of the points at a deep cut, is the circle:
# plotly's WebGL draws it without a distance-field texture, which took software WebGL
# about twice as long a point for 20,000 points (issue 12 §5).
SYMBOLS = (
    "hexagon",
    "square",
    "diamond",
    "triangle-up",
    "x",
    "triangle-down",
    "cross",
    "star",
)
OVERFLOW_SYMBOL = "circle"


def assign_colours(tree: TreeIndex, roots: np.ndarray, previous: dict | None = None) -> np.ndarray:
    """Palette index for each cluster root, stable as the cut moves.

    A cluster whose root node was coloured before keeps its colour. When
    clusters split or merge, the new cluster that shares the most samples
    with an old one inherits that one's colour. The rest take the first free
    colours. With more clusters than colours, the smallest get
    :data:`OVERFLOW` (drawn pale grey) rather than a repeated colour.

    Parameters
    ----------
    tree : TreeIndex
    roots : ndarray
        From :meth:`TreeIndex.cluster_roots`.
    previous : dict, optional
        ``{node id: palette index}`` from the last cut.

    Returns
    -------
    ndarray of int, one entry per root
    """
    previous = {
        int(k): int(v)
        for k, v in (previous or {}).items()
        if int(v) >= 0 and int(k) < len(tree.size)
    }
    colours = np.full(len(roots), OVERFLOW, dtype=np.int64)
    taken = set()
    by_size = sorted(range(len(roots)), key=lambda j: (-tree.size[roots[j]], tree.start[roots[j]]))
    coloured = set(by_size[: len(PALETTE)])
    # old clusters left to right, so equal overlaps go to the leftmost (the browser's
    # recolouring in assets/cut_recolour.js breaks ties the same way)
    old_nodes = np.asarray(sorted(previous, key=lambda node: tree.start[node]), dtype=np.int64)
    # pass 1: unchanged clusters; pass 2: the largest overlap with an old cluster
    for j in by_size:
        node = int(roots[j])
        if j in coloured and node in previous and previous[node] not in taken:
            colours[j] = previous[node]
            taken.add(previous[node])
    for j in by_size:
        if j not in coloured or colours[j] != OVERFLOW or not len(old_nodes):
            continue
        node = roots[j]
        lo, hi = tree.start[node], tree.start[node] + tree.size[node]
        old_lo = tree.start[old_nodes]
        old_hi = old_lo + tree.size[old_nodes]
        overlap = np.minimum(hi, old_hi) - np.maximum(lo, old_lo)
        for candidate in np.argsort(-overlap, kind="stable"):
            if overlap[candidate] <= 0:
                break
            colour = previous[int(old_nodes[candidate])]
            if colour not in taken:
                colours[j] = colour
                taken.add(colour)
                break
    free = [c for c in range(len(PALETTE)) if c not in taken]
    for j in sorted(coloured, key=lambda j: tree.start[roots[j]]):
        if colours[j] == OVERFLOW:
            colours[j] = free.pop(0)
    return colours


def colour_hex(index: int) -> str:
    """The colour drawn for a palette index from :func:`assign_colours`."""
    return OVERFLOW_COLOUR if index == OVERFLOW else PALETTE[index]


def colour_symbol(index: int) -> str:
    """The marker symbol drawn for a palette index from :func:`assign_colours`."""
    return OVERFLOW_SYMBOL if index == OVERFLOW else SYMBOLS[index]


def flat_clusters(
    Z: np.ndarray, criterion: str, *, height=None, k=None, t=None, depth=2
) -> np.ndarray:
    """Flat labels by any ``fcluster`` criterion, validated first.

    Parameters
    ----------
    criterion : str
        One of :data:`CRITERIA`.
    height : float
        For ``'distance'``.
    k : int
        For ``'maxclust'`` and ``'maxclust_monocrit'``.
    t : float
        Threshold for ``'inconsistent'`` and ``'monocrit'``.
    depth : int
        Depth of the inconsistency statistics the last three criteria use.
        ``'monocrit'`` and ``'maxclust_monocrit'`` take as monocrit the
        maximum inconsistency below each node, ``maxRstat(Z, R, 3)``, as
        scipy's documentation shows.
    """
    from scipy.cluster.hierarchy import inconsistent, maxRstat

    n = Z.shape[0] + 1
    if criterion not in CRITERIA:
        raise InputError(f"Unknown criterion '{criterion}'. Choose one of: {', '.join(CRITERIA)}.")
    if criterion == "distance":
        if height is None or not np.isfinite(height) or height < 0:
            raise InputError("The distance criterion needs a cut height of 0 or more.")
        return fcluster(Z, height, criterion="distance")
    if criterion in ("maxclust", "maxclust_monocrit"):
        if k is None or int(k) != k or not 1 <= k <= n:
            raise InputError(f"k must be a whole number from 1 to {n}.")
    else:
        if t is None or not np.isfinite(t):
            raise InputError(f"The {criterion} criterion needs a threshold t (a number).")
    if criterion == "maxclust":
        return fcluster(Z, int(k), criterion="maxclust")
    if depth is None or int(depth) != depth or not 1 <= depth <= 100:
        raise InputError("Depth must be a whole number from 1 to 100.")
    R = inconsistent(Z, int(depth))
    if criterion == "inconsistent":
        return fcluster(Z, t, criterion="inconsistent", depth=int(depth), R=R)
    MR = maxRstat(Z, R, 3)
    if criterion == "monocrit":
        return fcluster(Z, t, criterion="monocrit", monocrit=MR)
    return fcluster(Z, int(k), criterion="maxclust_monocrit", monocrit=MR)


def step_cut(sorted_heights: np.ndarray, height: float, direction: int) -> float:
    """Move a cut across exactly one distinct merge height, up (+1) or down (-1).

    Up, the new cut t has ``level <= t < next level`` for the first level
    above the cut; down, ``previous level <= t < level`` for the highest level
    at or below it. So under fcluster's rule (merges at or below the cut are
    joined) every step crosses exactly one level of merges and changes the
    number of clusters. The cut sits in the middle of the gap, or on the lower
    level when the gap has no float inside it (see :func:`cut_in_gap`).
    The cut stays put above the top, and where only merges at height 0 lie
    below it (identical samples, which no cut separates).
    """
    levels = np.unique(sorted_heights)
    if direction > 0:
        j = int(np.searchsorted(levels, height, side="right"))  # first level above the cut
        if j >= len(levels):
            return float(height)
        if j + 1 == len(levels):
            return above_top(float(levels[j]))
        return cut_in_gap(float(levels[j]), float(levels[j + 1]))
    j = int(np.searchsorted(levels, height, side="right")) - 1  # highest level at or below the cut
    if j < 0 or levels[j] <= 0:  # nothing below: merges at height 0 can never be undone
        return float(height)
    lower = float(levels[j - 1]) if j >= 1 else 0.0
    return cut_in_gap(lower, float(levels[j]))


def snap_to_gap(sorted_heights: np.ndarray, height: float, n_gaps: int = 8) -> float:
    """The middle of the large gap nearest to `height`.

    Large gaps are the `n_gaps` widest jumps between successive distinct merge
    heights, the ones a person reading the dendrogram would cut in.
    """
    levels = np.unique(sorted_heights)
    if len(levels) < 2:
        return float(height)
    gaps = np.diff(levels)
    widest = np.argsort(-gaps, kind="stable")[:n_gaps]
    middles = (levels[widest] + levels[widest + 1]) / 2
    return float(middles[np.argmin(np.abs(middles - height))])
