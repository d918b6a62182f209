// The cut's arithmetic, shared by the page and by Node: no DOM, no plotly.
//
// Given the index the server sends once per drawn dendrogram
// (components/recolour.py) and a cut height h, this repeats what the server
// computes for a horizontal cut:
// - the clusters: subtrees below the merges higher than h (fcluster 'distance'),
//   numbered as scipy's fcluster numbers them;
// - their colours, stable across cuts (hclust.cut.assign_colours);
// - link colours (hclust.dendrogram.link_colour_indices), the colours of drawn
//   leaves that are clusters by themselves (hclust.dendrogram.leaf_colour_indices),
//   point colours, the colour groups and the legend (components.figures).
// Every string both sides show comes from the index (`strings`), not from here.
// tests/js/ checks all of it against the Python functions over many random trees.
//
// Dash serves every assets/*.js as a classic script: this attaches itself to
// globalThis.hclustCut, and to module.exports under Node.
(function (root) {
    "use strict";
    var ABOVE = -2, OVERFLOW = -1;

    function unpack(text, Type) {
        var binary = atob(text), bytes = new Uint8Array(binary.length);
        for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
        return new Type(bytes.buffer);
    }

    var ARRAYS = [
        ["top_node", Int32Array], ["top_height", Float64Array], ["left", Int32Array], ["right", Int32Array],
        ["left_start", Int32Array], ["left_size", Int32Array], ["right_start", Int32Array], ["right_size", Int32Array],
        ["link_height", Float64Array], ["link_start", Int32Array], ["link_x", Float32Array], ["link_y", Float32Array],
        ["leaf_order", Int32Array], ["leaf_start", Int32Array], ["leaf_height", Float64Array],
        ["leaf_parent_height", Float64Array], ["leaf_x", Float32Array], ["leaf_y", Float32Array],
    ];

    // The index as typed arrays, with each top merge's rank by height.
    function decode(raw) {
        var index = {raw: raw, n: raw.n, root: raw.root, floor: raw.floor === null ? -Infinity : raw.floor};
        ARRAYS.forEach(function (entry) {
            index[entry[0]] = raw[entry[0]] === undefined ? new entry[1](0) : unpack(raw[entry[0]], entry[1]);
        });
        index.rank = new Map();
        for (var i = 0; i < index.top_node.length; i++) index.rank.set(index.top_node[i], i);
        return index;
    }

    // "{label}" style templates from the index, as Python's str.format fills them.
    function fill(template, values) {
        return template.replace(/\{(\w+)\}/g, function (_, key) { return String(values[key]); });
    }

    function thousands(value) {
        return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    }

    // Whether the index holds every merge a cut at h removes.
    function canCut(index, h) {
        return h >= index.floor;
    }

    // ---- the clusters of a cut, as fcluster forms and numbers them

    // spans: cluster root -> [start, size] (positions in leaf order); labels: root -> fcluster label.
    function clustersAt(index, h) {
        var removed = 0;
        while (removed < index.top_height.length && index.top_height[removed] > h) removed++;
        var isRemoved = function (node) {
            var r = index.rank.get(node);
            return r !== undefined && r < removed;
        };
        var spans = new Map();
        if (removed === 0) spans.set(index.root, [0, index.n]);
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
            if (children[0] < n) labels.set(children[0], ++next);
            if (children[1] < n) labels.set(children[1], ++next);
        }
        return labels;
    }

    // ---- stable colours, as hclust.cut.assign_colours

    // previous: [{node, colour, start, size}] of the last cut. Returns root -> palette index or OVERFLOW.
    function assignColours(spans, previous, paletteSize) {
        var roots = Array.from(spans.keys());
        var colours = new Map();
        roots.forEach(function (node) { colours.set(node, OVERFLOW); });
        var bySize = roots.slice().sort(function (a, b) {
            return (spans.get(b)[1] - spans.get(a)[1]) || (spans.get(a)[0] - spans.get(b)[0]);
        });
        var coloured = bySize.slice(0, paletteSize), isColoured = new Set(coloured);
        var taken = new Set();
        // (only coloured old clusters count: at most the palette's size)
        var old = previous.filter(function (p) { return p.colour >= 0; })
            .sort(function (a, b) { return a.start - b.start; });
        var oldColour = new Map(old.map(function (p) { return [p.node, p.colour]; }));
        coloured.forEach(function (node) {
            if (oldColour.has(node) && !taken.has(oldColour.get(node))) {
                colours.set(node, oldColour.get(node));
                taken.add(oldColour.get(node));
            }
        });
        coloured.forEach(function (node) {
            if (colours.get(node) !== OVERFLOW || !old.length) return;
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
        coloured.slice().sort(function (a, b) { return spans.get(a)[0] - spans.get(b)[0]; }).forEach(function (node) {
            if (isColoured.has(node) && colours.get(node) === OVERFLOW) colours.set(node, free.shift());
        });
        return colours;
    }

    // The last committed cut as assignColours takes it, from the colour-map store.
    function previousOf(colourMap) {
        var nodes = (colourMap && colourMap.nodes) || {}, spans = (colourMap && colourMap.spans) || {};
        return Object.keys(nodes).map(function (node) {
            var span = spans[node] || [0, 0];
            return {node: Number(node), colour: nodes[node], start: span[0], size: span[1]};
        });
    }

    function hexOf(raw, colour) {
        return colour === ABOVE ? raw.above_colour : colour === OVERFLOW ? raw.overflow_colour : raw.palette[colour];
    }

    // The scatter's marker symbol for a palette index (hclust.cut.colour_symbol).
    function symbolOf(raw, colour) {
        return colour === OVERFLOW ? raw.overflow_symbol : raw.symbols[colour];
    }

    // ---- the legend, as components.figures.cluster_legend

    function legendText(labels, spans, colours, raw) {
        var s = raw.strings, maxEntries = raw.legend_entries;
        var entries = Array.from(spans.keys()).map(function (node) {
            return {label: labels.get(node), size: spans.get(node)[1], colour: hexOf(raw, colours.get(node))};
        });
        entries.sort(function (a, b) { return (b.size - a.size) || (a.label - b.label); });
        var shown = entries.slice(0, maxEntries).sort(function (a, b) { return a.label - b.label; });
        var lines = shown.map(function (e) {
            return fill(s.legend_entry, {colour: e.colour, label: e.label, size: thousands(e.size)});
        });
        if (entries.length > maxEntries) lines.push(fill(s.legend_more, {count: entries.length - maxEntries}));
        return s.legend_title + "<br>" + lines.join("<br>");
    }

    // The legend's lines after its title, as {colour, text} (colour null for the last "… more"),
    // for a page that writes them without plotly's text parser.
    function legendLines(legend, raw) {
        var lines = legend.split("<br>").slice(1), before = raw.strings.legend_entry.split("{colour}")[0];
        return lines.map(function (line) {
            if (line.indexOf(before) !== 0) return {colour: null, text: line};
            var colour = line.slice(before.length, line.indexOf("'", before.length));
            return {colour: colour, text: line.replace(/<[^>]*>/g, "")};
        });
    }

    // ---- one cut, everything both plots show

    // Returns null when the index cannot make this cut (the server will).
    function cut(index, h, previous) {
        if (!canCut(index, h)) return null;
        var raw = index.raw, n = index.n;
        var clusters = clustersAt(index, h);
        var colours = assignColours(clusters.spans, previous, raw.palette.length);
        var positionColour = new Int16Array(n), positionLabel = new Int32Array(n);
        clusters.spans.forEach(function (span, node) {
            positionColour.fill(colours.get(node), span[0], span[0] + span[1]);
            positionLabel.fill(clusters.labels.get(node), span[0], span[0] + span[1]);
        });
        var sampleColour = new Int16Array(n), sampleLabel = new Int32Array(n);
        for (var p = 0; p < n; p++) {
            sampleColour[index.leaf_order[p]] = positionColour[p];
            sampleLabel[index.leaf_order[p]] = positionLabel[p];
        }
        var links = index.link_height.length, linkColour = new Int16Array(links);
        for (var j = 0; j < links; j++) {
            linkColour[j] = index.link_height[j] > h ? ABOVE : positionColour[index.link_start[j]];
        }
        // a drawn leaf that is a whole cluster has no link of its colour: it gets a dot
        var leaves = index.leaf_start.length, leafColour = new Int16Array(leaves);
        for (var q = 0; q < leaves; q++) {
            var isCluster = index.leaf_height[q] <= h && index.leaf_parent_height[q] > h;
            leafColour[q] = isCluster ? positionColour[index.leaf_start[q]] : ABOVE;
        }
        return {
            height: h, removed: clusters.removed, spans: clusters.spans, labels: clusters.labels, colours: colours,
            sampleColour: sampleColour, sampleLabel: sampleLabel, linkColour: linkColour, leafColour: leafColour,
            legend: legendText(clusters.labels, clusters.spans, colours, raw),
        };
    }

    // The colour-map store's shape for a cut (as callbacks/views.py writes it): what the next cut starts from.
    function colourMapOf(result, colourMap) {
        var nodes = {}, spans = {};
        result.spans.forEach(function (span, node) {
            nodes[node] = result.colours.get(node);
            spans[node] = span;
        });
        return Object.assign({}, colourMap, {nodes: nodes, spans: spans});
    }

    // ---- groups, as components.figures draws one trace per colour

    // [[colour, Int32Array of the items of that colour, ascending]], by colour
    // (ABOVE, then OVERFLOW, then the palette), skipping `skip`.
    function groupsOf(colourOf, skip) {
        var counts = new Map();
        for (var i = 0; i < colourOf.length; i++) {
            var c = colourOf[i];
            if (c !== skip) counts.set(c, (counts.get(c) || 0) + 1);
        }
        var keys = Array.from(counts.keys()).sort(function (a, b) { return a - b; });
        var groups = new Map(), filled = new Map();
        keys.forEach(function (c) { groups.set(c, new Int32Array(counts.get(c))); filled.set(c, 0); });
        for (var j = 0; j < colourOf.length; j++) {
            var colour = colourOf[j];
            if (colour === skip) continue;
            var k = filled.get(colour);
            groups.get(colour)[k] = j;
            filled.set(colour, k + 1);
        }
        return keys.map(function (c) { return [c, groups.get(c)]; });
    }

    // The scatter's traces: samples by colour (components.figures.colour_groups).
    function sampleGroups(result) {
        return groupsOf(result.sampleColour, null);
    }

    // The dendrogram's link traces, by colour (components.figures.dendrogram_figure).
    function linkGroups(result) {
        return groupsOf(result.linkColour, null);
    }

    // The drawn leaves that are clusters by themselves, by colour.
    function leafGroups(result) {
        return groupsOf(result.leafColour, ABOVE);
    }

    function linkTraceName(raw, colour) {
        return colour === ABOVE ? raw.strings.between : fill(raw.strings.link_trace, {colour: colour});
    }

    // Each link as 4 points (the last a gap), as components.figures._segments.
    function linkCoordinates(index, links) {
        var x = new Float32Array(4 * links.length), y = new Float32Array(4 * links.length);
        for (var k = 0; k < links.length; k++) {
            var j = links[k];
            x.set(index.link_x.subarray(4 * j, 4 * j + 4), 4 * k);
            y.set(index.link_y.subarray(4 * j, 4 * j + 4), 4 * k);
        }
        return {x: x, y: y};
    }

    var api = {
        ABOVE: ABOVE, OVERFLOW: OVERFLOW, decode: decode, fill: fill, canCut: canCut, clustersAt: clustersAt,
        assignColours: assignColours, previousOf: previousOf, hexOf: hexOf, symbolOf: symbolOf, legendText: legendText, legendLines: legendLines, cut: cut,
        colourMapOf: colourMapOf, sampleGroups: sampleGroups, linkGroups: linkGroups, leafGroups: leafGroups,
        linkTraceName: linkTraceName, linkCoordinates: linkCoordinates,
    };
    if (typeof module === "object" && module.exports) module.exports = api;
    root.hclustCut = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
