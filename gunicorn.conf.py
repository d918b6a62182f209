"""gunicorn settings, sized from the environment (read by `make run`, the Dockerfile,
and any `gunicorn app:server` started in this folder).

Defaults serve a class on one machine: one worker per core, each with threads,
so a light request (a cut, a typed k) is answered by a free thread instead of
queueing behind a slow one. Heavy work runs as background jobs outside the
request workers; jobs are started through a forkserver (see ``post_fork``),
because forking from a threaded process can copy a held lock and hang.

| variable | default | meaning |
| --- | --- | --- |
| ``HOST``, ``PORT`` | 127.0.0.1, 8050 | where to listen |
| ``WEB_CONCURRENCY`` | number of cores | worker processes |
| ``GUNICORN_THREADS`` | 8 | threads per worker (1: gunicorn's sync workers) |
| ``GUNICORN_TIMEOUT`` | 120 | seconds a silent worker lives before it is restarted |
| ``GUNICORN_KEEPALIVE`` | 5 | seconds an idle browser connection stays open |
"""

import os


def _int(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


bind = f"{os.environ.get('HOST', '127.0.0.1')}:{_int('PORT', 8050)}"
workers = _int("WEB_CONCURRENCY", os.cpu_count() or 1)
threads = _int("GUNICORN_THREADS", 8)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = 20
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# gunicorn's control socket has one default path per user: several instances on
# one machine (tests, a blue-green switch) would fight over it, and nothing uses it.
control_socket_disable = True
# the bundles and layout are small next to a worker's memory; no request body is
# buffered beyond MAX_CONTENT_LENGTH (app.py)


def post_worker_init(worker):
    """Let Dash finish its one-time setup before the worker takes connections.

    Dash sets itself up on a worker's first request, marking it done before it
    is (its script paths and callbacks are registered afterwards). With
    threads, the class's first requests raced it: a script or callback asked
    for meanwhile got HTTP 500 ("dash is not a registered library").
    """
    worker.wsgi.test_client().get("/_dash-dependencies")


def post_fork(server, worker):
    """Start background jobs from a clean single-threaded forkserver, not the threaded worker."""
    import multiprocess

    multiprocess.set_start_method("forkserver", force=True)
