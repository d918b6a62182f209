// Leaf labels that never overlap, whatever the page's real size and font.
// The server thins the dendrogram's leaf labels for an estimated plot size
// (components/figures.py, label_stride); the page may be wider or narrower, and
// presentation mode draws all text at 16 px or more. After each draw, this hides
// any label that would touch the one kept before it, in the order they are drawn.
(function (root) {
    "use strict";

    // Pure: which of the labels to keep. `spans` are [start, end] along the axis
    // (pixels, any order); `gap` the least free space between two kept labels.
    // Greedy from the first label: the same rule as every-k-th thinning when the
    // labels are evenly spaced and equally wide, and never an overlap.
    function keptLabels(spans, gap) {
        gap = gap || 0;
        var order = spans.map(function (_, i) { return i; }).filter(function (i) {
            return spans[i] && isFinite(spans[i][0]) && isFinite(spans[i][1]);
        });
        order.sort(function (a, b) { return Math.min.apply(null, spans[a]) - Math.min.apply(null, spans[b]); });
        var keep = spans.map(function () { return false; });
        var end = -Infinity;
        order.forEach(function (i) {
            var low = Math.min(spans[i][0], spans[i][1]), high = Math.max(spans[i][0], spans[i][1]);
            if (high - low <= 0) return;  // an empty label takes no room
            if (low >= end + gap) {
                keep[i] = true;
                end = high;
            }
        });
        return keep;
    }

    var api = {keptLabels: keptLabels};
    if (typeof module === "object" && module.exports) module.exports = api;
    root.hclustTicks = api;

    if (typeof document === "undefined") return;

    // Adapter: the dendrogram's leaf-axis tick labels as drawn.
    var GAP_PX = 2;
    function thin(gd) {
        var layout = gd._fullLayout;
        if (!layout) return;
        ["x", "y"].forEach(function (letter) {
            var axis = layout[letter + "axis"];
            if (!axis || axis.tickmode !== "array") return;  // the height axis has automatic ticks
            var labels = Array.prototype.slice.call(gd.querySelectorAll("g." + letter + "tick text"));
            labels.forEach(function (text) { text.style.display = ""; });
            var spans = labels.map(function (text) {
                var box = text.getBoundingClientRect();
                return letter === "x" ? [box.left, box.right] : [box.top, box.bottom];
            });
            var keep = keptLabels(spans, GAP_PX);
            labels.forEach(function (text, i) { if (!keep[i]) text.style.display = "none"; });
        });
    }

    function bind() {
        var gd = document.querySelector("#dendrogram .js-plotly-plot");
        if (!gd || gd.__hclustTicks || !gd.on) return;
        gd.__hclustTicks = true;
        gd.on("plotly_afterplot", function () { thin(gd); });
        thin(gd);
    }
    // the graph is created after the page loads, and again when Dash replaces it
    new MutationObserver(bind).observe(document.documentElement, {childList: true, subtree: true});
    // presentation mode changes the fonts without a redraw
    new MutationObserver(function () {
        var gd = document.querySelector("#dendrogram .js-plotly-plot");
        if (gd) thin(gd);
    }).observe(document.body || document.documentElement, {attributes: true, attributeFilter: ["class"]});
})(typeof globalThis !== "undefined" ? globalThis : this);
