"""The page's first view, answered on the server and sent inside the layout.

A page used to start empty and fill itself through the callbacks Dash fires
as it loads: 34 requests, each queued behind the whole class's (issue #11).
Here the server plays that start itself, once: it runs the callbacks the page
would fire, in the order Dash would fire them, and writes their answers into
the layout. Every server callback it answered is then marked
``prevent_initial_call``, so the browser asks for none of them again; a page
load is the layout and the few requests only the browser can make (those that
read its address).

The played start is the same for every page (the default data and settings),
so it is kept in the shared cache, keyed by the code and the layout that make
it. What the start wrote under its session (the loaded data, the latest
request of each kind) is recorded and written again under each new page's own
session, so every page owns its data as if it had loaded it itself.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import dash
from dash._callback_context import context_value
from dash._utils import AttributeDict, to_json
from dash._validate import validate_and_group_input_args
from dash.exceptions import PreventUpdate

from services import code_version, sessions, store


@dataclass(frozen=True)
class Wiring:
    """One registered callback: what it writes, reads, and whether Dash fires it at load."""

    key: str
    outputs: tuple[str, ...]
    inputs: tuple[str, ...]
    states: tuple[str, ...]
    fires_at_load: bool
    in_browser: bool
    background: bool
    function: object = field(compare=False, repr=False)
    arguments: object = field(compare=False, repr=False)  # Dash's order of the function's args
    spec: dict = field(compare=False, repr=False)


def _names(key: str) -> list[str]:
    names = key[2:-2].split("...") if key.startswith("..") else [key]
    return [name.split("@")[0] for name in names]


def registered(app) -> list[Wiring]:
    """Every callback of `app`, before or after Dash has moved them into the app."""
    from dash._callback import GLOBAL_CALLBACK_LIST, GLOBAL_CALLBACK_MAP

    every_map = {**GLOBAL_CALLBACK_MAP, **app.callback_map}
    every_list = [*GLOBAL_CALLBACK_LIST, *app._callback_list]
    found = []
    for spec in every_list:
        entry = every_map.get(spec["output"], {})
        found.append(
            Wiring(
                key=spec["output"],
                outputs=tuple(_names(spec["output"])),
                inputs=tuple(f"{i['id']}.{i['property']}" for i in spec["inputs"]),
                states=tuple(f"{i['id']}.{i['property']}" for i in spec["state"]),
                fires_at_load=not spec["prevent_initial_call"],
                in_browser=bool(spec.get("clientside_function")),
                background=bool(spec.get("background")),
                function=getattr(entry.get("callback"), "__wrapped__", None),
                arguments=entry.get("inputs_state_indices"),
                spec=spec,
            )
        )
    return found


@dataclass(frozen=True)
class PlayedStart:
    """What playing the page's start did besides filling the layout."""

    answered: tuple  # keys of the server callbacks answered, in order
    session_writes: list  # (name, value) written under the playing page's session


def _index(layout) -> dict:
    components = {}
    for component in [layout, *layout._traverse()]:
        identity = getattr(component, "id", None)
        if isinstance(identity, str):
            components[identity] = component
    return components


def _read(components, name):
    identity, prop = name.split(".", 1)
    return getattr(components[identity], prop, None)


def _write(components, name, value) -> None:
    identity, prop = name.split(".", 1)
    component = components[identity]
    if value is None:
        # an absent prop, not a null one: a dcc.Store holding null tells Dash at mount that its
        # data changed (its memory reads undefined) and fires every callback reading it
        if prop in vars(component):
            delattr(component, prop)
    else:
        setattr(component, prop, value)


def _call(wiring: Wiring, components, changed):
    """Run one server callback as Dash would for a page: its answer as {"id.prop": value}."""
    values = [_read(components, name) for name in (*wiring.inputs, *wiring.states)]
    context = AttributeDict(
        triggered_inputs=[
            {"prop_id": name, "value": _read(components, name)}
            for name in wiring.inputs
            if name in changed
        ],
        inputs_list=[],
        states_list=[],
        outputs_list=[],
        updated_props={},
    )
    token = context_value.set(context)
    args, kwargs = validate_and_group_input_args(values, wiring.arguments)
    try:
        answer = wiring.function(*args, **kwargs)
    except PreventUpdate:
        return {}
    finally:
        context_value.reset(token)
    answers = answer if wiring.key.startswith("..") else (answer,)
    if len(answers) != len(wiring.outputs):
        raise RuntimeError(f"{wiring.key} answered {len(answers)} values at the page's start")
    written = {}
    for name, value in zip(wiring.outputs, answers):
        if value is not dash.no_update:
            written[name] = value
    for identity, props in context.updated_props.items():
        for prop, value in props.items():
            written[f"{identity}.{prop}"] = value
    return written


def _reaches(callbacks: list[Wiring]) -> dict:
    """For each callback, the callbacks its answers can trigger, directly or in a chain."""
    readers = defaultdict(list)
    for wiring in callbacks:
        for name in wiring.inputs:
            if name not in wiring.outputs:  # a callback's own output does not trigger it
                readers[name].append(wiring.key)
    direct = {w.key: {r for name in w.outputs for r in readers[name]} for w in callbacks}
    reach = {}
    for key in direct:
        seen, todo = set(), list(direct[key])
        while todo:
            nxt = todo.pop()
            if nxt not in seen:
                seen.add(nxt)
                todo.extend(direct.get(nxt, ()))
        reach[key] = seen
    return reach


@dataclass(frozen=True)
class StartPlan:
    """Which callbacks answer the page's start, and where.

    Attributes
    ----------
    played : frozenset
        Server callbacks the server may answer into the layout (those Dash fires
        at load and every one their answers can trigger).
    in_layout : frozenset
        Of those, the ones Dash would fire at load: the browser must not fire them again.
    in_browser : frozenset
        Browser-side callbacks that must fire at load: their own, and those reading
        what the server answered (the browser computes them from the layout),
        except those whose every output the server answers too.
    left : frozenset
        Server callbacks that read what a browser-side callback writes at load
        (the page's address): the browser fires them, as before.
    """

    played: frozenset
    in_layout: frozenset
    in_browser: frozenset
    left: frozenset


def plan_start(callbacks, ids) -> StartPlan:
    """The :class:`StartPlan` of `callbacks` for a layout holding the component `ids`."""
    ids = set(ids)
    present = [
        w for w in callbacks if all(n.split(".", 1)[0] in ids for n in (*w.outputs, *w.inputs))
    ]
    in_browser = {w.key for w in present if w.in_browser and w.fires_at_load}
    while True:
        browser_written = {n for w in present if w.key in in_browser for n in w.outputs}
        left = {
            w.key for w in present if not w.in_browser and browser_written & {*w.inputs, *w.states}
        }
        server = [w for w in present if not w.in_browser and w.key not in left]
        reach = _reaches(server)
        initial = {w.key for w in server if w.fires_at_load}
        played = initial | {k for key in initial for k in reach[key]}
        answered = {n for w in server if w.key in played for n in w.outputs}
        # a browser-side callback reading an answer fires at load, unless the server answers
        # all it writes as well (a "pending" mark its later answers clear: analyst_views.js)
        more = {
            w.key
            for w in present
            if w.in_browser and answered & set(w.inputs) and not set(w.outputs) <= answered
        } - in_browser
        if not more:
            return StartPlan(
                frozenset(played), frozenset(initial), frozenset(in_browser), frozenset(left)
            )
        in_browser |= more


def play_start(layout, callbacks) -> PlayedStart:
    """Fire the page's start on the server, as Dash's renderer would, into `layout` (in place).

    Dash fires at load every callback not marked ``prevent_initial_call`` whose
    props are in the layout; each answer then fires the callbacks that read it,
    and a callback waits while any callback upstream of it is still pending.
    Browser-side callbacks cannot run here: see :class:`StartPlan`.
    """
    components = _index(layout)
    plan = plan_start(callbacks, components)
    by_key = {w.key: w for w in callbacks if w.key in plan.played}
    reach = _reaches(list(by_key.values()))
    pending = set(plan.in_layout)
    changed_for = defaultdict(set)
    answered = []
    with store.recording_session_writes() as writes:
        while pending:
            if len(answered) > 4 * len(by_key):
                raise RuntimeError(f"the page's start does not settle: {sorted(pending)}")
            ready = sorted(
                k for k in pending if not any(k in reach[other] for other in pending - {k})
            )
            if not ready:
                raise RuntimeError(f"the page's start has a cycle among {sorted(pending)}")
            key = ready[0]
            pending.discard(key)
            wiring = by_key[key]
            if wiring.background:
                raise RuntimeError(f"{key} would start a background job at the page's start")
            written = _call(wiring, components, changed_for.pop(key, set()))
            if any(isinstance(value, dash.Patch) for value in written.values()):
                raise RuntimeError(f"{key} answered a Patch at the page's start")
            answered.append(key)
            for name, value in written.items():
                _write(components, name, value)
            for other in by_key.values():
                hit = set(written) & set(other.inputs) - set(other.outputs)
                if hit:
                    pending.add(other.key)
                    changed_for[other.key] |= hit
    return PlayedStart(tuple(answered), writes)


def play_change(layout, callbacks, changes: dict) -> list[tuple[str, int]]:
    """Play what Dash's renderer fires after the person changes `changes` ({"id.prop": value}).

    The server callbacks run on `layout` (a played start, changed in place) as
    Dash would fire them: each when no callback upstream of it is pending, once
    for all its inputs that changed meanwhile. Browser-side callbacks are left
    out (they make no request). Returns each request as (key, round): round 1
    is fired by the person's change, round r + 1 by an answer of round r. For
    tests and benchmarks of how long a chain of requests an action costs (#11).
    """
    components = _index(layout)
    server = [w for w in callbacks if not w.in_browser and not w.background]
    reach = _reaches(server)
    changed_for, round_of = defaultdict(set), {}
    for name, value in changes.items():
        _write(components, name, value)
        for wiring in server:
            if name in wiring.inputs:
                changed_for[wiring.key].add(name)
                round_of[wiring.key] = 1
    pending, requests = set(changed_for), []
    by_key = {w.key: w for w in server}
    while pending:
        if len(requests) > 4 * len(by_key):
            raise RuntimeError(f"the change does not settle: {sorted(pending)}")
        ready = sorted(k for k in pending if not any(k in reach[other] for other in pending - {k}))
        if not ready:
            raise RuntimeError(f"the change has a cycle among {sorted(pending)}")
        key = ready[0]
        pending.discard(key)
        this_round = round_of.pop(key)
        requests.append((key, this_round))
        written = _call(by_key[key], components, changed_for.pop(key, set()))
        for name, value in written.items():
            _write(components, name, value)
        for other in server:
            hit = set(written) & set(other.inputs) - set(other.outputs)
            if hit:
                pending.add(other.key)
                changed_for[other.key] |= hit
                round_of[other.key] = max(round_of.get(other.key, 0), this_round + 1)
    return requests


# Stands for the page's session token in the kept start (a token never contains a space).
_TOKEN_SLOT = "first view session"


def start_key(layout) -> store.ResultKey:
    """The key of the page's start: the code that answers it and the (unplayed) `layout`."""
    token = _index(layout)["session-id"].data
    text = to_json(layout).replace(token, _TOKEN_SLOT)
    settings = code_version.settings_text()
    digest = hashlib.sha256(
        f"{code_version.code_digest()}\n{text}\n{settings}".encode()
    ).hexdigest()
    return store.ResultKey("first-view", digest)


def _played(make_layout, callbacks) -> dict:
    layout = make_layout()
    token = _index(layout)["session-id"].data
    played = play_start(layout, callbacks)
    text = to_json(layout)
    if text.count(token) != 1 or _TOKEN_SLOT in text:
        raise RuntimeError("the page's start names its session outside the session store")
    return {"layout": text.replace(token, _TOKEN_SLOT), "session_writes": played.session_writes}


@dataclass(frozen=True)
class PageStart:
    """What serves a new page its start: the callbacks as registered, the layout, the key."""

    callbacks: tuple
    make_layout: Callable
    key: store.ResultKey


def install(app, make_layout) -> PageStart:
    """Mark the callbacks the layout answers so that the browser does not fire them at load.

    Call once, after every callback is registered and before the app serves a
    request. `make_layout` builds the page's layout (with a new session each call).
    """
    callbacks, layout = tuple(registered(app)), make_layout()
    plan = plan_start(callbacks, _index(layout))
    for wiring in callbacks:
        if wiring.key in plan.in_layout:
            wiring.spec["prevent_initial_call"] = True
        elif wiring.key in plan.in_browser:
            wiring.spec["prevent_initial_call"] = False
    return PageStart(callbacks, make_layout, start_key(layout))


def layout_for_new_page(start: PageStart) -> str:
    """The layout a new page is served, as JSON: its own session, its start already answered.

    The start is played once per key (see :func:`start_key`) and kept in the
    shared cache; each page gets a new session with the same records written
    under it, as if it had played the start itself.
    """
    shared = store.get_store()
    kept = shared.memo(start.key, lambda: _played(start.make_layout, start.callbacks))
    token = sessions.issue_session()
    shared.write_session_values(token, kept["session_writes"])
    return kept["layout"].replace(_TOKEN_SLOT, token)
