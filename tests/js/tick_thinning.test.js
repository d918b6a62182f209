// assets/tick_thinning.js: which leaf labels stay visible.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {keptLabels} = require("../../assets/tick_thinning.js");

function overlaps(spans, keep, gap) {
    const kept = spans.filter((_, i) => keep[i]).map((s) => [Math.min(...s), Math.max(...s)]);
    kept.sort((a, b) => a[0] - b[0]);
    return kept.some((s, i) => i > 0 && s[0] < kept[i - 1][1] + gap);
}

test("labels that fit are all kept", () => {
    const spans = [[0, 8], [10, 18], [20, 28]];
    assert.deepEqual(keptLabels(spans, 2), [true, true, true]);
});

test("evenly spaced labels twice too wide keep every other one, from the first", () => {
    const spans = Array.from({length: 10}, (_, i) => [i * 10, i * 10 + 15]);
    assert.deepEqual(keptLabels(spans, 2), spans.map((_, i) => i % 2 === 0));
});

test("order on the page, not in the list, decides; reversed spans are read either way", () => {
    const spans = [[30, 20], [0, 12], [10, 22]];  // drawn right to left on a y axis
    // on the page: [0, 12] kept, [10, 22] touches it, [20, 30] is clear of [0, 12]
    assert.deepEqual(keptLabels(spans, 0), [true, true, false]);
});

test("empty and unmeasured labels are never kept and take no room", () => {
    assert.deepEqual(keptLabels([[0, 0], [NaN, 3], [1, 9]], 0), [false, false, true]);
});

test("random labels: no two kept ones overlap, and a dropped one would overlap a kept one", () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let round = 0; round < 500; round++) {
        const n = 1 + Math.floor(random() * 60);
        const spans = Array.from({length: n}, () => {
            const start = random() * 500;
            return [start, start + 1 + random() * 40];
        });
        const gap = Math.floor(random() * 4);
        const keep = keptLabels(spans, gap);
        assert.equal(overlaps(spans, keep, gap), false);
        spans.forEach((span, i) => {
            if (keep[i]) return;
            const withIt = keep.slice();
            withIt[i] = true;
            assert.equal(overlaps(spans, withIt, gap), true, `label ${i} was dropped without cause`);
        });
    }
});
