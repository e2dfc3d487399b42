// The dvats comparison page: the projections of two runs side by side, a selection in one linked by time to the other (or,
// when one run applies the other, by place on their shared map).
//
// `mount(root, data, X)` draws the payload of `dvats.views.compare.compare_payload` into `root`, with plotly.js loaded as
// the global `Plotly`. `X` is the explorer module's exports (`decode`, `expandRuns`, `dequantise`, `clusterColor`,
// `viridis`, `esc`, `fmt`): the page carries the explorer's own text and imports it from a blob URL, so nothing is copied.
// A selection (lasso or box) in either projection highlights there the windows selected and, in the other projection,
// the windows that cover any of the same times (`linked`, the arithmetic of `covering_windows` in Python), or those that lie
// nearest to it on the shared map (`nearLinked`, `map_neighbours` in Python).

/** Per window, its span `[lo, hi]` (both ends included) on the axis common to both runs: rows `[id * stride, id * stride + w)`
 * read through `key`, which maps a row to its place on that axis: `{k0, d}` (row r at k0 + r * d) or `{rows}` (one value a row). */
export function spans(ids, w, stride, key) {
  const at = key.rows ? r => key.rows[r] : r => key.k0 + r * key.d;
  const lo = new Float64Array(ids.length), hi = new Float64Array(ids.length);
  for (let i = 0; i < ids.length; i++) { lo[i] = at(ids[i] * stride); hi[i] = at(ids[i] * stride + w - 1); }
  return {lo, hi};
}

/** The positions, ascending, of the windows `to` (`{lo, hi}`) that share a time with any window at positions `idx` of `from`:
 * sorted by start, the latest end so far of the selection's spans; a window overlaps one of them exactly when that end, at the last
 * span that starts before the window ends, reaches the window's start (`_cover` in dvats.views.compare). */
export function linked(from, idx, to) {
  const order = Array.from(idx).sort((p, q) => from.lo[p] - from.lo[q]), n = order.length;
  const L = Float64Array.from(order, i => from.lo[i]), H = Float64Array.from(order, i => from.hi[i]);
  for (let i = 1; i < n; i++) H[i] = Math.max(H[i], H[i - 1]);
  const out = [];
  for (let j = 0; n && j < to.lo.length; j++) {
    let a = 0, b = n;                // a: how many spans start at or before the window's end
    while (a < b) { const m = (a + b) >> 1; if (L[m] <= to.hi[j]) a = m + 1; else b = m; }
    if (a > 0 && H[a - 1] >= to.lo[j]) out.push(j);
  }
  return out;
}

/** On a shared map (one run applies the other): the positions, ascending, of the windows whose nearest window of the other
 * run (`near`: its position among that run's `n` windows) is at one of the positions `idx` (`map_neighbours` in Python). */
export function nearLinked(idx, near, n) {
  const on = new Uint8Array(n);
  for (const i of idx) on[i] = 1;
  const out = [];
  for (let j = 0; j < near.length; j++) if (on[near[j]]) out.push(j);
  return out;
}

/** One run's arrays, decoded: positions, scores and clusters of its valid windows, their ids and spans. */
function side(S, X) {
  const M = S.meta, A = {};
  for (const k in S.arrays) A[k] = X.decode(S.arrays[k]);
  for (const k in M.quant || {}) A[k] = X.dequantise(A[k], M.quant[k], k === 'score' ? Float64Array : Float32Array);   // 16-bit codes
  if (A.id_runs) A.id = X.expandRuns(A.id_runs);
  const key = A.key ? {rows: A.key} : M.key;
  return Object.assign({M, A}, spans(A.id, M.w, M.stride, key));
}

/** Positions of the points in each colour group (a cluster, or one of `nb` bins of the score) and the groups' colours and names. */
function groups(s, color, X, nb = 32) {
  const {A, M} = s, n = A.id.length;
  let key, colours, names;
  if (color === 'cluster') {
    const lo = Math.min(-1, ...M.clusters), hi = Math.max(0, ...M.clusters);
    key = i => A.cluster[i] - lo;
    colours = Array.from({length: hi - lo + 1}, (_, k) => X.clusterColor(k + lo));
    names = colours.map((_, k) => k + lo === -1 ? 'noise' : 'cluster ' + (k + lo));
  } else {
    let sLo = Infinity, sHi = -Infinity; for (const v of A.score) { if (v < sLo) sLo = v; if (v > sHi) sHi = v; }
    const wd = (sHi - sLo) / nb || 1;
    key = i => Math.min(nb - 1, Math.max(0, Math.floor((A.score[i] - sLo) / wd)));
    colours = Array.from({length: nb}, (_, k) => X.viridis((k + 0.5) / nb));
    names = colours.map((_, k) => 'score ' + (sLo + k * wd).toPrecision(3) + ' to ' + (sLo + (k + 1) * wd).toPrecision(3));
    s.range = [sLo, sHi];
  }
  const count = new Int32Array(colours.length), at = new Int32Array(colours.length), g = new Uint16Array(n);
  for (let i = 0; i < n; i++) { g[i] = key(i); count[g[i]]++; }
  const members = colours.map((_, k) => new Int32Array(count[k]));
  for (let i = 0; i < n; i++) members[g[i]][at[g[i]]++] = i;
  return {members, colours, names};
}

const SIDES = ['a', 'b'];

export function mount(root, D, X) {
  const Plotly = globalThis.Plotly;
  const S = {a: side(D.a, X), b: side(D.b, X)};
  const other = k => k === 'a' ? 'b' : 'a', label = k => k.toUpperCase();
  const el = (tag, props, parent) => { const e = Object.assign(document.createElement(tag), props); if (parent) parent.appendChild(e); return e; };
  root.classList.add('dvats', 'dvats-compare');
  el('h1', {textContent: 'dvats compare'}, root);
  const bar = el('div', {className: 'dvats-bar'}, root);
  el('span', {textContent: 'colour by '}, bar);
  const colourBox = el('select', {id: 'color'}, bar);
  for (const [v, t] of [['cluster', 'cluster'], ['score', 'anomaly score']]) el('option', {value: v, textContent: t}, colourBox);
  const clear = el('button', {id: 'clear', textContent: 'clear selection'}, bar);
  const status = el('span', {id: 'status', className: 'dvats-status'}, bar);
  el('div', {id: 'linknote', className: 'dvats-note', textContent: D.meta.link_note}, root);
  const grid = el('div', {className: 'dvats-grid'}, root), ui = {};
  for (const k of SIDES) {
    const M = S[k].M, p = el('div', {className: 'dvats-panel'}, grid);
    el('h2', {id: 'title-' + k, textContent: label(k) + ': ' + M.title}, p);
    el('div', {id: 'info-' + k, className: 'dvats-note', textContent: [`run ${M.folder}`, `w ${M.w}`, `stride ${M.stride}`, `encoder ${M.encoder}`,
      `projection ${M.dr}`, `${X.fmt(M.n_valid)} windows shown (${X.fmt(M.n_windows)} in the run)`, `${M.first} to ${M.last}`].join(' · ')}, p);
    ui[k] = {plot: el('div', {id: 'proj-' + k, className: 'dvats-proj'}, p), count: el('div', {id: 'count-' + k, className: 'dvats-note'}, p)};
  }
  const tl = el('div', {className: 'dvats-panel dvats-wide'}, root);
  const timeline = el('div', {id: 'timeline', className: 'dvats-timeline'}, tl), tlnote = el('div', {id: 'timelinenote', className: 'dvats-note'}, tl);

  const onMap = D.meta.link === 'map';
  // one map: both projections drawn on the same axes, so that a region sits at the same place in both
  const mapRange = !onMap ? null : ['x', 'y'].map(c => {
    let lo = Infinity, hi = -Infinity;
    for (const k of SIDES) for (const v of S[k].A[c]) { if (v < lo) lo = v; if (v > hi) hi = v; }
    const pad = (hi - lo) * 0.04 || 1;
    return [lo - pad, hi + pad];
  });
  let color = 'cluster', sel = null, busy = false;     // sel: {side, idx (positions there), linked (positions in the other side)}
  const hl = k => !sel ? [] : sel.side === k ? sel.idx : sel.linked;
  function base(k) {                 // per run and colour, made once: one trace per colour group, and each point's colour
    const s = S[k];
    if (s.base && s.base.color === color) return s.base;
    const g = groups(s, color, X), gather = (v, m) => Float32Array.from(m, i => v[i]), groupOf = new Uint16Array(s.A.id.length);
    g.members.forEach((m, j) => { for (const i of m) groupOf[i] = j; });
    const traces = g.members.map((m, j) => ({type: 'scattergl', mode: 'markers', name: g.names[j], x: gather(s.A.x, m), y: gather(s.A.y, m),
      customdata: Int32Array.from(m, i => s.A.id[i]), hovertemplate: 'window %{customdata}<extra>' + g.names[j] + '</extra>', marker: {size: 4, color: g.colours[j]}}));
    if (color === 'score') traces.push({type: 'scattergl', mode: 'markers', x: [null, null], y: [null, null], hoverinfo: 'skip', name: 'scale',
      marker: {color: s.range, colorscale: 'Viridis', showscale: true, colorbar: {title: {text: 'score'}, thickness: 10}}});
    return (s.base = {color, groups: g.members, colours: g.colours, traces, groupOf});
  }
  function draw(k) {
    const s = S[k], b = base(k), on = hl(k), dim = sel ? 0.3 : 0.85;
    // the other points dimmed while something is highlighted; above `many` points they stay as they are: plotly then
    // redraws only the highlighted points' traces (restyling a million points takes seconds)
    const traces = s.A.id.length > D.meta.many ? b.traces.slice()
      : b.traces.map(t => t.name === 'scale' ? t : Object.assign({}, t, {marker: Object.assign({}, t.marker, {opacity: dim})}));
    const parts = b.colours.map(() => []);          // the highlighted points, one trace per colour (no colour per point: fast at a million)
    for (const i of on) parts[b.groupOf[i]].push(i);
    parts.forEach((m, j) => { if (m.length) traces.push({type: 'scattergl', mode: 'markers', name: 'highlighted', x: Float32Array.from(m, i => s.A.x[i]),
      y: Float32Array.from(m, i => s.A.y[i]), customdata: Int32Array.from(m, i => s.A.id[i]), hovertemplate: 'window %{customdata}<extra>highlighted</extra>',
      marker: {size: 7, color: b.colours[j], line: {width: 1, color: sel.side === k ? '#000' : '#d62728'}}}); });
    const title = !sel ? 'lasso or box to select' : sel.side === k ? 'selected here' : (onMap ? 'nearest, on the map, to those selected in ' : 'covering the times selected in ') + label(other(k));
    busy = true;
    try {
      Plotly.react(ui[k].plot, traces, {margin: {t: 28, l: 30, r: 10, b: 30}, dragmode: 'lasso', showlegend: false, selections: [],
        title: {text: title, font: {size: 13}}, uirevision: 'keep',
        ...(mapRange ? {xaxis: {range: mapRange[0]}, yaxis: {range: mapRange[1]}} : {})}, {displaylogo: false, responsive: true});
    } finally { busy = false; }
    const n = X.fmt(sel ? sel.idx.length : 0), m = X.fmt(sel ? sel.linked.length : 0);
    ui[k].count.textContent = !sel ? 'nothing selected' : onMap
      ? (sel.side === k ? `${n} windows selected here; ${m} windows of ${label(other(k))} lie nearest to them on the map.`
        : `${m} windows highlighted: they lie nearest, on the map, to the ${n} windows selected in ${label(other(k))}.`)
      : (sel.side === k ? `${n} windows selected here; they cover times of ${m} windows of ${label(other(k))}.`
        : `${m} windows highlighted: they cover times of the ${n} windows selected in ${label(other(k))}.`);
  }
  // where the windows lie in time: each run's span, and the selected and highlighted windows' rows merged into intervals
  const dates = SIDES.every(k => S[k].M.time.kind === 'regular');
  const at = (k, row) => dates ? S[k].M.time.t0_ms + row * S[k].M.time.dt_ms : row;
  function drawTimeline() {
    if (D.meta.link === 'time' && !dates) {
      tlnote.textContent = 'No timeline: the timestamps are not evenly spaced (the linking above still uses them).';
      timeline.hidden = true; return;
    }
    const shapes = [], rect = (name, k, a, b, color, pad) => shapes.push({type: 'rect', name, xref: 'x', yref: 'y', x0: at(k, a), x1: at(k, b),
      y0: (k === 'a' ? 1 : 0) + pad, y1: (k === 'a' ? 2 : 1) - pad, fillcolor: color, line: {width: 0}, layer: name === 'span' ? 'below' : 'above'});
    for (const k of SIDES) {
      const {A, M} = S[k], n = A.id.length;
      rect('span', k, A.id[0] * M.stride, A.id[n - 1] * M.stride + M.w, '#eceff3', 0.1);
      const rows = hl(k).map(i => [A.id[i] * M.stride, A.id[i] * M.stride + M.w]);
      for (const [a, b] of X.mergedIntervals(rows)) rect(sel.side === k ? 'selected' : 'highlighted', k, a, b, sel.side === k ? '#333' : '#d62728', 0.2);
    }
    Plotly.react(timeline, [], {margin: {t: 28, l: 30, r: 10, b: 30}, showlegend: false, shapes,
      title: {text: 'in time: ' + (sel ? `the windows selected in ${label(sel.side)} (dark) and those they highlight in ${label(other(sel.side))} (red)` : 'each run\'s windows'), font: {size: 13}},
      xaxis: {type: dates ? 'date' : 'linear', range: [Math.min(...shapes.map(s => s.x0)), Math.max(...shapes.map(s => s.x1))], title: {text: dates ? '' : 'row'}},
      yaxis: {range: [0, 2], tickvals: [0.5, 1.5], ticktext: ['B', 'A'], fixedrange: true}}, {displaylogo: false, responsive: true});
    tlnote.textContent = 'The windows\' rows, merged into intervals (above 300 intervals, the nearest are joined).';
  }
  const drawAll = () => { for (const k of SIDES) draw(k); drawTimeline(); };
  const last = () => !sel ? {side: null, ids: [], linked: []} :
    {side: sel.side, ids: sel.idx.map(i => S[sel.side].A.id[i]), linked: sel.linked.map(i => S[other(sel.side)].A.id[i])};
  function selectIdx(k, idx) {
    idx = Array.from(new Set(idx)).sort((p, q) => p - q);
    const to = S[other(k)], link = onMap ? nearLinked(idx, to.A.near, S[k].A.id.length) : idx.length ? linked(S[k], idx, to) : [];
    sel = idx.length ? {side: k, idx, linked: link} : null;
    status.textContent = !sel ? '' : `${X.fmt(idx.length)} windows of ${label(k)} selected → ${X.fmt(sel.linked.length)} windows of ${label(other(k))}`;
    drawAll();
    return last();
  }
  drawAll();
  for (const k of SIDES) {
    const gd = ui[k].plot;
    gd.on('plotly_selected', ev => {
      if (busy || !ev) return;
      const g = base(k).groups, idx = [];
      for (const p of ev.points || []) if (p.curveNumber < g.length) idx.push(g[p.curveNumber][p.pointIndex]);
      selectIdx(k, idx);
    });
    gd.on('plotly_deselect', () => { if (!busy) selectIdx(k, []); });
  }
  colourBox.onchange = () => { color = colourBox.value; drawAll(); };
  clear.onclick = () => selectIdx('a', []);
  const posOf = k => { const m = new Map(); S[k].A.id.forEach((id, i) => m.set(id, i)); return m; };
  return {
    /** Select the windows `ids` of side `k` ('a' or 'b'), as a lasso would; returns `last()`. */
    select(k, ids) { const m = posOf(k); return selectIdx(k, ids.map(id => m.get(id)).filter(i => i !== undefined)); },
    /** The selection: its side, its window ids and the ids of the other side's windows it highlights. */
    last,
    setColor(c) { color = colourBox.value = c; drawAll(); },
  };
}

// ---- the self-contained page (dvats.views.compare.compare_html): the explorer's text rides along and is imported as a module ----
async function mountPage(data) {
  const src = document.getElementById('dvats-explorer-src').textContent;
  const url = URL.createObjectURL(new Blob([src], {type: 'text/javascript'}));
  try {
    const X = await import(url);
    const root = document.getElementById('dvats-root') || document.body.appendChild(document.createElement('div'));
    window.dvatsCompare = mount(root, JSON.parse(data.textContent), X);
    document.body.setAttribute('data-ready', '1');
  } finally { URL.revokeObjectURL(url); }
}

const pageData = typeof document !== 'undefined' && document.getElementById('dvats-compare-data');
if (pageData) mountPage(pageData);
