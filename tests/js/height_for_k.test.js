// heightForK (assets/cut_core.js) against hclust.cut.height_for_k, over the random
// trees of tests/js/make_fixtures.py and one tree whose merge heights lie one float
// apart, tie, and sit at 0: the cut a typed k shows before the server answers.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const core = require("../../assets/cut_core.js");

const trees = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "trees.json"), "utf8"));

// Whether the index holds every merge a cut for k must see (the browser answers only those).
function held(index, k) {
    return k - 1 <= index.top_height.length;
}

test("a typed k gives the server's height, bit for bit, or none where the server gives none", () => {
    let compared = 0, impossible = 0, leftToServer = 0;
    for (const tree of trees) {
        const index = core.decode(tree.index);
        for (const [k, expected] of tree.ks) {
            const h = core.heightForK(index, k);
            if (!held(index, k)) {
                assert.equal(h, null, `seed ${tree.seed}: k = ${k} is below the index's floor`);
                leftToServer++;
                continue;
            }
            assert.equal(h, expected, `seed ${tree.seed} (${tree.method}, n = ${tree.n}): k = ${k}`);
            if (expected === null) impossible++;
            else assert.equal(core.clustersAt(index, h).removed + 1, k, `seed ${tree.seed}: k = ${k}`);
            compared++;
        }
    }
    assert.ok(compared > 3000, `compared ${compared}`);
    assert.ok(impossible > 20, `tied k ${impossible}`);
    assert.ok(leftToServer > 0, `beyond the index ${leftToServer}`);
});

test("heights one float apart: the cut sits on the gap's floor, never on the merge above", () => {
    const tree = trees[trees.length - 1];
    const index = core.decode(tree.index);
    const one = 1.0, next = core.nextAfter(1.0, true);
    assert.equal(next, 1.0000000000000002);
    assert.equal(core.heightForK(index, 5), next, "between 1 + ulp and 1 + 2 ulp: no float inside");
    assert.equal(core.heightForK(index, 6), one, "between 1 and 1 + ulp: the cut is 1 itself");
    assert.equal(core.heightForK(index, 3), null, "two merges tie at 2");
    assert.equal(core.heightForK(index, index.n), null, "identical samples: no cut below 0");
    assert.equal(core.heightForK(index, 0), null);
    assert.equal(core.heightForK(index, 2.5), null);
    assert.equal(core.heightForK(index, index.n + 1), null);
});

test("nextAfter steps one float up or down, through 0", () => {
    assert.equal(core.nextAfter(0, true), Number.MIN_VALUE);
    assert.equal(core.nextAfter(0, false), -Number.MIN_VALUE);
    assert.equal(core.nextAfter(1, false), 1 - Number.EPSILON / 2);
    assert.equal(core.nextAfter(-1, true), -1 + Number.EPSILON / 2);
    assert.equal(core.nextAfter(-1, false), -1 - Number.EPSILON);
    assert.equal(core.nextAfter(Infinity, true), Infinity);
});
