"""Cuts at several levels: split a chosen cluster, merge a chosen one with its sibling branch,
undo and redo.

The edits live in the ``cut`` store next to the cut they started from (``edits`` and
``redo``: lists of ``[action, node]``), so every view, the summary and the download
read the edited partition through :func:`current_partition`; any new cut (a drag, a
typed height or k, a criterion) starts without edits. Each button has its own
callback, so a refused edit never drops another's answer (plotly/dash#1861).
"""

from __future__ import annotations

import numpy as np
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback

from callbacks import validate
from callbacks.errors import shows_errors
from callbacks.shown import current_partition, edits_of
from hclust.errors import InputError
from hclust.partition import (
    MERGE,
    SPLIT,
    Edit,
    merge_target,
    single_height,
    split_target,
)
from services import store

CHOOSE_FIRST = (
    "Choose a cluster first: click it in the dendrogram or the cluster table, "
    "or select its points in the scatter."
)
NOTHING_TO_MERGE = "The whole tree is already one cluster: there is nothing to merge it with."


def describe(result, cut, roots, labels) -> str:
    """The sentence the cut's status line says about an edited partition."""
    k = int(labels.max())
    clusters = f"{k:,} cluster{'s' if k != 1 else ''}"
    if not cut.get("edits"):
        return f"Back to the cut: {clusters}."
    height = single_height(result.tree, roots)
    count = len(cut["edits"])
    edits = f"{count} split{'s' if count != 1 else ''} or merge{'s' if count != 1 else ''}"
    if height is not None:
        return f"{clusters.capitalize()} after {edits}, the same as a cut at {height:.5g}."
    return (
        f"{clusters.capitalize()} after {edits}. No single cut height gives this partition: "
        "the line shows the cut it started from."
    )


def edited_cut(result, cut, edits, redo):
    """The cut state with these edits, its status sentence, and its k.

    The edits are replayed on the server's own tree, `result` (the clustering the cut
    names, read once by the caller; an InputError names an edit that does not apply);
    a restored link writes its edits through here too (callbacks/share.py).
    """
    state = dict(
        cut,
        edits=[edit.as_list() for edit in edits],
        redo=[edit.as_list() for edit in redo],
        base_k=cut.get("base_k", cut["k"]),
    )
    roots, labels = current_partition(result, state)
    state["k"] = int(labels.max())
    return state, describe(result, state, roots, labels), state["k"]


def result_of(cut, session_id):
    """The clustering the cut names, from the session's own record."""
    return store.get_store().result_for(session_id, cut["clustering"])[1]


def _shown_partition(cut, session_id):
    """The tree and the partition the page shows: (result, roots, labels)."""
    result = result_of(cut, session_id)
    roots, labels = current_partition(result, cut)
    return result, roots, labels


def _require_cut(cut):
    if not cut:
        raise InputError("Load data and cut the tree first.")
    return cut


def edit_button(button_id, *choices):
    """Register one button's edit: (clicks, cut, *choices, session id) -> (cut, status, k).

    k goes to the k field too, which asks for no cut: the fields' callback
    (callbacks/cut.py) reads the field on Enter or Tab away, not when it is written.
    """

    def register(function):
        return callback(
            Output("cut", "data", allow_duplicate=True),
            Output("cut-status", "children", allow_duplicate=True),
            Output("n-clusters", "value", allow_duplicate=True),
            Input(button_id, "n_clicks"),
            State("cut", "data"),
            *choices,
            State("session-id", "data"),
            prevent_initial_call=True,
        )(shows_errors(outputs=3, message=1)(function))

    return register


@edit_button("partition-split", State("highlight", "data"))
def split_cluster(clicks, cut, highlight, session_id):
    """Split the chosen cluster at its own highest merge."""
    cut, highlight = _require_cut(validate.cut(cut)), validate.highlight(highlight)
    result, roots, labels = _shown_partition(cut, session_id)
    root = split_target(result.tree, roots, labels, highlight)
    if root is None:
        raise InputError(
            CHOOSE_FIRST if not highlight else "That cluster is one sample: it cannot be split."
        )
    return edited_cut(result, cut, edits_of(cut) + [Edit(SPLIT, root)], [])


@edit_button("partition-merge", State("highlight", "data"))
def merge_clusters(clicks, cut, highlight, session_id):
    """Join the chosen cluster with its sibling branch, or every cluster under a chosen merge."""
    cut, highlight = _require_cut(validate.cut(cut)), validate.highlight(highlight)
    result, roots, labels = _shown_partition(cut, session_id)
    node = merge_target(result.tree, roots, labels, highlight)
    if node is None:
        raise InputError(CHOOSE_FIRST if not highlight else NOTHING_TO_MERGE)
    return edited_cut(result, cut, edits_of(cut) + [Edit(MERGE, node)], [])


@edit_button("partition-undo")
def undo_edit(clicks, cut, session_id):
    """Take back the last split or merge."""
    cut = _require_cut(validate.cut(cut))
    edits, redo = edits_of(cut), edits_of(cut, "redo")
    if not edits:
        raise InputError("There is no split or merge to undo.")
    return edited_cut(result_of(cut, session_id), cut, edits[:-1], redo + edits[-1:])


@edit_button("partition-redo")
def redo_edit(clicks, cut, session_id):
    """Make again the last split or merge undone."""
    cut = _require_cut(validate.cut(cut))
    edits, redo = edits_of(cut), edits_of(cut, "redo")
    if not redo:
        raise InputError("There is no undone split or merge to redo.")
    return edited_cut(result_of(cut, session_id), cut, edits + redo[-1:], redo[:-1])


@callback(
    Output("partition-split", "disabled"),
    Output("partition-split", "children"),
    Output("partition-merge", "disabled"),
    Output("partition-merge", "children"),
    Input("highlight", "data"),
    State("cut", "data"),
    State("session-id", "data"),
    prevent_initial_call=True,  # the layout starts both buttons disabled
)
@shows_errors(outputs=4, status="cut-status")
def partition_choices(highlight, cut, session_id):
    """What the split and merge buttons would do with the current choice."""
    highlight, cut = validate.highlight(highlight), validate.cut(cut)
    if not cut or not highlight:
        return True, "Split cluster", True, "Merge with sibling"
    result, roots, labels = _shown_partition(cut, session_id)
    tree = result.tree
    root = split_target(tree, roots, labels, highlight)
    node = merge_target(tree, roots, labels, highlight)
    split_label = "Split cluster"
    if root is not None:
        split_label = f"Split cluster {int(tree.root_labels(np.asarray([root]), labels)[0])}"
    merge_label = "Merge with sibling"
    if node is not None:
        under = np.unique(
            labels[tree.leaf_order[tree.start[node] : tree.start[node] + tree.size[node]]]
        )
        merge_label = (
            f"Merge clusters {int(under[0])} and {int(under[1])}"
            if len(under) == 2
            else f"Merge the {len(under)} clusters under it"
        )
    return root is None, split_label, node is None, merge_label


# Undo and redo need only the store's own lists: the browser decides, no request.
clientside_callback(
    ClientsideFunction(namespace="partition", function_name="history"),
    Output("partition-undo", "disabled"),
    Output("partition-redo", "disabled"),
    Input("cut", "data"),
)
