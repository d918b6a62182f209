// The lesson's Next and Back (callbacks/lesson.py): which step a click asks for, counted in
// the browser. The server's answer to a click can arrive after the next click: counted from
// the step the page shows, two quick clicks asked twice for the same step, and one was lost
// (and Dash drops the earlier of two answers of one callback, plotly/dash#1861). A move
// remembers the `seq` of the lesson state it was made from; while that state has not changed
// (its answer has not arrived), the next click counts from the move instead.
//
// The arithmetic is pure (no DOM) and tested under Node (tests/js/lesson_move.test.js).
// Dash serves every assets/*.js as a classic script: this attaches itself to
// globalThis.hclustLessonMove, and to module.exports under Node.
(function (root) {
    "use strict";

    function whole(value, fallback) {
        return typeof value === "number" && isFinite(value) ? Math.floor(value) : fallback;
    }

    // The move a click of Next (+1) or Back (-1) makes: {step, from}. `state` is the lesson
    // state the page shows ({step, seq, steps}); `move` the last move made, or null.
    function nextMove(direction, state, move) {
        state = state || {};
        var steps = Math.max(1, whole(state.steps, 1));
        var seq = whole(state.seq, 0);
        var pending = !!move && whole(move.from, -1) === seq;
        var base = pending ? whole(move.step, 1) : whole(state.step, 1);
        var step = Math.min(Math.max(base + (direction < 0 ? -1 : 1), 1), steps);
        return {step: step, from: seq};
    }

    var api = {nextMove: nextMove};
    if (typeof module === "object" && module.exports) module.exports = api;
    root.hclustLessonMove = api;
    if (typeof window === "undefined") return;

    window.dash_clientside = Object.assign({}, window.dash_clientside);
    window.dash_clientside.hclust = Object.assign({}, window.dash_clientside.hclust, {
        lessonMove: function (_next, _back, state, move) {
            var ctx = window.dash_clientside.callback_context;
            var back = ctx && ctx.triggered_id === "lesson-back";
            return nextMove(back ? -1 : 1, state, move);
        },
    });
})(typeof globalThis !== "undefined" ? globalThis : this);
