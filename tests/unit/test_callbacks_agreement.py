"""callbacks.agreement as plain functions: labels against clusters, profiles in the file's units."""

import numpy as np
import pandas as pd
import pytest
from dash.exceptions import PreventUpdate
from scipy.cluster.hierarchy import fcluster
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from callbacks.agreement import (
    NO_LABEL_COLUMN,
    AnalystSource,
    agreement_per_k_for,
    class_codes,
    update_agreement_per_k,
    update_label_agreement,
    update_profiles,
)
from callbacks.clustering import compute_clustering
from callbacks.shown import cluster_colours, labels_for
from hclust.cut import OVERFLOW_COLOUR, PALETTE
from hclust.datasets import load_bundled_table
from services import store
from tests.helpers import load, move_cut, new_session, refusal

IRIS = load_bundled_table("iris").frame


def loaded(source, scaling="none", label=None):
    """A session with `source` loaded as the page loads it, clustered by ward, at its default cut."""
    session_id = new_session()
    version = load(session_id, source, scaling=scaling, label=label)["version"]
    summary, _ = compute_clustering(session_id, version, "ward", "euclidean", False)
    session = dict(id=session_id, clustering=summary, cut=None)
    session["cut"] = move_cut(session, "clustering.data")["cut"]
    return session


def colour_map(session, cut=None):
    """The colour-map store as the views write it, keys as JSON gives them back."""
    cut = cut or session["cut"]
    _, result = store.get_store().result_for(session["id"], cut["clustering"])
    labels, nodes = cluster_colours(result, labels_for(result, cut), None)
    return {
        "clustering": cut["clustering"],
        "nodes": nodes,
        "labels": {str(k): v for k, v in labels.items()},
    }


def cut_labels(session, cut=None):
    _, result = store.get_store().result_for(session["id"], session["clustering"])
    return labels_for(result, cut or session["cut"])


def text_of(component):
    """Every string inside a Dash component tree."""
    if isinstance(component, str):
        return component
    if isinstance(component, (list, tuple)):
        return " ".join(text_of(c) for c in component)
    children = getattr(component, "children", None)
    return "" if children is None else text_of(children)


def swatch(rules, row):
    """The colour a DataTable gives `row`'s swatch: its matching rules in order, a later
    one winning (dash_table merges them so); only the rules these tables write."""
    colour = None
    for rule in rules:
        where = rule["if"]
        if where.get("column_id") != "colour":
            continue
        query = where.get("filter_query")
        if query is None or query == f"{{cluster}} = {row['cluster']}":
            colour = rule["color"]
    return colour


def table_in(children):
    return next(c for c in children if getattr(c, "id", None) == "label-agreement-table")


@pytest.fixture(scope="module")
def iris():
    return loaded("bundled:iris")


class TestLabelAgreement:
    def test_scores_equal_sklearn_at_the_default_cut(self, iris):
        children = update_label_agreement(colour_map(iris), iris["cut"], iris["id"])[0]
        labels = cut_labels(iris)
        species = IRIS["species"].to_numpy()
        text = text_of(children)
        assert f"k = {iris['cut']['k']}" in text
        assert f"ARI = {adjusted_rand_score(species, labels):.4f}" in text
        assert f"NMI = {normalized_mutual_info_score(species, labels):.4f}" in text
        purity = pd.crosstab(labels, species).max(axis=1).sum() / len(species)
        assert f"purity = {purity:.4f}" in text

    def test_contingency_table_counts_cluster_by_species(self, iris):
        table = table_in(update_label_agreement(colour_map(iris), iris["cut"], iris["id"])[0])
        expected = pd.crosstab(cut_labels(iris), IRIS["species"].to_numpy())
        assert [c["id"] for c in table.columns] == [
            "colour",
            "cluster",
            "size",
            "setosa",
            "versicolor",
            "virginica",
        ]
        for row in table.data:
            for name in ("setosa", "versicolor", "virginica"):
                assert row[name] == expected.loc[row["cluster"], name]
        # each cluster's row in the colour the views drew it
        colours = colour_map(iris)["labels"]
        for row in table.data:
            assert swatch(table.style_data_conditional, row) == colours[str(row["cluster"])]

    def test_follows_the_cut(self, iris):
        cut = move_cut(iris, "n-clusters.value", typed_k=5)["cut"]
        assert cut["k"] == 5
        children, shown = update_label_agreement(colour_map(iris, cut), cut, iris["id"])
        labels = cut_labels(iris, cut)
        assert len(np.unique(labels)) == 5
        expected = adjusted_rand_score(IRIS["species"].to_numpy(), labels)
        assert "k = 5" in text_of(children) and f"ARI = {expected:.4f}" in text_of(children)
        assert shown == "panel"  # the browser's dimming (assets/analyst_views.js) is lifted

    def test_waits_for_the_colours_of_this_cut(self, iris):
        other = move_cut(iris, "n-clusters.value", typed_k=4)["cut"]
        stale = colour_map(iris)
        stale["clustering"] = {**stale["clustering"], "method": "average"}
        with pytest.raises(PreventUpdate):
            update_label_agreement(stale, other, iris["id"])

    def test_without_a_label_column_says_how_to_get_one(self):
        session = loaded("tutorial-2-blobs")
        children, _ = update_label_agreement(colour_map(session), session["cut"], session["id"])
        assert NO_LABEL_COLUMN in text_of(children)
        figure, _, box = update_agreement_per_k(session["cut"], 10, session["id"])
        assert "No label column" in figure.layout.annotations[0].text
        assert "no-labels" in box.split()  # the empty plot is left out of the quality panel

    def test_another_session_is_refused(self, iris):
        other = new_session()  # its own session: it never loaded iris
        message = refusal(update_label_agreement, colour_map(iris), iris["cut"], other)
        assert "No data is loaded" in message

    def test_forged_session_is_refused(self, iris):
        message = refusal(update_label_agreement, colour_map(iris), iris["cut"], "forged")
        assert "reload the page" in message


class TestAgreementPerK:
    def test_each_k_equals_sklearn_on_fcluster_maxclust(self, iris):
        figure, note, shown = update_agreement_per_k(iris["cut"], 8, iris["id"])
        _, result = store.get_store().result_for(iris["id"], iris["clustering"])
        species = IRIS["species"].to_numpy()
        traces = {t.name: t for t in figure.data}
        assert list(traces["ARI"].x) == list(range(2, 9))
        for k, ari, nmi in zip(traces["ARI"].x, traces["ARI"].y, traces["NMI"].y):
            labels = fcluster(result.Z, k, "maxclust")
            assert ari == pytest.approx(adjusted_rand_score(species, labels), abs=1e-12)
            assert nmi == pytest.approx(normalized_mutual_info_score(species, labels), abs=1e-12)
        assert "Best ARI with species at k = " in note and shown == "label-agreement-k"
        assert figure.layout.shapes[0].x0 == iris["cut"]["k"]  # the current k is marked

    def test_shared_result_is_keyed_by_the_classes(self, iris):
        """Two sessions with the same numbers but other labels never read each other's scores."""
        species = class_codes(IRIS["species"])
        shuffled = (np.random.default_rng(0).permutation(species[0]), species[1])
        found = []
        for codes, names in (species, shuffled):
            source = AnalystSource("species", codes, names, None, "none", False)
            found.append(agreement_per_k_for(iris["id"], iris["clustering"], source, 6))
        _, result = store.get_store().result_for(iris["id"], iris["clustering"])
        labels = fcluster(result.Z, 3, "maxclust")
        assert found[1].ari[1] == pytest.approx(adjusted_rand_score(shuffled[0], labels))
        assert found[0].ari[1] != pytest.approx(found[1].ari[1])


class TestClassCodes:
    def test_missing_labels_are_left_out(self):
        codes, names = class_codes(["b", None, "a", float("nan"), " ", "b", 2.0])
        assert names == ("2", "a", "b")
        assert list(codes) == [2, -1, 1, -1, -1, 2, 0]


class TestProfiles:
    def test_means_and_medians_in_the_files_units_after_zscore(self):
        session = loaded("bundled:iris", scaling="zscore")
        figure, rows, columns, styles, note, shown = update_profiles(
            colour_map(session), session["cut"], session["id"]
        )
        labels = cut_labels(session)
        features = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"]
        by = IRIS[features].assign(cluster=labels).groupby("cluster")
        for row in rows:
            for feature in features:
                assert row[f"mean {feature}"] == pytest.approx(
                    by.mean().loc[row["cluster"], feature], rel=1e-5
                )
                assert row[f"median {feature}"] == pytest.approx(
                    by.median().loc[row["cluster"], feature], rel=1e-5
                )
        assert "before the z-score scaling" in note and shown == "panel"
        # one box per cluster and feature, in the cluster's colour, at its quartiles
        colours = colour_map(session)["labels"]
        boxes = [t for t in figure.data if t.type == "box"]
        assert len(boxes) == len(rows) * len(features)
        for box in boxes:
            cluster = int(box.name.split()[-1])
            assert box.marker.color == colours[str(cluster)]
        first = next(b for b in boxes if b.xaxis == "x")  # the first feature's plot
        members = IRIS[features[0]].to_numpy()[labels == int(first.name.split()[-1])]
        assert first.q1[0] == pytest.approx(np.percentile(members, 25))
        assert first.q3[0] == pytest.approx(np.percentile(members, 75))

    def test_generated_data_profiles_its_values(self):
        session = loaded("tutorial-2-blobs")
        _, rows, _, _, note, _ = update_profiles(colour_map(session), session["cut"], session["id"])
        dataset = store.get_store().loaded_dataset(session["id"], session["clustering"]["key"])
        labels = cut_labels(session)
        for row in rows:
            assert row["mean x"] == pytest.approx(
                dataset.values[labels == row["cluster"], 0].mean(), rel=1e-5
            )
        assert "as generated" in note

    def test_penguins_rows_dropped_for_missing_values_stay_aligned(self):
        session = loaded("bundled:penguins", scaling="zscore")
        _, rows, _, _, _, _ = update_profiles(colour_map(session), session["cut"], session["id"])
        frame = load_bundled_table("penguins").frame
        kept = frame.dropna(
            subset=["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
        )
        labels = cut_labels(session)
        assert len(labels) == len(kept)
        means = kept.assign(cluster=labels).groupby("cluster")["body_mass_g"].mean()
        for row in rows:
            assert row["mean body_mass_g"] == pytest.approx(means[row["cluster"]], rel=1e-5)
        children, _ = update_label_agreement(colour_map(session), session["cut"], session["id"])
        expected = adjusted_rand_score(kept["species"].to_numpy(), labels)
        assert f"ARI = {expected:.4f}" in text_of(children)

    def test_refused_session_shows_a_message(self):
        session = loaded("tutorial-2-blobs")
        message = refusal(update_profiles, colour_map(session), session["cut"], new_session())
        assert "No data is loaded" in message


def test_panels_are_in_the_layout():
    from components.layout import serve_layout

    layout = serve_layout()
    ids = set()

    def walk(component):
        if isinstance(component, (list, tuple)):
            for c in component:
                walk(c)
            return
        if getattr(component, "id", None):
            ids.add(component.id)
        children = getattr(component, "children", None)
        if children is not None and not isinstance(children, str):
            walk(children)

    walk(layout)
    assert {"label-agreement", "cluster-profiles", "label-agreement-k"} <= ids


class TestManyClusters:
    def test_tables_list_the_largest_200_clusters_and_say_so(self):
        from callbacks.agreement import TABLE_CLUSTERS_MAX, agreement_view

        session = loaded("tutorial-5-blobs")
        cut = move_cut(session, "n-clusters.value", typed_k=300)["cut"]
        assert cut["k"] == 300
        _, rows, _, _, note, _ = update_profiles(colour_map(session, cut), cut, session["id"])
        labels = cut_labels(session, cut)
        sizes = np.bincount(labels)[1:]
        assert len(rows) == TABLE_CLUSTERS_MAX
        assert f"the {TABLE_CLUSTERS_MAX} largest clusters" in note
        assert sorted(r["size"] for r in rows) == sorted(sizes)[-TABLE_CLUSTERS_MAX:]
        # every listed cluster's swatch in its colour, from a rule per palette colour and one
        # for the pale grey: a rule per row took the table 150-300 ms a cut (#12 §5)
        colours = colour_map(session, cut)["labels"]
        rules = update_profiles(colour_map(session, cut), cut, session["id"])[3]
        assert len(rules) <= len(PALETTE) + 1
        for row in rows:
            assert swatch(rules, row) == colours[str(row["cluster"])]
        assert {swatch(rules, row) for row in rows} == {*PALETTE, OVERFLOW_COLOUR}

        codes = np.random.default_rng(0).integers(0, 3, len(labels))
        source = AnalystSource("kind", codes, ("a", "b", "c"), None, "none", False)
        children = agreement_view(labels, source, {}, 300)
        table = table_in(children)
        assert len(table.data) == TABLE_CLUSTERS_MAX
        assert f"{TABLE_CLUSTERS_MAX} largest of 300 clusters" in text_of(children)
        assert f"ARI = {adjusted_rand_score(codes, labels):.4f}" in text_of(children)

    def test_box_plots_of_the_clusters_with_a_colour_of_their_own_and_say_so(self):
        # a box per grey cluster could not be told apart, and each is a trace that every cut
        # redraws (#12 §5)
        session = loaded("tutorial-5-blobs")
        cut = move_cut(session, "n-clusters.value", typed_k=300)["cut"]
        colours = colour_map(session, cut)["labels"]
        figure, _, _, _, note, _ = update_profiles(colour_map(session, cut), cut, session["id"])
        sizes = np.bincount(cut_labels(session, cut))
        for axis in ("x", "x2"):
            boxes = [t for t in figure.data if t.xaxis == axis]
            clusters = [int(box.name.split()[-1]) for box in boxes]
            assert [box.marker.color for box in boxes] == [colours[str(c)] for c in clusters]
            assert {box.marker.color for box in boxes} == set(PALETTE)
            assert sorted(sizes[clusters]) == sorted(sizes)[-len(PALETTE) :]
        assert f"Box plots of the {len(PALETTE)} largest clusters." in note


class TestRebuiltSource:
    def test_a_random_sample_gets_its_own_rows_labels_and_raw_values(self):
        from callbacks.agreement import build_source
        from hclust.data import random_sample

        session = loaded("bundled:iris", scaling="zscore")
        key = session["clustering"]["key"]
        whole = store.get_store().loaded_dataset(session["id"], key)
        origin = store.get_store().session_value(session["id"], f"origin:{key}")
        sampled = random_sample(whole, 60, seed=3)
        origin = {**origin, "samples": [{"rows": 60, "seed": 3, "of": 150}]}
        source = build_source(session["id"], sampled, origin)
        rows = np.asarray(sampled.source_rows)
        np.testing.assert_array_equal(source.raw.values, IRIS[FEATURES].to_numpy()[rows])
        names = np.asarray(source.class_names)[source.class_codes]
        np.testing.assert_array_equal(names, IRIS["species"].to_numpy()[rows])

    def test_a_replaced_upload_is_refused_not_mislabelled(self):
        from hclust.io import parse_upload

        frame = IRIS.copy()
        session_id = new_session()
        csv = frame.to_csv(index=False).encode()
        store.get_store().put_session_value(session_id, "table", parse_upload(csv, "iris.csv"))
        version = load(session_id, "upload", scaling="zscore", label="species")["version"]
        summary, _ = compute_clustering(session_id, version, "ward", "euclidean", False)
        session = dict(id=session_id, clustering=summary, cut=None)
        session["cut"] = move_cut(session, "clustering.data")["cut"]
        frame["petal_length_cm"] = frame["petal_length_cm"][::-1].to_numpy()  # another file
        other = parse_upload(frame.to_csv(index=False).encode(), "iris.csv")
        store.get_store().put_session_value(session_id, "table", other)
        message = refusal(update_label_agreement, colour_map(session), session["cut"], session_id)
        assert "has been replaced since they were computed" in message


FEATURES = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"]


class TestProfilesFigure:
    @pytest.mark.parametrize("m", [1, 2, 3, 7, 12, 15])
    def test_one_box_per_cluster_and_feature_on_its_own_axes(self, m):
        from components.agreement_figures import PROFILE_FEATURES_MAX, profiles_figure
        from hclust.profiles import cluster_profiles

        rng = np.random.default_rng(m)
        values = rng.normal(size=(200, m))
        labels = rng.integers(1, 4, 200)
        profiles = cluster_profiles(values, labels)
        figure = profiles_figure(profiles, [f"f{j}" for j in range(m)], {"1": "#112233"})
        drawn = min(m, PROFILE_FEATURES_MAX)
        assert len(figure.data) == drawn * 3
        titles = [a.text for a in figure.layout.annotations]
        assert titles == [f"f{j}" for j in range(drawn)]
        for j in range(drawn):
            boxes = [t for t in figure.data if t.xaxis == ("x" if j == 0 else f"x{j + 1}")]
            assert [b.name for b in boxes] == ["cluster 1", "cluster 2", "cluster 3"]
            assert [b.median[0] for b in boxes] == pytest.approx(profiles.median[:, j])
            assert boxes[0].marker.color == "#112233"
