"""The cache behind every session, shared by all worker processes.

Keys:

- ``session:<sid>:dataset`` -> content hash of the dataset the session shows;
- ``dataset:<hash>`` -> the :class:`hclust.data.Dataset`;
- ``clustering:<hash>:<method>:<metric>`` -> :class:`Clustering`.

Datasets and clusterings are addressed by content, so two sessions with the
same data share the expensive result and nothing else.
"""

from __future__ import annotations

import functools
import pickle
from dataclasses import dataclass

import diskcache
import numpy as np

from hclust.cut import TreeIndex, largest_gap_cut
from hclust.data import Dataset
from hclust.dendrogram import DendrogramGeometry, dendrogram_geometry
from hclust.errors import InputError
from hclust.linkage import compute_linkage, validate_method_metric
from hclust.preprocess import check_memory, check_metric_for_data

from . import config
from .sessions import verify_session

# Above this many leaves the overview is truncated to the last p merges.
FULL_DENDROGRAM_MAX_LEAVES = 1_000
OVERVIEW_P = 60


@dataclass(frozen=True)
class Clustering:
    """Everything computed once per (data, method, metric)."""

    Z: np.ndarray
    tree: TreeIndex
    geometry: DendrogramGeometry
    default_cut: float


# Optimal leaf ordering grows as n³: measured 10 s at 1,000 and 75 s at 2,000
# samples on a 2-core machine. It runs as a cancellable job, so allow it up to
# the size where it stays within minutes, and warn with an estimate from 300.
OPTIMAL_ORDER_WARN_N = 300
OPTIMAL_ORDER_MAX_N = 2_000
OPTIMAL_ORDER_SECONDS_AT_1000 = 10.0


def optimal_order_seconds(n: int) -> float:
    """Rough time optimal leaf ordering takes for n samples (cubic fit)."""
    return OPTIMAL_ORDER_SECONDS_AT_1000 * (n / 1000) ** 3


def overview_truncation(n: int) -> str:
    """What 'auto' truncation means: the whole tree up to FULL_DENDROGRAM_MAX_LEAVES leaves."""
    return "none" if n <= FULL_DENDROGRAM_MAX_LEAVES else "lastp"


def build_clustering(
    dataset: Dataset, method: str, metric: str, optimal_order: bool = False, progress=None
) -> Clustering:
    """Linkage, tree index and dendrogram geometry for one dataset.

    With `optimal_order`, the children of each merge are flipped so that
    neighbouring leaves are as similar as possible (scipy's
    ``optimal_leaf_ordering``); heights and partitions are unchanged.
    `progress` is called with each stage's name as it starts.
    """
    report = progress or (lambda stage: None)
    if optimal_order and dataset.n_samples > OPTIMAL_ORDER_MAX_N:
        raise InputError(
            f"Optimal leaf ordering is limited to {OPTIMAL_ORDER_MAX_N:,} samples (its time grows as n³: "
            f"about {optimal_order_seconds(dataset.n_samples) / 60:.0f} minutes here); this data has {dataset.n_samples:,}."
        )
    check_memory(
        dataset.n_samples,
        dataset.n_features,
        method,
        metric,
        config.MAX_MEMORY_MB,
        dataset.is_distance_matrix,
    )
    if not dataset.is_distance_matrix:
        # name rows as the page does: by label, else "sample i" (from 0, as in hovers and the download)
        row_names = (
            dataset.leaf_names()
            if dataset.labels is not None
            else [f"sample {i}" for i in range(dataset.n_samples)]
        )
        check_metric_for_data(dataset.values, metric, row_names)
    Z = compute_linkage(
        dataset.values,
        method,
        metric,
        is_distance_matrix=dataset.is_distance_matrix,
        progress=report,
    )
    if optimal_order:
        from scipy.cluster.hierarchy import optimal_leaf_ordering
        from scipy.spatial.distance import squareform

        from hclust.linkage import condensed_distances

        distances = (
            squareform(dataset.values, checks=False)
            if dataset.is_distance_matrix
            else condensed_distances(dataset.values, metric)
        )
        Z = optimal_leaf_ordering(Z, distances)
    report("geometry")
    tree = TreeIndex.from_linkage(Z)
    geometry = dendrogram_geometry(Z, tree, overview_truncation(tree.n), OVERVIEW_P)
    return Clustering(
        Z=Z, tree=tree, geometry=geometry, default_cut=largest_gap_cut(tree.sorted_heights)
    )


class Store:
    """Session pointers and shared results in one cache.

    Parameters
    ----------
    cache : diskcache.Cache or compatible
        Anything with ``get``, ``set(key, value, expire=...)``.
    """

    def __init__(self, cache):
        self._cache = cache

    @staticmethod
    def check_session(session_id) -> str:
        """The id inside a session token this server issued (see :mod:`services.sessions`).

        Every key of a session uses the returned id, never the token itself.
        """
        return verify_session(session_id)

    def put_dataset(self, session_id: str, dataset: Dataset) -> str:
        """Make `dataset` the one the session shows; returns its key."""
        key = dataset.content_hash
        session_id = self.check_session(session_id)
        self._cache.set(f"dataset:{key}", dataset, expire=config.SESSION_TTL_SECONDS)
        self._cache.set(
            f"session:{session_id}:dataset",
            key,
            expire=config.SESSION_TTL_SECONDS,
        )
        self._cache.set(
            f"session:{session_id}:loaded:{key}", True, expire=config.SESSION_TTL_SECONDS
        )
        return key

    def put_session_value(self, session_id: str, name: str, value) -> None:
        """Keep a per-session value (an uploaded table, say) on the server."""
        self._cache.set(
            f"session:{self.check_session(session_id)}:{name}",
            value,
            expire=config.SESSION_TTL_SECONDS,
        )

    def session_value(self, session_id: str, name: str):
        return self._cache.get(f"session:{self.check_session(session_id)}:{name}")

    def begin_request(self, session_id: str, kind: str, what: str) -> str:
        """Record `what` (a request of `kind`, named by its inputs) as the session's latest.

        Requests overtake each other (a job from an old choice can end after a
        quick answer to a newer one); only an answer to the latest choice may
        be shown. Requests are named by their inputs, not by arrival, so two
        identical requests (which give the same answer) never silence each other.
        """
        self.put_session_value(session_id, f"latest-{kind}", what)
        return what

    def is_latest_request(self, session_id: str, kind: str, what: str) -> bool:
        return self.session_value(session_id, f"latest-{kind}") == what

    def dataset(self, session_id: str) -> Dataset | None:
        key = self._cache.get(f"session:{self.check_session(session_id)}:dataset")
        return None if key is None else self._cache.get(f"dataset:{key}")

    def memo(self, key: str, compute):
        """A shared, content-addressed result: computed once, then read back."""
        value = self._cache.get(key)
        if value is None:
            value = compute()
            self._cache.set(key, value, expire=config.SESSION_TTL_SECONDS)
        return value

    def loaded_dataset(self, session_id: str, key: str) -> Dataset | None:
        """A dataset this session has loaded, by its content key.

        Results are computed for the data the page names, not for whatever the
        session loaded last: two loads answered by different workers can finish
        in either order.
        """
        if not isinstance(key, str) or not self._cache.get(
            f"session:{self.check_session(session_id)}:loaded:{key}"
        ):
            return None
        return self._cache.get(f"dataset:{key}")

    def clustering(
        self,
        session_id: str,
        method: str,
        metric: str,
        optimal_order: bool = False,
        progress=None,
        data_key: str | None = None,
    ) -> tuple[Dataset, Clustering]:
        """A dataset of the session (by default its latest) and its clustering, computed at most once."""
        validate_method_metric(method, metric)
        dataset = (
            self.dataset(session_id)
            if data_key is None
            else self.loaded_dataset(session_id, data_key)
        )
        if dataset is None:
            raise InputError(
                "No data is loaded in this session (it may have expired); choose a dataset."
            )
        key = f"clustering:{dataset.content_hash}:{method}:{metric}:{'optimal' if optimal_order else 'scipy'}"
        return dataset, self.memo(
            key, lambda: build_clustering(dataset, method, metric, bool(optimal_order), progress)
        )

    def result_for(self, session_id: str, clustering: dict) -> tuple[Dataset, Clustering]:
        """The clustering a browser-side summary (``clustering`` store) names."""
        return self.clustering(
            session_id,
            clustering["method"],
            clustering["metric"],
            clustering.get("optimal_order", False),
            data_key=clustering.get("key"),
        )

    def cophenetic(self, session_id: str, clustering: dict):
        """Cophenetic correlation of the named clustering, computed once."""
        from hclust.diagnostics import cophenetic_correlation

        dataset, result = self.result_for(session_id, clustering)
        key = f"cophenetic:{dataset.content_hash}:{clustering['method']}:{clustering['metric']}"
        return self.memo(
            key,
            lambda: cophenetic_correlation(
                result.Z,
                dataset.values,
                clustering["metric"],
                is_distance_matrix=dataset.is_distance_matrix,
            ),
        )

    def cophenetic_pairs(self, session_id: str, clustering: dict):
        """Original and cophenetic distances of sampled pairs, for the plot, computed once."""
        from hclust.diagnostics import cophenetic_pairs_sample

        dataset, result = self.result_for(session_id, clustering)
        key = (
            f"cophenetic-pairs:{dataset.content_hash}:{clustering['method']}:{clustering['metric']}"
        )
        return self.memo(
            key,
            lambda: cophenetic_pairs_sample(
                result.Z,
                dataset.values,
                clustering["metric"],
                is_distance_matrix=dataset.is_distance_matrix,
            ),
        )

    def method_comparison(self, session_id: str, clustering: dict) -> dict:
        """Cophenetic correlation of every method the metric allows, on the named data, computed once."""
        from hclust.diagnostics import cophenetic_by_method
        from hclust.linkage import METHODS, compatible_metrics

        dataset, _ = self.result_for(session_id, clustering)
        metric = clustering["metric"]
        methods = [method for method in METHODS if metric in compatible_metrics(method)]
        return self.memo(
            f"method-comparison:{dataset.content_hash}:{metric}",
            lambda: cophenetic_by_method(
                dataset.values, metric, methods, is_distance_matrix=dataset.is_distance_matrix
            ),
        )

    def quality(self, session_id: str, clustering: dict, max_k: int, progress=None):
        """Quality indices for k = 2..max_k of the named clustering, computed once."""
        from hclust.diagnostics import quality_per_k

        dataset, result = self.result_for(session_id, clustering)
        key = f"quality:{dataset.content_hash}:{clustering['method']}:{clustering['metric']}:{int(max_k)}"
        return self.memo(
            key,
            lambda: quality_per_k(
                result.Z, dataset.values, clustering["metric"], int(max_k), progress=progress
            ),
        )

    def geometry(
        self, session_id: str, clustering: dict, truncate_mode: str, p: int, root: int | None
    ) -> DendrogramGeometry:
        """Dendrogram geometry for one set of view options, shared like the linkage."""
        dataset, result = self.result_for(session_id, clustering)
        if truncate_mode == "auto":
            truncate_mode = overview_truncation(result.tree.n)
        if (
            root is None
            and truncate_mode == overview_truncation(result.tree.n)
            and (truncate_mode == "none" or p == OVERVIEW_P)
        ):
            return result.geometry  # the overview the linkage job already built
        key = f"geometry:{dataset.content_hash}:{clustering['method']}:{clustering['metric']}:{clustering.get('optimal_order', False)}:{truncate_mode}:{p}:{root}"
        return self.memo(
            key, lambda: dendrogram_geometry(result.Z, result.tree, truncate_mode, p, root)
        )


class RedisCache:
    """The two calls :class:`Store` needs, on Redis, for a hosted instance.

    Values are pickled; they are written only by this application's own
    workers, never by clients.
    """

    def __init__(self, url: str):
        import redis

        self._redis = redis.Redis.from_url(url)

    def get(self, key):
        raw = self._redis.get(key)
        return None if raw is None else pickle.loads(raw)

    def set(self, key, value, expire=None):
        self._redis.set(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), ex=expire)


@functools.cache
def get_store() -> Store:
    """The process's handle on the shared cache.

    The handle is opened once per process and holds no state of its own:
    every value lives in the cache directory, or in Redis when ``REDIS_URL``
    is set, which all workers share.
    """
    if config.REDIS_URL:
        return Store(RedisCache(config.REDIS_URL))
    return Store(diskcache.Cache(config.CACHE_DIR, size_limit=config.CACHE_SIZE_LIMIT_MB * 2**20))
