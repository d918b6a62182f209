"""The job callbacks (run_clustering, compute_quality) under the instance's job budget,
called as plain functions from threads, as concurrent job processes would call them,
with the real store and a real budget record in a temporary folder."""

import threading
import time

import numpy as np
import pytest
from dash.exceptions import PreventUpdate

import hclust.diagnostics
from callbacks.clustering import run_clustering
from callbacks.diagnostics import compute_quality
from hclust.data import Dataset
from services import config, jobs, store
from services.sessions import issue_session


@pytest.fixture
def budget(tmp_path, monkeypatch):
    """A fresh instance budget in `tmp_path`; set its limits with ``budget(jobs=, memory_mb=)``."""

    def configure(jobs_=2, memory_mb=4096):
        monkeypatch.setattr(config, "CACHE_DIR", str(tmp_path))
        monkeypatch.setattr(config, "INSTANCE_JOBS", jobs_)
        monkeypatch.setattr(config, "INSTANCE_MEMORY_MB", memory_mb)
        jobs._budget_of_process.cache_clear()
        return jobs.instance_budget()

    yield configure
    jobs._budget_of_process.cache_clear()


class Meter:
    """Counts calls of the functions it wraps, the most running at once, and makes each slow."""

    def __init__(self, seconds=0.6):
        self.seconds = seconds
        self.calls, self.now, self.peak = [], 0, 0
        self.lock = threading.Lock()

    def wrap(self, fn):
        def slow(*args, **kwargs):
            with self.lock:
                self.calls.append(args)
                self.now += 1
                self.peak = max(self.peak, self.now)
            try:
                time.sleep(self.seconds)
                return fn(*args, **kwargs)
            finally:
                with self.lock:
                    self.now -= 1

        return slow


@pytest.fixture
def slow_linkage(monkeypatch):
    meter = Meter()
    monkeypatch.setattr(store, "build_clustering", meter.wrap(store.build_clustering))
    return meter


def session_with(dataset):
    session_id = issue_session()
    key = store.get_store().put_dataset(session_id, dataset)
    return session_id, {"key": key, "n": dataset.n_samples}


def request_for(session_id, data_version, method="average", metric="euclidean"):
    return {
        "data_version": data_version,
        "method": method,
        "metric": metric,
        "optimal_order": False,
        "id": store.get_store().begin_request(
            session_id, "clustering", f"{data_version['key']}|{method}|{metric}|False"
        ),
    }


def in_threads(*calls):
    """Run each (function, kwargs) in its own thread, starting them 50 ms apart; return results."""
    results = [None] * len(calls)

    def run(i, fn, kwargs):
        try:
            results[i] = fn(**kwargs)
        except PreventUpdate:
            results[i] = "prevented"

    threads = [threading.Thread(target=run, args=(i, fn, kw)) for i, (fn, kw) in enumerate(calls)]
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join(60)
    return results


def random_dataset(n, seed):
    values = np.random.default_rng(seed).normal(size=(n, 2))
    return Dataset(values=values, feature_names=("x", "y"), name=f"random {seed}")


def clustering_job(session_id, request, progress=None):
    return run_clustering, {
        "set_progress": (progress.append if progress is not None else lambda _: None),
        "request": request,
        "session_id": session_id,
    }


def test_identical_requests_of_two_sessions_compute_the_linkage_once(budget, slow_linkage):
    budget(jobs_=2)
    dataset = random_dataset(300, seed=1)
    first, second = session_with(dataset), session_with(dataset)
    results = in_threads(
        clustering_job(first[0], request_for(*first)),
        clustering_job(second[0], request_for(*second)),
    )
    assert len(slow_linkage.calls) == 1  # the second waited for the first's memo
    assert [r[0]["n"] for r in results] == [300, 300]  # and both sessions got the answer
    assert results[0][1] == results[1][1]


def test_no_more_linkages_run_at_once_than_instance_jobs(budget, slow_linkage):
    budget(jobs_=1)
    sessions = [session_with(random_dataset(200, seed)) for seed in range(3)]
    results = in_threads(*(clustering_job(s, request_for(s, v)) for s, v in sessions))
    assert len(slow_linkage.calls) == 3
    assert slow_linkage.peak == 1
    assert all(r[0]["n"] == 200 for r in results)


def test_a_session_runs_one_job_at_a_time(budget, slow_linkage, monkeypatch):
    budget(jobs_=4)
    session_id, version = session_with(random_dataset(200, seed=7))
    clustering, *_ = run_clustering(lambda _: None, request_for(session_id, version), session_id)
    # the session's linkage and its quality indices, counted together
    monkeypatch.setattr(
        hclust.diagnostics, "quality_per_k", slow_linkage.wrap(hclust.diagnostics.quality_per_k)
    )
    quality_request = {"clustering": clustering, "max_k": 5, "id": "q"}
    store.get_store().begin_request(session_id, "quality", "q")
    in_threads(
        (
            compute_quality,
            {"set_progress": lambda _: None, "request": quality_request, "session_id": session_id},
        ),
        clustering_job(session_id, request_for(session_id, version, method="complete")),
    )
    assert len(slow_linkage.calls) >= 2  # the quality job and the second linkage (and its own)
    assert slow_linkage.peak == 1  # the session's second job waited for its first


def test_two_sessions_jobs_do_run_together(budget, slow_linkage):
    budget(jobs_=2)
    sessions = [session_with(random_dataset(200, seed)) for seed in (11, 12)]
    in_threads(*(clustering_job(s, request_for(s, v)) for s, v in sessions))
    assert slow_linkage.peak == 2


def test_a_queued_job_says_where_it_stands_through_its_progress(budget, slow_linkage):
    shared = budget(jobs_=1)
    release, started = threading.Event(), threading.Event()

    def holder():
        with shared.slot("someone-else", "clustering", "their-key", 1):
            started.set()
            release.wait(20)

    thread = threading.Thread(target=holder)
    thread.start()
    started.wait(10)
    session_id, version = session_with(random_dataset(200, seed=3))
    progress = []
    job = threading.Thread(
        target=run_clustering, args=(progress.append, request_for(session_id, version), session_id)
    )
    job.start()
    deadline = time.time() + 10
    while not progress:
        assert time.time() < deadline
        time.sleep(0.05)
    assert progress[0] == (0, 5, "Queued: next to start, when one of the 1 running jobs ends.")
    assert slow_linkage.calls == []
    release.set()
    job.join(30)
    thread.join(10)
    assert len(slow_linkage.calls) == 1 and progress[-1][2].startswith("Step")


def test_a_newer_request_replaces_the_sessions_queued_job(budget, slow_linkage):
    shared = budget(jobs_=1)
    release, started = threading.Event(), threading.Event()

    def holder():
        with shared.slot("someone-else", "clustering", "their-key", 1):
            started.set()
            release.wait(20)

    thread = threading.Thread(target=holder)
    thread.start()
    started.wait(10)
    session_id, version = session_with(random_dataset(200, seed=5))
    old = request_for(session_id, version, method="single")
    results = {}
    t_old = threading.Thread(
        target=lambda: results.setdefault("old", _outcome(session_id, old)), daemon=True
    )
    t_old.start()
    time.sleep(0.5)
    new = request_for(session_id, version, method="complete")
    t_new = threading.Thread(target=lambda: results.setdefault("new", _outcome(session_id, new)))
    t_new.start()
    t_old.join(10)
    assert results == {"old": "prevented"}  # left the queue at once, nothing computed
    release.set()
    t_new.join(30)
    thread.join(10)
    assert results["new"][0]["method"] == "complete"
    assert [call[1] for call in slow_linkage.calls] == ["complete"]


def _outcome(session_id, request):
    try:
        return run_clustering(lambda _: None, request, session_id)
    except PreventUpdate:
        return "prevented"


def test_a_job_larger_than_the_instance_memory_is_refused_naming_the_limit(budget, slow_linkage):
    budget(jobs_=2, memory_mb=10)
    session_id, version = session_with(random_dataset(2_000, seed=9))
    summary, status, *_ = run_clustering(
        lambda _: None, request_for(session_id, version), session_id
    )
    assert status.startswith("⚠ This job needs about 31 MB")
    assert "budget of 10 MB (INSTANCE_MEMORY_MB)" in status
    assert slow_linkage.calls == []


def test_the_cost_comes_from_the_stored_data_not_from_the_request(budget):
    budget()
    session_id, version = session_with(random_dataset(2_000, seed=9))
    claimed = dict(version, n=2)  # a client claiming a tiny dataset
    key, memory = jobs.clustering_cost(session_id, claimed["key"], "average", "euclidean", False)
    assert memory > 2_000 * 1_999 // 2 * 8  # at least the condensed distances of 2,000 rows
    other_key, _ = jobs.clustering_cost(
        issue_session(), claimed["key"], "average", "euclidean", False
    )
    assert other_key != key  # a session that did not load the data shares nothing


def test_the_cost_of_an_invalid_session_is_nothing_the_store_refuses_it(budget):
    budget()
    assert jobs.clustering_cost("not-a-session", "0" * 64, "average", "euclidean", False)[1] == 0
    assert jobs.quality_cost("not-a-session", {"key": "0" * 64}, 5)[1] == 0
