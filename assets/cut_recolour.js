// Recolour both plots while the cut line is dragged, without a round trip.
//
// What to draw comes from assets/cut_core.js (pure, tested under Node against
// the Python side). This file is its adapter to plotly: the only place that
// touches plotly's internals (the drawn traces in _fullData, the shape, axes
// and plot area in _fullLayout, an axis's _offset and c2p, the WebGL canvas a
// live frame draws over) and the DOM. The server's own
// answer follows and draws the same colours; cuts it alone can make (other
// criteria, snapping, highlights, very deep cuts) are left to it.
(function () {
    var state = {index: null, colourMap: null, horizontal: false, snap: false, highlight: false, cut: null};

    function core() {
        return window.hclustCut;  // assets/cut_core.js (Dash loads assets in name order)
    }

    function graph(id) {
        return document.querySelector("#" + id + " .js-plotly-plot");
    }

    // ---- reading what plotly drew

    // Every sample's position (and name) read back from the scatter's drawn traces
    // once per figure the server sent, through each point's customdata (its sample).
    // (gd.data may hold arrays still base64-encoded; _fullData has them decoded.)
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
        var template = full[0], old = gd.__hclustPoints;
        var points = {data: gd.data, n: n, x: x, y: y, text: text, type: template.type, size: template.marker.size};
        // the server's answer to a cut draws the same points in new colours: their pixels
        // (and squares, and what the live canvas holds of them) still hold
        if (old && old.pixels && old.n === n && old.size === points.size && same(old.x, x) && same(old.y, y)) points.pixels = old.pixels;
        gd.__hclustPoints = points;
        return points;
    }

    function same(a, b) {
        for (var i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
        return a.length === b.length;
    }

    function isLinkTrace(raw, trace) {
        var name = trace.name || "", pattern = raw.strings.link_trace.replace("{colour}", "-?\\d+");
        return name === raw.strings.between || new RegExp("^" + pattern + "$").test(name);
    }

    function isLeafTrace(raw, trace) {
        return trace.name === raw.strings.leaf_trace;
    }

    function withLegend(raw, annotations, text) {
        return (annotations || []).map(function (a) {
            return (a.text || "").indexOf(raw.strings.legend_title) === 0 ? Object.assign({}, a, {text: text}) : a;
        });
    }

    // ---- drawing a cut

    function scatterTraces(points, result, raw) {
        var C = core(), s = raw.strings, names = new Map();
        var nameOf = function (label) {  // once per cluster, not once per point
            if (!names.has(label)) names.set(label, C.fill(s.cluster, {label: label}));
            return names.get(label);
        };
        return C.sampleGroups(result).map(function (group) {
            var colour = group[0], samples = group[1], m = samples.length;
            var x = new Float64Array(m), y = new Float64Array(m), text = points.text ? new Array(m) : undefined;
            var first = result.sampleLabel[samples[0]], oneCluster = true;
            for (var j = 0; j < m; j++) {
                var sample = samples[j];
                x[j] = points.x[sample];
                y[j] = points.y[sample];
                if (result.sampleLabel[sample] !== first) oneCluster = false;
                if (text) text[j] = points.text[sample];
            }
            // per-point cluster names only where one colour gathers several clusters (the pale grey)
            var hovertext = oneCluster ? undefined : Array.from(samples, function (sample) {
                return nameOf(result.sampleLabel[sample]);
            });
            var hex = C.hexOf(raw, colour);
            return {type: points.type, x: x, y: y, mode: "markers", name: C.fill(s.scatter_trace, {colour: hex}), showlegend: false,
                marker: {color: hex, symbol: C.symbolOf(raw, colour), size: points.size, line: {width: 0}}, customdata: samples, text: text, hovertext: hovertext,
                hovertemplate: "sample %{customdata}" + (text ? " · %{text}" : "") + "<br>" +
                    (oneCluster ? C.fill(s.cluster, {label: first}) : "%{hovertext}") + "<br>%{x:.4g}, %{y:.4g}<extra></extra>"};
        });
    }

    function dendrogramTraces(index, result, template) {
        var C = core(), raw = index.raw;
        // SVG: one unbroken line per group of links that meet; WebGL: a gap after each link
        var svg = template.type === "scatter";
        var traces = C.linkGroups(result).map(function (group) {
            var xy = svg ? C.linkTour(index, group[1]) : C.linkCoordinates(index, group[1]);
            return {type: template.type, x: xy.x, y: xy.y, mode: "lines", hoverinfo: "skip", showlegend: false,
                name: C.linkTraceName(raw, group[0]),
                line: {color: C.hexOf(raw, group[0]), width: 1.5, shape: svg ? "linear" : raw.line_shape}};
        });
        var leaves = [];
        for (var q = 0; q < result.leafColour.length; q++) if (result.leafColour[q] !== C.ABOVE) leaves.push(q);
        if (leaves.length) {
            traces.push({type: template.type, mode: "markers", hoverinfo: "skip", showlegend: false, name: raw.strings.leaf_trace,
                x: leaves.map(function (q) { return index.leaf_x[q]; }), y: leaves.map(function (q) { return index.leaf_y[q]; }),
                marker: {size: raw.leaf_dot_size, line: {width: 0}, color: leaves.map(function (q) { return C.hexOf(raw, result.leafColour[q]); })},
                cliponaxis: false});
        }
        return traces;
    }

    // plotly internal: the WebGL scene of a scattergl plot (its regl-scatter2d and options)
    function glScene(gd) {
        var plot = gd._fullLayout && gd._fullLayout._plots && gd._fullLayout._plots.xy;
        var scene = plot && plot._scene;
        return scene && scene.scatter2d && scene.markerOptions ? scene : null;
    }

    // While the line moves, and from the release until the server's answer is drawn, a
    // plot's new colours are drawn into a 2D canvas laid over its plot area, and what
    // plotly drew of its traces (the WebGL canvas, or the SVG trace layer) is hidden
    // under it until plotly draws the plot again (the server's answer). Redrawing
    // through plotly took 200-400 ms a frame for the WebGL scatter of 10,000 points in a
    // software renderer, ~30 ms for the WebGL dendrogram, and 100-350 ms for each SVG
    // plot of X2 at deep cuts (issue 12 §5); the 2D canvas takes a few ms. And the
    // plot is redrawn once per cut, by the server's answer, not twice.
    function overlayHost(gd) {
        if (glScene(gd)) {
            var context = gd.querySelector(".gl-canvas-context");
            return context ? {after: context, hides: context} : null;
        }
        var layer = gd.querySelector(".cartesianlayer .scatterlayer"), paper = gd.querySelector(".svg-container > svg.main-svg");
        var types = (gd._fullData || []).every(function (t) { return t.type === "scatter"; });
        // (over the plot's own SVG, its axes and line: under the legend and hover labels of the svg after it)
        return types && layer && paper ? {after: paper, hides: layer} : null;
    }

    function overlayOf(gd) {
        var layout = gd._fullLayout, host = overlayHost(gd);
        if (!host || !layout || !layout.xaxis || !layout.yaxis) return null;
        var ratio = window.devicePixelRatio || 1, size = layout._size;
        var width = Math.round(size.w * ratio), height = Math.round(size.h * ratio);
        if (!(width > 0 && height > 0)) return null;
        var canvas = gd.__hclustOverlay;
        if (!canvas) {
            canvas = gd.__hclustOverlay = document.createElement("canvas");
            canvas.className = "hclust-live-overlay";
            canvas.setAttribute("aria-hidden", "true");
            canvas.style.position = "absolute";
            canvas.style.pointerEvents = "none";
            canvas.style.display = "none";  // (until showOverlay: warm() paints it unseen)
            gd.__hclustDrop = function () { dropOverlay(gd); renewLiveLegend(gd); };
        }
        // plotly draws the plot again: the overlay goes (bound at each paint: a purged plot loses listeners)
        if (gd.removeListener) gd.removeListener("plotly_afterplot", gd.__hclustDrop);
        gd.on("plotly_afterplot", gd.__hclustDrop);
        if (canvas.previousSibling !== host.after) host.after.parentNode.insertBefore(canvas, host.after.nextSibling);
        if (canvas.width !== width || canvas.height !== height) {
            canvas.width = width;
            canvas.height = height;
        }
        canvas.style.left = size.l + "px";
        canvas.style.top = size.t + "px";
        canvas.style.width = size.w + "px";
        canvas.style.height = size.h + "px";
        return {canvas: canvas, hides: host.hides, ratio: ratio, width: width, height: height,
            xaxis: layout.xaxis, yaxis: layout.yaxis};
    }

    function showOverlay(gd, overlay) {
        overlay.canvas.style.display = "";
        if (gd.__hclustHidden && gd.__hclustHidden !== overlay.hides) gd.__hclustHidden.style.visibility = "";
        overlay.hides.style.visibility = "hidden";
        gd.__hclustHidden = overlay.hides;
    }

    function dropOverlay(gd) {
        var canvas = gd.__hclustOverlay;
        if (canvas) canvas.style.display = "none";
        if (gd.__hclustHidden) gd.__hclustHidden.style.visibility = "";
        gd.__hclustHidden = null;
    }

    // The scatter's points in their new colours and symbols, shown over the plot unless
    // `unseen` (warm()). Returns the colour drawn per sample.
    function paintScatterLive(gd, points, result, raw, unseen) {
        var overlay = overlayOf(gd), C = core();
        if (!overlay) return null;
        var pixels = pixelsOf(points, overlay.xaxis, overlay.yaxis, overlay.ratio);
        var stamps = stampsOf(gd, points.size, overlay.ratio);
        var stampFor = function (colour) {
            var hex = C.hexOf(raw, colour), symbol = C.symbolOf(raw, colour), key = hex + symbol;
            if (!stamps[key]) stamps[key] = drawStamp(hex, symbol, points.size, overlay.ratio).pixels;
            return stamps[key];
        };
        var draw = overlay.canvas.getContext("2d"), image = gd.__hclustImage, painted = gd.__hclustPainted;
        var colours = result.sampleColour, changed = 0;
        if (!image || image.width !== overlay.width || image.height !== overlay.height) {
            image = gd.__hclustImage = draw.createImageData(overlay.width, overlay.height);
            painted = null;
        }
        // whether the canvas holds `image` as painted last: these pixels, markers and palette
        var holds = Boolean(painted && painted.pixels === pixels && painted.stamps === stamps &&
            painted.canvas === overlay.canvas && painted.raw === raw);
        if (holds) {
            for (var s = 0; s < colours.length; s++) changed += painted.colours[s] !== colours[s];
        }
        if (holds && changed <= colours.length / 2) {
            // a merge crossed: repaint the squares where a sample changed colour (a few ms, not the
            // whole plot): the same pixels as painting every sample again (tests/js/cut_pixels.test.js)
            var box = C.repaintChanged(image, tilesOf(pixels, overlay), painted.colours, colours, pixels.x, pixels.y, stampFor);
            if (box) draw.putImageData(image, 0, 0, box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
        } else {
            // one image per size, cleared: no 3 MB to allocate per frame (in 32-bit words: 4 times fewer)
            new Uint32Array(image.data.buffer, image.data.byteOffset, overlay.width * overlay.height).fill(0);
            window.hclustRecolour.fullPaints++;
            C.paintPoints(image, C.sampleGroups(result), pixels.x, pixels.y, stampFor);
            draw.putImageData(image, 0, 0);
        }
        // (raw: a colour's number names a hex and a symbol of this index's palette)
        gd.__hclustPainted = {pixels: pixels, stamps: stamps, canvas: overlay.canvas, raw: raw, colours: colours.slice()};
        if (!unseen) showOverlay(gd, overlay);
        var groups = C.sampleGroups(result), drawn = new Array(colours.length);
        for (var g = 0; g < groups.length; g++) {
            var hex = C.hexOf(raw, groups[g][0]), samples = groups[g][1];
            for (var j = 0; j < samples.length; j++) drawn[samples[j]] = hex;
        }
        return drawn;
    }

    // Which samples can draw into each square of the plot area (core().tilesOf), once per figure and zoom.
    function tilesOf(pixels, overlay) {
        var tiles = pixels.tiles;
        if (tiles && tiles.width === overlay.width && tiles.height === overlay.height) return tiles;
        var reach = stampSide(pixels.size, overlay.ratio) >> 1;
        tiles = pixels.tiles = core().tilesOf(pixels.x, pixels.y, overlay.width, overlay.height, 64, reach);
        tiles.width = overlay.width;
        tiles.height = overlay.height;
        return tiles;
    }

    function stampsOf(gd, size, ratio) {
        var key = size + "|" + ratio;
        if (!gd.__hclustStamps || gd.__hclustStamps.key !== key) gd.__hclustStamps = {key: key};
        return gd.__hclustStamps;
    }

    // Each sample's pixel in the plot area (device pixels), once per figure and zoom.
    function pixelsOf(points, xaxis, yaxis, ratio) {
        var key = [xaxis._m, xaxis._b, yaxis._m, yaxis._b, ratio].join("|");
        if (points.pixels && points.pixels.key === key) return points.pixels;
        var x = new Float32Array(points.n), y = new Float32Array(points.n);
        for (var s = 0; s < points.n; s++) {
            x[s] = xaxis.c2p(points.x[s]) * ratio;
            y[s] = yaxis.c2p(points.y[s]) * ratio;
        }
        points.pixels = {key: key, x: x, y: y, size: points.size};
        return points.pixels;
    }

    // One marker of a colour and symbol, drawn once by the canvas from plotly's outline:
    // the canvas (for drawImage) and its pixels (core().paintPoints).
    function stampSide(size, ratio) {
        var side = Math.ceil(1.6 * size * ratio) + 3;
        return side + (side % 2 ? 0 : 1);  // odd: the centre is a pixel
    }

    function drawStamp(hex, symbol, size, ratio) {
        var side = stampSide(size, ratio);
        var canvas = document.createElement("canvas");
        canvas.width = canvas.height = side;
        var draw = canvas.getContext("2d"), path = core().symbolPath(symbol, size / 2) || core().symbolPath("circle", size / 2);
        draw.translate(side / 2, side / 2);
        draw.scale(ratio, ratio);
        draw.fillStyle = hex;
        draw.fill(new Path2D(path));
        return {canvas: canvas, pixels: core().stampOf(draw.getImageData(0, 0, side, side).data, side, side)};
    }

    // As a drag starts, before the pointer moves: the scatter's points, their pixels, the
    // squares they draw into and a marker of every colour, and the dendrogram's traces that
    // no cut changes, so that the first frame that recolours does not make them.
    function prepare(raw) {
        var dendrogram = graph("dendrogram"), over = dendrogram && dendrogram._fullData && overlayOf(dendrogram);
        if (over) dendrogramLayers(dendrogram, over, raw);
        var gd = graph("scatter"), points = gd && scatterPoints(gd), overlay = points && overlayOf(gd);
        if (!overlay) return;
        tilesOf(pixelsOf(points, overlay.xaxis, overlay.yaxis, overlay.ratio), overlay);
        var stamps = stampsOf(gd, points.size, overlay.ratio), C = core();
        raw.palette.map(function (_, c) { return c; }).concat([C.OVERFLOW]).forEach(function (colour) {
            var hex = C.hexOf(raw, colour), symbol = C.symbolOf(raw, colour);
            if (!stamps[hex + symbol]) stamps[hex + symbol] = drawStamp(hex, symbol, points.size, overlay.ratio).pixels;
        });
    }

    // A colour plotly draws as good as invisible (the hover targets' rgba(0,0,0,0.01)).
    function invisible(colour) {
        var match = /^rgba\(.*,\s*([\d.]+)\)$/.exec(String(colour));
        return match !== null && Number(match[1]) < 0.05;
    }

    // Strokes the points of a lines trace (NaN: a gap) as plotly draws its line shape: the
    // steps 'vh' or 'hv', or 'linear', straight from point to point (an SVG tree's walks,
    // components.figures._tours).
    function strokeSteps(draw, xs, ys, count, shape, overlay) {
        var X = overlay.xaxis, Y = overlay.yaxis, r = overlay.ratio, open = false, px = 0, py = 0;
        for (var i = 0; i < count; i++) {
            var x = xs[i], y = ys[i];
            if (!(isFinite(x) && isFinite(y))) { open = false; continue; }
            var qx = X.c2p(x) * r, qy = Y.c2p(y) * r;
            if (!open) draw.moveTo(qx, qy);
            else if (shape === "linear") draw.lineTo(qx, qy);
            else if (shape === "vh") { draw.lineTo(px, qy); draw.lineTo(qx, qy); }
            else { draw.lineTo(qx, py); draw.lineTo(qx, qy); }
            open = true;
            px = qx;
            py = qy;
        }
    }

    // Dots of a markers trace, a stamp each (a stamp per colour and size, cached on the plot).
    function drawDots(draw, gd, overlay, xs, ys, count, colourOf, size) {
        var X = overlay.xaxis, Y = overlay.yaxis, r = overlay.ratio, stamps = stampsOf(gd, "dots", r);
        for (var i = 0; i < count; i++) {
            var hex = colourOf(i);
            if (!(isFinite(xs[i]) && isFinite(ys[i])) || invisible(hex)) continue;
            var key = hex + "|" + size;
            if (!stamps[key]) stamps[key] = drawStamp(hex, "circle", size, r).canvas;
            var image = stamps[key], half = image.width / 2;
            draw.drawImage(image, Math.floor(X.c2p(xs[i]) * r) + 0.5 - half, Math.floor(Y.c2p(ys[i]) * r) + 0.5 - half);
        }
    }

    function drawTrace(draw, gd, overlay, trace) {
        if (trace.mode === "lines") {
            draw.beginPath();
            strokeSteps(draw, trace.x, trace.y, trace._length, trace.line.shape, overlay);
            draw.strokeStyle = trace.line.color;
            draw.lineWidth = trace.line.width * overlay.ratio;
            draw.stroke();
        } else if (trace.mode === "markers" && trace.marker) {
            var colour = trace.marker.color;
            drawDots(draw, gd, overlay, trace.x, trace.y, trace._length,
                Array.isArray(colour) ? function (i) { return colour[i]; } : function () { return colour; }, trace.marker.size);
        }
    }

    // What the dendrogram draws that no cut changes (every trace but the links and the
    // one-leaf dots: the contracted merges' dots, pins, annotations), in plotly's order,
    // drawn once per figure, zoom and size into two canvases: the traces before the links
    // and those after them. A frame copies them in: 1 drawImage, not one per dot.
    function dendrogramLayers(gd, overlay, raw) {
        var X = overlay.xaxis, Y = overlay.yaxis, full = gd._fullData;
        var key = [X._m, X._b, Y._m, Y._b, overlay.ratio, overlay.width, overlay.height].join("|");
        var layers = gd.__hclustLayers;
        if (layers && layers.full === full && layers.key === key) return layers;
        layers = gd.__hclustLayers = {full: full, key: key, before: null, after: null};
        var linksSeen = false;
        for (var k = 1; k < full.length; k++) {  // (trace 0: the merges' hover targets)
            var trace = full[k];
            if (trace.visible === false) continue;
            if (isLinkTrace(raw, trace)) { linksSeen = true; continue; }
            if (isLeafTrace(raw, trace)) continue;  // drawn with the links, in the cut's colours
            if (!(trace.mode === "lines" || (trace.mode === "markers" && trace.marker))) continue;
            var which = linksSeen ? "after" : "before";
            if (!layers[which]) {
                var canvas = document.createElement("canvas");
                canvas.width = overlay.width;
                canvas.height = overlay.height;
                layers[which] = canvas;
            }
            var draw = layers[which].getContext("2d");
            draw.lineJoin = "miter";
            draw.lineCap = "butt";
            drawTrace(draw, gd, overlay, trace);
        }
        return layers;
    }

    // The dendrogram with the cut's link colours (and its one-leaf cluster dots), every
    // other trace as plotly drew it, in plotly's order, shown over the plot unless `unseen`
    // (warm()). Returns the colour drawn per link.
    function paintDendrogramLive(gd, index, result, unseen) {
        var overlay = overlayOf(gd), full = gd._fullData, raw = index.raw, C = core();
        if (!overlay || !full) return null;
        var draw = overlay.canvas.getContext("2d"), r = overlay.ratio;
        var drawn = new Array(result.linkColour.length), traces = [], oneLeaf = [];
        var layers = dendrogramLayers(gd, overlay, raw);
        draw.clearRect(0, 0, overlay.width, overlay.height);
        if (layers.before) draw.drawImage(layers.before, 0, 0);
        draw.lineJoin = "miter";
        draw.lineCap = "butt";
        var linkTrace = full.find(function (t) { return t.visible !== false && isLinkTrace(raw, t); });
        if (linkTrace) {
            // the links as plotly's traces hold them: an SVG tree's walks, a WebGL tree's steps
            var width = linkTrace.line.width * r, shape = linkTrace.line.shape, walks = shape === "linear";
            C.linkGroups(result).forEach(function (group) {
                var hex = C.hexOf(raw, group[0]), links = group[1];
                var xy = walks ? C.linkTour(index, links) : C.linkCoordinates(index, links);
                var points = 0;
                for (var p = 0; p < xy.x.length; p++) if (!Number.isNaN(xy.x[p])) points++;
                traces.push([C.linkTraceName(raw, group[0]), hex, points]);
                draw.beginPath();
                strokeSteps(draw, xy.x, xy.y, xy.x.length, shape, overlay);
                draw.strokeStyle = hex;
                draw.lineWidth = width;
                draw.stroke();
                for (var i = 0; i < links.length; i++) drawn[links[i]] = hex;
            });
            // then the drawn leaves that are clusters by themselves, a dot each
            var leaves = [];
            for (var q = 0; q < result.leafColour.length; q++) if (result.leafColour[q] !== C.ABOVE) leaves.push(q);
            oneLeaf = leaves.map(function (q) { return C.hexOf(raw, result.leafColour[q]); });
            drawDots(draw, gd, overlay, leaves.map(function (q) { return index.leaf_x[q]; }), leaves.map(function (q) { return index.leaf_y[q]; }),
                leaves.length, function (i) { return oneLeaf[i]; }, raw.leaf_dot_size);
        }
        if (layers.after) draw.drawImage(layers.after, 0, 0);
        if (!unseen) showOverlay(gd, overlay);
        return {colours: drawn, links: traces, dots: oneLeaf};
    }

    // Tells whoever watches (tests, the bench) what a plot now shows when plotly
    // did not draw it (no plotly_afterplot): `shown.colours`, the colour of each sample
    // (or link), with the scatter's cluster per sample (`labels`), the dendrogram's link
    // traces as plotly would draw them (`links`: [name, colour, points]), the colours of
    // its one-leaf clusters' dots (`dots`) and the legend.
    function announce(gd, shown) {
        gd.__hclustLive = Object.assign({data: gd.data}, shown);
        gd.dispatchEvent(new CustomEvent("hclust:painted", {detail: shown}));
    }

    // The legend's drawn text and its title line (plotly draws rich text as tspans of lines).
    function legendText(gd, raw) {
        var texts = gd.querySelectorAll(".annotation-text");
        for (var i = 0; i < texts.length; i++) {
            var text = texts[i], title = text.querySelector("tspan.line");
            if (title && (text.getAttribute("data-unformatted") || "").indexOf(raw.strings.legend_title) === 0) return {text: text, title: title};
        }
        return null;
    }

    // Rewrites the legend's drawn text in place, keeping its title line: Plotly.relayout
    // would tell dcc.Graph, which then redraws its figure over the live colours.
    function setLegend(gd, raw, legend) {
        var live = gd.__hclustLegend, C = core();
        if (live && live.on) return paintLegend(live, legend, raw);
        var found = legendText(gd, raw);
        if (found) {
            var text = found.text, title = found.title;
            if (text.getAttribute("data-unformatted") === legend) return;
            while (title.nextSibling) text.removeChild(title.nextSibling);
            C.legendLines(legend, raw).forEach(function (line, k) {
                var row = title.cloneNode(false), ns = "http://www.w3.org/2000/svg";
                row.setAttribute("dy", (1.3 * (k + 1)) + "em");
                if (line.colour) {
                    var dot = document.createElementNS(ns, "tspan");
                    dot.setAttribute("style", "fill:" + line.colour);
                    dot.textContent = line.text.charAt(0);
                    row.appendChild(dot);
                    row.appendChild(document.createTextNode(line.text.slice(1)));
                } else {
                    row.textContent = line.text;
                }
                text.appendChild(row);
            });
            text.setAttribute("data-unformatted", legend);
        }
    }

    // While the line is dragged, the legend's lines after its title are drawn into a canvas
    // over the plot's SVG that holds them, in its font and colours, and its own lines are
    // hidden until the drop: new text in plotly's SVG (a layout) made Chromium re-layerize the
    // whole page in the frame that crossed a merge; a canvas's new pixels do not.
    function startLiveLegend(gd, raw) {
        var found = legendText(gd, raw), live = gd.__hclustLegend;
        if (!found || !found.text.getCTM) return;
        var text = found.text, title = found.title, svg = text.ownerSVGElement;
        if (!svg) return;
        var width = Number(svg.getAttribute("width")), height = Number(svg.getAttribute("height"));
        var ratio = window.devicePixelRatio || 1, matrix = text.getCTM(), style = window.getComputedStyle(title);
        if (!matrix || !(width > 0 && height > 0) || !title.getNumberOfChars()) return;
        if (!live || !live.canvas.isConnected) {
            var canvas = document.createElement("canvas");
            canvas.className = "hclust-live-legend";
            canvas.setAttribute("aria-hidden", "true");
            canvas.style.position = "absolute";
            canvas.style.pointerEvents = "none";
            live = gd.__hclustLegend = {canvas: canvas};
        }
        if (live.canvas.previousSibling !== svg) svg.parentNode.insertBefore(live.canvas, svg.nextSibling);
        var size = parseFloat(style.fontSize), start = title.getStartPositionOfChar(0);
        // (the canvas covers only where the lines can go, below the title: a small area for the
        // compositor to draw again; the whole plot when the legend is turned or scaled)
        var box = {left: 0, top: 0, width: width, height: height};
        var anchor = window.getComputedStyle(text).textAnchor;
        if (matrix.a === 1 && matrix.b === 0 && matrix.c === 0 && matrix.d === 1) {
            box.left = anchor === "start" ? Math.max(0, Math.floor(matrix.e + Number(title.getAttribute("x") || 0) - 2)) : 0;
            box.top = Math.max(0, Math.floor(matrix.f + start.y + 0.2 * size));
            box.width = Math.max(1, width - box.left);
            box.height = Math.max(1, Math.min(height - box.top, Math.ceil(1.3 * size * (raw.legend_entries + 2))));
        }
        var canvasWidth = Math.round(box.width * ratio), canvasHeight = Math.round(box.height * ratio);
        if (live.canvas.width !== canvasWidth || live.canvas.height !== canvasHeight) {
            live.canvas.width = canvasWidth;
            live.canvas.height = canvasHeight;
        }
        live.canvas.style.left = box.left + "px";
        live.canvas.style.top = box.top + "px";
        live.canvas.style.width = box.width + "px";
        live.canvas.style.height = box.height + "px";
        live.on = true;
        live.draw = live.canvas.getContext("2d");
        live.draw.setTransform(ratio * matrix.a, ratio * matrix.b, ratio * matrix.c, ratio * matrix.d,
            ratio * (matrix.e - box.left), ratio * (matrix.f - box.top));
        live.font = style.fontStyle + " " + style.fontWeight + " " + style.fontSize + " " + style.fontFamily;
        live.fill = style.fill;
        live.anchor = anchor;
        live.x = Number(title.getAttribute("x")) || 0;
        live.y = start.y;
        live.size = size;
        live.text = text;
        live.drawn = null;
        paintLegend(live, text.getAttribute("data-unformatted") || "", raw);
        live.canvas.style.visibility = "";
        live.rows = [];
        for (var row = title.nextSibling; row; row = row.nextSibling) {
            if (row.style) {
                row.style.visibility = "hidden";
                live.rows.push(row);
            }
        }
    }

    function paintLegend(live, legend, raw) {
        if (live.drawn === legend) return;
        var draw = live.draw, lines = core().legendLines(legend, raw);
        draw.save();
        draw.setTransform(1, 0, 0, 1, 0, 0);
        draw.clearRect(0, 0, live.canvas.width, live.canvas.height);
        draw.restore();
        draw.font = live.font;
        draw.textBaseline = "alphabetic";
        draw.textAlign = "left";
        lines.forEach(function (line, k) {
            var y = live.y + 1.3 * (k + 1) * live.size, whole = draw.measureText(line.text).width;
            var x = live.anchor === "middle" ? live.x - whole / 2 : live.anchor === "end" ? live.x - whole : live.x;
            var first = line.colour ? line.text.charAt(0) : "";
            if (first) {
                draw.fillStyle = line.colour;
                draw.fillText(first, x, y);
                x += draw.measureText(first).width;
            }
            draw.fillStyle = live.fill;
            draw.fillText(line.text.slice(first.length), x, y);
        });
        live.drawn = legend;
    }

    // plotly drew the plot again while the line moves (an earlier cut's answer): its new
    // legend lines hide too, and the canvas shows what they say, as the plot now does.
    function renewLiveLegend(gd) {
        var live = gd.__hclustLegend;
        if (live && live.on && !live.text.isConnected && state.index) startLiveLegend(gd, state.index.raw);
    }

    // The drop: the legend's own lines show again, with what the canvas showed.
    function stopLiveLegend(gd, raw) {
        var live = gd.__hclustLegend;
        if (!live || !live.on) return;
        live.on = false;
        (live.rows || []).forEach(function (row) { row.style.visibility = ""; });
        if (live.drawn !== null) setLegend(gd, raw, live.drawn);
        live.canvas.style.visibility = "hidden";
    }

    function drawScatter(gd, points, result, raw) {
        window.Plotly.react(gd, scatterTraces(points, result, raw),
            Object.assign({}, gd.layout, {annotations: withLegend(raw, gd.layout.annotations, result.legend)}));
    }

    // The cluster numbers at the roots name the server's cut: a cut drawn here goes
    // without them until the server's answer brings the new ones.
    function withoutRootNumbers(raw, annotations) {
        return (annotations || []).filter(function (a) { return a.name !== raw.root_number; });
    }

    function hideRootNumbers(gd, raw) {
        // (they stay hidden until plotly draws them again: a query per frame is the cost of a
        // whole pass over the dendrogram's SVG, so once, and one query, not one per number)
        var hidden = gd.__hclustRootsHidden;
        if (hidden && hidden.data === gd.data && hidden.every(function (e) { return e.isConnected && e.style.display === "none"; })) return;
        var roots = new Set();
        (gd.layout.annotations || []).forEach(function (a, i) {
            if (a.name === raw.root_number) roots.add(String(i));
        });
        hidden = gd.__hclustRootsHidden = [];
        hidden.data = gd.data;
        if (!roots.size) return;
        gd.querySelectorAll(".annotation[data-index]").forEach(function (element) {
            if (!roots.has(element.getAttribute("data-index"))) return;
            element.style.display = "none";
            hidden.push(element);
        });
    }

    function drawDendrogram(gd, index, result) {
        var raw = index.raw;
        var links = gd.data.filter(function (t) { return isLinkTrace(raw, t); });
        // (the truncated leaves' cluster counts name the server's cut: gone until its answer)
        var others = gd.data.slice(1).filter(function (t) { return !isLinkTrace(raw, t) && !isLeafTrace(raw, t) && t.name !== raw.strings.inside; });
        var data = [gd.data[0]].concat(dendrogramTraces(index, result, links[0]), others);
        var annotations = withoutRootNumbers(raw, withLegend(raw, gd.layout.annotations, result.legend));
        window.Plotly.react(gd, data, Object.assign({}, gd.layout, {annotations: annotations}));
    }

    // Whether a cut (at a height above the index's floor) can be recoloured here:
    // a height criterion, no snapping or highlight, and the drawn dendrogram is
    // the one the index describes.
    function canRecolour() {
        var dendrogram = graph("dendrogram");
        return Boolean(core() && state.index && state.horizontal && !state.snap && !state.highlight && state.colourMap && window.Plotly &&
            dendrogram && dendrogram.layout && dendrogram.layout.meta && dendrogram.layout.meta.geometry === state.index.raw.geometry);
    }

    // Returns true when it recoloured both plots; false leaves the cut to the server.
    // While the line is being dragged (`live`) both plots follow it; the colours
    // start from the last committed cut, as the server's will, so the live
    // colours are the ones the release shows. A cut that is not live is committed:
    // the next one starts from its colours.
    function recolour(h, live, force) {
        var index = state.index, dendrogram = graph("dendrogram"), scatter = graph("scatter");
        if (!canRecolour() || !scatter || !core().canCut(index, h)) return false;
        var points = scatterPoints(scatter);
        if (!points || points.n !== index.n) return false;
        var links = dendrogram.data.filter(function (t) { return isLinkTrace(index.raw, t); });
        if (!links.length) return false;
        // what both plots would show: skip redrawing one that already does
        var C = core(), clusters = C.clustersAt(index, h);
        var cutKey = clusters.removed + "|" + index.raw.geometry;
        // a figure the server drew shows the committed cut; one this page drew, the cut it drew
        var committed = Object.keys(state.colourMap.spans || {});
        var isCommitted = committed.length === clusters.spans.size &&
            committed.every(function (node) { return clusters.spans.has(Number(node)); });
        // (colours drawn over a plot stay until plotly draws it again: the server's answer
        // to the committed cut, which draws the same colours; issue 12 §5)
        var shows = function (drawn, gd) {
            if (drawn && drawn.data === gd.data) return drawn.key === cutKey && drawn.from === state.colourMap;
            return isCommitted;
        };
        // (force: paint over both plots what they show, as a drag starts)
        var scatterShows = !force && shows(state.scatterShows, scatter), dendrogramShows = !force && shows(state.dendrogramShows, dendrogram);
        if (live && scatterShows && dendrogramShows) return true;
        if (!live) window.hclustRecolour.last = {height: h, at: performance.now()};
        var result = (scatterShows && dendrogramShows) ? null : C.cut(index, h, C.previousOf(state.colourMap));
        var overlays = 0;
        if (!scatterShows) {
            var painted = paintScatterLive(scatter, points, result, index.raw);
            if (painted) {
                setLegend(scatter, index.raw, result.legend);
                announce(scatter, {colours: painted, labels: Array.from(result.sampleLabel), legend: result.legend});
                overlays++;
            } else {
                drawScatter(scatter, points, result, index.raw);
                points.data = scatter.data;  // the same points, regrouped: no need to read them back
            }
            state.scatterShows = {key: cutKey, data: scatter.data, from: state.colourMap};
        }
        if (!dendrogramShows) {
            var linked = paintDendrogramLive(dendrogram, index, result);
            if (linked) {
                setLegend(dendrogram, index.raw, result.legend);
                hideRootNumbers(dendrogram, index.raw);
                announce(dendrogram, {colours: linked.colours, links: linked.links, dots: linked.dots, legend: result.legend});
                state.dendrogramShows = {key: cutKey, data: dendrogram.data, from: state.colourMap};
                overlays++;
            } else if (!live && !scatterShows) {
                // a committed cut redrawing both plots: the dendrogram in a task of its own, so that no one task
                // holds both redraws (each takes 100-400 ms at deep cuts; issue 12 §5)
                var before = dendrogram.data;
                state.dendrogramShows = null;
                setTimeout(function () {
                    if (dendrogram.data !== before) return;  // plotly drew it since: the server's answer
                    drawDendrogram(dendrogram, index, result);
                    state.dendrogramShows = {key: cutKey, data: dendrogram.data, from: state.colourMap};
                }, 0);
            } else {
                drawDendrogram(dendrogram, index, result);
                state.dendrogramShows = {key: cutKey, data: dendrogram.data, from: state.colourMap};
            }
        }
        if (!live) window.hclustRecolour.overlays += overlays;
        if (live) return true;
        // the next drag starts from these colours, as the server's next cut will
        state.colourMap = C.colourMapOf(result || C.cut(index, h, C.previousOf(state.colourMap)), state.colourMap);
        if (state.scatterShows) state.scatterShows.from = state.colourMap;
        if (state.dendrogramShows) state.dendrogramShows.from = state.colourMap;
        window.hclustRecolour.count++;
        return true;
    }

    // The first drag on a new figure made, in its mousedown and first frames, what every
    // later drag reuses: the scatter's pixels and squares, a marker per colour, the
    // dendrogram's fixed layers, the live canvases and their 2D contexts, and a first full
    // paint by code the engine had not yet compiled (a profile at 10,000 samples: 0.3-1 s
    // under load, with the pointer's moves waiting behind it). It is made here instead, in
    // idle time after plotly draws either plot: each plot's canvas is painted, unseen, with
    // the cut it shows, and a drag's mousedown then only shows it (its paint repaints only
    // what changed: nothing).
    function warm() {
        var started = performance.now();
        if (!warmUp() && state.warmTries < 20) {
            // the plots are not drawn yet (or not for this index): again once they may be
            state.warmTries++;
            window.setTimeout(warmAfterDraws, 500);
        }
        // (each warm-up's time, for the bench: the last 20)
        var warms = window.hclustRecolour.warms;
        warms.push([started, performance.now() - started]);
        if (warms.length > 20) warms.shift();
    }

    // Returns false when the plots are not ready to be warmed.
    function warmUp() {
        var index = state.index, dendrogram = graph("dendrogram"), scatter = graph("scatter");
        if (state.dragging) return true;  // (the drag paints)
        if (!canRecolour() || !scatter) return false;
        var layout = dendrogram._fullLayout, shape = layout && layout.shapes && layout.shapes[0];
        if (!shape) return false;
        prepare(index.raw);
        // (as a mousedown starts: where the line is drawn, by this page or by plotly)
        var h = dendrogram.__hclustLine !== undefined ? dendrogram.__hclustLine : shape[index.raw.axis + "0"];
        var points = scatterPoints(scatter), C = core();
        if (!C.canCut(index, h)) return true;  // (the server draws such cuts)
        if (!points || points.n !== index.n) return false;
        var result = C.cut(index, h, C.previousOf(state.colourMap)), cuts = [result];
        // Once per page, first a cut one merge higher: the code a frame that crosses a merge
        // runs (the cut, the repaint of the squares that changed) is compiled here, not in the
        // first drag's first crossing (35-45 ms of its frame at 10,000 samples, 5-10 later).
        var removed = C.clustersAt(index, h).removed;
        if (!state.practised && removed > 0) {
            state.practised = true;
            cuts.unshift(C.cut(index, index.top_height[removed - 1], C.previousOf(state.colourMap)));
        }
        // (a plot showing live colours keeps them: its canvas is what is seen)
        cuts.forEach(function (cut) {
            if (!scatter.__hclustHidden) paintScatterLive(scatter, points, cut, index.raw, true);
            if (!dendrogram.__hclustHidden) paintDendrogramLive(dendrogram, index, cut, true);
        });
        return true;
    }

    var warming = null;

    function warmSoon() {
        if (warming !== null) return;
        var run = function () {
            warming = null;
            warm();
        };
        warming = window.requestIdleCallback ? window.requestIdleCallback(run, {timeout: 2000}) : window.setTimeout(run, 200);
    }

    // warm() after each draw of either plot (bound again each time: a purged plot loses listeners)
    function warmAfterDraws() {
        ["dendrogram", "scatter"].forEach(function (id) {
            var gd = graph(id);
            if (!gd || !gd.on) return;
            if (gd.removeListener) gd.removeListener("plotly_afterplot", warmSoon);
            gd.on("plotly_afterplot", warmSoon);
        });
        warmSoon();
    }

    function cutHeight(event) {
        if (!state.index || !event) return null;
        var axis = state.index.raw.axis;
        var ends = [event["shapes[0]." + axis + "0"], event["shapes[0]." + axis + "1"]].filter(function (v) { return typeof v === "number"; });
        return ends.length ? ends.reduce(function (a, b) { return a + b; }, 0) / ends.length : null;
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

    // The line shown at h (a drop, or a typed cut) until plotly draws it again, with the
    // server's answer: a drag starting meanwhile starts from h (__hclustLine).
    function holdLine(gd, axis, vertical, h) {
        placeLine(gd, axis, vertical, h);
        gd.__hclustLine = h;
        if (gd.once) gd.once("plotly_afterplot", function () { gd.__hclustLine = undefined; });
    }

    // While the line is dragged it is drawn into a canvas of its own over the plot's paper
    // (under the WebGL plots and their live colours, as plotly's line), in plotly's colour,
    // width and dashes, and plotly's line is hidden until the drop. A canvas's new pixels are
    // all a frame changes: moving plotly's SVG line, or any element by a CSS transform (even
    // a composited one), made Chromium re-layerize the whole page in every frame, 13-100 ms
    // at load 11 in a trace (bench cut_latency's notes). Returns what liveLine and
    // dropLiveLine need, or null when there is no line to copy.
    // plotly's line: its outermost elements (line and grab handle), and the path that draws it.
    function drawnLine(gd) {
        var shape = Array.prototype.filter.call(gd.querySelectorAll('.shapelayer [data-index="0"]'), function (element) {
            return !element.parentElement.closest('.shapelayer [data-index="0"]');
        });
        var drawn = null;
        shape.forEach(function (element) {
            var paths = element.tagName.toLowerCase() === "path" ? [element] : Array.from(element.querySelectorAll("path"));
            paths.forEach(function (path) {
                if (!drawn && path.style.strokeOpacity !== "0") drawn = path;
            });
        });
        return {shape: shape, drawn: drawn};
    }

    function startLiveLine(gd) {
        var plotly = drawnLine(gd), shape = plotly.shape, drawn = plotly.drawn;
        var paper = gd.querySelector(".svg-container > svg.main-svg");
        var segment = drawn && core().lineSegment(drawn.getAttribute("d"));
        if (!segment || !paper) return null;
        var width = Number(paper.getAttribute("width")), height = Number(paper.getAttribute("height"));
        var ratio = window.devicePixelRatio || 1, canvas = gd.__hclustLiveLine;
        if (!(width > 0 && height > 0)) return null;
        if (!canvas || !canvas.isConnected) {
            canvas = gd.__hclustLiveLine = document.createElement("canvas");
            canvas.className = "hclust-live-line";
            canvas.setAttribute("aria-hidden", "true");
            canvas.style.position = "absolute";
            canvas.style.left = "0px";
            canvas.style.top = "0px";
            canvas.style.pointerEvents = "none";
        }
        if (canvas.previousSibling !== paper) paper.parentNode.insertBefore(canvas, paper.nextSibling);
        if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
            canvas.width = Math.round(width * ratio);
            canvas.height = Math.round(height * ratio);
            canvas.style.width = width + "px";
            canvas.style.height = height + "px";
        }
        var style = window.getComputedStyle(drawn), draw = canvas.getContext("2d");
        var dashes = style.strokeDasharray && style.strokeDasharray !== "none" ? style.strokeDasharray.split(/[\s,]+/).map(parseFloat) : [];
        draw.setTransform(ratio, 0, 0, ratio, 0, 0);
        draw.clearRect(0, 0, width, height);
        draw.strokeStyle = style.stroke;
        draw.globalAlpha = Number(style.strokeOpacity) * Number(style.opacity);
        draw.lineWidth = parseFloat(style.strokeWidth);
        draw.setLineDash(dashes.filter(function (v) { return Number.isFinite(v); }));
        canvas.style.visibility = "";
        shape.forEach(function (element) { element.style.visibility = "hidden"; });
        return {canvas: canvas, draw: draw, shape: shape, segment: segment, drawnAt: null, width: width, height: height};
    }

    // The line at height h: plotly's, moved by the whole pixels from where plotly drew it.
    function liveLine(gd, line, axis, vertical, h) {
        if (!line.shape.every(function (element) { return element.isConnected; })) {
            // plotly drew the dendrogram again (an earlier cut's answer): its new line hides too
            line.shape = drawnLine(gd).shape;
            line.shape.forEach(function (element) { element.style.visibility = "hidden"; });
            var paper = gd.querySelector(".svg-container > svg.main-svg");
            if (paper && line.canvas.previousSibling !== paper) paper.parentNode.insertBefore(line.canvas, paper.nextSibling);
        }
        var shift = core().lineShift(axis.l2p(h), axis.l2p(gd._fullLayout.shapes[0][vertical ? "y0" : "x0"]));
        if (line.drawnAt === shift) return;
        var s = line.segment, dx = vertical ? 0 : shift, dy = vertical ? shift : 0, draw = line.draw;
        var pad = draw.lineWidth + 2;
        if (line.drawnAt !== null) {  // (only the band the line was in: not the whole canvas)
            var was = line.drawnAt;
            draw.clearRect(Math.min(s.x0, s.x1) + (vertical ? 0 : was) - pad, Math.min(s.y0, s.y1) + (vertical ? was : 0) - pad,
                Math.abs(s.x1 - s.x0) + 2 * pad, Math.abs(s.y1 - s.y0) + 2 * pad);
        }
        draw.beginPath();
        draw.moveTo(s.x0 + dx, s.y0 + dy);
        draw.lineTo(s.x1 + dx, s.y1 + dy);
        draw.stroke();
        line.drawnAt = shift;
    }

    // The drop: plotly's line takes the place the canvas drew it at, and shows again.
    function dropLiveLine(line) {
        line.shape.forEach(function (element) { element.style.visibility = ""; });
        line.canvas.style.visibility = "hidden";
    }

    // Commits the dropped line's cut: here (the colours the next drag starts from), and to
    // the server through the `cut-drag` store, which assets/relayout.js writes for plotly's
    // own drags of the line.
    // Not through the dendrogram's relayoutData, which plotly writes for a zoom or pan: a
    // zoom made right after the drop wrote it too before Dash had read the drop's (Dash
    // reads it when it runs relayout.js's splitter, 0.1-1 s later under load), so one of
    // the two was never read (ins009 lost the zoom). Nor through Plotly.relayout: a shape's
    // move makes plotly replot the whole figure, and dcc.Graph then copies the new layout
    // into its figure and plots it again: two full redraws in the release's task (100-350
    // ms each at deep cuts, issue 12 §5) that also drop the colours drawn over the plot.
    // The line stays where placeLine drew it until the server's answer draws the cut.
    function commitLine(gd, h, update) {
        var clientside = window.dash_clientside;
        if (clientside && typeof clientside.set_props === "function") {
            recolour(h, false);
            // (a new number each drop: the same height twice is two drops, as relayout.js counts)
            state.drops = (state.drops || 0) + 1;
            clientside.set_props("cut-drag", {data: {height: h, seq: state.drops}});
        } else {
            window.Plotly.relayout(gd, update);
        }
    }

    // Dragging the line. When this page can recolour the cut, the drag is ours
    // (plotly's own shape drag never starts): both plots follow the pointer, and
    // the release only tells plotly (and through it the server) where the line
    // now is, so the colours are already on screen when the mouse is released.
    // Otherwise plotly drags the line and the server recolours.
    // One capturing listener on the document: no listener to bind per plot.
    function onMouseDown(event) {
        var gd = event.target && event.target.closest && event.target.closest("#dendrogram .js-plotly-plot");
        var index = state.index, layout = gd && gd._fullLayout;
        if (!gd || event.button !== 0 || !index || !event.target.closest(".shapelayer") || !layout || !layout.shapes || !layout.shapes[0]) return;
        if (!canRecolour()) return;
        var vertical = index.raw.axis === "y", axis = layout[vertical ? "yaxis" : "xaxis"];
        var rect = gd.getBoundingClientRect();
        var along = function (e) { return vertical ? e.clientY - rect.top : e.clientX - rect.left; };
        // (a line dropped here and not yet drawn by plotly is where this page drew it)
        var start = gd.__hclustLine !== undefined ? gd.__hclustLine : vertical ? layout.shapes[0].y0 : layout.shapes[0].x0;
        var grab = axis._offset + axis.l2p(start) - along(event);
        var heightAt = function (e) { return axis.p2l(along(e) + grab - axis._offset); };
        var dragged = null, frame = null;
        state.dragging = true;
        event.stopPropagation();
        event.preventDefault();
        if (window.Plotly.Fx) window.Plotly.Fx.unhover(gd);
        prepare(index.raw);
        var line = startLiveLine(gd);
        // the plots' colours drawn over them and their legends into canvases now, as they are:
        // then a frame that crosses a merge changes only pixels of canvases (see startLiveLine)
        var plots = [gd, graph("scatter")].filter(Boolean);
        var covered = plots.map(function (plot) { return Boolean(plot.__hclustHidden); });
        recolour(start, true, true);
        plots.forEach(function (plot) { startLiveLegend(plot, index.raw); });
        var move = function (e) {
            e.stopPropagation();  // no hover labels (nor hover callbacks) while the line moves
            dragged = heightAt(e);
            if (frame !== null) return;
            frame = window.requestAnimationFrame(function () {
                frame = null;
                var start = performance.now();
                recolour(dragged, true);
                if (line) liveLine(gd, line, axis, vertical, dragged);
                else placeLine(gd, axis, vertical, dragged);
                // each frame's own work, for the bench (the last 100)
                var frames = window.hclustRecolour.frames;
                frames.push([start, performance.now() - start]);
                if (frames.length > 100) frames.shift();
            });
        };
        var up = function (e) {
            state.dragging = false;
            document.removeEventListener("mousemove", move, true);
            document.removeEventListener("mouseup", up, true);
            e.stopPropagation();
            if (frame !== null) window.cancelAnimationFrame(frame);
            frame = null;
            if (line) dropLiveLine(line);
            plots.forEach(function (plot) { stopLiveLegend(plot, index.raw); });
            if (dragged === null) {  // a click, not a drag: each plot as it was (no answer will redraw it)
                plots.forEach(function (plot, i) { if (!covered[i]) dropOverlay(plot); });
                return;
            }
            var h = heightAt(e), update = {};
            recolour(h, true);  // usually shown already, by the last frame
            holdLine(gd, axis, vertical, h);
            update["shapes[0]." + index.raw.axis + "0"] = h;
            update["shapes[0]." + index.raw.axis + "1"] = h;
            // committed once the colours are painted
            window.requestAnimationFrame(function () {
                setTimeout(function () { commitLine(gd, h, update); }, 0);
            });
        };
        document.addEventListener("mousemove", move, true);
        document.addEventListener("mouseup", up, true);
    }

    // A cut typed into the height or k field (assets/typed_cut.js): both plots
    // show it, and the line moves to it, before the server's answer draws the
    // same cut. Returns false where the page leaves the cut to the server.
    function showCut(h) {
        var gd = graph("dendrogram"), layout = gd && gd._fullLayout;
        if (!state.index || !layout || !layout.shapes || !layout.shapes[0]) return false;
        if (!recolour(h, false)) return false;
        var vertical = state.index.raw.axis === "y";
        holdLine(gd, layout[vertical ? "yaxis" : "xaxis"], vertical, h);
        return true;
    }

    document.addEventListener("mousedown", onMouseDown, true);

    // (fullPaints: the scatter's canvas painted whole, not only where colours changed)
    window.hclustRecolour = {count: 0, overlays: 0, fullPaints: 0, recolour: recolour, showCut: showCut, state: state, frames: [], warms: []};

    window.dash_clientside = Object.assign({}, window.dash_clientside);
    window.dash_clientside.hclust = Object.assign({}, window.dash_clientside.hclust, {
        // Keeps what recolouring needs; returns whether a dragged cut can be recoloured here.
        // (and the committed cut, whose fields assets/typed_cut.js compares as the server does)
        stashRecolour: function (index, colourMap, criterion, flags, highlight, cut) {
            state.cut = cut || null;
            if (!index) state.index = null;
            else if (!state.index || state.index.raw !== index) state.index = core().decode(index);
            state.colourMap = colourMap;
            state.horizontal = criterion === "distance" || criterion === "maxclust";
            state.snap = (flags || []).indexOf("snap") >= 0;
            state.highlight = !!highlight;
            var ready = Boolean(state.index && state.horizontal && !state.snap && !state.highlight);
            state.warmTries = 0;
            if (ready) warmAfterDraws();
            return ready;
        },
        // The dendrogram's relayout of the line (plotly's own drag, where this page does not
        // drag it; commitLine commits this page's drops): the cut is committed here, from the
        // colours it started from.
        recolourRelayout: function (relayoutData) {
            var h = cutHeight(relayoutData);
            if (h !== null) recolour(h, false);
            return window.dash_clientside.no_update;
        },
    });
})();
