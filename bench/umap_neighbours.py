"""UMAP with exact neighbours (brute force, given to umap-learn as `precomputed_knn`) against umap-learn's own
NN-descent (what `dvats.dr.project` uses), on the demo's embeddings: time of the first UMAP in a fresh process (numba
compilation included, as in `dvats demo`), HDBSCAN's ARI against the regimes, and trustworthiness (k = 15) of the 2-D
layout.

Measured 2026-11-27, 2 cores, seeds 0-2: exact neighbours took 15.0 ± 0.8 s against 46.1 ± 2.1 s (NN-descent's numba
code cannot be cached on disk, so every process compiles it) and kept neighbourhoods slightly better (trustworthiness
0.934 ± 0.003 against 0.930 ± 0.006), but HDBSCAN's regime ARI fell: 0.895 ± 0.087 against 0.943 ± 0.005, and over 4
UMAP seeds on each of the 3 runs it fell to about 0.79 in 7 of 12 layouts against 2 of 12. So dvats keeps NN-descent.

Part 1: each (seed, mode) runs in its own process. Part 2: in one process (compiled once), 4 UMAP seeds per run and
mode, the ARI of each layout, so that the spread of HDBSCAN on UMAP shows beside the difference. The embeddings are
those of finished demo runs, one per seed, made by `dvats demo --seed S --out runs/demo-bands-S` (default config).
Run: .venv/bin/python bench/umap_neighbours.py [RUN ...]
"""
import json, subprocess, sys

WORKER = r'''
import json, sys, time
import numpy as np, pandas as pd
run, mode = sys.argv[1], sys.argv[2]
import dvats.dr as dr
from sklearn.neighbors import NearestNeighbors
from dvats.clustering import cluster, cluster_scores
from dvats.config import load_config
from dvats.windows import window_labels
emb = np.load(f'{run}/embeddings.npy')
cfg = load_config(f'{run}/config.yaml')
t = time.perf_counter()
kw = {}
if mode == 'exact':
    dist, idx = NearestNeighbors(n_neighbors=15, algorithm='brute').fit(emb).kneighbors(emb)
    kw['precomputed_knn'] = (idx, dist.astype(np.float32), None)
p, info = dr.project(emb, 'umap', seed=cfg.seed, return_info=True, **kw); dt = time.perf_counter() - t
truth = pd.read_parquet(f'{run}/demo_truth.parquet')
labels = window_labels(truth.regime.to_numpy(), cfg.windows.w, cfg.windows.stride)[:len(emb)]
ari = cluster_scores(p, cluster(p), labels)['ari']
from sklearn.manifold import trustworthiness
ids = np.random.default_rng(0).choice(len(emb), 2000, replace=False)
tw = trustworthiness(emb[ids], p[ids], n_neighbors=15)
print(json.dumps({'seconds': dt, 'ari': ari, 'trust': tw, 'impl': info['implementation']}))
'''


def layouts(runs, umap_seeds=range(4)):
    "Part 2: ARI and trustworthiness of every (run, UMAP seed, mode) layout, in this process."
    import numpy as np, pandas as pd
    from sklearn.manifold import trustworthiness
    from sklearn.neighbors import NearestNeighbors
    from dvats.dr import project
    from dvats.clustering import cluster, cluster_scores
    from dvats.config import load_config
    from dvats.windows import window_labels
    rows = []
    for run in runs:
        emb, cfg = np.load(f'{run}/embeddings.npy'), load_config(f'{run}/config.yaml')
        labels = window_labels(pd.read_parquet(f'{run}/demo_truth.parquet').regime.to_numpy(), cfg.windows.w,
                               cfg.windows.stride)[:len(emb)]
        dist, idx = NearestNeighbors(n_neighbors=15, algorithm='brute').fit(emb).kneighbors(emb)
        ids = np.random.default_rng(0).choice(len(emb), 2000, replace=False)
        for seed in umap_seeds:
            for mode, kw in (('nn-descent', {}), ('exact', {'precomputed_knn': (idx, dist.astype(np.float32), None)})):
                p = project(emb, 'umap', seed=seed, **kw)
                rows.append({'run': run, 'umap_seed': seed, 'mode': mode,
                             'ari': cluster_scores(p, cluster(p), labels)['ari'],
                             'trust': trustworthiness(emb[ids], p[ids], n_neighbors=15)})
    t = pd.DataFrame(rows)
    print(t.pivot_table(index=['run', 'umap_seed'], columns='mode', values='ari').round(3).to_string())
    print(t.groupby('mode')[['ari', 'trust']].agg(['mean', 'std', 'min']).round(4).to_string())
    low = t[t.ari < 0.85].groupby('mode').size()
    print('layouts with ARI < 0.85: '
          + ', '.join(f'{m} {low.get(m, 0)} of {int((t["mode"] == m).sum())}' for m in ('nn-descent', 'exact')))


def main(runs):
    rows = []
    for run in runs:
        for mode in ('nn-descent', 'exact'):
            r = subprocess.run([sys.executable, '-c', WORKER, run, mode], capture_output=True, text=True,
                               env={'NUMBA_NUM_THREADS': '2', 'PATH': ''})
            if r.returncode: sys.exit(r.stderr[-2000:])
            rows.append({'run': run, 'mode': mode, **json.loads(r.stdout.strip().splitlines()[-1])})
            print(f"{run:24s} {mode:10s} {rows[-1]['seconds']:6.1f} s  ARI {rows[-1]['ari']:.3f}  trustworthiness "
                  f"{rows[-1]['trust']:.4f}  ({rows[-1]['impl']})", flush=True)
    import pandas as pd
    t = pd.DataFrame(rows).groupby('mode')[['seconds', 'ari', 'trust']].agg(['mean', 'std']).round(4)
    print(t.to_string())
    layouts(runs)


if __name__ == '__main__':
    main(sys.argv[1:] or [f'runs/demo-bands-{s}' for s in range(3)])
