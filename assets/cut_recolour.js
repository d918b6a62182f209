// Recolour both plots the moment the cut line is dropped, without a round trip.
//
// The server sends an index once per drawn dendrogram (components/recolour.py)
// and the current cluster colours (the colour-map store). When the line is
// dragged to height h, this file repeats what the server computes:
// - the clusters: subtrees below the merges higher than h (fcluster 'distance'),
//   numbered as scipy's fcluster numbers them;
// - their colours, stable across cuts (hclust.cut.assign_colours);
// - link colours (hclust.dendrogram.link_colour_indices) and point colours.
// The server's own answer follows and draws the same colours; cuts it alone
// can make (other criteria, snapping, highlights, very deep cuts) are left to it.
(function () {
    var ABOVE = -2, OVERFLOW = -1;
    var state = {index: null, colourMap: null, horizontal: false, snap: false, highlight: false};

    function graph(id) {
        return document.querySelector("#" + id + " .js-plotly-plot");
    }

    function unpack(text, Type) {
        var bytes = Uint8Array.from(atob(text), function (c) { return c.charCodeAt(0); });
        return new Type(bytes.buffer);
    }

    function decode(raw) {
        var index = {raw: raw, n: raw.n, root: raw.root, floor: raw.floor === null ? -Infinity : raw.floor};
        [["top_node", Int32Array], ["top_height", Float64Array], ["left", Int32Array], ["right", Int32Array],
         ["left_start", Int32Array], ["left_size", Int32Array], ["right_start", Int32Array], ["right_size", Int32Array],
         ["link_height", Float64Array], ["link_start", Int32Array], ["link_x", Float32Array], ["link_y", Float32Array],
         ["leaf_order", Int32Array]].forEach(function (entry) {
            index[entry[0]] = unpack(raw[entry[0]], entry[1]);
        });
        index.rank = new Map();
        for (var i = 0; i < index.top_node.length; i++) {
            index.rank.set(index.top_node[i], i);
        }
        return index;
    }

    // ---- the clusters of a cut, as fcluster forms and numbers them

    function clustersAt(index, h) {
        var removed = 0;
        while (removed < index.top_height.length && index.top_height[removed] > h) {
            removed++;
        }
        var isRemoved = function (node) {
            var r = index.rank.get(node);
            return r !== undefined && r < removed;
        };
        var spans = new Map();  // cluster root -> [start, size]
        if (removed === 0) {
            spans.set(index.root, [0, index.n]);
        }
        for (var i = 0; i < removed; i++) {
            if (!isRemoved(index.left[i])) spans.set(index.left[i], [index.left_start[i], index.left_size[i]]);
            if (!isRemoved(index.right[i])) spans.set(index.right[i], [index.right_start[i], index.right_size[i]]);
        }
        return {spans: spans, removed: removed, labels: numberLikeFcluster(index, removed, isRemoved)};
    }

    // scipy's cluster_monocrit: depth first from the root; a merge that is not
    // removed is numbered on entry, the leaves of a removed merge after both
    // of its subtrees.
    function numberLikeFcluster(index, removed, isRemoved) {
        var labels = new Map(), next = 0, n = index.n;
        if (removed === 0) {
            labels.set(index.root, 1);
            return labels;
        }
        var stack = [[index.rank.get(index.root), 0]];
        while (stack.length) {
            var top = stack[stack.length - 1], r = top[0];
            var children = [index.left[r], index.right[r]];
            if (top[1] < 2) {
                var child = children[top[1]];
                top[1]++;
                if (child >= n) {
                    if (isRemoved(child)) stack.push([index.rank.get(child), 0]);
                    else labels.set(child, ++next);
                }
                continue;
            }
            stack.pop();
            children.forEach(function (leaf) { if (leaf < n) labels.set(leaf, ++next); });
        }
        return labels;
    }

    // ---- stable colours, as hclust.cut.assign_colours

    function assignColours(spans, previous, paletteSize) {
        var roots = Array.from(spans.keys());
        var colours = new Map();
        roots.forEach(function (node) { colours.set(node, OVERFLOW); });
        var bySize = roots.slice().sort(function (a, b) {
            return (spans.get(b)[1] - spans.get(a)[1]) || (spans.get(a)[0] - spans.get(b)[0]);
        });
        var coloured = new Set(bySize.slice(0, paletteSize));
        var taken = new Set();
        var old = previous.filter(function (p) { return p.colour >= 0; })
            .sort(function (a, b) { return a.start - b.start; });
        var oldColour = new Map(old.map(function (p) { return [p.node, p.colour]; }));
        bySize.forEach(function (node) {
            if (coloured.has(node) && oldColour.has(node) && !taken.has(oldColour.get(node))) {
                colours.set(node, oldColour.get(node));
                taken.add(oldColour.get(node));
            }
        });
        bySize.forEach(function (node) {
            if (!coloured.has(node) || colours.get(node) !== OVERFLOW || !old.length) return;
            var lo = spans.get(node)[0], hi = lo + spans.get(node)[1];
            var overlaps = old.map(function (p, j) {
                return [Math.min(hi, p.start + p.size) - Math.max(lo, p.start), j];
            }).sort(function (a, b) { return (b[0] - a[0]) || (a[1] - b[1]); });
            for (var k = 0; k < overlaps.length && overlaps[k][0] > 0; k++) {
                var colour = old[overlaps[k][1]].colour;
                if (!taken.has(colour)) {
                    colours.set(node, colour);
                    taken.add(colour);
                    break;
                }
            }
        });
        var free = [];
        for (var c = 0; c < paletteSize; c++) if (!taken.has(c)) free.push(c);
        Array.from(coloured).sort(function (a, b) { return spans.get(a)[0] - spans.get(b)[0]; }).forEach(function (node) {
            if (colours.get(node) === OVERFLOW) colours.set(node, free.shift());
        });
        return colours;
    }

    function hexOf(raw, colour) {
        return colour === ABOVE ? raw.above_colour : colour === OVERFLOW ? raw.overflow_colour : raw.palette[colour];
    }

    // ---- the legend, as components.figures.cluster_legend

    function legendText(labels, spans, colours, raw, maxEntries) {
        var entries = Array.from(spans.keys()).map(function (node) {
            return {label: labels.get(node), size: spans.get(node)[1], colour: hexOf(raw, colours.get(node))};
        });
        entries.sort(function (a, b) { return (b.size - a.size) || (a.label - b.label); });
        var shown = entries.slice(0, maxEntries).sort(function (a, b) { return a.label - b.label; });
        var lines = shown.map(function (e) {
            return "<span style='color:" + e.colour + "'>●</span> cluster " + e.label + " (" + e.size.toLocaleString("en-US") + ")";
        });
        if (entries.length > maxEntries) lines.push("… " + (entries.length - maxEntries) + " smaller clusters");
        return "<b>cluster (size)</b><br>" + lines.join("<br>");
    }

    function withLegend(annotations, text) {
        return (annotations || []).map(function (a) {
            return (a.text || "").indexOf("<b>cluster (size)</b>") === 0 ? Object.assign({}, a, {text: text}) : a;
        });
    }

    // ---- drawing

    function linkTraces(index, h, positionColour, template) {
        var raw = index.raw, count = index.link_height.length, groups = new Map();
        for (var j = 0; j < count; j++) {
            var colour = index.link_height[j] > h ? ABOVE : positionColour[index.link_start[j]];
            if (!groups.has(colour)) groups.set(colour, []);
            groups.get(colour).push(j);
        }
        return Array.from(groups.keys()).sort(function (a, b) { return a - b; }).map(function (colour) {
            var links = groups.get(colour), x = new Float32Array(4 * links.length), y = new Float32Array(4 * links.length);
            links.forEach(function (j, k) {
                x.set(index.link_x.subarray(4 * j, 4 * j + 4), 4 * k);
                y.set(index.link_y.subarray(4 * j, 4 * j + 4), 4 * k);
            });
            return {
                type: template.type, x: x, y: y, mode: "lines", hoverinfo: "skip", showlegend: false,
                name: colour === ABOVE ? "between clusters" : "colour " + colour,
                line: {color: hexOf(raw, colour), width: 1.5, shape: raw.line_shape},
            };
        });
    }

    // ---- the scatter: one trace per colour, as components.figures.scatter_figure

    // Every sample's position (and name) read back from the drawn traces once
    // per figure the server sent, through each point's customdata (its sample).
    function scatterPoints(gd) {
        var full = gd._fullData;
        if (!full || !full.length || !gd.data) return null;
        if (gd.__hclustPoints && gd.__hclustPoints.data === gd.data) return gd.__hclustPoints;
        var n = 0;
        full.forEach(function (t) { n += t._length || 0; });
        var x = new Float64Array(n), y = new Float64Array(n), text = full[0].text && full[0].text.length ? new Array(n) : null;
        for (var k = 0; k < full.length; k++) {
            var t = full[k];
            if (!t.customdata || t.customdata.length !== t._length) return null;
            for (var j = 0; j < t._length; j++) {
                var sample = Number(t.customdata[j]);
                if (!(sample >= 0 && sample < n)) return null;
                x[sample] = t.x[j];
                y[sample] = t.y[j];
                if (text) text[sample] = t.text[j];
            }
        }
        var template = full[0];
        gd.__hclustPoints = {data: gd.data, n: n, x: x, y: y, text: text, type: template.type, size: template.marker.size};
        return gd.__hclustPoints;
    }

    function scatterTraces(points, sampleColour, sampleLabel, raw) {
        var groups = new Map();
        for (var s = 0; s < points.n; s++) {
            var colour = sampleColour[s];
            if (!groups.has(colour)) groups.set(colour, []);
            groups.get(colour).push(s);
        }
        return Array.from(groups.keys()).sort(function (a, b) { return a - b; }).map(function (colour) {
            var samples = groups.get(colour), m = samples.length;
            var x = new Float64Array(m), y = new Float64Array(m), customdata = new Int32Array(m), text = points.text ? new Array(m) : undefined;
            var first = sampleLabel[samples[0]], oneCluster = true;
            for (var j = 0; j < m; j++) {
                var sample = samples[j];
                x[j] = points.x[sample];
                y[j] = points.y[sample];
                customdata[j] = sample;
                if (sampleLabel[sample] !== first) oneCluster = false;
                if (text) text[j] = points.text[sample];
            }
            // per-point cluster names only where one colour gathers several clusters (the pale grey)
            var hovertext = oneCluster ? [] : samples.map(function (sample) { return "cluster " + sampleLabel[sample]; });
            var hex = hexOf(raw, colour);
            return {type: points.type, x: x, y: y, mode: "markers", name: "samples " + hex, showlegend: false,
                marker: {color: hex, size: points.size, line: {width: 0}}, customdata: customdata, text: text,
                hovertext: oneCluster ? undefined : hovertext,
                hovertemplate: "sample %{customdata}" + (text ? " · %{text}" : "") + "<br>" + (oneCluster ? "cluster " + first : "%{hovertext}") +
                    "<br>%{x:.4g}, %{y:.4g}<extra></extra>"};
        });
    }

    function isLinkTrace(trace) {
        return trace.name === "between clusters" || /^colour -?\d+$/.test(trace.name || "");
    }

    // Whether a cut (at a height above the index's floor) can be recoloured here:
    // a height criterion, no snapping or highlight, and the drawn dendrogram is
    // the one the index describes.
    function canRecolour() {
        var dendrogram = graph("dendrogram");
        return Boolean(state.index && state.horizontal && !state.snap && !state.highlight && state.colourMap && window.Plotly &&
            dendrogram && dendrogram.layout && dendrogram.layout.meta && dendrogram.layout.meta.geometry === state.index.raw.geometry);
    }

    // Returns true when it recoloured both plots; false leaves the cut to the server.
    // While the line is still being dragged (`live`), the scatter follows it, and
    // so does the dendrogram when the drag is ours (`withDendrogram`: plotly's
    // own shape drag would be cut short by redrawing its plot). Either way the
    // colours start from the last committed cut, as the server's will, so the
    // live colours are the ones the release shows.
    function recolour(h, live, withDendrogram) {
        var index = state.index, dendrogram = graph("dendrogram"), scatter = graph("scatter");
        if (!canRecolour() || !scatter || !(h >= index.floor)) return false;
        // (gd.data may hold arrays still base64-encoded; _fullData has them decoded)
        var points = scatterPoints(scatter);
        if (!points || points.n !== index.n) return false;
        var raw = index.raw, n = index.n;
        var cut = clustersAt(index, h);
        // what both plots would show: skip redrawing one that already does
        var cutKey = cut.removed + "|" + index.raw.geometry;
        // a figure the server drew shows the committed cut; one this page drew, the cut it drew
        var committed = Object.keys(state.colourMap.spans || {});
        var isCommitted = committed.length === cut.spans.size && committed.every(function (node) { return cut.spans.has(Number(node)); });
        var shows = function (drawn, gd) {
            return drawn && drawn.data === gd.data ? drawn.key === cutKey && drawn.from === state.colourMap : isCommitted;
        };
        var scatterShows = shows(state.scatterShows, scatter), dendrogramShows = shows(state.dendrogramShows, dendrogram);
        if (live && scatterShows && (dendrogramShows || !withDendrogram)) return true;
        if (!live) window.hclustRecolour.last = {height: h, at: performance.now()};
        var previous = Object.keys(state.colourMap.nodes || {}).map(function (node) {
            var span = (state.colourMap.spans || {})[node] || [0, 0];
            return {node: Number(node), colour: state.colourMap.nodes[node], start: span[0], size: span[1]};
        });
        var colours = assignColours(cut.spans, previous, raw.palette.length);
        var positionColour = new Int16Array(n), positionLabel = new Int32Array(n);
        cut.spans.forEach(function (span, node) {
            positionColour.fill(colours.get(node), span[0], span[0] + span[1]);
            positionLabel.fill(cut.labels.get(node), span[0], span[0] + span[1]);
        });
        var sampleColour = new Int16Array(n), sampleLabel = new Int32Array(n);
        for (var p = 0; p < n; p++) {
            sampleColour[index.leaf_order[p]] = positionColour[p];
            sampleLabel[index.leaf_order[p]] = positionLabel[p];
        }
        var legend = legendText(cut.labels, cut.spans, colours, raw, 12);
        var links = dendrogram.data.filter(isLinkTrace);
        if (!links.length) return false;
        if (!scatterShows) {
            window.Plotly.react(scatter, scatterTraces(points, sampleColour, sampleLabel, raw),
                Object.assign({}, scatter.layout, {annotations: withLegend(scatter.layout.annotations, legend)}));
            state.scatterShows = {key: cutKey, data: scatter.data, from: state.colourMap};
            points.data = scatter.data;  // the same points, regrouped: no need to read them back
        }
        if (live && !withDendrogram) return true;
        if (!dendrogramShows) {
            var data = [dendrogram.data[0]].concat(linkTraces(index, h, positionColour, links[0]),
                dendrogram.data.slice(1).filter(function (t) { return !isLinkTrace(t); }));
            var layout = Object.assign({}, dendrogram.layout, {annotations: withLegend(dendrogram.layout.annotations, legend)});
            window.Plotly.react(dendrogram, data, layout);
            state.dendrogramShows = {key: cutKey, data: dendrogram.data, from: state.colourMap};
        }
        if (live) return true;
        // the next drag starts from these colours, as the server's next cut will
        var nodes = {}, spans = {};
        cut.spans.forEach(function (span, node) {
            if (colours.get(node) >= 0) nodes[node] = colours.get(node);
            spans[node] = span;
        });
        state.colourMap = Object.assign({}, state.colourMap, {nodes: nodes, spans: spans});
        // both plots show this committed cut
        if (state.scatterShows) state.scatterShows.from = state.colourMap;
        if (state.dendrogramShows) state.dendrogramShows.from = state.colourMap;
        window.hclustRecolour.count++;
        return true;
    }

    function cutHeight(event) {
        if (!state.index || !event) return null;
        var axis = state.index.raw.axis;
        var ends = [event["shapes[0]." + axis + "0"], event["shapes[0]." + axis + "1"]].filter(function (v) { return typeof v === "number"; });
        return ends.length ? ends.reduce(function (a, b) { return a + b; }, 0) / ends.length : null;
    }

    function onRelayout(event) {
        var h = cutHeight(event);
        pendingLive = null;
        if (h !== null) recolour(h, false);
    }

    // While the cut line is dragged the scatter follows the pointer, at most
    // once a frame (plotly reports a dragged shape only when it is dropped).
    var pendingLive = null;
    function scheduleLive(h) {
        var scheduled = pendingLive !== null;
        pendingLive = h;
        if (scheduled) return;
        window.requestAnimationFrame(function () {
            if (pendingLive !== null) recolour(pendingLive, true);
            pendingLive = null;
        });
    }

    // Draws the line at `h` without telling plotly (which would tell the
    // server): a translation of the line and its grab handle from where
    // plotly last drew them.
    function placeLine(gd, axis, vertical, h) {
        var drawn = gd._fullLayout.shapes[0][vertical ? "y0" : "x0"];
        var shift = axis.l2p(h) - axis.l2p(drawn);
        var transform = vertical ? "translate(0," + shift + ")" : "translate(" + shift + ",0)";
        gd.querySelectorAll('.shapelayer [data-index="0"]').forEach(function (element) {
            // (the line may sit in a group that carries the same index: move it once)
            if (!element.parentElement.closest('.shapelayer [data-index="0"]')) element.setAttribute("transform", transform);
        });
    }

    // Dragging the line. When this page can recolour the cut, the drag is
    // ours: both plots follow the pointer, and the release only tells plotly
    // (and through it the server) where the line now is, so the colours are
    // already on screen when the mouse is released. Otherwise plotly drags
    // the line and only the scatter follows.
    function followDrags(gd) {
        gd.addEventListener("mousedown", function (event) {
            var index = state.index, layout = gd._fullLayout;
            if (event.button !== 0 || !index || !event.target.closest || !event.target.closest(".shapelayer") || !layout || !layout.shapes || !layout.shapes[0]) return;
            var vertical = index.raw.axis === "y", axis = layout[vertical ? "yaxis" : "xaxis"];
            var rect = gd.getBoundingClientRect();
            var along = function (e) { return vertical ? e.clientY - rect.top : e.clientX - rect.left; };
            var start = vertical ? layout.shapes[0].y0 : layout.shapes[0].x0;
            var grab = axis._offset + axis.l2p(start) - along(event);
            var heightAt = function (e) { return axis.p2l(along(e) + grab - axis._offset); };
            var ours = canRecolour();
            var dragged = null, frame = null;
            if (ours) {
                event.stopPropagation();  // plotly's drag never starts
                event.preventDefault();
                if (window.Plotly.Fx) window.Plotly.Fx.unhover(gd);
            }
            var move = function (e) {
                if (!ours) { scheduleLive(heightAt(e)); return; }
                e.stopPropagation();  // no hover labels (nor hover callbacks) while the line moves
                dragged = heightAt(e);
                if (frame !== null) return;
                frame = window.requestAnimationFrame(function () {
                    frame = null;
                    recolour(dragged, true, true);
                    placeLine(gd, axis, vertical, dragged);
                });
            };
            var up = function (e) {
                document.removeEventListener("mousemove", move, true);
                document.removeEventListener("mouseup", up, true);
                pendingLive = null;
                if (!ours) return;
                e.stopPropagation();
                if (frame !== null) window.cancelAnimationFrame(frame);
                frame = null;
                if (dragged === null) return;  // a click, not a drag
                var h = heightAt(e), update = {};
                recolour(h, true, true);  // usually shown already, by the last frame
                placeLine(gd, axis, vertical, h);
                update["shapes[0]." + index.raw.axis + "0"] = h;
                update["shapes[0]." + index.raw.axis + "1"] = h;
                // as plotly's own drag ends (the relayout reaches our handler, which
                // commits the cut, and then Dash's), once the colours are painted
                window.requestAnimationFrame(function () {
                    setTimeout(function () { window.Plotly.relayout(gd, update); }, 0);
                });
            };
            document.addEventListener("mousemove", move, true);
            document.addEventListener("mouseup", up, true);
        }, true);
    }

    window.hclustRecolour = {count: 0, recolour: recolour, state: state};

    window.dash_clientside = Object.assign({}, window.dash_clientside);
    window.dash_clientside.hclust = Object.assign({}, window.dash_clientside.hclust, {
        // Keeps what recolouring needs; returns whether a dragged cut can be recoloured here.
        stashRecolour: function (index, colourMap, criterion, flags, highlight) {
            if (!index) state.index = null;
            else if (!state.index || state.index.raw !== index) state.index = decode(index);
            state.colourMap = colourMap;
            state.horizontal = criterion === "distance" || criterion === "maxclust";
            state.snap = (flags || []).indexOf("snap") >= 0;
            state.highlight = !!highlight;
            return Boolean(state.index && state.horizontal && !state.snap && !state.highlight);
        },
    });

    // Our handler runs first, and the others (dcc.Graph's, which hands the
    // relayout to Dash: a few hundred ms at 10,000 points) wait until the
    // browser has painted the new colours. Listeners are checked again
    // because dcc.Graph binds its own after its first plot.
    function deferredUntilPainted(listener) {
        var deferred = function (event) {
            window.requestAnimationFrame(function () { setTimeout(function () { listener(event); }, 0); });
        };
        deferred.__hclustDeferred = true;
        return deferred;
    }

    setInterval(function () {
        var gd = graph("dendrogram");
        if (!gd || !gd._ev || !gd._ev.listeners) return;
        var listeners = gd._ev.listeners("plotly_relayout");
        var ready = listeners.length && listeners[0] === onRelayout && listeners.every(function (l) { return l === onRelayout || l.__hclustDeferred; });
        if (ready) return;
        gd._ev.removeAllListeners("plotly_relayout");
        gd._ev.on("plotly_relayout", onRelayout);
        listeners.forEach(function (l) {
            if (l !== onRelayout) gd._ev.on("plotly_relayout", l.__hclustDeferred ? l : deferredUntilPainted(l));
        });
        if (!gd.__hclustFollowsDrags) {
            gd.__hclustFollowsDrags = true;
            followDrags(gd);
        }
    }, 250);
})();
