// The clustergram says when it is out of date (issue 15 §1; honest views, issue 12 §3).
//
// It is redrawn only after the dendrogram and scatter have drawn a new cut,
// highlight or branch (it listens to their colour map), so for a moment it can
// show the previous one. The server records what each heatmap was drawn for
// (the clustergram-view store's "drawn"); while the page's choices differ from
// it, the card is dimmed. clustergramStale is pure, for Node; the adapter below
// is the only part that touches Dash.
(function (root) {
    "use strict";

    // JSON with object keys sorted, so the same value always reads the same
    function canonical(value) {
        if (value === undefined || value === null) return "null";
        if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
        if (typeof value === "object") {
            return "{" + Object.keys(value).sort().map(function (key) {
                return JSON.stringify(key) + ":" + canonical(value[key]);
            }).join(",") + "}";
        }
        return JSON.stringify(value);
    }

    // drawn: what the shown heatmap was drawn for (or null before the first);
    // current: the same fields as the page holds them now
    function clustergramStale(drawn, current) {
        return !drawn || canonical(drawn) !== canonical(current);
    }

    function clustergramClass(cut, highlight, focus, scale, columns, truncateMode, p, view) {
        var current = {cut: cut, highlight: highlight, focus: focus, scale: scale, columns: columns,
                       truncate_mode: truncateMode, p: p};
        var stale = clustergramStale(view && view.drawn, current);
        return "plot-card clustergram-card" + (stale ? " stale" : "");
    }

    var api = {canonical: canonical, clustergramStale: clustergramStale, clustergramClass: clustergramClass};
    if (typeof module === "object" && module.exports) module.exports = api;
    if (root) {
        root.dash_clientside = Object.assign({}, root.dash_clientside);
        root.dash_clientside.hclust = Object.assign({}, root.dash_clientside.hclust, {
            clustergramClass: clustergramClass
        });
    }
})(typeof window !== "undefined" ? window : null);
