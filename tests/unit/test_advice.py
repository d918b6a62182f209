"""Analyst defaults (issue #16 §6): the z-score suggestion (the core's spread check against
numpy and scipy, and the callbacks as plain functions on real loads), and cluster means in the
file's units in the Clusters table."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import zscore

from callbacks.advice import apply_zscore, suggest_scaling
from callbacks.diagnostics import update_summary
from callbacks.shown import labels_for
from hclust.datasets import load_bundled_table
from hclust.preprocess import SPREAD_ADVICE_RATIO, feature_spreads, spread_advice
from services import store
from tests.helpers import (
    call,
    cluster,
    draw_views,
    load,
    move_cut,
    new_session,
    put_preset,
    upload,
)


class TestFeatureSpreads:
    def test_equals_numpy_population_std(self):
        values = np.random.default_rng(1).normal(size=(50, 4)) * [1, 10, 100, 0.5]
        np.testing.assert_allclose(feature_spreads(values), np.std(values, axis=0, ddof=0))

    def test_refuses_a_vector(self):
        with pytest.raises(ValueError, match="2-D"):
            feature_spreads(np.arange(5.0))


class TestSpreadAdvice:
    def test_penguins_grams_against_millimetres(self):
        frame = load_bundled_table("penguins").frame
        columns = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
        values = frame[columns].dropna().to_numpy(float)
        advice = spread_advice(feature_spreads(values), columns)
        stds = values.std(axis=0)
        assert advice["widest"] == "body_mass_g" and advice["narrowest"] == "bill_depth_mm"
        assert advice["ratio"] == pytest.approx(stds.max() / stds.min())
        assert advice["widest_std"] == pytest.approx(stds[3])
        assert advice["narrowest_std"] == pytest.approx(stds[1])

    def test_at_the_ratio_itself_nothing_is_suggested(self):
        assert spread_advice([1.0, SPREAD_ADVICE_RATIO], ["a", "b"]) is None
        assert spread_advice([1.0, SPREAD_ADVICE_RATIO * 1.001], ["a", "b"])["widest"] == "b"

    @pytest.mark.parametrize("spreads", [[5.0], [0.0, 50.0], [np.inf, 1.0], [np.nan, 1.0]])
    def test_nothing_to_suggest(self, spreads):
        assert spread_advice(spreads, [f"c{i}" for i in range(len(spreads))]) is None

    @settings(max_examples=40, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        n=st.integers(3, 60),
        log_scales=st.lists(st.floats(-4, 4), min_size=2, max_size=6),
    )
    def test_exactly_when_the_largest_std_exceeds_ten_times_the_smallest(self, seed, n, log_scales):
        values = np.random.default_rng(seed).normal(size=(n, len(log_scales)))
        values *= 10.0 ** np.array(log_scales)
        stds = np.std(values, axis=0)
        names = [f"f{j}" for j in range(len(log_scales))]
        advice = spread_advice(feature_spreads(values), names)
        assert (advice is not None) == bool(stds.max() > SPREAD_ADVICE_RATIO * stds.min())
        if advice is not None:
            assert advice["widest"] == names[int(np.argmax(stds))]
            assert advice["narrowest"] == names[int(np.argmin(stds))]
        # after scipy's z-score every spread is 1: nothing left to suggest
        assert spread_advice(feature_spreads(zscore(values)), names) is None


class TestSuggestScaling:
    def test_penguins_unscaled_get_the_suggestion_and_z_score_removes_it(self):
        session_id = new_session()
        features = ["bill_depth_mm", "body_mass_g"]
        out = load(session_id, "bundled:penguins", features=features, scaling="none")
        text, hidden = call(
            suggest_scaling, data_version=out["version"], scaling="none", session_id=session_id
        )
        assert hidden is False
        assert "body_mass_g decides the distances" in text
        assert text[0].isupper() and text.endswith(".")
        # the button sets the scaling control; the reloaded data has equal spreads
        assert call(apply_zscore, n_clicks=1) == "zscore"
        scaled = load(session_id, "bundled:penguins", features=features, scaling="zscore")
        for scaling, version in (("zscore", out["version"]), ("zscore", scaled["version"])):
            assert call(
                suggest_scaling, data_version=version, scaling=scaling, session_id=session_id
            ) == ("", True)

    def test_minmax_keeps_it_when_the_scaled_spreads_still_differ(self):
        session_id = new_session()
        # column a is 0 but for one row: min-max leaves its std at about 0.02, b's at 0.29
        content = "a,b\n" + "\n".join(f"{int(i == 7)},{i}" for i in range(2000)) + "\n"
        upload(session_id, content.encode())
        out = load(session_id, "upload", features=["a", "b"], scaling="minmax")
        _, hidden = call(
            suggest_scaling, data_version=out["version"], scaling="minmax", session_id=session_id
        )
        assert hidden is False

    def test_similar_spreads_and_no_data(self):
        session_id = new_session()
        version = put_preset(session_id)  # the tutorial's x and y: similar spreads
        answer = call(suggest_scaling, data_version=version, scaling="none", session_id=session_id)
        assert answer == ("", True)
        answer = call(suggest_scaling, data_version=None, scaling="none", session_id=session_id)
        assert answer == ("", True)


class TestClusterMeansInTheFilesUnits:
    """The Clusters table (where a person looks first) gives means in the file's units."""

    def clustered(self, scaling):
        session_id = new_session()
        out = load(session_id, "bundled:iris", scaling=scaling)
        summary, _, _ = cluster(session_id, out["version"])
        session = dict(id=session_id, clustering=summary, cut=None)
        session["cut"] = move_cut(session, "clustering.data")["cut"]
        colour_map = draw_views(session_id, session["cut"])[2]
        rows, columns, _ = call(
            update_summary, cut=session["cut"], colour_map=colour_map, session_id=session_id
        )
        dataset, result = store.get_store().result_for(session_id, summary)
        return rows, columns, labels_for(result, session["cut"]), dataset

    def test_z_scored_clusters_report_means_in_centimetres(self):
        rows, columns, labels, dataset = self.clustered("zscore")
        frame = load_bundled_table("iris").frame[list(dataset.feature_names)]
        means = frame.assign(cluster=labels).groupby("cluster").mean()
        for row in rows:
            for feature in dataset.feature_names:
                assert row[f"mean {feature}"] == pytest.approx(
                    means.loc[row["cluster"], feature], abs=1e-4
                )
            # the within-cluster sum of squares is the tree's, in z-score units
            members = dataset.values[labels == row["cluster"]]
            wcss = ((members - members.mean(axis=0)) ** 2).sum()
            assert row["wcss"] == pytest.approx(wcss, abs=1e-4)
        assert {"name": "wcss (z-score)", "id": "wcss"} in columns

    def test_unscaled_clusters_are_unchanged(self):
        rows, columns, labels, dataset = self.clustered("none")
        for row in rows:
            members = dataset.values[labels == row["cluster"]]
            assert row[f"mean {dataset.feature_names[0]}"] == pytest.approx(
                members[:, 0].mean(), abs=1e-4
            )
        assert {"name": "wcss", "id": "wcss"} in columns
