"""Background jobs: where long work runs so the page never blocks.

The embedded default runs each job in a subprocess and keeps results in a
disk cache: no external service. With ``REDIS_URL`` set, the same callbacks
run on Celery workers through Redis, so a hosted instance can spread jobs
over machines (start them with ``celery -A app:celery_app worker``).

Every job waits for its turn in the instance's budget (:mod:`services.budget`)
before its expensive work, and says where it stands meanwhile. The embedded
manager also cancels a job nobody polls any more and reaps every finished job
process, so none is left as a zombie.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import signal
import threading
import time

from . import config
from .budget import Budget, DiskcacheState, JobDropped, JobRefused, RedisState

__all__ = ["JobRefused", "admitted", "background_manager", "celery_app", "instance_budget"]

# How often the page asks whether a job is done. Dash's default of a second
# dominated short jobs (measured: a 0.2 s diagnostics job showed after 1.2 s).
JOB_POLL_MS = 250
# Job processes yield the CPU to the request workers: light requests stay quick
# while the instance's cores are busy with jobs.
JOB_NICENESS = 10
# The Dash result key of the job this process runs (None outside a job).
_CURRENT_JOB = contextvars.ContextVar("hclust_current_job", default=None)


def celery_app():
    """The Celery application when ``REDIS_URL`` is set, else None."""
    if not config.REDIS_URL:
        return None
    from celery import Celery

    return Celery("hclust", broker=config.REDIS_URL, backend=config.REDIS_URL)


@functools.cache
def _budget_of_process(pid: int) -> Budget:
    # one handle per process: a forked job opens its own connection to the store
    state = (
        RedisState(config.REDIS_URL)
        if config.REDIS_URL
        else DiskcacheState(os.path.join(config.CACHE_DIR, "budget"))
    )
    return Budget(
        state,
        jobs=config.INSTANCE_JOBS,
        memory_bytes=config.INSTANCE_MEMORY_MB * 2**20,
        max_queued=config.INSTANCE_QUEUE,
    )


def instance_budget() -> Budget:
    """This process's handle on the instance's shared budget."""
    return _budget_of_process(os.getpid())


# --- Polls: the page's heartbeat --------------------------------------------


def record_poll(job_key: str) -> None:
    """Note that a page has just asked for the job's answer."""
    instance_budget().state.set_mark(
        f"poll:{job_key}", time.time(), expire=config.JOB_ABANDON_SECONDS * 4
    )


def seconds_since_poll(job_key: str) -> float:
    """Seconds since the page last asked for the job.

    Infinite when no poll is on record: every job's record starts when it is
    started, and expires only long after the job counts as abandoned.
    """
    last = instance_budget().state.get_mark(f"poll:{job_key}")
    return float("inf") if last is None else time.time() - last


def current_job_key():
    """The Dash result key of the job run here: set by our manager, or a Celery task's first argument."""
    job_key = _CURRENT_JOB.get()
    if job_key is None and config.REDIS_URL:
        with contextlib.suppress(Exception):
            from celery import current_task

            if current_task and current_task.request.args:
                job_key = current_task.request.args[0]
    return job_key if isinstance(job_key, str) else None


def job_abandoned() -> bool:
    """Whether the job this process runs has gone unpolled past ``JOB_ABANDON_SECONDS``."""
    job_key = current_job_key()
    return job_key is not None and seconds_since_poll(job_key) > config.JOB_ABANDON_SECONDS


def _watch_polls(job_key: str, stop: threading.Event) -> None:
    """End this job process when its page stops asking for it.

    The computation cannot be interrupted from a thread, so the process ends
    itself, after giving back its place in the budget.
    """
    _CURRENT_JOB.set(job_key)
    while not stop.wait(min(1.0, config.JOB_ABANDON_SECONDS / 4)):
        with contextlib.suppress(Exception):
            if job_abandoned():
                instance_budget().release_owned()
                os._exit(0)


# --- What a job costs, from the server's own records ------------------------


def _stored_dataset(session_id, data_key):
    """The session's dataset by key, or None (the job's own call to the store says why)."""
    from hclust.errors import InputError

    from .store import get_store

    try:
        return get_store().loaded_dataset(session_id, data_key)
    except InputError:
        return None


def clustering_cost(session_id: str, data_key, method, metric, optimal_order) -> tuple[str, int]:
    """(result key, memory estimate in bytes) of a linkage job, from the stored dataset.

    The key names the work by the data's content, so two sessions asking for
    the same linkage of the same numbers share one computation. Data the
    session has not loaded costs nothing: the store refuses it before any work.
    """
    from hclust.preprocess import estimate_linkage_memory_bytes

    from .store import ResultKey

    dataset = _stored_dataset(session_id, data_key)
    if dataset is None:
        return f"clustering:missing:{session_id}", 0
    key = str(
        ResultKey.of("clustering", dataset, method, metric, optimal_order=bool(optimal_order))
    )
    try:
        memory = estimate_linkage_memory_bytes(
            dataset.n_samples, dataset.n_features, method, metric, dataset.is_distance_matrix
        )
    except Exception:  # an invalid pair: the store refuses it before any work
        memory = 0
    return key, int(memory)


def quality_cost(session_id: str, clustering: dict, max_k) -> tuple[str, int]:
    """(result key, memory estimate in bytes) of a quality-per-k job, from the stored dataset."""
    from hclust.diagnostics import SILHOUETTE_SAMPLE

    from .store import ResultKey

    dataset = _stored_dataset(session_id, (clustering or {}).get("key"))
    if dataset is None:
        return f"quality:missing:{session_id}", 0
    n, m = dataset.n_samples, dataset.n_features
    sample = min(n, SILHOUETTE_SAMPLE)
    # the data, the sample's square and condensed distances, Z and the labels
    memory = 8 * n * m + 8 * sample * sample + 4 * sample * sample + 48 * n
    key = ResultKey.of(
        "quality",
        dataset,
        clustering.get("method"),
        clustering.get("metric"),
        max_k=int(max_k),
    )
    return str(key), int(memory)


@contextlib.contextmanager
def admitted(session_id: str, kind: str, cost: tuple[str, int], say):
    """Wait for the job's turn in the instance's budget, then run the body in it.

    ``say(text)`` shows where the job stands while it waits. A job that a
    newer request of its session replaced, or that nobody polls any more,
    stops without an answer (PreventUpdate). One that can never run raises
    :class:`JobRefused`, whose message is for the page.
    """
    from dash.exceptions import PreventUpdate

    key, memory = cost
    try:
        with instance_budget().slot(
            str(session_id),
            kind,
            key,
            memory,
            on_wait=lambda position: say(position.describe()),
            abandoned=job_abandoned,
        ) as how:
            yield how
    except JobDropped as dropped:
        raise PreventUpdate from dropped


# --- Processes: priority and reaping ------------------------------------------


def reap_finished_jobs() -> None:
    """Collect the exit status of every job process of this process that has ended.

    ``multiprocess.active_children`` waits (without blocking) for each ended
    child, which removes it from the process table.
    """
    import multiprocess

    with contextlib.suppress(Exception):
        multiprocess.active_children()


def _reap_on_sigchld(signum, frame):
    reap_finished_jobs()


def install_reaper() -> bool:
    """Reap job processes as soon as they end (SIGCHLD), when this is the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return False
    signal.signal(signal.SIGCHLD, _reap_on_sigchld)
    return True


# The job and the result key that this thread's poll has just looked up (_PollsUntilAnswered).
_LOOKED_UP = contextvars.ContextVar("hclust_looked_up_job", default=None)


class _PollsUntilAnswered:
    """A job that has ended with its answer written counts as running until a poll reads it.

    Dash polls a background job by reading its result, then asking whether the job still
    runs; a job that has ended when no result was read counts as cancelled, and the page stops
    polling it for good. A job that wrote its answer and exited between the two questions (a
    few milliseconds apart, longer on a loaded machine) had its answer dropped: a 20,000-row
    tree was never shown (ins007, once in CI). A job writes its answer before it exits, so a
    job asked about after it has ended has answered if its answer is waiting; the next poll
    reads it. A job that ended without an answer (cancelled, killed, abandoned) still ends.
    """

    def get_result(self, key, job):
        record_poll(key)
        _LOOKED_UP.set((str(job), key))
        return super().get_result(key, job)

    def job_running(self, job):
        looked_up = _LOOKED_UP.get()
        _LOOKED_UP.set(None)
        # the process first, its answer second: an answer read after the exit is never missed
        if super().job_running(job):
            return True
        return bool(
            looked_up is not None and looked_up[0] == str(job) and self.result_ready(looked_up[1])
        )


def _race_safe_diskcache_manager():
    from dash import DiskcacheManager

    class RaceSafeDiskcacheManager(_PollsUntilAnswered, DiskcacheManager):
        """Dash's manager, plus: polls recorded, unpolled jobs ended, ended jobs reaped, and
        an answer written just before its job ended still read (:class:`_PollsUntilAnswered`).

        A job that ends while being ended is not an error: Dash checks that the
        job's process exists, then lists its children; a job that exits in
        between raised ``psutil.NoSuchProcess`` out of the request that fetched
        its result (a 500 seen in CI). Ending a process that has already ended
        needs nothing more.
        """

        def terminate_job(self, job):
            import psutil

            try:
                super().terminate_job(job)
            except psutil.NoSuchProcess:
                pass
            reap_finished_jobs()

        def make_job_fn(self, fn, progress, key=None):
            run = super().make_job_fn(fn, progress, key)

            def job_fn(result_key, progress_key, user_callback_args, context):
                with contextlib.suppress(OSError):
                    os.nice(JOB_NICENESS)
                _CURRENT_JOB.set(result_key)
                stop = threading.Event()
                watcher = threading.Thread(
                    target=_watch_polls, args=(result_key, stop), daemon=True
                )
                watcher.start()
                try:
                    run(result_key, progress_key, user_callback_args, context)
                finally:
                    stop.set()

            return job_fn

        def call_job_fn(self, key, job_fn, args, context):
            reap_finished_jobs()
            record_poll(key)  # the page starts polling now
            return super().call_job_fn(key, job_fn, args, context)

        def job_running(self, job):
            reap_finished_jobs()
            return super().job_running(job)

    return RaceSafeDiskcacheManager


def _polled_celery_manager():
    from dash import CeleryManager

    class PolledCeleryManager(_PollsUntilAnswered, CeleryManager):
        """Dash's Celery manager, recording each poll so a queued job whose page is gone leaves,
        and reading an answer written just before its task ended (:class:`_PollsUntilAnswered`)."""

        def call_job_fn(self, key, job_fn, args, context):
            record_poll(key)
            return super().call_job_fn(key, job_fn, args, context)

    return PolledCeleryManager


def background_manager(celery=None):
    """Dash's background callback manager for this deployment."""
    if celery is not None:
        return _polled_celery_manager()(celery, expire=config.SESSION_TTL_SECONDS)
    import diskcache

    install_reaper()
    manager = _race_safe_diskcache_manager()
    return manager(
        diskcache.Cache(os.path.join(config.CACHE_DIR, "jobs")), expire=config.SESSION_TTL_SECONDS
    )
