// The cut line while it is dragged (assets/cut_core.js lineSegment, lineShift): the page
// draws it into a canvas of its own, from the path plotly drew, moved by whole pixels.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const core = require("../../assets/cut_core.js");

test("a line shape's path as plotly writes it gives its two ends", () => {
    // plotly's shapes/draw.js writes a line as 'M' + x0 + ',' + y0 + 'L' + x1 + ',' + y1
    assert.deepEqual(core.lineSegment("M64,212.73L413,212.73"), {x0: 64, y0: 212.73, x1: 413, y1: 212.73});
    assert.deepEqual(core.lineSegment("M80,-3.5L80,460"), {x0: 80, y0: -3.5, x1: 80, y1: 460});
    assert.deepEqual(core.lineSegment(" M 1e2 , 7 L 5 6 "), {x0: 100, y0: 7, x1: 5, y1: 6});
});

test("any other path is not taken for a line", () => {
    for (const d of ["", null, undefined, "M0,0L1,1Z", "M0,0L1,1L2,2", "M0,0H10", "M0,0L1", "Mx,0L1,1", "M0,0A1,1 0 0,1 2,2"]) {
        assert.equal(core.lineSegment(d), null, String(d));
    }
});

test("the line moves by whole pixels, the nearest to where it belongs", () => {
    assert.equal(core.lineShift(120.4, 100), 20);
    assert.equal(core.lineShift(99.6, 100), 0);
    assert.equal(core.lineShift(80.5, 100.9), -20);
    assert.ok(Object.is(core.lineShift(100.2, 100.4), 0), "no -0 (a transform or offset would read it)");
    assert.equal(core.lineShift(NaN, 100), 0);
    assert.equal(core.lineShift(Infinity, 100), 0);
});
