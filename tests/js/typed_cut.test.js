// assets/typed_cut.js: which cut a typed height or k asks for, before the server answers.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const core = require("../../assets/cut_core.js");
const {typedHeight} = require("../../assets/typed_cut.js");

const trees = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "trees.json"), "utf8"));
const small = trees.find((tree) => tree.n > 20 && tree.index.floor === null);
const deep = trees.find((tree) => tree.index.floor !== null);

test("a typed k asks for the height the server's height_for_k gives", () => {
    const index = core.decode(small.index);
    for (const [k, expected] of small.ks) {
        assert.equal(typedHeight("k", String(k), index, core), expected, `k = ${k}`);
        assert.equal(typedHeight("k", `${k}.0`, index, core), expected, `k = ${k}.0`);
    }
});

test("a typed height is the cut itself, where the index holds its merges", () => {
    const index = core.decode(deep.index);
    assert.equal(typedHeight("height", "12.5", core.decode(small.index), core), 12.5);
    assert.equal(typedHeight("height", "0", core.decode(small.index), core), 0);
    assert.equal(typedHeight("height", String(deep.index.floor * 2), index, core), deep.index.floor * 2);
    assert.equal(typedHeight("height", String(deep.index.floor / 2), index, core), null, "below the floor");
});

test("what the server refuses or answers alone is left to it", () => {
    const index = core.decode(small.index);
    for (const text of ["", " ", "abc", "-1", "NaN", "Infinity"]) {
        assert.equal(typedHeight("height", text, index, core), null, JSON.stringify(text));
    }
    for (const text of ["", "0", "-2", "2.5", String(small.n + 1), "abc"]) {
        assert.equal(typedHeight("k", text, index, core), null, JSON.stringify(text));
    }
    assert.equal(typedHeight("k", "2", null, core), null, "no index");
    assert.equal(typedHeight("criterion", "2", index, core), null);
});

test("the page paints a typed field exactly when the server's typed_field acts on it", () => {
    const cases = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "typed_fields.json"), "utf8"));
    const {asksServer} = require("../../assets/typed_cut.js");
    let blurIgnored = 0;
    for (const [how, field, text, cut, asked] of cases) {
        assert.equal(asksServer(how, field, text, cut), asked, `${how} ${field} ${JSON.stringify(text)} at ${JSON.stringify(cut)}`);
        if (how === "blur" && !asked) blurIgnored++;
    }
    assert.ok(cases.length > 500 && blurIgnored > 50, `${cases.length} cases, ${blurIgnored} blurs ignored`);
});

test("leaving a field that shows the committed cut asks nothing, whatever the field held before", () => {
    const {asksServer} = require("../../assets/typed_cut.js");
    const cut = {criterion: "distance", height: 16.115302399893288, k: 4};
    // a drag moved the cut while the k field had the focus: it now shows the cut
    assert.equal(asksServer("blur", "k", "4", cut), false);
    assert.equal(asksServer("blur", "height", "16.115302", cut), false);
    // a value typed earlier, then another cut: typing it again and leaving asks again
    assert.equal(asksServer("blur", "k", "5", cut), true);
    assert.equal(asksServer("submit", "k", "4", cut), true, "Enter always asks");
    assert.equal(asksServer("blur", "k", "4", null), true, "no cut yet");
});

test("a clicked point's k is its x, as the server's k_from_click reads it", () => {
    const {kOfClick} = require("../../assets/typed_cut.js");
    assert.equal(kOfClick({points: [{x: 4, y: 0.7}]}), 4);
    assert.equal(kOfClick({points: [{x: 4.5}]}), null);
    assert.equal(kOfClick({points: [{x: "4"}]}), null);
    assert.equal(kOfClick({points: []}), null);
    assert.equal(kOfClick(null), null);
});
