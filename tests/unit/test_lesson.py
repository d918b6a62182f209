"""The lesson's steps (hclust/lesson.py): valid states, and numbers that are the core's own.

Checked against the tutorial's reference numbers (tests/fixtures/tutorial_values.py)
and against scipy called directly; hypothesis for other data.
"""

import re
import string

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.cluster.hierarchy import cophenet, fcluster, inconsistent, linkage
from scipy.spatial.distance import pdist

from callbacks.share import TRUNCATIONS, parse_view
from hclust import lesson
from hclust.cut import CRITERIA, flat_clusters
from hclust.data import PRESETS, load_preset
from hclust.linkage import validate_method_metric
from tests.fixtures import tutorial_values as ref


@pytest.fixture(scope="module")
def facts():
    return lesson.tutorial_facts()


class TestSteps:
    def test_thirteen_steps_in_the_tutorials_order(self):
        assert lesson.N_STEPS == 13
        titles = [lesson.step(i).title for i in range(1, 14)]
        assert titles[0] == "The data" and titles[-1] == "The final clusters"
        assert len(set(titles)) == 13

    @pytest.mark.parametrize("number", range(1, 14))
    def test_every_state_is_whole_and_valid_for_the_app(self, number):
        step = lesson.step(number)
        state = step.state
        assert set(state) == set(lesson.BASE_STATE)
        assert state["dataset"] in PRESETS
        validate_method_metric(state["method"], state["metric"])
        assert state["criterion"] in CRITERIA
        assert state["truncate_mode"] in TRUNCATIONS
        assert step.panel in lesson.PANELS
        Z = linkage(load_preset(state["dataset"]).values, state["method"], state["metric"])
        labels = flat_clusters(
            Z,
            state["criterion"],
            height=state["height"],
            k=state["k"],
            t=state["t"],
            depth=state["depth"],
        )
        assert labels.shape == (len(Z) + 1,)

    @pytest.mark.parametrize("number", range(1, 14))
    def test_the_address_of_each_step_passes_the_links_validator(self, number):
        from callbacks.lesson import step_query

        state = lesson.step(number).state
        view = parse_view(step_query(number, presenting=True))
        assert view["src"] == state["dataset"]
        assert (view["method"], view["metric"]) == (state["method"], state["metric"])
        assert (view["trunc"], view["p"]) == (state["truncate_mode"], state["p"])
        assert view["crit"] == state["criterion"]
        assert view["lesson"] == number and view["present"] is True
        if state["criterion"] == "distance":
            assert view["h"] == state["height"]

    def test_step_four_pins_rows_13_and_14(self):
        assert list(lesson.step(4).state["merge_pins"]) == [13, 14]

    def test_templates_type_no_number(self):
        for step in lesson.STEPS:
            literal = "".join(part for part, *_ in string.Formatter().parse(step.template))
            # the data set's name X2 is a name, not a number
            assert not re.search(r"\d", re.sub(r"\bX2\b", "", literal)), step.title

    @pytest.mark.parametrize("number", range(1, 14))
    def test_every_placeholder_is_filled(self, number, facts):
        text = lesson.step_text(number, facts)
        assert not re.search(r"\{[a-z_0-9]+\}", text)
        assert lesson.fields(lesson.step(number).template) <= set(lesson.step_values(number, facts))
        sentences = [s for s in re.split(r"(?<=[.:])\s+(?=[A-Z])", text) if s]
        assert 2 <= len(sentences) <= 4, text

    def test_no_such_step(self):
        for bad in (0, 14, "3", 2.0):
            with pytest.raises(ValueError):
                lesson.step(bad)


class TestTutorialNumbers:
    def test_cophenetic_correlation(self, facts):
        assert facts["c"] == pytest.approx(ref.COPHENETIC_CORRELATION, abs=1e-12)
        assert "c = 0.98001" in lesson.step_text(5, facts)

    def test_rows_of_z(self, facts):
        for i in (0, 1, 13, 14):
            row = facts["z"][str(i)]
            a, b, d, count = ref.Z_FIRST_20[i]
            assert (row["a"], row["b"], row["n"]) == (a, b, count)
            assert row["d"] == pytest.approx(d, abs=5e-6)
        assert set(facts["z"]["13"]["members"]) == ref.Z_ROW_13_MEMBERS
        assert "Row 0 joins samples 52 and 53 at distance 0.04151" in lesson.step_text(2, facts)
        step3 = lesson.step_text(3, facts)
        assert "152 names the cluster made in row 2" in step3
        assert "samples {33, 62, 68}" in step3

    def test_last_merges_and_the_cuts(self, facts):
        np.testing.assert_allclose(facts["last4"], ref.Z_LAST_4_HEIGHTS, atol=5e-6)
        assert sorted(facts["sizes50"]) == sorted(ref.FCLUSTER_DISTANCE_50_COUNTS)
        assert facts["k16"] == ref.FCLUSTER_DISTANCE_16_NCLUSTERS
        assert sorted(facts["sizes_maxclust"]) == sorted(ref.FCLUSTER_MAXCLUST_2_COUNTS)
        assert facts["k_inconsistent"] == ref.FCLUSTER_INCONSISTENT_T8_DEPTH10_NCLUSTERS
        assert "180.27043" in lesson.step_text(5, facts)
        assert "4 clusters" in lesson.step_text(9, facts)

    def test_inconsistency_at_two_depths(self, facts):
        assert facts["inc5_last"] == pytest.approx(ref.INCONSISTENT_DEPTH5_LAST10[-1, 3], abs=5e-6)
        assert facts["inc3_last"] == pytest.approx(ref.INCONSISTENT_DEPTH3_LAST10[-1, 3], abs=5e-6)
        rows = np.array(facts["inconsistency"]["rows"])
        np.testing.assert_allclose(rows[:, 2], ref.INCONSISTENT_DEPTH5_LAST10[-4:, 3], atol=5e-6)
        np.testing.assert_allclose(rows[:, 3], ref.INCONSISTENT_DEPTH3_LAST10[-4:, 3], atol=5e-6)
        np.testing.assert_allclose(rows[:, 1], ref.Z_LAST_4_HEIGHTS, atol=5e-6)

    def test_elbow_on_x_and_x2(self, facts):
        assert (facts["elbow_x"], facts["elbow_x2"]) == (ref.ELBOW_K_X, ref.ELBOW_K_X2)

    def test_truncation_and_annotation_agree_with_scipy(self, facts, tutorial):
        from scipy.cluster.hierarchy import dendrogram

        Z = linkage(tutorial["X"], "ward")
        shown = dendrogram(Z, truncate_mode="lastp", p=12, no_plot=True)["ivl"]
        assert len(shown) == 12
        assert facts["lastp_total"] == len(tutorial["X"])
        assert facts["lastp_counts"] == [int(s[1:-1]) for s in shown if s.startswith("(")]
        assert facts["annotated"] == [h for h in Z[:, 2].tolist() if h > 10]


@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    n=st.integers(30, 60),
    n2=st.integers(30, 60),
)
def test_facts_are_scipys_on_other_data(seed, n, n2):
    """On any data the lesson quotes what scipy itself computes."""
    rng = np.random.default_rng(seed)
    X = np.vstack((rng.normal(0, 1, (n, 2)), rng.normal(30, 1, (n, 2))))
    X2 = rng.normal(0, 40, (n2, 2))
    facts = lesson.lesson_facts(X, X2)
    Z = linkage(X, "ward")
    assert facts["c"] == pytest.approx(cophenet(Z, pdist(X))[0], abs=1e-12)
    labels = fcluster(Z, 50, "distance")
    assert facts["k50"] == labels.max()
    assert facts["sizes50"] == np.bincount(labels)[1:].tolist()
    assert facts["inc3_last"] == pytest.approx(inconsistent(Z, 3)[-1, 3], abs=1e-12)
    assert facts["z"]["13"]["d"] == Z[13, 2]
    assert facts["n"] == 2 * n and facts["rows"] == 2 * n - 1
