"""What the server answers to a malformed callback request: a 4xx or a message, never a 500.

Two layers: :func:`guard_endpoint` and :func:`callback_error_handler` (``on_error``).

- the envelope: a ``before_request`` hook checks a POST to ``/_dash-update-component``
  against the callback the app registered (JSON object, a known server-side
  ``output``, ``outputs``, ``inputs`` and ``state`` naming exactly that callback's
  components). Dash itself answers 500 to each of these mistakes; here they get
  400 with the reason, logged as one line.
- the values: every callback checks what it reads (``callbacks/validate.py``) and
  raises :class:`hclust.errors.InputError`. Dash's global ``on_error`` handler
  turns that into the callback's status message, or no update (204) when it has none,
  logged as one line without a traceback. Any other exception is a bug: it is
  logged with its traceback and the page says the server could not answer; when
  ``HCLUST_STRICT_CALLBACKS`` is set (tests/conftest.py sets it) it is raised
  instead, so Dash answers 500 and the test that met it fails.

A background job hands ``on_error`` its exception only as text, so jobs check
their arguments with :func:`callbacks.validate.in_job`, which answers no update.
"""

from __future__ import annotations

import json
import logging
import os

from dash import callback_context, no_update
from dash._utils import clean_property_name, split_callback_id
from dash.exceptions import PreventUpdate
from flask import Response, request

from hclust.errors import InputError

from .store import mark_answer_private

log = logging.getLogger("hclust.requests")

UPDATE_PATH = "_dash-update-component"
# Enough to say what was wrong without echoing a large body back into the log.
MAX_LOGGED = 200


def strict() -> bool:
    """Whether a bug in a callback is raised (tests) rather than logged and answered."""
    return os.environ.get("HCLUST_STRICT_CALLBACKS", "") not in ("", "0")


class Malformed(Exception):
    """A callback request whose envelope Dash cannot dispatch."""


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= MAX_LOGGED else text[:MAX_LOGGED] + "…"


def _outputs_named(spec) -> str:
    """``id.property`` of each output a callback request names, for one log line."""
    specs = spec if isinstance(spec, list) else [spec]
    return ",".join(
        f"{s.get('id')}.{s.get('property')}" if isinstance(s, dict) else "?" for s in specs
    )


def _components(spec, name: str) -> list[tuple[str, str]]:
    """(id, property) of each entry of a request's ``inputs``, ``state`` or ``outputs``."""
    if not isinstance(spec, list):
        raise Malformed(f"'{name}' must be a list")
    found = []
    for i, entry in enumerate(spec):
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("id"), str)
            or not isinstance(entry.get("property"), str)
        ):
            raise Malformed(f"'{name}'[{i}] must be an object with a string id and property")
        found.append((entry["id"], clean_property_name(entry["property"])))
    return found


def _expect(spec, expected: list[tuple[str, str]], name: str) -> None:
    if _components(spec, name) != expected:
        raise Malformed(f"'{name}' does not match the callback's {name} ({len(expected)} entries)")


def check_envelope(body, callback_map: dict) -> None:
    """Raise :class:`Malformed` unless Dash can dispatch `body` to a server-side callback.

    Parameters
    ----------
    body : object
        The parsed JSON body of a POST to ``/_dash-update-component``.
    callback_map : dict
        The app's ``callback_map``: output id -> registered callback.
    """
    if not isinstance(body, dict):
        raise Malformed("the body must be a JSON object")
    output = body.get("output")
    if not isinstance(output, str) or "callback" not in callback_map.get(output, {}):
        raise Malformed(f"'output' names no server-side callback: {_short(output)}")
    registered = callback_map[output]
    if registered.get("no_output"):
        expected_outputs = []
    else:
        outputs = split_callback_id(output)
        expected_outputs = [
            (o["id"], clean_property_name(o["property"]))
            for o in (outputs if isinstance(outputs, list) else [outputs])
        ]
    sent = body.get("outputs")
    if not output.startswith("..") and isinstance(sent, dict):
        sent = [sent]  # a single output travels as one object
    _expect(sent, expected_outputs, "outputs")
    _expect(body.get("inputs"), [(i["id"], i["property"]) for i in registered["inputs"]], "inputs")
    _expect(body.get("state", []), [(s["id"], s["property"]) for s in registered["state"]], "state")
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        raise Malformed("'changedPropIds' must be a list of strings")


def _refuse(reason: str, status: int = 400) -> Response:
    log.warning("refused callback request (HTTP %d): %s", status, reason)
    return Response(json.dumps({"error": reason}), status=status, mimetype="application/json")


def _guard_update_component(app):
    path = app.config.routes_pathname_prefix + UPDATE_PATH

    def guard():
        if request.path != path or request.method != "POST":
            return None
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            return _refuse("the body is nested too deeply")
        if body is None:
            return _refuse("the body is not JSON")
        try:
            check_envelope(body, app.callback_map)
        except Malformed as error:
            return _refuse(str(error))
        return None

    return guard


def _message_outputs(error: InputError, message_outputs: frozenset):
    """The callback's outputs with `error` in its status output; no update (HTTP 204) without one."""
    spec = callback_context.outputs_list
    specs = spec if isinstance(spec, list) else [spec]
    named = [
        isinstance(s, dict) and f"{s.get('id')}.{clean_property_name(s.get('property', ''))}"
        for s in specs
    ]
    if not any(name in message_outputs for name in named):
        raise PreventUpdate from None
    values = [f"⚠ {error}" if name in message_outputs else no_update for name in named]
    return values if isinstance(spec, list) else values[0]


def callback_error_handler(message_outputs=()):
    """Dash's ``on_error``: bad input becomes a message or no update; a bug is logged.

    Parameters
    ----------
    message_outputs : iterable of str
        ``"component-id.property"`` outputs that show a callback's messages.
    """
    message_outputs = frozenset(message_outputs)

    def on_error(error: Exception):
        mark_answer_private()  # a message about this request, not a result to share
        where = _outputs_named(callback_context.outputs_list)
        if isinstance(error, InputError):
            one_line = " ".join(str(error).split())
            log.warning("refused callback input for %s: %s", where, one_line)
            return _message_outputs(error, message_outputs)
        if strict():
            raise error  # Dash answers 500 and Flask logs the traceback
        log.error("callback for %s failed", where, exc_info=error)
        return _message_outputs(
            InputError(
                "The server could not answer this request (an internal error, now logged). "
                "What the page shows is unchanged."
            ),
            message_outputs,
        )

    return on_error


def guard_endpoint(app) -> None:
    """Answer 400 to a callback request Dash could not dispatch (see :func:`check_envelope`).

    Registered after Dash's own ``before_request`` hook, which fills ``app.callback_map``.
    """
    app.server.before_request(_guard_update_component(app))
