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
        ["link_left", Int32Array], ["link_right", Int32Array],
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

    // The chosen links as one unbroken line per group of links that meet, and a gap after
    // each, as components.figures._tours walks them, point for point: what an SVG plot
    // draws fast (plotly makes a <path> of each piece between two gaps). The walk of a
    // group, from its top link: (xl,hl), the walk under its left child, up to (xl,h),
    // across to (xr,h), down to (xr,hr), the walk under its right child. The walk under a
    // child link, entered where its parent's leg meets its bar (x): across to (xl,h), down
    // to (xl,hl), the walk under its left child, up, across to (xr,h), down to (xr,hr), the
    // walk under its right child, up, and back across to x. links: ascending link numbers.
    function linkTour(index, links) {
        var total = index.link_left.length, chosen = new Uint8Array(total);
        for (var k = 0; k < links.length; k++) chosen[links[k]] = 1;
        var vertical = index.raw.axis === "y", lx = index.link_x, ly = index.link_y;
        // each link's corners from its 4 points (xl,hl) (xr,h) (xr,hr) gap, as leaf-axis
        // position and height whatever the orientation
        var pos = function (j, p) { return vertical ? lx[4 * j + p] : ly[4 * j + p]; };
        var hgt = function (j, p) { return vertical ? ly[4 * j + p] : lx[4 * j + p]; };
        var child = function (links_, j) { var c = links_[j]; return c >= 0 && chosen[c] ? c : -1; };
        var hasParent = new Uint8Array(total);
        for (k = 0; k < links.length; k++) {
            var l = child(index.link_left, links[k]), r = child(index.link_right, links[k]);
            if (l >= 0) hasParent[l] = 1;
            if (r >= 0) hasParent[r] = 1;
        }
        var xs = [], ys = [];
        var point = function (position, height) {
            xs.push(vertical ? position : height);
            ys.push(vertical ? height : position);
        };
        for (k = 0; k < links.length; k++) {
            var top = links[k];
            if (hasParent[top]) continue;
            // what is left to draw, last first: [POINT, x, h], or [WALK, link, x]
            var todo = [[1, child(index.link_right, top), pos(top, 1)], [0, pos(top, 1), hgt(top, 2)],
                [0, pos(top, 1), hgt(top, 1)], [0, pos(top, 0), hgt(top, 1)],
                [1, child(index.link_left, top), pos(top, 0)], [0, pos(top, 0), hgt(top, 0)]];
            while (todo.length) {
                var step = todo.pop();
                if (step[0] === 0) { point(step[1], step[2]); continue; }
                var c = step[1];
                if (c < 0) continue;
                var xl = pos(c, 0), xr = pos(c, 1), h = hgt(c, 1);
                todo.push([0, step[2], h], [0, xr, h], [1, child(index.link_right, c), xr], [0, xr, hgt(c, 2)],
                    [0, xr, h], [0, xl, h], [1, child(index.link_left, c), xl], [0, xl, hgt(c, 0)], [0, xl, h]);
            }
            xs.push(NaN);
            ys.push(NaN);
        }
        return {x: Float32Array.from(xs), y: Float32Array.from(ys)};
    }

    // ---- points drawn into pixels (the scatter while the line is dragged)

    // plotly's marker outline for a symbol (src/components/drawing/symbol_defs.js),
    // as an SVG path centred on 0,0; r is the marker's radius (size / 2). Only the
    // symbols hclust.cut.SYMBOLS and OVERFLOW_SYMBOL name; null for any other.
    function symbolPath(symbol, r) {
        var round = function (v) { return String(Math.round(v * 100) / 100); };
        var s3 = Math.sqrt(3), s2 = Math.sqrt(2);
        if (symbol === "circle") {
            var rc = round(r);
            return "M" + rc + ",0A" + rc + "," + rc + " 0 1,1 0,-" + rc + "A" + rc + "," + rc + " 0 0,1 " + rc + ",0Z";
        }
        if (symbol === "square") {
            var rs = round(r);
            return "M" + rs + "," + rs + "H-" + rs + "V-" + rs + "H" + rs + "Z";
        }
        if (symbol === "diamond") {
            var rd = round(r * 1.3);
            return "M" + rd + ",0L0," + rd + "L-" + rd + ",0L0,-" + rd + "Z";
        }
        if (symbol === "triangle-up" || symbol === "triangle-down") {
            var rt = round(r * 2 / s3), r2 = round(r / 2), ra = round(r);
            return symbol === "triangle-up" ? "M-" + rt + "," + r2 + "H" + rt + "L0,-" + ra + "Z"
                : "M-" + rt + ",-" + r2 + "H" + rt + "L0," + ra + "Z";
        }
        if (symbol === "x") {
            var rx = round(r * 0.8 / s2), ne = "l" + rx + "," + rx, se = "l" + rx + ",-" + rx;
            var sw = "l-" + rx + ",-" + rx, nw = "l-" + rx + "," + rx;
            return "M0," + rx + ne + se + sw + se + sw + nw + sw + nw + ne + nw + ne + "Z";
        }
        if (symbol === "cross") {
            var a = round(r * 0.4), b = round(r * 1.2);
            return "M" + b + "," + a + "H" + a + "V" + b + "H-" + a + "V" + a + "H-" + b + "V-" + a + "H-" + a + "V-" + b +
                "H" + a + "V-" + a + "H" + b + "Z";
        }
        if (symbol === "star") {
            var q = r * 1.4, x1 = round(q * 0.225), x2 = round(q * 0.951), x3 = round(q * 0.363), x4 = round(q * 0.588);
            var y1 = round(-q), y2 = round(q * -0.309), y3 = round(q * 0.118), y4 = round(q * 0.382), y5 = round(q * 0.809);
            return "M" + x1 + "," + y2 + "H" + x2 + "L" + x3 + "," + y3 + "L" + x4 + "," + y5 + "L0," + y4 + "L-" + x4 + "," + y5 +
                "L-" + x3 + "," + y3 + "L-" + x2 + "," + y2 + "H-" + x1 + "L0," + y1 + "Z";
        }
        if (symbol === "hexagon") {
            var h1 = round(r), h2 = round(r / 2), h3 = round(r * s3 / 2);
            return "M" + h3 + ",-" + h2 + "V" + h2 + "L0," + h1 + "L-" + h3 + "," + h2 + "V-" + h2 + "L0,-" + h1 + "Z";
        }
        return null;
    }

    // A drawn marker as the pixels it covers: from straight-alpha RGBA pixels
    // (`width` x `height`, the marker's centre at their middle), the ones not empty.
    function stampOf(rgba, width, height) {
        var dx = [], dy = [], colour = [];
        for (var y = 0; y < height; y++) {
            for (var x = 0; x < width; x++) {
                var at = 4 * (y * width + x);
                if (rgba[at + 3] === 0) continue;
                dx.push(x - (width >> 1));
                dy.push(y - (height >> 1));
                colour.push([rgba[at], rgba[at + 1], rgba[at + 2], rgba[at + 3]]);
            }
        }
        return {dx: Int32Array.from(dx), dy: Int32Array.from(dy), colour: colour};
    }

    // A stamp's pixels for an image `width` wide: each pixel's offset from the centre
    // in the image's 32-bit words, its colour as one word (the bytes as the image holds
    // them, whatever the machine's byte order) and its alpha; and the stamp's extent.
    // Made once per stamp and width.
    function stampWords(stamp, width) {
        if (stamp.words && stamp.words.width === width) return stamp.words;
        var m = stamp.dx.length, offset = new Int32Array(m), word = new Uint32Array(m), alpha = new Uint8Array(m);
        var bytes = new Uint8Array(word.buffer), left = 0, right = 0, top = 0, bottom = 0;
        var red = new Uint8Array(m), green = new Uint8Array(m), blue = new Uint8Array(m);
        for (var k = 0; k < m; k++) {
            offset[k] = stamp.dy[k] * width + stamp.dx[k];
            bytes.set(stamp.colour[k], 4 * k);
            red[k] = stamp.colour[k][0];
            green[k] = stamp.colour[k][1];
            blue[k] = stamp.colour[k][2];
            alpha[k] = stamp.colour[k][3];
            left = Math.min(left, stamp.dx[k]);
            right = Math.max(right, stamp.dx[k]);
            top = Math.min(top, stamp.dy[k]);
            bottom = Math.max(bottom, stamp.dy[k]);
        }
        stamp.words = {width: width, offset: offset, word: word, alpha: alpha, red: red, green: green, blue: blue,
            left: left, right: right, top: top, bottom: bottom};
        return stamp.words;
    }

    // One stamp pixel over the image's pixel `at` (bytes), source over, straight alpha:
    // out = src·a + dst·b·(1 − a), over out's alpha.
    function blend(data, at, c) {
        var sa = c[3];
        if (sa === 255 || data[at + 3] === 0) {
            data[at] = c[0]; data[at + 1] = c[1]; data[at + 2] = c[2]; data[at + 3] = sa;
            return;
        }
        var da = data[at + 3] * (255 - sa) / 255, oa = sa + da;
        for (var ch = 0; ch < 3; ch++) data[at + ch] = Math.round((c[ch] * sa + data[at + ch] * da) / oa);
        data[at + 3] = Math.round(oa);
    }

    // Draws each group's samples, group after group (a later one on top, as plotly
    // draws later traces over earlier ones), into `image` ({width, height, data}:
    // straight-alpha RGBA, as an ImageData holds it), source over, clipped to it.
    // Sample s is centred on the pixel that holds (px[s], py[s]); `stampFor(colour)`
    // gives its group's stamp (stampOf). Non-finite positions are not drawn.
    // `clip` ({x0, y0, x1, y1}, optional) draws only the pixels x0 <= x < x1, y0 <= y < y1.
    function paintPoints(image, groups, px, py, stampFor, clip) {
        var width = image.width, height = image.height, data = image.data;
        var x0 = clip ? Math.max(0, clip.x0) : 0, y0 = clip ? Math.max(0, clip.y0) : 0;
        var x1 = clip ? Math.min(width, clip.x1) : width, y1 = clip ? Math.min(height, clip.y1) : height;
        // (32-bit words: an opaque pixel is one store; the image's bytes are 4-aligned)
        var words = new Uint32Array(data.buffer, data.byteOffset, width * height);
        for (var g = 0; g < groups.length; g++) {
            var stamp = stampFor(groups[g][0]), samples = groups[g][1], m = stamp.dx.length;
            var w = stampWords(stamp, width), offset = w.offset, word = w.word, alpha = w.alpha;
            var red = w.red, green = w.green, blue = w.blue;
            for (var i = 0; i < samples.length; i++) {
                var cx = Math.floor(px[samples[i]]), cy = Math.floor(py[samples[i]]);
                if (!(cx + w.right >= x0 && cx + w.left < x1 && cy + w.bottom >= y0 && cy + w.top < y1)) continue;
                var k;
                if (cx + w.left >= x0 && cx + w.right < x1 && cy + w.top >= y0 && cy + w.bottom < y1) {
                    // the whole stamp inside: no pixel to clip
                    var base = cy * width + cx;
                    for (k = 0; k < m; k++) {
                        var at = base + offset[k], sa = alpha[k];
                        if (sa === 255 || words[at] === 0) {
                            words[at] = word[k];
                            continue;
                        }
                        // (blend, inline: the edges of overlapping markers are most of a dense plot's pixels)
                        var b = 4 * at, dst = data[b + 3];
                        if (dst === 0) {
                            words[at] = word[k];
                            continue;
                        }
                        var da = dst * (255 - sa) / 255, oa = sa + da;
                        data[b] = Math.round((red[k] * sa + data[b] * da) / oa);
                        data[b + 1] = Math.round((green[k] * sa + data[b + 1] * da) / oa);
                        data[b + 2] = Math.round((blue[k] * sa + data[b + 2] * da) / oa);
                        data[b + 3] = Math.round(oa);
                    }
                    continue;
                }
                for (k = 0; k < m; k++) {
                    var x = cx + stamp.dx[k], y = cy + stamp.dy[k];
                    if (x < x0 || y < y0 || x >= x1 || y >= y1) continue;
                    blend(data, 4 * (y * width + x), stamp.colour[k]);
                }
            }
        }
        return image;
    }

    // ---- repainting only what a cut changes (the scatter while the line is dragged)

    // Which samples can draw into each `tile` x `tile` square of a `width` x `height`
    // image: those whose centre pixel (px, py as paintPoints takes them) lies within
    // `reach` pixels of the square (a stamp's pixels lie within `reach` of its centre).
    // Returns {tile, columns, rows, start, samples}: the samples of square t (row-major)
    // are samples[start[t]] ... samples[start[t + 1] - 1], ascending. Made once per
    // figure and zoom.
    function tilesOf(px, py, width, height, tile, reach) {
        var columns = Math.max(1, Math.ceil(width / tile)), rows = Math.max(1, Math.ceil(height / tile));
        var count = new Int32Array(columns * rows + 1), n = px.length;
        var grid = {tile: tile, columns: columns, rows: rows, reach: reach};
        var each = function (s, visit) { squaresReached(grid, width, height, px[s], py[s], visit); };
        for (var s = 0; s < n; s++) each(s, function (t) { count[t + 1]++; });
        var start = new Int32Array(columns * rows + 1);
        for (var t = 0; t < columns * rows; t++) start[t + 1] = start[t] + count[t + 1];
        var samples = new Int32Array(start[columns * rows]), filled = start.slice(0, columns * rows);
        for (s = 0; s < n; s++) each(s, function (t) { samples[filled[t]++] = s; });
        return {tile: tile, columns: columns, rows: rows, reach: reach, start: start, samples: samples};
    }

    // Visits (row-major index) each square of `grid` ({tile, columns, rows, reach}) over a
    // `width` x `height` image that a sample centred at (x, y) can draw into; false when
    // it can draw into none.
    function squaresReached(grid, width, height, x, y, visit) {
        var cx = Math.floor(x), cy = Math.floor(y), tile = grid.tile, reach = grid.reach;
        if (!(cx + reach >= 0 && cx - reach < width && cy + reach >= 0 && cy - reach < height)) return false;
        var c0 = Math.max(0, Math.floor((cx - reach) / tile)), c1 = Math.min(grid.columns - 1, Math.floor((cx + reach) / tile));
        var r0 = Math.max(0, Math.floor((cy - reach) / tile)), r1 = Math.min(grid.rows - 1, Math.floor((cy + reach) / tile));
        for (var r = r0; r <= r1; r++) for (var c = c0; c <= c1; c++) visit(r * grid.columns + c);
        return true;
    }

    // Repaints, in `image` painted (by paintPoints) with the colours `before` (one per
    // sample, as cut().sampleColour), what differs with the colours `after`: every
    // square of `tiles` that a sample whose colour changed can draw into is cleared and
    // drawn again, all its samples in paintPoints' order (by colour, ascending, then by
    // sample). The image then holds what paintPoints draws for `after` alone.
    // Returns the squares' bounding box {x0, y0, x1, y1} (pixels; x1, y1 excluded), or
    // null when no colour changed.
    function repaintChanged(image, tiles, before, after, px, py, stampFor) {
        var columns = tiles.columns, rows = tiles.rows, tile = tiles.tile;
        var dirty = new Uint8Array(columns * rows), any = false;
        var mark = function (t) { dirty[t] = 1; };
        for (var s = 0; s < after.length; s++) {
            if (before[s] === after[s]) continue;
            if (squaresReached(tiles, image.width, image.height, px[s], py[s], mark)) any = true;
        }
        if (!any) return null;
        var words = new Uint32Array(image.data.buffer, image.data.byteOffset, image.width * image.height);
        var box = {x0: image.width, y0: image.height, x1: 0, y1: 0};
        for (var t = 0; t < columns * rows; t++) {
            if (!dirty[t]) continue;
            var x0 = (t % columns) * tile, y0 = Math.floor(t / columns) * tile;
            var x1 = Math.min(image.width, x0 + tile), y1 = Math.min(image.height, y0 + tile);
            for (var y = y0; y < y1; y++) words.fill(0, y * image.width + x0, y * image.width + x1);
            var inside = tiles.samples.subarray(tiles.start[t], tiles.start[t + 1]);
            paintPoints(image, groupsOf(Array.from(inside, function (q) { return after[q]; }), null).map(function (group) {
                return [group[0], Int32Array.from(group[1], function (k) { return inside[k]; })];
            }), px, py, stampFor, {x0: x0, y0: y0, x1: x1, y1: y1});
            box.x0 = Math.min(box.x0, x0);
            box.y0 = Math.min(box.y0, y0);
            box.x1 = Math.max(box.x1, x1);
            box.y1 = Math.max(box.y1, y1);
        }
        return box;
    }

    // ---- the cut for a typed k, as hclust.cut.height_for_k finds it

    // The next double after x towards +Infinity or -Infinity (numpy.nextafter).
    function nextAfter(x, up) {
        if (!isFinite(x)) return x;
        if (x === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
        var bits = new BigInt64Array(new Float64Array([x]).buffer);
        bits[0] += (x > 0) === up ? 1n : -1n;
        return new Float64Array(bits.buffer)[0];
    }

    // hclust.cut.cut_in_gap: the middle of [low, high) when it lies strictly inside.
    function cutInGap(low, high) {
        var middle = isFinite(low + high) ? (low + high) / 2 : low / 2 + high / 2;
        if (low < middle && middle < high) return middle;
        var above = nextAfter(low, true);
        return above < high ? above : low;
    }

    // hclust.cut.above_top: a height above the highest merge.
    function aboveTop(top) {
        var height = top + Math.max(Math.abs(top) * 0.05, 1e-9);
        return isFinite(height) ? height : nextAfter(top, true);
    }

    // The height the server's height_for_k gives for k clusters, or null where it
    // gives none (ties make k impossible, k out of range) or the index does not
    // hold the merges k needs (the server then answers alone). The index's
    // top_height lists the highest merges in descending order: sorted_heights read
    // from the top, and `floor` the next one down.
    function heightForK(index, k) {
        var n = index.n, top = index.top_height, held = top.length;
        if (!Number.isInteger(k) || k < 1 || k > n || held === 0) return null;
        if (k === 1) return aboveTop(top[0]);
        if (k - 2 >= held) return null;
        var high = top[k - 2], low;
        if (k === n) {
            low = 0;
            if (high <= 0) return null;
        } else if (k - 1 < held) {
            low = top[k - 1];
        } else if (index.floor !== -Infinity) {
            low = index.floor;
        } else {
            return null;
        }
        if (high <= low) return null;
        var h = cutInGap(low, high);
        // never offer a cut that is not k (fcluster joins merges at or below h)
        if (!canCut(index, h) || clustersAt(index, h).removed + 1 !== k) return null;
        return h;
    }

    // ---- the cut line while it is dragged

    // The ends of a straight line drawn by an SVG path "M x0,y0 L x1,y1" (plotly's line
    // shape), as {x0, y0, x1, y1}; null for any other path.
    function lineSegment(d) {
        var match = /^\s*M\s*(-?[\d.e+-]+)[\s,]+(-?[\d.e+-]+)\s*L\s*(-?[\d.e+-]+)[\s,]+(-?[\d.e+-]+)\s*$/i.exec(String(d || ""));
        if (!match) return null;
        var v = match.slice(1).map(Number);
        return v.every(Number.isFinite) ? {x0: v[0], y0: v[1], x1: v[2], y1: v[3]} : null;
    }

    // How far (CSS pixels, whole) to move a line drawn at pixel `drawn` to show it at pixel
    // `at`: whole pixels, so that its edges fall on the pixels plotly's own line covers.
    function lineShift(at, drawn) {
        var shift = Math.round(at - drawn);
        return Number.isFinite(shift) ? shift + 0 : 0;  // (+ 0: no -0)
    }

    var api = {
        ABOVE: ABOVE, OVERFLOW: OVERFLOW, decode: decode, fill: fill, canCut: canCut, clustersAt: clustersAt,
        assignColours: assignColours, previousOf: previousOf, hexOf: hexOf, symbolOf: symbolOf, legendText: legendText, legendLines: legendLines, cut: cut,
        colourMapOf: colourMapOf, sampleGroups: sampleGroups, linkGroups: linkGroups, leafGroups: leafGroups,
        linkTraceName: linkTraceName, linkCoordinates: linkCoordinates, linkTour: linkTour, symbolPath: symbolPath, stampOf: stampOf,
        paintPoints: paintPoints, tilesOf: tilesOf, repaintChanged: repaintChanged, lineSegment: lineSegment, lineShift: lineShift,
        heightForK: heightForK, cutInGap: cutInGap, nextAfter: nextAfter,
    };
    if (typeof module === "object" && module.exports) module.exports = api;
    root.hclustCut = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
