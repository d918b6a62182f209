// assets/relayout.js: the dendrogram's relayouts split into a dragged cut and a zoom.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {heightFromRelayout, leafAxisRange, isZoomOut, splitRelayout} = require("../../assets/relayout.js");

test("a dragged line's height is the mean of its ends on the height axis", () => {
    assert.equal(heightFromRelayout({"shapes[0].y0": 16, "shapes[0].y1": 16}), 16);
    assert.equal(heightFromRelayout({"shapes[0].y0": 15.0, "shapes[0].y1": 17.0, "shapes[0].x0": 0}), 16);
    assert.equal(heightFromRelayout({"shapes[0].y1": 3.5}), 3.5);  // one end
});

test("a sideways tree's line is read along x", () => {
    assert.equal(heightFromRelayout({"shapes[0].x0": 12, "shapes[0].x1": 12}, "left"), 12);
    assert.equal(heightFromRelayout({"shapes[0].x0": 12, "shapes[0].x1": 12}, "right"), 12);
    assert.equal(heightFromRelayout({"shapes[0].y0": 12, "shapes[0].y1": 12}, "left"), null);
    assert.equal(heightFromRelayout({"shapes[0].y0": 12, "shapes[0].y1": 12}, "bottom"), 12);
});

test("anything else is no height", () => {
    for (const relayout of [null, undefined, {}, {"xaxis.range[0]": 1, "xaxis.range[1]": 4}, {autosize: true},
        {"shapes[0].y0": "16"}, {"shapes[0].y0": true}, {"shapes[0].y0": null}, {"shapes[0].y0": Infinity}, "x"]) {
        assert.equal(heightFromRelayout(relayout, "top"), null, JSON.stringify(relayout));
    }
});

test("a zoom or pan of the leaf axis, in either order, and plotly's reset form", () => {
    assert.deepEqual(leafAxisRange({"xaxis.range[0]": 2, "xaxis.range[1]": 40}), [2, 40]);
    assert.deepEqual(leafAxisRange({"xaxis.range[0]": 40, "xaxis.range[1]": 2}), [2, 40]);
    assert.deepEqual(leafAxisRange({"xaxis.range": [0, 1500], "yaxis.range": [0, 190.5]}), [0, 1500]);
    // the height axis alone is no zoom of the leaves
    assert.equal(leafAxisRange({"yaxis.range[0]": 0, "yaxis.range[1]": 50}, "top"), null);
});

test("a sideways tree's leaves are along y", () => {
    const zoom = {"yaxis.range[0]": 5, "yaxis.range[1]": 9};
    assert.deepEqual(leafAxisRange(zoom, "left"), [5, 9]);
    assert.deepEqual(leafAxisRange(zoom, "right"), [5, 9]);
    assert.equal(leafAxisRange(zoom, "top"), null);
    assert.equal(leafAxisRange({"xaxis.range[0]": 5, "xaxis.range[1]": 9}, "left"), null);
});

test("a range of anything but two finite numbers is none", () => {
    for (const relayout of [null, {}, {"xaxis.autorange": true}, {"xaxis.range[0]": "a", "xaxis.range[1]": 5},
        {"xaxis.range[0]": 1}, {"xaxis.range[0]": 1, "xaxis.range[1]": Infinity},
        {"xaxis.range[0]": true, "xaxis.range[1]": 5}, {"xaxis.range": [1]}, {"xaxis.range": [1, "b"]},
        {"xaxis.range": "0,5"}]) {
        assert.equal(leafAxisRange(relayout, "top"), null, JSON.stringify(relayout));
    }
});

test("a zoom out is the leaf axis back to autorange", () => {
    const cases = [
        [{"xaxis.autorange": true}, "top", true],
        [{"xaxis.autorange": true, "yaxis.autorange": true}, "bottom", true],
        [{"yaxis.autorange": true}, "left", true],
        [{"xaxis.autorange": true}, "right", false],
        [{"yaxis.autorange": true}, "top", false],
        [{"xaxis.range[0]": 0, "xaxis.range[1]": 50}, "top", false],
        [{"xaxis.autorange": "true"}, "top", false],
        [{}, "top", false],
        [null, "top", false],
    ];
    for (const [relayout, orientation, expected] of cases) {
        assert.equal(isZoomOut(relayout, orientation), expected, JSON.stringify([relayout, orientation]));
    }
});

test("each relayout goes to its own store, and only there", () => {
    assert.deepEqual(splitRelayout({"shapes[0].y0": 16, "shapes[0].y1": 16}, "top", null),
        {drag: {height: 16, seq: 1}, zoom: null});
    assert.deepEqual(splitRelayout({"xaxis.range[0]": 3, "xaxis.range[1]": 1}, "top", {height: 16, seq: 4}),
        {drag: null, zoom: {range: [1, 3]}});
    assert.deepEqual(splitRelayout({"xaxis.autorange": true, "yaxis.autorange": true}, "top", null),
        {drag: null, zoom: {range: "out"}});
    // plotly's autosize as each new figure is drawn, and a pan of the height axis: neither
    assert.deepEqual(splitRelayout({autosize: true}, "top", null), {drag: null, zoom: null});
    assert.deepEqual(splitRelayout({"yaxis.range[0]": 0, "yaxis.range[1]": 9}, "top", null), {drag: null, zoom: null});
});

test("the same height dragged twice is two events", () => {
    const relayout = {"shapes[0].y0": 16, "shapes[0].y1": 16};
    const first = splitRelayout(relayout, "top", null).drag;
    const second = splitRelayout(relayout, "top", first).drag;
    assert.equal(first.height, second.height);
    assert.notDeepEqual(first, second);
    assert.equal(second.seq, first.seq + 1);
    // a store the page mangled starts the count again rather than failing
    assert.equal(splitRelayout(relayout, "top", {seq: "x"}).drag.seq, 1);
});

// "Zoom below the cut" (callbacks/merge_steps.py registers it; it was a server callback).
const {zoomBelowCut} = require("../../assets/relayout.js");

function operations(patch) {
    assert.equal(patch.__dash_patch_update, "__dash_patch_update");  // what dash.Patch sends
    return Object.fromEntries(patch.operations.map(op => {
        assert.equal(op.operation, "Assign");
        return [op.location.join("."), op.params.value];
    }));
}

test("the zoom focuses the height axis below the cut, and back", () => {
    const zoomed = operations(zoomBelowCut(["below"], 0.5, "top", true));
    assert.deepEqual(Object.keys(zoomed), ["layout.yaxis.range", "layout.yaxis.autorange"]);
    assert.equal(zoomed["layout.yaxis.range"][0], 0);
    assert.ok(Math.abs(zoomed["layout.yaxis.range"][1] - 0.575) < 1e-12);
    assert.equal(zoomed["layout.yaxis.autorange"], false);
    assert.deepEqual(operations(zoomBelowCut([], 0.5, "top", true)), {"layout.yaxis.autorange": true});
});

test("a sideways or upside-down tree zooms its own height axis, reversed where it is", () => {
    const left = operations(zoomBelowCut(["below"], 0.5, "left", true));
    assert.ok(Math.abs(left["layout.xaxis.range"][0] - 0.575) < 1e-12);
    assert.equal(left["layout.xaxis.range"][1], 0);
    const right = operations(zoomBelowCut(["below"], 2, "right", false));
    assert.deepEqual(right["layout.xaxis.range"], [0, 2 * 1.15]);
    assert.deepEqual(operations(zoomBelowCut([], 2, "bottom", true)), {"layout.yaxis.autorange": "reversed"});
    assert.deepEqual(operations(zoomBelowCut(null, 2, "left", true)), {"layout.xaxis.autorange": "reversed"});
});

test("a redraw keeps the zoom, or leaves the figure as drawn", () => {
    assert.notEqual(zoomBelowCut(["below"], 3, "top", false), null);
    assert.equal(zoomBelowCut([], 3, "top", false), null);
    assert.equal(zoomBelowCut(null, 3, "top", false), null);
});

test("no cut height, or none above 0, shows the whole height", () => {
    for (const height of [null, undefined, 0, -1, NaN, Infinity, "3"]) {
        assert.equal(zoomBelowCut(["below"], height, "top", false), null, String(height));
        assert.deepEqual(operations(zoomBelowCut(["below"], height, "top", true)),
            {"layout.yaxis.autorange": true}, String(height));
    }
});
