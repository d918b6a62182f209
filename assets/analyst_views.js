// The analyst's panels (clusters against known labels, cluster profiles, agreement per k;
// callbacks/agreement.py) are computed on the server after the cut changes. Until their answer
// arrives they are dimmed, so a table for the previous k never passes for the new one; the
// server's answer sets the class back.
(function (root) {
    "use strict";

    function analystStale() {
        return ["panel analyst-stale", "panel analyst-stale", "label-agreement-k analyst-stale"];
    }

    root.dash_clientside = Object.assign({}, root.dash_clientside);
    root.dash_clientside.hclust = Object.assign({}, root.dash_clientside.hclust, {
        analystStale: analystStale
    });
})(window);
