"""Server-side state: per-session pointers and shared, content-addressed results.

Nothing here imports dash. State lives in an external cache (a disk cache by
default, Redis when ``REDIS_URL`` is set) so that every gunicorn worker sees
the same sessions.
"""
