// A cut typed into the height or k field, shown at once (issue 11: typed k -> scatter
// repainted). Enter, or Tab away, sends the field to the server (callbacks/cut.py), which
// answers the cut, its message and both figures; under a class's load that takes
// seconds. The page already holds the tree's top merges (the recolouring index), so
// both plots are recoloured and the line moved as soon as the field is left, in the
// colours the server's answer then draws (assets/cut_recolour.js). Anything the page
// cannot answer exactly as the server would (a k that ties make impossible, a k
// deeper than the index, a bad value, another criterion, snapping, a highlight) is
// left to the server alone.
//
// typedHeight is pure (no DOM) and tested under Node (tests/js/typed_cut.test.js).
// Dash serves every assets/*.js as a classic script: this attaches itself to
// globalThis.hclustTypedCut, and to module.exports under Node.
(function (root) {
    "use strict";

    var FIELDS = {"cut-height": "height", "n-clusters": "k"};

    // The cut height a typed value asks for, as callbacks/cut.py resolves it, or null.
    // `field` is "height" or "k"; `text` the field's value; `index` the decoded
    // recolouring index; `core` assets/cut_core.js.
    function typedHeight(field, text, index, core) {
        if (typeof text !== "string" || text.trim() === "" || !index) return null;
        var value = Number(text);
        if (!isFinite(value)) return null;
        if (field === "k") return Number.isInteger(value) ? core.heightForK(index, value) : null;
        if (field === "height") return value >= 0 && core.canCut(index, value) ? value : null;
        return null;
    }

    // Enter asks for the field's value; leaving the field asks only for a value
    // typed since it was entered (the server asks where the field no longer shows
    // the cut: an unchanged field shows it).
    function onLeave(event) {
        var input = event.target, field = input && FIELDS[input.id];
        if (!field) return;
        if (event.type === "focusin") {
            input.__hclustEntered = input.value;
            return;
        }
        if (event.type === "keydown" && event.key !== "Enter") return;
        if (event.type === "focusout" && (input.value === input.__hclustEntered || input.value === input.__hclustShown)) return;
        var recolour = window.hclustRecolour, core = window.hclustCut;
        if (!recolour || !core || !recolour.state) return;
        var h = typedHeight(field, input.value, recolour.state.index, core);
        if (h !== null && recolour.showCut(h)) input.__hclustShown = input.value;
    }

    if (typeof document !== "undefined") {
        document.addEventListener("focusin", onLeave, true);
        document.addEventListener("keydown", onLeave, true);
        document.addEventListener("focusout", onLeave, true);
    }

    var api = {typedHeight: typedHeight};
    if (typeof module === "object" && module.exports) module.exports = api;
    root.hclustTypedCut = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
