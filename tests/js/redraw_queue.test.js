// assets/redraw_queue.js: at most one figure redraw per task, in order per graph.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {makeRedrawQueue} = require("../../assets/redraw_queue.js");

// A page's event loop in miniature: schedule() queues a task; run() runs the tasks one
// by one (microtasks, the promises, settle between two tasks) and numbers them.
function loop() {
    const tasks = [];
    const state = {task: 0};
    state.schedule = (fn) => tasks.push(fn);
    state.run = async () => {
        await new Promise((resolve) => setImmediate(resolve));
        while (tasks.length) {
            state.task++;
            tasks.shift()();
            await new Promise((resolve) => setImmediate(resolve));
        }
    };
    return state;
}

function recorder(state) {
    const calls = [];
    const react = function (gd, figure) {
        calls.push({gd, figure, task: state.task, self: this});
        return Promise.resolve(figure);
    };
    return {calls, react};
}

test("the first redraw of a task runs at once", () => {
    const state = loop(), {calls, react} = recorder(state);
    const queued = makeRedrawQueue(react, state.schedule);
    queued("dendrogram", "a");
    assert.deepEqual(calls.map((c) => [c.gd, c.figure, c.task]), [["dendrogram", "a", 0]]);
});

test("two graphs redrawn in one task: the second gets a task of its own", async () => {
    const state = loop(), {calls, react} = recorder(state);
    const queued = makeRedrawQueue(react, state.schedule);
    const done = [queued("dendrogram", "d"), queued("scatter", "s"), queued("elbow", "e")];
    assert.equal(calls.length, 1, "only the first ran in the answer's task");
    await state.run();
    assert.deepEqual(calls.map((c) => c.gd), ["dendrogram", "scatter", "elbow"]);
    const tasks = calls.map((c) => c.task);
    assert.equal(new Set(tasks).size, 3, `one task each: ${tasks}`);
    assert.deepEqual(await Promise.all(done), ["d", "s", "e"], "each promise settles with its redraw");
});

test("redraws of one graph keep their order, even when the later one finds a free task", async () => {
    const state = loop(), {calls, react} = recorder(state);
    const queued = makeRedrawQueue(react, state.schedule);
    queued("dendrogram", "d1");
    queued("scatter", "s1");  // deferred
    await state.run();
    queued("scatter", "s2");  // a free task: at once
    queued("dendrogram", "d2");  // deferred
    queued("dendrogram", "d3");  // after d2
    await state.run();
    assert.deepEqual(calls.filter((c) => c.gd === "dendrogram").map((c) => c.figure), ["d1", "d2", "d3"]);
    assert.deepEqual(calls.filter((c) => c.gd === "scatter").map((c) => c.figure), ["s1", "s2"]);
    const d2 = calls.find((c) => c.figure === "d2").task, d3 = calls.find((c) => c.figure === "d3").task;
    assert.ok(d3 > d2, "d3 in a later task than d2");
});

test("a graph with a redraw waiting never jumps the queue in a free task", async () => {
    const state = loop(), {calls, react} = recorder(state);
    const queued = makeRedrawQueue(react, state.schedule);
    queued("a", 1);
    queued("b", 1);  // waits for the next task
    state.schedule(() => queued("b", 2));  // a task of its own, but b's first redraw is still waiting
    await state.run();
    assert.deepEqual(calls.filter((c) => c.gd === "b").map((c) => c.figure), [1, 2]);
});

test("a redraw that throws rejects its promise and frees the queue", async () => {
    const state = loop();
    const calls = [];
    const react = (gd, figure) => {
        calls.push(figure);
        if (figure === "bad") throw new Error("bad figure");
        return Promise.resolve(figure);
    };
    const queued = makeRedrawQueue(react, state.schedule);
    queued("a", "ok");
    const bad = queued("b", "bad");
    const after = queued("b", "fine");
    await state.run();
    await assert.rejects(bad, /bad figure/);
    assert.equal(await after, "fine");
    assert.deepEqual(calls, ["ok", "bad", "fine"]);
});

test("the wrapped function keeps its receiver and arguments", async () => {
    const state = loop(), {calls, react} = recorder(state);
    const queued = makeRedrawQueue(react, state.schedule);
    const plotly = {react: queued};
    plotly.react("a", 1);
    plotly.react("b", 2);
    await state.run();
    assert.ok(calls.every((c) => c.self === plotly));
    assert.deepEqual(calls.map((c) => [c.gd, c.figure]), [["a", 1], ["b", 2]]);
});

test("each redraw is recorded once it has run, deferred or not", async () => {
    const state = loop(), {react} = recorder(state), recorded = [];
    const queued = makeRedrawQueue(react, state.schedule, (gd, ms) => recorded.push([gd, state.task, ms]));
    queued("dendrogram", 1);
    queued("scatter", 1);
    assert.deepEqual(recorded.map((r) => r.slice(0, 2)), [["dendrogram", 0]]);
    await state.run();
    assert.deepEqual(recorded.map((r) => r[0]), ["dendrogram", "scatter"]);
    assert.ok(recorded[1][1] > 0, "the scatter's in a later task");
    assert.ok(recorded.every((r) => r[2] >= 0));
});

test("idle settles once every queued redraw has run, and at once when none waits", async () => {
    const state = loop(), {calls, react} = recorder(state);
    const queued = makeRedrawQueue(react, state.schedule);
    let idleAt = null;
    await queued.idle();
    queued("dendrogram", "d");
    queued("scatter", "s");
    queued("elbow", "e");
    queued.idle().then(() => { idleAt = calls.length; });
    await state.run();
    assert.equal(idleAt, 3, "idle waited for the scatter's and the elbow's turns");
});

// withScreenRatio: WebGL plots drawn at the screen's own pixel ratio, not plotly's 2.
const {withScreenRatio} = require("../../assets/redraw_queue.js");

test("dcc.Graph's redraw gets the screen's pixel ratio, its config otherwise kept", () => {
    const config = {edits: {shapePosition: true}, displaylogo: false};
    const figure = {data: [1], layout: {a: 1}, frames: null, config};
    const [gd, out] = withScreenRatio(["gd", figure], 1);
    assert.equal(gd, "gd");
    assert.deepEqual(out.config, {edits: {shapePosition: true}, displaylogo: false, plotGlPixelRatio: 1});
    assert.equal(out.data, figure.data);
    assert.equal(out.layout, figure.layout);
    assert.equal(figure.config.plotGlPixelRatio, undefined, "the caller's config is not changed");
});

test("the ratio is the screen's, rounded up, between 1 and plotly's 2", () => {
    const ratio = (dpr) => withScreenRatio(["gd", {data: [], config: {}}], dpr)[1].config.plotGlPixelRatio;
    assert.deepEqual([1, 1.25, 2, 3, undefined, 0].map(ratio), [1, 2, 2, 2, 1, 1]);
});

test("a config's own ratio is kept; a redraw without a config keeps the graph's", () => {
    const own = ["gd", {data: [], config: {plotGlPixelRatio: 3}}];
    assert.equal(withScreenRatio(own, 1), own);
    const bare = ["gd", [{x: [1]}], {title: "t"}];
    assert.equal(withScreenRatio(bare, 1), bare);
    const positional = withScreenRatio(["gd", [], {}, {displaylogo: false}], 1);
    assert.deepEqual(positional[3], {displaylogo: false, plotGlPixelRatio: 1});
});

// makeSymbolWarmer: the WebGL marker symbols a later cut may draw, made ahead one per idle task.
const {makeSymbolWarmer, symbolsOf} = require("../../assets/redraw_queue.js");

function warmerOps(state) {
    const calls = [];
    return {
        calls,
        ops: {
            start: (symbol) => calls.push(["start", symbol, state.task]),
            next: (symbol) => calls.push(["next", symbol, state.task]),
            finish: () => calls.push(["finish", null, state.task]),
        },
    };
}

test("each symbol not drawn yet is made in a task of its own, then the hidden plot goes", async () => {
    const state = loop(), {calls, ops} = warmerOps(state);
    const warm = makeSymbolWarmer(ops, state.schedule);
    warm(["circle", "square", "diamond", "hexagon"], ["square"]);
    assert.deepEqual(calls, [], "nothing in the redraw's own task");
    await state.run();
    assert.deepEqual(calls.map((c) => c.slice(0, 2)), [["start", "diamond"], ["next", "hexagon"], ["finish", null]]);
    const tasks = calls.map((c) => c[2]);
    assert.equal(new Set(tasks).size, tasks.length, "one step per task");
});

test("symbols are made once per page, and a later figure's new ones start a new round", async () => {
    const state = loop(), {calls, ops} = warmerOps(state);
    const warm = makeSymbolWarmer(ops, state.schedule);
    warm(["square", "hexagon"], []);
    warm(["square", "hexagon"], []);  // a second answer before the first round ran
    await state.run();
    warm(["square", "hexagon", "star"], ["square"]);
    await state.run();
    assert.deepEqual(calls.map((c) => c.slice(0, 2)), [
        ["start", "square"], ["next", "hexagon"], ["finish", null], ["start", "star"], ["finish", null],
    ]);
});

test("a hidden plot that cannot be drawn (no WebGL) stops the round without a throw", async () => {
    const state = loop(), calls = [];
    const warm = makeSymbolWarmer({
        start: () => { calls.push("start"); throw new Error("WebGL is not supported"); },
        next: () => calls.push("next"),
        finish: () => calls.push("finish"),
    }, state.schedule);
    warm(["square", "hexagon"], []);
    await state.run();
    assert.deepEqual(calls, ["start"]);
});

test("only a figure with WebGL markers and a list of symbols asks for a warming", () => {
    const layout = {meta: {gl_symbols: ["circle", "square", "hexagon"]}};
    const gl = {type: "scattergl", marker: {symbol: "square"}};
    assert.deepEqual(symbolsOf(["gd", {data: [gl], layout}]), [["circle", "square", "hexagon"], ["square"]]);
    assert.deepEqual(symbolsOf(["gd", [gl], layout]), [["circle", "square", "hexagon"], ["square"]]);
    assert.equal(symbolsOf(["gd", {data: [{type: "scatter", marker: {symbol: "square"}}], layout}]), null);
    assert.equal(symbolsOf(["gd", {data: [gl], layout: {}}]), null);
    assert.equal(symbolsOf(["gd", {data: [gl]}]), null);
});

// contextAttributes: the scatter's WebGL canvas without multisampling, every other as plotly asks.
const {contextAttributes} = require("../../assets/redraw_queue.js");

test("the scatter's WebGL context is asked for no multisampling, its other attributes kept", () => {
    const asked = {antialias: true, preserveDrawingBuffer: true};
    assert.deepEqual(contextAttributes("webgl", asked, "scatter"), {antialias: false, preserveDrawingBuffer: true});
    assert.deepEqual(asked, {antialias: true, preserveDrawingBuffer: true}, "plotly's own object is left as it was");
    assert.deepEqual(contextAttributes("experimental-webgl", undefined, "scatter"), {antialias: false});
});

test("other plots' WebGL (the dendrogram's lines) and 2D canvases keep what they ask", () => {
    const asked = {antialias: true, preserveDrawingBuffer: true};
    assert.equal(contextAttributes("webgl", asked, "dendrogram"), asked);
    assert.equal(contextAttributes("webgl", asked, null), asked);
    assert.equal(contextAttributes("2d", asked, "scatter"), asked);
});
