"""Selection latency and report size of the explorer, at 10k and 100k windows.

1. Selection -> updated channel importances, for 100 and 100,000 selected windows:
   - in Python: `explain(result, ids)` (the channel table from the cached per-window channel sums);
     the time profile, computed on first use, is timed apart;
   - in the page: `dvats.select(ids)` in headless Chromium, timed with performance.now() inside the page around
     the channel table and the redraw of the bars (`ms_table`), and around every view's redraw (`ms_all`).
   Target: <= 50 ms at 100k windows in both.
2. Size of report.html at 10k and 100k windows (budget 15 MB at 100k), and the size at 1M extrapolated from those two.

The runs are synthetic (random embeddings, clusters, scores and relevance of the right shapes: 6 channels, w=48,
stride 1); the explorer's cost depends only on those shapes. Run: .venv/bin/python bench/explorer.py
"""
import json, shutil, tempfile, time, warnings
from pathlib import Path
from types import SimpleNamespace
warnings.simplefilter('ignore', FutureWarning)
import numpy as np, pandas as pd

C, W, STRIDE = 6, 48, 1


def fake_run(n, out):
    from dvats.config import Config
    from dvats.explain import channel_sums, explain
    rng = np.random.default_rng(0)
    steps = n * STRIDE + W - 1
    series = pd.DataFrame(rng.normal(size=(steps, C)).astype(np.float32), columns=[f'ch{i}' for i in range(C)],
                          index=pd.date_range('2024-01-01', periods=steps, freq='s'))
    start = np.arange(n) * STRIDE
    score = rng.beta(2, 5, n).astype(np.float32)
    windows = pd.DataFrame({'window': np.arange(n), 'start': start, 'end': start + W, 'start_time': series.index[start],
                            'end_time': series.index[start + W - 1], 'valid': True, 'x': rng.normal(size=n).astype(np.float32),
                            'y': rng.normal(size=n).astype(np.float32), 'cluster': pd.array(rng.integers(-1, 5, n), dtype='Int64'),
                            'anomaly_score': score, 'is_anomaly': score > 0.5})
    R = np.lib.format.open_memmap(out / 'relevance.npy', mode='w+', dtype=np.float32, shape=(n, C, W))
    for a in range(0, n, 20000): R[a:a + 20000] = rng.normal(size=(min(20000, n - a), C, W))
    cfg = Config(); cfg.windows.w, cfg.windows.stride = W, STRIDE
    res = SimpleNamespace(out=out, config=cfg, series=series, windows=windows, relevance=R, channel_relevance=channel_sums(R),
                          steps=pd.DataFrame({'anomaly_score': rng.random(steps).astype(np.float32)}, index=series.index),
                          metrics={'anomaly': {'threshold': 0.5}})
    res.values = series.to_numpy(np.float32)
    res.explain = lambda ids, target='embedding': explain(res, ids, target)
    return res


def python_latency(res, k):
    ids = np.sort(np.random.default_rng(1).choice(len(res.windows), k, replace=False))
    res.explain(ids)                                                         # warm
    t = []
    for _ in range(5):
        t0 = time.perf_counter(); ex = res.explain(ids); t.append(time.perf_counter() - t0)
    t0 = time.perf_counter(); ex.profile; tp = time.perf_counter() - t0
    return min(t) * 1000, tp * 1000, ids


def page_latency(path, id_sets):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    o = webdriver.ChromeOptions()
    for a in ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--window-size=1400,1700']:
        o.add_argument(a)
    o.binary_location = shutil.which('chromium') or '/usr/bin/chromium'
    d = webdriver.Chrome(service=Service(shutil.which('chromedriver') or '/usr/bin/chromedriver'), options=o)
    d.set_script_timeout(120)
    try:
        t0 = time.perf_counter(); d.get(Path(path).as_uri())
        while d.execute_script("return document.body && document.body.getAttribute('data-ready')") != '1': time.sleep(0.1)
        load = time.perf_counter() - t0
        out = []
        for ids in id_sets:
            d.execute_script("dvats.select(arguments[0], 'replace')", [int(i) for i in ids])    # warm
            runs = [d.execute_script("const r = dvats.select(arguments[0], 'replace'); return [r.ms_table, r.ms_all]", [int(i) for i in ids]) for _ in range(3)]
            out.append((min(r[0] for r in runs), min(r[1] for r in runs)))
        return load, out
    finally: d.quit()


def main():
    from dvats.views.page import write_report
    rows, sizes = [], {}
    for n in (10_000, 100_000):
        tmp = Path(tempfile.mkdtemp())
        res = fake_run(n, tmp)
        t0 = time.perf_counter(); p = write_report(res, tmp / 'report.html'); tw = time.perf_counter() - t0
        sizes[n] = p.stat().st_size
        bins = json.loads(p.read_text().split('id="dvats-data">')[1].split('</script>')[0])['meta']['bins'] or "none"
        print(f"{n:,} windows: report.html {sizes[n] / 1e6:.2f} MB (profile bins {bins} of {W}), written in {tw:.1f} s")
        ks = [k for k in (100, 100_000) if k <= n]
        py = {k: python_latency(res, k) for k in ks}
        load, page = page_latency(p, [py[k][2] for k in ks])
        print(f"  page opened and drawn in {load:.1f} s")
        for k, (tab, both) in zip(ks, page):
            rows.append((n, k, py[k][0], py[k][1], tab, both))
        shutil.rmtree(tmp)
    print("\n| windows | selected | Python explain() table | Python profile (on first use) | page: importances | page: all views |")
    print("|---|---|---|---|---|---|")
    for n, k, a, b, c, d in rows: print(f"| {n:,} | {k:,} | {a:.1f} ms | {b:.1f} ms | {c:.1f} ms | {d:.1f} ms |")
    per = (sizes[100_000] - sizes[10_000]) / 90_000
    print(f"\nreport size grows {per:.0f} bytes per window between 10k and 100k (the 100k file holds no time profiles);"
          f" at 1M windows it would be about {(sizes[100_000] + per * 900_000) / 1e6:.0f} MB, over the budget.")


if __name__ == '__main__':
    main()
