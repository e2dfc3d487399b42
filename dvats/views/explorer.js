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
 * shared by the channels (d[k] = Σ_c delta[c][k]) and the others each channel's own (its coordinates are delta[c][k] itself);
 * `size` = |d|. With `spread` (each coordinate's spread over the run's windows, meta.contrast.null.spread) delta is measured in
 * spreads, z[c][k] = delta[c][k] / spread of its coordinate, and each channel's contribution is
 * (Σ_shared z[c][k] dz[k] + Σ_own z[c][k]²) / |dz|, dz the coordinates of z (they sum to |dz|, `sizeInSpreads`).
 * Returns `{contribution, size, sizeInSpreads, ns, nr}`. */
export function contrastOf(basis, scale, C, K, S, role, spread = null) {
  const CK = C * K, sum = [null, new Float64Array(CK), new Float64Array(CK)], count = [0, 0, 0];
  for (let r = 0; r < role.length; r++) {
    const t = role[r]; if (!t) continue;
    const acc = sum[t], sc = scale[r], o = r * CK; count[t]++;
    for (let k = 0; k < CK; k++) acc[k] += basis[o + k] * sc;
  }
  const [, ns, nr] = count, delta = new Float64Array(CK), d = new Float64Array(S), own = new Float64Array(C), contribution = new Float64Array(C);
  if (!ns || !nr) return {contribution, size: 0, ns, nr};
  for (let k = 0; k < CK; k++) delta[k] = sum[1][k] / ns - sum[2][k] / nr;
  const size = coordinateSize(delta, C, K, S, d, own);
  if (spread) {                       // in spreads: a coordinate's column of every channel divided by that coordinate's spread
    const unit = v => v > 0 ? v : 1;
    for (let c = 0; c < C; c++) for (let k = 0; k < K; k++) delta[c * K + k] /= unit(spread[k < S ? k : S + c * (K - S) + k - S]);
    d.fill(0); own.fill(0);
  }
  const sizeInSpreads = spread ? coordinateSize(delta, C, K, S, d, own) : size;
  if (sizeInSpreads > 0) for (let c = 0; c < C; c++) {
    let s = own[c]; for (let k = 0; k < S; k++) s += delta[c * K + k] * d[k];
    contribution[c] = s / sizeInSpreads;
  }
  return {contribution, size, sizeInSpreads, ns, nr};
}

/** |coordinates of `delta`| (C × K, the first `S` columns shared): fills `d` (the shared coordinates, Σ_c delta[c][k]) and
 * `own` (each channel's Σ_own delta[c][k]²), both zero on entry. */
function coordinateSize(delta, C, K, S, d, own) {
  for (let c = 0; c < C; c++) {
    for (let k = 0; k < S; k++) d[k] += delta[c * K + k];
    for (let k = S; k < K; k++) own[c] += delta[c * K + k] * delta[c * K + k];
  }
  let size = 0; for (let k = 0; k < S; k++) size += d[k] * d[k];
  for (let c = 0; c < C; c++) size += own[c];
  return Math.sqrt(size);
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

/** `{ratio, threshold}` (dvats.contrast.distinctness): `size` (in spreads) over √E‖d‖², the expected squared difference of the means
 * of windows placed like the selected and the reference ones (`sel`, `ref`: their ids, sorted) when nothing sets them apart, and the
 * ratio 99% of them stay below (a scaled χ² with ν = (tr Σ)²/tr Σ², Wilson–Hilferty); `calibrated` (the reference is 'all'): at
 * least the ratio 99% of scattered random selections of the same effective size stay below (`nul.calibration`, interpolated in its
 * logarithm). `nul` = `meta.contrast.null` ({tr, tr2, rho, calibration}). */
export function distinctness(size, sel, ref, nul, nWindows, z = 2.326, calibrated = false) {
  if (!(sel.length && ref.length && nul.tr > 0)) return {ratio: size > 0 ? Infinity : 0, threshold: 0};
  const mask = new Uint8Array(nWindows + 1), ns = sel.length, nr = ref.length;
  const v = pairSum(sel, sel, nul.rho, mask) / (ns * ns) + pairSum(ref, ref, nul.rho, mask) / (nr * nr) - 2 * pairSum(sel, ref, nul.rho, mask) / (ns * nr);
  const e2 = nul.tr * Math.max(v, 1 / ((ns + nr) * (ns + nr)));
  const nu = nul.tr2 > 0 ? nul.tr * nul.tr / nul.tr2 : 1;
  const q = nu * Math.max(1 - 2 / (9 * nu) + z * Math.sqrt(2 / (9 * nu)), 0) ** 3;
  let threshold = Math.sqrt(q / nu);
  const cal = calibrated ? nul.calibration : null;
  if (cal && cal.neff.length) threshold = Math.max(threshold, interpolate(Math.log(nul.tr / e2), cal.neff.map(Math.log), cal.ratio));
  return {ratio: size / Math.sqrt(e2), threshold};
}

/** `y` at `x` on the line through the points (`xs` increasing, `ys`), held flat beyond the ends (numpy's interp). */
export function interpolate(x, xs, ys) {
  if (x <= xs[0]) return ys[0];
  for (let k = 1; k < xs.length; k++) if (x <= xs[k]) return ys[k - 1] + (ys[k] - ys[k - 1]) * (x - xs[k - 1]) / (xs[k] - xs[k - 1]);
  return ys[ys.length - 1];
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
                     ['?', 'show or hide this list'], ['Esc', 'close it; when it is closed: clear the selection (Ctrl+Z brings it back)'],
                     ['a', 'select the anomalies (the windows above the threshold)'],
                     ['p', 'pan the projection and the series instead of selecting (p again: select)'],
                     ['r', 'reset the zoom of the projection and the series'],
                     ['wheel over the projection or the series', 'zoom in or out where the pointer is'],
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
  // the projection and the series side by side (one under the other where both do not fit): a selection is seen in both at once
  const main = el('div', null, {class: 'dvats-main'}, root);
  const left = el('div', null, {class: 'dvats-panel dvats-projpanel'}, main);
  el('div', 'proj', {}, left); el('div', 'preview', {}, left); el('div', 'hovernote', {class: 'dvats-note'}, left);
  el('div', 'series', {}, el('div', null, {class: 'dvats-panel dvats-seriespanel'}, main));
  // below: what the selection is made of; the clusters in words and the anomalies as events; the scores
  const below = el('div', null, {class: 'dvats-grid dvats-wide'}, root);
  const right = el('div', null, {class: 'dvats-panel'}, below);
  el('div', 'verdict', {}, right); el('div', 'imp', {}, right); el('div', 'impnote', {class: 'dvats-note'}, right); el('div', 'bands', {}, right); el('div', 'bandsnote', {class: 'dvats-note'}, right);
  el('div', 'heat', {}, right); el('div', 'heatnote', {class: 'dvats-note'}, right);
  const sum = el('div', null, {class: 'dvats-side'}, below);
  const ovp = el('div', 'overviewbox', {class: 'dvats-panel dvats-scroll dvats-summary'}, sum);
  el('div', null, {class: 'dvats-caption'}, ovp, 'clusters: size, share of the time, what changed in them (click one to select it)');
  el('table', 'overview', {}, ovp);
  const evp = el('div', 'eventbox', {class: 'dvats-panel dvats-scroll dvats-summary'}, sum);
  el('div', 'rankcaption', {class: 'dvats-caption'}, evp, 'anomalies');
  el('table', 'rank', {}, evp);
  el('div', 'hist', {}, el('div', null, {class: 'dvats-panel'}, sum));
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

// ---- the explorer in parts: the data (decoded once, never changed), one state object, one small factory per view ----
// Each factory `makeX(ui, s, d, v)` takes the page's parts (`ui`), the state (`s`), the data (`d`) and the registry of the other
// views and actions (`v`, filled by `mount`, read when a view draws), and returns what it does (`draw`, ...): every view draws
// from the state. plotly is the page's global `Plotly`, and only its public API is used (no private fields of its plots or axes).
const cfg = extra => Object.assign({displaylogo: false, responsive: true}, extra || {});
// a plot's title, the longest of `titles` that fits its figure's width (plotly cuts a long title off, it never wraps it): in a
// narrow notebook the projection and the series sit side by side with shorter titles; `gd.dvatsTitles` keeps them for a resize
let measure = null;
function fitTitle(gd, titles = gd.dvatsTitles, size = 13) {
  if (!titles) return null;
  gd.dvatsTitles = titles;
  measure = measure || document.createElement('canvas').getContext('2d');
  measure.font = size + 'px "Open Sans", verdana, arial, sans-serif';   // plotly's font
  const w = gd.clientWidth - 24;
  return titles.find(t => !(w > 0) || measure.measureText(t).width <= w) || titles[titles.length - 1];
}
const CTX_MAX = 100;                              // the context sliders' range (layout's `ctxb`, `ctxa`)
const clampCtx = v => Math.max(0, Math.min(CTX_MAX, Math.round(+v || 0)));
const TAG_COLORS = PALETTE.filter((_, k) => ![1, 4, 8].includes(k));   // not the selection's orange, the similar windows' purple, the context's cyan
const NAN_COLOR = '#b0b0b0';                      // a window without a value (the matrix profile's NaN)

/** Milliseconds of a value on a plotly date axis: a number is ms already; a date string ('2020-01-02 03:04:05.678') is read as UTC, as plotly reads it. */
export function dateMs(v) {
  if (typeof v === 'number') return v;
  const m = /^\s*(-?\d{4})(?:-(\d\d?)(?:-(\d\d?))?)?(?:[ T](\d\d?)(?::(\d\d?)(?::(\d\d?(?:\.\d*)?))?)?)?\s*Z?\s*$/.exec(String(v));
  if (!m) return +v;
  return Date.UTC(+m[1], (+m[2] || 1) - 1, +m[3] || 1, +m[4] || 0, +m[5] || 0, 0) + (m[6] ? +m[6] * 1000 : 0);
}

/** The payload `D` decoded, and what is derived from it once: positions of window ids, relevance rows, the similar table, time. */
function makeData(D, host) {
  const M = D.meta, C = M.channels.length, NV = M.n_valid, NB = M.bucket_labels.length, NR = M.n_relevance ?? NV;
  const A = {}; for (const k in D.arrays) A[k] = decode(D.arrays[k]);
  for (const k in M.quant || {}) A[k] = dequantise(A[k], M.quant[k], k === 'score' ? Float64Array : Float32Array);   // 16-bit codes
  if (A.id_runs) A.id = expandRuns(A.id_runs);
  if (A.rel_runs) A.rel = expandRuns(A.rel_runs);
  A.start = Int32Array.from(A.id, i => i * M.stride); A.end = Int32Array.from(A.start, r => r + M.w);   // window rows, not shipped
  let sLo = Infinity, sHi = -Infinity; for (const v of A.score) { if (v < sLo) sLo = v; if (v > sHi) sHi = v; }   // no spread: 1e6 values
  const posOf = new Int32Array(M.n_windows).fill(-1); for (let i = 0; i < NV; i++) posOf[A.id[i]] = i;   // window id -> position among valid windows
  // position among valid windows -> row of the relevance arrays (sums, bands, profile), -1 for a window outside the relevance sample
  const relOf = A.rel ? new Int32Array(NV).fill(-1) : Int32Array.from({length: NV}, (_, i) => i);
  if (A.rel) A.rel.forEach((id, j) => { relOf[posOf[id]] = j; });
  // the matrix profile of each window (16-bit codes at many windows, its NaN positions apart) and of each step, when the run has one
  if (A.mp_nan_runs) A.mp_nan = expandRuns(A.mp_nan_runs);
  if (A.mp_nan) for (const i of A.mp_nan) A.mp[i] = NaN;
  // the table of similar windows: the ids of the windows that have a list, and their lists (k ids each, -1 padded)
  if (A.nb_runs) A.nb = expandRuns(A.nb_runs);
  const K = M.nb_k || 0, nbRow = new Int32Array(K ? M.n_windows : 0).fill(-1);
  if (K) A.nb.forEach((id, j) => { nbRow[id] = j; });
  const CT = M.contrast || null;                    // the contrast basis' facts (null: a run made before it)
  if (A.basis_id_runs) A.basis_id = expandRuns(A.basis_id_runs);
  const TIME = M.time.kind === 'regular';
  const d = {M, A, C, NV, NB, NR, K, CT, TIME, host, posOf, relOf, nbRow, sLo, sHi, CH: M.channels.map(esc),
             relAll: Int32Array.from({length: NR}, (_, j) => j),
             basisPos: CT ? Int32Array.from(A.basis_id, id => posOf[id]) : null,   // row of the basis -> position among valid windows
             canSimilar: host.similar ? !!M.similar : K > 0,   // the widget: Python answers when it can (M.similar); the page: its table
             ORDER: Float64Array.from(A.id)};               // colour by time: the window id, which orders windows in time
  // the series' x axis: time (a plotly date axis, in ms) when the data has a regular time index, else rows; and back
  d.xOf = row => TIME ? M.time.t0_ms + row * M.time.dt_ms : row;
  d.rowOf = x => TIME ? (dateMs(x) - M.time.t0_ms) / M.time.dt_ms : +x;
  /** The time of row `row` in words (its ISO time), or `bare` and the row without a time index. */
  d.timeAt = (row, bare = 'row ') => TIME ? isoTime(d.xOf(row)) : bare + row;
  d.validId = id => id >= 0 && id < posOf.length && posOf[id] >= 0;
  d.fromIds = ids => { const idx = []; for (const id of ids) { const i = id >= 0 && id < posOf.length ? posOf[id] : -1; if (i >= 0) idx.push(i); } return idx; };
  d.relIdx = idx => { const out = []; for (const i of idx) { const j = relOf[i]; if (j >= 0) out.push(j); } return out; };
  d.table = idx => channelTable(A.sums, M.channels, idx, A.sums_scale || null);
  d.tagColor = k => TAG_COLORS[k % TAG_COLORS.length];
  // the hover text of one window, made when it is hovered (not a string per window: a million of them would not fit)
  d.hoverText = i => 'window ' + A.id[i] + ' · ' + d.timeAt(A.start[i]) + ' – ' + d.timeAt(A.end[i] - 1) + ' · cluster ' + (A.cluster[i] === -1 ? 'noise' : A.cluster[i]) + ' · score ' + A.score[i].toFixed(3);
  return d;
}

// ---- the state: all that the user changes, in one object (the views draw from it; `api.state()` writes it out) ----
function makeState(d, start) {
  const s = {sel: new Uint8Array(d.NV), mode: 'replace', color: 'cluster', threshold: d.M.threshold, path: false, target: d.CT ? 'contrast' : 'embedding',
             focus: -1, context: [5, 5], seriesLayout: d.C > 3 ? 'channels' : 'overlay', tags: [],   // tags: [[name, sorted valid ids], ...]
             history: {now: null, past: [], future: []}, picked: null,   // undo and redo; the overview's or event list's row marked
             last: null, lastFocus: null, similar: null, drawing: 0, pan: false};   // pan: drag pans the plots (the key p)    // what was drawn last; the similar windows of `focus`; see `quietly`
  if (start) { takeView(s, d, start); for (const i of d.fromIds(start.selection || [])) s.sel[i] = 1; }
  return s;
}
function takeView(s, d, x) {
  s.color = x.color || s.color; if (s.color === 'matrix_profile' && !d.A.mp) s.color = 'cluster';
  s.threshold = (x.threshold ?? s.threshold); s.path = !!x.path; s.mode = x.mode || s.mode; s.target = x.target || s.target;
  if (s.target === 'contrast' && !d.CT && !d.host.explained) s.target = 'embedding';
  if (x.series_layout) s.seriesLayout = x.series_layout;
  if (x.context) s.context = [clampCtx(x.context[0]), clampCtx(x.context[1])];
  if (x.focus !== undefined && x.focus !== null) s.focus = d.validId(x.focus) ? x.focus : -1;
  if (x.tags) s.tags = cleanTags(d, Object.entries(x.tags));
}
// tags hold valid windows only, sorted and unique, by name in the order given (a name given twice: the last wins)
function cleanTags(d, pairs) {
  const m = new Map();
  for (const [name, ids] of pairs) m.set(String(name), Array.from(new Set(Array.from(ids, Number).filter(d.validId))).sort((a, b) => a - b));
  return [...m].filter(([, ids]) => ids.length);
}
const tagsObj = s => Object.fromEntries(s.tags.map(([n, ids]) => [n, ids.slice()]));
const viewOf = s => ({color: s.color, threshold: s.threshold, path: s.path, mode: s.mode, target: s.target, series_layout: s.seriesLayout,
                      context: s.context.slice(), focus: s.focus, tags: tagsObj(s)});
const selectedIdx = s => { const out = []; for (let i = 0; i < s.sel.length; i++) if (s.sel[i]) out.push(i); return out; };
// plotly keeps a lasso or box as `layout.selections`, selects the points inside it again on each redraw of its plot, and
// may emit plotly_selected from inside that redraw: with the explorer redrawing on each plotly_selected, a selection could
// start an endless loop, and a stale lasso would outdraw a selection made otherwise (a cluster, Python). So the selection
// is the explorer's alone: a plot's lasso or box is read once, then cleared from the plot, and what plotly emits while the
// explorer draws (`s.drawing`) is not a new selection.
function quietly(s, f) { s.drawing++; try { return f(); } finally { s.drawing--; } }
function forget(gd) { if (gd.layout && (gd.layout.selections || []).length) Plotly.relayout(gd, {selections: []}); }
// the clicked window: its context (neighbours in time) and the windows most like it
function contextIdx(s, d) {
  const out = []; if (s.focus < 0) return out;
  for (let id = Math.max(0, s.focus - s.context[0]); id <= Math.min(d.M.n_windows - 1, s.focus + s.context[1]); id++) { const i = d.posOf[id]; if (i >= 0) out.push(i); }
  return out;
}
function similarNow(s, d) {
  const {A, M, K, nbRow, host} = d, focus = s.focus;
  if (focus < 0 || !d.canSimilar) return {ids: [], idx: [], note: ''};
  if (s.similar && s.similar.focus === focus) return s.similar;
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
  r.focus = focus; r.idx = d.fromIds(r.ids);
  if (!r.pending) s.similar = r;
  return r;
}

/** A canvas of class `cls` over the plot area of `gd` (made once), sized to it, with our own linear map from data to its pixels:
 * the axes' ranges from `gd.layout` (plotly writes the ranges it chose there) and the plot area's box from the DOM. */
function overlay(gd, cls, z) {
  const xr = gd.layout && gd.layout.xaxis && gd.layout.xaxis.range, yr = gd.layout && gd.layout.yaxis && gd.layout.yaxis.range;
  const area = gd.querySelector('.draglayer .nsewdrag'), box = gd.querySelector('.svg-container');
  if (!xr || !yr || !area || !box) return null;
  const a = area.getBoundingClientRect(), b = box.getBoundingClientRect();
  if (!(a.width > 0 && a.height > 0)) return null;
  let cv = gd.querySelector('canvas.' + cls);
  if (!cv) {
    cv = document.createElement('canvas'); cv.className = cls;
    cv.style.cssText = 'position:absolute;pointer-events:none' + (z ? ';z-index:' + z : '');
    const at = gd.querySelector('.gl-container'); if (at) at.after(cv); else box.appendChild(cv);
  }
  const r = window.devicePixelRatio || 1, W = Math.round(a.width * r), H = Math.round(a.height * r);
  Object.assign(cv.style, {left: (a.left - b.left) + 'px', top: (a.top - b.top) + 'px', width: a.width + 'px', height: a.height + 'px'});
  if (cv.width !== W || cv.height !== H) { cv.width = W; cv.height = H; }
  const sx = a.width * r / (xr[1] - xr[0]), sy = a.height * r / (yr[1] - yr[0]);
  return {cv, cx: cv.getContext('2d'), r, W, H, px: x => (x - xr[0]) * sx, py: y => (yr[1] - y) * sy};
}

// ---- the projection: the windows' points, the anomalies ringed, the path; the selection and the clicked window painted over it ----
// a continuous colouring: its values per window (time: the window id, which orders windows in time), their range, the colour bar
function colourScale(s, d) {
  const {A, M} = d, color = s.color;
  const v = color === 'score' ? A.score : color === 'time' ? d.ORDER : color === 'matrix_profile' ? A.mp : null;
  if (!v) return null;
  let lo = Infinity, hi = -Infinity; for (const x of v) { if (x < lo) lo = x; if (x > hi) hi = x; }
  if (!(lo <= hi)) { lo = 0; hi = 1; }
  const bar = {title: {text: color === 'time' ? 'window start' : color === 'score' ? 'score' : 'matrix profile', side: 'right'}, thickness: 10};
  if (color === 'time') Object.assign(bar, {tickvals: [lo, hi], ticktext: [d.timeAt(lo * M.stride), d.timeAt(hi * M.stride)].map(t => t.replace(' ', '<br>'))});
  return {v, lo, hi, bar};
}
// many points: one trace per colour (a cluster, or one of 32 bins of a continuous value, plus NaN), which plotly draws without
// colouring each point (that alone takes seconds at a million), and the selection marked on a layer of its own (`paintMarks`)
function colourGroups(d, sc) {
  const {A, M, NV} = d;
  let key, colours;
  if (!sc) {
    const lo = Math.min(-1, ...M.clusters), hi = Math.max(0, ...M.clusters);
    key = i => A.cluster[i] - lo; colours = Array.from({length: hi - lo + 1}, (_, k) => clusterColor(k + lo));
  } else {
    const nb = 32, wd = (sc.hi - sc.lo) / nb || 1, v = sc.v;
    key = i => v[i] === v[i] ? Math.min(nb - 1, Math.max(0, Math.floor((v[i] - sc.lo) / wd))) : nb;
    colours = Array.from({length: nb}, (_, k) => viridis((k + 0.5) / nb)).concat([NAN_COLOR]);
  }
  const groupOf = new Uint16Array(NV), n = new Int32Array(colours.length), at = new Int32Array(colours.length);
  for (let i = 0; i < NV; i++) { const k = key(i); groupOf[i] = k; n[k]++; }
  const groups = colours.map((_, k) => new Int32Array(n[k]));
  for (let i = 0; i < NV; i++) { const k = groupOf[i]; groups[k][at[k]++] = i; }
  return {colours, groups, groupOf, groupRGBA: Uint32Array.from(colours, packRGBA)};
}
function makeProjection(ui, s, d, v) {
  const {A, M, NV} = d, gd = ui.proj;
  let g = {groups: []}, marked = [], painted = {context: [], similar: [], clicked: []};   // painted: what the canvas shows, by window id
  // the position among valid windows of a point that plotly reports (hover, lasso), or -1 for another trace's point
  // an applied run (`dvats apply`) draws the finished run's windows in grey first, under its own: its points' traces come after
  const under = A.base_x ? 1 : 0;
  const pointPos = p => { const k = p.curveNumber - under;
    return !M.many ? (k === 0 ? p.pointIndex : -1) : k >= 0 && k < g.groups.length ? g.groups[k][p.pointIndex] : -1; };
  // the clicked window, its context and the windows like it: painted on a canvas of their own over the points, so that a click
  // redraws a few marks, not plotly's points (a restyle of any trace redraws every point: 50 ms and more)
  function paintFocus() {
    const o = overlay(gd, 'dvats-focus', 2); if (!o) return;
    const {cx, r} = o, px = i => o.px(A.x[i]), py = i => o.py(A.y[i]); cx.clearRect(0, 0, o.W, o.H);
    const ci = contextIdx(s, d), si = similarNow(s, d).idx, f = s.focus >= 0 ? [d.posOf[s.focus]] : [];
    painted = {context: ci.map(i => A.id[i]), similar: si.map(i => A.id[i]), clicked: f.map(i => A.id[i])};
    cx.lineWidth = 1.5 * r;
    for (const i of ci) {                      // the context: cyan diamonds
      const x = px(i), y = py(i), e = 5 * r;
      cx.beginPath(); cx.moveTo(x, y - e); cx.lineTo(x + e, y); cx.lineTo(x, y + e); cx.lineTo(x - e, y); cx.closePath();
      cx.fillStyle = 'rgba(23,190,207,0.85)'; cx.fill(); cx.strokeStyle = '#0b6b75'; cx.stroke();
    }
    // the windows like it: purple rings on a white halo, edged in black, seen on every cluster's colour (the purple cluster's too)
    for (const [wd, col, rad] of [[5, '#ffffff', 6], [2.5, '#9467bd', 6], [0.8, '#111111', 7.6]]) {
      cx.lineWidth = wd * r; cx.strokeStyle = col;
      for (const i of si) { cx.beginPath(); cx.arc(px(i), py(i), rad * r, 0, 2 * Math.PI); cx.stroke(); }
    }
    for (const i of f) {                       // the clicked window: a black star
      const x = px(i), y = py(i); cx.beginPath();
      for (let k = 0; k < 10; k++) { const a = -Math.PI / 2 + k * Math.PI / 5, e = (k % 2 ? 3.5 : 9) * r; cx.lineTo(x + e * Math.cos(a), y + e * Math.sin(a)); }
      cx.closePath(); cx.fillStyle = '#111'; cx.fill(); cx.lineWidth = 1 * r; cx.strokeStyle = '#fff'; cx.stroke();
    }
  }
  function paintMarks() {                    // the selected points on a canvas over plotly's; plotly's dimmed by its opacity
    const o = overlay(gd, 'dvats-marks'); if (!o) return;
    const gl = gd.querySelector('.gl-canvas-context');
    if (gl) gl.style.opacity = marked.length ? 0.25 : '';
    const {cx, W, H} = o;
    if (!marked.length) { cx.clearRect(0, 0, W, H); return; }
    const img = cx.createImageData(W, H), px = new Uint32Array(img.data.buffer), e = Math.max(1, Math.round(o.r));
    for (const i of marked) {
      const X = Math.round(o.px(A.x[i])), Y = Math.round(o.py(A.y[i]));
      if (X < 0 || Y < 0 || X >= W || Y >= H) continue;
      const c = g.groupRGBA[g.groupOf[i]];
      for (let y = Math.max(0, Y - e); y <= Math.min(H - 1, Y + e); y++) for (let x = Math.max(0, X - e); x <= Math.min(W - 1, X + e); x++) px[y * W + x] = c;
    }
    cx.putImageData(img, 0, 0);
  }
  function draw() {
    const idx = selectedIdx(s), sc = colourScale(s, d), an = {x: [], y: []};
    for (let i = 0; i < NV; i++) if (A.score[i] > s.threshold) { an.x.push(A.x[i]); an.y.push(A.y[i]); }
    const base = {type: 'scattergl', mode: 'markers', hoverinfo: 'none', name: 'windows'};
    let pts;
    if (!M.many) {
      const c = sc ? Array.from(sc.v, x => x === x ? viridis((x - sc.lo) / (sc.hi - sc.lo || 1)) : NAN_COLOR) : Array.from(A.cluster, clusterColor);
      pts = [Object.assign(base, {x: A.x, y: A.y, marker: {size: 5, color: c},
                         selectedpoints: idx.length ? idx : null, selected: {marker: {opacity: 1}}, unselected: {marker: {opacity: 0.25}}})];
    } else {
      const gather = (x, grp) => Float32Array.from(grp, i => x[i]);
      g = colourGroups(d, sc);
      pts = g.colours.map((c, k) => Object.assign({}, base, {x: gather(A.x, g.groups[k]), y: gather(A.y, g.groups[k]), marker: {size: 3, color: c},
                                                             selected: {marker: {opacity: 1}}, unselected: {marker: {opacity: 1}}}));   // a lasso's points: the marks show them
    }
    // the windows above the threshold: black rings on a white halo, seen on every cluster's colour (a red ring vanished on red points)
    const halo = {type: 'scattergl', mode: 'markers', x: an.x, y: an.y, hoverinfo: 'skip', name: 'above threshold (halo)',
                  marker: {size: 11, symbol: 'circle-open', color: '#ffffff', line: {width: 4}}};
    const anm = {type: 'scattergl', mode: 'markers', x: an.x, y: an.y, hoverinfo: 'skip', name: 'above threshold',
                 marker: {size: 11, symbol: 'circle-open', color: '#111111', line: {width: 1.6}}};
    const path = {type: 'scattergl', mode: 'lines', x: A.x, y: A.y, hoverinfo: 'skip', name: 'path', visible: s.path, line: {width: 0.5, color: '#999'}};
    const grey = under ? [{type: 'scattergl', mode: 'markers', x: A.base_x, y: A.base_y, hoverinfo: 'skip', name: 'the run applied (' + M.base + ')',
                           marker: {size: 3, color: '#c8c8c8'}}] : [];
    const traces = [...grey, ...pts, halo, path, anm];   // the path third after the points, as before (the widget's tests read it there)
    if (sc) traces.push({type: 'scattergl', mode: 'markers', x: [null], y: [null], hoverinfo: 'skip', name: 'scale',   // the colour bar alone
                         marker: {color: [sc.lo, sc.hi], cmin: sc.lo, cmax: sc.hi, colorscale: 'Viridis', showscale: true, colorbar: sc.bar}});
    // no zero lines: the projection's coordinates have no meaning of their own, and x = 0 drew a stray vertical line through the points
    Plotly.react(gd, traces, {margin: {t: 24, l: 30, r: 10, b: 30}, dragmode: s.pan ? 'pan' : 'lasso', showlegend: false, clickmode: 'event',
                 xaxis: {zeroline: false}, yaxis: {zeroline: false},
                 title: {text: fitTitle(gd, under ? ['projection: new windows over the run applied, ' + esc(M.base) + ' (grey)', 'projection: new windows over the run applied (grey)', 'new windows over the run applied (grey)']
                                            : ['projection (lasso or box to select; click a point for its context)', 'projection (lasso or box; click a point)']), font: {size: 13}},
                 uirevision: 'keep'}, cfg({scrollZoom: true}));
    if (M.many) paintMarks();
    paintFocus();
  }
  function mark(idx) {                    // the projection shows the selection
    forget(gd);
    if (M.many) { marked = idx; paintMarks(); } else Plotly.restyle(gd, {selectedpoints: [idx.length ? idx : null]}, [under]);
  }
  function wire() {
    gd.on('plotly_selected', ev => v.selection.fromPlot(gd, ev, ev ? ev.points.map(pointPos).filter(i => i >= 0) : []));
    gd.on('plotly_deselect', () => {   // a double click: clears the selection, and says how to bring it back
      if (s.drawing || s.mode !== 'replace') return;
      const had = s.sel.some(x => x); v.selection.apply([], 'replace');
      if (had) v.say('selection cleared (a double click) · Ctrl+Z brings it back');
    });
    gd.on('plotly_hover', ev => { const p = ev.points.find(q => pointPos(q) >= 0); if (p) v.preview.draw(pointPos(p)); });
    gd.on('plotly_click', ev => { const p = ev && ev.points.find(q => pointPos(q) >= 0); if (p) v.api.focus(A.id[pointPos(p)]); });
    gd.on('plotly_afterplot', () => { if (!s.drawing) { if (M.many) paintMarks(); paintFocus(); } });   // zoom, pan, resize: the marks follow
  }
  return {draw, mark, paintFocus, painted: () => painted, wire};
}

// ---- what the selection is made of: channel importance (or the contrast's contributions), bands, the time profile ----
function makeImportance(ui, s, d) {
  function draw(rows) {
    const r = rows.slice().reverse();
    Plotly.react(ui.imp, [
      {type: 'bar', orientation: 'h', x: r.map(x => x.share), y: r.map(x => esc(x.channel)), name: 'share', marker: {color: '#4c78a8'}, xaxis: 'x', yaxis: 'y',
       hovertemplate: '%{y}: %{x:.1%} of the |relevance|<extra></extra>'},
      {type: 'bar', orientation: 'h', x: r.map(x => x.signed), y: r.map(x => esc(x.channel)), name: 'signed', xaxis: 'x2', yaxis: 'y2',
       marker: {color: r.map(x => x.signed >= 0 ? '#d62728' : '#1f77b4')}, hovertemplate: '%{y}: %{x:.3g} mean relevance per window<extra></extra>'}],
      {grid: {rows: 1, columns: 2, pattern: 'independent'}, showlegend: false, margin: {t: 30, l: 80, r: 10, b: 30},
       title: {text: 'channel importance: share of |relevance| · signed relevance (R)', font: {size: 13}},
       xaxis: {title: {text: 'share of |R| (0–1)'}}, xaxis2: {title: {text: 'signed R (mean)'}}, yaxis: {automargin: true}, yaxis2: {showticklabels: false}}, cfg());
  }
  function drawContrast(ct, rows) {        // the signed contributions; no bars when the selection is not distinct
    const r = ct.distinct ? rows.slice().reverse() : [];
    const title = {text: 'what sets them apart: each channel\'s contribution to the difference', font: {size: 13}};
    if (!r.length) { Plotly.react(ui.imp, [], {margin: {t: 30}, title, xaxis: {visible: false}, yaxis: {visible: false}}, cfg()); return; }
    Plotly.react(ui.imp, [{type: 'bar', orientation: 'h', x: r.map(x => x.signed), y: r.map(x => esc(x.channel)), name: 'contribution',
                           marker: {color: r.map(x => x.signed >= 0 ? '#d62728' : '#1f77b4')}, hovertemplate: '%{y}: %{x:.3g} of the difference<extra></extra>'}],
      {showlegend: false, margin: {t: 30, l: 80, r: 10, b: 30}, title, xaxis: {title: {text: 'contribution (the channels sum to the difference)'}},
       yaxis: {automargin: true}}, cfg());
  }
  return {draw, drawContrast};
}
const emptyPlot = (gd, title) => Plotly.react(gd, [], {margin: {t: 30}, title: {text: title, font: {size: 13}}, xaxis: {visible: false}, yaxis: {visible: false}}, cfg());
function makeProfile(ui, s, d) {
  const {M, A, C, NV} = d;
  function profileOf(idx) {
    const B = M.bins, z = Array.from({length: C}, () => new Float64Array(B));
    for (const i of idx) { const sc = A.profile_scale[i], o = i * C * B; for (let c = 0; c < C; c++) for (let b = 0; b < B; b++) z[c][b] += A.profile[o + c * B + b] * sc; }
    return z.map(r => Array.from(r, x => x / Math.max(1, idx.length)));
  }
  function draw(idx, order, ext, elsewhere) {   // elsewhere: why the page does not draw it (a contrast's profile), or nothing
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
      emptyPlot(ui.heat, 'relevance over the window');
      ui.heatnote.textContent = 'No selected window is in the relevance sample.';
      return;
    } else if (M.bins) {
      z = profileOf(idx); x = Array.from({length: M.bins}, (_, b) => Math.round((b + 0.5) * M.w / M.bins));
      title = 'relevance over the window (mean of the selection)';
      note = M.bins < M.w ? `profile binned to ${M.bins} of ${M.w} steps and stored with 8 bits per cell to fit the file; the channel bars are exact.` : 'profile stored with 8 bits per cell; the channel bars are exact.';
    } else {
      emptyPlot(ui.heat, 'relevance over the window');
      ui.heatnote.textContent = `The time profiles of ${nw(NV)} do not fit this file's size budget; see them with dvats explain or the Jupyter explorer. The channel bars are exact.`;
      return;
    }
    const ord = order.slice().reverse();
    let m = 0; for (const r of z) for (const e of r) m = Math.max(m, Math.abs(e));
    Plotly.react(ui.heat, [{type: 'heatmap', z: ord.map(o => z[o.c]), y: ord.map(o => esc(o.channel)), x: x, colorscale: 'RdBu', zmin: -m || -1, zmax: m || 1}],
                 {margin: {t: 30, l: 80, r: 10, b: 35}, title: {text: title, font: {size: 13}}, xaxis: {title: {text: 'step in window'}}, yaxis: {automargin: true}}, cfg());
    ui.heatnote.textContent = note;
  }
  return {draw};
}
function makeBands(ui, s, d) {
  const {M, A, C, NV} = d;
  function draw(idx, order, ext, elsewhere) {
    const empty = (title, note) => { emptyPlot(ui.bands, title); ui.bandsnote.textContent = note; return null; };
    ui.bands.hidden = !!elsewhere;              // no empty panel: the note says where the contrast's bands are
    if (elsewhere) return empty('', elsewhere);
    if (ext && !ext.bands) return empty('relevance by frequency band', "This host computed the contrast without its frequency bands.");
    if (!ext && !idx.length) return empty('relevance by frequency band', 'No selected window is in the relevance sample.');
    if (!ext && !A.bands) return empty('relevance by frequency band', M.bands === 'over budget'
      ? `The frequency bands of ${nw(NV)} do not fit this file's size budget; see them in the Jupyter explorer (Explorer.frequency). The channel bars are exact.`
      : 'This run has no frequency-band sums (it was made before dvats kept them); rerun dvats run on it to add them.');
    const B = M.band_labels.length, z = ext ? ext.bands : bandTable(A.bands, A.bands_scale, C, B, idx), ord = order.slice().reverse();
    let m = 0; for (const r of z) for (const e of r) m = Math.max(m, Math.abs(e));
    Plotly.react(ui.bands, [{type: 'heatmap', z: ord.map(o => z[o.c]), y: ord.map(o => esc(o.channel)), x: M.band_labels, colorscale: 'RdBu', zmin: -m || -1, zmax: m || 1,
                             hovertemplate: '%{y}<br>%{x} cycles/step<br>R %{z:.3g}<extra></extra>'}],
                 {margin: {t: 30, l: 80, r: 10, b: 55}, title: {text: 'relevance by frequency band (mean of the selection)', font: {size: 13}},
                  xaxis: {title: {text: 'frequency band (cycles per step)', standoff: 4}, type: 'category', tickangle: 0, tickfont: {size: 10},
                          tickvals: M.band_labels, ticktext: M.band_labels.map(l => l.replace('–', '–<br>'))},   // two lines: 8 ranges fit the panel
                  yaxis: {automargin: true}}, cfg());
    ui.bandsnote.textContent = (M.bands === '8bit' ? 'band sums stored with 8 bits per cell to fit the file. ' : '')
      + 'Each step\'s relevance split over the frequencies of its window (a DFT inspection layer); the DC band is the window\'s level.';
    return z;
  }
  return {draw};
}

// ---- the series: the channels, the anomaly score, the matrix profile, the tags' lane and the cluster strip, over time ----
function stripScale(M) {
  const ks = [-1].concat(M.clusters.filter(k => k >= 0)), hi = Math.max(1, ks[ks.length - 1] + 1), s = [];
  ks.forEach(k => { const f0 = (k + 1) / hi, f1 = Math.min(1, (k + 2) / hi); s.push([f0, clusterColor(k)], [f1, clusterColor(k)]); });
  return s;
}
// the series' rows, bottom to top, in px: the cluster strip, the anomaly score, the matrix profile (when the run has one), the tags'
// lane (when there are tags), then the channels, overlaid or one row each (the selection's most important channels on top)
const LANE = {strip: 16, score: 64, mp: 64, tags: 14, gap: 8, channel: 64, least: 30, fit: 540, top: 58, titleOnly: 34, bottom: 40};
function seriesGeometry(s, d, gd) {
  const per = s.seriesLayout === 'channels' && d.C > 1, mp = !!d.A.step_mp;
  // one row per channel: rows as high as fit LANE.fit px beside the projection (a 1280×800 screen shows it whole), 30 px at least;
  // a narrow host (a notebook beside JupyterLab's file browser) fits fewer px (its CSS sets --dvats-series-fit), and with one row
  // per channel (no legend) its top margin holds the title alone
  const fit = +getComputedStyle(gd).getPropertyValue('--dvats-series-fit') || LANE.fit, least = Math.min(520, fit);
  const top = per && fit < LANE.fit ? LANE.titleOnly : LANE.top;
  const fixed = top + LANE.bottom + LANE.strip + LANE.score + (mp ? LANE.mp + LANE.gap : 0) + LANE.tags + 3 * LANE.gap;
  const row = Math.max(LANE.least, Math.min(LANE.channel, Math.floor((fit - fixed) / d.C)));
  const height = per ? Math.max(least, fixed + d.C * row) : least;
  const H = height - top - LANE.bottom, f = px => px / H, g = {per, height, top};
  let y = 0;
  const take = px => { const r = [Math.min(1, f(y)), Math.min(1, f(y + px))]; y += px + LANE.gap; return r; };
  g.strip = take(LANE.strip); g.score = take(LANE.score);
  if (mp) g.mp = take(LANE.mp);
  g.tags = take(LANE.tags);
  g.channels = [Math.min(f(y), 0.95), 1];
  return g;
}
// channels in the order of the importance the page shows, then any the table lacks; per channel: its row's domain
function seriesRows(C, order, g) {
  const ranked = order.map(o => o.c).filter(c => c >= 0);
  const chans = ranked.concat(Array.from({length: C}, (_, c) => c).filter(c => !ranked.includes(c)));
  const [c0, c1] = g.channels, rowH = (c1 - c0) / C, dom = new Array(C);
  chans.forEach((c, r) => { dom[c] = [c1 - (r + 1) * rowH + 0.004, c1 - r * rowH - 0.004]; });
  return dom;
}
// the shapes on the series: the selection (orange), the clicked window's context (cyan) and the windows like it (purple), the
// clicked window (outlined), the tags (one colour each, in their lane), the threshold; each named, as tests and scripts read them
function seriesShapes(s, d, idx, g) {
  const {A} = d, rect = (name, a, b, y0, y1, fill, line) => ({type: 'rect', name, xref: 'x', yref: 'paper', x0: d.xOf(a), x1: d.xOf(b), y0, y1, fillcolor: fill, line: line || {width: 0}, layer: 'below'});
  const spans = list => { const runs = []; for (const i of list) { const a = A.start[i], b = A.end[i], r = runs[runs.length - 1]; if (r && a <= r[1]) r[1] = Math.max(r[1], b); else runs.push([a, b]); } return mergedIntervals(runs); };
  const [c0, c1] = g.channels, shapes = [];
  for (const [a, b] of spans(idx)) shapes.push(rect('selection', a, b, c0, c1, 'rgba(255,165,0,0.25)'));
  for (const [a, b] of spans(contextIdx(s, d))) shapes.push(rect('context', a, b, c0, c0 + (c1 - c0) * 0.5, 'rgba(23,190,207,0.3)'));
  for (const i of similarNow(s, d).idx) shapes.push(rect('similar', A.start[i], A.end[i], c0 + (c1 - c0) * 0.5, c1, 'rgba(148,103,189,0.35)', {width: 1, color: '#9467bd'}));   // one each: they may touch
  if (s.focus >= 0) { const i = d.posOf[s.focus]; shapes.push(rect('clicked', A.start[i], A.end[i], c0, c1, 'rgba(0,0,0,0)', {width: 1.5, color: '#111', dash: 'dot'})); }
  s.tags.forEach(([, ids], k) => { for (const [a, b] of spans(d.fromIds(ids))) shapes.push(rect('tag', a, b, g.tags[0], g.tags[1], d.tagColor(k))); });
  shapes.push({type: 'line', name: 'threshold', xref: 'paper', yref: 'y2', x0: 0, x1: 1, y0: s.threshold, y1: s.threshold, line: {dash: 'dot', color: '#555', width: 1}});
  return shapes;
}
function makeSeries(ui, s, d, v) {
  const {M, A, C, NB, NV, TIME, CH} = d, gd = ui.series;
  // the series' data never changes: its arrays are made once, so that plotly (which compares arrays by reference) recomputes
  // nothing on a selection; a selection changes the shapes, the channels' brightness and, one row per channel, the rows' order
  const bx = [], bmid = []; for (let b = 0; b < NB; b++) { bx.push(d.xOf(A.edges[b]), d.xOf(A.edges[b])); bmid.push(d.xOf((A.edges[b] + A.edges[b + 1] - 1) / 2)); }
  const chanY = Array.from({length: C}, (_, c) => { const y = []; for (let b = 0; b < NB; b++) { const o = (b * C + c) * 2; y.push(A.series[o], A.series[o + 1]); } return y; });
  const scoreY = Array.from(A.step_score), stripZ = [Array.from(A.strip, k => k < -1 ? null : k)];
  const mpY = A.step_mp ? Array.from(A.step_mp, x => x === x ? x : null) : null;
  const chanAxis = c => c === 0 ? 'y' : 'y' + (4 + c);               // channel c keeps its axis; its row is the axis' domain
  let geo = null, key = null, drawn = null, args = null;
  function draw(idx, order) {
    args = [idx, order];
    const g = seriesGeometry(s, d, gd), top = new Set(order.slice(0, Math.min(3, C)).map(o => o.c)), dom = seriesRows(C, order, g);
    const on = c => !idx.length || top.has(c), k = s.seriesLayout + '|' + g.height + '|' + g.top;
    const opacity = Array.from({length: C}, (_, c) => on(c) ? 1 : g.per ? 0.45 : 0.2), width = Array.from({length: C}, (_, c) => on(c) ? 1.3 : 0.8);
    geo = g;
    if (k === key && gd.data) {                 // the same figure: what changed, only (each plotly call redraws)
      const upd = {shapes: seriesShapes(s, d, idx, g)}, same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
      if (g.per && !same(dom, drawn.dom)) for (let c = 0; c < C; c++) { upd[chanAxis(c).replace('y', 'yaxis') + '.domain'] = dom[c]; upd[`annotations[${c}].y`] = dom[c][1]; }
      if (!same(opacity, drawn.opacity)) Plotly.restyle(gd, {opacity, 'line.width': width}, Array.from({length: C}, (_, c) => c));
      Plotly.relayout(gd, upd);
      drawn = {dom, opacity};
      return;
    }
    key = k; drawn = {dom, opacity};
    const traces = [], axes = {}, notes = [];
    for (let c = 0; c < C; c++) {
      const ax = g.per ? chanAxis(c) : 'y';
      traces.push({type: 'scatter', mode: 'lines', x: bx, y: chanY[c], name: CH[c], line: {width: width[c], color: channelColor(c)},
                   opacity: opacity[c], xaxis: 'x', yaxis: ax, hovertemplate: '%{fullData.name}: %{y:.4g}<br>%{x}<extra></extra>'});
      if (g.per) {
        axes[ax.replace('y', 'yaxis')] = {domain: dom[c], tickfont: {size: 9}, nticks: 3, zeroline: false};
        notes.push({xref: 'paper', yref: 'paper', x: 0.002, y: dom[c][1], xanchor: 'left', yanchor: 'top', showarrow: false, text: CH[c],
                    font: {size: 11, color: channelColor(c)}, bgcolor: 'rgba(255,255,255,0.75)'});
      }
    }
    if (!g.per) axes.yaxis = {domain: g.channels};
    notes.push({xref: 'paper', yref: 'paper', x: 0, xanchor: 'right', xshift: -6, y: (g.tags[0] + g.tags[1]) / 2, yanchor: 'middle',
                showarrow: false, text: 'tags', font: {size: 10}});   // the lane's name, where an axis title would be
    traces.push({type: 'scatter', mode: 'lines', x: bmid, y: scoreY, fill: 'tozeroy', name: 'anomaly score', line: {color: '#d62728', width: 1}, xaxis: 'x', yaxis: 'y2', hoverinfo: 'y'});
    traces.push({type: 'heatmap', x: bmid, y: [0], z: stripZ, xaxis: 'x', yaxis: 'y3', showscale: false, hoverinfo: 'z',
                 colorscale: stripScale(M), zmin: -1, zmax: Math.max(0, ...M.clusters)});
    if (mpY) {
      traces.push({type: 'scatter', mode: 'lines', x: bmid, y: mpY, fill: 'tozeroy', name: 'matrix profile', line: {color: '#2b6cb0', width: 1}, xaxis: 'x', yaxis: 'y4', hoverinfo: 'y'});
      axes.yaxis4 = {domain: g.mp, title: {text: 'MP', font: {size: 10}}, tickfont: {size: 9}, nticks: 3};
    }
    gd.style.height = g.height + 'px';
    Plotly.react(gd, traces, Object.assign({margin: {t: g.top, l: 60, r: 10, b: LANE.bottom}, dragmode: s.pan ? 'pan' : 'select', selectdirection: 'h', shapes: seriesShapes(s, d, idx, g), uirevision: 'keep',
      annotations: notes,
      title: {text: fitTitle(gd, ['series (drag along time to select the windows it covers); ' + (mpY ? 'matrix profile; ' : '') + 'anomaly score; tags; clusters',
                                  'series (drag along time to select the windows it covers)', 'series (drag along time to select)']),
              font: {size: 13}, y: 1, yref: 'container', yanchor: 'top', pad: {t: 6}},
      xaxis: Object.assign({anchor: 'y3', automargin: true, title: {text: TIME ? 'time' : 'row', standoff: 6}}, TIME ? {type: 'date'} : {}),   // below the dates' second line
      yaxis2: {domain: g.score, title: {text: 'score', font: {size: 10}}, tickfont: {size: 9}, nticks: 3}, yaxis3: {domain: g.strip, showticklabels: false, title: {text: 'cluster', font: {size: 10}}},
      showlegend: !g.per, legend: {orientation: 'h', x: 0, y: 1, yanchor: 'bottom'}}, axes), cfg({scrollZoom: true}));
  }
  const relayoutShapes = () => { if (geo) Plotly.relayout(gd, {shapes: seriesShapes(s, d, selectedIdx(s), geo)}); };
  const refit = () => { if (args && geo && ['height', 'top'].some(k => seriesGeometry(s, d, gd)[k] !== geo[k])) draw(selectedIdx(s), args[1]); };   // the host got narrower or wider
  function wire() {
    gd.on('plotly_selected', ev => {
      if (s.drawing || !ev) return;
      let r = ev.range && ev.range.x;                       // a box dragged with the mouse
      const sl = ev.selections && ev.selections[ev.selections.length - 1];
      if (!r && sl && sl.x0 !== undefined) r = [sl.x0, sl.x1];            // a selection set through the API
      if (!r) return;
      const a = d.rowOf(r[0]), b = d.rowOf(r[1]), r0 = Math.min(a, b), r1 = Math.max(a, b), idx = [];   // rows, from times on a date axis
      for (let i = 0; i < NV; i++) if (A.end[i] > r0 && A.start[i] <= r1) idx.push(i);
      v.selection.fromPlot(gd, ev, idx);
    });
  }
  return {draw, relayoutShapes, refit, wire};
}

// ---- the histogram of the scores, and the hover preview of one window ----
function makeHistogram(ui, s, d) {
  const {M, A} = d;
  function draw() {
    const h = histogram(A.score, 60), thr = s.threshold;
    Plotly.react(ui.hist, [{type: 'bar', x: h.x, y: h.y, width: h.width, marker: {color: '#4c78a8'}, customdata: h.y.map(c => c === 1 ? 'window' : 'windows'), hovertemplate: 'score %{x:.3g}<br>%{y} %{customdata}<extra></extra>'}],
      {margin: {t: 30, l: 40, r: 10, b: 35}, xaxis: {title: {text: 'score'}},
       // which rule set the threshold, so that users can reason about what 'above the threshold' means
       title: {text: 'anomaly scores; threshold: ' + (thr === M.threshold ? (M.threshold_rule || 'the run\'s') : 'set by hand'), font: {size: 11}},
       shapes: [{type: 'line', x0: thr, x1: thr, yref: 'paper', y0: 0, y1: 1, line: {color: 'red', dash: 'dash'}}]}, cfg());
  }
  return {draw};
}
function makePreview(ui, s, d) {
  const {M, A, C, NB, CH} = d;
  function draw(i) {
    const a = A.start[i], b = A.end[i], traces = [];
    for (let c = 0; c < C; c++) {
      const x = [], y = [];
      if (M.raw) { for (let r = a; r < b; r++) { x.push(d.xOf(r)); y.push(A.raw[r * C + c]); } }
      else { for (let k = 0; k < NB; k++) if (A.edges[k + 1] > a && A.edges[k] < b) { const o = (k * C + c) * 2, t = d.xOf(A.edges[k]); x.push(t, t); y.push(A.series[o], A.series[o + 1]); } }
      traces.push({type: 'scatter', mode: 'lines', x, y, name: CH[c], line: {width: 1, color: channelColor(c)}});
    }
    Plotly.react(ui.preview, traces, {margin: {t: 20, l: 30, r: 10, b: 36}, showlegend: false, title: {text: 'window ' + A.id[i], font: {size: 11}},
                                      xaxis: Object.assign({tickfont: {size: 9}}, d.TIME ? {type: 'date'} : {})}, cfg({staticPlot: true}));   // the series' time axis
    ui.hovernote.textContent = d.hoverText(i);
  }
  return {draw};
}

// ---- the overview: one row per cluster (dvats.overview.cluster_overview), and the anomalies as events (anomaly_events) ----
const headRow = (t, names) => { const tr = t.insertRow(); names.forEach(h => { const th = document.createElement('th'); th.textContent = h; if (h === 'what changed') th.className = 'dvats-words'; tr.appendChild(th); }); };
const pct = f => f > 0 && f < 0.005 ? '<1%' : Math.round(f * 100) + '%';
const MOST_EVENTS = 200;
function makeOverview(ui, s, d, v) {
  const OV = d.M.overview || null;
  let rows = [];
  function draw() {
    const t = ui.overview; t.replaceChildren(); rows = [];
    ui.overviewbox.hidden = !OV;                    // a payload made before the overview: no panel
    if (!OV) return;
    headRow(t, ['cluster', 'size', 'time', 'stretches', 'what changed']);
    for (const o of OV) {
      const tr = t.insertRow(), name = o.cluster === -1 ? 'noise' : 'cluster ' + o.cluster;
      tr.dataset.cluster = o.cluster; tr.title = `select the windows of ${name}`;
      const c0 = tr.insertCell(), sw = document.createElement('span');
      sw.className = 'dvats-swatch'; sw.style.background = clusterColor(o.cluster);
      c0.append(sw, ' ' + name);
      const cells = [nw(o.windows), pct(o.share), count(o.stretches, 'stretch', 'stretches'), o.description];
      cells.forEach((x, j) => { const td = tr.insertCell(); td.textContent = x; if (j === 3) td.className = 'dvats-words'; });
      tr.onclick = () => v.api.selectCluster(o.cluster, 'replace');
      rows.push({cluster: o.cluster, color: clusterColor(o.cluster), cells: [name, ...cells]});
    }
  }
  return {draw, rows: () => rows};
}
function makeEvents(ui, s, d, v) {
  const {M, A} = d, EV = M.events || null;
  let rows = [];
  /** The positions of event `k`'s windows: those of `first..last` above the run's threshold (the windows anomaly_events merged). */
  function idx(k) {
    const e = EV && EV[k], out = [];
    if (!e) return out;
    for (let id = e.first; id <= e.last; id++) { const i = d.posOf[id]; if (i >= 0 && A.score[i] > M.threshold) out.push(i); }
    return out;
  }
  function drawRank() {                     // a payload made before the events: the windows of highest score
    ui.rankcaption.textContent = 'the windows of highest anomaly score (click one to select it)';
    const t = ui.rank; t.replaceChildren();
    headRow(t, ['rank', 'window', 'from', 'to', 'cluster', 'score']);
    topScores(A.score, 50).forEach((i, r) => {
      const tr = t.insertRow();
      [r + 1, A.id[i], d.timeAt(A.start[i]), d.timeAt(A.end[i] - 1), A.cluster[i] === -1 ? 'noise' : A.cluster[i], A.score[i].toFixed(3)]
        .forEach(x => { tr.insertCell().textContent = String(x); });
      tr.onclick = () => { v.api.select([A.id[i]], 'replace'); v.api.focus(A.id[i]); };
    });
  }
  function draw() {
    if (!EV) return drawRank();
    const t = ui.rank; t.replaceChildren(); rows = [];
    ui.rankcaption.textContent = !EV.length ? 'anomalies: no window is above the run\'s threshold'
      : `anomalies: ${count(EV.length, 'event')}, the windows above the run's threshold merged where they touch, highest peak first (click one to select its windows)`;
    if (!EV.length) return;
    headRow(t, ['#', 'peak', 'from', 'to', 'size', 'what changed']);
    EV.slice(0, MOST_EVENTS).forEach((e, k) => {
      const tr = t.insertRow(); tr.dataset.event = k; tr.title = `select the windows of event ${k + 1}`;
      const cells = [String(k + 1), Number(e.peak).toFixed(3), e.start_time ?? d.timeAt(e.start), e.end_time ?? d.timeAt(e.end - 1), nw(e.windows), e.description];
      cells.forEach((x, j) => { const td = tr.insertCell(); td.textContent = x; if (j === 5) td.className = 'dvats-words'; });
      tr.onclick = () => v.api.selectEvent(k, 'replace');
      rows.push({event: k, first: e.first, last: e.last, cells});
    });
    if (EV.length > MOST_EVENTS) { const td = t.insertRow().insertCell(); td.colSpan = 6; td.className = 'dvats-words'; td.textContent = `… and ${count(EV.length - MOST_EVENTS, 'more event')}, of lower peaks`; }
  }
  return {draw, rows: () => rows, idx};
}

// ---- tags: named selections, listed as chips and drawn in their lane under the series ----
function makeTagList(ui, s, d, v) {
  function draw() {
    ui.tags.replaceChildren();
    s.tags.forEach(([name, ids], k) => {
      const chip = document.createElement('span'); chip.className = 'dvats-tag';
      const sw = document.createElement('span'); sw.className = 'dvats-swatch'; sw.style.background = d.tagColor(k);
      const b = document.createElement('button'); b.className = 'dvats-tagsel'; b.textContent = name; b.title = 'select the windows of this tag';
      b.onclick = () => v.api.selectTag(name);
      const n = document.createElement('span'); n.textContent = ` ${nw(ids.length)} `;
      const x = document.createElement('button'); x.className = 'dvats-tagdel'; x.textContent = '×'; x.title = 'remove this tag';
      x.onclick = () => v.api.untag(name);
      // what the analyst knows reaches the scores: Python rescores the run in Jupyter; the page, which has none, says the command
      const know = (kind, title) => {
        const k = document.createElement('button'); k.className = 'dvats-tag' + kind; k.textContent = kind; k.title = title;
        const send = kind === 'normal' ? d.host.markNormal : d.host.markAnomaly;
        const flag = kind === 'normal' ? 'known-normal' : 'anomaly';
        k.onclick = () => send ? (v.say(`rescoring with '${name}' ${kind === 'normal' ? 'found normal' : 'as a known anomaly'} ...`), send(name, ids))
          : v.say(`export the tags (tags.csv) into the run folder, then run: dvats rescore RUN --${flag}-tag "${name.replace(/"/g, '\\"')}"`);
        return k;
      };
      const nm = know('normal', "checked and found normal (e.g. a false alarm): its windows join the memory bank, so they and their look-alikes " +
                      "stop being flagged; the threshold is set again, no new embeddings");
      const an = know('anomaly', 'a known anomaly: lower the threshold (never raise it) until each stretch of this tag has a window above it');
      chip.append(sw, b, n, nm, an, x); ui.tags.appendChild(chip);
    });
  }
  function set(tags) { s.tags = tags; draw(); quietly(s, v.series.relayoutShapes); v.tell(); }
  return {draw, set};
}

// ---- the clicked window: its line of words, its context and the windows like it, on the projection and the series ----
function makeFocus(ui, s, d, v) {
  const {A} = d;
  function show() {
    const [b, a] = s.context;
    ui.ctxb.value = b; ui.ctxa.value = a; ui.ctxbv.textContent = b; ui.ctxav.textContent = a;
    ui.serieslayout.value = s.seriesLayout;
    ui.selctx.disabled = ui.selsim.disabled = s.focus < 0;
    if (s.focus < 0) { ui.focusv.textContent = 'click a window (a point, a row of the list) to see its context'; ui.simv.textContent = ''; ui.focusnote.textContent = ''; return; }
    const i = d.posOf[s.focus], sim = similarNow(s, d);
    ui.focusv.textContent = `window ${s.focus} (${d.timeAt(A.start[i])} – ${d.timeAt(A.end[i] - 1)}) · context ${nw(contextIdx(s, d).length)}`;
    ui.simv.textContent = sim.pending ? 'more like this: …' : `more like this: ${nw(sim.ids.length)}`;
    ui.focusnote.textContent = sim.note;
  }
  function draw() {
    const t0 = performance.now();
    v.projection.paintFocus(); quietly(s, v.series.relayoutShapes);
    show();
    const sim = similarNow(s, d);
    s.lastFocus = {painted: v.projection.painted(), focus: s.focus, context: contextIdx(s, d).map(i => A.id[i]), similar: sim.ids, similar_of: sim.of ?? s.focus,
                   note: sim.note, pending: !!sim.pending, ms: performance.now() - t0};
    return s.lastFocus;
  }
  return {show, draw};
}

// ---- the selection: combined (replace, add, subtract) from a plot, a cluster, ...; undo and redo ----
const MOST_UNDO = 100;
function makeSelection(ui, s, d, v) {
  const {NV} = d, h = s.history, sel = s.sel;
  function fromPlot(gd, ev, idxList) {
    // a lasso or box always comes with its shape in `selections`; an empty list is plotly replaying the cleared one
    if (s.drawing || !ev || !(ev.selections || []).length) return;
    const before = sel.slice();
    combine(idxList, s.mode);
    if (sel.some((x, i) => x !== before[i])) update();
    else quietly(s, () => { forget(gd); v.projection.mark(selectedIdx(s)); });   // plotly marked the lasso's points; an added lasso may hold fewer
  }
  function combine(idxList, how) {
    if (how === 'replace') sel.fill(0);
    for (const i of idxList) sel[i] = how === 'subtract' ? 0 : 1;
  }
  function apply(idxList, how) { combine(idxList, how || s.mode); update(); }
  function update() { remember(); quietly(s, v.explain.draw); }
  // each change of the selection, kept as runs of positions [a, b) (a cluster of a million windows: a few runs)
  function snap() {
    const r = []; let i = 0;
    while (i < NV) { if (sel[i]) { const a = i; while (i < NV && sel[i]) i++; r.push(a, i); } else i++; }
    return Int32Array.from(r);
  }
  const sameSnap = (a, b) => a.length === b.length && a.every((x, k) => x === b[k]);
  function restore(r) { sel.fill(0); for (let k = 0; k < r.length; k += 2) sel.fill(1, r[k], r[k + 1]); }
  function showHistory() { ui.undo.disabled = !h.past.length; ui.redo.disabled = !h.future.length; }
  function remember() {                   // before a redraw: a selection that changed since the last one can be undone
    const now = snap();
    if (h.now && !sameSnap(now, h.now)) { h.past.push(h.now); if (h.past.length > MOST_UNDO) h.past.shift(); h.future = []; }
    h.now = now; showHistory();
    if (s.picked && !sameSnap(now, s.picked.snap)) { s.picked.tr.classList.remove('dvats-picked'); s.picked = null; }
  }
  // the overview's or the event list's row whose windows are the selection, marked until the selection changes
  function pick(tr) {
    if (s.picked) s.picked.tr.classList.remove('dvats-picked');
    s.picked = tr ? {tr, snap: h.now} : null;
    if (tr) tr.classList.add('dvats-picked');
  }
  function travel(from, to, done, hint) {
    if (!from.length) { v.say(done === 'undone' ? 'nothing to undo' : 'nothing to redo'); return s.last; }
    to.push(h.now); h.now = from.pop(); restore(h.now); showHistory();
    quietly(s, v.explain.draw);
    v.say(ui.status.textContent + ` · ${done} (${hint})`);
    return s.last;
  }
  const undo = () => travel(h.past, h.future, 'undone', 'Ctrl+Shift+Z redoes');
  const redo = () => travel(h.future, h.past, 'redone', 'Ctrl+Z undoes');
  return {fromPlot, apply, update, pick, undo, redo};
}

// ---- the answer for the selection: what sets it apart (the page's contrast) or what the encoder looks at; it redraws the views ----
const IN_PYTHON = "explain(run, ids, target='contrast') or dvats explain RUN --contrast";
// what the signed bars mean, beside them
const SIGNED_WORDS = 'Share: each channel\'s part of the selection\'s total |relevance| (the bars sum to 1). Signed R: its mean relevance per window, '
  + 'in the units of the encoder\'s output (red: positive, it adds to the output; blue: negative, it takes from it).';
const CONTRAST_WORDS = 'Contribution: in spreads (each coordinate of the contrast basis divided by its standard deviation over the run\'s '
  + 'windows), the channels sum to the size of the difference; red: the channel moves with the difference, blue: against it.';
// the selection's contrast against the reference 'all', from the basis the page holds: dvats.explain.basis_contrast(run, ids), at once;
// Python's explain(run, ids, target='contrast') computes it exactly (along the exact direction, with its profile and bands)
function contrastNow(s, d, n) {
  const {A, M, C, CT} = d, t0 = performance.now();
  const {role, nRef, overlapping, reference} = contrastRoles(s.sel, A.id, M.n_windows, CT, d.basisPos);
  const r = contrastOf(A.basis, A.basis_scale, C, CT.k, CT.shared, role, CT.null.spread);
  const ok = r.ns > 0 && r.nr > 0 && r.size > 0, rows = k => { const out = []; for (let j = 0; j < role.length; j++) if (role[j] === k) out.push(A.basis_id[j]); return out; };
  const dist = ok ? distinctness(r.sizeInSpreads, rows(1), rows(2), CT.null, M.n_windows, 2.326, reference === 'all') : {ratio: null, threshold: null};
  const ct = {reference, ns: r.ns, nr: r.nr, nRef, nSelected: n, overlapping, size: r.size, sizeInSpreads: r.sizeInSpreads, ratio: dist.ratio, threshold: dist.threshold,
              distinct: ok ? dist.ratio > dist.threshold : null, table: ok ? contrastTable(r.contribution, M.channels) : []};
  ct.line = !r.ns ? `${n === 1 ? 'the selected window is not' : `none of the ${fmt(n)} selected windows is`} in the contrast basis' sample: this file holds nothing to contrast them with; explain them in Python (dvats explain RUN --contrast).`
    : !r.nr ? 'nothing to contrast: every window is selected, so no reference window is left.'
    : !ok ? "nothing to contrast: the selection's mean equals the reference's." : contrastLine(ct);
  ct.ms = performance.now() - t0;
  return ct;
}
function makeExplain(ui, s, d, v) {
  const {A, M, NV, NR, CT, host} = d;
  function draw() {
    const t0 = performance.now(), target = s.target;
    const idx = selectedIdx(s), ids = idx.map(i => A.id[i]), n = idx.length;
    const ext = host.explained ? host.explained(ids, target) : null;
    const own = !!CT && target === 'contrast' && n > 0;   // the page's own contrast, at once (and its verdict, also once Python's exact one arrives)
    const use = own ? [] : n ? d.relIdx(idx) : d.relAll;   // the rows of the relevance arrays: the selected windows that have relevance
    const ct = own ? contrastNow(s, d, n) : null;
    const exact = own && !!ext;                 // Jupyter: Python's exact contrast arrived; its table goes with its profile and bands
    const rows = own && !exact ? ct.table : ext ? ext.table.map(r => ({...r, c: M.channels.indexOf(r.channel)})) : use.length ? d.table(use) : [];
    if (own) v.importance.drawContrast(ct, rows); else v.importance.draw(rows);
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
    const t2 = performance.now(), bands = own && !ext ? v.bands.draw(use, rows, null, `The contrast's frequency bands are computed in Python: ${IN_PYTHON} --frequency.`) : v.bands.draw(use, rows, ext);
    const t3 = performance.now(); if (own && !ext) v.profile.draw(use, rows, null, `The contrast's time profile is computed in Python: ${IN_PYTHON}.`); else v.profile.draw(use, rows, ext);
    const t4 = performance.now(); forget(ui.series); v.series.draw(idx, rows);
    const t5 = performance.now(); v.projection.mark(idx);
    const parts = {importance: t1 - t0, bands: t3 - t2, heat: t4 - t3, series: t5 - t4, projection: performance.now() - t5};   // where the time goes (bench/explorer.py)
    const last = s.last = {ids, target: own ? 'contrast' : ext ? ext.target : 'embedding',
            table: rows.map(r => ({channel: r.channel, signed: r.signed, share: r.share})), bands,   // bands: per channel (payload order), or null
            contrast: own ? {table: exact ? 'python' : 'basis', reference: ct.reference, n_sel: ct.ns, n_ref: ct.nr, n_ref_valid: ct.nRef, overlapping: ct.overlapping, size: ct.size, size_in_spreads: ct.sizeInSpreads,
                             ratio: ct.ratio, threshold: ct.threshold, distinct: ct.distinct, line: ct.line, ms: ct.ms} : null,
            used: own ? ct.ns : ext ? n : use.length,   // how many windows the numbers come from
            ms_table: t1 - t0, ms_all: performance.now() - t0, ms_parts: parts};
    const missing = n - use.length, part = `importances from ${fmt(use.length)} of them (the relevance sample)`;
    const waiting = host.explained && !ext && n && (target === 'contrast' ? n < NV : missing > 0 && missing <= (M.on_demand || 0));
    v.say(own ? `${nw(n)} selected · what sets them apart in ${ct.ms.toFixed(1)} ms` + (waiting ? ' · computing it exactly, with its time profile and bands, in Python …' : exact ? ' · exactly in Python' : '')
        : waiting && target === 'contrast' ? `${nw(n)} selected · computing their contrast in Python …`
        : waiting ? `${nw(n)} selected · ${part} · computing the other ${fmt(missing)} in Python …`
        : ext ? `${nw(n)} selected · ` + (ext.target === 'embedding' ? 'importances of all of them (computed in Python)' : 'what sets them apart (computed in Python)')
        : n && missing ? `${nw(n)} selected · ${part} in ${last.ms_table.toFixed(1)} ms`
        : n ? `${nw(n)} selected · importances in ${last.ms_table.toFixed(1)} ms`
        : NR < NV ? `no selection: importances of the ${nw(NR)} of the relevance sample (of ${fmt(NV)})` : NV === 1 ? 'no selection: importances of the one window' : `no selection: importances of all ${fmt(NV)} windows`);
    if (host.selected) host.selected(ids);
  }
  return {draw};
}

// ---- the controls: they show the state (`show`), and each changes it; the keys; the list of shortcuts ----
function download(name, text, type) {
  const a = document.createElement('a'); a.href = URL.createObjectURL(new Blob([text], {type})); a.download = name; a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
function makeControls(root, ui, s, d, v) {
  const {M, host} = d, api = () => v.api, keysOn = host.page ? document : root;   // the page: every key; the widget: keys pressed inside it
  function show() {                       // the controls say what is drawn
    ui.color.value = s.color; ui.thr.value = s.threshold; ui.thrv.textContent = s.threshold.toFixed(3); ui.path.checked = s.path;
    ui.modes.forEach(r => { r.checked = r.value === s.mode; }); ui.target.value = s.target;
    v.focus.show(); v.tagList.draw();
  }
  function help(on) { ui.help.hidden = on === undefined ? !ui.help.hidden : !on; return !ui.help.hidden; }
  function onKey(e) {
    const t = e.target, typing = t && (t.isContentEditable || t.tagName === 'TEXTAREA' || (t.tagName === 'INPUT' && !['checkbox', 'radio', 'range', 'button', 'file'].includes(t.type)));
    if (typing) return;                     // the tag's name box keeps its own undo
    const k = (e.key || '').toLowerCase(), mod = e.ctrlKey || e.metaKey;
    if (mod && !e.altKey && k === 'z') { e.preventDefault(); e.stopPropagation(); if (e.shiftKey) v.selection.redo(); else v.selection.undo(); }
    else if (mod && !e.altKey && !e.shiftKey && k === 'y') { e.preventDefault(); e.stopPropagation(); v.selection.redo(); }
    else if (!mod && !e.altKey && e.key === '?') { e.preventDefault(); help(); }
    else if (e.key === 'Escape' && !ui.help.hidden) help(false);
    else if (e.key === 'Escape' && !mod) { if (s.sel.some(x => x)) { v.selection.apply([], 'replace'); v.say('selection cleared (Esc) · Ctrl+Z brings it back'); } }
    else if (mod || e.altKey || (t && t.tagName) === 'SELECT') return;   // the letters: not with a modifier, not in a list that they choose from
    else if (k === 'a') { e.preventDefault(); api().selectAnomalies(); }
    else if (k === 'p') { e.preventDefault(); pan(!s.pan); }
    else if (k === 'r') { e.preventDefault(); quietly(s, () => { Plotly.relayout(ui.proj, {'xaxis.autorange': true, 'yaxis.autorange': true}); Plotly.relayout(ui.series, {'xaxis.autorange': true}); }); }
  }
  function pan(on) {                        // drag pans the projection and the series, or selects (lasso, and along time)
    s.pan = on;
    quietly(s, () => { Plotly.relayout(ui.proj, {dragmode: on ? 'pan' : 'lasso'}); Plotly.relayout(ui.series, {dragmode: on ? 'pan' : 'select'}); });
    v.say(on ? 'drag pans the projection and the series (p: select again)' : 'drag selects again (p: pan)');
  }
  function wire() {
    const t = ui.thr;
    t.min = d.sLo; t.max = d.sHi; t.step = (d.sHi - d.sLo) / 500 || 0.001; t.value = s.threshold; ui.thrv.textContent = s.threshold.toFixed(3);
    t.oninput = () => { s.threshold = +t.value; v.viewChanged(); };
    ui.color.onchange = e => { s.color = e.target.value; v.viewChanged(); };
    ui.path.onchange = e => { s.path = e.target.checked; v.viewChanged(); };
    ui.modes.forEach(r => { r.onchange = () => { s.mode = r.value; v.viewChanged(); }; });
    ui.target.onchange = e => api().setTarget(e.target.value);
    M.clusters.forEach(k => { const o = document.createElement('option'); o.value = k; o.textContent = k === -1 ? 'noise' : 'cluster ' + k; ui.clusterpick.appendChild(o); });
    ui.selcluster.onclick = () => api().selectCluster(+ui.clusterpick.value);
    ui.selanom.onclick = () => api().selectAnomalies();
    ui.clear.onclick = () => v.selection.apply([], 'replace');
    ui.undo.onclick = () => v.selection.undo();
    ui.redo.onclick = () => v.selection.redo();
    ui.helpbtn.onclick = () => help();
    ui.helpclose.onclick = () => help(false);
    if (!host.page) { root.tabIndex = -1; root.setAttribute('data-lm-suppress-shortcuts', 'true'); }   // the widget: its keys while it has the focus, not JupyterLab's
    keysOn.addEventListener('keydown', onKey);
    ui.csv.onclick = () => host.exportIds ? host.exportIds(api().state()) : download('selection.csv', ['window', ...api().state().selection].map(csvField).join('\n') + '\n', 'text/csv');
    ui.savestate.onclick = () => host.exportView ? host.exportView(api().state()) : download('dvats-view.json', JSON.stringify(api().state(), null, 1), 'application/json');
    ui.ctxb.oninput = () => api().setContext(ui.ctxb.value, s.context[1]);
    ui.ctxa.oninput = () => api().setContext(s.context[0], ui.ctxa.value);
    ui.selctx.onclick = () => api().selectContext();
    ui.selsim.title = 'select the clicked window and the windows like it';
    ui.selsim.onclick = () => api().selectSimilar();
    ui.serieslayout.onchange = e => api().setSeriesLayout(e.target.value);
    ui.tagbtn.onclick = () => { api().tag(ui.tagname.value); };
    ui.tagname.onkeydown = e => { if (e.key === 'Enter') api().tag(ui.tagname.value); };
    ui.tagcsv.onclick = () => host.exportTags ? host.exportTags(tagsObj(s)) : download('tags.csv', api().tagsCSV(), 'text/csv');
    ui.tagload.onchange = e => { const f = e.target.files[0]; if (f) f.text().then(x => api().importTags(x)); e.target.value = ''; };
    ui.loadstate.onchange = e => {
      const f = e.target.files[0]; if (!f) return;
      f.text().then(x => { try { api().setState(JSON.parse(x)); } catch (err) { v.say('not a dvats view file: ' + err.message); } });
    };
  }
  return {show, help, wire, dispose: () => keysOn.removeEventListener('keydown', onKey)};
}

// ---- the explorer's API (what hosts, tests and scripts call) ----
function makeApi(ui, s, d, v) {
  const {A, M, NV, CT, host} = d, sel = v.selection;
  const api = {
    select(ids, how) { sel.apply(d.fromIds(ids), how); return s.last; },
    selectCluster(k, how) {
      const idx = []; for (let i = 0; i < NV; i++) if (A.cluster[i] === k) idx.push(i);
      sel.apply(idx, how); if ((how || s.mode) === 'replace') sel.pick(ui.overview.querySelector(`tr[data-cluster="${Number(k)}"]`));
      return s.last;
    },
    selectAnomalies(how) { const idx = []; for (let i = 0; i < NV; i++) if (A.score[i] > s.threshold) idx.push(i); sel.apply(idx, how); return s.last; },
    /** Select anomaly event `k` (0: the highest peak; `meta.events`): the windows of its `first..last` above the run's threshold. */
    selectEvent(k, how) { sel.apply(v.events.idx(k), how); if ((how || s.mode) === 'replace') sel.pick(ui.rank.querySelector(`tr[data-event="${Number(k)}"]`)); return s.last; },
    /** The event's window ids (`selectEvent` selects them). */
    eventIds: k => v.events.idx(k).map(i => A.id[i]),
    /** The rows of the cluster overview and of the event list, as drawn: `{cluster | event, cells: [texts]}`. */
    overviewRows: () => v.overview.rows().map(r => ({...r, cells: r.cells.slice()})),
    eventRows: () => v.events.rows().map(r => ({...r, cells: r.cells.slice()})),
    /** Click the overview's row of cluster `k` (or the event list's row `k`) as a user does; returns what it selected. */
    clickOverview(k) { const tr = ui.overview.querySelector(`tr[data-cluster="${Number(k)}"]`); if (tr) tr.click(); return s.last; },
    clickEvent(k) { const tr = ui.rank.querySelector(`tr[data-event="${Number(k)}"]`); if (tr) tr.click(); return s.last; },
    /** Undo (redo) the last change of the selection; `history()` says how many steps each way. */
    undo: sel.undo, redo: sel.redo,
    history: () => ({undo: s.history.past.length, redo: s.history.future.length}),
    /** Show (true), hide (false) or toggle (nothing) the list of shortcuts; returns whether it shows. */
    help: on => v.controls.help(on),
    last: () => s.last,
    /** Explain selections with 'contrast' (what sets them apart) or 'embedding' (what the encoder looks at), as the selector does. */
    setTarget(t) { if (t === 'embedding' || (t === 'contrast' && (CT || host.explained))) { s.target = t; v.viewChanged(); sel.update(); } return s.last; },
    state: () => ({dvats_view: 1, selection: selectedIdx(s).map(i => A.id[i]), color: s.color, threshold: s.threshold, path: s.path, mode: s.mode,
                   series_layout: s.seriesLayout, context: s.context.slice(), focus: s.focus, tags: tagsObj(s)}),
    setState(x) { takeView(s, d, x); v.viewChanged(); api.select(x.selection || [], 'replace'); },
    refresh: () => sel.update(),          // redraw the selection's views (the host's explanation arrived)
    refreshFocus() { s.similar = null; return v.focus.draw(); },   // the host's similar windows arrived
    say: v.say,
    /** Click window `id` (-1: none): its context and the windows like it are drawn; returns what is shown and how long it took. */
    focus(id) { s.focus = d.validId(id) ? id : -1; s.similar = null; const r = v.focus.draw(); v.tell(); return r; },
    /** How many windows before and after the clicked one make its context. */
    setContext(before, after) { s.context = [clampCtx(before), clampCtx(after)]; const r = v.focus.draw(); v.tell(); return r; },
    lastFocus: () => s.lastFocus,
    selectContext(how) { sel.apply(contextIdx(s, d), how); return s.last; },
    /** Select the clicked window and the windows like it. */
    selectSimilar(how) { if (s.focus < 0) return s.last; sel.apply(d.fromIds([s.focus].concat(similarNow(s, d).ids)), how); return s.last; },
    setSeriesLayout(m) { if (SERIES_LAYOUTS.includes(m)) { s.seriesLayout = m; v.viewChanged(); } return s.seriesLayout; },
    /** Name the selection (or window `ids`) `name`; a tag of that name is replaced. */
    tag(name, ids) {
      name = String(name ?? '').trim();
      const t = ids ? cleanTags(d, [[name, ids]])[0] : [name, selectedIdx(s).map(i => A.id[i])];
      if (!name) { v.say('give the tag a name'); return tagsObj(s); }
      if (!t || !t[1].length) { v.say('select windows to tag first'); return tagsObj(s); }
      const at = s.tags.findIndex(([n]) => n === name), next = s.tags.slice();
      if (at >= 0) next[at] = t; else next.push(t);
      v.tagList.set(next); v.say(`tagged ${nw(t[1].length)} '${name}'`);
      return tagsObj(s);
    },
    untag(name) { v.tagList.set(s.tags.filter(([n]) => n !== name)); return tagsObj(s); },
    selectTag(name, how) { const t = s.tags.find(([n]) => n === name); sel.apply(t ? d.fromIds(t[1]) : [], how); return s.last; },
    tags: () => tagsObj(s),
    tagsCSV: () => tagsCSV(s.tags, M.stride, M.w, row => d.timeAt(row, '')),
    /** Tags from the CSV of dvats.tags (tags of the same name are replaced); returns them, or says what is wrong with the file. */
    importTags(text) {
      let got; try { got = readTagsCSV(text); } catch (e) { v.say('not a tags file: ' + e.message); return null; }
      const clean = cleanTags(d, got), next = s.tags.filter(([n]) => !clean.some(([m]) => m === n)).concat(clean);
      const dropped = got.reduce((k, [, ids]) => k + ids.length, 0) - clean.reduce((k, [, ids]) => k + ids.length, 0);
      v.tagList.set(next);
      v.say(`imported ${count(clean.length, 'tag')}` + (dropped ? ` (${count(dropped, 'id')} left out: not valid windows of this run)` : ''));
      return tagsObj(s);
    },
  };
  return api;
}

/** The explorer's title: the report's, the run (its folder's name) and the data it was made from (the file's name), when the payload says them. */
export const titleOf = M => [M.title, M.run && 'run ' + M.run, M.source && 'data ' + M.source].filter(Boolean).join(' · ');

/** Draw the explorer of payload `D` into `root`; returns its API (select, selectCluster, selectAnomalies, last, state, setState).
 * `host` may give: `page` (ids on the parts), `selected(ids)` and `viewed(view)` (told after each change),
 * `explained(ids, target)` (a table and profile computed elsewhere, or null), `exportIds(state)`, `exportView(state)`.
 * `start` is the state to draw first (as `state()` gives it): a host that holds one (Jupyter, after a page reload or in a
 * second view) draws it as it is, and the explorer's own empty start never reaches the host. */
export function mount(root, D, host = {}, start = null) {
  const d = makeData(D, host), {M, A, CT} = d;
  const ui = layout(root, !!host.page, !!CT);
  ui.title.textContent = titleOf(M);
  if (host.page) document.title = titleOf(M);
  ui.targetbox.hidden = !CT && !host.explained;     // without the basis, only a host with Python can recompute relevance for a contrast
  ui.simbox.hidden = !d.canSimilar;                 // a run made before the table of similar windows: no such control
  for (const o of ui.color.options) if (o.value === 'matrix_profile') o.hidden = o.disabled = !A.mp;
  const s = makeState(d, start);
  // the views and the actions between them: each made once, each finds the others here when it draws
  const v = {say: text => { ui.status.textContent = text; }};
  Object.assign(v, {projection: makeProjection(ui, s, d, v), importance: makeImportance(ui, s, d), bands: makeBands(ui, s, d),
                    profile: makeProfile(ui, s, d), series: makeSeries(ui, s, d, v), hist: makeHistogram(ui, s, d),
                    overview: makeOverview(ui, s, d, v), events: makeEvents(ui, s, d, v), preview: makePreview(ui, s, d),
                    tagList: makeTagList(ui, s, d, v), focus: makeFocus(ui, s, d, v), selection: makeSelection(ui, s, d, v),
                    explain: makeExplain(ui, s, d, v), controls: makeControls(root, ui, s, d, v)});
  v.tell = () => { if (host.viewed) host.viewed(viewOf(s)); };
  v.viewChanged = () => {                 // the view (not the selection) changed: redraw what shows it, and tell the host
    quietly(s, () => {
      s.similar = null; v.controls.show(); v.projection.draw(); v.hist.draw();
      v.series.draw(selectedIdx(s), s.last ? s.last.table.map(r => ({...r, c: M.channels.indexOf(r.channel)})) : []);
    });
    v.tell();
  };
  const api = v.api = makeApi(ui, s, d, v);
  v.controls.wire(); v.controls.show();
  v.projection.draw(); v.hist.draw(); v.overview.draw(); v.events.draw(); v.preview.draw(0);
  v.selection.update(); v.projection.wire(); v.series.wire();
  // each plot takes its panel's width: on a window resize (plotly's `responsive`) and whenever the panel alone changes width
  // (Jupyter's side bar opens or closes; a plot drawn while its panel was hidden got plotly's 700 px)
  const plots = [ui.proj, ui.preview, ui.imp, ui.bands, ui.heat, ui.series, ui.hist];
  const sized = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(seen => {
    for (const e of seen) {
      const gd = e.target, w = e.contentRect.width, svg = gd.querySelector('.main-svg');   // the width plotly drew it at
      if (!(w > 0 && svg && Math.abs(+svg.getAttribute('width') - w) >= 1)) continue;
      Plotly.Plots.resize(gd).then(() => {                          // then the title that fits the new width
        if (!gd.layout) return;                                     // disposed (purged) meanwhile
        const t = fitTitle(gd);
        if (t !== null && gd.layout.title && gd.layout.title.text !== t) Plotly.relayout(gd, {'title.text': t});
        if (gd === ui.series) v.series.refit();
      });
    }
  });
  if (sized) plots.forEach(gd => sized.observe(gd));
  api.dispose = () => { v.controls.dispose(); if (sized) sized.disconnect(); plots.forEach(gd => Plotly.purge(gd)); };
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
    // Python rescores the run and sends a new payload; the tag's ids go along, so Python need not have the page's tags yet
    markNormal: (name, ids) => model.send({kind: 'mark_normal', tag: name, ids: Array.from(ids)}),
    markAnomaly: (name, ids) => model.send({kind: 'mark_anomaly', tag: name, ids: Array.from(ids)}),
    similar(id) {                            // Python's answer for the clicked window, once it has computed it (it follows `focus`)
      const e = model.get('_similar');
      return e && e.focus === id ? e : null;
    },
  };
  const fromModel = () => Object.fromEntries(SYNCED.map(k => [k, model.get(k)]));
  let api = mount(root, model.get('_payload'), host, fromModel());   // the model's state, not an empty one: it survives a reload
  const onPayload = () => {                  // the run scored again (a tag marked normal): every view drawn anew from the new payload
    api.dispose(); root.replaceChildren();
    api = mount(root, model.get('_payload'), host, fromModel()); el.dvats = api; globalThis.dvats = api;
  };
  model.on('change:_payload', onPayload);
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
  return () => { for (const k of SYNCED) model.off('change:' + k, onChange); model.off('change:_explained', onExplained); model.off('change:_payload', onPayload); model.off('change:_similar', onSimilar); model.off('msg:custom', onMsg); api.dispose(); };
}

export default {render};

const pageData = typeof document !== 'undefined' && document.getElementById('dvats-data');
if (pageData) mountPage(pageData);
