// One figure redraw per task (issue 12 §5: no main-thread task over 200 ms).
//
// One server answer often carries several figures (the dendrogram and the scatter
// for a cut; the elbow and the quality plot), and Dash hands them to their graphs
// in one React commit, so every Plotly.react ran in the same task: 100-400 ms each
// at deep cuts, added up. Here a Plotly.react that finds the current task already
// busy with another one runs in a task of its own instead (a setTimeout), so the
// browser can paint and handle input between two redraws. The first redraw of a
// task still runs at once; redraws of one graph keep their order; the promise
// returned (dcc.Graph chains on it) settles when the redraw has run.
//
// Dash serves every assets/*.js as a classic script: this wraps window.Plotly.react
// in the page (plotly-strict.min.js loads before it, in name order), and exports
// the queue to module.exports under Node (tests/js/redraw_queue.test.js).
(function (root) {
    "use strict";

    // react(gd, ...): the function to wrap; schedule(fn): runs fn in a later task;
    // record(gd, ms) (optional): told of each redraw once it has run, with its duration.
    function makeRedrawQueue(react, schedule, record) {
        var busy = false, pending = new Map();  // graph -> promise of its last queued redraw

        function execute(self, args) {
            var start = Date.now();
            try {
                return react.apply(self, args);
            } finally {
                if (record) record(args[0], Date.now() - start);
            }
        }

        function claim() {
            busy = true;
            schedule(function () { busy = false; });  // the next task is free again
        }

        function later(self, args) {
            var gd = args[0], before = pending.get(gd) || Promise.resolve();
            var run = before.then(function () {
                return new Promise(function (resolve, reject) {
                    var attempt = function () {
                        if (busy) return schedule(attempt);  // another redraw took that task
                        claim();
                        try {
                            resolve(execute(self, args));
                        } catch (error) {
                            reject(error);
                        }
                    };
                    schedule(attempt);
                });
            });
            var settled = run.then(function () {}, function () {});
            pending.set(gd, settled);
            settled.then(function () {
                if (pending.get(gd) === settled) pending.delete(gd);
            });
            return run;
        }

        function queuedReact(gd) {
            if (!busy && !pending.has(gd)) {
                claim();
                return execute(this, Array.prototype.slice.call(arguments));
            }
            return later(this, Array.prototype.slice.call(arguments));
        }

        // A promise that settles once no redraw is waiting (assets/stale_view.js undims the
        // plots then: before, a plot whose redraw waits its turn still shows the old figure).
        queuedReact.idle = function idle() {
            if (!pending.size) return Promise.resolve();
            return Promise.all(Array.from(pending.values())).then(idle);
        };
        return queuedReact;
    }

    // plotly draws a WebGL plot at plotGlPixelRatio (default 2) device pixels per CSS pixel
    // whatever the screen: on a screen of 1 that is 4 times the pixels to rasterise, and
    // where the compositor reads the canvas back (software GL) 4 times the copy, for
    // nothing a person sees. The 20,000-sample scatter's frame took 0.5-1.2 s of the
    // GPU process at 2, 0.3-0.5 s at 1 (headless Chromium, load 10; issue 12 §5). This
    // gives the screen's own ratio, rounded up, never more than plotly's 2, to each config
    // a redraw brings; a config's own plotGlPixelRatio is kept. A redraw without a config
    // keeps the graph's (a config replaces the whole of it: its edits, its buttons).
    // args: Plotly.react's arguments, (gd, {data, layout, config}) as dcc.Graph calls it,
    // or (gd, data, layout, config).
    function withScreenRatio(args, devicePixelRatio) {
        var ratio = Math.min(2, Math.max(1, Math.ceil(devicePixelRatio || 1)));
        var figure = args[1], whole = !!figure && !Array.isArray(figure) && typeof figure === "object";
        var config = whole ? figure.config : args[3];
        if (!config || typeof config !== "object" || config.plotGlPixelRatio !== undefined) return args;
        var out = Array.prototype.slice.call(args);
        config = Object.assign({}, config, {plotGlPixelRatio: ratio});
        if (whole) out[1] = Object.assign({}, figure, {config: config});
        else out[3] = config;
        return out;
    }

    // plotly draws a WebGL marker other than a plain circle from a distance field of its
    // outline, made the first time a page draws that symbol and kept for the page (one cache
    // for every graph): 15-130 ms a symbol on a busy machine, the first one 200-350 ms. A
    // typed k of a thousand clusters on 20,000 samples brings every symbol of the palette at
    // once: 300-500 ms of the scatter's redraw (issue 12 §5; the grey's circle needs none). A
    // WebGL figure lists the symbols its later cuts may draw (layout.meta.gl_symbols,
    // components/figures.py); the warmer has each made ahead, in a hidden one-point plot, one
    // symbol per idle task, once per page, then removes that plot.
    // ops: start(symbol) draws the hidden plot, next(symbol) changes its symbol, finish()
    // removes it; schedule(fn) runs fn in a later (idle) task.
    function makeSymbolWarmer(ops, schedule) {
        var asked = new Set(), waiting = [], started = false, running = false;

        function step() {
            if (!waiting.length) {
                running = false;
                if (started) ops.finish();
                started = false;
                return;
            }
            var symbol = waiting.shift();
            try {
                if (started) ops.next(symbol);
                else ops.start(symbol);
                started = true;
            } catch (error) {  // no WebGL, say: the real plot will say so itself
                waiting.length = 0;
            }
            schedule(step);
        }

        // symbols: what a drawn figure may need next; drawn: what it drew (made already)
        return function warm(symbols, drawn) {
            (drawn || []).forEach(function (symbol) { asked.add(symbol); });
            (symbols || []).forEach(function (symbol) {
                if (typeof symbol !== "string" || symbol === "circle" || asked.has(symbol)) return;
                asked.add(symbol);
                waiting.push(symbol);
            });
            if (waiting.length && !running) {
                running = true;
                schedule(step);
            }
        };
    }

    // What a redraw's figure asks to be warmed: [symbols it may need, symbols it draws], or
    // null for a figure without WebGL markers. args as withScreenRatio takes them.
    function symbolsOf(args) {
        var figure = args[1], whole = !!figure && !Array.isArray(figure) && typeof figure === "object";
        var data = whole ? figure.data : figure, layout = whole ? figure.layout : args[2];
        var meta = layout && layout.meta, wanted = meta && meta.gl_symbols;
        if (!Array.isArray(wanted) || !Array.isArray(data)) return null;
        var drawn = [];
        data.forEach(function (trace) {
            var symbol = trace && trace.type === "scattergl" && trace.marker && trace.marker.symbol;
            if (typeof symbol === "string") drawn.push(symbol);
        });
        return drawn.length ? [wanted, drawn] : null;
    }

    // plotly asks every WebGL canvas for multisampling (antialias: true). Software WebGL
    // (SwiftShader, headless Chromium, machines without a GPU) then renders each point 4
    // times over and resolves the samples when the page reads the frame back, which it does
    // on the main thread: the frame after a 20,000-point scatter's redraw held the page for
    // 130-340 ms, 45-90 ms without (issue 12 §5). The scatter's markers need no
    // multisampling: plotly's point shaders smooth their own edges. Lines (the dendrogram
    // drawn with WebGL) keep it.
    // kind, attributes: getContext's arguments; graph: the id of the plot the canvas is in.
    var SMOOTH_MARKERS_ONLY = ["scatter"];

    function contextAttributes(kind, attributes, graph) {
        if (!/webgl/.test(String(kind)) || SMOOTH_MARKERS_ONLY.indexOf(graph) < 0) return attributes;
        return Object.assign({}, attributes || {}, {antialias: false});
    }

    var api = {
        contextAttributes: contextAttributes,
        makeRedrawQueue: makeRedrawQueue,
        withScreenRatio: withScreenRatio,
        makeSymbolWarmer: makeSymbolWarmer,
        symbolsOf: symbolsOf,
    };
    if (typeof module !== "undefined" && module.exports) module.exports = api;
    var Plotly = root.Plotly;
    if (Plotly && Plotly.react && !Plotly.react.__hclustQueued) {
        // each redraw as it ran, [start, ms, graph id] in performance.now() time (the last 200), for the bench
        var redraws = root.hclustRedraws = [];
        var record = function (gd, ms) {
            var at = root.performance.now();
            redraws.push([at - ms, ms, gd && gd.parentNode ? gd.parentNode.id : null]);
            if (redraws.length > 200) redraws.shift();
        };
        var react = Plotly.react, doc = root.document, hidden = null;
        // the symbols made ahead, in order, and how long each step took (ms), for the tests and the bench
        var warmed = root.hclustWarmed = [], warmedMs = root.hclustWarmedMs = [];
        var timed = function (step) {
            return function (symbol) {
                var start = root.performance.now();
                step(symbol);
                warmed.push(symbol);
                warmedMs.push(Math.round(root.performance.now() - start));
            };
        };
        var warm = makeSymbolWarmer({
            start: timed(function (symbol) {
                hidden = doc.createElement("div");
                hidden.setAttribute("aria-hidden", "true");
                hidden.className = "hclust-symbol-warmer";
                hidden.style.cssText = "position:fixed;left:-200px;top:0;width:40px;height:40px;visibility:hidden;pointer-events:none";
                doc.body.appendChild(hidden);
                Plotly.newPlot(hidden, [{type: "scattergl", mode: "markers", x: [0], y: [0], marker: {symbol: symbol, size: 4}}],
                    {width: 40, height: 40, margin: {l: 0, r: 0, t: 0, b: 0}, xaxis: {visible: false}, yaxis: {visible: false}},
                    {staticPlot: true, plotGlPixelRatio: 1, displayModeBar: false});
            }),
            next: timed(function (symbol) { Plotly.restyle(hidden, {"marker.symbol": symbol}); }),
            finish: function () {
                Plotly.purge(hidden);  // frees its WebGL context
                hidden.remove();
                hidden = null;
            },
        }, function (fn) {
            if (root.requestIdleCallback) root.requestIdleCallback(fn, {timeout: 3000});
            else root.setTimeout(fn, 50);
        });
        var screenReact = function () {
            var wanted = symbolsOf(arguments);
            if (wanted) warm(wanted[0], wanted[1]);
            return react.apply(this, withScreenRatio(arguments, root.devicePixelRatio));
        };
        Plotly.react = makeRedrawQueue(screenReact, function (fn) { root.setTimeout(fn, 0); }, record);
        Plotly.react.__hclustQueued = true;
        var Canvas = root.HTMLCanvasElement, getContext = Canvas && Canvas.prototype.getContext;
        if (getContext && !getContext.__hclustAttributes) {
            Canvas.prototype.getContext = function (kind, attributes) {
                // dcc.Graph's div (the plot's id) holds plotly's div, which holds the canvas
                var graph = this.closest && this.closest(".js-plotly-plot");
                var id = graph && graph.parentNode ? graph.parentNode.id : null;
                var rest = Array.prototype.slice.call(arguments, 2);
                return getContext.apply(this, [kind, contextAttributes(kind, attributes, id)].concat(rest));
            };
            Canvas.prototype.getContext.__hclustAttributes = true;
        }
    }
})(typeof window !== "undefined" ? window : globalThis);
