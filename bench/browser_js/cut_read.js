const B = window.__cut;
const requests = performance.getEntriesByType('resource').filter(e => e.name.includes('_dash-update-component') && e.startTime >= B.mouseup)
  .map(e => [e.startTime - B.mouseup, e.responseEnd - B.mouseup, e.responseStart - e.requestStart]);
return {relayout: B.relayout.map(t => t - B.mouseup), long: B.long.map(e => [e[0] - B.mouseup, e[1]]),
        mouseup: B.mouseup, dendrogram: B.after.dendrogram.map(t => t - B.mouseup), scatter: B.after.scatter.map(t => t - B.mouseup), requests: requests,
        shown: B.shown, at_mouseup: B.atMouseup, first_response: requests.length ? Math.min(...requests.map(r => r[1])) : null,
        moves: B.moves.map(([t, y]) => { const gd = document.querySelector('#dendrogram .js-plotly-plot'), l = gd._fullLayout;
                                         return [t - B.mouseup, l.yaxis.p2l(y - gd.getBoundingClientRect().top - l._size.t)]; }),
        // (a live paint's record is hashed now, as __cutColours hashes what plotly drew)
        dragging: Object.fromEntries(Object.entries(B.dragging).map(([id, list]) => [id, list.map(([t, seen]) => [t - B.mouseup,
          typeof seen === 'string' ? seen : window.__cutColours(document.querySelector('#' + id + ' .js-plotly-plot'), id, seen)])]))};
