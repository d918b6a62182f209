"""Cuts at several levels (hclust/partition.py) against scipy's own tree and fcluster."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.cluster.hierarchy import fcluster, linkage, to_tree

from hclust.cut import TreeIndex
from hclust.errors import InputError
from hclust.partition import (
    MAX_EDITS,
    MERGE,
    SPLIT,
    Edit,
    apply_edit,
    cluster_root_of,
    labels_from_roots,
    replay,
    single_height,
)

METHODS = ("single", "complete", "average", "weighted", "ward", "centroid", "median")


def tree_of(seed, n, method):
    X = np.random.default_rng(seed).normal(size=(n, 3))
    Z = linkage(X, method)
    return Z, TreeIndex.from_linkage(Z)


def same_partition(a, b):
    """Two labelings group the samples the same way (numbers aside)."""
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def scipy_members(Z, node):
    """The samples under a node, by scipy's own tree."""
    _, nodes = to_tree(Z, rd=True)
    return set(nodes[node].pre_order())


trees = st.tuples(st.integers(0, 10_000), st.integers(2, 40), st.sampled_from(METHODS))


@settings(max_examples=60, deadline=None)
@given(trees, st.floats(0, 1))
def test_a_height_cut_is_numbered_as_fcluster_numbers_it(spec, where):
    Z, tree = tree_of(*spec)
    height = float(np.quantile(tree.node_height[tree.n :], where))
    roots = tree.cluster_roots(height)
    assert np.array_equal(
        labels_from_roots(tree, Z, roots), fcluster(Z, height, criterion="distance")
    )


@settings(max_examples=60, deadline=None)
@given(trees, st.floats(0, 1), st.integers(0, 10**6))
def test_a_split_divides_one_cluster_into_scipys_two_children(spec, where, pick):
    Z, tree = tree_of(*spec)
    height = float(np.quantile(tree.node_height[tree.n :], where))
    roots = tree.cluster_roots(height)
    splittable = roots[roots >= tree.n]
    if not len(splittable):
        return
    node = int(splittable[pick % len(splittable)])
    before = labels_from_roots(tree, Z, roots)
    after = labels_from_roots(tree, Z, apply_edit(tree, Z, roots, Edit(SPLIT, node)))
    assert after.max() == before.max() + 1
    left, right = int(Z[node - tree.n, 0]), int(Z[node - tree.n, 1])
    for child in (left, right):
        members = sorted(scipy_members(Z, child))
        assert len(set(after[members].tolist())) == 1, "each child is one cluster"
    assert after[sorted(scipy_members(Z, left))[0]] != after[sorted(scipy_members(Z, right))[0]]
    untouched = np.setdiff1d(np.arange(tree.n), sorted(scipy_members(Z, node)))
    assert same_partition(before[untouched], after[untouched]), "other clusters keep their samples"


@settings(max_examples=60, deadline=None)
@given(trees, st.floats(0, 1), st.integers(0, 10**6))
def test_merging_a_split_back_restores_the_cut(spec, where, pick):
    Z, tree = tree_of(*spec)
    height = float(np.quantile(tree.node_height[tree.n :], where))
    roots = tree.cluster_roots(height)
    splittable = roots[roots >= tree.n]
    if not len(splittable):
        return
    node = int(splittable[pick % len(splittable)])
    edited = replay(tree, Z, roots, [Edit(SPLIT, node), Edit(MERGE, node)])
    assert np.array_equal(edited, roots)


@settings(max_examples=60, deadline=None)
@given(trees, st.floats(0, 1), st.integers(0, 10**6))
def test_a_merge_joins_exactly_the_samples_under_it(spec, where, pick):
    Z, tree = tree_of(*spec)
    height = float(np.quantile(tree.node_height[tree.n :], where))
    roots = tree.cluster_roots(height)
    above = [
        node for node in range(tree.n, 2 * tree.n - 1) if cluster_root_of(tree, roots, node) is None
    ]
    if not above:
        return
    node = above[pick % len(above)]
    before = labels_from_roots(tree, Z, roots)
    after = labels_from_roots(tree, Z, apply_edit(tree, Z, roots, Edit(MERGE, node)))
    inside = sorted(scipy_members(Z, node))
    assert len(set(after[inside].tolist())) == 1
    outside = np.setdiff1d(np.arange(tree.n), inside)
    assert same_partition(before[outside], after[outside])
    assert after[outside[0]] != after[inside[0]] if len(outside) else True


@settings(max_examples=60, deadline=None)
@given(trees, st.lists(st.integers(0, 10**6), min_size=1, max_size=6))
def test_single_height_is_found_exactly_when_some_height_gives_the_partition(spec, picks):
    Z, tree = tree_of(*spec)
    roots = tree.cluster_roots(float(np.median(tree.node_height[tree.n :])))
    for pick in picks:  # random splits and merges
        splittable = roots[roots >= tree.n]
        above = [
            n for n in range(tree.n, 2 * tree.n - 1) if cluster_root_of(tree, roots, n) is None
        ]
        choices = [Edit(SPLIT, int(n)) for n in splittable] + [Edit(MERGE, n) for n in above]
        if choices:
            roots = apply_edit(tree, Z, roots, choices[pick % len(choices)])
    labels = labels_from_roots(tree, Z, roots)
    height = single_height(tree, roots)
    levels = np.unique(tree.node_height)
    candidates = np.concatenate([[0.0], (levels[:-1] + levels[1:]) / 2, [levels[-1] + 1]])
    some_height_gives_it = any(
        same_partition(fcluster(Z, h, criterion="distance"), labels) for h in candidates
    )
    assert (height is not None) == some_height_gives_it
    if height is not None:
        assert np.array_equal(fcluster(Z, height, criterion="distance"), labels)


def test_the_whole_tree_as_one_cluster_has_a_height_above_the_top():
    Z, tree = tree_of(1, 12, "average")
    root = np.asarray([2 * tree.n - 2])
    assert single_height(tree, root) > Z[-1, 2]


@pytest.mark.parametrize(
    "edit, words",
    [
        (Edit(SPLIT, 3), "cluster of one sample"),
        (Edit(SPLIT, 10**6), "not in this tree"),
        (Edit(MERGE, -1), "not in this tree"),
        (Edit(MERGE, 2), "already one cluster"),
        (Edit("rotate", 12), "Unknown edit"),
    ],
)
def test_an_edit_that_does_not_apply_is_refused_by_name(edit, words):
    Z, tree = tree_of(3, 12, "ward")
    singletons = np.arange(tree.n)
    with pytest.raises(InputError, match=words):
        apply_edit(tree, Z, singletons, edit)


def test_splitting_a_node_that_is_not_a_cluster_or_merging_inside_one_is_refused():
    Z, tree = tree_of(4, 20, "complete")
    whole = np.asarray([2 * tree.n - 2])
    with pytest.raises(InputError, match="not a whole cluster"):
        apply_edit(tree, Z, whole, Edit(SPLIT, tree.n))
    with pytest.raises(InputError, match="already one cluster"):
        apply_edit(tree, Z, whole, Edit(MERGE, tree.n + 3))


def test_replay_names_the_edit_at_fault_and_bounds_the_list():
    Z, tree = tree_of(5, 10, "ward")
    whole = np.asarray([2 * tree.n - 2])
    with pytest.raises(InputError, match=r"Edit 2 \(split 18\)"):
        replay(tree, Z, whole, [Edit(SPLIT, 18), Edit(SPLIT, 18)])
    with pytest.raises(InputError, match=f"At most {MAX_EDITS}"):
        replay(tree, Z, whole, [Edit(SPLIT, 18)] * (MAX_EDITS + 1))
