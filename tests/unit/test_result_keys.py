"""services.store's key types and memo: one frozen key for shared results, built from
the numbers only; session-owned datasets named by everything the person gave them;
the memo that accepts nothing else; and callbacks.errors.shows_errors."""

import dataclasses
import uuid

import numpy as np
import pytest
from dash import no_update
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from callbacks.errors import shows_errors
from hclust.data import Dataset
from hclust.errors import InputError
from services.sessions import issue_session
from services.store import (
    RESULT_KINDS,
    NotReady,
    ResultKey,
    SessionKey,
    Store,
    dataset_id,
    request_name,
    runs_inline,
)
from tests.helpers import DictCache

HASH = "ab" * 32


values_2d = arrays(
    np.float64,
    st.tuples(st.integers(2, 12), st.integers(1, 4)),
    elements=st.floats(-1e6, 1e6, allow_nan=False, width=64),
)
words = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8)


def with_names(values, labels=None, names=None, name="data", notes=()):
    m = values.shape[1]
    return Dataset(
        values=values,
        feature_names=tuple(names or (f"f{j}" for j in range(m))),
        name=name,
        labels=None if labels is None else tuple(labels),
        notes=tuple(notes),
    )


class TestResultKey:
    def test_is_frozen(self):
        key = ResultKey("quality", HASH, "ward", "euclidean", (("max_k", 5),))
        with pytest.raises(dataclasses.FrozenInstanceError):
            key.kind = "mds"

    @pytest.mark.parametrize(
        "fields",
        [
            dict(kind="labels", data=HASH),  # not a kind of shared result
            dict(kind="quality", data="session-id"),  # not a content hash
            dict(kind="quality", data=HASH.upper()),
            dict(kind="quality", data=HASH, options=(("p", 1), ("a", 2))),  # unsorted
            dict(kind="quality", data=HASH, options=(("p", 1), ("p", 2))),  # repeated
        ],
    )
    def test_malformed_keys_are_refused(self, fields):
        with pytest.raises(ValueError):
            ResultKey(**fields)

    @pytest.mark.parametrize(
        "fields",
        [
            dict(kind="quality", data=HASH, method=["ward"]),
            dict(kind="quality", data=HASH, options=(("labels", ("a", "b")),)),
            dict(kind="quality", data=HASH, options=(("x", object()),)),
        ],
    )
    def test_values_that_are_not_plain_are_refused(self, fields):
        with pytest.raises(TypeError):
            ResultKey(**fields)

    @settings(max_examples=200, deadline=None)
    @given(
        st.sampled_from(RESULT_KINDS),
        st.sampled_from(RESULT_KINDS),
        st.one_of(st.none(), words),
        st.one_of(st.none(), words),
        st.dictionaries(
            st.sampled_from(["p", "root", "max_k", "mode"]),
            st.one_of(st.none(), st.booleans(), st.integers(-3, 3), words),
        ),
        st.dictionaries(
            st.sampled_from(["p", "root", "max_k", "mode"]),
            st.one_of(st.none(), st.booleans(), st.integers(-3, 3), words),
        ),
    )
    def test_two_keys_are_stored_apart_exactly_when_they_differ(
        self, kind_a, kind_b, method, metric, options_a, options_b
    ):
        a = ResultKey(kind_a, HASH, method, metric, tuple(sorted(options_a.items())))
        b = ResultKey(kind_b, HASH, method, metric, tuple(sorted(options_b.items())))
        same = (
            kind_a == kind_b
            and list(a.options) == list(b.options)
            and all(type(x) is type(y) for (_, x), (_, y) in zip(a.options, b.options))
        )
        assert (str(a) == str(b)) == same

    def test_the_key_spelling(self):
        key = ResultKey.of(
            "geometry",
            with_names(np.eye(3)),
            "ward",
            "euclidean",
            root=None,
            p=60,
            truncate_mode="lastp",
        )
        assert str(key).startswith(f"result:geometry:{key.data}:'ward':'euclidean':")
        assert [name for name, _ in key.options] == ["p", "root", "truncate_mode"]


class TestKeysOfADataset:
    @settings(max_examples=100, deadline=None)
    @given(values_2d, st.data())
    def test_shared_keys_depend_on_the_numbers_only(self, values, data):
        n, m = values.shape
        mine = with_names(values)
        theirs = with_names(
            values.copy(),
            labels=data.draw(st.lists(words, min_size=n, max_size=n)),
            names=data.draw(st.lists(words, min_size=m, max_size=m)),
            name=data.draw(words),
            notes=data.draw(st.lists(words, max_size=3)),
        )
        for kind in RESULT_KINDS:
            assert ResultKey.of(kind, mine, "ward", "euclidean") == ResultKey.of(
                kind, theirs, "ward", "euclidean"
            )
        other_numbers = with_names(values + 1.0)
        assert ResultKey.of("mds", other_numbers) != ResultKey.of("mds", mine)

    @settings(max_examples=100, deadline=None)
    @given(values_2d, st.data())
    def test_a_sessions_dataset_is_named_by_all_the_person_gave_it(self, values, data):
        n, m = values.shape
        labels = data.draw(st.lists(words, min_size=n, max_size=n))
        names = data.draw(st.lists(words, min_size=m, max_size=m, unique=True))
        base = with_names(values, labels=labels, names=names)
        assert dataset_id(base) == dataset_id(with_names(values.copy(), labels, names))
        changed_label = [*labels[:-1], labels[-1] + "x"]
        changed_name = [*names[:-1], names[-1] + "x"]
        for other in (
            with_names(values, changed_label, names),
            with_names(values, None, names),
            with_names(values, labels, changed_name),
            with_names(values, labels, names, name="other file"),
            with_names(values, labels, names, notes=("scaling: zscore",)),
        ):
            assert dataset_id(other) != dataset_id(base)
            assert other.content_hash == base.content_hash


class TestSessionKey:
    def test_spelling(self):
        sid = uuid.uuid4().hex
        assert str(SessionKey(sid, "dataset", HASH)) == f"session:{sid}:dataset:{HASH}"
        assert str(SessionKey(sid, "table")) == f"session:{sid}:table"

    def test_a_session_reads_only_its_own_datasets(self):
        shared = Store(DictCache())
        mine, theirs = issue_session(), issue_session()
        key = shared.put_dataset(mine, with_names(np.eye(3), labels=("a", "b", "c")))
        assert shared.loaded_dataset(mine, key).labels == ("a", "b", "c")
        assert shared.loaded_dataset(theirs, key) is None
        assert shared.dataset_size(mine, key) == 3 and shared.dataset_size(theirs, key) is None
        with pytest.raises(InputError, match="reload the page"):
            shared.loaded_dataset("forged", key)


class TestMemo:
    def test_only_a_result_key_names_a_shared_result(self):
        shared = Store(DictCache())
        with pytest.raises(TypeError, match="ResultKey"):
            shared.memo(f"result:mds:{HASH}:None:None:", lambda: 1)
        assert shared._cache.data == {}

    def test_a_refused_computation_is_not_run(self):
        shared = Store(DictCache())
        key = ResultKey("quality", HASH, "ward", "euclidean", (("max_k", 5),))
        ran = []
        with pytest.raises(NotReady, match="not now"):
            shared.memo(key, lambda: ran.append(1), refuse="not now")
        assert ran == [] and shared._cache.data == {}
        assert shared.memo(key, lambda: 42) == 42
        assert shared.memo(key, lambda: 0, refuse="not now") == 42  # stored: read back
        assert isinstance(NotReady("x"), InputError)  # shown like any refusal


def test_the_content_hash_is_computed_once_and_travels_with_the_data(monkeypatch):
    """Every shared result's key names it, several times per request: a 100,000-row dataset
    must not be hashed again for each (it is read back from the store in every request)."""
    import hashlib
    import pickle

    dataset = with_names(np.arange(12.0).reshape(6, 2))
    expected = hashlib.sha256()
    expected.update(str(dataset.values.shape).encode())
    expected.update(dataset.values.tobytes())
    expected.update(repr(False).encode())
    assert dataset.content_hash == expected.hexdigest()
    read_back = pickle.loads(pickle.dumps(dataset))
    monkeypatch.setattr(hashlib, "sha256", None)  # any new hash would fail now
    assert read_back.content_hash == dataset.content_hash == expected.hexdigest()


class TestFlatLabels:
    """Every panel reads the cut's labels in its own request: computed once per tree and cut."""

    @settings(max_examples=25, deadline=None)
    @given(
        points=arrays(np.float64, (12, 2), elements=st.floats(-100, 100)),
        method=st.sampled_from(["ward", "average", "single", "complete"]),
        cut=st.sampled_from(
            [
                dict(criterion="distance", height=5.0),
                dict(criterion="maxclust", k=3),
                dict(criterion="inconsistent", t=0.8, depth=2),
                dict(criterion="maxclust_monocrit", k=4, depth=3),
            ]
        ),
    )
    def test_the_labels_are_fclusters_and_read_back(self, points, method, cut):
        from scipy.cluster.hierarchy import linkage

        from hclust.cut import flat_clusters

        Z = linkage(points, method)
        shared = Store(DictCache())
        cut = dict(cut)
        criterion = cut.pop("criterion")
        first = shared.flat_labels(Z, criterion, **cut)
        np.testing.assert_array_equal(first, flat_clusters(Z, criterion, **cut))
        assert len(shared._cache.data) == 1
        np.testing.assert_array_equal(shared.flat_labels(Z.copy(), criterion, **cut), first)
        assert len(shared._cache.data) == 1  # the same tree and cut: read back
        shared.flat_labels(Z, criterion, **dict(cut, depth=cut.get("depth", 2) + 1))
        assert len(shared._cache.data) == 2  # anything else about the cut: its own entry

    def test_another_tree_has_its_own_labels(self):
        from scipy.cluster.hierarchy import linkage

        points = np.random.default_rng(3).normal(size=(20, 2))
        shared = Store(DictCache())
        a = shared.flat_labels(linkage(points, "ward"), "maxclust", k=4)
        b = shared.flat_labels(linkage(points[::-1], "ward"), "maxclust", k=4)
        assert len(shared._cache.data) == 2 and a.shape == b.shape

    def test_bad_cut_values_are_refused_by_the_cut_itself(self):
        from scipy.cluster.hierarchy import linkage

        Z = linkage(np.random.default_rng(4).normal(size=(8, 2)), "ward")
        shared = Store(DictCache())
        with pytest.raises(InputError, match="k must be a whole number"):
            shared.flat_labels(Z, "maxclust", k=2.5)
        with pytest.raises(InputError, match="cut height"):
            shared.flat_labels(Z, "distance", height=-1.0)
        assert shared._cache.data == {}


class TestRouting:
    @pytest.mark.parametrize(
        "n,optimal,inline",
        [(2_000, False, True), (2_001, False, False), (300, True, True), (301, True, False)],
    )
    def test_runs_inline(self, n, optimal, inline):
        assert runs_inline(n, optimal) is inline

    def test_request_names_cover_every_input(self):
        names = {
            request_name(HASH, "ward", "euclidean", False),
            request_name(HASH, "ward", "euclidean", True),
            request_name(HASH, "average", "euclidean", False),
            request_name(HASH, "ward", "euclidean", False, 5),
            request_name(HASH, "ward", "euclidean", False, 6),
        }
        assert len(names) == 5


class TestShowsErrors:
    def test_the_message_goes_to_its_output(self):
        @shows_errors(outputs=3, message=1)
        def panel(fail):
            if fail:
                raise InputError("the data has expired")
            return 1, 2, 3

        assert panel(False) == (1, 2, 3)
        assert panel(True) == (no_update, "⚠ the data has expired", no_update)
        assert panel.__name__ == "panel" and panel.__wrapped__(False) == (1, 2, 3)

    def test_a_single_output(self):
        @shows_errors(outputs=1, message=0)
        def panel():
            raise InputError("nope")

        assert panel() == "⚠ nope"

    def test_other_exceptions_are_not_hidden(self):
        @shows_errors(outputs=1, message=0)
        def panel():
            raise KeyError("a bug")

        with pytest.raises(KeyError):
            panel()

    @pytest.mark.parametrize(
        "arguments", [dict(outputs=2), dict(outputs=2, message=0, status="x"), dict(message=3)]
    )
    def test_exactly_one_place_for_the_message(self, arguments):
        with pytest.raises(ValueError):
            shows_errors(**arguments)
