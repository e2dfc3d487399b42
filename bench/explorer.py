"""Report size, time to first draw and selection latency of the explorer, at 10k, 100k and 1M windows.

1. Size of report.html, one self-contained file (plotly.js inlined): its budget is `report_budget` (15 MB up to 100,000
   windows, 25 MB at 1,000,000). The 10k and 100k runs hold every window's relevance; the 1M run holds the relevance of
   a sample of 20,000 windows (`lrp.max_windows`), NaN rows for the others, as such a run does.
2. Time to first draw: from opening the file in headless Chromium to the first frame after every view is drawn
   (`dvats.timing.drawn`, performance.now() in the page), with the JSON parse and the mount (decoding and every plot)
   apart. Headless Chromium here has no GPU: WebGL (plotly's scattergl) is rasterised in software (SwiftShader).
3. Selection -> updated channel importances, for 100, 100,000 and (at 1M) 1,000,000 selected windows:
   - in Python: `explain(result, ids)` (the channel table from the cached per-window channel sums), on the selected
     windows that have relevance (all of them below 1M); the time profile, computed on first use, timed apart;
   - in the page: `dvats.select(ids)`, timed with performance.now() inside the page around the channel table and the
     redraw of the bars (`ms_table`), and around every view's redraw (`ms_all`: bands, profile, series, the projection's
     marks).
   Target: <= 100 ms for the importances at 1M windows.
4. The clicked window (issue 17), in the page, median of 7 (performance.now() inside the page, every view's update):
   a click (`dvats.focus(id)`: its context and the windows like it drawn on the projection's canvas and the series),
   a context slider moved (`dvats.setContext`), and 'select context' / 'select these' (a selection: every view redrawn).
   Target: <= 100 ms each at 100,000 windows. And what the table of similar windows (k = 10) costs in the file.
5. What sets a selection apart (issue 29), in the page (its default answer): `dvats.select(ids)` with the contrast
   shown, median of 5, performance.now() inside the page around the contrast alone (the exclusion zone, the reference
   'all' and one pass over the 8-bit contrast basis: `contrast.ms`) and around the contrast and the redraw of its bars
   (`ms_table`), for 100 windows drawn at random, a cluster whose basis rows are shifted (it stands apart), 100,000
   drawn at random (below the run's size), a contiguous half of the run (a regime: the reference is the other half, less
   the windows that share a step with it) and every window (no reference is left: the page says so). Beside it, the same
   answer in Python, `basis_contrast(run, ids)` (from the run's float32 basis; best of 3), and the largest difference
   between the two tables' signed contributions, over the largest |signed|. Target: <= 200 ms at 100,000 windows.

The runs are synthetic (random projections, clusters, scores and relevance of the right shapes: 6 channels, w=48, stride
1); the explorer's cost depends only on those shapes. The contrast basis is random too (`(n, 6, 16)`, rows for at most
20,000 of the windows that have relevance), beside random 56-dimensional embeddings (8 learned, then 8 per channel;
Python reads them for the null).
Run: OMP_NUM_THREADS=1 .venv/bin/python bench/explorer.py [--sizes 10000 100000 1000000]
"""
import argparse, json, shutil, tempfile, time, warnings
from pathlib import Path
from types import SimpleNamespace
warnings.simplefilter('ignore', FutureWarning)
import numpy as np, pandas as pd

C, W, STRIDE, BANDS = 6, 48, 1, 8


def fake_run(n, out, sample=None, seed=0):
    """A run of `n` windows with the shapes of a real one; with `sample`, relevance for that many windows only (drawn at
    random) and NaN rows for the others, as a run above `lrp.max_windows` holds it."""
    from dvats.config import Config
    from dvats.explain import explain
    rng = np.random.default_rng(seed)
    steps = n * STRIDE + W - 1
    series = pd.DataFrame(rng.normal(size=(steps, C)).astype(np.float32), columns=[f'ch{i}' for i in range(C)],
                          index=pd.date_range('2024-01-01', periods=steps, freq='s'))
    start = np.arange(n) * STRIDE
    score = rng.beta(2, 5, n).astype(np.float32)
    windows = pd.DataFrame({'window': np.arange(n), 'start': start, 'end': start + W, 'start_time': series.index[start],
                            'end_time': series.index[start + W - 1], 'valid': True,
                            'x': rng.normal(size=n).astype(np.float32),
                            'y': rng.normal(size=n).astype(np.float32),
                            'cluster': pd.array(rng.integers(-1, 5, n), dtype='Int64'),
                            'anomaly_score': score, 'is_anomaly': score > 0.5})
    keep = np.arange(n) if sample is None or sample >= n else np.sort(rng.choice(n, sample, replace=False))
    has = np.zeros(n, bool); has[keep] = True
    R = np.lib.format.open_memmap(out / 'relevance.npy', mode='w+', dtype=np.float32, shape=(n, C, W))
    sums, F = np.full((n, C, 2), np.nan, np.float32), np.full((n, C, BANDS), np.nan, np.float32)
    for a in range(0, n, 20000):
        b = min(n, a + 20000)
        r = rng.normal(size=(b - a, C, W)).astype(np.float32)
        r[~has[a:b]] = np.nan                                        # outside the sample: NaN rows
        R[a:b] = r
        sums[a:b, :, 0], sums[a:b, :, 1] = r.sum(2), np.abs(r).sum(2)
        F[a:b] = r[:, :, :BANDS] * 6  # band sums of the right shape (their values do not matter here)
    cfg = Config(); cfg.windows.w, cfg.windows.stride = W, STRIDE
    res = SimpleNamespace(out=out, config=cfg, series=series, windows=windows, relevance=R, channel_relevance=sums,
                          frequency_relevance=F,
                          steps=pd.DataFrame({'anomaly_score': rng.random(steps).astype(np.float32)},
                                             index=series.index),
                          metrics={'anomaly': {'threshold': 0.5}}, sample=keep)
    # the table of similar windows: every window's list up to 100,000 windows, else a stratified sample of 100,000 (as
    # the run's contract)
    listed = np.arange(n) if n <= 100_000 else np.linspace(0, n - 1, 100_000).astype(np.int64)
    res.similar = np.full((n, 10), -1, np.int32)  # (the page reads `similar`: `neighbours` was its name before)
    res.similar[listed] = rng.integers(0, n, (len(listed), 10), dtype=np.int32)
    windows['mp_score'] = rng.random(n).astype(np.float32)
    res.steps['matrix_profile'] = rng.random(steps).astype(np.float32)
    res.values = series.to_numpy(np.float32)
    # the contrast basis (issue 29): a sample of at most BASIS_WINDOWS of the windows with relevance (as the stage keeps
    # it), 8 shared directions and 8 of each channel's own, random of the right shape; NaN rows for the others
    from dvats.contrast import BASIS_WINDOWS, BASIS_DIRECTIONS, BAND_DIRECTIONS
    from dvats.windows import sample_windows
    k, m = BASIS_DIRECTIONS, BAND_DIRECTIONS
    res.embeddings = rng.normal(size=(n, k + C * m)).astype(np.float32)
    res.contrast_directions = np.eye(k + C * m, dtype=np.float32)
    res.contrast_basis = np.full((n, C, k + m), np.nan, np.float32)
    rows = sample_windows(keep, BASIS_WINDOWS, 0)
    # cluster 0 stands apart
    res.contrast_basis[rows] = rng.normal(size=(len(rows), C, k + m)).astype(np.float32) + (
        windows.cluster.to_numpy()[rows, None, None] == 0)
    res.explain = lambda ids, target='embedding': explain(res, ids, target)
    return res


def python_latency(res, ids):
    "Best of 5 `explain` of the windows of `ids` that have relevance (ms), its time profile on first use (ms)."
    ids = ids[np.isin(ids, res.sample)]
    if len(ids) == 0: return np.nan, np.nan, 0                            # none of them in the relevance sample
    res.explain(ids)                                                         # warm
    t = []
    for _ in range(5):
        t0 = time.perf_counter(); ex = res.explain(ids); t.append(time.perf_counter() - t0)
    t0 = time.perf_counter(); ex.profile; tp = time.perf_counter() - t0
    return min(t) * 1000, tp * 1000, len(ids)


SELECT = """const ids = arguments[0] === null ? Array.from({length: arguments[1]}, (_, i) => i)   // null: every window
                                              : arguments[0];
// what the encoder looks at (the contrast: CONTRAST)
dvats.setTarget('embedding');
dvats.select(ids, 'replace');                                              // warm
const runs = [];
for (let k = 0; k < 3; k++) { const r = dvats.select(ids, 'replace'); runs.push([r.ms_table, r.ms_all, r.used]); }
dvats.select([], 'replace'); return runs;"""


FOCUS = """const n = arguments[0], med = v => v.slice().sort((a, b) => a - b)[v.length >> 1],
      ids = Array.from({length: 7}, (_, k) => Math.floor((k + 0.5) * n / 7));
const click = [], ctx = [], selCtx = [], selSim = [];
dvats.focus(ids[0]); dvats.setContext(5, 5); dvats.selectContext('replace');                       // warm
for (const id of ids) click.push(dvats.focus(id).ms);
for (let k = 0; k < 7; k++) ctx.push(dvats.setContext(5 + k, 10 - k).ms);
for (const id of ids) {
  dvats.focus(id); selCtx.push(dvats.selectContext('replace').ms_all);
  selSim.push(dvats.selectSimilar('replace').ms_all);
}
const sim = dvats.lastFocus().similar.length;
dvats.focus(-1); dvats.select([], 'replace');
return [med(click), med(ctx), med(selCtx), med(selSim), sim];"""


CONTRAST = """const ids = arguments[0] === null ? Array.from({length: arguments[1]}, (_, i) => i)  // null: every window
                                                : arguments[0];
const med = v => v.slice().sort((a, b) => a - b)[v.length >> 1];
dvats.setTarget('contrast');
dvats.select(ids, 'replace');                                              // warm
const c = [], t = [], all = []; let last;
for (let k = 0; k < 5; k++) {
  last = dvats.select(ids, 'replace');
  c.push(last.contrast.ms); t.push(last.ms_table); all.push(last.ms_all);
}
dvats.select([], 'replace'); dvats.setTarget('embedding');
return [med(c), med(t), med(all), last.table, last.contrast];"""


def contrast_sets(n, rng, cluster):
    "The selections whose contrast is timed: (what, ids or None for every window)."
    out = [('100 at random', np.sort(rng.choice(n, 100, replace=False)))]
    c0 = np.flatnonzero(cluster == 0)
    out.append((f'cluster 0 ({len(c0):,}, shifted in the basis)', c0))
    if n > 100_000: out.append(('100,000 at random', np.sort(rng.choice(n, 100_000, replace=False))))
    out.append((f'{n // 2:,} in a row (half)', np.arange(n // 4, n // 4 + n // 2)))
    out.append((f'{n:,} (every window)', None))
    return out


def python_contrast(res, ids):
    """Best of 3 `basis_contrast(res, ids)` (the page's answer in Python; ms) and its table; (nan, None) when there is
    nothing to contrast."""
    from dvats.errors import DvatsError
    from dvats.explain import basis_contrast
    t, ex = [], None
    for _ in range(3):
        t0 = time.perf_counter()
        try: ex = basis_contrast(res, ids)
        except DvatsError: return np.nan, None
        t.append(time.perf_counter() - t0)
    return min(t) * 1000, ex


def table_cost(n, k=10, listed=100_000):
    """Bytes of text the table of similar windows adds to the page at `n` windows (every window's list up to `listed`,
    else a sample of `listed`)."""
    from dvats.views.page import neighbour_arrays, b64_array
    nb = np.full((n, k), -1, np.int32)
    rows = np.arange(n) if n <= listed else np.linspace(0, n - 1, listed).astype(np.int64)
    nb[rows] = 0
    arrays, _, _ = neighbour_arrays(SimpleNamespace(windows=pd.DataFrame(index=range(n)), similar=nb), np.arange(n))
    return sum(len(b64_array(a)[0]) for a in arrays.values())


def page_latency(path, id_sets, n, contrast_sets=()):
    import sys; sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'tests'))
    from _browser import headless_chromium
    d = headless_chromium(1400, 1700)
    d.set_script_timeout(600)
    try:
        t0 = time.perf_counter(); d.get(Path(path).as_uri())
        while d.execute_script("return window.dvats && dvats.timing") is None: time.sleep(0.1)
        wall = time.perf_counter() - t0
        timing = d.execute_script("return dvats.timing")
        out = []
        for ids in id_sets:
            runs = d.execute_script(SELECT, None if ids is None else [int(i) for i in ids], n)
            out.append((min(r[0] for r in runs), min(r[1] for r in runs), runs[0][2]))
        timing['focus'] = d.execute_script(FOCUS, n)
        timing['contrast'] = [d.execute_script(CONTRAST, None if ids is None else [int(i) for i in ids], n)
                              for _, ids in contrast_sets]
        return wall, timing, out
    finally: d.quit()


def main(sizes):
    from dvats.views.page import write_report
    rows, draws, focus, contrast = [], [], [], []
    for n in sizes:
        tmp = Path(tempfile.mkdtemp())
        sample = 20_000 if n >= 1_000_000 else None
        t0 = time.perf_counter(); res = fake_run(n, tmp, sample); tf = time.perf_counter() - t0
        t0 = time.perf_counter(); p = write_report(res, tmp / 'report.html'); tw = time.perf_counter() - t0
        size = p.stat().st_size
        meta = json.loads(p.read_text().split('id="dvats-data">')[1].split('</script>')[0])['meta']
        print(f"{n:,} windows (relevance for {len(res.sample):,}): report.html {size / 1e6:.2f} MB of a "
              f"{meta['budget'] / 1e6:.1f} MB budget "
              f"(points {'exact' if not meta['quant'] else '16-bit'}, band sums {meta['bands']}, "
              f"profile bins {meta['bins'] or 'none'} of {W}, "
              f"lists of similar windows for {meta['nb_rows']:,} of {meta['nb_listed']:,}); "
              f"run made in {tf:.0f} s, report written in {tw:.1f} s", flush=True)
        ks = [k for k in (100, 100_000, 1_000_000) if k <= n]
        rng = np.random.default_rng(1)
        sets = [np.sort(rng.choice(n, k, replace=False)) if k < n else None for k in ks]
        py = [python_latency(res, s if s is not None else np.arange(n)) for s in sets]
        csets = contrast_sets(n, rng, res.windows.cluster.to_numpy())
        wall, timing, page = page_latency(p, sets, n, csets)
        for (what, ids), (c_ms, t_ms, all_ms, table, ct) in zip(csets, timing['contrast']):
            py_ms, ex = python_contrast(res, np.arange(n) if ids is None else ids)
            dev = np.nan
            if ex is not None:
                want = dict(zip(ex.table.channel, ex.table.signed))
                dev = max(abs(r['signed'] - want[r['channel']]) for r in table) / np.abs(ex.table.signed).max()
                assert (ct['n_sel'] == len(ex.ids) and ct['n_ref'] == len(ex.reference)
                        and ct['distinct'] == ex.distinct), (ct, ex.ratio, ex.threshold)
            contrast.append((n, what, c_ms, t_ms, all_ms, ct, py_ms, dev))
        draws.append((n, size, meta['budget'], timing['parse'], timing['mount'], timing['drawn'], wall))
        focus.append((n, *timing['focus']))
        for k, a, b in zip(ks, py, page): rows.append((n, k, a, b))
        del res; shutil.rmtree(tmp)
    print("\n| windows | report.html | budget | JSON parse | mount (decode, every plot) | "
          "first frame after drawing (from opening) |")
    print("|---|---|---|---|---|---|")
    for n, size, budget, parse, mount, drawn, wall in draws:
        print(f"| {n:,} | {size / 1e6:.2f} MB | {budget / 1e6:.1f} MB | {parse:.0f} ms | {mount:.0f} ms | "
              f"{drawn / 1000:.1f} s |")
    print("\n| windows | selected | with relevance | Python explain() table | Python profile (first use) | "
          "page: importances | page: all views |")
    print("|---|---|---|---|---|---|---|")
    for n, k, (a, b, used), (c, d, pused) in rows:
        assert used == pused, (used, pused)  # the page's numbers come from the same windows as Python's
        print(f"| {n:,} | {k:,} | {used:,} | {a:.1f} ms | {b:.1f} ms | {c:.1f} ms | {d:.1f} ms |")
    print("\n| windows | click a window (context + similar drawn) | move a context slider | select context | "
          "select these (similar) | similar shown |")
    print("|---|---|---|---|---|---|")
    for n, click, ctx, sc, ss, k in focus:
        print(f"| {n:,} | {click:.1f} ms | {ctx:.1f} ms | {sc:.1f} ms | {ss:.1f} ms | {k} |")
    print("\n| windows | selected | reference windows | verdict | page: contrast | page: contrast + bars | "
          "page: all views | Python basis_contrast | max |Δ signed| / max |signed| |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n, what, c_ms, t_ms, all_ms, ct, py_ms, dev in contrast:
        v = 'nothing to contrast' if ct['distinct'] is None else f"{ct['ratio']:.1f}× (99%: {ct['threshold']:.1f}×)" + (
            '' if ct['distinct'] else ', not distinct')
        print(f"| {n:,} | {what} | {ct['n_ref']:,}{' (overlapping)' if ct['overlapping'] else ''} | {v} | "
              f"{c_ms:.1f} ms | {t_ms:.1f} ms | {all_ms:.1f} ms | "
              + (f"{py_ms:.0f} ms | {dev:.4f} |" if py_ms == py_ms else "– | – |"))
    print("\n| windows | table of similar windows in the page (k = 10) |")
    print("|---|---|")
    for n in sorted(set(sizes) | {100_000, 1_000_000}):
        print(f"| {n:,} | {table_cost(n) / 1e6:.2f} MB ({min(n, 100_000):,} windows with a list) |")


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--sizes', type=int, nargs='+', default=[10_000, 100_000, 1_000_000])
    main(ap.parse_args().sizes)
