"""Background jobs: where long work runs so the page never blocks.

The embedded default runs each job in a subprocess and keeps results in a
disk cache: no external service. With ``REDIS_URL`` set, the same callbacks
run on Celery workers through Redis, so a hosted instance can spread jobs
over machines (start them with ``celery -A app:celery_app worker``).
"""

from __future__ import annotations

import os

from . import config

# How often the page asks whether a job is done. Dash's default of a second
# dominated short jobs (measured: a 0.2 s diagnostics job showed after 1.2 s).
JOB_POLL_MS = 250


def celery_app():
    """The Celery application when ``REDIS_URL`` is set, else None."""
    if not config.REDIS_URL:
        return None
    from celery import Celery

    return Celery("hclust", broker=config.REDIS_URL, backend=config.REDIS_URL)


def _race_safe_diskcache_manager():
    from dash import DiskcacheManager

    class RaceSafeDiskcacheManager(DiskcacheManager):
        """Dash's manager, but a job that ends while being ended is not an error.

        Dash checks that the job's process exists, then lists its children;
        a job that exits in between raised ``psutil.NoSuchProcess`` out of the
        request that fetched its result (a 500 seen in CI). Ending a process
        that has already ended needs nothing more.
        """

        def terminate_job(self, job):
            import psutil

            try:
                super().terminate_job(job)
            except psutil.NoSuchProcess:
                pass

    return RaceSafeDiskcacheManager


def background_manager(celery=None):
    """Dash's background callback manager for this deployment."""
    from dash import CeleryManager

    if celery is not None:
        return CeleryManager(celery, expire=config.SESSION_TTL_SECONDS)
    import diskcache

    manager = _race_safe_diskcache_manager()
    return manager(
        diskcache.Cache(os.path.join(config.CACHE_DIR, "jobs")), expire=config.SESSION_TTL_SECONDS
    )
