"""Server-side state: per-session pointers and shared, content-addressed results.

The state itself (config, store, sessions, budget) does not import dash. The
modules that join it to the app do: request_guard reads Dash's callback context,
and jobs imports Dash's background-callback managers and PreventUpdate inside
its functions; auth, compression and security use Flask. State lives in an
external cache (a disk cache by default, Redis when ``REDIS_URL`` is set) so
that every gunicorn worker sees the same sessions.
"""
