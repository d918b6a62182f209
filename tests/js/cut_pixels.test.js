// assets/cut_core.js's drawing of points into pixels (the scatter while the cut is
// dragged): plotly's own marker outlines, and the blending of markers into an image.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const core = require("../../assets/cut_core.js");

// The symbols the page draws (hclust.cut.SYMBOLS and OVERFLOW_SYMBOL).
const SYMBOLS = ["hexagon", "square", "diamond", "triangle-up", "x", "triangle-down", "cross", "star", "circle"];

// plotly's symbol definitions, read out of the bundle the page serves
// (assets/plotly-strict.min.js: src/components/drawing/symbol_defs.js, minified).
function plotlySymbols() {
    const bundle = fs.readFileSync(path.join(__dirname, "..", "..", "assets", "plotly-strict.min.js"), "utf8");
    const head = /(\w+)=Math\.sqrt\(2\),(\w+)=Math\.sqrt\(3\),(\w+)=Math\.PI,(\w+)=Math\.cos,(\w+)=Math\.sin;\w+\.exports=(\{circle:\{n:0,f:function\(e,t,r\)\{if\((\w+)\(t\)\)return (\w+);var i=(\w+)\(e,2\)[^]*?return r\?(\w+)\(t,r,n\):n\}\})/.exec(bundle);
    assert.ok(head, "plotly's symbol definitions in the bundle");
    const [, sqrt2, sqrt3, pi, cos, sin, , isNone, none, round, withAngle] = head;
    // the object literal: from its '{' to the matching '}'
    const start = head.index + head[0].indexOf("{circle:");
    let depth = 0, end = start;
    for (; end < bundle.length; end++) {
        if (bundle[end] === "{") depth++;
        if (bundle[end] === "}" && --depth === 0) break;
    }
    const names = [sqrt2, sqrt3, pi, cos, sin, isNone, none, round, withAngle];
    const make = new Function(...names, "return " + bundle.slice(start, end + 1) + ";");
    return make(Math.sqrt(2), Math.sqrt(3), Math.PI, Math.cos, Math.sin, () => false, "",
        (value, digits) => (digits ? Math.round(value * 10 ** digits) / 10 ** digits : Math.round(value)),
        (standoff, angle, outline) => outline);
}

test("every symbol the page draws has plotly's own outline, at every size", () => {
    const plotly = plotlySymbols();
    for (const symbol of SYMBOLS) {
        for (const radius of [0.5, 1, 2, 2.5, 3.5, 5, 7.25]) {
            assert.equal(core.symbolPath(symbol, radius), plotly[symbol].f(radius), `${symbol} at r = ${radius}`);
        }
    }
    assert.equal(core.symbolPath("no-such-symbol", 2), null);
});

// A stamp of one opaque colour, a square of side 2h+1 around its centre pixel.
function squareStamp(rgba, h) {
    const side = 2 * h + 1, pixels = new Uint8ClampedArray(4 * side * side);
    for (let i = 0; i < side * side; i++) pixels.set(rgba, 4 * i);
    return core.stampOf(pixels, side, side);
}

function image(width, height) {
    return {width, height, data: new Uint8ClampedArray(4 * width * height)};
}

function pixel(img, x, y) {
    return Array.from(img.data.slice(4 * (y * img.width + x), 4 * (y * img.width + x) + 4));
}

test("stampOf keeps the covered pixels, centred on the middle one", () => {
    const pixels = new Uint8ClampedArray(4 * 9);
    pixels.set([1, 2, 3, 255], 4 * 4);  // the centre of 3 x 3
    pixels.set([4, 5, 6, 128], 4 * 2);  // top right
    const stamp = core.stampOf(pixels, 3, 3);
    assert.deepEqual(Array.from(stamp.dx), [1, 0]);
    assert.deepEqual(Array.from(stamp.dy), [-1, 0]);
    assert.deepEqual(stamp.colour, [[4, 5, 6, 128], [1, 2, 3, 255]]);
});

test("each sample is drawn on the pixel that holds it, a later group over an earlier one", () => {
    // random positions; every sample's centre pixel must show the colour of the last
    // group (in drawing order) that has a sample whose square covers it
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const colours = [[200, 0, 0, 255], [0, 150, 0, 255], [0, 0, 90, 255]];
    const stamps = colours.map((c) => squareStamp(c, 1));
    for (let round = 0; round < 20; round++) {
        const n = 60, width = 40, height = 30;
        const px = Float32Array.from({length: n}, () => random() * (width + 6) - 3);
        const py = Float32Array.from({length: n}, () => random() * (height + 6) - 3);
        const groupOf = Array.from({length: n}, () => Math.floor(random() * 3));
        const groups = [0, 1, 2].map((g) => [g, Int32Array.from(groupOf.flatMap((c, s) => (c === g ? [s] : [])))]);
        const img = core.paintPoints(image(width, height), groups, px, py, (g) => stamps[g]);
        for (let x = 0; x < width; x++) {
            for (let y = 0; y < height; y++) {
                let expected = [0, 0, 0, 0];
                for (const [g, samples] of groups) {
                    for (const s of samples) {
                        if (Math.abs(Math.floor(px[s]) - x) <= 1 && Math.abs(Math.floor(py[s]) - y) <= 1) expected = colours[g];
                    }
                }
                assert.deepEqual(pixel(img, x, y), expected, `round ${round}, pixel ${x}, ${y}`);
            }
        }
    }
});

test("a translucent edge is blended over what is below it, source over", () => {
    const below = squareStamp([0, 0, 255, 255], 0);
    const pixels = new Uint8ClampedArray([255, 0, 0, 64]);  // one pixel, a quarter opaque
    const edge = core.stampOf(pixels, 1, 1);
    const img = core.paintPoints(image(3, 1), [[0, Int32Array.of(0, 1)], [1, Int32Array.of(1, 2)]],
        Float32Array.of(0.5, 1.5, 2.5), Float32Array.of(0, 0, 0), (g) => (g === 0 ? below : edge));
    assert.deepEqual(pixel(img, 0, 0), [0, 0, 255, 255]);
    // over opaque blue: 64/255 of red, the rest blue, opaque
    assert.deepEqual(pixel(img, 1, 0), [64, 0, 191, 255]);
    // over nothing: the edge as it is
    assert.deepEqual(pixel(img, 2, 0), [255, 0, 0, 64]);
});

test("positions that are not finite, or far outside, draw nothing", () => {
    const stamp = squareStamp([9, 9, 9, 255], 2);
    const img = core.paintPoints(image(4, 4), [[0, Int32Array.of(0, 1, 2, 3)]],
        Float32Array.of(NaN, Infinity, -1e9, 1e9), Float32Array.of(1, 1, 1, 1), () => stamp);
    assert.ok(img.data.every((v) => v === 0));
});

// A disc of one colour with translucent, antialiased edges, as a canvas draws a marker.
function discStamp(rgb, radius) {
    const side = 2 * Math.ceil(radius) + 3, pixels = new Uint8ClampedArray(4 * side * side), centre = side >> 1;
    for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
            const cover = Math.max(0, Math.min(1, radius + 0.5 - Math.hypot(x - centre, y - centre)));
            if (cover > 0) pixels.set([...rgb, Math.round(cover * 255)], 4 * (y * side + x));
        }
    }
    return core.stampOf(pixels, side, side);
}

// What paintPoints draws for one colour per sample (groups by colour, ascending, as sampleGroups).
function paintAll(width, height, colourOf, px, py, stampFor) {
    const groups = core.sampleGroups({sampleColour: colourOf});
    return core.paintPoints(image(width, height), groups, px, py, stampFor);
}

test("a clip draws exactly the full drawing's pixels inside it, and none outside", () => {
    let seed = 11;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const stamps = [discStamp([200, 10, 10], 2.5), discStamp([10, 90, 200], 3.5)];
    const width = 37, height = 29, n = 150;
    const px = Float32Array.from({length: n}, () => random() * (width + 10) - 5);
    const py = Float32Array.from({length: n}, () => random() * (height + 10) - 5);
    const colourOf = Int16Array.from({length: n}, () => Math.floor(random() * 2));
    const full = paintAll(width, height, colourOf, px, py, (c) => stamps[c]);
    const clip = {x0: 5, y0: 7, x1: 23, y1: 20};
    const clipped = core.paintPoints(image(width, height), core.sampleGroups({sampleColour: colourOf}), px, py, (c) => stamps[c], clip);
    for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
            const inside = x >= clip.x0 && x < clip.x1 && y >= clip.y0 && y < clip.y1;
            assert.deepEqual(pixel(clipped, x, y), inside ? pixel(full, x, y) : [0, 0, 0, 0], `pixel ${x}, ${y}`);
        }
    }
});

test("tilesOf lists, per square, every sample that can draw into it, ascending", () => {
    let seed = 5;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const width = 50, height = 33, n = 200, tile = 8, reach = 3;
    const px = Float32Array.from({length: n}, () => random() * (width + 20) - 10);
    const py = Float32Array.from({length: n}, () => random() * (height + 20) - 10);
    px[0] = NaN;
    const tiles = core.tilesOf(px, py, width, height, tile, reach);
    assert.equal(tiles.columns, 7);
    assert.equal(tiles.rows, 5);
    for (let t = 0; t < tiles.columns * tiles.rows; t++) {
        const x0 = (t % tiles.columns) * tile, y0 = Math.floor(t / tiles.columns) * tile;
        const x1 = Math.min(width, x0 + tile) - 1, y1 = Math.min(height, y0 + tile) - 1;
        const expected = [];
        for (let s = 0; s < n; s++) {
            const cx = Math.floor(px[s]), cy = Math.floor(py[s]);
            if (cx + reach >= x0 && cx - reach <= x1 && cy + reach >= y0 && cy - reach <= y1) expected.push(s);
        }
        assert.deepEqual(Array.from(tiles.samples.subarray(tiles.start[t], tiles.start[t + 1])), expected, `square ${t}`);
    }
});

test("repainting only what changed gives the very pixels of painting every sample again", () => {
    let seed = 29;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const palette = [[230, 25, 75], [60, 180, 75], [0, 130, 200], [245, 130, 48], [145, 30, 180]];
    // (OVERFLOW = -1 draws first, a larger marker: the reach covers every stamp)
    const stamps = new Map(palette.map((rgb, c) => [c, discStamp(rgb, 2.5)]));
    stamps.set(core.OVERFLOW, discStamp([190, 190, 190], 3.5));
    const stampFor = (c) => stamps.get(c);
    const width = 90, height = 70;
    for (let round = 0; round < 12; round++) {
        const n = 100 + Math.floor(random() * 600);
        // clustered points (dense overlaps, as a scatter of clusters), some outside the image
        const px = new Float32Array(n), py = new Float32Array(n);
        for (let s = 0; s < n; s++) {
            const centre = s % 4;
            px[s] = 10 + 25 * centre + (random() - 0.5) * 40;
            py[s] = 15 + 12 * centre + (random() - 0.5) * 40;
        }
        const before = Int16Array.from({length: n}, () => Math.floor(random() * 6) - 1);
        // a merge or split changes one cluster's colour: a share of the samples, or none, or all
        const share = [0, 0.05, 0.3, 1][round % 4];
        const after = before.map((c) => (random() < share ? Math.floor(random() * 6) - 1 : c));
        const tile = [4, 16, 32][round % 3];
        const tiles = core.tilesOf(px, py, width, height, tile, 5);
        const repainted = paintAll(width, height, before, px, py, stampFor);
        const box = core.repaintChanged(repainted, tiles, before, after, px, py, stampFor);
        const expected = paintAll(width, height, after, px, py, stampFor);
        assert.deepEqual(Array.from(repainted.data), Array.from(expected.data), `round ${round}`);
        const changed = after.some((c, s) => c !== before[s]);
        assert.equal(box === null, !changed, `round ${round}: a box when a colour changed`);
        if (box) {
            // every pixel that differs between the two paintings lies in the box
            const old = paintAll(width, height, before, px, py, stampFor);
            for (let y = 0; y < height; y++) {
                for (let x = 0; x < width; x++) {
                    if (pixel(old, x, y).join() === pixel(expected, x, y).join()) continue;
                    assert.ok(x >= box.x0 && x < box.x1 && y >= box.y0 && y < box.y1, `round ${round}: ${x}, ${y} in the box`);
                }
            }
        }
    }
});
