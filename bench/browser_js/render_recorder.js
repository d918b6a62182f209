const B = window.__render = {t0: null, status: null, statusText: null, plots: []};
performance.setResourceTimingBufferSize(5000); performance.clearResourceTimings();
const merges = arguments[0], start = arguments[1], startEvent = arguments[2];
const el = document.getElementById('clustering-status');
const check = () => { if (B.status === null && B.t0 !== null && el.textContent.includes(merges)) { B.status = performance.now(); B.statusText = el.textContent; } };
B.observer = new MutationObserver(check);
B.observer.observe(el, {childList: true, subtree: true, characterData: true});
document.addEventListener(startEvent, e => { if (B.t0 === null && e.target.closest && e.target.closest(start)) B.t0 = performance.now(); }, true);
const gd = document.querySelector('#dendrogram .js-plotly-plot');
if (!gd.__benchRender) {
  gd.__benchRender = true;
  gd.on('plotly_afterplot', () => { const R = window.__render; if (R) R.plots.push([performance.now(), (gd._fullLayout.title || {}).text || '']); });
}
