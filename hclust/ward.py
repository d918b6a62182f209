"""Exact Ward linkage of large data in O(n·m) memory, faster than a plain nearest-neighbour chain.

The algorithm is the nearest-neighbour chain that scipy uses for Ward on a
distance matrix. Here it runs on centroids, with no matrix. The Ward cost of
clusters x and j is ``|c_x - c_j|^2 / (1/s_x + 1/s_j)``, and a merge's height
is ``sqrt(2 * cost)``.

Almost all of the time goes into finding each chain element's nearest
cluster: one pass over every active centroid. That pass is done in float32,
which halves the memory it streams and doubles the SIMD width. The result
stays exact:

- the float32 minimum names a candidate, whose cost is then measured in
  float64;
- every cluster whose float32 cost could hide a float64 cost that low is
  measured again in float64 (a rounding bound, derived in full at
  :func:`_threshold`, decides which; in practice one or two clusters);
- where the bound rules too few clusters out (groups so far apart, relative
  to their spread, that float32 coordinates cannot tell their members apart),
  the chain stops using float32 and scans in float64 alone;
- the nearest by the float64 costs is the answer, with ties going to the
  chain's previous element, so the chain terminates as it does in scipy.

The float64 costs are the only ones that decide merges, so the tree is the one
float64 arithmetic gives. The tests compare it with scipy's.

Merging two clusters whose centroids are equal in a coordinate keeps that
coordinate exactly: the weighted mean of equal numbers can round away from
them, and identical rows would then merge at about 1e-16 instead of at 0 as
in scipy.
"""

from __future__ import annotations

import math

import numba
import numpy as np

_TILE = 256
_LANES = 16
_BIG = np.float32(3.0e38)
# unit roundoff of float32
_U32 = 2.0**-24
# the largest absolute error of one float32 operation that underflows (half the smallest subnormal)
_ETA32 = 2.0**-150
# the rounding bound below is a sum of worst cases; this widens it further
_SAFETY = 4.0
# past this share of the active clusters measured again in float64, the float32
# pass is not ruling enough out to pay for itself: the chain continues in float64
_FLOAT64_SHARE = 1 / 16
_FLOAT64_MIN_ACTIVE = 64
_JIT = dict(cache=True, nogil=True, boundscheck=False, error_model="numpy")


@numba.njit(fastmath=True, **_JIT)
def _approximate_costs(c32, inv32, active, px, approx, tile_min):
    """float32 Ward costs of the cluster at `px` to the first `active` clusters, and each tile's minimum."""
    m = c32.shape[0]
    costs = approx[:active]
    costs[:] = 0
    for k in range(m):
        centre = c32[k, px]
        row = c32[k, :active]
        for j in range(active):
            d = centre - row[j]
            costs[j] += d * d
    inv_x = inv32[px]
    inv_row = inv32[:active]
    for j in range(active):
        costs[j] = costs[j] / (inv_x + inv_row[j])
    costs[px] = _BIG
    lanes = np.empty(_LANES, np.float32)
    for t in range((active + _TILE - 1) // _TILE):
        start = t * _TILE
        stop = min(start + _TILE, active)
        lanes[:] = _BIG
        whole = start + (stop - start) // _LANES * _LANES
        for j0 in range(
            start, whole, _LANES
        ):  # independent minima, so the loop is not latency-bound
            for lane in range(_LANES):
                v = costs[j0 + lane]
                lanes[lane] = v if v < lanes[lane] else lanes[lane]
        low = _BIG
        for lane in range(_LANES):
            low = lanes[lane] if lanes[lane] < low else low
        for j in range(whole, stop):
            low = costs[j] if costs[j] < low else low
        tile_min[t] = low


@numba.njit(**_JIT)
def _cost(c64, inv64, a, b):
    """The float64 Ward cost of the clusters at positions a and b (symmetric in a and b)."""
    total = 0.0
    for k in range(c64.shape[0]):
        d = c64[k, a] - c64[k, b]
        total += d * d
    return total / (inv64[a] + inv64[b])


@numba.njit(**_JIT)
def _threshold(best, size_x, m, coordinate_bound):
    """The largest float32 cost a cluster with float64 cost <= `best` can have.

    Notation: coordinates are centred and scaled by a power of two, so every
    point's coordinates, and hence every centroid's (a weighted mean of
    points), are at most M = `coordinate_bound` <= 1 in absolute value. u is
    float32's unit roundoff, 2^-24. For the cluster x at which the chain
    stands and any other cluster j, with sizes s_x, s_j:

    - the float64 cost is C = D / w, with D = |c_x - c_j|^2 and
      w = 1/s_x + 1/s_j, so 1/w < s_x and sqrt(D)/w = sqrt(C/w) < sqrt(s_x C);
    - each float32 coordinate is c + e with |e| <= u M (also below float32's
      normal range: u M >= 2^-25 is far above the subnormal spacing), so the
      exact difference of two float32 centroids is delta + eta with
      |eta| <= 2 sqrt(m) u M (over m coordinates);
    - |delta + eta|^2 <= (sqrt(D) + |eta|)^2 = D + 2 |eta| sqrt(D) + |eta|^2;
    - subtracting, squaring and summing m terms in float32, in any order
      (fastmath reassociates), adds a relative error of at most (m + 2) u,
      and an absolute error of at most 2^-150 per term that underflows;
    - the weights 1/s in float32, their sum and the division (or a multiply
      by a reciprocal, under fastmath) add a relative error of at most 6 u.

    Dividing by w and using C <= best:

        float32 cost <= (1 + (m + 8) u) * (best
                        + 4 sqrt(m) u M sqrt(s_x best)        (first order in u)
                        + (4 m u^2 M^2 + m 2^-150) s_x)       (second order)

    The second-order term was missing before: it is independent of `best`, so
    it matters when best is tiny next to M^2, i.e. when groups lie about 10^7
    standard deviations apart (u M is then the size of the spread itself).
    The float64 cost's own rounding ((m + 3) 2^-53 relative) is far inside
    the relative factor. Each term is widened by _SAFETY, and the relative
    factor is taken as (m + 16) u.
    """
    u = _U32
    first = 4.0 * math.sqrt(m) * u * coordinate_bound * math.sqrt(size_x * best)
    second = (4.0 * m * u * u * coordinate_bound * coordinate_bound + m * _ETA32) * size_x
    return (best + _SAFETY * (first + second)) * (1.0 + _SAFETY * (m + 16) * u)


@numba.njit(**_JIT)
def _nearest64(c64, inv64, active, px, prev, costs):
    """Exact nearest cluster to `px` by a float64 scan alone; ties as in :func:`_nearest`.

    The costs are summed coordinate by coordinate over contiguous rows, in
    the order :func:`_cost` sums them, so each equals ``_cost(px, j)`` bit for bit.
    """
    m = c64.shape[0]
    costs = costs[:active]
    costs[:] = 0.0
    for k in range(m):
        centre = c64[k, px]
        row = c64[k, :active]
        for j in range(active):
            d = centre - row[j]
            costs[j] += d * d
    inv_x = inv64[px]
    for j in range(active):
        costs[j] = costs[j] / (inv_x + inv64[j])
    best_pos = prev
    best = costs[prev] if prev >= 0 else np.inf
    for j in range(active):
        if j == px or j == prev:
            continue
        cost = costs[j]
        if cost < best or (cost == best and best_pos != prev and j < best_pos):
            best = cost
            best_pos = j
    return best_pos, best


@numba.njit(**_JIT)
def _nearest(c64, c32, inv64, inv32, size, active, px, prev, coordinate_bound, approx, tile_min):
    """Exact nearest cluster to `px` by float64 Ward cost.

    Ties go to `prev` (the chain's previous element), then the lowest
    position. Also returns how many clusters the float32 pass could not rule
    out.
    """
    _approximate_costs(c32, inv32, active, px, approx, tile_min)
    tiles = (active + _TILE - 1) // _TILE
    best_tile = 0
    for t in range(1, tiles):
        if tile_min[t] < tile_min[best_tile]:
            best_tile = t
    candidate = -1
    for j in range(best_tile * _TILE, min(best_tile * _TILE + _TILE, active)):
        if approx[j] == tile_min[best_tile]:
            candidate = j
            break
    if (
        candidate < 0
    ):  # only NaN costs could leave none (finite data give none): start from any other cluster
        candidate = 1 if px == 0 else 0
    best = _cost(c64, inv64, px, candidate)
    best_pos = candidate
    if prev >= 0:
        prev_cost = _cost(c64, inv64, px, prev)
        if prev_cost <= best:
            best = prev_cost
            best_pos = prev
    threshold = _threshold(best, size[px], c64.shape[0], coordinate_bound)
    checked = 0
    for t in range(tiles):
        if tile_min[t] > threshold:
            continue
        for j in range(t * _TILE, min(t * _TILE + _TILE, active)):
            if approx[j] <= threshold and j != best_pos:
                checked += 1
                cost = _cost(c64, inv64, px, j)
                if cost < best or (cost == best and best_pos != prev and j < best_pos):
                    best = cost
                    best_pos = j
    return best_pos, best, checked


@numba.njit(**_JIT)
def _nn_chain(c64, size, coordinate_bound):
    """Merges of the nearest-neighbour chain, in the order found.

    Returns representatives a and b and the height of each merge, and whether
    the chain went on in float64 alone.
    """
    m, n = c64.shape
    c32 = c64.astype(np.float32)
    inv64 = 1.0 / size
    inv32 = inv64.astype(np.float32)
    rep = np.arange(n)  # representative leaf of the cluster at each position
    pos_of = np.arange(n)  # position of the cluster a leaf represents
    approx = np.empty(n, np.float32)
    costs64 = np.empty(n)
    tile_min = np.empty((n + _TILE - 1) // _TILE, np.float32)
    chain = np.empty(n, np.int64)  # representatives
    merges_a = np.empty(n - 1, np.int64)
    merges_b = np.empty(n - 1, np.int64)
    heights = np.empty(n - 1)
    active = n
    chain_len = 0
    float64_only = False
    for merge in range(n - 1):
        if chain_len == 0:
            chain[0] = rep[0]
            chain_len = 1
        while True:
            x = chain[chain_len - 1]
            prev = pos_of[chain[chain_len - 2]] if chain_len >= 2 else -1
            if float64_only:
                y_pos, cost = _nearest64(c64, inv64, active, pos_of[x], prev, costs64)
            else:
                y_pos, cost, checked = _nearest(
                    c64,
                    c32,
                    inv64,
                    inv32,
                    size,
                    active,
                    pos_of[x],
                    prev,
                    coordinate_bound,
                    approx,
                    tile_min,
                )
                float64_only = active >= _FLOAT64_MIN_ACTIVE and checked > _FLOAT64_SHARE * active
            if y_pos == prev:
                break
            chain[chain_len] = rep[y_pos]
            chain_len += 1
        y = chain[chain_len - 2]
        chain_len -= 2
        px, py = pos_of[x], pos_of[y]
        merges_a[merge] = x
        merges_b[merge] = y
        heights[merge] = math.sqrt(2.0 * cost)
        # the merged cluster takes y's position and representative
        sx, sy = size[px], size[py]
        for k in range(m):
            if c64[k, px] != c64[k, py]:  # equal coordinates stay exact (identical rows: cost 0)
                c64[k, py] = (sx * c64[k, px] + sy * c64[k, py]) / (sx + sy)
                c32[k, py] = np.float32(c64[k, py])
        size[py] = sx + sy
        inv64[py] = 1.0 / size[py]
        inv32[py] = np.float32(inv64[py])
        # x's position is filled by the last active cluster
        last = active - 1
        if px != last:
            for k in range(m):
                c64[k, px] = c64[k, last]
                c32[k, px] = c32[k, last]
            size[px] = size[last]
            inv64[px] = inv64[last]
            inv32[px] = inv32[last]
            rep[px] = rep[last]
            pos_of[rep[px]] = px
        active -= 1
    return merges_a, merges_b, heights, float64_only


@numba.njit(**_JIT)
def _scipy_numbering(merges_a, merges_b, heights, order, n):
    """Z from merges named by representative leaves, in height order, numbered as scipy numbers them."""
    parent = np.arange(2 * n - 1)
    counts = np.ones(2 * n - 1)
    Z = np.empty((n - 1, 4))
    roots = np.empty(2, np.int64)
    for i in range(n - 1):
        r = order[i]
        for side in range(2):
            leaf = merges_a[r] if side == 0 else merges_b[r]
            root = leaf
            while parent[root] != root:
                root = parent[root]
            while parent[leaf] != root:  # path compression
                following = parent[leaf]
                parent[leaf] = root
                leaf = following
            roots[side] = root
        new = n + i
        parent[roots[0]] = new
        parent[roots[1]] = new
        counts[new] = counts[roots[0]] + counts[roots[1]]
        Z[i, 0] = min(roots[0], roots[1])
        Z[i, 1] = max(roots[0], roots[1])
        Z[i, 2] = heights[r]
        Z[i, 3] = counts[new]
    return Z


def ward_linkage(X: np.ndarray) -> np.ndarray:
    """Ward linkage of observations, as ``scipy.cluster.hierarchy.linkage(X, 'ward')``.

    Parameters
    ----------
    X : ndarray of shape (n, m)
        Finite observations, n >= 2.

    Returns
    -------
    Z : ndarray of shape (n - 1, 4)
        scipy's linkage matrix: merged clusters (lower id first), height, size.

    Notes
    -----
    O(n·m) memory and O(n²·m) time, like ``fastcluster.linkage_vector``.
    Heights agree with scipy's to rounding, and identical rows merge at
    exactly 0 as in scipy. Where several merges tie (equal costs, as integer
    data gives), the tie may be broken differently from scipy: the tree is
    then another of the equally valid trees, with other partitions at some
    cuts and another cophenetic correlation.
    """
    return _ward(X)[0]


def _ward(X):
    """:func:`ward_linkage`'s Z, and whether the chain fell back to float64 alone."""
    X = np.asarray(X, dtype=np.float64)
    n, m = X.shape
    if n < 2:
        raise ValueError("Ward linkage needs at least 2 observations.")
    # Translation changes no Ward cost, and centred coordinates tighten the
    # float32 bound. Scaling by a power of two is exact in float64 and keeps
    # float32 sums far from overflow.
    centred = X - X.mean(axis=0)
    largest = float(np.abs(centred).max())
    scale = 2.0 ** math.ceil(math.log2(largest)) if largest > 0 else 1.0
    centred /= scale
    # every point's coordinates, and so every centroid's, are at most this in absolute value
    coordinate_bound = largest / scale
    merges_a, merges_b, heights, float64_only = _nn_chain(
        np.ascontiguousarray(centred.T), np.ones(n), coordinate_bound
    )
    heights *= scale
    order = np.argsort(heights, kind="stable")
    return _scipy_numbering(merges_a, merges_b, heights, order, n), bool(float64_only)


def load_compiled() -> None:
    """Compile (or load from numba's on-disk cache) the functions above.

    The first call in a process otherwise pays it: about 4.5 s the first time
    on a machine, 0.6 s from the cache. Server processes call this as they
    boot, and the background jobs they start inherit the compiled code.
    """
    ward_linkage(np.array([[0.0], [1.0], [3.0]]))
