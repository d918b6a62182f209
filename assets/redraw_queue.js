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

    var api = {makeRedrawQueue: makeRedrawQueue, withScreenRatio: withScreenRatio};
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
        var react = Plotly.react;
        var screenReact = function () {
            return react.apply(this, withScreenRatio(arguments, root.devicePixelRatio));
        };
        Plotly.react = makeRedrawQueue(screenReact, function (fn) { root.setTimeout(fn, 0); }, record);
        Plotly.react.__hclustQueued = true;
    }
})(typeof window !== "undefined" ? window : globalThis);
