"""services.store and the guards in front of the linkage: memoisation, sharing
between sessions, session ids, the memory budget, undefined metrics, optimal
leaf ordering limits, and compute_clustering's stages."""

import tracemalloc

import numpy as np
import pytest

import callbacks.clustering as clustering_callbacks
import hclust.diagnostics
import services.store as store_module
from callbacks.clustering import (
    STAGES,
    compute_clustering,
    optimal_order_label,
)
from components.layout import DEFAULT_LARGEST_K
from hclust.data import Dataset
from hclust.errors import InputError
from hclust.preprocess import check_memory, estimate_linkage_memory_bytes
from services import config
from services.sessions import issue_session
from services.store import (
    OPTIMAL_ORDER_MAX_N,
    OPTIMAL_ORDER_WARN_N,
    ResultKey,
    Store,
    build_clustering,
    optimal_order_seconds,
)
from tests.helpers import DictCache, load


def new_session():
    """A session token issued as the page gets one."""
    return issue_session()


def dataset_of(values, name="test"):
    values = np.asarray(values, dtype=float)
    return Dataset(
        values=values, feature_names=tuple(f"f{j}" for j in range(values.shape[1])), name=name
    )


def random_dataset(seed, n=80, m=3):
    return dataset_of(np.random.default_rng(seed).normal(size=(n, m)), name=f"random {seed}")


@pytest.fixture
def fresh_store(monkeypatch):
    """An empty in-memory Store that every callback's store.get_store() returns."""
    shared = Store(DictCache())
    monkeypatch.setattr(store_module, "get_store", lambda: shared)
    return shared


@pytest.fixture
def counted_builds(monkeypatch):
    """Count calls of build_clustering through the store."""
    calls = []
    real = store_module.build_clustering

    def counting(dataset, method, metric, optimal_order=False, progress=None):
        calls.append((dataset.content_hash, method, metric, optimal_order))
        return real(dataset, method, metric, optimal_order, progress)

    monkeypatch.setattr(store_module, "build_clustering", counting)
    return calls


KEY_A = ResultKey("cophenetic", "a" * 64, "ward", "euclidean")
KEY_B = ResultKey("cophenetic", "b" * 64, "ward", "euclidean")


class TestMemo:
    def test_computes_once(self):
        shared = Store(DictCache())
        calls = []

        def compute():
            calls.append(1)
            return {"answer": 42}

        assert shared.memo(KEY_A, compute) == {"answer": 42}
        assert shared.memo(KEY_A, compute) == {"answer": 42}
        assert len(calls) == 1

    def test_different_keys_compute_separately(self):
        shared = Store(DictCache())
        calls = []
        shared.memo(KEY_A, lambda: calls.append("a") or 1)
        shared.memo(KEY_B, lambda: calls.append("b") or 2)
        assert calls == ["a", "b"]

    def test_with_the_disk_cache(self, tmp_path):
        import diskcache

        shared = Store(diskcache.Cache(str(tmp_path)))
        calls = []
        for _ in range(3):
            value = shared.memo(KEY_A, lambda: calls.append(1) or np.arange(5))
        assert len(calls) == 1
        assert value.tolist() == [0, 1, 2, 3, 4]


class TestSharedClustering:
    def test_two_sessions_share_one_computation(self, fresh_store, counted_builds):
        first, second = new_session(), new_session()
        dataset = random_dataset(1)
        fresh_store.put_dataset(first, dataset)
        fresh_store.put_dataset(second, dataset_of(dataset.values, name="same numbers, other name"))
        got_first = fresh_store.clustering(first, "average", "euclidean")
        got_second = fresh_store.clustering(second, "average", "euclidean")
        assert len(counted_builds) == 1
        np.testing.assert_array_equal(got_first[1].Z, got_second[1].Z)

    def test_each_session_keeps_its_own_dataset(self, fresh_store, counted_builds):
        first, second = new_session(), new_session()
        a, b = random_dataset(2), random_dataset(3)
        fresh_store.put_dataset(first, a)
        fresh_store.put_dataset(second, a)
        fresh_store.put_dataset(second, b)
        assert fresh_store.dataset(first).content_hash == a.content_hash
        assert fresh_store.dataset(second).content_hash == b.content_hash
        assert fresh_store.clustering(first, "ward", "euclidean")[0].content_hash == a.content_hash
        assert fresh_store.clustering(second, "ward", "euclidean")[0].content_hash == b.content_hash
        assert len(counted_builds) == 2

    def test_method_metric_and_order_are_separate_results(self, fresh_store, counted_builds):
        session_id = new_session()
        fresh_store.put_dataset(session_id, random_dataset(4, n=40))
        for method, metric, order in [
            ("average", "euclidean", False),
            ("average", "cityblock", False),
            ("complete", "euclidean", False),
            ("average", "euclidean", True),
            ("average", "euclidean", False),
        ]:
            fresh_store.clustering(session_id, method, metric, order)
        assert len(counted_builds) == 4

    def test_the_data_the_page_names_even_when_another_load_finished_later(
        self, fresh_store, counted_builds
    ):
        """Two loads answered by two workers can finish in either order: the page's key decides."""
        session_id = new_session()
        shown, late = random_dataset(6, n=50), random_dataset(7, n=30)
        shown_key = fresh_store.put_dataset(session_id, shown)
        fresh_store.put_dataset(session_id, late)  # the session's pointer now names the other data
        dataset, result = fresh_store.clustering(
            session_id, "ward", "euclidean", data_key=shown_key
        )
        assert dataset.content_hash == shown.content_hash and result.tree.n == 50
        summary = {"key": shown_key, "method": "ward", "metric": "euclidean"}
        assert fresh_store.result_for(session_id, summary)[1].tree.n == 50

    def test_a_key_this_session_never_loaded_is_refused(self, fresh_store):
        owner, other = new_session(), new_session()
        dataset = random_dataset(8)
        key = fresh_store.put_dataset(owner, dataset)
        fresh_store.put_dataset(other, random_dataset(9))
        with pytest.raises(InputError, match="No data is loaded"):
            fresh_store.clustering(other, "ward", "euclidean", data_key=key)

    def test_no_dataset_yet(self, fresh_store):
        with pytest.raises(InputError, match="No data is loaded"):
            fresh_store.clustering(new_session(), "ward", "euclidean")

    def test_refused_pair_is_checked_before_reading(self, fresh_store, counted_builds):
        session_id = new_session()
        fresh_store.put_dataset(session_id, random_dataset(5))
        with pytest.raises(InputError, match="requires the distance metric to be euclidean"):
            fresh_store.clustering(session_id, "ward", "cityblock")
        assert counted_builds == []


class TestCheckSession:
    @pytest.mark.parametrize(
        "session_id",
        [
            None,
            42,
            "",
            "abc",
            "A" * 32,
            "g" * 32,
            "a" * 31,
            "a" * 33,
            "../../etc/passwd",
            "a" * 16 + ":" + "a" * 15,
            b"a" * 32,
        ],
    )
    def test_rejects(self, session_id):
        with pytest.raises(InputError, match="reload the page"):
            Store.check_session(session_id)

    def test_rejects_a_trailing_newline(self):
        """Regression: '$' also matches before a final newline, so a plain
        match accepted '<32 hex>\\n'; the whole string must match."""
        with pytest.raises(InputError):
            Store.check_session("a" * 32 + "\n")

    def test_accepts_a_token_it_issued_and_returns_the_id_inside(self):
        token = new_session()
        inner = Store.check_session(token)
        assert inner != token and len(inner) == 32 and int(inner, 16) >= 0

    def test_refuses_a_well_formed_id_it_did_not_issue(self):
        """Any 32-hex id was accepted before sessions were signed by the server."""
        with pytest.raises(InputError, match="not issued by this server"):
            Store.check_session("0123456789abcdef" * 2)

    @pytest.mark.parametrize(
        "call",
        [
            lambda s: s.put_session_value("nope", "table", 1),
            lambda s: s.session_value("nope", "table"),
            lambda s: s.put_dataset("nope", random_dataset(0, n=5)),
            lambda s: s.dataset("nope"),
        ],
    )
    def test_every_entry_point_checks(self, call):
        with pytest.raises(InputError, match="reload the page"):
            call(Store(DictCache()))


class TestSessionValues:
    def test_round_trip(self):
        shared = Store(DictCache())
        session_id = new_session()
        shared.put_session_value(session_id, "table", {"rows": 3})
        assert shared.session_value(session_id, "table") == {"rows": 3}

    def test_missing_is_none(self):
        assert Store(DictCache()).session_value(new_session(), "table") is None

    def test_values_are_per_session(self):
        shared = Store(DictCache())
        first, second = new_session(), new_session()
        shared.put_session_value(first, "table", "mine")
        shared.put_session_value(second, "table", "theirs")
        assert shared.session_value(first, "table") == "mine"
        assert shared.session_value(second, "table") == "theirs"

    def test_overwrite(self):
        shared = Store(DictCache())
        session_id = new_session()
        shared.put_session_value(session_id, "table", 1)
        shared.put_session_value(session_id, "table", 2)
        assert shared.session_value(session_id, "table") == 2


BIG_N = 20_000
BUDGET_MB = 100


@pytest.fixture(scope="module")
def big_dataset():
    return dataset_of(np.random.default_rng(0).normal(size=(BIG_N, 2)), name="big")


class TestMemoryGuard:
    def test_refused_before_any_quadratic_allocation(self, monkeypatch, big_dataset):
        monkeypatch.setattr(config, "MAX_MEMORY_MB", BUDGET_MB)
        shared = Store(DictCache())
        session_id = new_session()
        shared.put_dataset(session_id, big_dataset)
        quadratic = BIG_N * (BIG_N - 1) // 2 * 8  # one condensed float64 matrix: 1.6 GB
        tracemalloc.start()
        try:
            with pytest.raises(InputError) as refused:
                shared.clustering(session_id, "average", "euclidean")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 50 * 2**20 < quadratic / 30
        message = str(refused.value)
        estimate = estimate_linkage_memory_bytes(BIG_N, 2, "average", "euclidean")
        assert f"{estimate / 1024**3:,.1f} GB" in message
        assert f"the limit is {BUDGET_MB:,} MB" in message
        assert "ward" in message and "random sample of at most" in message

    def test_the_sample_offered_fits(self):
        import re

        with pytest.raises(InputError) as refused:
            check_memory(BIG_N, 2, "average", "euclidean", BUDGET_MB)
        rows = int(
            re.search(r"at most ([\d,]+) rows", str(refused.value)).group(1).replace(",", "")
        )
        assert 2 <= rows < BIG_N
        assert estimate_linkage_memory_bytes(rows, 2, "average", "euclidean") <= BUDGET_MB * 2**20
        assert (
            estimate_linkage_memory_bytes(rows + 1, 2, "average", "euclidean") > BUDGET_MB * 2**20
        )

    def test_memory_light_pair_is_allowed_at_the_same_size(self, monkeypatch, big_dataset):
        """Ward/euclidean passes the guard under the budget that refuses average.

        The linkage itself is replaced by a sentinel: reaching it proves the
        guard let the request through, without spending seconds on it.
        """
        monkeypatch.setattr(config, "MAX_MEMORY_MB", BUDGET_MB)
        reached = []

        class Reached(Exception):
            pass

        def sentinel(values, method, metric, **kwargs):
            reached.append((len(values), method, metric))
            raise Reached

        monkeypatch.setattr(store_module, "compute_linkage", sentinel)
        shared = Store(DictCache())
        session_id = new_session()
        shared.put_dataset(session_id, big_dataset)
        with pytest.raises(InputError):
            shared.clustering(session_id, "average", "euclidean")
        assert reached == []
        with pytest.raises(Reached):
            shared.clustering(session_id, "ward", "euclidean")
        assert reached == [(BIG_N, "ward", "euclidean")]

    def test_within_budget_is_computed(self, fresh_store):
        session_id = new_session()
        fresh_store.put_dataset(session_id, random_dataset(6, n=50))
        dataset, result = fresh_store.clustering(session_id, "average", "euclidean")
        assert result.Z.shape == (49, 4)


class TestUndefinedMetric:
    def test_cosine_with_an_all_zero_row_names_the_row(self, fresh_store, counted_builds):
        values = np.random.default_rng(7).uniform(1, 2, size=(30, 3))
        values[17] = 0.0
        session_id = new_session()
        fresh_store.put_dataset(session_id, dataset_of(values))
        with pytest.raises(InputError) as refused:
            fresh_store.clustering(session_id, "average", "cosine")
        message = str(refused.value)
        assert (
            "'cosine' distance is undefined" in message
            and "sample 17" in message
            and "all zeros" in message
        )
        assert len(counted_builds) == 1  # refused inside the build, and nothing cached
        assert (
            fresh_store._cache.data.get(
                str(
                    ResultKey.of(
                        "clustering", dataset_of(values), "average", "cosine", optimal_order=False
                    )
                )
            )
            is None
        )

    def test_rows_named_by_their_labels(self, fresh_store):
        values = np.random.default_rng(8).uniform(1, 2, size=(5, 2))
        values[3] = 0.0
        dataset = Dataset(
            values=values,
            feature_names=("a", "b"),
            name="t",
            labels=("p", "q", "r", "zero-row", "t"),
        )
        session_id = new_session()
        fresh_store.put_dataset(session_id, dataset)
        with pytest.raises(InputError, match="zero-row"):
            fresh_store.clustering(session_id, "complete", "cosine")

    def test_other_metrics_still_work(self, fresh_store):
        values = np.random.default_rng(7).uniform(1, 2, size=(30, 3))
        values[17] = 0.0
        session_id = new_session()
        fresh_store.put_dataset(session_id, dataset_of(values))
        assert fresh_store.clustering(session_id, "average", "euclidean")[1].Z.shape == (29, 4)


class TestOptimalOrderLimit:
    def test_refused_above_the_maximum(self):
        dataset = random_dataset(9, n=OPTIMAL_ORDER_MAX_N + 1, m=2)
        with pytest.raises(InputError) as refused:
            build_clustering(dataset, "ward", "euclidean", optimal_order=True)
        message = str(refused.value)
        assert (
            f"limited to {OPTIMAL_ORDER_MAX_N:,} samples" in message
            and f"{OPTIMAL_ORDER_MAX_N + 1:,}" in message
        )

    def test_refused_before_the_linkage_is_computed(self, monkeypatch):
        """The size limit is known up front; the linkage should not run first.

        Regression: build_clustering used to compute the full linkage and
        only then check OPTIMAL_ORDER_MAX_N, so a client sending
        optimal_order for large data made the worker do that work for nothing.
        """
        calls = []
        real = store_module.compute_linkage
        monkeypatch.setattr(
            store_module, "compute_linkage", lambda *a, **k: calls.append(1) or real(*a, **k)
        )
        dataset = random_dataset(10, n=OPTIMAL_ORDER_MAX_N + 1, m=2)
        with pytest.raises(InputError, match="Optimal leaf ordering is limited"):
            build_clustering(dataset, "ward", "euclidean", optimal_order=True)
        assert calls == []

    def test_allowed_at_small_n_keeps_the_partitions(self):
        from scipy.cluster.hierarchy import fcluster

        dataset = random_dataset(11, n=60)
        plain = build_clustering(dataset, "average", "euclidean")
        ordered = build_clustering(dataset, "average", "euclidean", optimal_order=True)
        np.testing.assert_allclose(np.sort(plain.Z[:, 2]), np.sort(ordered.Z[:, 2]))
        for k in (2, 4, 7):
            a, b = fcluster(plain.Z, k, "maxclust"), fcluster(ordered.Z, k, "maxclust")
            assert len({(x, y) for x, y in zip(a, b)}) == len(set(a)) == len(set(b))


class TestOptimalOrderLabel:
    def test_small_is_plain(self):
        assert optimal_order_label(OPTIMAL_ORDER_WARN_N) == (" optimal leaf ordering", False)

    @pytest.mark.parametrize("n", [1000, 1500, OPTIMAL_ORDER_MAX_N])
    def test_warns_with_an_estimate(self, n):
        label, disabled = optimal_order_label(n)
        assert not disabled
        assert (
            "slow" in label
            and f"about {optimal_order_seconds(n):.0f} s" in label
            and f"{n:,} samples" in label
        )

    def test_the_estimate_right_above_the_threshold_is_not_zero(self):
        """Regression: at 301 samples the label used to read 'slow here:
        about 0 s' (10 s × 0.301³ = 0.27 s printed without decimals)."""
        label, _ = optimal_order_label(OPTIMAL_ORDER_WARN_N + 1)
        assert "about 0 s" not in label

    def test_disabled_above_the_maximum(self):
        label, disabled = optimal_order_label(OPTIMAL_ORDER_MAX_N + 1)
        assert disabled
        assert (
            f"not above {OPTIMAL_ORDER_MAX_N:,}" in label
            and f"{OPTIMAL_ORDER_MAX_N + 1:,}" in label
        )

    def test_the_loaders_answer_it_with_the_data(self, fresh_store):
        # no request of its own (#11): each way of loading answers it from the data it loaded
        for n, disabled in ((OPTIMAL_ORDER_MAX_N + 5, True), (10, False)):
            out = load(new_session(), "generate:moons", n=n, noise=0.05, seed=1)
            assert out["version"]["n"] == n
            assert out["order_options"] == [
                {"label": optimal_order_label(n)[0], "value": "on", "disabled": disabled}
            ]

    def test_a_refused_load_keeps_it(self, fresh_store):
        from dash import no_update

        out = load(new_session(), "generate:moons", n=1, noise=0.05, seed=1)
        assert out["version"] is no_update and out["order_options"] is no_update


@pytest.fixture
def counted_diagnostics(monkeypatch):
    calls = {"cophenetic": 0, "quality": 0}
    real_cophenetic, real_quality = (
        hclust.diagnostics.cophenetic_correlation,
        hclust.diagnostics.quality_per_k,
    )

    def cophenetic(*args, **kwargs):
        calls["cophenetic"] += 1
        return real_cophenetic(*args, **kwargs)

    def quality(*args, **kwargs):
        calls["quality"] += 1
        return real_quality(*args, **kwargs)

    monkeypatch.setattr(hclust.diagnostics, "cophenetic_correlation", cophenetic)
    monkeypatch.setattr(hclust.diagnostics, "quality_per_k", quality)
    return calls


class TestComputeClustering:
    def run(self, session_id, version, method, metric, optimal_order=False):
        stages = []
        summary, status = compute_clustering(
            session_id, version, method, metric, optimal_order, stages.append
        )
        return summary, status, stages

    def loaded(self, shared, seed):
        session_id = new_session()
        dataset = random_dataset(seed, n=60)
        return session_id, {"key": shared.put_dataset(session_id, dataset), "n": dataset.n_samples}

    def test_stages_in_order_with_distances(self, fresh_store, counted_diagnostics):
        session_id, version = self.loaded(fresh_store, 20)
        summary, status, stages = self.run(session_id, version, "average", "cityblock")
        assert (
            stages == ["reading", "distances", "linkage", "geometry", "diagnostics"] == list(STAGES)
        )
        assert (
            summary["method"] == "average"
            and summary["metric"] == "cityblock"
            and summary["n"] == 60
        )
        assert "59 merges" in status

    def test_memory_light_pair_skips_distances(self, fresh_store, counted_diagnostics, monkeypatch):
        import hclust.linkage

        # above SCIPY_TREE_MAX_N; below it scipy's own tree needs the distances
        monkeypatch.setattr(hclust.linkage, "SCIPY_TREE_MAX_N", 10)
        session_id, version = self.loaded(fresh_store, 21)
        _, _, stages = self.run(session_id, version, "ward", "euclidean")
        assert stages == ["reading", "linkage", "geometry", "diagnostics"]

    def test_optimal_order_reports_the_same_stages(self, fresh_store, counted_diagnostics):
        session_id, version = self.loaded(fresh_store, 22)
        summary, status, stages = self.run(
            session_id, version, "complete", "euclidean", optimal_order=True
        )
        assert stages == list(STAGES)
        assert summary["optimal_order"] is True and "optimal order" in status

    def test_diagnostics_are_memoized(self, fresh_store, counted_diagnostics, counted_builds):
        session_id, version = self.loaded(fresh_store, 23)
        first = self.run(session_id, version, "average", "euclidean")
        # small data: the quality indices at the page's default largest k come with the linkage
        assert counted_diagnostics == {"cophenetic": 1, "quality": 1}
        second = self.run(session_id, version, "average", "euclidean")
        assert counted_diagnostics == {"cophenetic": 1, "quality": 1}
        assert len(counted_builds) == 1
        assert fresh_store.quality(session_id, first[0], DEFAULT_LARGEST_K) is not None
        assert counted_diagnostics["quality"] == 1
        assert second[:2] == first[:2]
        assert second[2] == ["reading", "diagnostics"]  # nothing left to compute

    def test_the_linkage_job_leaves_quality_to_its_own_job_above_small_data(
        self, fresh_store, counted_diagnostics, monkeypatch
    ):
        """The dendrogram of larger data must not wait for silhouettes: quality per k runs in a separate job."""
        monkeypatch.setattr(clustering_callbacks, "PREPARED_DIAGNOSTICS_MAX_N", 59)
        session_id, version = self.loaded(fresh_store, 24)  # 60 samples
        self.run(session_id, version, "average", "euclidean")
        assert counted_diagnostics == {"cophenetic": 1, "quality": 0}
        dataset = fresh_store.dataset(session_id)
        assert (
            fresh_store._cache.data.get(
                str(ResultKey.of("cophenetic", dataset, "average", "euclidean"))
            )
            is not None
        )
        assert not [key for key in fresh_store._cache.data if key.startswith("result:quality:")]

    def test_a_refused_pair_raises(self, fresh_store):
        session_id, version = self.loaded(fresh_store, 25)
        with pytest.raises(InputError):
            self.run(session_id, version, "median", "cosine")
