"""Comparing two trees over the same samples: a tanglegram's leaf orders and agreement measures.

The measures follow R's dendextend (Galili 2015), the reference for comparing dendrograms:

- **entanglement** (dendextend ``entanglement``): the left tree's leaves get the values 1..n
  from top to bottom, each sample is matched to its position in the right tree, and the
  entanglement is ``sum(|x - y| ** L)`` (L = 1.5) divided by the same sum for a right tree
  in the exact reverse order, so it lies in [0, 1]: 0 when the orders agree, 1 when one
  is the other reversed.
- **Baker's gamma** (Baker 1974; dendextend ``cor_bakers_gamma``): for every pair of
  samples, the largest number of clusters k at which the two are still in one cluster,
  in each tree; gamma is the Spearman correlation of these two sets of k.
- **cophenetic correlation between the trees** (dendextend ``cor_cophenetic``): the Pearson
  correlation of the two trees' cophenetic distances.
- **adjusted Rand index** of the two trees' partitions at the same k.

The leaf orders are *untangled* by a greedy rotation of merges in the spirit of dendextend's
``untangle(method = "step2side")``: visit each merge of one tree from the root down, swap
its two children when that lowers the entanglement, alternate between the trees, and stop
when a whole round swaps nothing. A swap is kept only when it lowers the entanglement, so
the result is never more entangled than the trees as drawn.

Above :data:`COMPARE_FULL_MAX_N` samples the trees are compared through their truncated
versions (scipy's ``lastp``: the last p - 1 merges, p drawn leaves each). The drawn leaves
then differ between the two trees, so a line joins every left leaf to every right leaf that
shares samples with it, weighted by how many; the entanglement is the same sum over samples
with each sample at the middle of its drawn leaf's block of positions, which is the
definition above when every leaf is one sample. Baker's gamma and the cophenetic
correlation are then estimated on random pairs of samples of the full trees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import cophenet, fcluster
from scipy.stats import spearmanr
from sklearn.metrics import adjusted_rand_score

from .cut import TreeIndex
from .diagnostics import random_pairs

# Up to this many samples every sample is a leaf of the tanglegram and every pair is used.
COMPARE_FULL_MAX_N = 1_000
# Drawn leaves of each truncated tree above it, as the overview's lastp.
COMPARE_P = 60
ENTANGLEMENT_L = 1.5
# Pairs of samples the two correlations are estimated from above COMPARE_FULL_MAX_N.
COMPARE_SAMPLE_PAIRS = 200_000
# A whole round of the greedy rotation over both trees is this many at most.
MAX_UNTANGLE_ROUNDS = 20


@dataclass(frozen=True)
class DrawnTree:
    """A tree over drawn leaves (samples, or truncated clusters), in local ids.

    Attributes
    ----------
    children : ndarray of int, shape (M, 2)
        The two children of each drawn merge, in Z order (children before parents).
        Ids below ``P`` are drawn leaves; ``P + i`` is the i-th drawn merge.
    heights : ndarray, shape (M,)
        Each drawn merge's height in Z.
    leaf_nodes : ndarray of int, shape (P,)
        Node id in Z of each drawn leaf (the sample itself when not truncated).
    leaf_sizes : ndarray of int, shape (P,)
        Samples under each drawn leaf.
    sample_leaf : ndarray of int, shape (n,)
        The drawn leaf each sample lies under.
    """

    children: np.ndarray
    heights: np.ndarray
    leaf_nodes: np.ndarray
    leaf_sizes: np.ndarray
    sample_leaf: np.ndarray

    @property
    def n_leaves(self) -> int:
        return len(self.leaf_nodes)

    @property
    def truncated(self) -> bool:
        return self.n_leaves < len(self.sample_leaf)


def drawn_tree(Z: np.ndarray, p: int | None = None) -> DrawnTree:
    """The tree of the last ``p - 1`` merges of `Z` (all of them by default).

    Parameters
    ----------
    Z : ndarray
        A linkage matrix of n samples.
    p : int, optional
        Drawn leaves, as scipy's ``truncate_mode='lastp'``; at least 2.

    Returns
    -------
    DrawnTree
    """
    n = Z.shape[0] + 1
    p = n if p is None else int(min(max(int(p), 2), n))
    rows = np.arange(n - p, n - 1)
    children = Z[rows, :2].astype(np.int64)
    drawn_merge = np.zeros(2 * n - 1, dtype=bool)
    drawn_merge[n + rows] = True
    flat = children.ravel()
    leaf_nodes = np.sort(flat[~drawn_merge[flat]])
    local = np.full(2 * n - 1, -1, dtype=np.int64)
    local[leaf_nodes] = np.arange(p)
    local[n + rows] = p + np.arange(len(rows))
    # every sample's drawn leaf: each drawn leaf covers a run of the leaf order
    index = TreeIndex.from_linkage(Z)
    sample_leaf = np.empty(n, dtype=np.int64)
    for j, (start, size) in enumerate(zip(index.start[leaf_nodes], index.size[leaf_nodes])):
        sample_leaf[index.leaf_order[start : start + size]] = j
    sizes = np.bincount(sample_leaf, minlength=p)
    return DrawnTree(
        children=local[children],
        heights=Z[rows, 2].astype(float),
        leaf_nodes=leaf_nodes,
        leaf_sizes=sizes,
        sample_leaf=sample_leaf,
    )


def initial_order(tree: DrawnTree) -> np.ndarray:
    """Drawn leaves from top to bottom as scipy draws them (each merge's first child first)."""
    P = tree.n_leaves
    if len(tree.children) == 0:
        return np.arange(P)
    children = tree.children.tolist()
    order, stack = [], [P + len(children) - 1]
    while stack:
        node = stack.pop()
        if node < P:
            order.append(node)
        else:
            first, second = children[node - P]
            stack.append(second)
            stack.append(first)
    return np.asarray(order, dtype=np.int64)


def leaf_positions(tree: DrawnTree, order: np.ndarray) -> np.ndarray:
    """Position of each drawn leaf, in samples from 1: the middle of its block when it holds several."""
    sizes = tree.leaf_sizes[order].astype(float)
    positions = np.empty(tree.n_leaves)
    positions[order] = np.cumsum(sizes) - (sizes - 1) / 2
    return positions


def worst_entanglement(n: int, L: float = ENTANGLEMENT_L) -> float:
    """``sum(|x - y| ** L)`` when the right order is the left one reversed (dendextend's normaliser)."""
    ranks = np.arange(1, n + 1, dtype=float)
    return float(np.sum(np.abs(ranks - ranks[::-1]) ** L))


def entanglement(order1, order2, L: float = ENTANGLEMENT_L) -> float:
    """Entanglement of two orders of the same samples, as dendextend defines it.

    Parameters
    ----------
    order1, order2 : array of int
        The samples from top to bottom in the left and in the right tree
        (``scipy.cluster.hierarchy.leaves_list`` of each, or rotations of it).
    L : float
        The norm; dendextend's default 1.5.

    Returns
    -------
    float
        In [0, 1]: 0 for the same order, 1 for one the reverse of the other.
    """
    order1, order2 = np.asarray(order1), np.asarray(order2)
    if sorted(order1.tolist()) != sorted(order2.tolist()):
        raise ValueError("both orders must hold the same samples")
    n = len(order1)
    worst = worst_entanglement(n, L)
    if worst == 0:
        return 0.0
    rank1 = np.empty(n)
    rank1[order1] = np.arange(1, n + 1)
    rank2 = np.empty(n)
    rank2[order2] = np.arange(1, n + 1)
    return float(np.sum(np.abs(rank1 - rank2) ** L) / worst)


@dataclass(frozen=True)
class LineBundle:
    """The lines of a tanglegram: left leaf ``a`` to right leaf ``b``, carrying ``weight`` samples."""

    a: np.ndarray
    b: np.ndarray
    weight: np.ndarray
    code: np.ndarray  # a * P2 + b, for grouping samples by line

    @classmethod
    def between(cls, tree1: DrawnTree, tree2: DrawnTree) -> LineBundle:
        codes = tree1.sample_leaf * tree2.n_leaves + tree2.sample_leaf
        code, weight = np.unique(codes, return_counts=True)
        return cls(code // tree2.n_leaves, code % tree2.n_leaves, weight, code)


def _weighted_entanglement(pos1, pos2, lines, worst, L):
    if worst == 0:
        return 0.0
    return float(np.sum(lines.weight * np.abs(pos1[lines.a] - pos2[lines.b]) ** L) / worst)


class _Side:
    """One tree's current order, and what a swap of one merge's children changes.

    Every subtree's leaves are contiguous in the starting order, so a merge's leaves,
    and the lines that leave them (sorted by their leaf's starting rank), are slices
    of fixed arrays whatever rotations came since.
    """

    def __init__(self, tree: DrawnTree, order, this_end, other_end, weight):
        P = tree.n_leaves
        self.P, self.tree = P, tree
        self.children = tree.children.tolist()
        self.init_order = np.asarray(order, dtype=np.int64)
        self.init_rank = np.empty(P, dtype=np.int64)
        self.init_rank[self.init_order] = np.arange(P)
        counts, samples = [1] * P, tree.leaf_sizes.tolist()
        for a, b in self.children:
            counts.append(counts[a] + counts[b])
            samples.append(samples[a] + samples[b])
        self.counts, self.samples = counts, samples
        # a subtree's leaves start at its leftmost leaf's starting rank
        first = self.init_rank.tolist() + [0] * len(self.children)
        for i, (a, b) in enumerate(self.children):
            first[P + i] = min(first[a], first[b])
        self.first = first
        by_rank = np.argsort(self.init_rank[this_end], kind="stable")
        self.this_end, self.other_end = this_end[by_rank], other_end[by_rank]
        self.weight = weight[by_rank].astype(float)
        self.line_start = np.searchsorted(
            self.init_rank[self.this_end], np.arange(P + 1), side="left"
        ).tolist()
        self.order = self.init_order.copy()
        self.rank = self.init_rank.copy()
        self.positions = leaf_positions(tree, self.order)

    def _span(self, node):
        return self.first[node], self.first[node] + self.counts[node]

    def _lines(self, node):
        lo, hi = self._span(node)
        return self.line_start[lo], self.line_start[hi]

    def swap_change(self, merge, other_positions, L):
        """How much the sum of ``w |x - y| ** L`` changes if `merge`'s children swap places."""
        a, b = self.children[merge]
        lo, hi = self._span(self.P + merge)
        start = int(self.rank[self.init_order[lo:hi]].min())
        leader = int(self.init_rank[self.order[start]])
        first, second = (
            (a, b) if self.first[a] <= leader < self.first[a] + self.counts[a] else (b, a)
        )
        l0, l1 = self._lines(self.P + merge)
        f0, f1 = self._lines(first)
        this, other, w = self.this_end[l0:l1], self.other_end[l0:l1], self.weight[l0:l1]
        shift = np.full(l1 - l0, -float(self.samples[first]))
        shift[f0 - l0 : f1 - l0] = self.samples[second]
        here, there = self.positions[this], other_positions[other]
        change = np.sum(w * (np.abs(here + shift - there) ** L - np.abs(here - there) ** L))
        return float(change), (start, first, second)

    def swap(self, merge, how):
        start, first, second = how
        c, cf = self.counts[self.P + merge], self.counts[first]
        block = self.order[start : start + c].copy()
        self.order[start : start + c] = np.concatenate((block[cf:], block[:cf]))
        self.rank[self.order[start : start + c]] = np.arange(start, start + c)
        lo, hi = self._span(first)
        self.positions[self.init_order[lo:hi]] += self.samples[second]
        lo, hi = self._span(second)
        self.positions[self.init_order[lo:hi]] -= self.samples[first]


def untangle(
    tree1: DrawnTree,
    tree2: DrawnTree,
    order1=None,
    order2=None,
    L: float = ENTANGLEMENT_L,
    max_rounds: int = MAX_UNTANGLE_ROUNDS,
):
    """Rotate merges of both trees, greedily, to lower the entanglement between them.

    Parameters
    ----------
    tree1, tree2 : DrawnTree
        Two trees over the same n samples.
    order1, order2 : array of int, optional
        Starting orders of the drawn leaves; by default as scipy draws them.
    L : float
    max_rounds : int
        Rounds over both trees at most (each round visits every merge of each tree).

    Returns
    -------
    order1, order2 : ndarray
        Drawn leaves from top to bottom after the rotations.
    before, after : float
        Entanglement of the starting and of the final orders; ``after <= before``
        always: a swap is kept only when it lowers the entanglement, and should
        rounding ever make the final orders worse, the starting ones are returned.
    """
    n = len(tree1.sample_leaf)
    if len(tree2.sample_leaf) != n:
        raise ValueError("the two trees must be over the same samples")
    lines = LineBundle.between(tree1, tree2)
    worst = worst_entanglement(n, L)
    start1 = initial_order(tree1) if order1 is None else np.asarray(order1, dtype=np.int64)
    start2 = initial_order(tree2) if order2 is None else np.asarray(order2, dtype=np.int64)
    sides = [
        _Side(tree1, start1, lines.a, lines.b, lines.weight),
        _Side(tree2, start2, lines.b, lines.a, lines.weight),
    ]
    before = _weighted_entanglement(sides[0].positions, sides[1].positions, lines, worst, L)
    total = before * worst
    for _ in range(max_rounds):
        swapped_any = False
        for which in (1, 0):  # the right tree first, as dendextend's step2side
            side, other = sides[which], sides[1 - which]
            for merge in range(len(side.children) - 1, -1, -1):  # from the root down
                change, how = side.swap_change(merge, other.positions, L)
                # a clear decrease only, so rounding never passes for one
                if change < -1e-9 * max(total, 1.0):
                    side.swap(merge, how)
                    total += change
                    swapped_any = True
        if not swapped_any:
            break
    after = _weighted_entanglement(sides[0].positions, sides[1].positions, lines, worst, L)
    if after > before:
        return start1, start2, before, before
    return sides[0].order, sides[1].order, before, after


def cophenetic_k(Z: np.ndarray) -> np.ndarray:
    """For every pair of samples, the largest k at which they are still in one cluster.

    Cutting into k clusters undoes the last k - 1 merges of Z, so a pair whose
    lowest common merge is row r stays together up to k = n - 1 - r. Where merge
    heights tie, the k follows Z's order of merges (as cutting by k must).

    Returns
    -------
    ndarray
        Condensed, in the order of ``scipy.spatial.distance.pdist``.
    """
    n = Z.shape[0] + 1
    by_row = np.array(Z, dtype=float)
    by_row[:, 2] = np.arange(n - 1)
    return (n - 1) - cophenet(by_row)


def bakers_gamma(Z1: np.ndarray, Z2: np.ndarray) -> float:
    """Baker's gamma: the Spearman correlation of the two trees' :func:`cophenetic_k`."""
    return _correlation(cophenetic_k(Z1), cophenetic_k(Z2), spearman=True)


def cophenetic_between(Z1: np.ndarray, Z2: np.ndarray) -> float:
    """Pearson correlation of the two trees' cophenetic distances (dendextend's ``cor_cophenetic``)."""
    return _correlation(cophenet(Z1), cophenet(Z2), spearman=False)


def _correlation(x, y, spearman):
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")  # undefined when either side does not vary
    if spearman:
        return float(spearmanr(x, y).statistic)
    return float(np.corrcoef(x, y)[0, 1])


def lowest_common_rows(Z: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Row of Z of the merge that first joins samples i[k] and j[k], for every k.

    In the dendrogram's leaf order each gap between neighbouring leaves is closed by
    one merge, and two leaves first meet in the latest merge closing a gap between
    them: a range-maximum query, answered from a sparse table in O(n log n + q).
    """
    index = TreeIndex.from_linkage(Z)
    n = index.n
    left = Z[:, 0].astype(np.int64)
    right = Z[:, 1].astype(np.int64)
    first = np.where(index.start[left] < index.start[right], left, right)
    gap_row = np.empty(n - 1, dtype=np.int64)
    gap_row[index.start[first] + index.size[first] - 1] = np.arange(n - 1)
    table = [gap_row]
    while 2 ** len(table) <= n - 1:
        previous, half = table[-1], 2 ** (len(table) - 1)
        table.append(np.maximum(previous[:-half], previous[half:]))
    position = np.empty(n, dtype=np.int64)
    position[index.leaf_order] = np.arange(n)
    lo = np.minimum(position[i], position[j])
    hi = np.maximum(position[i], position[j])  # the gaps lo .. hi - 1
    level = np.floor(np.log2(np.maximum(hi - lo, 1))).astype(np.int64)
    rows = np.empty(len(lo), dtype=np.int64)
    for k in np.unique(level):
        at = level == k
        width = 2**k
        rows[at] = np.maximum(table[k][lo[at]], table[k][hi[at] - width])
    return rows


def _sampled_correlations(Z1, Z2, n_pairs, seed):
    """Baker's gamma and the cophenetic correlation, estimated on random pairs of samples."""
    n = Z1.shape[0] + 1
    i, j = random_pairs(n, n_pairs, seed)
    rows = [lowest_common_rows(Z, i, j) for Z in (Z1, Z2)]
    gamma = _correlation((n - 1) - rows[0], (n - 1) - rows[1], spearman=True)
    cophenetic = _correlation(Z1[rows[0], 2], Z2[rows[1], 2], spearman=False)
    return gamma, cophenetic


def _interval(r, n_pairs, variance=1.0):
    """95 % interval of a correlation from n_pairs pairs (Fisher z; Spearman's with 1.06)."""
    if not np.isfinite(r):
        return (float("nan"), float("nan"))
    half = 1.959964 * np.sqrt(variance / (n_pairs - 3))
    z = np.arctanh(np.clip(r, -0.999999, 0.999999))
    return (float(np.tanh(z - half)), float(np.tanh(z + half)))


@dataclass(frozen=True)
class TreeComparison:
    """Two trees over the same samples, untangled, with their agreement.

    Attributes
    ----------
    tree1, tree2 : DrawnTree
        The trees as drawn (truncated above :data:`COMPARE_FULL_MAX_N` samples).
    order1, order2 : ndarray
        Drawn leaves from top to bottom after untangling.
    entanglement_drawn, entanglement : float
        Before (as scipy draws each tree) and after untangling.
    gamma, cophenetic : float
        Baker's gamma and the cophenetic correlation between the trees.
    exact : bool
        False when the two correlations are estimated on ``n_pairs`` random pairs.
    n_pairs : int
    gamma_ci, cophenetic_ci : tuple of float
        95 % intervals of the estimates; the value itself twice when exact.
    Z_other : ndarray
        The second tree's linkage, for its partitions.
    """

    tree1: DrawnTree
    tree2: DrawnTree
    order1: np.ndarray
    order2: np.ndarray
    entanglement_drawn: float
    entanglement: float
    gamma: float
    cophenetic: float
    exact: bool
    n_pairs: int
    gamma_ci: tuple
    cophenetic_ci: tuple
    Z_other: np.ndarray

    @property
    def n(self) -> int:
        return len(self.tree1.sample_leaf)

    @property
    def truncated(self) -> bool:
        return self.tree1.truncated or self.tree2.truncated


def compare_trees(
    Z1: np.ndarray,
    Z2: np.ndarray,
    *,
    full_max_n: int = COMPARE_FULL_MAX_N,
    p: int = COMPARE_P,
    n_pairs: int = COMPARE_SAMPLE_PAIRS,
    seed: int = 0,
) -> TreeComparison:
    """Untangle two trees of the same samples and measure how far they agree.

    Parameters
    ----------
    Z1, Z2 : ndarray
        Linkages of the same n samples (the page's tree, and the other one).
    full_max_n : int
        Above this many samples, the trees are truncated to `p` drawn leaves each and
        the correlations are estimated on `n_pairs` random pairs (seeded by `seed`).

    Returns
    -------
    TreeComparison
    """
    n = Z1.shape[0] + 1
    if Z2.shape[0] + 1 != n:
        raise ValueError("the two trees must be over the same samples")
    small = n <= full_max_n
    tree1 = drawn_tree(Z1, None if small else p)
    tree2 = drawn_tree(Z2, None if small else p)
    order1, order2, before, after = untangle(tree1, tree2)
    if small:
        gamma, cophenetic = bakers_gamma(Z1, Z2), cophenetic_between(Z1, Z2)
        pairs = n * (n - 1) // 2
        gamma_ci, cophenetic_ci = (gamma, gamma), (cophenetic, cophenetic)
    else:
        gamma, cophenetic = _sampled_correlations(Z1, Z2, n_pairs, seed)
        pairs = n_pairs
        gamma_ci, cophenetic_ci = _interval(gamma, pairs, 1.06), _interval(cophenetic, pairs)
    return TreeComparison(
        tree1=tree1,
        tree2=tree2,
        order1=order1,
        order2=order2,
        entanglement_drawn=before,
        entanglement=after,
        gamma=gamma,
        cophenetic=cophenetic,
        exact=small,
        n_pairs=pairs,
        gamma_ci=gamma_ci,
        cophenetic_ci=cophenetic_ci,
        Z_other=np.asarray(Z2, dtype=float),
    )


@dataclass(frozen=True)
class PartitionAgreement:
    """The adjusted Rand index of two partitions, and the number of clusters of each."""

    ari: float
    k: int
    k_other: int


def partition_agreement(labels: np.ndarray, Z_other: np.ndarray) -> PartitionAgreement:
    """ARI between `labels` (k clusters) and the other tree cut into k clusters.

    The other tree is cut by ``fcluster(..., criterion='maxclust')``: where its merge
    heights tie it can give fewer than k clusters, and ``k_other`` says how many.
    """
    labels = np.asarray(labels)
    k = len(np.unique(labels))
    other = fcluster(Z_other, k, criterion="maxclust")
    return PartitionAgreement(
        float(adjusted_rand_score(labels, other)), int(k), int(len(np.unique(other)))
    )


def line_labels(comparison: TreeComparison, labels: np.ndarray) -> tuple[LineBundle, np.ndarray]:
    """The tanglegram's lines, and the cluster (of `labels`) most of each line's samples are in.

    Ties between clusters go to the lowest label.
    """
    lines = LineBundle.between(comparison.tree1, comparison.tree2)
    labels = np.asarray(labels, dtype=np.int64)
    codes = comparison.tree1.sample_leaf * comparison.tree2.n_leaves + comparison.tree2.sample_leaf
    line_of_sample = np.searchsorted(lines.code, codes)
    top = int(labels.max()) + 1
    cell, count = np.unique(line_of_sample * top + labels, return_counts=True)
    line, label = cell // top, cell % top
    # per line, the label with the most samples; stable sort keeps the lowest label on ties
    by = np.lexsort((label, -count, line))
    first = np.ones(len(by), dtype=bool)
    first[1:] = line[by][1:] != line[by][:-1]
    majority = np.empty(len(lines.code), dtype=np.int64)
    majority[line[by][first]] = label[by][first]
    return lines, majority
