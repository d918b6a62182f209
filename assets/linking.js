// Browser-side linking that needs no server round trip:
// - hovering a leaf of the dendrogram shows that sample's point in the scatter;
// - a click on empty space in either plot clears every highlight.
(function () {
    function graph(id) {
        return document.querySelector("#" + id + " .js-plotly-plot");
    }

    function clearHighlight() {
        if (window.dash_clientside) {
            window.dash_clientside.set_props("highlight", {data: null});
        }
    }

    function bindEmptyClick(gd) {
        var down = null;
        var hitPoint = false;
        gd.on("plotly_click", function () { hitPoint = true; });
        gd.addEventListener("mousedown", function (event) {
            down = {x: event.clientX, y: event.clientY};
            hitPoint = false;
        });
        gd.addEventListener("mouseup", function (event) {
            if (!down || Math.abs(event.clientX - down.x) > 3 || Math.abs(event.clientY - down.y) > 3) {
                return;  // a drag (zoom, pan, the cut line), not a click
            }
            var onPlot = event.target.classList && event.target.classList.contains("nsewdrag");
            setTimeout(function () {
                if (onPlot && !hitPoint) {
                    clearHighlight();
                }
            }, 120);
        });
    }

    // The scatter has one trace per colour; each point's customdata is its sample.
    function pointOfSample(scatter, sample) {
        var traces = scatter._fullData || [];
        for (var curve = 0; curve < traces.length; curve++) {
            var customdata = traces[curve].customdata || [];
            for (var j = 0; j < customdata.length; j++) {
                if (Number(customdata[j]) === sample) {
                    return {curveNumber: curve, pointNumber: j};
                }
            }
        }
        return null;
    }

    function bindLeafHover(dendrogram) {
        dendrogram.on("plotly_hover", function (event) {
            var point = event.points && event.points[0];
            var scatter = graph("scatter");
            if (!point || point.data.name !== "leaves" || !scatter || !window.Plotly) {
                return;
            }
            var found = pointOfSample(scatter, point.customdata);
            if (found) {
                window.Plotly.Fx.hover(scatter, [found]);
            }
        });
        dendrogram.on("plotly_unhover", function () {
            var scatter = graph("scatter");
            if (scatter && window.Plotly) {
                window.Plotly.Fx.unhover(scatter);
            }
        });
    }

    // A scatter selection as dcc.Graph reports it, with each point's sample
    // (its customdata, which dcc.Graph leaves out when it is a typed array).
    window.dash_clientside = Object.assign({}, window.dash_clientside);
    window.dash_clientside.hclust = Object.assign({}, window.dash_clientside.hclust, {
        // A new cut with a highlight on screen: ask the server to clear it (a count, so the
        // same request twice is two events); without one, nothing to ask.
        cutClearsHighlight: function (cut, highlight, count) {
            if (highlight === null || highlight === undefined) {
                return window.dash_clientside.no_update;
            }
            return (typeof count === "number" ? count : 0) + 1;
        },
        samplesOfSelection: function (selected) {
            var scatter = graph("scatter");
            if (!selected) return null;
            var traces = (scatter && scatter._fullData) || [];
            return {points: (selected.points || []).map(function (point) {
                var trace = traces[point.curveNumber], data = trace && trace.customdata;
                var sample = data && typeof point.pointNumber === "number" ? Number(data[point.pointNumber]) : null;
                return {curveNumber: point.curveNumber, pointNumber: point.pointNumber, customdata: sample};
            })};
        },
    });

    // dcc.Graph draws asynchronously; bind each plot once, when it exists.
    setInterval(function () {
        ["dendrogram", "scatter"].forEach(function (id) {
            var gd = graph(id);
            if (gd && gd.on && !gd.__hclustBound) {
                gd.__hclustBound = true;
                bindEmptyClick(gd);
                if (id === "dendrogram") {
                    bindLeafHover(gd);
                }
            }
        });
    }, 500);
})();
