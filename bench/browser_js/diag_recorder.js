const B = window.__diag = {t0: null, done: {}, initial: {}};
performance.setResourceTimingBufferSize(5000); performance.clearResourceTimings();
B.initial.cophenetic = document.getElementById('cophenetic').textContent;
B.initial.elbow = document.getElementById('elbow').textContent;
B.initial.inconsistency = document.getElementById('inconsistency').innerHTML;
const qgd = () => document.querySelector('#quality-graph .js-plotly-plot');
const conditions = {
  cophenetic: () => { const t = document.getElementById('cophenetic').textContent; return t !== B.initial.cophenetic && /\d\.\d{3}/.test(t); },
  elbow: () => { const t = document.getElementById('elbow').textContent; return t !== B.initial.elbow && t.includes('Suggested k = 4'); },
  inconsistency: () => { const e = document.getElementById('inconsistency'); return e.innerHTML !== B.initial.inconsistency && !!e.querySelector('table'); },
  quality: () => B.qualityPlotted === true,
};
const check = () => {
  if (B.t0 === null) return;
  for (const [name, ok] of Object.entries(conditions)) if (!(name in B.done) && ok()) B.done[name] = performance.now() - B.t0;
};
B.observer = new MutationObserver(check);
B.observer.observe(document.body, {childList: true, subtree: true, characterData: true});
const gd = qgd();
window.__diagQuality = () => {
  const D = window.__diag; if (!D || D.t0 === null) return;
  const g = qgd(), data = g._fullData || [];
  if (data.length === 3 && data.every(t => t.x && t.x.length === 9)) D.qualityPlotted = true;
  check();
};
if (!gd.__benchDiag) { gd.__benchDiag = true; gd.on('plotly_afterplot', () => window.__diagQuality()); }
document.addEventListener('click', e => { const D = window.__diag; if (D.t0 === null && e.target.closest && e.target.closest('[role=option]')) D.t0 = performance.now(); }, true);
