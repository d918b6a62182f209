"""The elbow and quality panels on the tutorial's X2, where the elbow misleads."""
from callbacks.diagnostics import update_k_plots
from tests.fixtures import tutorial_values as ref
from tests.unit.test_callbacks import call, cluster, new_session, put_preset, triggered_by


def k_plots_for_x2(max_k=10):
    session_id = new_session()
    summary, _, _ = cluster(session_id, put_preset(session_id, "tutorial-5-blobs"))
    cut = {"criterion": "distance", "height": summary["default_cut"], "k": 2, "clustering": summary}
    with triggered_by("cut.data"):
        return call(update_k_plots, cut=cut, max_k=max_k, session_id=session_id)


class TestUpdateKPlots:
    def test_x2_elbow_suggests_4_and_says_silhouette_disagrees(self):
        elbow_figure, note, quality_figure, status = k_plots_for_x2()
        assert elbow_figure.layout.title.text == f"Elbow: suggests k = {ref.ELBOW_K_X2}"
        assert f"Suggested k = {ref.ELBOW_K_X2}" in note.children
        assert "silhouette disagrees: it is best at k = 5" in note.children
        assert status.startswith("Best silhouette at k = 5")

    def test_quality_plot_has_one_point_per_k_in_each_index(self):
        _, _, quality_figure, _ = k_plots_for_x2(max_k=8)
        assert len(quality_figure.data) == 3
        for trace in quality_figure.data:
            assert list(trace.x) == list(range(2, 9))

    def test_largest_k_out_of_range_is_explained(self):
        outputs = k_plots_for_x2(max_k=40)
        assert outputs[3].startswith("⚠ Largest k must be a whole number from 3 to 30")
