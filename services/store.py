"""The cache behind every session, shared by all worker processes.

Two kinds of key, and only two, name everything stored here:

- :class:`ResultKey` names a **shared result**: a pure function of the numbers
  (``Dataset.content_hash``) and of the method, metric and options the key
  lists. Any session whose numbers hash the same may read it, so nothing a
  person typed or uploaded (labels, column names, file name, notes) may be
  part of its value. Stored as ``result:<kind>:<hash>:<method>:<metric>:<options>``.
- :class:`SessionKey` names what **one session** loaded or chose: its datasets
  (numbers with their labels, column names, name and notes), its uploaded
  table, its latest requests. Stored as ``session:<sid>:<name>[:<item>]``;
  no other session can read or overwrite it.

A third, ``link:<reference>:table``, holds an upload a person put in a link
(:meth:`Store.link_table`): a random 128-bit reference, readable by whoever
holds the link, never derived from a session id.

:meth:`Store.memo` is the one way to compute-once a shared result; it accepts
only a :class:`ResultKey`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import pickle
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import diskcache
import numpy as np

from hclust.cut import TreeIndex, flat_clusters, largest_gap_cut
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

NO_DATA = "No data is loaded in this session (it may have expired); choose a dataset."


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
            f"Optimal leaf ordering is limited to {OPTIMAL_ORDER_MAX_N:,} samples (its time grows "
            f"as n³: about {optimal_order_seconds(dataset.n_samples) / 60:.0f} minutes here); "
            f"this data has {dataset.n_samples:,}."
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


# Kinds of shared result. Each is a pure function of the numbers and of what its key lists.
RESULT_KINDS = (
    "clustering",
    "geometry",
    "cophenetic",
    "cophenetic-pairs",
    "method-comparison",
    "quality",
    "mds",
    "tree-comparison",  # callbacks/tanglegram.py: the page's tree against another method's
    "label-agreement",
    "profiles",
    "feature-spreads",  # callbacks/advice.py: each feature's standard deviation
    "lesson",
    "clustergram-columns",  # the columns' linkage of the clustergram (hclust/clustergram.py)
    "first-view",  # callbacks/first_view.py: the page's start; `data` is the code's digest
    "flat-labels",  # a cut's labels (fcluster); `data` is the linkage matrix's own digest
    # callbacks/agreement.py: labels and unscaled values of data made without an upload;
    # `data` digests the dataset's id (numbers, labels, names) and how it was made
    "analyst-source",
    "answer",  # services/answers.py: a callback's answer; `data` digests the request and code
)
_CONTENT_HASH = re.compile(r"^[0-9a-f]{64}$")
_OPTION_TYPES = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class ResultKey:
    """Names one shared result by everything that makes it.

    Parameters
    ----------
    kind : str
        One of :data:`RESULT_KINDS`.
    data : str
        The content hash of the numbers (:attr:`hclust.data.Dataset.content_hash`):
        the same for every session that loads the same numbers.
    method, metric : str or None
        The linkage method and distance metric, when the result depends on them.
    options : tuple of (str, value)
        Every other input, as ``(name, value)`` pairs sorted by name; values
        are str, int, float, bool or None.

    Raises
    ------
    ValueError, TypeError
        When a field is not of that form, so a malformed key is never stored.
    """

    kind: str
    data: str
    method: str | None = None
    metric: str | None = None
    options: tuple = ()

    def __post_init__(self):
        if self.kind not in RESULT_KINDS:
            raise ValueError(f"unknown result kind {self.kind!r}; one of {RESULT_KINDS}")
        if not isinstance(self.data, str) or not _CONTENT_HASH.fullmatch(self.data):
            raise ValueError("data must be a content hash (64 hex digits)")
        for value in (self.method, self.metric):
            if value is not None and not isinstance(value, str):
                raise TypeError("method and metric are strings or None")
        options = tuple((name, value) for name, value in self.options)
        names = [name for name, _ in options]
        if not all(isinstance(name, str) for name in names) or names != sorted(set(names)):
            raise ValueError("options must be (name, value) pairs with distinct names, sorted")
        if not all(isinstance(value, _OPTION_TYPES) for _, value in options):
            raise TypeError("option values are str, int, float, bool or None")
        object.__setattr__(self, "options", options)

    @classmethod
    def of(cls, kind: str, dataset: Dataset, method=None, metric=None, **options) -> ResultKey:
        """The key of `kind` for the numbers of `dataset` (never its labels or names)."""
        return cls(kind, dataset.content_hash, method, metric, tuple(sorted(options.items())))

    def __str__(self) -> str:
        # repr() quotes every free-form part, so no two keys share a spelling
        options = ",".join(f"{name}={value!r}" for name, value in self.options)
        return f"result:{self.kind}:{self.data}:{self.method!r}:{self.metric!r}:{options}"


@dataclass(frozen=True)
class SessionKey:
    """Names something one session owns: ``session:<sid>:<name>[:<item>]``.

    Names in use: ``dataset:<id>`` and ``dataset-size:<id>`` (a loaded dataset and
    its sample count, by :func:`dataset_id`), ``latest-dataset``, ``table`` (the
    uploaded table), ``sample-offer``, and ``latest-<kind>`` (the latest request
    of each kind). Build it through :class:`Store`, which checks the session id first.
    """

    session: str
    name: str
    item: str | None = None

    def __str__(self) -> str:
        tail = "" if self.item is None else f":{self.item}"
        return f"session:{self.session}:{self.name}{tail}"


def dataset_id(dataset: Dataset) -> str:
    """Names one loaded dataset within its session, by its numbers and all the person gave them.

    Two loads of the same numbers under other labels, column names, label column,
    file name, notes or file rows get different ids, so a page never shows a
    dataset it did not load, and an answer made from one id is made from all of it
    (services/answers.py).
    """
    digest = hashlib.sha256()
    rows = None if dataset.source_rows is None else dataset.source_rows.tobytes()
    for part in (
        dataset.content_hash,
        dataset.feature_names,
        dataset.name,
        dataset.labels,
        dataset.notes,
        dataset.label_name,
        rows,
    ):
        digest.update(repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def request_name(data_key, method, metric, optimal_order, *more) -> str:
    """Names a session's request by the inputs that make its answer (see :meth:`Store.begin_request`)."""
    return "|".join(str(part) for part in (data_key, method, metric, bool(optimal_order), *more))


class NotReady(InputError):
    """A shared result too costly to compute inside a request, and not computed yet."""


# Below this many samples a linkage and its diagnostics take a small part of
# a second, less than starting and polling a background job, so they are
# computed in the request itself (see bench: diagnostics_x2).
INLINE_MAX_N = 2_000
# Silhouette is O(n²) per k: up to this many samples all k take a fraction of
# a second, less than a background job's start and polling.
QUALITY_INLINE_MAX_N = 2_000


def runs_inline(n: int, optimal_order: bool) -> bool:
    """Whether a clustering of `n` samples is quick enough to compute inside a request.

    `n` must come from the server's own record of the data, never from the page.
    """
    return n <= INLINE_MAX_N and not (optimal_order and n > OPTIMAL_ORDER_WARN_N)


# The per-session values written in this context (callbacks/first_view.py records
# the page's start once, then writes the same values under each new page's session).
_SESSION_WRITES = contextvars.ContextVar("session_writes", default=None)


@contextlib.contextmanager
def recording_session_writes():
    """Record each per-session value written in this context, as ``[(name, value), ...]``.

    Per thread and task (a context variable): a request answered meanwhile by
    another thread of the worker is not recorded.
    """
    writes = []
    token = _SESSION_WRITES.set(writes)
    try:
        yield writes
    finally:
        _SESSION_WRITES.reset(token)


def _record(name: str, value) -> None:
    _private_read()  # a write must happen in every session's own request, never be skipped
    writes = _SESSION_WRITES.get()
    if writes is not None:
        writes.append((name, value))


@dataclass
class AnswerReads:
    """What a request read from the store (services/answers.py shares pure answers).

    ``datasets`` holds the ids of the session's datasets it named; ``values`` the
    digest of each other small value of the session it read, by name (None when
    absent: that too decides an answer). ``private`` is set once it wrote
    anything, read a large value of the session (an uploaded table), or met a
    result not ready yet: its answer then depends on more than these.
    """

    datasets: set = field(default_factory=set)
    values: dict = field(default_factory=dict)
    private: bool = False


# A session's value read by a request is checked again, by digest, before another
# session is given the answer: only small values (origins, references, requests).
SMALL_SESSION_VALUE_BYTES = 16 * 2**10


def session_value_digest(value) -> str | None:
    """Digest of a small session value as pickled, or None for a large one."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    if len(data) > SMALL_SESSION_VALUE_BYTES:
        return None
    return hashlib.sha256(data).hexdigest()


_ANSWER_READS = contextvars.ContextVar("answer_reads", default=None)


@contextlib.contextmanager
def watching_answer_reads():
    """Collect, as an :class:`AnswerReads`, what this context reads from the store.

    The object is shared with contexts copied from this one (Dash runs each
    callback in a copy), so their reads are collected too.
    """
    reads = AnswerReads()
    token = _ANSWER_READS.set(reads)
    try:
        yield reads
    finally:
        _ANSWER_READS.reset(token)


def mark_answer_private() -> None:
    """Mark the answer being built as its session's own (see :class:`AnswerReads`)."""
    _private_read()


def _private_read() -> None:
    reads = _ANSWER_READS.get()
    if reads is not None:
        reads.private = True


# Session values too large to check again by digest (an uploaded table, what is rebuilt
# from it): an answer that reads one is its session's own.
_LARGE_SESSION_VALUES = ("table", "analyst-source:")


def _session_value_read(name: str, value) -> None:
    reads = _ANSWER_READS.get()
    if reads is None:
        return
    digest = None if name.startswith(_LARGE_SESSION_VALUES) else session_value_digest(value)
    if digest is None or reads.values.setdefault(name, digest) != digest:
        reads.private = True  # large, or read twice with two values


def _dataset_read(key, found: bool) -> None:
    reads = _ANSWER_READS.get()
    if reads is not None:
        if found:
            reads.datasets.add(key)
        else:
            reads.private = True  # an answer about missing data is this session's own


def _dataset_entries(sid: str, dataset: Dataset) -> list:
    """What keeping `dataset` writes under session id `sid`: the data, its size, and
    (last) which data the session shows, by the id :func:`dataset_id` gives it."""
    key = dataset_id(dataset)
    return [
        (SessionKey(sid, "dataset", key), dataset),
        (SessionKey(sid, "dataset-size", key), dataset.n_samples),
        (SessionKey(sid, "latest-dataset"), key),
    ]


class Store:
    """Session-owned values and shared results in one cache.

    Parameters
    ----------
    cache : diskcache.Cache or compatible
        Anything with ``get``, ``set(key, value, expire=...)`` and ``in``.
    """

    def __init__(self, cache):
        self._cache = cache

    @staticmethod
    def check_session(session_id) -> str:
        """The id inside a session token this server issued (see :mod:`services.sessions`).

        Every key of a session uses the returned id, never the token itself.
        """
        try:
            return verify_session(session_id)
        except InputError:
            _private_read()  # "expired" or "not issued" is said to this page alone
            raise

    def _session_key(self, session_id, name: str, item: str | None = None) -> str:
        return str(SessionKey(self.check_session(session_id), name, item))

    def _put(self, key: str, value) -> None:
        self._cache.set(key, value, expire=config.SESSION_TTL_SECONDS)

    def put_dataset(self, session_id: str, dataset: Dataset) -> str:
        """Keep `dataset` under the session and make it the one it shows; returns its id.

        The whole dataset (numbers, labels, column names, name, notes) is the
        session's own: only results computed from the numbers are shared.
        """
        _record("dataset", dataset)
        entries = _dataset_entries(self.check_session(session_id), dataset)
        for key, value in entries:
            self._put(str(key), value)
        _, shown = entries[-1]  # the latest-dataset entry holds the data's id
        return shown

    def put_session_value(self, session_id: str, name: str, value) -> None:
        """Keep a per-session value (an uploaded table, say) on the server."""
        _record(name, value)
        self._put(self._session_key(session_id, name), value)

    def write_session_values(self, session_id: str, writes) -> None:
        """Write under `session_id` what :func:`recording_session_writes` recorded elsewhere.

        The token is checked once and the values written in one transaction
        where the cache has them (a page's start: about ten values per page load).
        """
        sid = self.check_session(session_id)
        _private_read()
        entries = []
        for name, value in writes:
            if name == "dataset":
                entries.extend(_dataset_entries(sid, value))
            else:
                entries.append((SessionKey(sid, name), value))
        transact = getattr(self._cache, "transact", None)
        with transact() if transact else contextlib.nullcontext():
            for key, value in entries:
                self._put(str(key), value)

    def session_value(self, session_id: str, name: str):
        value = self._cache.get(self._session_key(session_id, name))
        _session_value_read(name, value)
        return value

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

    def link_table(self, table) -> str:
        """Keep an uploaded table under a new random reference for links; returns the reference.

        Whoever holds the reference can load the table while the cache keeps it
        (``SESSION_TTL_SECONDS``); the data itself never goes into a link.
        """
        import secrets

        _private_read()
        reference = secrets.token_hex(16)
        self._put(f"link:{reference}:table", table)
        return reference

    def linked_table(self, reference):
        """The table a link's reference names, or None when it is unknown or expired."""
        _private_read()
        if not isinstance(reference, str) or not re.fullmatch(r"[0-9a-f]{32}", reference):
            return None
        return self._cache.get(f"link:{reference}:table")

    def dataset(self, session_id: str) -> Dataset | None:
        """The dataset the session loaded last."""
        key = self.session_value(session_id, "latest-dataset")
        return None if key is None else self.loaded_dataset(session_id, key)

    def loaded_dataset(self, session_id: str, key) -> Dataset | None:
        """A dataset this session has loaded, by the id :meth:`put_dataset` gave it.

        Results are computed for the data the page names, not for whatever the
        session loaded last: two loads answered by different workers can finish
        in either order.
        """
        if not isinstance(key, str) or not _CONTENT_HASH.fullmatch(key):
            self.check_session(session_id)
            _private_read()
            return None
        dataset = self._cache.get(self._session_key(session_id, "dataset", key))
        _dataset_read(key, dataset is not None)
        return dataset

    def dataset_size(self, session_id: str, key) -> int | None:
        """How many samples the named dataset of this session has, from the server's record.

        Every decision about cost or routing reads this, never a size the page sends.
        """
        if not isinstance(key, str) or not _CONTENT_HASH.fullmatch(key):
            self.check_session(session_id)
            _private_read()
            return None
        n = self._cache.get(self._session_key(session_id, "dataset-size", key))
        if n is None:  # the small record expired apart from the dataset
            dataset = self.loaded_dataset(session_id, key)
            n = None if dataset is None else dataset.n_samples
        _dataset_read(key, n is not None)
        return n

    def memo(self, key: ResultKey, compute: Callable[[], Any], refuse: str | None = None):
        """A shared result: computed once, then read back by every session with the same numbers.

        Parameters
        ----------
        key : ResultKey
            Everything the value depends on; a string is refused.
        compute : callable
            Called with no argument when the value is not stored yet.
        refuse : str, optional
            When given and the value is not stored yet, raise :class:`NotReady`
            with this message instead of computing (work too slow for a request).
        """
        if not isinstance(key, ResultKey):
            raise TypeError(f"a shared result is named by a ResultKey, not {type(key).__name__}")
        name = str(key)
        value = self._cache.get(name)
        if value is None:
            if refuse is not None:
                _private_read()  # "not ready" holds only until the job is done
                raise NotReady(refuse)
            value = compute()
            self._put(name, value)
        return value

    def kept_answer(self, session_id, key: ResultKey):
        """A callback's answer kept by :meth:`keep_answer`, if this session may have it.

        It may when it owns every dataset the answer was made from, and each
        value of its own that the answer read is the same: an answer reveals
        what a session loaded only to another session that loaded the same
        (numbers, labels, names and notes alike; :func:`dataset_id`).
        Returns ``(mimetype, body)`` or None.
        """
        if not isinstance(key, ResultKey) or key.kind != "answer":
            raise TypeError("answers are named by a ResultKey of kind 'answer'")
        kept = self._cache.get(str(key))
        if kept is None:
            return None
        datasets, values, mimetype, body = kept
        if not datasets and not values:
            return mimetype, body  # made from the request alone
        try:
            sid = self.check_session(session_id)
        except InputError:
            return None  # the request itself says why, when it is answered
        for data in datasets:  # the dataset itself: its size record can outlive it
            if str(SessionKey(sid, "dataset", data)) not in self._cache:
                return None
        for name, digest in values:
            value = self._cache.get(str(SessionKey(sid, name)))
            if session_value_digest(value) != digest:
                return None
        return mimetype, body

    def keep_answer(self, key: ResultKey, reads: AnswerReads, mimetype: str, body: bytes) -> None:
        """Keep a callback's answer, made from its request and what `reads` lists."""
        if not isinstance(key, ResultKey) or key.kind != "answer":
            raise TypeError("answers are named by a ResultKey of kind 'answer'")
        if reads.private:
            raise ValueError("this answer read what only its session may see")
        kept = (tuple(sorted(reads.datasets)), tuple(sorted(reads.values.items())))
        self._put(str(key), (*kept, mimetype, bytes(body)))

    def _named_dataset(self, session_id, data_key) -> Dataset:
        dataset = (
            self.dataset(session_id)
            if data_key is None
            else self.loaded_dataset(session_id, data_key)
        )
        if dataset is None:
            raise InputError(NO_DATA)
        return dataset

    def clustering(
        self,
        session_id: str,
        method: str,
        metric: str,
        optimal_order: bool = False,
        progress=None,
        data_key: str | None = None,
        in_request: bool = False,
    ) -> tuple[Dataset, Clustering]:
        """A dataset of the session (by default its latest) and its clustering, computed at most once.

        With `in_request`, a clustering too slow for a request (decided from the
        stored data's size) is only read, never started: it is the background
        job's to compute.
        """
        validate_method_metric(method, metric)
        optimal_order = bool(optimal_order)
        dataset = self._named_dataset(session_id, data_key)
        refuse = None
        if in_request and not runs_inline(dataset.n_samples, optimal_order):
            refuse = (
                f"The {method} linkage of these {dataset.n_samples:,} samples runs as a "
                "background job and is not ready; choose the method again to start it."
            )
        key = ResultKey.of("clustering", dataset, method, metric, optimal_order=optimal_order)
        return dataset, self.memo(
            key,
            lambda: build_clustering(dataset, method, metric, optimal_order, progress),
            refuse=refuse,
        )

    def result_for(
        self, session_id: str, clustering: dict, in_request: bool = True
    ) -> tuple[Dataset, Clustering]:
        """The clustering a browser-side summary (``clustering`` store) names.

        The summary only names the result; the data and its size come from the
        session's own record, and a request never starts a slow linkage.
        """
        if not isinstance(clustering, dict):
            raise InputError("No clustering is selected; choose a method.")
        return self.clustering(
            session_id,
            clustering.get("method"),
            clustering.get("metric"),
            clustering.get("optimal_order", False),
            data_key=clustering.get("key"),
            in_request=in_request,
        )

    def cophenetic(self, session_id: str, clustering: dict):
        """Cophenetic correlation of the named clustering, computed once.

        Optimal ordering flips children only, so the key leaves it out.
        """
        from hclust.diagnostics import cophenetic_correlation

        dataset, result = self.result_for(session_id, clustering)
        metric = clustering["metric"]
        return self.memo(
            ResultKey.of("cophenetic", dataset, clustering["method"], metric),
            lambda: cophenetic_correlation(
                result.Z, dataset.values, metric, is_distance_matrix=dataset.is_distance_matrix
            ),
        )

    def cophenetic_pairs(self, session_id: str, clustering: dict):
        """Original and cophenetic distances of sampled pairs, for the plot, computed once."""
        from hclust.diagnostics import cophenetic_pairs_sample

        dataset, result = self.result_for(session_id, clustering)
        metric = clustering["metric"]
        return self.memo(
            ResultKey.of("cophenetic-pairs", dataset, clustering["method"], metric),
            lambda: cophenetic_pairs_sample(
                result.Z, dataset.values, metric, is_distance_matrix=dataset.is_distance_matrix
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
            ResultKey.of("method-comparison", dataset, None, metric, methods=",".join(methods)),
            lambda: cophenetic_by_method(
                dataset.values, metric, methods, is_distance_matrix=dataset.is_distance_matrix
            ),
        )

    def quality(
        self, session_id: str, clustering: dict, max_k: int, progress=None, in_request=True
    ):
        """Quality indices for k = 2..max_k of the named clustering, computed once.

        With `in_request`, data above :data:`QUALITY_INLINE_MAX_N` samples (by the
        stored size) is only read: its indices are the background job's to compute.
        """
        from hclust.diagnostics import quality_per_k

        dataset, result = self.result_for(session_id, clustering, in_request)
        refuse = None
        if in_request and dataset.n_samples > QUALITY_INLINE_MAX_N:
            refuse = (
                f"The quality indices of these {dataset.n_samples:,} samples are computed "
                "by a background job and are not ready yet."
            )
        metric = clustering["metric"]
        return self.memo(
            ResultKey.of("quality", dataset, clustering["method"], metric, max_k=int(max_k)),
            lambda: quality_per_k(result.Z, dataset.values, metric, int(max_k), progress=progress),
            refuse=refuse,
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
        key = ResultKey.of(
            "geometry",
            dataset,
            clustering["method"],
            clustering["metric"],
            optimal_order=bool(clustering.get("optimal_order", False)),
            truncate_mode=truncate_mode,
            p=int(p),
            root=None if root is None else int(root),
        )
        return self.memo(
            key, lambda: dendrogram_geometry(result.Z, result.tree, truncate_mode, p, root)
        )

    def flat_labels(self, Z: np.ndarray, criterion: str, **cut) -> np.ndarray:
        """Flat labels of a cut of `Z` (:func:`hclust.cut.flat_clusters`), computed once.

        Every panel of the page reads the same cut's labels in its own request;
        keyed by the linkage matrix itself, they are shared by every session
        with that tree. Parameters are those of :func:`hclust.cut.flat_clusters`.
        """
        Z = np.ascontiguousarray(Z, dtype=float)
        options = dict(cut, criterion=criterion, n=len(Z) + 1)
        options = {
            name: v.item() if isinstance(v, np.generic) else v for name, v in options.items()
        }
        try:
            key = ResultKey(
                "flat-labels",
                hashlib.sha256(Z.tobytes()).hexdigest(),
                options=tuple(sorted(options.items())),
            )
        except (TypeError, ValueError):  # not a cut's values: flat_clusters says what is wrong
            return flat_clusters(Z, criterion, **cut)
        return self.memo(key, lambda: flat_clusters(Z, criterion, **cut))

    def mds(self, dataset: Dataset):
        """Classical MDS of a distance-matrix dataset, shared like the linkage."""
        from hclust.preprocess import classical_mds

        return self.memo(ResultKey.of("mds", dataset), lambda: classical_mds(dataset.values))


class RedisCache:
    """The calls :class:`Store` needs (get, set, ``in``), on Redis, for a hosted instance.

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

    def __contains__(self, key) -> bool:
        return bool(self._redis.exists(key))


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
