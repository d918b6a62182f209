// What a plot shows, as a short string: a hash of the points' colours, or the link colours and sizes.
// While the line is dragged, assets/cut_recolour.js paints the colours into a canvas over each plot
// (no plotly_afterplot) and records what it painted (gd.__hclustLive, event 'hclust:painted');
// `record`: such a record kept at its event, hashed later (cut_read.js), not inside the page's frame.
window.__cutColours = ((gd, id, record) => {
  const current = record || (gd.__hclustLive && gd.__hclustLive.data === gd.data ? gd.__hclustLive : null);
  const live = current ? current.colours : null;
  if (id === 'scatter') {  // one trace per colour; a point's customdata is its sample
    const colours = live ? live : [];
    if (!live) for (const t of gd._fullData) { const c = t.marker.color; for (let j = 0; j < t._length; j++) colours[t.customdata[j]] = c; }
    let hash = 0;
    for (let i = 0; i < colours.length; i++) { const c = colours[i]; hash = (hash * 31 + c.charCodeAt(1) * 7 + c.charCodeAt(3) * 3 + c.charCodeAt(5)) | 0; }
    return String(hash);
  }
  // each link trace's colour and drawn points (an SVG tree's links are walks, a WebGL tree's
  // 3 points a link: the live paint reports the points of what plotly's traces would hold)
  let entries;
  const finite = (values) => { let k = 0; for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) k++; return k; };
  if (live) entries = current.links.map(([, colour, points]) => colour + ':' + points);
  else entries = gd._fullData.filter(t => t.mode === 'lines').map(t => t.line.color + ':' + finite(t.x));
  return entries.sort().join(',');
});
const B = window.__cut = window.__cut || {mouseup: null, after: {dendrogram: [], scatter: []}};
if (!window.__cutHooked) {
  window.__cutHooked = true;
  performance.setResourceTimingBufferSize(5000);
  // the event's own time: when the button was released, even if the page was busy then
  window.addEventListener('mouseup', (e) => {
    if (!B.armed) return;
    B.armed = false; B.mouseup = e.timeStamp;
    // what each plot shows at the release (both plots follow the line while it is dragged)
    for (const id of ['dendrogram', 'scatter']) B.atMouseup[id] = window.__cutColours(document.querySelector('#' + id + ' .js-plotly-plot'), id);
  }, true);
  // the pointer during the drag, to time how soon the plots follow it
  window.addEventListener('mousemove', (e) => { if (B.armed) B.moves.push([e.timeStamp, e.clientY]); }, true);
}
for (const id of ['dendrogram', 'scatter']) {
  const gd = document.querySelector('#' + id + ' .js-plotly-plot');
  if (!gd.__benchCut) {
    gd.__benchCut = true;
    // the time of the next animation frame: pixels reach the screen only after the current task ends
    gd.on('plotly_afterplot', () => {
      const seen = window.__cutColours(gd, id);
      if (B.mouseup !== null) requestAnimationFrame(() => { B.after[id].push(performance.now()); B.shown[id].push(seen); });
      else if (B.armed) requestAnimationFrame(() => B.dragging[id].push([performance.now(), seen]));
    });
    gd.addEventListener('hclust:painted', () => {
      // (the record, not its hash: hashing 10,000 colours here would be timed as the page's frame work)
      const record = gd.__hclustLive;
      if (B.armed && B.mouseup === null) requestAnimationFrame(() => B.dragging[id].push([performance.now(), record]));
    });
    gd.on('plotly_relayout', () => { if (B.mouseup !== null && id === 'dendrogram') B.relayout.push(performance.now()); });
  }
}
if (!window.__cutLong) {
  window.__cutLong = true;
  // every main-thread task over 50 ms from the mousedown on (the drag and the server's answer)
  new PerformanceObserver(list => { for (const e of list.getEntries()) if (B.armed || B.mouseup !== null) B.long.push([e.startTime, e.duration]); }).observe({entryTypes: ['longtask']});
}
B.mouseup = null; B.armed = true; B.after = {dendrogram: [], scatter: []}; B.relayout = []; B.long = [];
B.shown = {dendrogram: [], scatter: []}; B.atMouseup = {}; B.moves = []; B.dragging = {dendrogram: [], scatter: []};
performance.clearResourceTimings();
