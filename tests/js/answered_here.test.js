// assets/answered_here.js: answers the browser gives itself, without a request (#11).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {
    UPLOAD,
    KEEP,
    NEW_PICKS,
    sourceOptionStyles,
    sampleOfferButton,
    restrictMetrics,
    verdictForStep,
} = require(
    "../../assets/answered_here.js",
);

const SHOWN = {}, HIDDEN = {display: "none"};

test("each source shows its own options (the cases of callbacks/data.py's tests)", () => {
    const cases = [
        ["tutorial-2-blobs", [HIDDEN, HIDDEN, HIDDEN, SHOWN]],
        ["bundled:iris", [SHOWN, HIDDEN, HIDDEN, SHOWN]],
        [UPLOAD, [SHOWN, HIDDEN, HIDDEN, SHOWN]],
        ["generate:blobs", [HIDDEN, SHOWN, SHOWN, HIDDEN]],
        ["generate:moons", [HIDDEN, SHOWN, HIDDEN, SHOWN]],
        [null, [HIDDEN, HIDDEN, HIDDEN, SHOWN]],
        [["bundled:iris"], [HIDDEN, HIDDEN, HIDDEN, SHOWN]],
    ];
    for (const [source, expected] of cases) {
        assert.deepEqual(sourceOptionStyles(source), expected, String(source));
    }
});

test("the sample button says the server's offer, with thousands grouped", () => {
    assert.deepEqual(sampleOfferButton({rows: 12300, of: 1234567}), [
        "Cluster a random sample of 12,300 of 1,234,567 rows",
        SHOWN,
    ]);
    assert.deepEqual(sampleOfferButton({rows: 500, of: 900}), [
        "Cluster a random sample of 500 of 900 rows",
        SHOWN,
    ]);
});

test("no offer, or a broken one, hides the button", () => {
    for (const offer of [null, undefined, {}, {rows: "12", of: 30}, {rows: 1.5, of: 3}, [1, 2]]) {
        assert.deepEqual(sampleOfferButton(offer), ["", HIDDEN]);
    }
});

// components/layout.py metric_rules(): every metric, and those each method takes
const METRICS = ["euclidean", "sqeuclidean", "cityblock", "cosine", "correlation", "chebyshev"];
const RULES = {
    metrics: METRICS,
    allowed: {average: METRICS, single: METRICS, ward: ["euclidean"], centroid: ["euclidean"]},
};

test("a euclidean-only method disables the other metrics and moves to euclidean", () => {
    const [options, value] = restrictMetrics("ward", "cosine", RULES);
    assert.equal(value, "euclidean");
    assert.deepEqual(options.map((o) => o.value), METRICS);
    assert.deepEqual(options.filter((o) => !o.disabled).map((o) => o.value), ["euclidean"]);
    assert.deepEqual(options[0], {label: "euclidean", value: "euclidean", disabled: false});
});

test("other methods keep the metric and offer every one", () => {
    const [options, value] = restrictMetrics("average", "cosine", RULES);
    assert.equal(value, "cosine");
    assert.ok(options.every((o) => !o.disabled));
});

test("an unknown method offers every metric (the server refuses it when clustering)", () => {
    const [options, value] = restrictMetrics("nonsense", "cosine", RULES);
    assert.equal(value, "cosine");
    assert.equal(options.length, METRICS.length);
});

test("a moved step asks for new picks while the exercise runs, and for nothing without it", () => {
    assert.equal(verdictForStep(4, {active: true, step: 3, picks: [12]}), NEW_PICKS);
    assert.equal(verdictForStep(4, {active: false}), KEEP);
    assert.equal(verdictForStep(4, null), KEEP);
    assert.equal(verdictForStep(4, undefined), KEEP);
});
