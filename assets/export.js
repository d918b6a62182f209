// Export a plot as SVG (vector) or PNG at 3x scale, keeping its title, axis
// labels and legend: the figure is exported as drawn.
// (merged into the namespace: other assets add their own functions to it)
window.dash_clientside = Object.assign({}, window.dash_clientside);
window.dash_clientside.hclust = Object.assign({}, window.dash_clientside.hclust, {
        exportImages: function (svgClicks, pngClicks) {
            var triggered = window.dash_clientside.callback_context.triggered[0];
            if (!triggered) {
                return window.dash_clientside.no_update;
            }
            var id = triggered.prop_id.split(".")[0];           // export-<graph>-<format>
            var parts = id.split("-");
            var format = parts.pop();
            var graphId = parts.slice(1).join("-");
            var gd = document.querySelector("#" + graphId + " .js-plotly-plot");
            if (!gd || !window.Plotly) {
                return window.dash_clientside.no_update;
            }
            window.Plotly.downloadImage(gd, {
                format: format, scale: format === "png" ? 3 : 1,
                width: gd.offsetWidth, height: gd.offsetHeight, filename: graphId
            });
            return {format: format, at: Date.now()};
        }
});
