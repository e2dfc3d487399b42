"""Anomaly scores: which detector and per-step rule find planted anomalies (quality), and whether scoring stays linear
(scale).

quality: for the demo series and a second labelled series unlike it (`plant_series` below: coupled plant sensors with
five other fault kinds and no regimes), seeds 0-2 each, the default encoder is trained once per series and seed and kept
in runs/bench-anomaly/<series>/seed<s>/ (a second run only scores). Every detector of dvats.anomaly (bank, glosh, knn,
iforest), raw-value kNN on the flattened windows and the TSB-AD-style point baselines (kNN and IsolationForest on each
step's channel vector) are scored per step against the planted anomalies: AUC-PR, ROC-AUC, VUS-PR (buffer = w) for every
per-step rule, and the UCR hit rate (the series cut into one-anomaly pieces; is each piece's top step within ±100 steps
of its anomaly). Then each threshold rule on the default score: how many windows it selects, the share that overlap a
planted anomaly, and how many planted anomalies they hit (what the report's "select anomalies" shows). Last, for the
demo (it has regimes), HDBSCAN on the 2-D UMAP projection and on the PCA-32 embeddings, ARI and NMI against the regimes.

scale: the default score (memory bank of 64, k = 3) and the default per-step rule on synthetic 160-dim embeddings of
10k, 100k and 1M windows (w = 48, stride 1): seconds and peak resident memory above the start, each size in one process.

Run:   OMP_NUM_THREADS=2 python bench/anomaly.py quality [--seeds 0 1 2]
       OMP_NUM_THREADS=2 python bench/anomaly.py scale [--sizes 10000 100000 1000000]
"""
import argparse, sys, time, warnings
from pathlib import Path
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
W, STRIDE = 48, 4
PLANT_KINDS = ('flatline', 'decoupling', 'noise_burst', 'spike', 'drift')


def plant_series(n_steps=20_000, seed=0):
    """A labelled series unlike the demo: 5 coupled plant sensors (a daily cycle, a shared AR(1) load that two sensors
    follow with lags, a faster cycle modulated by the day) and planted faults of five other kinds: a sensor stuck at one
    value, a sensor decoupled from the load, a noise burst, a 2-step spike and a slow drift. No regimes."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_steps)
    load, e = np.zeros(n_steps), rng.standard_normal(n_steps) * 0.15
    for i in range(1, n_steps): load[i] = 0.995 * load[i - 1] + e[i]
    day = np.sin(2 * np.pi * t / 288)
    x = np.stack([day + 0.3 * load, np.roll(load, 5) + 0.5 * day, 0.8 * np.roll(load, 12) - 0.4 * day,
                  np.sin(2 * np.pi * t / 37) * (1 + 0.2 * day), 0.5 * day + 0.2 * np.sin(2 * np.pi * t / 9)], 1)
    x += 0.08 * rng.standard_normal(x.shape)
    anomaly, kind = np.zeros(n_steps, bool), np.full(n_steps, '', dtype=object)
    n_events = n_steps // 1600
    slots = np.linspace(300, n_steps - 300, n_events + 1).astype(int)
    for i in range(n_events):
        k = PLANT_KINDS[i % len(PLANT_KINDS)]
        length = {'flatline': int(rng.integers(60, 150)), 'decoupling': int(rng.integers(80, 160)),
                  'noise_burst': int(rng.integers(40, 100)), 'spike': 2, 'drift': int(rng.integers(120, 200))}[k]
        a = int(rng.integers(slots[i], max(slots[i] + 1, slots[i + 1] - length - 100)))
        b, c = a + length, int(rng.integers(5))
        if k == 'flatline': x[a:b, c] = x[a, c]
        elif k == 'decoupling': x[a:b, c] = x[a:b, c][::-1] if c in (1, 2) else -x[a:b, c]
        elif k == 'noise_burst': x[a:b, c] += 0.6 * rng.standard_normal(length)
        elif k == 'spike': x[a:b, c] += 5 * np.sign(rng.standard_normal())
        else: x[a:b, c] += np.linspace(0, 1.5, length)
        anomaly[a:b], kind[a:b] = True, k
    index = pd.date_range('2024-01-01', periods=n_steps, freq='5min', name='time')
    return (pd.DataFrame(x.astype(np.float32), index=index, columns=[f"s{c}" for c in range(5)]),
            pd.DataFrame({'anomaly': anomaly, 'anomaly_kind': kind.astype(str)}, index=index))


def demo_series(seed):
    from dvats.demo import make_demo_series
    return make_demo_series(seed=seed)


SERIES = {'demo': demo_series, 'plant': lambda seed: plant_series(seed=seed)}


def embedded(name, seed, root):
    """The series, truth, windows, validity and embeddings of series `name` and `seed`, its encoder trained once into
    `root`."""
    import torch
    from _encoder import cached_encoder
    from dvats.embeddings import get_embeddings
    series, truth = SERIES[name](seed)
    enc, wins, valid = cached_encoder(series, seed, Path(root)/name/f'seed{seed}', W, STRIDE, f"{name} seed {seed}")
    torch.set_num_threads(2)
    return series, truth, wins, valid, get_embeddings(enc, wins, valid, progress=False)


def point_scores(values, method, seed):
    "TSB-AD-style point baselines: kNN distance (k = 10) or IsolationForest on each step's channel vector."
    if method == 'knn':
        from sklearn.neighbors import NearestNeighbors
        return NearestNeighbors(n_neighbors=11).fit(values).kneighbors(values)[0][:, -1]
    from sklearn.ensemble import IsolationForest
    return -IsolationForest(random_state=seed).fit(values).score_samples(values)


def cluster_spaces(name, seed, emb, valid, truth):
    """HDBSCAN with dvats' defaults on the default UMAP projection and on the PCA-32 embeddings, scored against the
    majority regime per window."""
    from dvats.dr import project
    from dvats.clustering import cluster, cluster_scores, reduced_embeddings
    from dvats.windows import window_labels
    labels = pd.Series(window_labels(truth.regime.to_numpy(), W, STRIDE)).astype(str)
    spaces = {'projection (UMAP 2-D)': project(emb, 'umap', 2, seed),
              'embeddings (PCA 32)': reduced_embeddings(emb, 32, seed)}
    return [{'series': name, 'seed': seed, 'space': k, **cluster_scores(x, cluster(x), labels, seed=seed)}
            for k, x in spaces.items()]


def ucr_rate(step, y):
    """The UCR hit over the series cut into one-anomaly pieces (each from the end of the previous anomaly to the start
    of the next): the share hit."""
    from dvats.detection import label_ranges, ucr_hit
    starts, ends = label_ranges(y)
    hits = [ucr_hit(step[a:b], y[a:b]) for a, b in zip(np.r_[0, ends[:-1] + 1], np.r_[starts[1:], len(y)])]
    return float(np.mean(hits))


def quality(seeds, root):
    from dvats.anomaly import DETECTORS, AGGREGATIONS, window_scores, step_scores, anomaly_scores
    from dvats.detection import detection_scores, selection_hits
    rows, thr_rows, cluster_rows = [], [], []
    for name in SERIES:
        for seed in seeds:
            series, truth, wins, valid, emb = embedded(name, seed, root)
            y, n = truth.anomaly.to_numpy(), len(truth)
            t = time.perf_counter()
            scores = {d: window_scores(emb, d, seed=seed) for d in DETECTORS}
            scores['bank256'] = window_scores(emb, 'bank', bank_size=256, seed=seed)
            scores['knn_raw'] = window_scores(np.where(valid[:, None], wins.reshape(len(wins), -1), np.nan), 'knn')
            for k, ws in scores.items():
                for how in AGGREGATIONS:
                    st = step_scores(ws, n, W, STRIDE, how)
                    rows.append({'series': name, 'seed': seed, 'score': k, 'aggregation': how,
                                 **detection_scores(st, y, buffer=W),
                                 'ucr_rate': ucr_rate(np.nan_to_num(st, nan=-np.inf), y)})
            values = series.to_numpy(np.float64)
            for k in ('knn', 'iforest'):
                st = point_scores(values, k, seed)
                rows.append({'series': name, 'seed': seed, 'score': f'{k}_point', 'aggregation': '-',
                             **detection_scores(st, y, buffer=W), 'ucr_rate': ucr_rate(st, y)})
            for rule, kw in [('quantile', {'quantile': .9}), ('quantile', {'quantile': .95}),
                             ('quantile', {'quantile': .98}),
                             ('mad', {'mad_k': 2.}), ('mad', {'mad_k': 2.5}), ('mad', {'mad_k': 3.}),
                             ('mad', {'mad_k': 4.})]:
                an = anomaly_scores(scores['bank'], rule, **kw)
                thr_rows.append({'series': name, 'seed': seed, 'rule': an.attrs['threshold_rule'],
                                 **selection_hits(an.is_anomaly.to_numpy(), y, W, STRIDE)})
            if 'regime' in truth: cluster_rows += cluster_spaces(name, seed, emb, valid, truth)
            print(f"{name} seed {seed}: scored in {time.perf_counter() - t:.0f} s", flush=True)
    df, th = pd.DataFrame(rows), pd.DataFrame(thr_rows)
    out = Path(root); df.to_csv(out/'quality.csv', index=False); th.to_csv(out/'thresholds.csv', index=False)
    pd.set_option('display.width', 250); pd.set_option('display.max_rows', 200)
    for name in SERIES:
        d = df[df.series == name]
        g = (d.groupby(['score', 'aggregation'])[['auc_pr', 'roc_auc', 'vus_pr', 'ucr_rate']]
             .agg(['mean', 'std']).round(3))
        print(f"\n== {name}: per-step scores, mean and std over seeds {list(seeds)} (chance AUC-PR "
              f"{d.positive_rate.mean():.3f})")
        print(g.sort_values(('auc_pr', 'mean'), ascending=False).to_string())
        t = th[th.series == name].assign(hit_share=lambda x: x.events_hit / x.events)
        print(f"\n== {name}: thresholds on the default score (bank)")
        print(t.groupby('rule', sort=False)[['windows', 'overlap_share', 'hit_share']]
              .agg(['mean', 'std', 'min']).round(3).to_string())
    if cluster_rows:
        c = pd.DataFrame(cluster_rows)
        print("\n== clusters against the demo's regimes: the 2-D UMAP projection (the default) or the PCA-32 "
              f"embeddings, seeds {list(seeds)}")
        print(c.groupby('space')[['n_clusters', 'noise_fraction', 'ari', 'nmi']]
              .agg(['mean', 'std']).round(3).to_string())


def scale(sizes):
    import subprocess, json
    got = {}
    for n in sizes:
        r = subprocess.run([sys.executable, __file__, '_scale_one', str(n)], capture_output=True, text=True)
        if r.returncode: print(r.stderr[-2000:], flush=True); continue
        text, data = r.stdout.strip().rsplit('\n', 1)
        print(text, flush=True); got[n] = json.loads(data)
    if len(got) > 1:
        lo, hi = min(got), max(got)
        t = lambda n: got[n]['window_s'] + got[n]['step_s']
        print(f"{hi:,} / {lo:,} windows ({hi / lo:.0f}x): time {t(hi) / t(lo):.1f}x, peak memory above the start "
              f"{got[hi]['extra_mb'] / got[lo]['extra_mb']:.1f}x (linear would be {hi / lo:.0f}x)")


def _scale_one(n):
    from _memory import PeakRSS
    from dvats.anomaly import window_scores, step_scores
    rng = np.random.default_rng(0)
    emb = (rng.standard_normal((n, 160)) + rng.integers(0, 8, n)[:, None]).astype(np.float32)   # 8 loose groups
    emb[rng.choice(n, n // 1000, replace=False)] *= 3                                           # and some far windows
    with PeakRSS() as m:
        t = time.perf_counter(); ws = window_scores(emb, 'bank'); t_win = time.perf_counter() - t
        t = time.perf_counter(); step_scores(ws, n + W - 1, W, 1); t_step = time.perf_counter() - t
    print(f"{n:>9,} windows: window scores {t_win:6.2f} s ({t_win / n * 1e6:.2f} µs/window), per-step {t_step:6.2f} s "
          f"({t_step / n * 1e6:.2f} µs/step); peak memory +{m.extra_mb:,.0f} MB above the start "
          f"(the embeddings themselves: {emb.nbytes / 2**20:,.0f} MB)")
    print(__import__('json').dumps({'window_s': t_win, 'step_s': t_step, 'extra_mb': m.extra_mb}))


if __name__ == '__main__':
    warnings.simplefilter('ignore')
    if sys.argv[1:2] == ['_scale_one']: _scale_one(int(sys.argv[2])); sys.exit()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('cmd', choices=['quality', 'scale'])
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--sizes', type=int, nargs='+', default=[10_000, 100_000, 1_000_000])
    p.add_argument('--root', default='runs/bench-anomaly')
    a = p.parse_args()
    quality(a.seeds, a.root) if a.cmd == 'quality' else scale(a.sizes)
