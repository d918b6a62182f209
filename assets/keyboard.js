// The focused dendrogram by keyboard:
// - ↑ and ↓ move the cut to the next merge height. Each press adds ±1 to a
//   running total sent in the `cut-nudge` store; the server applies the
//   difference from the total it last applied, so presses that overtake each
//   other are never lost.
// - ← and → move across the drawn merges, left to right (top to bottom on a
//   sideways tree), showing each one's hover label; Enter chooses it, as a click
//   on it would (the server reads the dendrogram's clickData).
(function (root) {
    "use strict";

    // Pure: the merges in reading order along the leaf axis, lower merges first
    // where two share a position.
    function mergeOrder(positions, heights) {
        var order = [];
        for (var i = 0; i < positions.length; i++) {
            if (isFinite(positions[i]) && isFinite(heights[i])) order.push(i);
        }
        order.sort(function (a, b) { return positions[a] - positions[b] || heights[a] - heights[b] || a - b; });
        return order;
    }

    // Pure: the merge `delta` places from `current` (a point number) in `order`;
    // the first (→) or last (←) when none is chosen yet, and no further than the ends.
    function stepMerge(order, current, delta) {
        if (!order.length) return null;
        var at = order.indexOf(current);
        if (at < 0) return delta > 0 ? order[0] : order[order.length - 1];
        return order[Math.max(0, Math.min(order.length - 1, at + delta))];
    }

    var api = {mergeOrder: mergeOrder, stepMerge: stepMerge};
    if (typeof module === "object" && module.exports) module.exports = api;
    root.hclustKeys = api;
    if (typeof document === "undefined") return;

    var nudgeTotal = 0;
    var chosen = {trace: null, point: null};

    function merges(gd) {
        var trace = gd && gd._fullData && gd._fullData[0];
        return trace && trace.name === "merges" ? trace : null;
    }

    function announce(text) {
        var live = document.getElementById("merge-cursor");
        if (live) live.textContent = text;
    }

    document.addEventListener("keydown", function (event) {
        var card = document.getElementById("dendrogram-card");
        if (!card || !card.contains(document.activeElement) || !window.dash_clientside) return;
        if (event.key === "ArrowUp" || event.key === "ArrowDown") {
            event.preventDefault();
            nudgeTotal += event.key === "ArrowUp" ? 1 : -1;
            window.dash_clientside.set_props("cut-nudge", {data: {total: nudgeTotal}});
            return;
        }
        var gd = card.querySelector(".js-plotly-plot"), trace = merges(gd);
        if (!trace) return;
        if (chosen.trace !== trace) chosen = {trace: trace, point: null};  // a new drawing
        if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
            event.preventDefault();
            // a tree drawn sideways has its cut line across the whole height (yref paper)
            var line = gd._fullLayout.shapes && gd._fullLayout.shapes[0];
            var sideways = !!line && line.yref === "paper";
            var along = sideways ? trace.y : trace.x, height = sideways ? trace.x : trace.y;
            var order = mergeOrder(Array.from(along, Number), Array.from(height, Number));
            chosen.point = stepMerge(order, chosen.point, event.key === "ArrowRight" ? 1 : -1);
            if (chosen.point === null) return;
            if (window.Plotly && window.Plotly.Fx) window.Plotly.Fx.hover(gd, [{curveNumber: 0, pointNumber: chosen.point}]);
            var row = trace.customdata && trace.customdata[chosen.point];
            announce(row ? "Merge " + row[0] + " of " + row[3] + " samples. Enter shows it." : "");
        } else if (event.key === "Enter" && chosen.point !== null) {
            event.preventDefault();
            window.dash_clientside.set_props("dendrogram", {
                clickData: {points: [{curveNumber: 0, pointNumber: chosen.point}]},
            });
        }
    });
})(typeof globalThis !== "undefined" ? globalThis : this);
