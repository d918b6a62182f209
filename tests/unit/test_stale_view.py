"""The server's side of 'a view never shows a result for other settings' (issue 12 §3).

Callbacks as plain functions: the data version says what it was loaded from (the
page compares it with the controls), and going back to the shown result
computes nothing, so a refusal stays on the page.
"""

from dash import no_update

from callbacks.clustering import request_clustering
from tests.helpers import call, cluster, load, new_session, triggered_by, wiring


def loaded(session_id, **inputs):
    return load(session_id, "tutorial-2-blobs", **inputs)["version"]


class TestDataVersionSaysWhatWasLoaded:
    def test_source_and_options(self):
        version = loaded(new_session(), features=[], as_distances=[])
        assert version["source"] == "tutorial-2-blobs"
        assert version["settings"] == [[], None, "none", "drop", []]
        assert version["table"] is None


class TestBackToTheShownResult:
    def test_choosing_what_the_plots_show_computes_nothing(self):
        session_id = new_session()
        version = loaded(session_id)
        shown, _, _ = cluster(session_id, version)
        with triggered_by("method.value", "ward"):
            outputs = call(
                request_clustering,
                data_version=version,
                method="ward",
                metric="euclidean",
                optimal_order=[],
                session_id=session_id,
                shown=shown,
            )
        assert outputs == (no_update,) * len(wiring(request_clustering)["outputs"])

    def test_another_choice_is_computed(self):
        session_id = new_session()
        version = loaded(session_id)
        shown, _, _ = cluster(session_id, version)
        with triggered_by("method.value", "average"):
            summary, status, _, _ = call(
                request_clustering,
                data_version=version,
                method="average",
                metric="euclidean",
                optimal_order=[],
                session_id=session_id,
                shown=shown,
            )[:4]
        assert summary["method"] == "average" and "Average linkage" in status

    def test_reloaded_data_with_the_same_numbers_is_answered_again(self):
        """A new label column gives the same numbers: the plots must be redrawn with it."""
        session_id = new_session()
        version = loaded(session_id)
        shown, _, _ = cluster(session_id, version)
        with triggered_by("data-version.data", version):
            summary, _, _, _ = call(
                request_clustering,
                data_version=version,
                method="ward",
                metric="euclidean",
                optimal_order=[],
                session_id=session_id,
                shown=shown,
            )[:4]
        assert summary == shown
