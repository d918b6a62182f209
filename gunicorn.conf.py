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
| ``GUNICORN_SEND_BUFFER`` | 4194304 | bytes of kernel send buffer per connection (0: the kernel's own sizing) |
"""

import os
import socket


def _int(name: str, default: int, least: int = 1) -> int:
    try:
        return max(least, int(os.environ.get(name, default)))
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
# a connection's kernel send buffer (when_ready); 0 leaves it to the kernel
send_buffer_bytes = _int("GUNICORN_SEND_BUFFER", 4 * 2**20, least=0)


def when_ready(server):
    """Give every connection a send buffer that holds a whole script.

    A worker thread writes an answer into the kernel and is free once it is
    there. On a real network the kernel sizes that buffer from how fast the
    connection has gone so far, so a student's 1.5 MB plotly bundle on a busy
    classroom network held a thread until most of it had left: 0.53 s against
    0.10 s with this buffer, 20 students behind a shaped 100 Mbit/s link
    (README, "Capacity"). Accepted connections inherit the listener's size;
    Linux caps it at ``net.core.wmem_max``, logged here as what was granted.
    """
    if not send_buffer_bytes:
        return
    granted = []
    for listener in server.LISTENERS:
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer_bytes)
            # Linux reports twice the size (its bookkeeping); a cap shows as less
            granted.append(listener.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) // 2)
        except OSError:  # a socket family without it (a Unix socket on some systems)
            continue
    server.log.info("send buffer per connection: %s bytes (asked %d)", granted, send_buffer_bytes)


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
