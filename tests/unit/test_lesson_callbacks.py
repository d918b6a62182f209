"""The lesson's callbacks (callbacks/lesson.py) as plain functions, and its address parameters."""

from urllib.parse import parse_qsl

import pytest
from dash import no_update
from dash.exceptions import PreventUpdate

from callbacks.lesson import (
    OUTPUTS,
    lesson_step,
    move,
    presentation_in_address,
    step_query,
)
from callbacks.share import lesson_pairs, parse_view, view_query
from hclust import lesson
from hclust.errors import InputError
from tests.helpers import page_context, restore_controls


def run(
    trigger,
    state=None,
    presenting=None,
    search="",
    at_load=None,
    annotate=None,
    depth=5,
    target=None,
):
    """The callback as Dash calls it: its outputs by (component, prop), and what set_props sent.

    Next and Back reach it as the ``lesson-move`` the browser counts (assets/lesson_move.js,
    tested under Node): one step on from the step shown, once the last move was answered.
    """
    if trigger in ("lesson-next", "lesson-back"):
        step = (state or {}).get("step", 1) + (1 if trigger == "lesson-next" else -1)
        target = {"step": step, "from": (state or {}).get("seq", 0)}
        trigger = "lesson-move"
    prop = {"address-at-load": "address-at-load.data", "lesson-move": "lesson-move.data"}.get(
        trigger, f"{trigger}.n_clicks"
    )
    with page_context(prop) as sent:
        values = lesson_step(0, target, 0, at_load, state, presenting, search, annotate, depth)
    return dict(zip(OUTPUTS, values)), sent


def shown(outputs):
    return {key: value for key, value in outputs.items() if value is not no_update}


class TestMoving:
    def test_open_sets_step_one_and_its_whole_view_through_the_address(self):
        out, _ = run("lesson-open")
        assert out[("lesson-state", "data")]["open"] is True
        assert out[("lesson-state", "data")]["step"] == 1
        assert out[("lesson", "hidden")] is False
        assert out[("lesson-step", "children")].startswith("Step 1 of 13")
        view = parse_view(out[("url", "search")])
        state = lesson.step(1).state
        assert (view["src"], view["method"], view["metric"]) == (
            state["dataset"],
            state["method"],
            state["metric"],
        )
        assert view["h"] == state["height"] and view["lesson"] == 1
        # the page shows another view: the address is restored, not marked as shown
        assert out[("view-query", "data")] is no_update
        assert out[("lesson-back", "disabled")] is True
        assert out[("lesson-next", "disabled")] is False

    def test_next_to_step_four_pins_rows_13_and_14(self):
        out, sent = run("lesson-next", {"open": True, "step": 3}, search=step_query(3, False))
        assert out[("lesson-state", "data")]["step"] == 4
        assert sent["merge-pins"] == {"data": [13, 14]}
        assert "Z[13] (red) is samples {33, 62, 68}" in str(out[("lesson-text", "children")])
        # same view as step 3: the address changes its step only, and no restore runs
        assert out[("view-query", "data")] == out[("url", "search")] == step_query(4, False)

    def test_steps_two_and_three_set_the_merge_step(self):
        _, sent = run("lesson-next", {"open": True, "step": 1})
        assert sent["merge-step"] == {"value": lesson.step(2).state["merge_step"]}
        _, sent = run("lesson-next", {"open": True, "step": 2})
        assert sent["merge-step"] == {"value": 13}
        _, sent = run("lesson-next", {"open": True, "step": 4})
        assert "merge-step" not in sent and sent["merge-pins"] == {"data": []}

    def test_back_and_next_stop_at_the_ends(self):
        out, _ = run("lesson-back", {"open": True, "step": 1})
        assert out[("lesson-state", "data")]["step"] == 1
        out, _ = run("lesson-next", {"open": True, "step": 13})
        assert out[("lesson-state", "data")]["step"] == 13
        assert out[("lesson-next", "disabled")] is True

    def test_each_step_sets_the_controls_the_address_does_not_hold(self):
        out, _ = run("lesson-next", {"open": True, "step": 6})
        assert out[("annotate-above", "value")] == 10
        out, _ = run("lesson-next", {"open": True, "step": 7}, annotate=10, depth=3)
        assert out[("annotate-above", "value")] is None
        assert out[("inconsistency-depth", "value")] == 5
        # a control already at the step's value is not set again (no extra redraw)
        out, _ = run("lesson-next", {"open": True, "step": 7}, annotate=None, depth=5)
        assert out[("annotate-above", "value")] is no_update
        assert out[("inconsistency-depth", "value")] is no_update
        out, _ = run("lesson-next", {"open": True, "step": 9})
        assert out[("lesson-table", "children")] is not None

    def test_a_move_asks_for_its_step_whatever_the_step_shown(self):
        # three quick clicks of Next from step 3, counted in the browser before any answer
        shown_state = {"open": True, "step": 3, "seq": 5, "steps": 13}
        out, _ = run("lesson-move", shown_state, target={"step": 6, "from": 5})
        assert out[("lesson-state", "data")]["step"] == 6
        assert out[("lesson-step", "children")].startswith("Step 6 of 13")
        out, _ = run("lesson-move", shown_state, target={"step": 40, "from": 5})
        assert out[("lesson-state", "data")]["step"] == 13

    def test_every_change_of_the_state_counts_one_more(self):
        state = None
        for trigger in ("lesson-open", "lesson-next", "lesson-next", "lesson-back"):
            out, _ = run(trigger, state)
            before = (state or {}).get("seq", 0)
            state = out[("lesson-state", "data")]
            assert state["seq"] == before + 1 and state["steps"] == lesson.N_STEPS
        assert state["step"] == 2
        out, _ = run("lesson-close", state)
        assert out[("lesson-state", "data")]["seq"] == state["seq"] + 1

    @pytest.mark.parametrize("target", [None, {}, {"step": "4"}, {"step": True}, [4]])
    def test_a_move_the_page_cannot_make_changes_nothing(self, target):
        with pytest.raises(PreventUpdate):
            move("lesson-move", {"open": True, "step": 3}, False, "", None, target=target)

    def test_leave_and_come_back_at_the_same_step(self):
        search = step_query(7, True)
        out, _ = run("lesson-close", {"open": True, "step": 7}, ["on"], search)
        assert out[("lesson", "hidden")] is True
        assert out[("lesson-state", "data")] == {
            "open": False,
            "step": 7,
            "panel": "dendrogram-card",
            "seq": 1,
            "steps": 13,
        }
        assert "step 7" in out[("lesson-open", "children")]
        left = dict(parse_qsl(out[("url", "search")][1:]))
        assert "lesson" not in left and left["present"] == "1"
        assert out[("view-query", "data")] == out[("url", "search")]  # leaving changes no view
        out, _ = run("lesson-open", out[("lesson-state", "data")], ["on"], out[("url", "search")])
        assert out[("lesson-state", "data")]["step"] == 7
        assert out[("url", "search")] == step_query(7, True)


class TestClassLink:
    def test_a_link_opens_its_step_in_its_own_state(self):
        link = "?src=tutorial-2-blobs&method=single&crit=distance&h=3&lesson=7&present=1"
        out, sent = run("address-at-load", at_load=link)
        assert out[("lesson-state", "data")]["step"] == 7
        assert out[("presentation-mode", "value")] == ["on"]
        assert out[("annotate-above", "value")] == 10
        # the view is the link's (restored by callbacks/share.py), not overwritten by the step's
        assert out[("url", "search")] is no_update
        assert sent["merge-pins"] == {"data": []}

    def test_present_alone(self):
        out, _ = run("address-at-load", at_load="?src=tutorial-2-blobs&present=1")
        assert shown(out) == {("presentation-mode", "value"): ["on"]}

    def test_a_plain_or_bad_link_leaves_the_lesson_alone(self):
        with pytest.raises(PreventUpdate):
            move("address-at-load", None, False, "", "?src=tutorial-2-blobs")
        with pytest.raises(PreventUpdate):  # the restore says what is wrong with it
            move("address-at-load", None, False, "", "?lesson=14")
        with pytest.raises(InputError, match="'lesson' must be from 1 to 13"):
            parse_view("?lesson=14")
        with pytest.raises(InputError, match="'present'"):
            parse_view("?present=yes")

    def test_the_address_keeps_the_step_and_presentation_mode(self):
        controls = {"source": "tutorial-2-blobs", "method": "ward", "metric": "euclidean"}
        pairs = lesson_pairs({"open": True, "step": 5}, ["on"])
        query = view_query(controls, None, None, None, pairs)
        assert query.endswith("&lesson=5&present=1")
        assert lesson_pairs({"open": False, "step": 5}, []) == ()

    def test_presentation_mode_goes_into_the_address(self):
        search = step_query(3, False)
        query, shown_query = presentation_in_address(["on"], {"open": True, "step": 3}, search)
        assert query == shown_query == step_query(3, True)
        query, _ = presentation_in_address([], {"open": True, "step": 3}, query)
        assert query == search
        with pytest.raises(PreventUpdate):
            presentation_in_address([], {"open": True, "step": 3}, search)


def test_a_lost_cut_is_sent_again_by_the_restore():
    """A step's cut applied while the page redraws can be overwritten; the restore resends it."""
    from callbacks.share import CONVERGED, RESEND_TICKS, continue_restore

    key = "k" * 64
    controls = restore_controls(
        "tutorial-2-blobs", method="ward", metric="euclidean", truncate_mode="none", p=12
    )
    clustering = {"key": key, "method": "ward", "metric": "euclidean", "optimal_order": False}
    cut = {"criterion": "distance", "height": 101.7, "k": 2, "clustering": clustering}
    view = parse_view(step_query(1, False))
    sent = {"cut-height.value": 50}
    height = 3 + CONVERGED.index(("cut-height", "value"))

    def tick(ticks):
        pending = {"view": view, "step": 3, "key": key, "n": 150, "sent": sent, "sent_at": 5}
        pending["ticks"] = ticks
        return continue_restore(1, pending, {"key": key}, cut, *controls.values(), [], "sid")

    assert tick(6)[height] is no_update  # its answer may still be on the way
    again = tick(5 + RESEND_TICKS)
    assert again[height] == 50 and again[0]["sent_at"] == 6 + RESEND_TICKS
