// Answers the browser gives itself, without a request (issue #11: a dataset change was 31
// requests in six rounds, each round waiting for the last and queued at the server):
// - which options a source of data has (callbacks/data.py);
// - which metrics a method takes (callbacks/clustering.py restrict_metrics, from the rules the
//   layout holds: components/layout.py metric_rules);
// - the exercise's prompt when the step moves (callbacks/merge_steps.py predict);
// - the button that offers a random sample (callbacks/clustering.py).
//
// The functions are pure (no DOM) and tested under Node (tests/js/answered_here.test.js).
// Dash serves every assets/*.js as a classic script: this attaches itself to
// globalThis.hclustAnsweredHere, and to module.exports under Node.
(function (root) {
    "use strict";

    // Stands for Dash's no_update in the pure functions (Dash's own is only in the browser).
    var KEEP = {keep: true};
    var SHOWN = {}, HIDDEN = {display: "none"};
    // components/sources.py UPLOAD: the value of the dataset menu for the uploaded file
    var UPLOAD = "upload";

    // Column choices for files, settings for generators, nothing for presets: the styles of
    // upload-options, generator-options, gen-blobs-field and gen-shape-fields.
    function sourceOptionStyles(source) {
        var text = typeof source === "string" ? source : "";
        var isFile = text === UPLOAD || text.indexOf("bundled:") === 0;
        var isGenerator = text.indexOf("generate:") === 0;
        var isBlobs = text === "generate:blobs";
        return [
            isFile ? SHOWN : HIDDEN,
            isGenerator ? SHOWN : HIDDEN,
            isBlobs ? SHOWN : HIDDEN,
            isBlobs ? HIDDEN : SHOWN,
        ];
    }

    function whole(value) {
        return typeof value === "number" && isFinite(value) && value >= 0 && Math.floor(value) === value;
    }

    function grouped(n) {
        return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    }

    // The sample button's text and style for the server's offer ({rows, of}) or none.
    function sampleOfferButton(offer) {
        if (!offer || typeof offer !== "object" || !whole(offer.rows) || !whole(offer.of)) {
            return ["", HIDDEN];
        }
        return ["Cluster a random sample of " + grouped(offer.rows) + " of " + grouped(offer.of) + " rows", SHOWN];
    }

    // The metric menu for `method` and the metric kept (the first allowed one when the
    // metric shown is not allowed). `rules`: {metrics: [...], allowed: {method: [...]}}.
    function restrictMetrics(method, metric, rules) {
        var metrics = (rules && rules.metrics) || [];
        var allowed = (rules && rules.allowed && rules.allowed[method]) || metrics;
        var options = metrics.map(function (m) {
            return {label: m, value: m, disabled: allowed.indexOf(m) < 0};
        });
        return [options, allowed.indexOf(metric) >= 0 ? metric : allowed[0]];
    }

    // A moved step while the exercise runs asks for two new picks (callbacks/merge_steps.py
    // predict; the picks of another step count for nothing there). KEEP without the exercise.
    var NEW_PICKS = "Click a point of each of the two clusters you expect to merge next.";
    function verdictForStep(step, guess) {
        if (!guess || typeof guess !== "object" || !guess.active) return KEEP;
        return NEW_PICKS;
    }

    var api = {
        UPLOAD: UPLOAD,
        sourceOptionStyles: sourceOptionStyles,
        sampleOfferButton: sampleOfferButton,
        restrictMetrics: restrictMetrics,
        verdictForStep: verdictForStep,
        KEEP: KEEP,
        NEW_PICKS: NEW_PICKS,
    };
    if (typeof module === "object" && module.exports) module.exports = api;
    root.hclustAnsweredHere = api;
    if (typeof window === "undefined") return;

    window.dash_clientside = Object.assign({}, window.dash_clientside);
    window.dash_clientside.hclust = Object.assign({}, window.dash_clientside.hclust, {
        sourceOptionStyles: function (source) {
            return sourceOptionStyles(source);
        },
        sampleOfferButton: function (offer) {
            return sampleOfferButton(offer);
        },
        restrictMetrics: function (method, metric, rules) {
            return restrictMetrics(method, metric, rules);
        },
        verdictForStep: function (step, guess) {
            var verdict = verdictForStep(step, guess);
            return verdict === KEEP ? window.dash_clientside.no_update : verdict;
        },
    });
})(typeof globalThis !== "undefined" ? globalThis : this);
