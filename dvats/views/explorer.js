// The dvats explorer: the one front end of the self-contained HTML report and of the Jupyter widget.
//
// `mount(root, data, host)` draws every view into `root` from the payload that `dvats.views.page.report_payload`
// builds (meta plus typed arrays as base64), with plotly.js loaded as the global `Plotly`. The host says where a
// selection goes: the HTML page keeps it to itself; the Jupyter widget (anywidget) syncs it with Python.
// The page mounts itself when it finds its data block; Jupyter calls the default export's `render`.

// ---- two palettes and the few facts every view shares ----
// the clusters' colours (the projection's points, the strip under the series, the overview's swatches)
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#bcbd22', '#17becf',
                        '#393b79', '#637939', '#8c6d31', '#843c39', '#7b4173'];
// the channels' colours (the series' lines, the preview): another palette, so that a channel is never read as the cluster of its colour
export const CHANNEL_PALETTE = ['#1b9e77', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666', '#d95f02',
                                '#1a5e85', '#b2182b', '#4d9221', '#5e3c99'];
export const channelColor = c => CHANNEL_PALETTE[c % CHANNEL_PALETTE.length];
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
/** A count and its noun, singular for one: `count(1, 'window')` -> '1 window', `count(1102, 'window')` -> '1,102 windows'. */
export const count = (n, one, many = one + 's') => `${fmt(n)} ${Number(n) === 1 ? one : many}`;
const nw = n => count(n, 'window');

/** What a selection's numbers come from, when the file holds the relevance of a sample of the windows only (`''` when it holds all). */
export function sampleNote(selected, used, nSample, nValid) {
  if (nSample >= nValid) return '';
  if (!selected) return `channel importances from the ${nw(nSample)} of the relevance sample (of ${fmt(nValid)}).`;
  return `channel importances from ${fmt(used)} of ${fmt(selected)} selected ${selected === 1 ? 'window' : 'windows'} (the relevance sample)` +
    (used ? '.' : ': this file holds none of their relevance; explain them with dvats explain or in the Jupyter explorer.');
}

// Plotly renders a few HTML tags inside labels; data (channel names) is escaped so that it always shows as text.
export const esc = s => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The channel table of the windows at positions `idx`: the same arithmetic as dvats.explain.channel_table.
 * `sums` holds per window and channel [sum of relevance, sum of |relevance|], times `scale[i]` when given (8-bit rows). */
export function channelTable(sums, channels, idx, scale = null) {
  const C = channels.length, s = new Float64Array(C), a = new Float64Array(C);
  for (const i of idx) {
    const o = i * C * 2, sc = scale ? scale[i] : 1;
    for (let c = 0; c < C; c++) { s[c] += sums[o + 2 * c] * sc; a[c] += sums[o + 2 * c + 1] * sc; }
  }
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

// ---- what sets a selection apart: dvats.explain's contrast, from the run's contrast basis (`contrast_arrays` in dvats.views.page) ----
/** One byte per window id: 1 for the windows that share a step with a window of `ids` (these included), the exclusion zone of
 * dvats.contrast.overlap_zone: id j is in it iff some id i has |i - j| <= g - 1, g = ceil(w / stride). A difference array, one pass. */
export function overlapZone(ids, nWindows, g) {
  const edge = new Int32Array(nWindows + 1), clip = v => Math.max(0, Math.min(nWindows, v));
  for (const i of ids) { edge[clip(i - g + 1)]++; edge[clip(i + g)]--; }
  const zone = new Uint8Array(nWindows);
  for (let j = 0, run = 0; j < nWindows; j++) { run += edge[j]; zone[j] = run > 0 ? 1 : 0; }
  return zone;
}

/** How many stretches in time the sorted window ids `sid` form (dvats.contrast.stretches): a gap wider than `g` ids starts one. */
export function stretches(sid, g) {
  let n = sid.length ? 1 : 0; for (let k = 1; k < sid.length; k++) if (sid[k] - sid[k - 1] > g) n++;
  return n;
}

/** The rows of the contrast basis a selection's contrast reads, against the reference 'auto' (dvats.contrast.contrast_reference):
 * per row 1 (a selected window), 2 (a reference window) or 0. A selection of at most `ct.compact` stretches in time is contrasted
 * with its neighbours (the valid windows within `ct.span` ids of a selected one, outside its `overlapZone`) when it has any,
 * others with all valid windows outside that zone (when every valid window is in it, every unselected one). `sel`: one byte per
 * valid window (its position); `id`: the valid windows' ids; `rowPos`: the position of each row's window. Returns
 * `{role, nRef, overlapping, reference}`: nRef counts the reference's valid windows, rows or not. */
export function contrastRoles(sel, id, nWindows, ct, rowPos) {
  let n = 0; for (let i = 0; i < sel.length; i++) n += sel[i] ? 1 : 0;
  const sid = new Int32Array(n); for (let i = 0, k = 0; i < sel.length; i++) if (sel[i]) sid[k++] = id[i];
  const zone = overlapZone(sid, nWindows, ct.zone);
  let near = null, reference = 'all';
  if (stretches(sid, ct.zone) <= ct.compact) {
    near = overlapZone(sid, nWindows, ct.span + 1);            // |i - j| <= span
    let m = 0; for (let i = 0; i < id.length; i++) m += near[id[i]] && !zone[id[i]] ? 1 : 0;
    if (m) reference = 'neighbours'; else near = null;
  }
  let free = 0; for (let i = 0; i < id.length; i++) free += zone[id[i]] || (near && !near[id[i]]) ? 0 : 1;
  const overlapping = free === 0, role = new Uint8Array(rowPos.length);
  for (let j = 0; j < rowPos.length; j++) {
    const i = rowPos[j], w = id[i];
    role[j] = sel[i] ? 1 : overlapping || (!zone[w] && (!near || near[w])) ? 2 : 0;
  }
  return {role, nRef: overlapping ? id.length - n : free, overlapping, reference};
}

/** The contrast of the rows marked 1 in `role` against those marked 2 (dvats.contrast.contrast_from_basis): with
 * delta[c][k] = mean of basis rows 1 - mean of rows 2 (row r is `basis[r] * scale[r]`, C × K values), the first `S` columns
 * shared by the channels (d[k] = Σ_c delta[c][k]) and the others each channel's own (its coordinates are delta[c][k] itself),
 * each channel's contribution (Σ_shared delta[c][k] d[k] + Σ_own delta[c][k]²) / |d| (they sum to |d|). Returns `{contribution, size, ns, nr}`. */
export function contrastOf(basis, scale, C, K, S, role) {
  const CK = C * K, sum = [null, new Float64Array(CK), new Float64Array(CK)], count = [0, 0, 0];
  for (let r = 0; r < role.length; r++) {
    const t = role[r]; if (!t) continue;
    const acc = sum[t], sc = scale[r], o = r * CK; count[t]++;
    for (let k = 0; k < CK; k++) acc[k] += basis[o + k] * sc;
  }
  const [, ns, nr] = count, delta = new Float64Array(CK), d = new Float64Array(S), own = new Float64Array(C), contribution = new Float64Array(C);
  if (!ns || !nr) return {contribution, size: 0, ns, nr};
  for (let k = 0; k < CK; k++) delta[k] = sum[1][k] / ns - sum[2][k] / nr;
  for (let c = 0; c < C; c++) {
    for (let k = 0; k < S; k++) d[k] += delta[c * K + k];
    for (let k = S; k < K; k++) own[c] += delta[c * K + k] * delta[c * K + k];
  }
  let size = 0; for (let k = 0; k < S; k++) size += d[k] * d[k];
  for (let c = 0; c < C; c++) size += own[c];
  size = Math.sqrt(size);
  if (size > 0) for (let c = 0; c < C; c++) { let s = own[c]; for (let k = 0; k < S; k++) s += delta[c * K + k] * d[k]; contribution[c] = s / size; }
  return {contribution, size, ns, nr};
}

/** Σ ρ(|i − j|) over the windows i of `a` and j of `b` (sorted ids; dvats.contrast.pair_sum), ρ taken as 0 beyond its last lag.
 * `mask`: scratch, one byte per window id (left all zero). */
export function pairSum(a, b, rho, mask) {
  if (!a.length || !b.length) return 0;
  for (const j of b) mask[j] = 1;
  const L = rho.length, n = mask.length;
  let total = 0;
  for (const i of a) {
    if (mask[i]) total += rho[0];
    for (let l = 1; l < L; l++) { if (i + l < n && mask[i + l]) total += rho[l]; if (i >= l && mask[i - l]) total += rho[l]; }
  }
  for (const j of b) mask[j] = 0;
  return total;
}

/** `{ratio, threshold}` (dvats.contrast.distinctness): `size` over √E‖d‖², the expected squared difference of the means of windows
 * placed like the selected and the reference ones (`sel`, `ref`: their ids, sorted) when nothing sets them apart, and the ratio 99%
 * of them stay below (a scaled χ² with ν = (tr Σ)²/tr Σ², Wilson–Hilferty); `nul` = `meta.contrast.null` ({tr, tr2, rho}). */
export function distinctness(size, sel, ref, nul, nWindows, z = 2.326) {
  if (!(sel.length && ref.length && nul.tr > 0)) return {ratio: size > 0 ? Infinity : 0, threshold: 0};
  const mask = new Uint8Array(nWindows + 1), ns = sel.length, nr = ref.length;
  const v = pairSum(sel, sel, nul.rho, mask) / (ns * ns) + pairSum(ref, ref, nul.rho, mask) / (nr * nr) - 2 * pairSum(sel, ref, nul.rho, mask) / (ns * nr);
  const e2 = nul.tr * Math.max(v, 1 / ((ns + nr) * (ns + nr)));
  const nu = nul.tr2 > 0 ? nul.tr * nul.tr / nul.tr2 : 1;
  const q = nu * Math.max(1 - 2 / (9 * nu) + z * Math.sqrt(2 / (9 * nu)), 0) ** 3;
  return {ratio: size / Math.sqrt(e2), threshold: Math.sqrt(q / nu)};
}

/** The channel table of a contrast (dvats.contrast.contrast_table): `signed` contribution, `share` of the absolute ones, most positive first. */
export function contrastTable(contribution, channels) {
  const C = channels.length; let tot = 0; for (let c = 0; c < C; c++) tot += Math.abs(contribution[c]);
  const rows = channels.map((ch, c) => ({channel: ch, c: c, signed: contribution[c], share: tot > 0 ? Math.abs(contribution[c]) / tot : 1 / C}));
  rows.sort((p, q) => (q.signed - p.signed) || (p.channel < q.channel ? -1 : p.channel > q.channel ? 1 : 0));
  return rows;
}

/** What the page says above a contrast's bars: the selection, its reference, and how far it stands apart from random selections of its size. */
export function contrastLine(ct) {
  const who = ct.nSelected > ct.ns ? `${fmt(ct.ns)} of ${fmt(ct.nSelected)} selected ${ct.nSelected === 1 ? 'window' : 'windows'} (those in the contrast basis' sample)` : nw(ct.ns);
  const ref = count(ct.nr, 'reference window') + ' (' + (ct.overlapping ? 'every window shares a step with the selection: all unselected windows)'
    : ct.reference === 'neighbours' ? 'neighbours: the windows around the selection in time that share no step with it)' : 'all: every window that shares no step with the selection)');
  const x = v => v === Infinity ? '∞' : v.toFixed(1);
  if (ct.distinct) return `${who} against ${ref}: ${x(ct.ratio)}× a random selection's difference (99% stay below ${x(ct.threshold)}×)`;
  return `${who} against ${ref}: not distinct from its reference: random selections of its size differ as much (${x(ct.ratio)}×; 99% stay below ${x(ct.threshold)}×)`;
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

// ---- tags: named sets of windows, written as intervals (the format of dvats.tags) ----
/** Sorted ids as an id list, ranges of consecutive ids: `[3, 4, 5, 9]` -> '3-5,9'. */
export function idList(ids) {
  const out = [];
  for (let k = 0; k < ids.length; k++) {
    let j = k; while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    out.push(j > k ? ids[k] + '-' + ids[j] : String(ids[k])); k = j;
  }
  return out.join(',');
}
/** The ids of an id list ('3-5,9' -> [3, 4, 5, 9]); throws on anything else, naming it. */
export function parseIdList(s) {
  const out = [];
  for (const part of String(s).split(',').map(t => t.trim()).filter(t => t)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new Error(`'${part}' is not a window id or a range of ids (like 3-5)`);
    const a = +m[1], b = m[2] === undefined ? a : +m[2];
    if (b < a) throw new Error(`the range '${part}' runs backwards`);
    for (let v = a; v <= b; v++) out.push(v);
  }
  return out;
}
/** Sorted window ids cut into intervals: maximal runs of windows whose time spans `[id * stride, id * stride + w)` touch or overlap. */
export function tagIntervals(ids, stride, w) {
  const out = [];
  for (const id of ids) { const r = out[out.length - 1]; if (r && (id - r[r.length - 1]) * stride <= w) r.push(id); else out.push([id]); }
  return out;
}
/** OWASP's rule against CSV injection, as dvats.io's `spreadsheet_safe`: text that starts with a formula character (`=`, `+`, `-`,
 * `@`, a tab or a carriage return), which a spreadsheet would compute, or with `'`, gets a `'` before it; numbers stay as they are. */
export const spreadsheetSafe = v => typeof v === 'string' && /^[=+\-@\t\r']/.test(v) ? "'" + v : v;
/** The inverse of `spreadsheetSafe` on text (dvats.io's `spreadsheet_restore`): one leading `'` taken off. */
export const spreadsheetRestore = v => typeof v === 'string' && v.startsWith("'") ? v.slice(1) : v;
/** One CSV field, RFC 4180 (quoted when it holds a comma, a quote or a line break, inner quotes doubled), text made `spreadsheetSafe`:
 * the field dvats.io's `write_csv` writes. */
export const csvField = v => { const s = String(spreadsheetSafe(v)); return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; };
/** Tags (`[[name, sorted ids], ...]`) as the CSV of dvats.tags: `tag,start_time,end_time,window_ids`, one row per interval, from
 * its first window's first row to its last window's last row (as the window table's `start_time`, `end_time`); `timeAt(row)`
 * gives the text of a row's time. */
export function tagsCSV(tags, stride, w, timeAt) {
  const lines = ['tag,start_time,end_time,window_ids'];
  for (const [name, ids] of tags) for (const r of tagIntervals(ids, stride, w))
    lines.push([name, timeAt(r[0] * stride), timeAt(r[r.length - 1] * stride + w - 1), idList(r)].map(csvField).join(','));
  return lines.join('\n') + '\n';
}
/** The rows of a CSV text (RFC 4180: quoted fields may hold commas, doubled quotes and line breaks). */
export function parseCSV(text) {
  const rows = []; let row = [], f = '', q = false, i = 0;
  const s = String(text).replace(/^\ufeff/, '');
  while (i < s.length) {
    const ch = s[i];
    if (q) { if (ch === '"') { if (s[i + 1] === '"') { f += '"'; i++; } else q = false; } else f += ch; }
    else if (ch === '"') q = true;
    else if (ch === ',') { row.push(f); f = ''; }
    else if (ch === '\n' || ch === '\r') { if (ch === '\r' && s[i + 1] === '\n') i++; row.push(f); rows.push(row); row = []; f = ''; }
    else f += ch;
    i++;
  }
  if (q) throw new Error('a quoted field is not closed');
  if (f !== '' || row.length) { row.push(f); rows.push(row); }
  return rows.filter(r => r.length > 1 || r[0] !== '');
}
/** Tags from the CSV of dvats.tags: `[[name, sorted unique ids], ...]` in their first row's order (the times are informative), each name
 * `spreadsheetRestore`d. */
export function readTagsCSV(text) {
  const rows = parseCSV(text);
  if (!rows.length) throw new Error('the file is empty');
  const head = rows[0].map(h => spreadsheetRestore(h).trim()), t = head.indexOf('tag'), k = head.indexOf('window_ids');
  if (t < 0 || k < 0) throw new Error(`no 'tag' and 'window_ids' columns (the header is ${rows[0].join(',')})`);
  const got = new Map();
  rows.slice(1).forEach((r, n) => {
    if (r.length <= Math.max(t, k)) throw new Error(`row ${n + 2} has ${r.length} fields, fewer than the header`);
    try { const ids = parseIdList(r[k]), name = spreadsheetRestore(r[t]); got.set(name, (got.get(name) || []).concat(ids)); }   // the name as typed
    catch (e) { throw new Error(`row ${n + 2}: ${e.message}`); }
  });
  return [...got].map(([name, ids]) => [name, Array.from(new Set(ids)).sort((a, b) => a - b)]);
}
/** A time as pandas writes it (`Timestamp.isoformat(sep=' ')`): 'YYYY-MM-DD HH:MM:SS', with microseconds when there are any. */
export function isoTime(ms) {
  const t = Math.round(ms * 1000), whole = Math.floor(t / 1e6) * 1000, us = t - whole * 1000;
  const s = new Date(whole).toISOString().slice(0, 19).replace('T', ' ');
  return us ? s + '.' + String(us).padStart(6, '0') : s;
}
/** Positions `k` of sorted `v` nearest to `x` (the nearest value; ties: the earlier). */
export function nearestSorted(v, x) {
  let lo = 0, hi = v.length - 1;
  while (lo < hi) { const m = (lo + hi) >> 1; if (v[m] < x) lo = m + 1; else hi = m; }
  return lo > 0 && x - v[lo - 1] <= v[lo] - x ? lo - 1 : lo;
}

// what can colour the projection (the values of dvats.views.explorer.COLORS), and what the control says
export const COLOR_NAMES = [['cluster', 'cluster'], ['score', 'anomaly score'], ['time', 'time'], ['matrix_profile', 'matrix profile']];
export const SERIES_LAYOUTS = ['channels', 'overlay'];

// the shortcuts and gestures the help overlay lists
export const HELP = [['Ctrl+Z', 'undo the last change of the selection'], ['Ctrl+Shift+Z, Ctrl+Y', 'redo it'],
                     ['?', 'show or hide this list'], ['Esc', 'close it'],
                     ['lasso or box in the projection', 'select the windows inside (replace, add or subtract, as the selection mode says)'],
                     ['double-click in the projection', 'clear the selection (Ctrl+Z brings it back)'],
                     ['drag along the series', 'select the windows that cover that time'],
                     ['click a point', 'show its window, its context in time and the windows like it'],
                     ['click a cluster or an event', 'select its windows']];

// ---- the layout: every part gets the class `dvats-<name>`; the page also gives it the id `<name>` ----
function layout(root, page, own) {   // own: the page answers 'what sets them apart' itself (the run has a contrast basis)
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
  for (const [v, t] of COLOR_NAMES) el('option', null, {value: v}, color, t);
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
  el('button', 'undo', {title: 'undo the last change of the selection (Ctrl+Z)'}, bar, '↶ undo');
  el('button', 'redo', {title: 'redo it (Ctrl+Shift+Z or Ctrl+Y)'}, bar, '↷ redo');
  el('button', 'csv', {}, bar, 'export ids (CSV)');
  el('button', 'savestate', {}, bar, 'export view (JSON)');
  label(bar, 'reopen view', el('input', 'loadstate', {type: 'file', accept: '.json,application/json'}));
  const tl = el('label', 'targetbox', {}, bar, 'explain ');
  const target = el('select', 'target', {}, tl);
  const targets = own ? [['contrast', 'what sets them apart'], ['embedding', 'what the encoder looks at']]
                      : [['embedding', 'what drives them'], ['contrast', 'what sets them apart (recomputed)']];   // a run made before the basis: Python recomputes
  for (const [v, t] of targets) el('option', null, {value: v}, target, t);
  el('button', 'helpbtn', {title: 'keyboard shortcuts and mouse gestures (?)'}, bar, '?');
  el('span', 'status', {}, bar);
  // the clicked window: its neighbours in time, the windows most like it, and tags
  const bar2 = el('div', null, {class: 'dvats-bar dvats-bar2'}, root);
  el('span', 'focusv', {}, bar2, 'click a window (a point, a row of the list) to see its context');
  const ctx = el('span', 'ctxbox', {}, bar2);
  el('span', null, {}, ctx, 'context: ');
  const cb = label(ctx, 'before', el('input', 'ctxb', {type: 'range', min: 0, max: 100, step: 1}));   // two handles: before and after
  el('span', 'ctxbv', {}, cb);
  const ca = label(ctx, 'after', el('input', 'ctxa', {type: 'range', min: 0, max: 100, step: 1}));
  el('span', 'ctxav', {}, ca);
  el('button', 'selctx', {}, ctx, 'select context');
  const sim = el('span', 'simbox', {}, bar2);
  el('span', 'simv', {}, sim);
  el('button', 'selsim', {}, sim, 'select these');
  el('span', 'focusnote', {class: 'dvats-note'}, bar2);
  const tb = el('span', 'tagbox', {}, bar2);
  el('input', 'tagname', {type: 'text', placeholder: 'name the selection', size: 16}, tb);
  el('button', 'tagbtn', {}, tb, 'tag');
  el('button', 'tagcsv', {}, tb, 'export tags (CSV)');
  label(tb, 'import tags', el('input', 'tagload', {type: 'file', accept: '.csv,text/csv'}));
  const sl = el('select', 'serieslayout', {});
  label(bar2, 'series', sl);                        // the word and its choice on one line
  for (const [v, t] of [['channels', 'one row per channel'], ['overlay', 'channels overlaid']]) el('option', null, {value: v}, sl, t);
  el('div', 'tags', {}, root);
  // what an analyst reads first: the clusters in words, and the anomalies merged into events
  const sum = el('div', null, {class: 'dvats-grid'}, root);
  const ovp = el('div', 'overviewbox', {class: 'dvats-panel dvats-scroll dvats-summary'}, sum);
  el('div', null, {class: 'dvats-caption'}, ovp, 'clusters: size, share of the time, what changed in them (click one to select it)');
  el('table', 'overview', {}, ovp);
  const evp = el('div', 'eventbox', {class: 'dvats-panel dvats-scroll dvats-summary'}, sum);
  el('div', 'rankcaption', {class: 'dvats-caption'}, evp, 'anomalies');
  el('table', 'rank', {}, evp);
  const top = el('div', null, {class: 'dvats-grid'}, root);
  const left = el('div', null, {class: 'dvats-panel'}, top);
  el('div', 'proj', {}, left); el('div', 'preview', {}, left); el('div', 'hovernote', {class: 'dvats-note'}, left);
  const right = el('div', null, {class: 'dvats-panel'}, top);
  el('div', 'verdict', {}, right); el('div', 'imp', {}, right); el('div', 'impnote', {class: 'dvats-note'}, right); el('div', 'bands', {}, right); el('div', 'bandsnote', {class: 'dvats-note'}, right);
  el('div', 'heat', {}, right); el('div', 'heatnote', {class: 'dvats-note'}, right);
  el('div', 'series', {}, el('div', null, {class: 'dvats-panel dvats-wide'}, root));
  const bottom = el('div', null, {class: 'dvats-grid dvats-wide'}, root);
  el('div', 'hist', {}, el('div', null, {class: 'dvats-panel'}, bottom));
  // the shortcuts, shown with '?' or its button
  const help = el('div', 'help', {role: 'dialog', 'aria-label': 'keyboard shortcuts'}, root);
  help.hidden = true;
  if (page) help.classList.add('dvats-help-fixed');
  el('button', 'helpclose', {title: 'close (Esc)'}, help, '×');
  el('div', null, {class: 'dvats-caption'}, help, 'keyboard and mouse');
  const keys = el('table', null, {}, help);
  for (const [k, what] of HELP) { const tr = keys.insertRow(); tr.insertCell().textContent = k; tr.insertCell().textContent = what; }
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
  const relPos = A.rel ? Int32Array.from(A.rel, id => posOf[id]) : null;   // row of the relevance arrays -> position (null: the same)
  // the matrix profile of each window (16-bit codes at many windows, its NaN positions apart) and of each step, when the run has one
  if (A.mp_nan_runs) A.mp_nan = expandRuns(A.mp_nan_runs);
  if (A.mp_nan) for (const i of A.mp_nan) A.mp[i] = NaN;
  // the table of similar windows: the ids of the windows that have a list, and their lists (k ids each, -1 padded)
  if (A.nb_runs) A.nb = expandRuns(A.nb_runs);
  const K = M.nb_k || 0, nbRow = new Int32Array(K ? M.n_windows : 0).fill(-1);
  if (K) A.nb.forEach((id, j) => { nbRow[id] = j; });
  const CT = M.contrast || null;                    // the contrast basis' facts (null: a run made before it)
  if (A.basis_id_runs) A.basis_id = expandRuns(A.basis_id_runs);
  const basisPos = CT ? Int32Array.from(A.basis_id, id => posOf[id]) : null;   // row of the basis -> position among valid windows
  const ui = layout(root, !!host.page, !!CT);
  const TIME = M.time.kind === 'regular';
  function timeOf(row) { return TIME ? isoTime(M.time.t0_ms + row * M.time.dt_ms) : 'row ' + row; }
  // the series' x axis: time (a plotly date axis, in ms) when the data has a regular time index, else rows
  const xOf = row => TIME ? M.time.t0_ms + row * M.time.dt_ms : row;
  const rowOf = v => { const xa = ui.series._fullLayout && ui.series._fullLayout.xaxis, c = xa ? xa.r2c(v) : +v; return TIME ? (c - M.time.t0_ms) / M.time.dt_ms : c; };
  ui.title.textContent = M.title;
  ui.targetbox.hidden = !CT && !host.explained;     // without the basis, only a host with Python can recompute relevance for a contrast
  const canSimilar = host.similar ? !!M.similar : K > 0;   // the widget: Python answers when it can (M.similar); the page: its table
  ui.simbox.hidden = !canSimilar;                   // a run made before the table of similar windows: no such control
  for (const o of ui.color.options) if (o.value === 'matrix_profile') o.hidden = o.disabled = !A.mp;

  let sel = new Uint8Array(NV), mode = 'replace', color = 'cluster', thr = M.threshold, showPath = false, target = CT ? 'contrast' : 'embedding';
  let focus = -1, ctx = [5, 5], seriesLayout = C > 3 ? 'channels' : 'overlay', tags = [];   // tags: [[name, sorted valid ids], ...]
  const ctxMax = +ui.ctxb.max;
  const clampCtx = v => Math.max(0, Math.min(ctxMax, Math.round(+v || 0)));
  function takeView(s) {
    color = s.color || color; if (color === 'matrix_profile' && !A.mp) color = 'cluster';
    thr = (s.threshold ?? thr); showPath = !!s.path; mode = s.mode || mode; target = s.target || target;
    if (target === 'contrast' && !CT && !host.explained) target = 'embedding';
    if (s.series_layout) seriesLayout = s.series_layout;
    if (s.context) ctx = [clampCtx(s.context[0]), clampCtx(s.context[1])];
    if (s.focus !== undefined && s.focus !== null) focus = s.focus >= 0 && s.focus < posOf.length && posOf[s.focus] >= 0 ? s.focus : -1;
    if (s.tags) tags = cleanTags(Object.entries(s.tags));
  }
  // tags hold valid windows only, sorted and unique, by name in the order given (a name given twice: the last wins)
  function cleanTags(pairs) {
    const m = new Map();
    for (const [name, ids] of pairs) m.set(String(name), Array.from(new Set(Array.from(ids, Number).filter(id => id >= 0 && id < posOf.length && posOf[id] >= 0))).sort((a, b) => a - b));
    return [...m].filter(([, ids]) => ids.length);
  }
  const TAG_COLORS = PALETTE.filter((_, k) => ![1, 4, 8].includes(k));   // not the selection's orange, the similar windows' purple, the context's cyan
  const tagColor = k => TAG_COLORS[k % TAG_COLORS.length];
  let last = null;
  const say = text => { ui.status.textContent = text; };
  const selectedIdx = () => { const out = []; for (let i = 0; i < NV; i++) if (sel[i]) out.push(i); return out; };
  const fromIds = ids => { const idx = []; for (const id of ids) { const i = id >= 0 && id < posOf.length ? posOf[id] : -1; if (i >= 0) idx.push(i); } return idx; };
  const table = idx => channelTable(A.sums, M.channels, idx, A.sums_scale || null);
  const cfg = extra => Object.assign({displaylogo: false, responsive: true}, extra || {});

  function profileOf(idx) {
    const B = M.bins, z = Array.from({length: C}, () => new Float64Array(B));
    for (const i of idx) { const sc = A.profile_scale[i], o = i * C * B; for (let c = 0; c < C; c++) for (let b = 0; b < B; b++) z[c][b] += A.profile[o + c * B + b] * sc; }
    return z.map(r => Array.from(r, v => v / Math.max(1, idx.length)));
  }

  // ---- views ----
  // the hover text of one window, made when it is hovered (not a string per window: a million of them would not fit)
  const hoverText = i => 'window ' + A.id[i] + ' · ' + timeOf(A.start[i]) + ' – ' + timeOf(A.end[i] - 1) + ' · cluster ' + (A.cluster[i] === -1 ? 'noise' : A.cluster[i]) + ' · score ' + A.score[i].toFixed(3);
  function anomalyTrace() { const x = [], y = []; for (let i = 0; i < NV; i++) if (A.score[i] > thr) { x.push(A.x[i]); y.push(A.y[i]); } return {x, y}; }
  // a continuous colouring: its values per window (time: the window id, which orders windows in time), their range, the colour bar
  const ORDER = Float64Array.from(A.id);
  function scale() {
    const v = color === 'score' ? A.score : color === 'time' ? ORDER : color === 'matrix_profile' ? A.mp : null;
    if (!v) return null;
    let lo = Infinity, hi = -Infinity; for (const s of v) { if (s < lo) lo = s; if (s > hi) hi = s; }
    if (!(lo <= hi)) { lo = 0; hi = 1; }
    const bar = {title: {text: color === 'time' ? 'window start' : color === 'score' ? 'score' : 'matrix profile', side: 'right'}, thickness: 10};
    if (color === 'time') Object.assign(bar, {tickvals: [lo, hi], ticktext: [timeOf(lo * M.stride), timeOf(hi * M.stride)].map(t => t.replace(' ', '<br>'))});
    return {v, lo, hi, bar};
  }
  const NAN_COLOR = '#b0b0b0';                 // a window without a value (the matrix profile's NaN)
  // many points: one trace per colour (a cluster, or one of 32 bins of a continuous value, plus NaN), which plotly draws without
  // colouring each point (that alone takes seconds at a million), and the selection marked on a layer of its own (`paintMarks`)
  let groups = [], groupOf = null, groupRGBA = null, marked = [];
  function colourGroups(sc) {
    let key, colours;
    if (!sc) {
      const lo = Math.min(-1, ...M.clusters), hi = Math.max(0, ...M.clusters);
      key = i => A.cluster[i] - lo; colours = Array.from({length: hi - lo + 1}, (_, k) => clusterColor(k + lo));
    } else {
      const nb = 32, wd = (sc.hi - sc.lo) / nb || 1, v = sc.v;
      key = i => v[i] === v[i] ? Math.min(nb - 1, Math.max(0, Math.floor((v[i] - sc.lo) / wd))) : nb;
      colours = Array.from({length: nb}, (_, k) => viridis((k + 0.5) / nb)).concat([NAN_COLOR]);
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
  // the clicked window, its context and the windows like it: painted on a canvas of their own over the points, so that a click
  // redraws a few marks, not plotly's points (a restyle of any trace redraws every point: 50 ms and more)
  function overlayCanvas(cls, z) {
    const gd = ui.proj, fl = gd._fullLayout;
    if (!fl || !fl.xaxis || !fl.xaxis._length) return null;
    let cv = gd.querySelector('canvas.' + cls);
    if (!cv) {
      cv = document.createElement('canvas'); cv.className = cls;
      cv.style.cssText = 'position:absolute;pointer-events:none' + (z ? ';z-index:' + z : '');
      const at = gd.querySelector('.gl-container'); if (at) at.after(cv); else gd.querySelector('.svg-container').appendChild(cv);
    }
    const xa = fl.xaxis, ya = fl.yaxis, r = window.devicePixelRatio || 1, W = Math.round(xa._length * r), H = Math.round(ya._length * r);
    Object.assign(cv.style, {left: xa._offset + 'px', top: ya._offset + 'px', width: xa._length + 'px', height: ya._length + 'px'});
    if (cv.width !== W || cv.height !== H) { cv.width = W; cv.height = H; }
    return {cv, r, W, H, px: i => (xa.c2p(A.x[i])) * r, py: i => (ya.c2p(A.y[i])) * r};
  }
  let painted = {context: [], similar: [], clicked: []};      // what the canvas shows, by window id (read by tests and scripts)
  function paintFocus() {
    const o = overlayCanvas('dvats-focus', 2); if (!o) return;
    const cx = o.cv.getContext('2d'), r = o.r; cx.clearRect(0, 0, o.W, o.H);
    const ci = contextIdx(), si = similarNow().idx, f = focus >= 0 ? [posOf[focus]] : [];
    painted = {context: ci.map(i => A.id[i]), similar: si.map(i => A.id[i]), clicked: f.map(i => A.id[i])};
    cx.lineWidth = 1.5 * r;
    for (const i of ci) {                      // the context: cyan diamonds
      const x = o.px(i), y = o.py(i), d = 5 * r;
      cx.beginPath(); cx.moveTo(x, y - d); cx.lineTo(x + d, y); cx.lineTo(x, y + d); cx.lineTo(x - d, y); cx.closePath();
      cx.fillStyle = 'rgba(23,190,207,0.85)'; cx.fill(); cx.strokeStyle = '#0b6b75'; cx.stroke();
    }
    // the windows like it: purple rings on a white halo, edged in black, seen on every cluster's colour (the purple cluster's too)
    for (const [wd, col, rad] of [[5, '#ffffff', 6], [2.5, '#9467bd', 6], [0.8, '#111111', 7.6]]) {
      cx.lineWidth = wd * r; cx.strokeStyle = col;
      for (const i of si) { cx.beginPath(); cx.arc(o.px(i), o.py(i), rad * r, 0, 2 * Math.PI); cx.stroke(); }
    }
    for (const i of f) {                       // the clicked window: a black star
      const x = o.px(i), y = o.py(i); cx.beginPath();
      for (let k = 0; k < 10; k++) { const a = -Math.PI / 2 + k * Math.PI / 5, d = (k % 2 ? 3.5 : 9) * r; cx.lineTo(x + d * Math.cos(a), y + d * Math.sin(a)); }
      cx.closePath(); cx.fillStyle = '#111'; cx.fill(); cx.lineWidth = 1 * r; cx.strokeStyle = '#fff'; cx.stroke();
    }
  }
  function drawProjection() {
    const an = anomalyTrace(), idx = selectedIdx(), sc = scale();
    const base = {type: 'scattergl', mode: 'markers', hoverinfo: 'none', name: 'windows'};
    let pts;
    if (!M.many) {
      const c = sc ? Array.from(sc.v, s => s === s ? viridis((s - sc.lo) / (sc.hi - sc.lo || 1)) : NAN_COLOR) : Array.from(A.cluster, clusterColor);
      pts = [Object.assign(base, {x: A.x, y: A.y, marker: {size: 5, color: c},
                         selectedpoints: idx.length ? idx : null, selected: {marker: {opacity: 1}}, unselected: {marker: {opacity: 0.25}}})];
    } else {
      const gather = (v, g) => Float32Array.from(g, i => v[i]);
      pts = colourGroups(sc).map((c, k) => Object.assign({}, base, {x: gather(A.x, groups[k]), y: gather(A.y, groups[k]), marker: {size: 3, color: c},
                                                                    selected: {marker: {opacity: 1}}, unselected: {marker: {opacity: 1}}}));   // a lasso's points: the marks show them
    }
    // the windows above the threshold: black rings on a white halo, seen on every cluster's colour (a red ring vanished on red points)
    const halo = {type: 'scattergl', mode: 'markers', x: an.x, y: an.y, hoverinfo: 'skip', name: 'above threshold (halo)',
                  marker: {size: 11, symbol: 'circle-open', color: '#ffffff', line: {width: 4}}};
    const anm = {type: 'scattergl', mode: 'markers', x: an.x, y: an.y, hoverinfo: 'skip', name: 'above threshold',
                 marker: {size: 11, symbol: 'circle-open', color: '#111111', line: {width: 1.6}}};
    const path = {type: 'scattergl', mode: 'lines', x: A.x, y: A.y, hoverinfo: 'skip', name: 'path', visible: showPath, line: {width: 0.5, color: '#999'}};
    const traces = [...pts, halo, path, anm];          // the path third, as before (the widget's tests read it there)
    if (sc) traces.push({type: 'scattergl', mode: 'markers', x: [null], y: [null], hoverinfo: 'skip', name: 'scale',   // the colour bar alone
                         marker: {color: [sc.lo, sc.hi], cmin: sc.lo, cmax: sc.hi, colorscale: 'Viridis', showscale: true, colorbar: sc.bar}});
    // no zero lines: the projection's coordinates have no meaning of their own, and x = 0 drew a stray vertical line through the points
    Plotly.react(ui.proj, traces, {margin: {t: 24, l: 30, r: 10, b: 30}, dragmode: 'lasso', showlegend: false, clickmode: 'event',
                 xaxis: {zeroline: false}, yaxis: {zeroline: false},
                 title: {text: 'projection (lasso or box to select; click a point for its context)', font: {size: 13}}, uirevision: 'keep'}, cfg());
    if (M.many) paintMarks();
    paintFocus();
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
      {type: 'bar', orientation: 'h', x: r.map(d => d.share), y: r.map(d => esc(d.channel)), name: 'share', marker: {color: '#4c78a8'}, xaxis: 'x', yaxis: 'y',
       hovertemplate: '%{y}: %{x:.1%} of the |relevance|<extra></extra>'},
      {type: 'bar', orientation: 'h', x: r.map(d => d.signed), y: r.map(d => esc(d.channel)), name: 'signed', xaxis: 'x2', yaxis: 'y2',
       marker: {color: r.map(d => d.signed >= 0 ? '#d62728' : '#1f77b4')}, hovertemplate: '%{y}: %{x:.3g} mean relevance per window<extra></extra>'}],
      {grid: {rows: 1, columns: 2, pattern: 'independent'}, showlegend: false, margin: {t: 30, l: 80, r: 10, b: 30},
       title: {text: 'channel importance: share of |relevance| · signed relevance (R)', font: {size: 13}},
       xaxis: {title: {text: 'share of |R| (0–1)'}}, xaxis2: {title: {text: 'signed R (mean)'}}, yaxis: {automargin: true}, yaxis2: {showticklabels: false}}, cfg());
  }
  function drawHeat(idx, order, ext, elsewhere) {   // elsewhere: why the page does not draw it (a contrast's profile), or nothing
    const heatLayout = title => ({margin: {t: 30, l: 80, r: 10, b: 35}, title: {text: title, font: {size: 13}}, xaxis: {title: {text: 'step in window'}}, yaxis: {automargin: true}});
    let z, x, title, note;
    ui.heat.hidden = !!elsewhere;               // no empty panel: the note says where the contrast's profile is
    if (elsewhere) {
      Plotly.react(ui.heat, [], {margin: {t: 30}, xaxis: {visible: false}, yaxis: {visible: false}}, cfg());
      ui.heatnote.textContent = elsewhere;
      return;
    } else if (ext) {          // a profile computed exactly in Python (a contrast, or relevance computed on demand)
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
      ui.heatnote.textContent = `The time profiles of ${nw(NV)} do not fit this file's size budget; see them with dvats explain or the Jupyter explorer. The channel bars are exact.`;
      return;
    }
    const ord = order.slice().reverse();
    let m = 0; for (const r of z) for (const v of r) m = Math.max(m, Math.abs(v));
    Plotly.react(ui.heat, [{type: 'heatmap', z: ord.map(d => z[d.c]), y: ord.map(d => esc(d.channel)), x: x, colorscale: 'RdBu', zmin: -m || -1, zmax: m || 1}],
                 heatLayout(title), cfg());
    ui.heatnote.textContent = note;
  }
  function drawBands(idx, order, ext, elsewhere) {
    const empty = (title, note) => {
      Plotly.react(ui.bands, [], {margin: {t: 30}, title: {text: title, font: {size: 13}}, xaxis: {visible: false}, yaxis: {visible: false}}, cfg());
      ui.bandsnote.textContent = note;
      return null;
    };
    ui.bands.hidden = !!elsewhere;              // no empty panel: the note says where the contrast's bands are
    if (elsewhere) return empty('', elsewhere);
    if (ext && !ext.bands) return empty('relevance by frequency band', "This host computed the contrast without its frequency bands.");
    if (!ext && !idx.length) return empty('relevance by frequency band', 'No selected window is in the relevance sample.');
    if (!ext && !A.bands) return empty('relevance by frequency band', M.bands === 'over budget'
      ? `The frequency bands of ${nw(NV)} do not fit this file's size budget; see them in the Jupyter explorer (Explorer.frequency). The channel bars are exact.`
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
  const bx = [], bmid = []; for (let b = 0; b < NB; b++) { bx.push(xOf(A.edges[b]), xOf(A.edges[b])); bmid.push(xOf((A.edges[b] + A.edges[b + 1] - 1) / 2)); }
  function stripScale() {
    const ks = [-1].concat(M.clusters.filter(k => k >= 0)), hi = Math.max(1, ks[ks.length - 1] + 1), s = [];
    ks.forEach(k => { const f0 = (k + 1) / hi, f1 = Math.min(1, (k + 2) / hi); s.push([f0, clusterColor(k)], [f1, clusterColor(k)]); });
    return s;
  }
  // the series' rows, bottom to top, in px: the cluster strip, the anomaly score, the matrix profile (when the run has one), the tags'
  // lane (when there are tags), then the channels, overlaid or one row each (the selection's most important channels on top)
  const LANE = {strip: 16, score: 64, mp: 64, tags: 14, gap: 8, channel: 64, top: 58, bottom: 40};
  function seriesGeometry() {
    const per = seriesLayout === 'channels' && C > 1;
    const height = per ? Math.max(520, LANE.top + LANE.bottom + LANE.strip + LANE.score + (A.step_mp ? LANE.mp + LANE.gap : 0) + LANE.tags + 3 * LANE.gap + C * LANE.channel) : 520;
    const H = height - LANE.top - LANE.bottom, f = px => px / H, g = {per, height};
    let y = 0;
    const take = px => { const d = [Math.min(1, f(y)), Math.min(1, f(y + px))]; y += px + LANE.gap; return d; };
    g.strip = take(LANE.strip); g.score = take(LANE.score);
    if (A.step_mp) g.mp = take(LANE.mp);
    g.tags = take(LANE.tags);
    g.channels = [Math.min(f(y), 0.95), 1];
    return g;
  }
  // the shapes on the series: the selection (orange), the clicked window's context (cyan) and the windows like it (purple), the
  // clicked window (outlined), the tags (one colour each, in their lane), the threshold; each named, as tests and scripts read them
  function seriesShapes(idx, g) {
    const rect = (name, a, b, y0, y1, fill, line) => ({type: 'rect', name, xref: 'x', yref: 'paper', x0: xOf(a), x1: xOf(b), y0, y1, fillcolor: fill, line: line || {width: 0}, layer: 'below'});
    const spans = list => { const runs = []; for (const i of list) { const a = A.start[i], b = A.end[i], r = runs[runs.length - 1]; if (r && a <= r[1]) r[1] = Math.max(r[1], b); else runs.push([a, b]); } return mergedIntervals(runs); };
    const [c0, c1] = g.channels, shapes = [];
    for (const [a, b] of spans(idx)) shapes.push(rect('selection', a, b, c0, c1, 'rgba(255,165,0,0.25)'));
    for (const [a, b] of spans(contextIdx())) shapes.push(rect('context', a, b, c0, c0 + (c1 - c0) * 0.5, 'rgba(23,190,207,0.3)'));
    for (const i of similarNow().idx) shapes.push(rect('similar', A.start[i], A.end[i], c0 + (c1 - c0) * 0.5, c1, 'rgba(148,103,189,0.35)', {width: 1, color: '#9467bd'}));   // one each: they may touch
    if (focus >= 0) { const i = posOf[focus]; shapes.push(rect('clicked', A.start[i], A.end[i], c0, c1, 'rgba(0,0,0,0)', {width: 1.5, color: '#111', dash: 'dot'})); }
    tags.forEach(([, ids], k) => { for (const [a, b] of spans(fromIds(ids))) shapes.push(rect('tag', a, b, g.tags[0], g.tags[1], tagColor(k))); });
    shapes.push({type: 'line', name: 'threshold', xref: 'paper', yref: 'y2', x0: 0, x1: 1, y0: thr, y1: thr, line: {dash: 'dot', color: '#555', width: 1}});
    return shapes;
  }
  // the series' data never changes: its arrays are made once, so that plotly (which compares arrays by reference) recomputes
  // nothing on a selection; a selection changes the shapes, the channels' brightness and, one row per channel, the rows' order
  const chanY = Array.from({length: C}, (_, c) => { const y = []; for (let b = 0; b < NB; b++) { const o = (b * C + c) * 2; y.push(A.series[o], A.series[o + 1]); } return y; });
  const scoreY = Array.from(A.step_score), stripZ = [Array.from(A.strip, k => k < -1 ? null : k)];
  const mpY = A.step_mp ? Array.from(A.step_mp, v => v === v ? v : null) : null;
  const chanAxis = c => c === 0 ? 'y' : 'y' + (4 + c);               // channel c keeps its axis; its row is the axis' domain
  let seriesG = null, seriesKey = null, seriesDrawn = null;
  function seriesRows(order, g) {
    // channels in the order of the importance the page shows, then any the table lacks; per channel: its row's domain
    const ranked = order.map(d => d.c).filter(c => c >= 0);
    const chans = ranked.concat(Array.from({length: C}, (_, c) => c).filter(c => !ranked.includes(c)));
    const [c0, c1] = g.channels, rowH = (c1 - c0) / C, dom = new Array(C);
    chans.forEach((c, r) => { dom[c] = [c1 - (r + 1) * rowH + 0.004, c1 - r * rowH - 0.004]; });
    return dom;
  }
  function drawSeries(idx, order) {
    const g = seriesGeometry(), top = new Set(order.slice(0, Math.min(3, C)).map(d => d.c)), dom = seriesRows(order, g);
    const on = c => !idx.length || top.has(c), key = seriesLayout + '|' + g.height;
    const opacity = Array.from({length: C}, (_, c) => on(c) ? 1 : g.per ? 0.45 : 0.2), width = Array.from({length: C}, (_, c) => on(c) ? 1.3 : 0.8);
    seriesG = g;
    if (key === seriesKey && ui.series._fullLayout) {                 // the same figure: what changed, only (each plotly call redraws)
      const upd = {shapes: seriesShapes(idx, g)}, same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
      if (g.per && !same(dom, seriesDrawn.dom)) for (let c = 0; c < C; c++) { upd[chanAxis(c).replace('y', 'yaxis') + '.domain'] = dom[c]; upd[`annotations[${c}].y`] = dom[c][1]; }
      if (!same(opacity, seriesDrawn.opacity)) Plotly.restyle(ui.series, {opacity, 'line.width': width}, Array.from({length: C}, (_, c) => c));
      Plotly.relayout(ui.series, upd);
      seriesDrawn = {dom, opacity};
      return;
    }
    seriesKey = key; seriesDrawn = {dom, opacity};
    const traces = [], axes = {}, notes = [];
    for (let c = 0; c < C; c++) {
      const ax = g.per ? chanAxis(c) : 'y';
      traces.push({type: 'scatter', mode: 'lines', x: bx, y: chanY[c], name: CH[c], line: {width: width[c], color: channelColor(c)},
                   opacity: opacity[c], xaxis: 'x', yaxis: ax, hoverinfo: 'name'});
      if (g.per) {
        axes[ax.replace('y', 'yaxis')] = {domain: dom[c], tickfont: {size: 9}, nticks: 3, zeroline: false};
        notes.push({xref: 'paper', yref: 'paper', x: 0.002, y: dom[c][1], xanchor: 'left', yanchor: 'top', showarrow: false, text: CH[c],
                    font: {size: 11, color: channelColor(c)}, bgcolor: 'rgba(255,255,255,0.75)'});
      }
    }
    if (!g.per) axes.yaxis = {domain: g.channels};
    traces.push({type: 'scatter', mode: 'lines', x: bmid, y: scoreY, fill: 'tozeroy', name: 'anomaly score', line: {color: '#d62728', width: 1}, xaxis: 'x', yaxis: 'y2', hoverinfo: 'y'});
    traces.push({type: 'heatmap', x: bmid, y: [0], z: stripZ, xaxis: 'x', yaxis: 'y3', showscale: false, hoverinfo: 'z',
                 colorscale: stripScale(), zmin: -1, zmax: Math.max(0, ...M.clusters)});
    if (mpY) {
      traces.push({type: 'scatter', mode: 'lines', x: bmid, y: mpY, fill: 'tozeroy', name: 'matrix profile', line: {color: '#2b6cb0', width: 1}, xaxis: 'x', yaxis: 'y4', hoverinfo: 'y'});
      axes.yaxis4 = {domain: g.mp, title: {text: 'MP', font: {size: 10}}, tickfont: {size: 9}, nticks: 3};
    }
    ui.series.style.height = g.height + 'px';
    Plotly.react(ui.series, traces, Object.assign({margin: {t: LANE.top, l: 60, r: 10, b: LANE.bottom}, dragmode: 'select', selectdirection: 'h', shapes: seriesShapes(idx, g), uirevision: 'keep',
      annotations: notes,
      title: {text: 'series (drag along time to select the windows it covers); ' + (mpY ? 'matrix profile; ' : '') + 'anomaly score; tags; clusters',
              font: {size: 13}, y: 1, yref: 'container', yanchor: 'top', pad: {t: 6}},
      xaxis: Object.assign({anchor: 'y3', automargin: true, title: {text: TIME ? 'time' : 'row', standoff: 6}}, TIME ? {type: 'date'} : {}),   // below the dates' second line
      yaxis2: {domain: g.score, title: {text: 'score', font: {size: 10}}, tickfont: {size: 9}, nticks: 3}, yaxis3: {domain: g.strip, showticklabels: false},
      showlegend: !g.per, legend: {orientation: 'h', x: 0, y: 1, yanchor: 'bottom'}}, axes), cfg());
  }
  function relayoutShapes() { if (seriesG) Plotly.relayout(ui.series, {shapes: seriesShapes(selectedIdx(), seriesG)}); }
  function drawHist() {
    const h = histogram(A.score, 60);
    Plotly.react(ui.hist, [{type: 'bar', x: h.x, y: h.y, width: h.width, marker: {color: '#4c78a8'}, customdata: h.y.map(c => c === 1 ? 'window' : 'windows'), hovertemplate: 'score %{x:.3g}<br>%{y} %{customdata}<extra></extra>'}],
      {margin: {t: 30, l: 40, r: 10, b: 35}, xaxis: {title: {text: 'score'}},
       // which rule set the threshold, so that users can reason about what 'above the threshold' means
       title: {text: 'anomaly scores; threshold: ' + (thr === M.threshold ? (M.threshold_rule || 'the run\'s') : 'set by hand'), font: {size: 11}},
       shapes: [{type: 'line', x0: thr, x1: thr, yref: 'paper', y0: 0, y1: 1, line: {color: 'red', dash: 'dash'}}]}, cfg());
  }
  // ---- the overview: one row per cluster (dvats.overview.cluster_overview), and the anomalies as events (anomaly_events) ----
  const OV = M.overview || null, EV = M.events || null, MOST_EVENTS = 200;
  let ovRows = [], evRows = [];
  const head = (t, names) => { const tr = t.insertRow(); names.forEach(h => { const th = document.createElement('th'); th.textContent = h; if (h === 'what changed') th.className = 'dvats-words'; tr.appendChild(th); }); };
  const pct = f => f > 0 && f < 0.005 ? '<1%' : Math.round(f * 100) + '%';
  function drawOverview() {
    const t = ui.overview; t.replaceChildren(); ovRows = [];
    ui.overviewbox.hidden = !OV;                    // a payload made before the overview: no panel
    if (!OV) return;
    head(t, ['cluster', 'size', 'time', 'stretches', 'what changed']);
    for (const o of OV) {
      const tr = t.insertRow(), name = o.cluster === -1 ? 'noise' : 'cluster ' + o.cluster;
      tr.dataset.cluster = o.cluster; tr.title = `select the windows of ${name}`;
      const c0 = tr.insertCell(), sw = document.createElement('span');
      sw.className = 'dvats-swatch'; sw.style.background = clusterColor(o.cluster);
      c0.append(sw, ' ' + name);
      const cells = [nw(o.windows), pct(o.share), count(o.stretches, 'stretch', 'stretches'), o.description];
      cells.forEach((v, j) => { const td = tr.insertCell(); td.textContent = v; if (j === 3) td.className = 'dvats-words'; });
      tr.onclick = () => api.selectCluster(o.cluster, 'replace');
      ovRows.push({cluster: o.cluster, color: clusterColor(o.cluster), cells: [name, ...cells]});
    }
  }
  /** The positions of event `k`'s windows: those of `first..last` above the run's threshold (the windows anomaly_events merged). */
  function eventIdx(k) {
    const e = EV && EV[k], idx = [];
    if (!e) return idx;
    for (let id = e.first; id <= e.last; id++) { const i = posOf[id]; if (i >= 0 && A.score[i] > M.threshold) idx.push(i); }
    return idx;
  }
  function drawRank() {
    if (EV) return drawEvents();
    ui.rankcaption.textContent = 'the windows of highest anomaly score (click one to select it)';
    const t = ui.rank; t.replaceChildren();
    const order = topScores(A.score, 50);
    const head = t.insertRow();
    ['rank', 'window', 'from', 'to', 'cluster', 'score'].forEach(h => { const th = document.createElement('th'); th.textContent = h; head.appendChild(th); });
    order.forEach((i, r) => {
      const tr = t.insertRow();
      [r + 1, A.id[i], timeOf(A.start[i]), timeOf(A.end[i] - 1), A.cluster[i] === -1 ? 'noise' : A.cluster[i], A.score[i].toFixed(3)]
        .forEach(v => { tr.insertCell().textContent = String(v); });
      tr.onclick = () => { api.select([A.id[i]], 'replace'); api.focus(A.id[i]); };
    });
  }
  function drawEvents() {
    const t = ui.rank; t.replaceChildren(); evRows = [];
    ui.rankcaption.textContent = !EV.length ? 'anomalies: no window is above the run\'s threshold'
      : `anomalies: ${count(EV.length, 'event')}, the windows above the run's threshold merged where they touch, highest peak first (click one to select its windows)`;
    if (!EV.length) return;
    head(t, ['#', 'peak', 'from', 'to', 'size', 'what changed']);
    EV.slice(0, MOST_EVENTS).forEach((e, k) => {
      const tr = t.insertRow(); tr.dataset.event = k; tr.title = `select the windows of event ${k + 1}`;
      const cells = [String(k + 1), Number(e.peak).toFixed(3), e.start_time ?? timeOf(e.start), e.end_time ?? timeOf(e.end - 1), nw(e.windows), e.description];
      cells.forEach((v, j) => { const td = tr.insertCell(); td.textContent = v; if (j === 5) td.className = 'dvats-words'; });
      tr.onclick = () => api.selectEvent(k, 'replace');
      evRows.push({event: k, first: e.first, last: e.last, cells});
    });
    if (EV.length > MOST_EVENTS) { const td = t.insertRow().insertCell(); td.colSpan = 6; td.className = 'dvats-words'; td.textContent = `… and ${count(EV.length - MOST_EVENTS, 'more event')}, of lower peaks`; }
  }
  function drawPreview(i) {
    const a = A.start[i], b = A.end[i], traces = [];
    for (let c = 0; c < C; c++) {
      const x = [], y = [];
      if (M.raw) { for (let r = a; r < b; r++) { x.push(r); y.push(A.raw[r * C + c]); } }
      else { for (let k = 0; k < NB; k++) if (A.edges[k + 1] > a && A.edges[k] < b) { const o = (k * C + c) * 2; x.push(A.edges[k], A.edges[k]); y.push(A.series[o], A.series[o + 1]); } }
      traces.push({type: 'scatter', mode: 'lines', x, y, name: CH[c], line: {width: 1, color: channelColor(c)}});
    }
    Plotly.react(ui.preview, traces, {margin: {t: 20, l: 30, r: 10, b: 20}, showlegend: false, title: {text: 'window ' + A.id[i], font: {size: 11}}}, cfg({staticPlot: true}));
    ui.hovernote.textContent = hoverText(i);
  }

  // ---- the clicked window: its context (neighbours in time) and the windows most like it ----
  function contextIdx() {
    const out = []; if (focus < 0) return out;
    for (let id = Math.max(0, focus - ctx[0]); id <= Math.min(M.n_windows - 1, focus + ctx[1]); id++) { const i = posOf[id]; if (i >= 0) out.push(i); }
    return out;
  }
  let simCache = null;
  function similarNow() {
    if (focus < 0 || !canSimilar) return {ids: [], idx: [], note: ''};
    if (simCache && simCache.focus === focus) return simCache;
    let r;
    if (host.similar) {                      // Jupyter: Python answers for any valid window, exactly
      const got = host.similar(focus);
      r = got ? {ids: got.ids, of: got.of ?? focus, note: got.note || ''} : {ids: [], of: focus, note: 'asking Python for the windows like it …', pending: true};
    } else {                                 // the page: the run's table, or the list of the nearest window in time that has one
      let j = nbRow[focus], of = focus, note = '';
      if (j < 0) { of = A.nb[nearestSorted(A.nb, focus)]; j = nbRow[of]; note = `window ${focus} has no list of similar windows in this file; showing those like window ${of}, the nearest in time that has one` +
        (M.nb_rows < M.nb_listed ? ` (the file holds the lists of ${fmt(M.nb_rows)} of ${nw(M.nb_listed)}, to fit its size budget).` : '.'); }
      const ids = []; for (let k = 0; k < K; k++) { const v = A.nbr[j * K + k]; if (v >= 0) ids.push(v); }
      r = {ids, of, note};
    }
    r.focus = focus; r.idx = fromIds(r.ids);
    if (!r.pending) simCache = r;
    return r;
  }
  let lastFocus = null;
  function showFocus() {
    ui.ctxb.value = ctx[0]; ui.ctxa.value = ctx[1]; ui.ctxbv.textContent = ctx[0]; ui.ctxav.textContent = ctx[1];
    ui.serieslayout.value = seriesLayout;
    ui.selctx.disabled = ui.selsim.disabled = focus < 0;
    if (focus < 0) { ui.focusv.textContent = 'click a window (a point, a row of the list) to see its context'; ui.simv.textContent = ''; ui.focusnote.textContent = ''; return; }
    const i = posOf[focus], s = similarNow();
    ui.focusv.textContent = `window ${focus} (${timeOf(A.start[i])} – ${timeOf(A.end[i] - 1)}) · context ${nw(contextIdx().length)}`;
    ui.simv.textContent = s.pending ? 'more like this: …' : `more like this: ${nw(s.ids.length)}`;
    ui.focusnote.textContent = s.note;
  }
  function drawFocus() {
    const t0 = performance.now();
    paintFocus(); quietly(relayoutShapes);
    showFocus();
    const s = similarNow();
    lastFocus = {painted, focus, context: contextIdx().map(i => A.id[i]), similar: s.ids, similar_of: s.of ?? focus, note: s.note, pending: !!s.pending, ms: performance.now() - t0};
    return lastFocus;
  }
  // ---- tags: named selections, drawn in their lane under the series ----
  const tagsObj = () => Object.fromEntries(tags.map(([n, ids]) => [n, ids.slice()]));
  function drawTagList() {
    ui.tags.replaceChildren();
    tags.forEach(([name, ids], k) => {
      const chip = document.createElement('span'); chip.className = 'dvats-tag';
      const sw = document.createElement('span'); sw.className = 'dvats-swatch'; sw.style.background = tagColor(k);
      const b = document.createElement('button'); b.className = 'dvats-tagsel'; b.textContent = name; b.title = 'select the windows of this tag';
      b.onclick = () => api.selectTag(name);
      const n = document.createElement('span'); n.textContent = ` ${nw(ids.length)} `;
      const x = document.createElement('button'); x.className = 'dvats-tagdel'; x.textContent = '×'; x.title = 'remove this tag';
      x.onclick = () => api.untag(name);
      chip.append(sw, b, n, x); ui.tags.appendChild(chip);
    });
  }
  function setTags(t) { tags = t; drawTagList(); quietly(relayoutShapes); tell(); }
  const timeAt = row => TIME ? isoTime(M.time.t0_ms + row * M.time.dt_ms) : String(row);

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
  function update() { remember(); quietly(redrawSelection); }
  // ---- undo and redo: each change of the selection, kept as runs of positions [a, b) (a cluster of a million windows: a few runs) ----
  const MOST_UNDO = 100;
  let now = null, past = [], future = [];
  function snap() {
    const r = []; let i = 0;
    while (i < NV) { if (sel[i]) { const a = i; while (i < NV && sel[i]) i++; r.push(a, i); } else i++; }
    return Int32Array.from(r);
  }
  const sameSnap = (a, b) => a.length === b.length && a.every((v, k) => v === b[k]);
  function restore(r) { sel.fill(0); for (let k = 0; k < r.length; k += 2) sel.fill(1, r[k], r[k + 1]); }
  function showHistory() { ui.undo.disabled = !past.length; ui.redo.disabled = !future.length; }
  function remember() {                   // before a redraw: a selection that changed since the last one can be undone
    const s = snap();
    if (now && !sameSnap(s, now)) { past.push(now); if (past.length > MOST_UNDO) past.shift(); future = []; }
    now = s; showHistory();
    if (picked && !sameSnap(now, picked.snap)) { picked.tr.classList.remove('dvats-picked'); picked = null; }
  }
  // the overview's or the event list's row whose windows are the selection, marked until the selection changes
  let picked = null;
  function pick(tr) {
    if (picked) picked.tr.classList.remove('dvats-picked');
    picked = tr ? {tr, snap: now} : null;
    if (tr) tr.classList.add('dvats-picked');
  }
  function travel(from, to, done, hint) {
    if (!from.length) { say(done === 'undone' ? 'nothing to undo' : 'nothing to redo'); return last; }
    to.push(now); now = from.pop(); restore(now); showHistory();
    quietly(redrawSelection);
    say(ui.status.textContent + ` · ${done} (${hint})`);
    return last;
  }
  const undo = () => travel(past, future, 'undone', 'Ctrl+Shift+Z redoes');
  const redo = () => travel(future, past, 'redone', 'Ctrl+Z undoes');
  function showHelp(on) { ui.help.hidden = on === undefined ? !ui.help.hidden : !on; return !ui.help.hidden; }
  function onKey(e) {
    const t = e.target, typing = t && (t.isContentEditable || t.tagName === 'TEXTAREA' || (t.tagName === 'INPUT' && !['checkbox', 'radio', 'range', 'button', 'file'].includes(t.type)));
    if (typing) return;                     // the tag's name box keeps its own undo
    const k = (e.key || '').toLowerCase(), mod = e.ctrlKey || e.metaKey;
    if (mod && !e.altKey && k === 'z') { e.preventDefault(); e.stopPropagation(); if (e.shiftKey) redo(); else undo(); }
    else if (mod && !e.altKey && !e.shiftKey && k === 'y') { e.preventDefault(); e.stopPropagation(); redo(); }
    else if (!mod && !e.altKey && e.key === '?') { e.preventDefault(); showHelp(); }
    else if (e.key === 'Escape' && !ui.help.hidden) showHelp(false);
  }
  // the selection's contrast against the reference 'all', from the basis the page holds: dvats.explain.basis_contrast(run, ids), at once;
  // Python's explain(run, ids, target='contrast') computes it exactly (along the exact direction, with its profile and bands)
  function contrastNow(n) {
    const t0 = performance.now();
    const {role, nRef, overlapping, reference} = contrastRoles(sel, A.id, M.n_windows, CT, basisPos);
    const r = contrastOf(A.basis, A.basis_scale, C, CT.k, CT.shared, role);
    const ok = r.ns > 0 && r.nr > 0 && r.size > 0, rows = k => { const out = []; for (let j = 0; j < role.length; j++) if (role[j] === k) out.push(A.basis_id[j]); return out; };
    const dist = ok ? distinctness(r.size, rows(1), rows(2), CT.null, M.n_windows) : {ratio: null, threshold: null};
    const ct = {reference, ns: r.ns, nr: r.nr, nRef, nSelected: n, overlapping, size: r.size, ratio: dist.ratio, threshold: dist.threshold,
                distinct: ok ? dist.ratio > dist.threshold : null, table: ok ? contrastTable(r.contribution, M.channels) : []};
    ct.line = !r.ns ? `${n === 1 ? 'the selected window is not' : `none of the ${fmt(n)} selected windows is`} in the contrast basis' sample: this file holds nothing to contrast them with; explain them in Python (dvats explain RUN --contrast).`
      : !r.nr ? 'nothing to contrast: every window is selected, so no reference window is left.'
      : !ok ? "nothing to contrast: the selection's mean equals the reference's." : contrastLine(ct);
    ct.ms = performance.now() - t0;
    return ct;
  }
  function drawContrast(ct, rows) {        // the signed contributions; no bars when the selection is not distinct
    const r = ct.distinct ? rows.slice().reverse() : [];
    const title = {text: 'what sets them apart: each channel\'s contribution to the difference', font: {size: 13}};
    if (!r.length) { Plotly.react(ui.imp, [], {margin: {t: 30}, title, xaxis: {visible: false}, yaxis: {visible: false}}, cfg()); return; }
    Plotly.react(ui.imp, [{type: 'bar', orientation: 'h', x: r.map(d => d.signed), y: r.map(d => esc(d.channel)), name: 'contribution',
                           marker: {color: r.map(d => d.signed >= 0 ? '#d62728' : '#1f77b4')}, hovertemplate: '%{y}: %{x:.3g} of the difference<extra></extra>'}],
      {showlegend: false, margin: {t: 30, l: 80, r: 10, b: 30}, title, xaxis: {title: {text: 'contribution (the channels sum to the difference)'}},
       yaxis: {automargin: true}}, cfg());
  }
  const IN_PYTHON = "explain(run, ids, target='contrast') or dvats explain RUN --contrast";
  // what the signed bars mean, beside them
  const SIGNED_WORDS = 'Share: each channel\'s part of the selection\'s total |relevance| (the bars sum to 1). Signed R: its mean relevance per window, '
    + 'in the units of the encoder\'s output (red: positive, it adds to the output; blue: negative, it takes from it).';
  const CONTRAST_WORDS = 'Contribution: in the units of the contrast basis\' coordinates, the channels sum to the size of the difference; '
    + 'red: the channel moves with the difference, blue: against it.';
  function redrawSelection() {
    const t0 = performance.now();
    const idx = selectedIdx(), ids = idx.map(i => A.id[i]), n = idx.length;
    const ext = host.explained ? host.explained(ids, target) : null;
    const own = !!CT && target === 'contrast' && n > 0;   // the page's own contrast, at once (and its verdict, also once Python's exact one arrives)
    const use = own ? [] : n ? relIdx(idx) : relAll;     // the rows of the relevance arrays: the selected windows that have relevance
    const ct = own ? contrastNow(n) : null;
    const exact = own && !!ext;                 // Jupyter: Python's exact contrast arrived; its table goes with its profile and bands
    const rows = own && !exact ? ct.table : ext ? ext.table.map(d => ({...d, c: M.channels.indexOf(d.channel)})) : use.length ? table(use) : [];
    if (own) drawContrast(ct, rows); else drawImportance(rows);
    const t1 = performance.now();
    ui.verdict.textContent = own ? ct.line : CT && target === 'contrast'
      ? 'Select windows (a lasso, a cluster, the anomalies, a tag, a drag along the series) to see what sets them apart; until then, what the encoder looks at:' : '';
    ui.verdict.hidden = !ui.verdict.textContent;
    ui.impnote.textContent = own ? (!ct.distinct ? '' : exact ? 'Each channel\'s contribution to the difference, from the run\'s contrast basis; its time profile and bands computed in Python.'
                                   : `Each channel's contribution to the difference between the selection's mean embedding and its reference's: the run's contrast basis `
                                     + `(${CT.shared} main directions of the learned features and each channel's band amplitudes, 8 bits per cell), as explain(run, ids, target='contrast') gives it in Python. `
                                     + CONTRAST_WORDS)
                           : ext ? (ext.target === 'embedding' ? (n === 1 ? 'channel importances of the selected window, computed in Python.' : `channel importances of all ${fmt(n)} selected windows, computed in Python.`) : '')
                           : [sampleNote(n, use.length, NR, NV), SIGNED_WORDS].filter(t => t).join(' ');
    const t2 = performance.now(), bands = own && !ext ? drawBands(use, rows, null, `The contrast's frequency bands are computed in Python: ${IN_PYTHON} --frequency.`) : drawBands(use, rows, ext);
    const t3 = performance.now(); if (own && !ext) drawHeat(use, rows, null, `The contrast's time profile is computed in Python: ${IN_PYTHON}.`); else drawHeat(use, rows, ext);
    const t4 = performance.now(); forget(ui.series); drawSeries(idx, rows);
    const t5 = performance.now(); mark(idx);
    const parts = {importance: t1 - t0, bands: t3 - t2, heat: t4 - t3, series: t5 - t4, projection: performance.now() - t5};   // where the time goes (bench/explorer.py)
    last = {ids, target: own ? 'contrast' : ext ? ext.target : 'embedding',
            table: rows.map(d => ({channel: d.channel, signed: d.signed, share: d.share})), bands,   // bands: per channel (payload order), or null
            contrast: own ? {table: exact ? 'python' : 'basis', reference: ct.reference, n_sel: ct.ns, n_ref: ct.nr, n_ref_valid: ct.nRef, overlapping: ct.overlapping, size: ct.size,
                             ratio: ct.ratio, threshold: ct.threshold, distinct: ct.distinct, line: ct.line, ms: ct.ms} : null,
            used: own ? ct.ns : ext ? n : use.length,   // how many windows the numbers come from
            ms_table: t1 - t0, ms_all: performance.now() - t0, ms_parts: parts};
    const missing = n - use.length, part = `importances from ${fmt(use.length)} of them (the relevance sample)`;
    const waiting = host.explained && !ext && n && (target === 'contrast' ? n < NV : missing > 0 && missing <= (M.on_demand || 0));
    say(own ? `${nw(n)} selected · what sets them apart in ${ct.ms.toFixed(1)} ms` + (waiting ? ' · computing it exactly, with its time profile and bands, in Python …' : exact ? ' · exactly in Python' : '')
        : waiting && target === 'contrast' ? `${nw(n)} selected · computing their contrast in Python …`
        : waiting ? `${nw(n)} selected · ${part} · computing the other ${fmt(missing)} in Python …`
        : ext ? `${nw(n)} selected · ` + (ext.target === 'embedding' ? 'importances of all of them (computed in Python)' : 'what sets them apart (computed in Python)')
        : n && missing ? `${nw(n)} selected · ${part} in ${last.ms_table.toFixed(1)} ms`
        : n ? `${nw(n)} selected · importances in ${last.ms_table.toFixed(1)} ms`
        : NR < NV ? `no selection: importances of the ${nw(NR)} of the relevance sample (of ${fmt(NV)})` : NV === 1 ? 'no selection: importances of the one window' : `no selection: importances of all ${fmt(NV)} windows`);
    if (host.selected) host.selected(ids);
  }
  function redrawView() { quietly(redrawViewNow); }
  function showView() {                   // the controls say what is drawn
    ui.color.value = color; ui.thr.value = thr; ui.thrv.textContent = thr.toFixed(3); ui.path.checked = showPath;
    ui.modes.forEach(r => { r.checked = r.value === mode; }); ui.target.value = target;
    showFocus(); drawTagList();
  }
  function redrawViewNow() {
    simCache = null; showView(); drawProjection(); drawHist();
    drawSeries(selectedIdx(), last ? last.table.map(d => ({...d, c: M.channels.indexOf(d.channel)})) : []);
  }
  const view = () => ({color, threshold: thr, path: showPath, mode, target, series_layout: seriesLayout, context: ctx.slice(), focus, tags: tagsObj()});
  function tell() { if (host.viewed) host.viewed(view()); }
  function viewChanged() { redrawView(); tell(); }
  function wire() {
    ui.proj.on('plotly_selected', ev => fromPlot(ui.proj, ev, ev ? ev.points.map(pointPos).filter(i => i >= 0) : []));
    ui.proj.on('plotly_deselect', () => {   // a double click: clears the selection, and says how to bring it back
      if (drawing || mode !== 'replace') return;
      const had = sel.some(v => v); apply([], 'replace');
      if (had) say('selection cleared (a double click) · Ctrl+Z brings it back');
    });
    ui.proj.on('plotly_hover', ev => { const p = ev.points.find(q => pointPos(q) >= 0); if (p) drawPreview(pointPos(p)); });
    ui.proj.on('plotly_click', ev => { const p = ev && ev.points.find(q => pointPos(q) >= 0); if (p) api.focus(A.id[pointPos(p)]); });
    ui.proj.on('plotly_afterplot', () => { if (!drawing) { if (M.many) paintMarks(); paintFocus(); } });   // zoom, pan, resize: the marks follow
    ui.series.on('plotly_selected', ev => {
      if (drawing || !ev) return;
      let r = ev.range && ev.range.x;                       // a box dragged with the mouse
      const sl = ev.selections && ev.selections[ev.selections.length - 1];
      if (!r && sl && sl.x0 !== undefined) r = [sl.x0, sl.x1];            // a selection set through the API
      if (!r) return;
      const a = rowOf(r[0]), b = rowOf(r[1]), r0 = Math.min(a, b), r1 = Math.max(a, b), idx = [];   // rows, from times on a date axis
      for (let i = 0; i < NV; i++) if (A.end[i] > r0 && A.start[i] <= r1) idx.push(i);
      fromPlot(ui.series, ev, idx);
    });
  }
  const api = {
    select(ids, how) { apply(fromIds(ids), how); return last; },
    selectCluster(k, how) {
      const idx = []; for (let i = 0; i < NV; i++) if (A.cluster[i] === k) idx.push(i);
      apply(idx, how); if ((how || mode) === 'replace') pick(ui.overview.querySelector(`tr[data-cluster="${Number(k)}"]`));
      return last;
    },
    selectAnomalies(how) { const idx = []; for (let i = 0; i < NV; i++) if (A.score[i] > thr) idx.push(i); apply(idx, how); return last; },
    /** Select anomaly event `k` (0: the highest peak; `meta.events`): the windows of its `first..last` above the run's threshold. */
    selectEvent(k, how) { apply(eventIdx(k), how); if ((how || mode) === 'replace') pick(ui.rank.querySelector(`tr[data-event="${Number(k)}"]`)); return last; },
    /** The event's window ids (`selectEvent` selects them). */
    eventIds: k => eventIdx(k).map(i => A.id[i]),
    /** The rows of the cluster overview and of the event list, as drawn: `{cluster | event, cells: [texts]}`. */
    overviewRows: () => ovRows.map(r => ({...r, cells: r.cells.slice()})),
    eventRows: () => evRows.map(r => ({...r, cells: r.cells.slice()})),
    /** Click the overview's row of cluster `k` (or the event list's row `k`) as a user does; returns what it selected. */
    clickOverview(k) { const tr = ui.overview.querySelector(`tr[data-cluster="${Number(k)}"]`); if (tr) tr.click(); return last; },
    clickEvent(k) { const tr = ui.rank.querySelector(`tr[data-event="${Number(k)}"]`); if (tr) tr.click(); return last; },
    /** Undo (redo) the last change of the selection; `history()` says how many steps each way. */
    undo, redo,
    history: () => ({undo: past.length, redo: future.length}),
    /** Show (true), hide (false) or toggle (nothing) the list of shortcuts; returns whether it shows. */
    help: showHelp,
    last: () => last,
    /** Explain selections with 'contrast' (what sets them apart) or 'embedding' (what the encoder looks at), as the selector does. */
    setTarget(t) { if (t === 'embedding' || (t === 'contrast' && (CT || host.explained))) { target = t; viewChanged(); update(); } return last; },
    state: () => ({dvats_view: 1, selection: selectedIdx().map(i => A.id[i]), color, threshold: thr, path: showPath, mode,
                   series_layout: seriesLayout, context: ctx.slice(), focus, tags: tagsObj()}),
    setState(s) {
      takeView(s); viewChanged(); api.select(s.selection || [], 'replace');
    },
    refresh: update,                      // redraw the selection's views (the host's explanation arrived)
    refreshFocus() { simCache = null; return drawFocus(); },   // the host's similar windows arrived
    say,
    /** Click window `id` (-1: none): its context and the windows like it are drawn; returns what is shown and how long it took. */
    focus(id) { focus = id >= 0 && id < posOf.length && posOf[id] >= 0 ? id : -1; simCache = null; const r = drawFocus(); tell(); return r; },
    /** How many windows before and after the clicked one make its context. */
    setContext(before, after) { ctx = [clampCtx(before), clampCtx(after)]; const r = drawFocus(); tell(); return r; },
    lastFocus: () => lastFocus,
    selectContext(how) { apply(contextIdx(), how); return last; },
    /** Select the clicked window and the windows like it. */
    selectSimilar(how) { if (focus < 0) return last; apply(fromIds([focus].concat(similarNow().ids)), how); return last; },
    setSeriesLayout(m) { if (SERIES_LAYOUTS.includes(m)) { seriesLayout = m; viewChanged(); } return seriesLayout; },
    /** Name the selection (or window `ids`) `name`; a tag of that name is replaced. */
    tag(name, ids) {
      name = String(name ?? '').trim();
      const t = ids ? cleanTags([[name, ids]])[0] : [name, selectedIdx().map(i => A.id[i])];
      if (!name) { say('give the tag a name'); return tagsObj(); }
      if (!t || !t[1].length) { say('select windows to tag first'); return tagsObj(); }
      const at = tags.findIndex(([n]) => n === name), next = tags.slice();
      if (at >= 0) next[at] = t; else next.push(t);
      setTags(next); say(`tagged ${nw(t[1].length)} '${name}'`);
      return tagsObj();
    },
    untag(name) { setTags(tags.filter(([n]) => n !== name)); return tagsObj(); },
    selectTag(name, how) { const t = tags.find(([n]) => n === name); apply(t ? fromIds(t[1]) : [], how); return last; },
    tags: tagsObj,
    tagsCSV: () => tagsCSV(tags, M.stride, M.w, timeAt),
    /** Tags from the CSV of dvats.tags (tags of the same name are replaced); returns them, or says what is wrong with the file. */
    importTags(text) {
      let got; try { got = readTagsCSV(text); } catch (e) { say('not a tags file: ' + e.message); return null; }
      const clean = cleanTags(got), next = tags.filter(([n]) => !clean.some(([m]) => m === n)).concat(clean);
      const dropped = got.reduce((k, [, ids]) => k + ids.length, 0) - clean.reduce((k, [, ids]) => k + ids.length, 0);
      setTags(next);
      say(`imported ${count(clean.length, 'tag')}` + (dropped ? ` (${count(dropped, 'id')} left out: not valid windows of this run)` : ''));
      return tagsObj();
    },
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
    ui.target.onchange = e => api.setTarget(e.target.value);
    M.clusters.forEach(k => { const o = document.createElement('option'); o.value = k; o.textContent = k === -1 ? 'noise' : 'cluster ' + k; ui.clusterpick.appendChild(o); });
    ui.selcluster.onclick = () => api.selectCluster(+ui.clusterpick.value);
    ui.selanom.onclick = () => api.selectAnomalies();
    ui.clear.onclick = () => apply([], 'replace');
    ui.undo.onclick = () => undo();
    ui.redo.onclick = () => redo();
    ui.helpbtn.onclick = () => showHelp();
    ui.helpclose.onclick = () => showHelp(false);
    if (!host.page) { root.tabIndex = -1; root.setAttribute('data-lm-suppress-shortcuts', 'true'); }   // the widget: its keys while it has the focus, not JupyterLab's
    keysOn.addEventListener('keydown', onKey);
    ui.csv.onclick = () => host.exportIds ? host.exportIds(api.state()) : download('selection.csv', ['window', ...api.state().selection].map(csvField).join('\n') + '\n', 'text/csv');
    ui.savestate.onclick = () => host.exportView ? host.exportView(api.state()) : download('dvats-view.json', JSON.stringify(api.state(), null, 1), 'application/json');
    ui.ctxb.oninput = () => api.setContext(ui.ctxb.value, ctx[1]);
    ui.ctxa.oninput = () => api.setContext(ctx[0], ui.ctxa.value);
    ui.selctx.onclick = () => api.selectContext();
    ui.selsim.title = 'select the clicked window and the windows like it';
    ui.selsim.onclick = () => api.selectSimilar();
    ui.serieslayout.onchange = e => api.setSeriesLayout(e.target.value);
    ui.tagbtn.onclick = () => { api.tag(ui.tagname.value); };
    ui.tagname.onkeydown = e => { if (e.key === 'Enter') api.tag(ui.tagname.value); };
    ui.tagcsv.onclick = () => host.exportTags ? host.exportTags(tagsObj()) : download('tags.csv', api.tagsCSV(), 'text/csv');
    ui.tagload.onchange = e => { const f = e.target.files[0]; if (f) f.text().then(t => api.importTags(t)); e.target.value = ''; };
    ui.loadstate.onchange = e => {
      const f = e.target.files[0]; if (!f) return;
      f.text().then(s => { try { api.setState(JSON.parse(s)); } catch (err) { say('not a dvats view file: ' + err.message); } });
    };
  }
  if (start) { takeView(start); for (const i of fromIds(start.selection || [])) sel[i] = 1; }
  const keysOn = host.page ? document : root;   // the page: every key; the widget: keys pressed inside it
  controls(); showView(); drawProjection(); drawHist(); drawOverview(); drawRank(); drawPreview(0); update(); wire();
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
  api.dispose = () => { keysOn.removeEventListener('keydown', onKey); if (sized) sized.disconnect(); plots.forEach(gd => Plotly.purge(gd)); };
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

const SYNCED = ['selection', 'color', 'threshold', 'path', 'mode', 'target', 'series_layout', 'context', 'focus', 'tags'];
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
    exportTags: () => model.send({kind: 'save_tags'}),
    similar(id) {                            // Python's answer for the clicked window, once it has computed it (it follows `focus`)
      const e = model.get('_similar');
      return e && e.focus === id ? e : null;
    },
  };
  const fromModel = () => Object.fromEntries(SYNCED.map(k => [k, model.get(k)]));
  const api = mount(root, model.get('_payload'), host, fromModel());   // the model's state, not an empty one: it survives a reload
  const onChange = () => { if (!echo) api.setState(fromModel()); };
  const onExplained = () => api.refresh();
  const onSimilar = () => api.refreshFocus();
  const onMsg = msg => { if (msg && msg.kind === 'status') api.say(msg.text); };
  for (const k of SYNCED) model.on('change:' + k, onChange);
  model.on('change:_explained', onExplained);
  model.on('change:_similar', onSimilar);
  model.on('msg:custom', onMsg);
  el.dvats = api; globalThis.dvats = api;
  root.setAttribute('data-ready', '1');
  return () => { for (const k of SYNCED) model.off('change:' + k, onChange); model.off('change:_explained', onExplained); model.off('change:_similar', onSimilar); model.off('msg:custom', onMsg); api.dispose(); };
}

export default {render};

const pageData = typeof document !== 'undefined' && document.getElementById('dvats-data');
if (pageData) mountPage(pageData);
