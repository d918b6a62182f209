"""The typed height and k (callbacks/cut.py ``cut_from_fields``): asked for by Enter or by
leaving the field, never by the values the other intents write with their cut, so a drag
of the line, a k clicked in a plot, a nudge or an edit sends no second request."""

import contextlib

import numpy as np
import pytest
from dash import no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash.exceptions import PreventUpdate
from scipy.cluster.hierarchy import fcluster, linkage

from app import app, server
from callbacks.cut import cut_from_fields
from tests.fixtures import tutorial_values as ref
from tests.helpers import CUT_DEFAULTS, call, drag_to, move_cut, restore_controls

FIELDS = {"cut-height.value", "n-clusters.value"}


@pytest.fixture(scope="module")
def callbacks():
    """The app's callbacks as Dash serves them: inputs, states and outputs as "id.property"."""
    server.test_client().get("/")  # Dash hands the module-level callbacks to the app it serves
    found = []
    for key, spec in app.callback_map.items():
        found.append(
            {
                "inputs": {f"{i['id']}.{i['property']}" for i in spec["inputs"]},
                "state": {f"{i['id']}.{i['property']}" for i in spec["state"]},
                "outputs": {part.split("@")[0] for part in key.strip(".").split("...")},
            }
        )
    return found


@contextlib.contextmanager
def triggered(*prop_ids):
    """Run a callback as Dash does when several of its inputs changed in one go."""
    token = context_value.set(
        AttributeDict(triggered_inputs=[{"prop_id": p, "value": 1} for p in prop_ids])
    )
    try:
        yield
    finally:
        context_value.reset(token)


def typed(session, *prop_ids, **fields):
    """The fields' callback as the page calls it after these events."""
    inputs = {**CUT_DEFAULTS, "cut": session["cut"], **fields}
    inputs.pop("flags")
    with triggered(*prop_ids):
        return call(
            cut_from_fields, clustering=session["clustering"], session_id=session["id"], **inputs
        )


class TestOneRequestPerIntent:
    def test_the_values_other_intents_write_trigger_no_callback(self, callbacks):
        (fields,) = [
            c
            for c in callbacks
            if FIELDS <= c["outputs"]
            and "cut.data" in c["outputs"]
            and "criterion-t.value" in c["inputs"]
        ]
        assert FIELDS <= fields["state"] and not FIELDS & fields["inputs"]
        # a link's restore sets its settings as a person types them: with Enter, on purpose
        restore = {"share-tick.n_intervals"}
        writers = [c for c in callbacks if c["outputs"] & FIELDS and c["inputs"] != restore]
        assert len(writers) >= 6  # the other cut intents, the edit buttons
        for writer in (c for c in writers if c is not fields):
            # the criterion is written only where it changes (below)
            assert writer["outputs"] & fields["inputs"] <= {"criterion.value"}, writer
        # nothing else reads the height and k the intents write
        assert not any(FIELDS & c["inputs"] for c in callbacks)

    def test_a_drag_writes_the_criterion_only_where_it_changes(self, session):
        dragged = move_cut(session, "cut-drag.data", drag=drag_to(16))
        assert dragged["criterion"] is no_update and dragged["cut"]["criterion"] == "distance"
        chosen = move_cut(session, "criterion.value", criterion="inconsistent")
        assert chosen["criterion"] == "inconsistent"  # the fields' own answer says it
        moved = move_cut(
            dict(session, cut=chosen["cut"]),
            "cut-drag.data",
            drag=drag_to(16),
            criterion="inconsistent",
        )
        assert moved["criterion"] == "distance" and moved["cut"]["criterion"] == "distance"
        # and that criterion, reaching the fields' callback with the cut, changes nothing
        with pytest.raises(PreventUpdate):
            typed(
                dict(session, cut=moved["cut"]),
                "criterion.value",
                typed_height=moved["cut_height"],
                typed_k=moved["n_clusters"],
            )


class TestTypedByKeyboard:
    def test_enter_asks_for_the_value_even_where_the_field_shows_the_cut(self, session):
        """After a refused k the message stays until the person asks again: Enter answers."""
        cut = session["cut"]
        out = typed(
            session,
            "n-clusters.n_submit",
            typed_k=cut["k"],
            typed_height=round(cut["height"], 6),
        )
        assert out[1] == cut["k"] and not out[4].startswith("⚠")

    def test_leaving_a_field_that_shows_the_cut_asks_nothing(self, session):
        cut = session["cut"]
        with pytest.raises(PreventUpdate):
            typed(
                session,
                "n-clusters.n_blur",
                typed_k=cut["k"],
                typed_height=round(cut["height"], 6),
            )

    def test_leaving_a_field_with_a_new_value_cuts_there(self, session, tutorial):
        out = typed(session, "n-clusters.n_blur", typed_k=5, typed_height=None)
        scipys = fcluster(linkage(tutorial["X"], "ward"), out[3]["height"], "distance")
        assert out[1] == 5 == len(np.unique(scipys))

    def test_enter_in_the_height_field_wins_over_leaving_the_k_field(self, session):
        """Tab from a refused k to the height, type 16, Enter: Dash sends both events at once."""
        out = typed(
            session,
            "n-clusters.n_blur",
            "cut-height.n_submit",
            typed_k=None,
            typed_height=16,
        )
        assert out[3]["height"] == 16 and out[1] == ref.FCLUSTER_DISTANCE_16_NCLUSTERS, out[4]

    def test_a_refused_k_left_by_tab_is_named(self, session):
        out = typed(session, "n-clusters.n_blur", typed_k=None, typed_height=None)
        assert out[4] == "⚠ Type a whole number of clusters." and out[3] is no_update


def test_a_links_height_is_written_with_an_enter_in_its_field():
    """A restore sets the link's height as a person types it: value and Enter, so the
    fields' callback (which reads the value on Enter) cuts there."""
    from callbacks.lesson import step_query
    from callbacks.share import RESTORE_OUTPUTS, continue_restore, parse_view

    key = "k" * 64
    controls = restore_controls(
        "tutorial-2-blobs", method="ward", metric="euclidean", truncate_mode="none", p=12
    )
    clustering = {"key": key, "method": "ward", "metric": "euclidean", "optimal_order": False}
    cut = {"criterion": "distance", "height": 101.7, "k": 2, "clustering": clustering}
    view = parse_view(step_query(1, False))
    pending = {"view": view, "step": 3, "key": key, "n": 150, "ticks": 1}
    answer = continue_restore(1, pending, {"key": key}, cut, *controls.values(), [], "sid")
    sent = dict(zip(RESTORE_OUTPUTS, answer[3:]))
    assert sent[("cut-height", "value")] == view["h"] != cut["height"]
    assert sent[("cut-height", "n_submit")] is not no_update
    assert sent[("n-clusters", "n_submit")] is no_update


def test_leaving_a_field_while_a_criterion_is_on_its_way_keeps_the_criterion(session):
    """Dash drops an answer overtaken by a newer request of the same callback
    (plotly/dash#1861): Tab out of the k field before the criterion's answer came must
    answer the criterion's cut, not "no change" and not a cut by k."""
    cut = session["cut"]  # distance, as the page starts
    out = typed(
        session,
        "n-clusters.n_blur",
        typed_k=cut["k"],
        typed_height=round(cut["height"], 6),
        criterion="inconsistent",
    )
    assert out[3]["criterion"] == out[2] == "inconsistent" and out[3]["height"] is None
