"""Answers shared between sessions: the same request on the same data is answered once.

A class of 100 students types the same k on the same data within seconds: 100
identical requests, each rebuilding and encoding the same figures. A callback
request names everything its answer is made from, except what the session owns
on the server; the store reports what a request read of that
(:func:`services.store.watching_answer_reads`). An answer that read nothing a
session owns but the datasets it named (by :func:`services.store.dataset_id`,
a digest of the numbers, labels, names and notes) is a pure function of:

- the request (outputs, inputs, states and which of them changed), with the
  session's token taken out;
- those datasets;
- the server's code and settings (:mod:`services.code_version`).

So it is kept under that key (:class:`services.store.ResultKey` of kind
``answer``), and the same request from another session that owns the same
datasets is answered with the kept bytes. Never shared:

- an answer that read or wrote anything else a session owns (its latest
  dataset, an uploaded table, its latest request: uploads, loads and jobs), or
  met a result that was not ready yet;
- an answer to bad input or a failure (the error handlers say so), a
  background job's, one that sets a cookie, and one that holds a session token;
- an answer larger than :data:`MAX_KEPT_BYTES`, or to a request larger than
  :data:`MAX_SHARED_REQUEST_BYTES` (an upload), which is one analyst's, not a
  class's; downloads, which carry the time they were made.

A shared answer carries the header ``X-Shared-Answer: 1``. ``SHARE_ANSWERS=0`` turns
sharing off (``services.config``).
"""

from __future__ import annotations

import hashlib
import json

from flask import Response, g, request

from . import code_version, config, store

SESSION_STORE = "session-id"
MAX_KEPT_BYTES = 2 * 2**20
MAX_SHARED_REQUEST_BYTES = 256 * 2**10
SHARED_HEADER = "X-Shared-Answer"


def not_shareable() -> None:
    """Mark the answer being built as this session's own (the error handlers call this)."""
    store.mark_answer_private()


def session_token(body: dict):
    """The session token a callback request carries (the ``session-id`` store), or None."""
    for group in ("inputs", "state"):
        for item in body.get(group) or ():
            if isinstance(item, dict) and item.get("id") == SESSION_STORE:
                return item.get("value")
    return None


def answer_key(body: dict, token) -> store.ResultKey:
    """The key of the answer to `body`: the request without its session, the code, the settings."""
    parts = {name: body.get(name) for name in ("output", "outputs", "inputs", "state")}
    parts["changed"] = body.get("changedPropIds")
    # in the order the request gave them: callbacks walk dicts in that order, so two
    # orders can make two answers
    text = json.dumps(parts, separators=(",", ":"), default=repr)
    if isinstance(token, str) and token:
        text = text.replace(json.dumps(token), '"<session>"')
    digest = hashlib.sha256()
    for part in (code_version.code_digest(), code_version.settings_text(), text):
        digest.update(part.encode())
        digest.update(b"\x00")
    return store.ResultKey("answer", digest.hexdigest())


def install(app) -> None:
    """Answer callback requests from kept answers, and keep the shareable ones.

    Registered after the request guard, so a request reaching it has a valid envelope.
    """
    path = app.config.routes_pathname_prefix + "_dash-update-component"
    server = app.server

    @server.before_request
    def answer_from_kept():
        if request.path != path or request.method != "POST" or request.args.get("cacheKey"):
            return None
        if not config.SHARE_ANSWERS or (request.content_length or 0) > MAX_SHARED_REQUEST_BYTES:
            return None  # off, or an upload: one person's file, not worth hashing
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("output"), str):
            return None
        entry = app.callback_map.get(body["output"])
        if entry is None or entry.get("background"):
            return None  # a job's answers arrive by polling, each its own
        token = session_token(body)
        key = answer_key(body, token)
        kept = store.get_store().kept_answer(token, key)
        if kept is not None:
            mimetype, data = kept
            return Response(data, mimetype=mimetype, headers={SHARED_HEADER: "1"})
        g.answer_key, g.answer_token = key, token
        g.answer_watch = store.watching_answer_reads()
        g.answer_reads = g.answer_watch.__enter__()
        return None

    @server.after_request
    def keep_answer(response):
        reads = getattr(g, "answer_reads", None)
        if reads is None or reads.private or response.status_code != 200:
            return response
        if response.is_streamed or response.headers.get("Set-Cookie"):
            return response
        data = response.get_data()
        token = g.answer_token
        if len(data) > MAX_KEPT_BYTES or (isinstance(token, str) and token.encode() in data):
            return response
        store.get_store().keep_answer(g.answer_key, reads, response.mimetype, data)
        return response

    @server.teardown_request
    def stop_watching(_error=None):
        watch = getattr(g, "answer_watch", None)
        if watch is not None:
            g.answer_watch = None
            watch.__exit__(None, None, None)
