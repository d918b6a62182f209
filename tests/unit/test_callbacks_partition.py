"""Cuts at several levels through the page's callbacks (callbacks/partition.py), as plain functions:
the edited partition drives the views, the summary and the download."""

import numpy as np
import pytest
from dash import no_update
from dash.exceptions import PreventUpdate
from scipy.cluster.hierarchy import fcluster, to_tree

from callbacks.access import summary_text
from callbacks.partition import (
    CHOOSE_FIRST,
    merge_clusters,
    partition_choices,
    redo_edit,
    split_cluster,
    undo_edit,
)
from callbacks.shown import labels_for
from services import store
from tests.helpers import draw_views, move_cut, new_session
from tests.unit.test_download import cluster_and_cut, download, load


def result_of(session):
    return store.get_store().result_for(session["id"], session["clustering"])[1]


def members(Z, node):
    return sorted(to_tree(Z, rd=True)[1][node].pre_order())


def lower_root(session):
    """The cluster of the cut whose own top merge is the lower: its root and label.

    Splitting it gives a partition no single height gives (the other cluster's top
    merge is higher than the split one's).
    """
    result = result_of(session)
    labels = labels_for(result, session["cut"])
    roots, _ = result.tree.partition_roots(labels)
    root = int(roots[np.argmin(result.tree.node_height[roots])])
    return root, int(labels[members(result.Z, root)[0]])


def test_a_chosen_cluster_splits_into_scipys_two_children_everywhere(session):
    result = result_of(session)
    before = labels_for(result, session["cut"])
    root, label = lower_root(session)

    cut, status, k = split_cluster(1, session["cut"], {"cluster": label}, session["id"])

    assert cut["k"] == k == before.max() + 1 == 3
    assert cut["edits"] == [["split", root]] and cut["redo"] == []
    assert "No single cut height gives this partition" in status
    after = labels_for(result, cut)
    left, right = (int(c) for c in result.Z[root - result.tree.n, :2])
    assert len(set(after[members(result.Z, left)])) == 1
    assert len(set(after[members(result.Z, right)])) == 1
    assert after[members(result.Z, left)[0]] != after[members(result.Z, right)[0]]
    # the dendrogram and scatter, and the spoken summary follow the edit
    dendrogram, scatter, colour_map, view_status = draw_views(session["id"], cut)
    assert dendrogram.layout.title.text.endswith("clusters edited by hand")
    assert "split or merged by hand" in view_status
    assert sorted(int(label) for label in colour_map["labels"]) == [1, 2, 3]
    assert len(set(colour_map["labels"].values())) == 3, "three colours"
    assert summary_text(after, cut).startswith("3 clusters")


def test_merging_back_restores_the_cut_and_says_it_is_one_height_again(session):
    root, label = lower_root(session)
    split, _, _ = split_cluster(1, session["cut"], {"cluster": label}, session["id"])
    merged, status, _ = merge_clusters(1, split, {"node": root}, session["id"])
    result = result_of(session)
    assert merged["k"] == 2
    assert "the same as a cut at" in status
    height = float(status.rsplit("at ", 1)[1].rstrip("."))
    np.testing.assert_array_equal(
        labels_for(result, merged), fcluster(result.Z, height, criterion="distance")
    )


def test_undo_and_redo_walk_the_edits(session):
    root, label = lower_root(session)
    split, _, _ = split_cluster(1, session["cut"], {"cluster": label}, session["id"])
    undone, status, _ = undo_edit(1, split, session["id"])
    assert undone["k"] == 2 and undone["edits"] == [] and undone["redo"] == [["split", root]]
    assert status == "Back to the cut: 2 clusters."
    redone, _, _ = redo_edit(1, undone, session["id"])
    assert redone["k"] == 3 and redone["edits"] == [["split", root]] and redone["redo"] == []
    assert undo_edit(1, session["cut"], session["id"]) == (
        no_update,
        "⚠ There is no split or merge to undo.",
        no_update,
    )


def test_leaving_the_k_field_that_shows_the_edited_k_keeps_the_edits(session):
    _, label = lower_root(session)
    split, _, k = split_cluster(1, session["cut"], {"cluster": label}, session["id"])
    session["cut"] = split
    with pytest.raises(PreventUpdate):  # Tab away from the field the edit wrote
        move_cut(session, "n-clusters.n_blur", typed_k=k, typed_height=round(split["height"], 6))


def test_a_new_cut_starts_without_edits(session):
    _, label = lower_root(session)
    split, _, _ = split_cluster(1, session["cut"], {"cluster": label}, session["id"])
    session["cut"] = split
    moved = move_cut(session, "n-clusters.value", typed_k=4)["cut"]
    assert not moved.get("edits") and moved["k"] == 4


def test_nothing_chosen_or_one_sample_or_a_forged_edit_gets_a_message_and_keeps_the_cut(session):
    assert split_cluster(1, session["cut"], None, session["id"]) == (
        no_update,
        f"⚠ {CHOOSE_FIRST}",
        no_update,
    )
    one_sample = {"node": 0}
    cut = dict(session["cut"], k=session["cut"]["k"])
    result = result_of(session)
    singletons = move_cut(session, "cut-height.value", typed_height=0.0)["cut"]
    message = split_cluster(1, singletons, one_sample, session["id"])[1]
    assert message == "⚠ That cluster is one sample: it cannot be split."
    forged = dict(cut, edits=[["split", 0]])
    with pytest.raises(Exception, match=r"Edit 1 \(split 0\)"):
        labels_for(result, forged)
    assert split_cluster(1, forged, {"cluster": 1}, session["id"])[1].startswith("⚠ Edit 1")


def test_the_buttons_say_what_they_would_do(session):
    root, label = lower_root(session)
    higher = next(
        int(r)
        for r in result_of(session).tree.partition_roots(
            labels_for(result_of(session), session["cut"])
        )[0]
        if r != root
    )
    _, status, _ = split_cluster(1, session["cut"], {"node": higher}, session["id"])
    assert status.startswith("3 clusters after 1 split or merge, the same as a cut at")
    assert partition_choices(None, session["cut"], session["id"]) == (
        True,
        "Split cluster",
        True,
        "Merge with sibling",
    )
    split_off, split_label, merge_off, merge_label = partition_choices(
        {"cluster": label}, session["cut"], session["id"]
    )
    assert (split_off, split_label) == (False, f"Split cluster {label}")
    assert (merge_off, merge_label) == (False, "Merge clusters 1 and 2")
    top = 2 * result_of(session).tree.n - 2
    assert partition_choices({"node": top}, session["cut"], session["id"])[1:] == (
        "Split cluster",
        False,
        "Merge clusters 1 and 2",
    )


def test_the_download_holds_the_edited_clusters_and_says_how_they_were_made():
    session_id = new_session()
    cut = cluster_and_cut(session_id, load(session_id, source="tutorial-2-blobs"))
    session = dict(id=session_id, clustering=cut["clustering"], cut=cut)
    root, label = lower_root(session)
    edited, _, _ = split_cluster(1, cut, {"cluster": label}, session_id)
    table, settings, _ = download(session_id, edited)
    result = result_of(session)
    np.testing.assert_array_equal(table["cluster"].to_numpy(), labels_for(result, edited))
    assert table["cluster"].nunique() == 3
    assert settings["cut"]["clusters"] == 3 and settings["cut"]["k"] == 2
    assert settings["cut"]["splits_and_merges"] == [
        {"action": "split", "node": root, "linkage_row": root - result.tree.n}
    ]


def test_split_and_merge_read_the_clustering_result_once(session, monkeypatch):
    """Each edit reads the session's clustering from the store once, not once to find
    its target and again to replay the edits."""
    reads = []
    read = store.Store.result_for

    def counted(self, *args, **kwargs):
        reads.append(args)
        return read(self, *args, **kwargs)

    monkeypatch.setattr(store.Store, "result_for", counted)
    root, label = lower_root(session)
    reads.clear()
    split, _, _ = split_cluster(1, session["cut"], {"cluster": label}, session["id"])
    assert split["edits"] == [["split", root]] and len(reads) == 1
    reads.clear()
    merged, _, _ = merge_clusters(1, split, {"node": root}, session["id"])
    assert merged["k"] == 2 and len(reads) == 1
