// The dendrogram's relayouts, split by intent (callbacks/relayout.py registers it), and its
// zoom below the cut (callbacks/merge_steps.py).
//
// plotly reports every draw, zoom, pan and drag of the cut line in one
// `relayoutData`. A server callback taking it as an input must answer "no
// change" to the relayouts that are not its own, and Dash then drops the
// superseded real answer of that callback (plotly/dash#1861). So the browser
// splits it here, at no cost, into two stores, each written only for its own event:
// - `cut-drag`: the dragged line's height, with a sequence number so that the
//   same height twice is two events (where plotly drags the line; a drop this page
//   drags itself, assets/cut_recolour.js writes it directly, so that a zoom right
//   after it cannot overwrite the drop in `relayoutData`);
// - `dendrogram-leaf-zoom`: the leaf axis's new range, or "out" (autorange, as
//   a double-click or the home button gives); the y axis for a sideways tree.
//
// The arithmetic is pure (no DOM, no plotly) and tested under Node (tests/js/).
// Dash serves every assets/*.js as a classic script: this attaches itself to
// globalThis.hclustRelayout, and to module.exports under Node.
(function (root) {
    "use strict";

    function isNumber(value) {
        return typeof value === "number" && isFinite(value);
    }

    // A tree hanging from the top or bottom has its leaves along x; a sideways one along y.
    function sideways(orientation) {
        return orientation === "left" || orientation === "right";
    }

    // The cut height after a drag of shapes[0], or null for any other relayout.
    // The line is horizontal (y) when the tree hangs from the top or bottom and
    // vertical (x) when it grows from the left or right.
    function heightFromRelayout(relayout, orientation) {
        if (!relayout || typeof relayout !== "object") return null;
        var axis = sideways(orientation) ? "x" : "y";
        var ends = [relayout["shapes[0]." + axis + "0"], relayout["shapes[0]." + axis + "1"]].filter(isNumber);
        if (!ends.length) return null;
        return ends.reduce(function (a, b) { return a + b; }, 0) / ends.length;
    }

    // The leaf axis's new range, [low, high], or null. plotly writes a zoom or pan
    // as `xaxis.range[0]` and `xaxis.range[1]`, and a reset to the graph's first
    // ranges as `xaxis.range: [a, b]`; anything but two finite numbers is null.
    function leafAxisRange(relayout, orientation) {
        if (!relayout || typeof relayout !== "object") return null;
        var axis = sideways(orientation) ? "yaxis" : "xaxis";
        var ends = [relayout[axis + ".range[0]"], relayout[axis + ".range[1]"]];
        var whole = relayout[axis + ".range"];
        if (ends[0] == null && ends[1] == null && Array.isArray(whole) && whole.length === 2) {
            ends = whole;
        }
        if (!isNumber(ends[0]) || !isNumber(ends[1])) return null;
        return [Math.min(ends[0], ends[1]), Math.max(ends[0], ends[1])];
    }

    // A double-click or the home button: the leaf axis returns to autorange.
    function isZoomOut(relayout, orientation) {
        if (!relayout || typeof relayout !== "object") return false;
        var axis = sideways(orientation) ? "yaxis" : "xaxis";
        return relayout[axis + ".autorange"] === true;
    }

    // What one relayout means: {drag, zoom}, each null when the relayout is not that.
    // `previousDrag` is the cut-drag store's current value, whose sequence goes on.
    function splitRelayout(relayout, orientation, previousDrag) {
        var height = heightFromRelayout(relayout, orientation);
        var seq = previousDrag && isNumber(previousDrag.seq) ? previousDrag.seq : 0;
        var zoom = null;
        if (isZoomOut(relayout, orientation)) {
            zoom = {range: "out"};
        } else {
            var range = leafAxisRange(relayout, orientation);
            if (range !== null) zoom = {range: range};
        }
        return {drag: height === null ? null : {height: height, seq: seq + 1}, zoom: zoom};
    }

    // "Zoom below the cut" shows heights up to this many times the cut's.
    var ZOOM_ABOVE_CUT = 1.15;

    function assign(location, value) {
        return {operation: "Assign", location: location, params: {value: value}};
    }

    // The dendrogram's height axis focused on the clusters below the cut, or the whole height
    // again: a Dash patch of the figure (the form dash.Patch sends), or null for no change.
    // `byToggle`: the zoom box was just (un)ticked; otherwise a redraw, which already shows
    // the whole height unless the zoom is on.
    function zoomBelowCut(zoom, height, orientation, byToggle) {
        var below = Array.isArray(zoom) && zoom.indexOf("below") >= 0 && isNumber(height) && height > 0;
        if (!below && !byToggle) return null;
        var reversed = orientation === "bottom" || orientation === "left";
        var axis = sideways(orientation) ? "xaxis" : "yaxis";
        var operations;
        if (below) {
            var upper = height * ZOOM_ABOVE_CUT;
            operations = [
                assign(["layout", axis, "range"], reversed ? [upper, 0] : [0, upper]),
                assign(["layout", axis, "autorange"], false),
            ];
        } else {
            operations = [assign(["layout", axis, "autorange"], reversed ? "reversed" : true)];
        }
        return {__dash_patch_update: "__dash_patch_update", operations: operations};
    }

    var api = {
        zoomBelowCut: zoomBelowCut,
        heightFromRelayout: heightFromRelayout,
        leafAxisRange: leafAxisRange,
        isZoomOut: isZoomOut,
        splitRelayout: splitRelayout,
    };
    if (typeof module === "object" && module.exports) module.exports = api;
    root.hclustRelayout = api;
    if (typeof window === "undefined") return;

    window.dash_clientside = Object.assign({}, window.dash_clientside);
    window.dash_clientside.hclust = Object.assign({}, window.dash_clientside.hclust, {
        // Writes only the store whose event this is: the other keeps its value.
        splitRelayout: function (relayout, orientation, previousDrag) {
            var none = window.dash_clientside.no_update;
            var found = splitRelayout(relayout, orientation, previousDrag);
            return [found.drag || none, found.zoom || none];
        },
        zoomBelowCut: function (zoom, _redrawn, cut, orientation) {
            var context = window.dash_clientside.callback_context;
            var byToggle = Boolean(context) && context.triggered_id === "dendrogram-zoom";
            var patch = zoomBelowCut(zoom, cut ? cut.height : null, orientation, byToggle);
            return patch === null ? window.dash_clientside.no_update : patch;
        },
    });
})(typeof globalThis !== "undefined" ? globalThis : this);
