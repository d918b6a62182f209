// assets/cut_core.js against the Python side, over the random trees that
// tests/js/make_fixtures.py writes (run it first; `make js` does both).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const core = require("../../assets/cut_core.js");

const FIXTURES = path.join(__dirname, "fixtures", "trees.json");
const trees = JSON.parse(fs.readFileSync(FIXTURES, "utf8"));

function hexOfSample(raw, result) {
    return Array.from(result.sampleColour, (c) => core.hexOf(raw, c));
}

// What the browser would draw for one cut: its result and the dendrogram's traces, of
// plotly type `type` (assets/cut_recolour.js dendrogramTraces: an SVG tree's links walked
// as unbroken lines, a WebGL tree's with a gap after each link).
function drawn(index, cutFixture, type) {
    const result = core.cut(index, cutFixture.height, core.previousOf(cutFixture.previous));
    if (result === null) return null;
    const raw = index.raw;
    const traces = core.linkGroups(result).map(([colour, links]) => {
        const xy = type === "scatter" ? core.linkTour(index, links) : core.linkCoordinates(index, links);
        return {name: core.linkTraceName(raw, colour), type, colour: core.hexOf(raw, colour), x: Array.from(xy.x), y: Array.from(xy.y)};
    });
    const leaves = core.leafGroups(result);
    if (leaves.length) {
        // one trace, leaves in drawn order, each dot its cluster's colour
        const chosen = leaves.flatMap(([, items]) => Array.from(items)).sort((a, b) => a - b);
        traces.push({
            name: raw.strings.leaf_trace,
            type,
            colour: chosen.map((q) => core.hexOf(raw, result.leafColour[q])),
            x: chosen.map((q) => index.leaf_x[q]),
            y: chosen.map((q) => index.leaf_y[q]),
        });
    }
    return {result, traces};
}

// NaN gaps between links: JSON writes them as null.
const nan = (values) => values.map((v) => (v === null || Number.isNaN(v) ? "gap" : v));

test("fixtures cover many trees, ties, truncation and cuts beyond the index", () => {
    assert.ok(trees.length >= 50);
    assert.ok(trees.some((t) => t.cuts.some((c) => c.beyond_index)));
    assert.ok(trees.some((t) => t.truncate[0] !== "none"));
    assert.ok(trees.some((t) => t.cuts.some((c) => c.leaf_colours && c.leaf_colours.some((l) => l !== core.ABOVE))));
});

for (const tree of trees) {
    test(`tree ${tree.seed} (${tree.method}, n=${tree.n}, ${tree.truncate.join(" ")})`, () => {
        const index = core.decode(tree.index);
        const raw = index.raw;
        tree.cuts.forEach((expected, i) => {
            const what = `cut ${i} at ${expected.height}`;
            const got = drawn(index, expected, expected.traces && expected.traces.length ? expected.traces[0].type : "scatter");
            if (expected.beyond_index) {
                assert.equal(got, null, `${what}: below the index's floor, left to the server`);
                return;
            }
            const {result, traces} = got;
            // fcluster's clusters and numbering
            assert.deepEqual(Array.from(result.sampleLabel), expected.labels, `${what}: labels`);
            // the stable colours of each cluster root, and the colour map the next cut starts from
            const nodes = core.colourMapOf(result, {}).nodes;
            assert.deepEqual(nodes, expected.node_colours, `${what}: colours`);
            assert.deepEqual(Array.from(result.linkColour), expected.link_colours, `${what}: link colours`);
            assert.deepEqual(Array.from(result.leafColour), expected.leaf_colours, `${what}: leaf colours`);
            assert.equal(result.legend, expected.legend, `${what}: legend`);
            // the legend's lines as the page writes them in place: each entry's colour and text
            const lines = core.legendLines(result.legend, raw);
            const entries = expected.legend.split("<br>").slice(1);
            assert.equal(lines.length, entries.length, `${what}: legend lines`);
            lines.forEach((line, k) => {
                assert.equal(line.text, entries[k].replace(/<[^>]*>/g, ""));
                const colour = /color:(#[0-9A-Fa-f]{6})/.exec(entries[k]);
                assert.equal(line.colour, colour ? colour[1] : null);
            });
            // the scatter's colour groups: colour and samples of each trace
            const groups = core.sampleGroups(result).map(([colour, samples]) => [core.hexOf(raw, colour), Array.from(samples)]);
            assert.deepEqual(groups, expected.groups, `${what}: colour groups`);
            assert.deepEqual(new Set(hexOfSample(raw, result)).size, expected.groups.length);
            // and each group's marker symbol, a second cue besides its colour
            const symbols = core.sampleGroups(result).map(([colour]) => core.symbolOf(raw, colour));
            assert.deepEqual(symbols, expected.symbols, `${what}: marker symbols`);
            // each colour's links as a WebGL tree's trace holds them (and the live canvas draws them)
            assert.deepEqual(
                core.linkGroups(result).map(([, links]) => {
                    const xy = core.linkCoordinates(index, links);
                    return [nan(Array.from(xy.x)), nan(Array.from(xy.y))];
                }),
                expected.steps.map(([x, y]) => [nan(x), nan(y)]),
                `${what}: links as steps`,
            );
            // the dendrogram's traces, in the figure's order
            assert.deepEqual(
                traces.map((t) => ({...t, x: nan(t.x), y: nan(t.y)})),
                expected.traces.map((t) => ({...t, x: nan(t.x), y: nan(t.y)})),
                `${what}: dendrogram traces`,
            );
        });
    });
}

test("every palette colour has its own marker symbol, and the grey another", () => {
    for (const tree of trees) {
        const raw = core.decode(tree.index).raw;
        const symbols = raw.palette.map((_, c) => core.symbolOf(raw, c));
        symbols.push(core.symbolOf(raw, core.OVERFLOW));
        assert.equal(new Set(symbols).size, raw.palette.length + 1);
        assert.ok(symbols.every((symbol) => typeof symbol === "string" && symbol.length));
    }
});

test("a cut above every merge is one cluster, labelled 1", () => {
    const tree = trees.find((t) => t.n > 10 && !t.index.floor);
    const index = core.decode(tree.index);
    const top = index.top_height[0];
    const result = core.cut(index, top + 1, []);
    assert.equal(result.spans.size, 1);
    assert.ok(result.sampleLabel.every((l) => l === 1));
    assert.ok(result.legend.startsWith(tree.index.strings.legend_title));
});
