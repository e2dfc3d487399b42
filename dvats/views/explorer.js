// The dvats explorer: the one front end of the self-contained HTML report and of the Jupyter widget.
//
// `mount(root, data, host)` draws every view into `root` from the payload that `dvats.views.page.report_payload`
// builds (meta plus typed arrays as base64), with plotly.js loaded as the global `Plotly`. The host says where a
// selection goes: the HTML page keeps it to itself; the Jupyter widget (anywidget) syncs it with Python.
// The page mounts itself when it finds its data block; Jupyter calls the default export's `render`.

// ---- one palette and the few facts every view shares ----
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#bcbd22', '#17becf',
                        '#393b79', '#637939', '#8c6d31', '#843c39', '#7b4173'];
// noise (-1) grey, no cluster (-2: an invalid window) white
export const clusterColor = k => k === -1 ? '#b0b0b0' : k < -1 ? '#ffffff' : PALETTE[k % PALETTE.length];

const TYPES = {f4: Float32Array, i4: Int32Array, i2: Int16Array, i1: Int8Array, u2: Uint16Array};

/** A typed array from `[base64 of the little-endian bytes, type code]` (`_b64` in dvats.views.page). */
export function decode(pair) {
  const s = atob(pair[0]), u = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return new TYPES[pair[1]](u.buffer);
}

/** Window ids from runs of consecutive ids, `[first, last + 1)` pairs (`id_runs` in dvats.views.page). */
export function expandRuns(runs) {
  let n = 0; for (let r = 0; r < runs.length; r += 2) n += runs[r + 1] - runs[r];
  const out = new Int32Array(n); let k = 0;
  for (let r = 0; r < runs.length; r += 2) for (let v = runs[r]; v < runs[r + 1]; v++) out[k++] = v;
  return out;
}

/** Values from uint16 `codes` and `[base, zero, step]` (`quantise_range`, `quantise_above` in dvats.views.page). */
export function dequantise(codes, q, Type = Float64Array) {
  const [base, zero, step] = q, v = new Type(codes.length);
  for (let i = 0; i < codes.length; i++) v[i] = base + (codes[i] - zero) * step;
  return v;
}

/** Positions of the `k` highest values of `v`, highest first, ties in position order (a stable sort's first `k`, in one pass). */
export function topScores(v, k) {
  const top = [];
  for (let i = 0; i < v.length; i++) {
    const s = v[i];
    if (top.length === k && !(s > v[top[k - 1]])) continue;
    let j = top.length;
    while (j > 0 && s > v[top[j - 1]]) j--;
    top.splice(j, 0, i); if (top.length > k) top.pop();
  }
  return top;
}

/** Counts of `v` in `nbins` equal bins over its range: `{x: centres, y: counts, width}` (a histogram of a million values, drawn as bars). */
export function histogram(v, nbins) {
  let lo = Infinity, hi = -Infinity; for (const s of v) { if (s < lo) lo = s; if (s > hi) hi = s; }
  const width = (hi - lo) / nbins || 1, y = new Array(nbins).fill(0);
  for (const s of v) if (s === s) y[Math.min(nbins - 1, Math.floor((s - lo) / width))]++;
  return {x: y.map((_, b) => lo + (b + 0.5) * width), y, width};
}

// plotly's 'Viridis' colour scale, for the points drawn in groups of one colour
const VIRIDIS = ['#440154', '#48186a', '#472d7b', '#424086', '#3b528b', '#33638d', '#2c728e', '#26828e', '#21918c', '#1fa088', '#28ae80',
                 '#3fbc73', '#5ec962', '#84d44b', '#addc30', '#d8e219', '#fde725'];
const rgbOf = hex => [1, 3, 5].map(k => parseInt(hex.slice(k, k + 2), 16));
/** The colour of `f` in [0, 1] on plotly's Viridis scale, as '#rrggbb'. */
export function viridis(f) {
  const at = Math.min(1, Math.max(0, f)) * 255 / 16, k = Math.min(15, Math.floor(at)), u = Math.min(1, at - k);   // stops at 16/255 apart, the last at 1
  const a = rgbOf(VIRIDIS[k]), b = rgbOf(VIRIDIS[k + 1]), v = k === 15 ? Math.min(1, (Math.min(1, f) - 240 / 255) / (15 / 255)) : u;
  return '#' + a.map((c, j) => Math.round(c + v * (b[j] - c)).toString(16).padStart(2, '0')).join('');
}
/** '#rrggbb' as one little-endian RGBA value of a canvas's pixels, opaque. */
export const packRGBA = hex => { const [r, g, b] = rgbOf(hex); return (0xff000000 | (b << 16) | (g << 8) | r) >>> 0; };

export const fmt = n => Number(n).toLocaleString('en-US');

/** What a selection's numbers come from, when the file holds the relevance of a sample of the windows only (`''` when it holds all). */
export function sampleNote(selected, used, nSample, nValid) {
  if (nSample >= nValid) return '';
  if (!selected) return `channel importances from the ${fmt(nSample)} windows of the relevance sample (of ${fmt(nValid)}).`;
  return `channel importances from ${fmt(used)} of ${fmt(selected)} selected windows (the relevance sample)` +
    (used ? '.' : ': this file holds none of their relevance; explain them with dvats explain or in the Jupyter explorer.');
}

// Plotly renders a few HTML tags inside labels; data (channel names) is escaped so that it always shows as text.
export const esc = s => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The channel table of the windows at positions `idx`: the same arithmetic as dvats.lrp.channel_table.
 * `sums` holds per window and channel [sum of relevance, sum of |relevance|]. */
export function channelTable(sums, channels, idx) {
  const C = channels.length, s = new Float64Array(C), a = new Float64Array(C);
  for (const i of idx) { const o = i * C * 2; for (let c = 0; c < C; c++) { s[c] += sums[o + 2 * c]; a[c] += sums[o + 2 * c + 1]; } }
  let tot = 0; for (let c = 0; c < C; c++) tot += a[c];
  const rows = channels.map((ch, c) => ({channel: ch, c: c, signed: s[c] / idx.length, share: tot > 0 ? a[c] / tot : 1 / C}));
  rows.sort((p, q) => (q.share - p.share) || (p.channel < q.channel ? -1 : p.channel > q.channel ? 1 : 0));
  return rows;
}

/** A selection's channel × frequency-band map: per channel, the mean over the windows at positions `idx` of their band sums
 * (dvats.lrp.frequency.band_table's arithmetic). `bands` holds per window C × B values, times `scale[i]` when it is given (8 bits). */
export function bandTable(bands, scale, C, B, idx) {
  const z = Array.from({length: C}, () => new Float64Array(B));
  for (const i of idx) { const sc = scale ? scale[i] : 1, o = i * C * B; for (let c = 0; c < C; c++) for (let b = 0; b < B; b++) z[c][b] += bands[o + c * B + b] * sc; }
  return z.map(r => Array.from(r, v => v / Math.max(1, idx.length)));
}

/** Row ranges `[start, end)` of windows, merged; gaps closed (doubling) until at most `most` remain. */
export function mergedIntervals(ranges, most = 300) {
  let out = [];
  for (const [a, b] of ranges.slice().sort((p, q) => p[0] - q[0])) {
    if (out.length && a <= out[out.length - 1][1]) out[out.length - 1][1] = Math.max(out[out.length - 1][1], b); else out.push([a, b]);
  }
  let gap = 1;
  while (out.length > most) {
    gap *= 2; const m = [];
    for (const r of out) { if (m.length && r[0] - m[m.length - 1][1] <= gap) m[m.length - 1][1] = Math.max(m[m.length - 1][1], r[1]); else m.push(r.slice()); }
    out = m;
  }
  return out;
}

// ---- the layout: every part gets the class `dvats-<name>`; the page also gives it the id `<name>` ----
function layout(root, page) {
  const ui = {};
  function el(tag, name, attrs = {}, parent = null, text = null) {
    const e = document.createElement(tag);
    if (name) { e.classList.add('dvats-' + name); if (page) e.id = name; ui[name] = e; }
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== null) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function label(parent, text, input) { const l = el('label', null, {}, parent); if (text) l.append(text + ' '); l.appendChild(input); return l; }
  root.classList.add('dvats');
  el('h1', 'title', {}, root);
  const bar = el('div', 'bar', {}, root);
  el('span', null, {}, bar, 'colour');
  const color = el('select', 'color', {}, bar);
  for (const [v, t] of [['cluster', 'cluster'], ['score', 'anomaly score']]) el('option', null, {value: v}, color, t);
  const thrl = label(bar, 'threshold', el('input', 'thr', {type: 'range', min: 0, max: 1, step: 0.001}));
  el('span', 'thrv', {}, thrl);
  label(bar, '', el('input', 'path', {type: 'checkbox'})).append(' path between consecutive windows');
  el('span', null, {}, bar, 'selection');
  const group = 'dvats-mode-' + Math.random().toString(36).slice(2);   // one radio group per explorer on a page
  ui.modes = ['replace', 'add', 'subtract'].map(m => {
    const r = el('input', null, {type: 'radio', name: group, value: m});
    if (m === 'replace') r.checked = true;
    label(bar, '', r).append(' ' + m);
    return r;
  });
  el('select', 'clusterpick', {}, bar);
  el('button', 'selcluster', {}, bar, 'select cluster');
  el('button', 'selanom', {}, bar, 'select anomalies');
  el('button', 'clear', {}, bar, 'clear');
  el('button', 'csv', {}, bar, 'export ids (CSV)');
  el('button', 'savestate', {}, bar, 'export view (JSON)');
  label(bar, 'reopen view', el('input', 'loadstate', {type: 'file', accept: '.json,application/json'}));
  const tl = el('label', 'targetbox', {}, bar, 'explain ');
  const target = el('select', 'target', {}, tl);
  for (const [v, t] of [['embedding', 'what drives them'], ['contrast', 'what sets them apart (recomputed)']]) el('option', null, {value: v}, target, t);
  el('span', 'status', {}, bar);
  const top = el('div', null, {class: 'dvats-grid'}, root);
  const left = el('div', null, {class: 'dvats-panel'}, top);
  el('div', 'proj', {}, left); el('div', 'preview', {}, left); el('div', 'hovernote', {class: 'dvats-note'}, left);
  const right = el('div', null, {class: 'dvats-panel'}, top);
  el('div', 'imp', {}, right); el('div', 'impnote', {class: 'dvats-note'}, right); el('div', 'bands', {}, right); el('div', 'bandsnote', {class: 'dvats-note'}, right);
  el('div', 'heat', {}, right); el('div', 'heatnote', {class: 'dvats-note'}, right);
  el('div', 'series', {}, el('div', null, {class: 'dvats-panel dvats-wide'}, root));
  const bottom = el('div', null, {class: 'dvats-grid dvats-wide'}, root);
  el('div', 'hist', {}, el('div', null, {class: 'dvats-panel'}, bottom));
  el('table', 'rank', {}, el('div', null, {class: 'dvats-panel dvats-scroll'}, bottom));
  return ui;
}

/** Draw the explorer of payload `D` into `root`; returns its API (select, selectCluster, selectAnomalies, last, state, setState).
 * `host` may give: `page` (ids on the parts), `selected(ids)` and `viewed(view)` (told after each change),
 * `explained(ids, target)` (a table and profile computed elsewhere, or null), `exportIds(state)`, `exportView(state)`.
 * `start` is the state to draw first (as `state()` gives it): a host that holds one (Jupyter, after a page reload or in a
 * second view) draws it as it is, and the explorer's own empty start never reaches the host. */
export function mount(root, D, host = {}, start = null) {
  const Plotly = globalThis.Plotly;
  const M = D.meta, C = M.channels.length, NV = M.n_valid, NB = M.bucket_labels.length, NR = M.n_relevance ?? NV;
  const A = {}; for (const k in D.arrays) A[k] = decode(D.arrays[k]);
  for (const k in M.quant || {}) A[k] = dequantise(A[k], M.quant[k], k === 'score' ? Float64Array : Float32Array);   // 16-bit codes
  if (A.id_runs) A.id = expandRuns(A.id_runs);
  if (A.rel_runs) A.rel = expandRuns(A.rel_runs);
  A.start = Int32Array.from(A.id, i => i * M.stride); A.end = Int32Array.from(A.start, r => r + M.w);   // window rows, not shipped
  const CH = M.channels.map(esc);
  let sLo = Infinity, sHi = -Infinity; for (const v of A.score) { if (v < sLo) sLo = v; if (v > sHi) sHi = v; }   // no spread: 1e6 values
  const posOf = new Int32Array(M.n_windows).fill(-1); for (let i = 0; i < NV; i++) posOf[A.id[i]] = i;   // window id -> position among valid windows
  // position among valid windows -> row of the relevance arrays (sums, bands, profile), -1 for a window outside the relevance sample
  const relOf = A.rel ? new Int32Array(NV).fill(-1) : Int32Array.from({length: NV}, (_, i) => i);
  if (A.rel) A.rel.forEach((id, j) => { relOf[posOf[id]] = j; });
  const relAll = Int32Array.from({length: NR}, (_, j) => j);
  const relIdx = idx => { const out = []; for (const i of idx) { const j = relOf[i]; if (j >= 0) out.push(j); } return out; };
  const ui = layout(root, !!host.page);
  function timeOf(row) {
    if (M.time.kind === 'regular') return new Date(M.time.t0_ms + row * M.time.dt_ms).toISOString().replace('T', ' ').replace(/(\.000)?Z$/, '');
    return 'row ' + row;
  }
  ui.title.textContent = M.title;
  ui.targetbox.hidden = !host.explained;            // only a host with Python can recompute relevance for a contrast

  let sel = new Uint8Array(NV), mode = 'replace', color = 'cluster', thr = M.threshold, showPath = false, target = 'embedding';
  function takeView(s) { color = s.color || color; thr = (s.threshold ?? thr); showPath = !!s.path; mode = s.mode || mode; target = s.target || target; }
  let last = null;
  const say = text => { ui.status.textContent = text; };
  const selectedIdx = () => { const out = []; for (let i = 0; i < NV; i++) if (sel[i]) out.push(i); return out; };
  const fromIds = ids => { const idx = []; for (const id of ids) { const i = id >= 0 && id < posOf.length ? posOf[id] : -1; if (i >= 0) idx.push(i); } return idx; };
  const table = idx => channelTable(A.sums, M.channels, idx);
  const cfg = extra => Object.assign({displaylogo: false, responsive: true}, extra || {});

  function profileOf(idx) {
    const B = M.bins, z = Array.from({length: C}, () => new Float64Array(B));
    for (const i of idx) { const sc = A.profile_scale[i], o = i * C * B; for (let c = 0; c < C; c++) for (let b = 0; b < B; b++) z[c][b] += A.profile[o + c * B + b] * sc; }
    return z.map(r => Array.from(r, v => v / Math.max(1, idx.length)));
  }

  // ---- views ----
  // the hover text of one window, made when it is hovered (not a string per window: a million of them would not fit)
  const hoverText = i => 'window ' + A.id[i] + ' · ' + timeOf(A.start[i]) + ' – ' + timeOf(A.end[i] - 1) + ' · cluster ' + (A.cluster[i] === -1 ? 'noise' : A.cluster[i]) + ' · score ' + A.score[i].toFixed(3);
  const markerColors = () => color === 'cluster' ? {color: Array.from(A.cluster, clusterColor)} : {color: A.score, colorscale: 'Viridis'};
  function anomalyTrace() { const x = [], y = []; for (let i = 0; i < NV; i++) if (A.score[i] > thr) { x.push(A.x[i]); y.push(A.y[i]); } return {x, y}; }
  // many points: one trace per colour (a cluster, or one of 32 bins of the score), which plotly draws without colouring each
  // point (that alone takes seconds at a million), and the selection marked on a layer of its own (`paintMarks`)
  let groups = [], groupOf = null, groupRGBA = null, marked = [];
  function colourGroups() {
    let key, colours;
    if (color === 'cluster') {
      const lo = Math.min(-1, ...M.clusters), hi = Math.max(0, ...M.clusters);
      key = i => A.cluster[i] - lo; colours = Array.from({length: hi - lo + 1}, (_, k) => clusterColor(k + lo));
    } else {
      const nb = 32, wd = (sHi - sLo) / nb || 1;
      key = i => Math.min(nb - 1, Math.max(0, Math.floor((A.score[i] - sLo) / wd)));
      colours = Array.from({length: nb}, (_, k) => viridis((k + 0.5) / nb));
    }
    groupOf = new Uint16Array(NV); const count = new Int32Array(colours.length), at = new Int32Array(colours.length);
    for (let i = 0; i < NV; i++) { const k = key(i); groupOf[i] = k; count[k]++; }
    groups = colours.map((_, k) => new Int32Array(count[k]));
    for (let i = 0; i < NV; i++) { const k = groupOf[i]; groups[k][at[k]++] = i; }
    groupRGBA = Uint32Array.from(colours, packRGBA);
    return colours;
  }
  // the position among valid windows of a point that plotly reports (hover, lasso), or -1 for another trace's point
  const pointPos = p => !M.many ? (p.curveNumber === 0 ? p.pointIndex : -1) : p.curveNumber < groups.length ? groups[p.curveNumber][p.pointIndex] : -1;
  function drawProjection() {
    const an = anomalyTrace(), idx = selectedIdx();
    const base = {type: 'scattergl', mode: 'markers', hoverinfo: 'none', name: 'windows'};
    const bar = {showscale: color === 'score', colorbar: {title: {text: 'score'}, thickness: 10}};
    let pts;
    if (!M.many) pts = [Object.assign(base, {x: A.x, y: A.y, marker: Object.assign({size: 5}, bar, markerColors()),
                         selectedpoints: idx.length ? idx : null, selected: {marker: {opacity: 1}}, unselected: {marker: {opacity: 0.25}}})];
    else {
      const gather = (v, g) => Float32Array.from(g, i => v[i]);
      pts = colourGroups().map((c, k) => Object.assign({}, base, {x: gather(A.x, groups[k]), y: gather(A.y, groups[k]), marker: {size: 3, color: c},
                                                                  selected: {marker: {opacity: 1}}, unselected: {marker: {opacity: 1}}}));   // a lasso's points: the marks show them
      if (color === 'score') pts.push({type: 'scattergl', mode: 'markers', x: [null, null], y: [null, null], hoverinfo: 'skip', name: 'scale',
                                     marker: Object.assign({color: [sLo, sHi], colorscale: 'Viridis'}, bar)});   // the colour bar alone
    }
    const anm = {type: 'scattergl', mode: 'markers', x: an.x, y: an.y, hoverinfo: 'skip', name: 'above threshold',
                 marker: {size: 9, symbol: 'circle-open', color: '#d62728', line: {width: 1.5}}};
    const path = {type: 'scattergl', mode: 'lines', x: A.x, y: A.y, hoverinfo: 'skip', name: 'path', visible: showPath, line: {width: 0.5, color: '#999'}};
    Plotly.react(ui.proj, [...pts, anm, path], {margin: {t: 24, l: 30, r: 10, b: 30}, dragmode: 'lasso', showlegend: false,
                 title: {text: 'projection (lasso or box to select)', font: {size: 13}}, uirevision: 'keep'}, cfg());
    if (M.many) paintMarks();
  }
  function paintMarks() {                    // the selected points on a canvas over plotly's; plotly's dimmed by its opacity
    const gd = ui.proj, fl = gd._fullLayout;
    if (!fl || !fl.xaxis || !fl.xaxis._length) return;
    const gl = gd.querySelector('.gl-canvas-context');
    if (gl) gl.style.opacity = marked.length ? 0.25 : '';
    let cv = gd.querySelector('canvas.dvats-marks');
    if (!cv) {
      cv = document.createElement('canvas'); cv.className = 'dvats-marks';
      cv.style.cssText = 'position:absolute;pointer-events:none';
      const at = gd.querySelector('.gl-container'); if (at) at.after(cv); else gd.querySelector('.svg-container').appendChild(cv);
    }
    const xa = fl.xaxis, ya = fl.yaxis, r = window.devicePixelRatio || 1, W = Math.round(xa._length * r), H = Math.round(ya._length * r);
    Object.assign(cv.style, {left: xa._offset + 'px', top: ya._offset + 'px', width: xa._length + 'px', height: ya._length + 'px'});
    if (cv.width !== W || cv.height !== H) { cv.width = W; cv.height = H; }
    const cx = cv.getContext('2d');
    if (!marked.length) { cx.clearRect(0, 0, W, H); return; }
    const img = cx.createImageData(W, H), px = new Uint32Array(img.data.buffer);
    const x0 = xa.c2p(0) * r, xs = xa.c2p(1) * r - x0, y0 = ya.c2p(0) * r, ys = ya.c2p(1) * r - y0, d = Math.max(1, Math.round(r));
    for (const i of marked) {
      const X = Math.round(x0 + xs * A.x[i]), Y = Math.round(y0 + ys * A.y[i]);
      if (X < 0 || Y < 0 || X >= W || Y >= H) continue;
      const c = groupRGBA[groupOf[i]];
      for (let v = Math.max(0, Y - d); v <= Math.min(H - 1, Y + d); v++) for (let u = Math.max(0, X - d); u <= Math.min(W - 1, X + d); u++) px[v * W + u] = c;
    }
    cx.putImageData(img, 0, 0);
  }
  function drawImportance(rows) {
    const r = rows.slice().reverse();
    Plotly.react(ui.imp, [
      {type: 'bar', orientation: 'h', x: r.map(d => d.share), y: r.map(d => esc(d.channel)), name: 'share', marker: {color: '#4c78a8'}, xaxis: 'x', yaxis: 'y'},
      {type: 'bar', orientation: 'h', x: r.map(d => d.signed), y: r.map(d => esc(d.channel)), name: 'signed', xaxis: 'x2', yaxis: 'y2',
       marker: {color: r.map(d => d.signed >= 0 ? '#d62728' : '#1f77b4')}}],
      {grid: {rows: 1, columns: 2, pattern: 'independent'}, showlegend: false, margin: {t: 30, l: 80, r: 10, b: 30},
       title: {text: 'channel importance: share of |relevance| · signed relevance', font: {size: 13}},
       xaxis: {title: {text: 'share'}}, xaxis2: {title: {text: 'signed'}}, yaxis: {automargin: true}, yaxis2: {showticklabels: false}}, cfg());
  }
  function drawHeat(idx, order, ext) {
    const heatLayout = title => ({margin: {t: 30, l: 80, r: 10, b: 35}, title: {text: title, font: {size: 13}}, xaxis: {title: {text: 'step in window'}}, yaxis: {automargin: true}});
    let z, x, title, note;
    if (ext) {                 // a profile computed exactly in Python (a contrast, or relevance computed on demand)
      z = ext.profile; x = Array.from({length: M.w}, (_, b) => b);
      title = ext.target === 'embedding' ? 'relevance over the window (mean of the selection)' : 'relevance over the window (contrast of the selection)';
      note = 'exact profile, computed in Python.';
    } else if (!idx.length) {
      Plotly.react(ui.heat, [], {margin: {t: 30}, title: {text: 'relevance over the window', font: {size: 13}}, xaxis: {visible: false}, yaxis: {visible: false}}, cfg());
      ui.heatnote.textContent = 'No selected window is in the relevance sample.';
      return;
    } else if (M.bins) {
      z = profileOf(idx); x = Array.from({length: M.bins}, (_, b) => Math.round((b + 0.5) * M.w / M.bins));
      title = 'relevance over the window (mean of the selection)';
      note = M.bins < M.w ? `profile binned to ${M.bins} of ${M.w} steps and stored with 8 bits per cell to fit the file; the channel bars are exact.` : 'profile stored with 8 bits per cell; the channel bars are exact.';
    } else {
      Plotly.react(ui.heat, [], {margin: {t: 30}, title: {text: 'relevance over the window', font: {size: 13}}, xaxis: {visible: false}, yaxis: {visible: false}}, cfg());
      ui.heatnote.textContent = `The time profiles of ${NV} windows do not fit this file's size budget; see them with dvats explain or the Jupyter explorer. The channel bars are exact.`;
      return;
    }
    const ord = order.slice().reverse();
    let m = 0; for (const r of z) for (const v of r) m = Math.max(m, Math.abs(v));
    Plotly.react(ui.heat, [{type: 'heatmap', z: ord.map(d => z[d.c]), y: ord.map(d => esc(d.channel)), x: x, colorscale: 'RdBu', zmin: -m || -1, zmax: m || 1}],
                 heatLayout(title), cfg());
    ui.heatnote.textContent = note;
  }
  function drawBands(idx, order, ext) {
    const empty = (title, note) => {
      Plotly.react(ui.bands, [], {margin: {t: 30}, title: {text: title, font: {size: 13}}, xaxis: {visible: false}, yaxis: {visible: false}}, cfg());
      ui.bandsnote.textContent = note;
      return null;
    };
    if (ext && !ext.bands) return empty('relevance by frequency band', "This host computed the contrast without its frequency bands.");
    if (!ext && !idx.length) return empty('relevance by frequency band', 'No selected window is in the relevance sample.');
    if (!ext && !A.bands) return empty('relevance by frequency band', M.bands === 'over budget'
      ? `The frequency bands of ${NV} windows do not fit this file's size budget; see them in the Jupyter explorer (Explorer.frequency). The channel bars are exact.`
      : 'This run has no frequency-band sums (it was made before dvats kept them); rerun dvats run on it to add them.');
    const B = M.band_labels.length, z = ext ? ext.bands : bandTable(A.bands, A.bands_scale, C, B, idx), ord = order.slice().reverse();
    let m = 0; for (const r of z) for (const v of r) m = Math.max(m, Math.abs(v));
    Plotly.react(ui.bands, [{type: 'heatmap', z: ord.map(d => z[d.c]), y: ord.map(d => esc(d.channel)), x: M.band_labels, colorscale: 'RdBu', zmin: -m || -1, zmax: m || 1,
                             hovertemplate: '%{y}<br>%{x} cycles/step<br>R %{z:.3g}<extra></extra>'}],
                 {margin: {t: 30, l: 80, r: 10, b: 55}, title: {text: 'relevance by frequency band (mean of the selection)', font: {size: 13}},
                  xaxis: {title: {text: 'frequency band (cycles per step)', standoff: 4}, type: 'category', tickangle: 0, tickfont: {size: 10},
                          tickvals: M.band_labels, ticktext: M.band_labels.map(l => l.replace('–', '–<br>'))},   // two lines: 8 ranges fit the panel
                  yaxis: {automargin: true}}, cfg());
    ui.bandsnote.textContent = (M.bands === '8bit' ? 'band sums stored with 8 bits per cell to fit the file. ' : '')
      + 'Each step\'s relevance split over the frequencies of its window (a DFT inspection layer); the DC band is the window\'s level.';
    return z;
  }
  const bx = [], bmid = []; for (let b = 0; b < NB; b++) { bx.push(A.edges[b], A.edges[b]); bmid.push((A.edges[b] + A.edges[b + 1] - 1) / 2); }
  function stripScale() {
    const ks = [-1].concat(M.clusters.filter(k => k >= 0)), hi = Math.max(1, ks[ks.length - 1] + 1), s = [];
    ks.forEach(k => { const f0 = (k + 1) / hi, f1 = Math.min(1, (k + 2) / hi); s.push([f0, clusterColor(k)], [f1, clusterColor(k)]); });
    return s;
  }
  function drawSeries(idx, order) {
    const top = new Set(order.slice(0, Math.min(3, C)).map(d => d.c)), traces = [];
    for (let c = 0; c < C; c++) {
      const y = []; for (let b = 0; b < NB; b++) { const o = (b * C + c) * 2; y.push(A.series[o], A.series[o + 1]); }
      const on = !idx.length || top.has(c);
      traces.push({type: 'scattergl', mode: 'lines', x: bx, y: y, name: CH[c], line: {width: on ? 1.3 : 0.8}, opacity: on ? 1 : 0.2, xaxis: 'x', yaxis: 'y', hoverinfo: 'name'});
    }
    traces.push({type: 'scatter', mode: 'lines', x: bmid, y: Array.from(A.step_score), fill: 'tozeroy', name: 'anomaly score', line: {color: '#d62728', width: 1}, xaxis: 'x', yaxis: 'y2', hoverinfo: 'y'});
    traces.push({type: 'heatmap', x: bmid, y: [0], z: [Array.from(A.strip, k => k < -1 ? null : k)], xaxis: 'x', yaxis: 'y3', showscale: false, hoverinfo: 'z',
                 colorscale: stripScale(), zmin: -1, zmax: Math.max(0, ...M.clusters)});
    const runs = [];
    for (const i of idx) { const a = A.start[i], b = A.end[i], r = runs[runs.length - 1]; if (r && a <= r[1]) r[1] = Math.max(r[1], b); else runs.push([a, b]); }
    const shapes = mergedIntervals(runs).map(([a, b]) =>
      ({type: 'rect', xref: 'x', yref: 'paper', x0: a, x1: b, y0: 0.3, y1: 1, fillcolor: 'rgba(255,165,0,0.25)', line: {width: 0}}));
    shapes.push({type: 'line', xref: 'paper', yref: 'y2', x0: 0, x1: 1, y0: thr, y1: thr, line: {dash: 'dot', color: '#555', width: 1}});
    Plotly.react(ui.series, traces, {margin: {t: 58, l: 50, r: 10, b: 40}, dragmode: 'select', selectdirection: 'h', shapes: shapes, uirevision: 'keep',
      title: {text: 'series (drag along time to select the windows it covers); anomaly score; clusters', font: {size: 13}, y: 1, yref: 'container', yanchor: 'top', pad: {t: 6}},
      xaxis: {anchor: 'y3', title: {text: M.time.kind === 'regular' ? 'row (time in the hover of the projection)' : 'row'}},
      yaxis: {domain: [0.3, 1]}, yaxis2: {domain: [0.1, 0.27], title: {text: 'score'}}, yaxis3: {domain: [0, 0.07], showticklabels: false},
      legend: {orientation: 'h', x: 0, y: 1, yanchor: 'bottom'}}, cfg());
  }
  function drawHist() {
    const h = histogram(A.score, 60);
    Plotly.react(ui.hist, [{type: 'bar', x: h.x, y: h.y, width: h.width, marker: {color: '#4c78a8'}, hovertemplate: 'score %{x:.3g}<br>%{y} windows<extra></extra>'}],
      {margin: {t: 30, l: 40, r: 10, b: 35}, xaxis: {title: {text: 'score'}},
       // which rule set the threshold, so that users can reason about what 'above the threshold' means
       title: {text: 'anomaly scores; threshold: ' + (thr === M.threshold ? (M.threshold_rule || 'the run\'s') : 'set by hand'), font: {size: 11}},
       shapes: [{type: 'line', x0: thr, x1: thr, yref: 'paper', y0: 0, y1: 1, line: {color: 'red', dash: 'dash'}}]}, cfg());
  }
  function drawRank() {
    const t = ui.rank; t.replaceChildren();
    const order = topScores(A.score, 50);
    const head = t.insertRow();
    ['rank', 'window', 'from', 'to', 'cluster', 'score'].forEach(h => { const th = document.createElement('th'); th.textContent = h; head.appendChild(th); });
    order.forEach((i, r) => {
      const tr = t.insertRow();
      [r + 1, A.id[i], timeOf(A.start[i]), timeOf(A.end[i] - 1), A.cluster[i] === -1 ? 'noise' : A.cluster[i], A.score[i].toFixed(3)]
        .forEach(v => { tr.insertCell().textContent = String(v); });
      tr.onclick = () => api.select([A.id[i]], 'replace');
    });
  }
  function drawPreview(i) {
    const a = A.start[i], b = A.end[i], traces = [];
    for (let c = 0; c < C; c++) {
      const x = [], y = [];
      if (M.raw) { for (let r = a; r < b; r++) { x.push(r); y.push(A.raw[r * C + c]); } }
      else { for (let k = 0; k < NB; k++) if (A.edges[k + 1] > a && A.edges[k] < b) { const o = (k * C + c) * 2; x.push(A.edges[k], A.edges[k]); y.push(A.series[o], A.series[o + 1]); } }
      traces.push({type: 'scatter', mode: 'lines', x, y, name: CH[c], line: {width: 1}});
    }
    Plotly.react(ui.preview, traces, {margin: {t: 20, l: 30, r: 10, b: 20}, showlegend: false, title: {text: 'window ' + A.id[i], font: {size: 11}}}, cfg({staticPlot: true}));
    ui.hovernote.textContent = hoverText(i);
  }

  // ---- selection ----
  // plotly keeps a lasso or box as `layout.selections`, selects the points inside it again on each redraw of its plot, and
  // may emit plotly_selected from inside that redraw: with the explorer redrawing on each plotly_selected, a selection could
  // start an endless loop, and a stale lasso would outdraw a selection made otherwise (a cluster, Python). So the selection
  // is the explorer's alone: a plot's lasso or box is read once, then cleared from the plot, and what plotly emits while the
  // explorer draws (`drawing`) is not a new selection.
  let drawing = 0;
  function quietly(f) { drawing++; try { return f(); } finally { drawing--; } }
  function forget(gd) { if (gd.layout && (gd.layout.selections || []).length) Plotly.relayout(gd, {selections: []}); }
  function mark(idx) {                    // the projection shows `sel`
    forget(ui.proj);
    if (M.many) { marked = idx; paintMarks(); } else Plotly.restyle(ui.proj, {selectedpoints: [idx.length ? idx : null]}, [0]);
  }
  function fromPlot(gd, ev, idxList) {
    // a lasso or box always comes with its shape in `selections`; an empty list is plotly replaying the cleared one
    if (drawing || !ev || !(ev.selections || []).length) return;
    const before = sel.slice();
    combine(idxList, mode);
    if (sel.some((v, i) => v !== before[i])) update();
    else quietly(() => { forget(gd); mark(selectedIdx()); });   // plotly marked the lasso's points; an added lasso may hold fewer
  }
  function combine(idxList, how) {
    if (how === 'replace') sel.fill(0);
    for (const i of idxList) sel[i] = how === 'subtract' ? 0 : 1;
  }
  function apply(idxList, how) { combine(idxList, how || mode); update(); }
  function update() { quietly(redrawSelection); }
  function redrawSelection() {
    const t0 = performance.now();
    const idx = selectedIdx(), ids = idx.map(i => A.id[i]), n = idx.length;
    const ext = host.explained ? host.explained(ids, target) : null;
    const use = n ? relIdx(idx) : relAll;       // the rows of the relevance arrays: the selected windows that have relevance
    const rows = ext ? ext.table.map(d => ({...d, c: M.channels.indexOf(d.channel)})) : use.length ? table(use) : [];
    drawImportance(rows);
    const t1 = performance.now();
    ui.impnote.textContent = ext ? (ext.target === 'embedding' ? `channel importances of all ${fmt(n)} selected windows, computed in Python.` : '')
                                 : sampleNote(n, use.length, NR, NV);
    const bands = drawBands(use, rows, ext);
    drawHeat(use, rows, ext);
    forget(ui.series); drawSeries(idx, rows);
    mark(idx);
    last = {ids, table: rows.map(d => ({channel: d.channel, signed: d.signed, share: d.share})), bands,   // bands: per channel (payload order), or null
            used: ext ? n : use.length,               // how many windows the numbers come from
            ms_table: t1 - t0, ms_all: performance.now() - t0};
    const missing = n - use.length, part = `importances from ${fmt(use.length)} of them (the relevance sample)`;
    const waiting = host.explained && !ext && n && (target === 'contrast' ? n < NV : missing > 0 && missing <= (M.on_demand || 0));
    say(waiting && target === 'contrast' ? `${fmt(n)} windows selected · computing their contrast in Python …`
        : waiting ? `${fmt(n)} windows selected · ${part} · computing the other ${fmt(missing)} in Python …`
        : ext ? `${fmt(n)} windows selected · ` + (ext.target === 'embedding' ? 'importances of all of them (computed in Python)' : 'what sets them apart (computed in Python)')
        : n && missing ? `${fmt(n)} windows selected · ${part} in ${last.ms_table.toFixed(1)} ms`
        : n ? `${fmt(n)} windows selected · importances in ${last.ms_table.toFixed(1)} ms`
        : NR < NV ? `no selection: importances of the ${fmt(NR)} windows of the relevance sample (of ${fmt(NV)})` : `no selection: importances of all ${fmt(NV)} windows`);
    if (host.selected) host.selected(ids);
  }
  function redrawView() { quietly(redrawViewNow); }
  function showView() {                   // the controls say what is drawn
    ui.color.value = color; ui.thr.value = thr; ui.thrv.textContent = thr.toFixed(3); ui.path.checked = showPath;
    ui.modes.forEach(r => { r.checked = r.value === mode; }); ui.target.value = target;
  }
  function redrawViewNow() {
    showView(); drawProjection(); drawHist();
    drawSeries(selectedIdx(), last ? last.table.map(d => ({...d, c: M.channels.indexOf(d.channel)})) : []);
  }
  function viewChanged() { redrawView(); if (host.viewed) host.viewed({color, threshold: thr, path: showPath, mode, target}); }
  function wire() {
    ui.proj.on('plotly_selected', ev => fromPlot(ui.proj, ev, ev ? ev.points.map(pointPos).filter(i => i >= 0) : []));
    ui.proj.on('plotly_deselect', () => { if (!drawing && mode === 'replace') apply([], 'replace'); });   // a double click
    ui.proj.on('plotly_hover', ev => { const p = ev.points.find(q => pointPos(q) >= 0); if (p) drawPreview(pointPos(p)); });
    if (M.many) ui.proj.on('plotly_afterplot', () => { if (!drawing) paintMarks(); });   // zoom, pan, resize: the marks follow
    ui.series.on('plotly_selected', ev => {
      if (drawing || !ev) return;
      let r = ev.range && ev.range.x;                       // a box dragged with the mouse
      const sl = ev.selections && ev.selections[ev.selections.length - 1];
      if (!r && sl && sl.x0 !== undefined) r = [Math.min(sl.x0, sl.x1), Math.max(sl.x0, sl.x1)];   // a selection set through the API
      if (!r) return;
      const [r0, r1] = r, idx = [];
      for (let i = 0; i < NV; i++) if (A.end[i] > r0 && A.start[i] <= r1) idx.push(i);
      fromPlot(ui.series, ev, idx);
    });
  }
  const api = {
    select(ids, how) { apply(fromIds(ids), how); return last; },
    selectCluster(k, how) { const idx = []; for (let i = 0; i < NV; i++) if (A.cluster[i] === k) idx.push(i); apply(idx, how); return last; },
    selectAnomalies(how) { const idx = []; for (let i = 0; i < NV; i++) if (A.score[i] > thr) idx.push(i); apply(idx, how); return last; },
    last: () => last,
    state: () => ({dvats_view: 1, selection: selectedIdx().map(i => A.id[i]), color, threshold: thr, path: showPath, mode}),
    setState(s) {
      takeView(s); viewChanged(); api.select(s.selection || [], 'replace');
    },
    refresh: update,                      // redraw the selection's views (the host's explanation arrived)
    say,
  };
  function download(name, text, type) {
    const a = document.createElement('a'); a.href = URL.createObjectURL(new Blob([text], {type})); a.download = name; a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }
  function controls() {
    const t = ui.thr;
    t.min = sLo; t.max = sHi; t.step = (sHi - sLo) / 500 || 0.001; t.value = thr; ui.thrv.textContent = thr.toFixed(3);
    t.oninput = () => { thr = +t.value; viewChanged(); };
    ui.color.onchange = e => { color = e.target.value; viewChanged(); };
    ui.path.onchange = e => { showPath = e.target.checked; viewChanged(); };
    ui.modes.forEach(r => { r.onchange = () => { mode = r.value; viewChanged(); }; });
    ui.target.onchange = e => { target = e.target.value; viewChanged(); update(); };
    M.clusters.forEach(k => { const o = document.createElement('option'); o.value = k; o.textContent = k === -1 ? 'noise' : 'cluster ' + k; ui.clusterpick.appendChild(o); });
    ui.selcluster.onclick = () => api.selectCluster(+ui.clusterpick.value);
    ui.selanom.onclick = () => api.selectAnomalies();
    ui.clear.onclick = () => apply([], 'replace');
    ui.csv.onclick = () => host.exportIds ? host.exportIds(api.state()) : download('selection.csv', 'window\n' + api.state().selection.join('\n') + '\n', 'text/csv');
    ui.savestate.onclick = () => host.exportView ? host.exportView(api.state()) : download('dvats-view.json', JSON.stringify(api.state(), null, 1), 'application/json');
    ui.loadstate.onchange = e => {
      const f = e.target.files[0]; if (!f) return;
      f.text().then(s => { try { api.setState(JSON.parse(s)); } catch (err) { say('not a dvats view file: ' + err.message); } });
    };
  }
  if (start) { takeView(start); for (const i of fromIds(start.selection || [])) sel[i] = 1; }
  controls(); showView(); drawProjection(); drawHist(); drawRank(); drawPreview(0); update(); wire();
  // each plot takes its panel's width: on a window resize (plotly's `responsive`) and whenever the panel alone changes width
  // (Jupyter's side bar opens or closes; a plot drawn while its panel was hidden got plotly's 700 px)
  const plots = [ui.proj, ui.preview, ui.imp, ui.bands, ui.heat, ui.series, ui.hist];
  const sized = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(seen => {
    for (const e of seen) {
      const gd = e.target, w = e.contentRect.width;
      if (w > 0 && gd._fullLayout && Math.abs(gd._fullLayout.width - w) >= 1) Plotly.Plots.resize(gd);
    }
  });
  if (sized) plots.forEach(gd => sized.observe(gd));
  api.dispose = () => { if (sized) sized.disconnect(); plots.forEach(gd => Plotly.purge(gd)); };
  return api;
}

// ---- host 1: the self-contained HTML page (dvats.views.page.report_html inlines this module beside its data) ----
function mountPage(data) {
  const root = document.getElementById('dvats-root') || document.body.appendChild(document.createElement('div'));
  const t0 = performance.now(), D = JSON.parse(data.textContent), t1 = performance.now();
  window.dvats = mount(root, D, {page: true});
  const t2 = performance.now();
  document.body.setAttribute('data-ready', '1');
  // when the first frame after drawing is out (ms since the page was opened), for bench/explorer.py
  requestAnimationFrame(() => setTimeout(() => { window.dvats.timing = {start: t0, parse: t1 - t0, mount: t2 - t1, drawn: performance.now()}; }, 0));
}

// ---- host 2: Jupyter, through anywidget; the Python side is dvats.views.explorer.Explorer ----
// plotly.js comes from the kernel's plotly package, once per browser page, as the bytes of one message.
function loadPlotly(model) {
  if (globalThis.Plotly) return Promise.resolve(globalThis.Plotly);
  if (!globalThis.__dvatsPlotly) globalThis.__dvatsPlotly = new Promise(resolve => {
    const got = (msg, buffers) => {
      if (!msg || msg.kind !== 'plotly') return;
      model.off('msg:custom', got);
      // plotly's bundle is UMD: with no module system in sight it sets the global `Plotly`
      new Function('define', 'module', 'exports', new TextDecoder().decode(buffers[0])).call(globalThis);
      resolve(globalThis.Plotly);
    };
    model.on('msg:custom', got);
    model.send({kind: 'plotly?'});
  });
  return globalThis.__dvatsPlotly;
}

const SYNCED = ['selection', 'color', 'threshold', 'path', 'mode', 'target'];
const sameIds = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

async function render({model, el}) {
  await loadPlotly(model);
  for (let k = 0; k < 200 && !el.isConnected; k++) await new Promise(r => setTimeout(r, 25));   // plotly sizes plots from the page
  const root = el.appendChild(document.createElement('div'));
  let echo = false;                          // true while this view writes the model, so its own change events are ignored
  function push(values) {
    const changed = Object.keys(values).filter(k => JSON.stringify(model.get(k)) !== JSON.stringify(values[k]));
    if (!changed.length) return;
    echo = true;
    try { for (const k of changed) model.set(k, values[k]); model.save_changes(); } finally { echo = false; }
  }
  const host = {
    selected: ids => push({selection: ids}),
    viewed: v => push(v),
    explained(ids, target) {                 // Python's table (and exact profile), once it has computed it: a contrast, or relevance on demand
      const e = model.get('_explained');
      return e && e.ids && (e.target || 'contrast') === target && sameIds(e.ids, ids) ? e : null;
    },
    exportIds: () => model.send({kind: 'export_ids'}),
    exportView: () => model.send({kind: 'save_state'}),
  };
  const fromModel = () => Object.fromEntries(SYNCED.map(k => [k, model.get(k)]));
  const api = mount(root, model.get('_payload'), host, fromModel());   // the model's state, not an empty one: it survives a reload
  const onChange = () => { if (!echo) api.setState(fromModel()); };
  const onExplained = () => api.refresh();
  const onMsg = msg => { if (msg && msg.kind === 'status') api.say(msg.text); };
  for (const k of SYNCED) model.on('change:' + k, onChange);
  model.on('change:_explained', onExplained);
  model.on('msg:custom', onMsg);
  el.dvats = api; globalThis.dvats = api;
  root.setAttribute('data-ready', '1');
  return () => { for (const k of SYNCED) model.off('change:' + k, onChange); model.off('change:_explained', onExplained); model.off('msg:custom', onMsg); api.dispose(); };
}

export default {render};

const pageData = typeof document !== 'undefined' && document.getElementById('dvats-data');
if (pageData) mountPage(pageData);
