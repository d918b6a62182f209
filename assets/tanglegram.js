// The tanglegram panel (callbacks/tanglegram.py) is drawn only while it is open: a cut
// reaches the server for it only then, so a closed panel costs no request per cut.
// (merged into the namespace: other assets add their own functions to it)
window.dash_clientside = Object.assign({}, window.dash_clientside);
window.dash_clientside.hclust = Object.assign({}, window.dash_clientside.hclust, {
    tanglegramTrigger: function (summaryClicks, colourMap) {
        // each click on the <summary> (mouse or keyboard) toggles the <details>, from closed
        if (typeof summaryClicks !== "number" || summaryClicks % 2 !== 1) {
            return window.dash_clientside.no_update;
        }
        return {clicks: summaryClicks, colourMap: colourMap || null};
    }
});
