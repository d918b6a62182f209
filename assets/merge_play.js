// Merges step by step: play, pause and each step of playing, in the browser
// (callbacks/merge_steps.py registers them). The button's two labels come from the
// layout (its data-play and data-pause attributes, components/merge_steps.py).
//
// The arithmetic is pure (no DOM) and tested under Node (tests/js/merge_play.test.js).
// Dash serves every assets/*.js as a classic script: this attaches itself to
// globalThis.hclustMergePlay, and to module.exports under Node.
(function (root) {
    "use strict";

    function whole(value) {
        return typeof value === "number" && isFinite(value) ? Math.max(0, Math.floor(value)) : 0;
    }

    // The Play/Pause button pressed: {paused, step}. Playing from the last merge starts
    // again from the first; `disabled` is the timer's (anything but false is paused).
    function togglePlay(disabled, step, last) {
        var paused = disabled !== false;
        step = whole(step);
        last = whole(last);
        if (!paused) return {paused: true, step: null};  // null: the step stays
        return {paused: false, step: step >= last ? 0 : null};
    }

    // One tick of the timer while playing: the next merge; at the last one, pause.
    // null when paused (a tick that fired as the pause was pressed).
    function playTick(disabled, step, last) {
        if (disabled !== false) return null;
        last = whole(last);
        var next = Math.min(whole(step) + 1, last);
        return {paused: next >= last, step: next};
    }

    var api = {togglePlay: togglePlay, playTick: playTick};
    if (typeof module === "object" && module.exports) module.exports = api;
    root.hclustMergePlay = api;
    if (typeof window === "undefined") return;

    function label(paused) {
        var button = document.getElementById("merge-play");
        var data = (button && button.dataset) || {};
        return paused ? data.play : data.pause;
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside);
    window.dash_clientside.hclust = Object.assign({}, window.dash_clientside.hclust, {
        togglePlay: function (_clicks, disabled, step, last) {
            var none = window.dash_clientside.no_update;
            var found = togglePlay(disabled, step, last);
            return [found.paused, label(found.paused) || none, found.step === null ? none : found.step];
        },
        playTick: function (_ticks, disabled, step, last) {
            var none = window.dash_clientside.no_update;
            var found = playTick(disabled, step, last);
            if (found === null) return [none, none, none];
            return [
                found.step,
                found.paused ? true : none,
                found.paused ? label(true) || none : none,
            ];
        },
    });
})(typeof globalThis !== "undefined" ? globalThis : this);
