// A cut typed into the height or k field (or a k clicked in the elbow or quality plot), shown at once (issue 11: typed k -> scatter
// repainted). Enter, or Tab away, sends the field to the server (callbacks/cut.py), which
// answers the cut, its message and both figures; under a class's load that takes
// seconds. The page already holds the tree's top merges (the recolouring index), so
// both plots are recoloured and the line moved as soon as the field is left, in the
// colours the server's answer then draws (assets/cut_recolour.js). Anything the page
// cannot answer exactly as the server would (a k that ties make impossible, a k
// deeper than the index, a bad value, another criterion, snapping, a highlight) is
// left to the server alone.
//
// asksServer and typedHeight are pure (no DOM) and tested under Node (tests/js/typed_cut.test.js).
// Dash serves every assets/*.js as a classic script: this attaches itself to
// globalThis.hclustTypedCut, and to module.exports under Node.
(function (root) {
    "use strict";

    var FIELDS = {"cut-height": "height", "n-clusters": "k"};

    // The number a typed field sends (dcc.Input of type number), or null.
    function numberOf(text) {
        if (typeof text !== "string" || text.trim() === "") return null;
        var value = Number(text);
        return isFinite(value) ? value : null;
    }

    // Python's round(value, 6), as callbacks/cut.py shows a cut's height in its field.
    function round6(value) {
        return Math.abs(value) < 1e15 ? Number(value.toFixed(6)) : value;
    }

    // Whether the server acts on a field, as callbacks/cut.py typed_field decides: Enter
    // (`submit`) always asks for the field's value; leaving the field (`blur`) asks only
    // where the value is not what the committed cut shows (its k, its height to 6 places).
    function asksServer(how, field, text, cut) {
        if (how === "submit") return true;
        if (!cut) return true;
        var shown = field === "k" ? (cut.k === undefined ? null : cut.k)
            : (cut.height === null || cut.height === undefined ? null : round6(cut.height));
        return numberOf(text) !== shown;
    }

    // The cut height a typed value asks for, as callbacks/cut.py resolves it, or null.
    // `field` is "height" or "k"; `text` the field's value; `index` the decoded
    // recolouring index; `core` assets/cut_core.js.
    function typedHeight(field, text, index, core) {
        var value = numberOf(text);
        if (value === null || !index) return null;
        if (field === "k") return Number.isInteger(value) ? core.heightForK(index, value) : null;
        if (field === "height") return value >= 0 && core.canCut(index, value) ? value : null;
        return null;
    }

    // Enter (on keypress, as dcc.Input counts n_submit) or leaving the field.
    function onLeave(event) {
        var input = event.target, field = input && FIELDS[input.id];
        if (!field) return;
        if (event.type === "keypress" && (event.key !== "Enter" || event.isComposing)) return;
        var recolour = window.hclustRecolour, core = window.hclustCut;
        if (!recolour || !core || !recolour.state) return;
        var how = event.type === "keypress" ? "submit" : "blur";
        if (!asksServer(how, field, input.value, recolour.state.cut)) return;
        var h = typedHeight(field, input.value, recolour.state.index, core);
        if (h !== null) recolour.showCut(h);
    }

    if (typeof document !== "undefined") {
        document.addEventListener("keypress", onLeave, true);
        document.addEventListener("focusout", onLeave, true);
    }

    // The k of a clicked point in the elbow or quality plot (x is k), as callbacks/cut.py
    // k_from_click reads it, or null.
    function kOfClick(click) {
        var point = click && click.points && click.points[0];
        var k = point ? point.x : null;
        return typeof k === "number" && Number.isInteger(k) ? k : null;
    }

    if (typeof window !== "undefined") {
        window.dash_clientside = Object.assign({}, window.dash_clientside);
        window.dash_clientside.hclust = Object.assign({}, window.dash_clientside.hclust, {
            // A k clicked in the elbow or quality plot, shown at once as a typed k is.
            showClickedK: function (elbowClick, qualityClick) {
                var ctx = window.dash_clientside.callback_context;
                var click = ctx && ctx.triggered_id === "quality-graph" ? qualityClick : elbowClick;
                var recolour = window.hclustRecolour, core = window.hclustCut, k = kOfClick(click);
                if (k !== null && recolour && core && recolour.state && recolour.state.index) {
                    var h = core.heightForK(recolour.state.index, k);
                    if (h !== null) recolour.showCut(h);
                }
                return window.dash_clientside.no_update;
            },
        });
    }

    var api = {typedHeight: typedHeight, asksServer: asksServer, round6: round6, kOfClick: kOfClick};
    if (typeof module === "object" && module.exports) module.exports = api;
    root.hclustTypedCut = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
