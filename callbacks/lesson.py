"""The guided lesson (issue 13 §1, §4, §6): one click sets a step's whole state.

A step's settings that the address holds (data, method, metric, truncation,
criterion and cut) are written into the address, and the page's own restore
(callbacks/share.py) sets the controls in order as the page catches up, the
same way a shared link is opened. The rest (annotation, inconsistency depth,
the merge step and pins) is set here directly. The address carries
``lesson=N`` while the lesson is open and ``present=1`` in presentation mode,
so a copied link opens, in a student's own session, that step in that state.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    html,
    no_update,
    set_props,
)
from dash.exceptions import PreventUpdate

from callbacks.errors import shows_errors
from callbacks.share import PAGE_ONLY, lesson_pairs, parse_view, view_query
from hclust import lesson
from hclust.data import load_preset
from hclust.errors import InputError
from services import store
from services.store import ResultKey

# Parameters of the address that are not part of the view itself.
LESSON_PARAMETERS = ("lesson", "present")

# Controls the lesson sets directly (not through the address).
DIRECT = (
    ("annotate-above", "value"),
    ("inconsistency-depth", "value"),
)
# The step-through's controls (§2, another module): set with set_props, which
# triggers their callbacks like an output does, and is skipped by the renderer
# on a page without them (an Output to a missing id stops the whole callback).
STEP_THROUGH = (("merge-step", "value"), ("merge-pins", "data"))
CARD = (
    ("lesson-state", "data"),
    ("lesson", "hidden"),
    ("lesson-step", "children"),
    ("lesson-text", "children"),
    ("lesson-table", "children"),
    ("lesson-back", "disabled"),
    ("lesson-next", "disabled"),
    ("lesson-open", "children"),
)
ADDRESS = (("url", "search"), ("view-query", "data"), ("presentation-mode", "value"))
OUTPUTS = CARD + ADDRESS + DIRECT


def facts() -> dict:
    """The lesson's numbers, computed once and shared: a pure function of the presets."""
    X, X2 = load_preset("tutorial-2-blobs"), load_preset("tutorial-5-blobs")
    base = lesson.BASE_STATE
    key = ResultKey.of(
        "lesson",
        X,
        base["method"],
        base["metric"],
        x2=X2.content_hash,
        steps=lesson.STATES_DIGEST,
    )
    return store.get_store().memo(key, lambda: lesson.lesson_facts(X.values, X2.values))


def step_query(number: int, presenting: bool) -> str:
    """The address of step `number`'s view, as callbacks/share.py writes a view."""
    state = lesson.step(number).state
    controls = {
        "source": state["dataset"],
        "scaling": state["scaling"],
        "missing": state["missing"],
        "method": state["method"],
        "metric": state["metric"],
        "optimal_order": state["optimal_order"],
        "truncate_mode": state["truncate_mode"],
        "p": state["p"],
    }
    cut = {
        "criterion": state["criterion"],
        "height": state["height"],
        "k": state["k"],
        "t": state["t"],
        "depth": state["depth"],
    }
    return view_query(
        controls, cut, None, None, lesson_pairs({"open": True, "step": number}, presenting)
    )


def view_part(search) -> list:
    """The address's view parameters, without the lesson's."""
    search = search if isinstance(search, str) else ""
    pairs = parse_qsl(search.lstrip("?"), keep_blank_values=True)
    return [(key, value) for key, value in pairs if key not in LESSON_PARAMETERS]


def _step_part(search) -> list:
    """What a step sets of the address (the panels' settings and colours are the page's)."""
    return [(key, value) for key, value in view_part(search) if key not in PAGE_ONLY]


def with_flags(search, lesson_state, presenting) -> str:
    """`search` with its lesson step and presentation flag set anew."""
    pairs = view_part(search) + list(lesson_pairs(lesson_state, presenting))
    return "?" + urlencode(pairs) if pairs else ""


def _number(value) -> str:
    return lesson.number(round(value, 5)) if isinstance(value, float) else str(value)


def card(number: int, numbers: dict) -> dict:
    """What the card shows at step `number`."""
    step = lesson.step(number)
    table = None
    if step.table:
        data = numbers[step.table]
        table = html.Table(
            [
                html.Thead(html.Tr([html.Th(c) for c in data["columns"]])),
                html.Tbody([html.Tr([html.Td(_number(v)) for v in row]) for row in data["rows"]]),
            ]
        )
    return {
        ("lesson-step", "children"): f"Step {number} of {lesson.N_STEPS}: {step.title}",
        ("lesson-text", "children"): html.P(lesson.step_text(number, numbers)),
        ("lesson-table", "children"): table,
        ("lesson-back", "disabled"): number <= 1,
        ("lesson-next", "disabled"): number >= lesson.N_STEPS,
    }


def direct_state(number: int, current: dict | None = None) -> dict:
    """The step's settings the address does not hold.

    A control already at its value is left alone: setting it would redraw the
    plots once more while the address's settings are still arriving.
    """
    state = lesson.step(number).state
    current = current or {}
    out = {
        ("annotate-above", "value"): state["annotate_above"],
        ("inconsistency-depth", "value"): state["inconsistency_depth"],
    }
    out = {key: value for key, value in out.items() if key not in current or current[key] != value}
    out[("merge-step", "value")] = no_update if state["merge_step"] is None else state["merge_step"]
    out[("merge-pins", "data")] = list(state["merge_pins"] or [])
    return out


def move(trigger: str, state, presenting: bool, search, at_load, current=None, target=None) -> dict:
    """Every output the lesson changes when `trigger` fires.

    Parameters
    ----------
    trigger : str
        The id that fired: ``lesson-open``, ``lesson-move`` (Next or Back, counted
        in the browser: ``assets/lesson_move.js``), ``lesson-close`` or
        ``address-at-load``.
    state : dict
        The card's record, ``{"open": bool, "step": int, "seq": int, "steps": int}``;
        ``seq`` counts its changes, so the browser knows when a move was answered.
    presenting : bool
    search : str
        The address now.
    at_load : str or None
        The address the page was opened with.
    current : dict, optional
        The values now of the controls set directly (:data:`DIRECT`).
    target : dict, optional
        The ``lesson-move`` store: ``{"step": int, "from": int}``.

    Returns
    -------
    dict
        ``{(component, prop): value}``; absent outputs are left as they are.
    """
    state = state if isinstance(state, dict) else {}
    number = state.get("step") if isinstance(state.get("step"), int) else 1
    number = min(max(number, 1), lesson.N_STEPS)
    seq = state.get("seq") if isinstance(state.get("seq"), int) else 0
    out = {}
    if trigger == "address-at-load":
        try:
            view = parse_view(at_load or "")
        except InputError:
            raise PreventUpdate from None  # the restore names the bad parameter
        if view.get("present"):
            out[("presentation-mode", "value")] = ["on"]
        if "lesson" not in view:
            if not out:
                raise PreventUpdate
            return out
        # a class link: this step, in the state the link's address restores
        number = view["lesson"]
        out.update(direct_state(number, current))
    elif trigger == "lesson-close":
        new = {"open": False, "step": number, "panel": lesson.step(number).panel}
        new.update(seq=seq + 1, steps=lesson.N_STEPS)
        query = with_flags(search, new, presenting)
        return {
            ("lesson-state", "data"): new,
            ("lesson", "hidden"): True,
            ("lesson-open", "children"): f"Back to the lesson (step {number})",
            ("url", "search"): query,
            ("view-query", "data"): query,
        }
    else:
        if trigger == "lesson-move":
            asked = target.get("step") if isinstance(target, dict) else None
            if not isinstance(asked, int) or isinstance(asked, bool):
                raise PreventUpdate  # not a move the page makes
            number = min(max(asked, 1), lesson.N_STEPS)
        elif trigger != "lesson-open":
            raise PreventUpdate
        query = step_query(number, presenting)
        out[("url", "search")] = query
        if _step_part(query) == _step_part(search):
            out[("view-query", "data")] = query  # the view is the step's already: no restore
        out.update(direct_state(number, current))
    out[("lesson-state", "data")] = {
        "open": True,
        "step": number,
        "panel": lesson.step(number).panel,
        "seq": seq + 1,
        "steps": lesson.N_STEPS,
    }
    out[("lesson", "hidden")] = False
    out[("lesson-open", "children")] = "Reset this step"
    out.update(card(number, facts()))
    return out


@callback(
    *[Output(c, p, allow_duplicate=True) for c, p in OUTPUTS],
    Input("lesson-open", "n_clicks"),
    Input("lesson-move", "data"),
    Input("lesson-close", "n_clicks"),
    Input("address-at-load", "data"),
    State("lesson-state", "data"),
    State("presentation-mode", "value"),
    State("url", "search"),
    *[State(component, prop) for component, prop in DIRECT],
    prevent_initial_call=True,
)
@shows_errors(outputs=len(OUTPUTS), message=OUTPUTS.index(("lesson-text", "children")))
def lesson_step(open_, target, close, at_load, state, presenting, search, *now):
    """Open, move through and leave the lesson; a class link opens it at its step."""
    current = dict(zip(DIRECT, now))
    out = move(ctx.triggered_id, state, bool(presenting), search, at_load, current, target)
    for component, prop in STEP_THROUGH:
        if out.get((component, prop), no_update) is not no_update:
            set_props(component, {prop: out[(component, prop)]})
    return tuple(out.get(target, no_update) for target in OUTPUTS)


@callback(
    Output("url", "search", allow_duplicate=True),
    Output("view-query", "data", allow_duplicate=True),
    Input("presentation-mode", "value"),
    State("lesson-state", "data"),
    State("url", "search"),
    prevent_initial_call=True,
)
def presentation_in_address(presenting, state, search):
    """Presentation mode is part of the address (``present=1``), so a class link carries it."""
    query = with_flags(search, state, bool(presenting))
    if query == (search if isinstance(search, str) else ""):
        raise PreventUpdate
    return query, query


# Next and Back: the step asked for, counted in the browser so that quick clicks all count.
clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="lessonMove"),
    Output("lesson-move", "data"),
    Input("lesson-next", "n_clicks"),
    Input("lesson-back", "n_clicks"),
    State("lesson-state", "data"),
    State("lesson-move", "data"),
    prevent_initial_call=True,
)

# Body classes, the highlighted panel scrolled into view, and the resized plots.
clientside_callback(
    ClientsideFunction(namespace="lesson", function_name="apply"),
    Output("lesson-applied", "data"),
    Input("lesson-state", "data"),
    Input("presentation-mode", "value"),
)

clientside_callback(
    ClientsideFunction(namespace="lesson", function_name="copyLink"),
    Output("lesson-link-box", "value"),
    Output("lesson-link-box", "style"),
    Input("lesson-link", "n_clicks"),
    prevent_initial_call=True,
)

# The drawn dendrogram checked against the cut and truncation while the lesson is open.
clientside_callback(
    ClientsideFunction(namespace="lesson", function_name="checkDrawn"),
    Output("lesson-applied", "data", allow_duplicate=True),
    Input("dendrogram", "figure"),
    Input("cut", "data"),
    Input("truncate-mode", "value"),
    Input("truncate-p", "value"),
    State("annotate-above", "value"),
    State("lesson-state", "data"),
    prevent_initial_call=True,
)
