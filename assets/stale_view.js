// A view never shows a result for other settings (issue 12 §3).
//
// The page compares what is selected (dataset, data options, method, metric,
// leaf ordering) with what the plots were drawn from: the data-version store
// (the data the server loaded, and the options it was loaded with) and the cut
// store's clustering (the result the figures are drawn from). While they
// differ, the plots and diagnostics are dimmed under an overlay. A refused
// request puts the method, metric and ordering back to what the plots show.
//
// staleState is pure (no DOM, no Dash) so that Node can test it; the Dash
// adapter below is the only part that touches the page.
(function (root) {
    "use strict";

    var COMPUTING = "computing…";
    var NOT_LOADED = "Not loaded: the plots still show the data loaded before (see the message under the dataset).";
    var NOT_COMPUTED = "Not computed: the plots still show the previous result (see the message above).";
    // Choices a person makes: after one of them, a new answer is on its way.
    var CHOICES = ["dataset", "feature-columns", "label-column", "as-distance-matrix", "scaling",
                   "missing-values", "method", "metric", "optimal-order", "data-version", "table-version"];

    function json(value) {
        return JSON.stringify(value === undefined ? null : value);
    }

    function refused(status) {
        return typeof status === "string" && status.indexOf("⚠") === 0;
    }

    // inputs: {source, dataSettings, tableVersion, dataVersion, method, metric, optimal,
    //          shown (the clustering the plots are drawn from), clusteringStatus, dataStatus,
    //          triggered (ids of the inputs that changed)}
    // returns {stale, overlay (null: keep the current text), reset (null, or the shown choices)}
    function staleState(inputs) {
        var dv = inputs.dataVersion, shown = inputs.shown;
        var triggered = inputs.triggered || [];
        var dataStale = !dv || dv.source !== inputs.source
            || (dv.settings !== undefined && json(dv.settings) !== json(inputs.dataSettings))
            || (dv.source === "upload" && json(dv.table) !== json(inputs.tableVersion));
        var methodStale = !shown || shown.method !== inputs.method || shown.metric !== inputs.metric
            || Boolean(shown.optimal_order) !== Boolean(inputs.optimal);
        var resultStale = !shown || !dv || shown.key !== dv.key || methodStale;
        var byStatus = triggered.indexOf("clustering-status") !== -1;
        if (byStatus && refused(inputs.clusteringStatus) && !dataStale && shown && dv
                && shown.key === dv.key && methodStale) {
            // the choice was refused: the controls go back to what the plots show
            return {
                stale: false,
                overlay: null,
                reset: {method: shown.method, metric: shown.metric, optimal: Boolean(shown.optimal_order)}
            };
        }
        var stale = dataStale || resultStale;
        var overlay = null;
        if (!stale) {
            overlay = "";
        } else if (dataStale && refused(inputs.dataStatus)) {
            overlay = NOT_LOADED;
        } else if (byStatus && refused(inputs.clusteringStatus)) {
            overlay = NOT_COMPUTED;
        } else if (triggered.some(function (id) { return CHOICES.indexOf(id) !== -1; }) || !dv) {
            overlay = COMPUTING;
        }
        return {stale: stale, overlay: overlay, reset: null};
    }

    var api = {staleState: staleState, COMPUTING: COMPUTING, NOT_LOADED: NOT_LOADED, NOT_COMPUTED: NOT_COMPUTED};
    if (typeof module !== "undefined" && module.exports) {
        module.exports = api;
    }
    if (!root) {
        return;
    }

    // ---------------------------------------------------------------- the Dash adapter
    // Every callback of callbacks/stale_view.py calls this one function; it reads its
    // inputs and states by id, whichever of them triggered it.
    // Each call gives a verdict; an undim waiting for the redraws is dropped if a newer one came.
    var verdicts = 0;

    function afterRedraws(fn) {
        // a task later (Dash has handed the answer to its graphs by then), once the redraws
        // the page has queued have run
        root.setTimeout(function () {
            var react = root.Plotly && root.Plotly.react;
            (react && react.idle ? react.idle() : Promise.resolve()).then(fn);
        }, 0);
    }

    function staleView() {
        var clientside = root.dash_clientside;
        var context = clientside.callback_context;
        var v = Object.assign({}, context.states || {}, context.inputs || {});
        var triggered = (context.triggered || []).map(function (t) {
            return t.prop_id.split(".")[0];
        });
        var optimal = v["optimal-order.value"];
        var cut = v["cut.data"];
        var state = staleState({
            source: v["dataset.value"],
            dataSettings: [v["feature-columns.value"], v["label-column.value"], v["scaling.value"],
                           v["missing-values.value"], v["as-distance-matrix.value"]],
            tableVersion: v["table-version.data"],
            method: v["method.value"],
            metric: v["metric.value"],
            optimal: Array.isArray(optimal) && optimal.length > 0,
            dataVersion: v["data-version.data"],
            shown: cut && cut.clustering,
            clusteringStatus: v["clustering-status.children"],
            dataStatus: v["data-status.children"],
            triggered: triggered
        });
        if (state.reset) {
            clientside.set_props("method", {value: state.reset.method});
            clientside.set_props("metric", {value: state.reset.metric});
            clientside.set_props("optimal-order", {value: state.reset.optimal ? ["on"] : []});
        }
        // Only what changes is sent: a re-render of the plots' container during a drag costs frames.
        var same = function (id, prop, value) {
            var element = root.document.getElementById(id);
            return element && element[prop] === value;
        };
        var keep = function (id, prop, value) {
            return value === null || same(id, prop, value) ? clientside.no_update : value;
        };
        var verdict = ++verdicts;
        if (!state.stale) {
            // Undimmed once the plots show the new result: a figure's redraw may wait its turn
            // (assets/redraw_queue.js) after its prop, which triggered this, has changed.
            afterRedraws(function () {
                if (verdict !== verdicts) return;  // a newer verdict was given meanwhile
                var undimmed = {
                    "plots": {className: keep("plots", "className", "plots")},
                    "diagnostics": {className: keep("diagnostics", "className", "diagnostics")},
                    "plots-overlay": {children: keep("plots-overlay", "textContent", state.overlay)},
                    "diagnostics-overlay": {
                        children: keep("diagnostics-overlay", "textContent", state.overlay)
                    }
                };
                Object.keys(undimmed).forEach(function (id) {
                    var props = undimmed[id], prop = Object.keys(props)[0];
                    if (props[prop] !== clientside.no_update) clientside.set_props(id, props);
                });
            });
            return [clientside.no_update, clientside.no_update, clientside.no_update,
                    clientside.no_update];
        }
        return [
            keep("plots", "className", state.stale ? "plots stale" : "plots"),
            keep("diagnostics", "className", state.stale ? "diagnostics stale" : "diagnostics"),
            keep("plots-overlay", "textContent", state.overlay),
            keep("diagnostics-overlay", "textContent", state.overlay)
        ];
    }

    root.dash_clientside = Object.assign({}, root.dash_clientside);
    root.dash_clientside.hclust = Object.assign({}, root.dash_clientside.hclust, {
        staleView: staleView
    });
})(typeof window !== "undefined" ? window : null);
