// assets/keyboard.js: moving across the dendrogram's merges by keyboard.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {mergeOrder, stepMerge} = require("../../assets/keyboard.js");

test("merges are read along the leaf axis, the lower first where they share a place", () => {
    // point numbers 0..4 at these positions and heights
    const order = mergeOrder([30, 10, 20, 10, NaN], [5, 2, 1, 1, 3]);
    assert.deepEqual(order, [3, 1, 2, 0]);  // the unplaced merge 4 is never chosen
});

test("→ starts at the first merge, ← at the last, and neither runs past the ends", () => {
    const order = [3, 1, 2, 0];
    assert.equal(stepMerge(order, null, 1), 3);
    assert.equal(stepMerge(order, null, -1), 0);
    assert.equal(stepMerge(order, 3, 1), 1);
    assert.equal(stepMerge(order, 1, -1), 3);
    assert.equal(stepMerge(order, 3, -1), 3);
    assert.equal(stepMerge(order, 0, 1), 0);
    assert.equal(stepMerge([], null, 1), null);
});

test("stepping right through every merge visits each once, in order", () => {
    const positions = Array.from({length: 40}, (_, i) => (i * 37) % 41);
    const heights = Array.from({length: 40}, (_, i) => i % 7);
    const order = mergeOrder(positions, heights);
    const seen = [];
    let at = null;
    for (let i = 0; i < 40; i++) seen.push((at = stepMerge(order, at, 1)));
    assert.deepEqual(seen, order);
    assert.equal(new Set(seen).size, 40);
});
