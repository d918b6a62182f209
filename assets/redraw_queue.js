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

    var api = {makeRedrawQueue: makeRedrawQueue};
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
        Plotly.react = makeRedrawQueue(Plotly.react, function (fn) { root.setTimeout(fn, 0); }, record);
        Plotly.react.__hclustQueued = true;
    }
})(typeof window !== "undefined" ? window : globalThis);
