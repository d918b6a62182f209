"""One callback per intent: the dendrogram's relayouts reach no server callback,
and each callback that sets the cut or the focus is triggered by its own event only.

By plotly/dash#1861, a callback whose newer request answers "no change" makes
Dash drop its superseded earlier answer: a zoom reaching the cut's callback
could lose a real cut (and a cut drag, a real focus)."""

import pytest
from dash import no_update
from dash.exceptions import PreventUpdate

from app import app, server
from callbacks.first_view import registered
from tests.fixtures import tutorial_values as ref
from tests.helpers import drag_to, move_cut


@pytest.fixture(scope="module")
def callbacks():
    """The app's callbacks, as Dash serves them: inputs and outputs as "id.property"."""
    server.test_client().get("/")  # Dash hands the module-level callbacks to the app it serves
    return [
        {"server": not w.in_browser, "inputs": set(w.inputs), "outputs": set(w.outputs)}
        for w in registered(app)
    ]


def writers(callbacks, output):
    return [c for c in callbacks if output in c["outputs"]]


class TestRelayoutIsSplitInTheBrowser:
    def test_no_server_callback_reads_the_dendrograms_relayout(self, callbacks):
        readers = [c for c in callbacks if "dendrogram.relayoutData" in c["inputs"]]
        assert readers and not any(c["server"] for c in readers)
        # the splitter (assets/relayout.js) writes the two stores the server reads
        assert any(c["outputs"] == {"cut-drag.data", "dendrogram-leaf-zoom.data"} for c in readers)

    def test_each_cut_callback_has_one_intent(self, callbacks):
        # the height and k by Enter or Tab away (their values are written by every intent)
        fields = {
            "cut-height.n_submit",
            "cut-height.n_blur",
            "n-clusters.n_submit",
            "n-clusters.n_blur",
            "criterion.value",
            "criterion-t.value",
            "criterion-depth.value",
        }
        triggers = sorted(sorted(c["inputs"]) for c in writers(callbacks, "cut.data"))
        assert triggers == sorted(
            [
                # a new tree: its cut comes with the tree answered in the request (#11), or
                # follows the tree a background job answered
                ["data-version.data", "method.value", "metric.value", "optimal-order.value"],
                ["job-tree.data"],
                ["cut-drag.data"],
                ["elbow-graph.clickData", "quality-graph.clickData"],
                ["cut-nudge.data"],
                sorted(fields),
                # cuts at several levels (callbacks/partition.py): one button each
                ["partition-split.n_clicks"],
                ["partition-merge.n_clicks"],
                ["partition-undo.n_clicks"],
                ["partition-redo.n_clicks"],
                # a link's splits and merges, replayed at the end of its restore (callbacks/share.py)
                ["share-tick.n_intervals"],
            ]
        )
        # a zoom of the dendrogram triggers none of them
        assert not any(
            "dendrogram-leaf-zoom.data" in c["inputs"] for c in writers(callbacks, "cut.data")
        )

    def test_each_focus_callback_has_one_intent(self, callbacks):
        triggers = sorted(sorted(c["inputs"]) for c in writers(callbacks, "focus.data"))
        assert triggers == [
            # a new tree is shown whole: the answers that bring one clear the focus (#11)
            ["data-version.data", "method.value", "metric.value", "optimal-order.value"],
            ["dendrogram-leaf-zoom.data"],
            ["focus-branch.n_clicks", "focus-reset.n_clicks"],
            ["linkage-job.data"],
        ]

    def test_the_clustergram_follows_the_same_zoom(self, callbacks):
        (heatmap,) = writers(callbacks, "clustergram.figure")
        assert "dendrogram-leaf-zoom.data" in heatmap["inputs"]
        assert not any("clustergram-zoom.data" in c["outputs"] for c in callbacks)


class TestTheTypedFieldsIgnoreTheirEcho:
    """Another intent writes the fields with the cut; leaving a field that shows it, or a
    criterion written with it, changes nothing."""

    def test_a_drag_echoed_by_the_fields_changes_nothing(self, session):
        dragged = move_cut(session, "cut-drag.data", drag=drag_to(16))
        assert dragged["n_clusters"] == ref.FCLUSTER_DISTANCE_16_NCLUSTERS
        assert dragged["criterion"] is no_update  # unchanged: not written, no request
        echo = dict(
            typed_height=dragged["cut_height"],
            typed_k=dragged["n_clusters"],
            criterion=dragged["cut"]["criterion"],
        )
        for field in ("cut-height.n_blur", "n-clusters.n_blur", "criterion.value"):
            with pytest.raises(PreventUpdate):
                move_cut(dict(session, cut=dragged["cut"]), field, **echo)

    def test_a_real_change_after_it_is_answered(self, session):
        dragged = move_cut(session, "cut-drag.data", drag=drag_to(16))["cut"]
        typed = move_cut(dict(session, cut=dragged), "n-clusters.value", typed_height=16, typed_k=2)
        assert typed["n_clusters"] == 2 and typed["cut"]["k"] == 2
        assert typed["cut"]["height"] != 16

    def test_a_criterion_echo_of_a_cut_without_a_height(self, session):
        chosen = move_cut(session, "criterion.value", criterion="inconsistent", t=8, depth=10)
        assert chosen["cut_height"] is None
        with pytest.raises(PreventUpdate):
            move_cut(
                dict(session, cut=chosen["cut"]),
                "n-clusters.n_blur",
                typed_height=None,
                typed_k=chosen["n_clusters"],
                criterion="inconsistent",
                t=8,
                depth=10,
            )

    def test_the_same_height_dragged_twice_is_answered_twice(self, session):
        first = move_cut(session, "cut-drag.data", drag=drag_to(16, seq=1))
        second = move_cut(dict(session, cut=first["cut"]), "cut-drag.data", drag=drag_to(16, seq=2))
        assert second["cut"] == first["cut"] and second["status"] is not no_update
