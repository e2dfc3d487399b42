"""The embedding's columns scaled before the projection (`dr.scaling`): regime ARI of the clusters with the columns as
they are ('none') and standardised on the fitted windows ('standard'), side by side on the same embeddings.

Why: an embedding is 128 learned features, then each channel's band amplitudes (6 channels x 14 bands on the demo).
The learned features have the larger spread, so Euclidean distances, UMAP's neighbours and the layout mostly follow
them, while the demo's regimes differ in the band amplitudes (regime 1 runs two channels twice as fast). At 1,000,000
windows the pipeline merged regimes 0 and 1 into one cluster (ARI 0.54, issue 32); on that run's embeddings UMAP
fitted on the 20,000-window sample merged them for 3 of 6 seeds and neighbour searches, and never once standardised.

Data and encoders as bench/layout_thinning.py (whose functions this imports): the demo generator's series stretched to
n + 47 steps, cut into n windows of 48 steps at stride 1, and the default demo (stride 4, 4,989 windows); one encoder
per size and seed, the default config, its embeddings cached under `--cache`. The projection and the clusters follow
the default `dr` and `clustering` config, as the stages call them; only `scaling` differs. Measured: ARI against each
window's majority regime (every window counted, noise a class of its own), the noise share, the number of clusters,
and the time of projection + clustering.

Rows go to `--out` (one JSON line each); the table (mean ± std over seeds) is printed and written to --table.
Run: OMP_NUM_THREADS=2 .venv/bin/python bench/layout_scaling.py [--sizes 10000 100000 demo 1000000] [--seeds 0 1 2]
"""
import argparse, json, time, warnings
from pathlib import Path
warnings.simplefilter('ignore', FutureWarning)
import numpy as np
from layout_thinning import data, embeddings, W      # bench/layout_thinning.py

SIZES = ('10000', '100000', '1000000', 'demo')


def layout_row(d, emb, size, seed, scaling):
    "Project and cluster as the stages do (default config) with the columns scaled as `scaling` says."
    from sklearn.metrics import adjusted_rand_score
    from dvats.config import Config
    from dvats.dr import project
    from dvats.clustering import cluster
    c = Config(); dr, cc = c.dr, c.clustering
    t = time.perf_counter()
    y, info = project(emb, dr.method, dr.n_components, seed, dr.pca_dims, scaling=scaling, return_info=True,
                      fit_windows=dr.fit_windows, w=W, stride=d['stride'], n_neighbors=dr.n_neighbors,
                      min_dist=dr.min_dist, metric=dr.metric, neighbours=dr.neighbours)
    tp = time.perf_counter() - t
    t = time.perf_counter()
    cl = cluster(y, cc.min_cluster_size, cc.min_samples, cc.cluster_selection_epsilon, cc.metric, cc.fit_windows,
                 outlier_scores=False, seed=seed, w=W, stride=d['stride'])
    tc = time.perf_counter() - t
    return {'size': size, 'seed': seed, 'scaling': scaling, 'fit_rows': info.get('fit_rows', info['n_rows']),
            'n_clusters': cl.n_clusters, 'noise': float(np.mean(cl.labels == -1)),
            'ari': float(adjusted_rand_score(d['labels'].astype(str), cl.labels)), 'seconds': tp + tc}


def report(rows):
    "The table: mean ± std over seeds for each size and scaling."
    def ms(v, f='.3f'): return f"{np.mean(v):{f}} ± {np.std(v):{f}}"
    out = ["| windows | stride | scaling | seeds | windows fitted | clusters | noise share | ARI vs regimes | "
           "ARI per seed | UMAP + HDBSCAN time |", "|---|---|---|---|---|---|---|---|---|---|"]
    for size in [s for s in SIZES if any(r['size'] == s for r in rows)]:
        for scaling in ('none', 'standard'):
            g = sorted((r for r in rows if r['size'] == size and r['scaling'] == scaling), key=lambda r: r['seed'])
            if not g: continue
            name = 'default demo (4,989)' if size == 'demo' else f"{int(size):,}"
            out.append(f"| {name} | {4 if size == 'demo' else 1} | {scaling} | {[r['seed'] for r in g]} | "
                       f"{ms([r['fit_rows'] for r in g], '.0f')} | {ms([r['n_clusters'] for r in g], '.1f')} | "
                       f"{ms([r['noise'] for r in g])} | {ms([r['ari'] for r in g])} | "
                       f"{', '.join(format(r['ari'], '.3f') for r in g)} | {ms([r['seconds'] for r in g], '.0f')} s |")
    return '\n'.join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sizes', nargs='+', default=['10000', '100000', 'demo'], choices=SIZES)
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    ap.add_argument('--cache', default='.cache/bench-thinning')
    ap.add_argument('--out', default='bench/results/layout_scaling.jsonl')
    ap.add_argument('--table', default='bench/results/layout_scaling.txt')
    ap.add_argument('--report', action='store_true', help='only print the table of --out')
    a = ap.parse_args()
    out, cache = Path(a.out), Path(a.cache)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = lambda: [json.loads(line) for line in out.read_text().splitlines() if line.strip()] if out.is_file() else []
    if not a.report:
        for size in a.sizes:
            d = data(size)
            for seed in a.seeds:
                emb = embeddings(d, size, seed, cache)
                for scaling in ('none', 'standard'):
                    if any((r['size'], r['seed'], r['scaling']) == (size, seed, scaling) for r in done()): continue
                    r = layout_row(d, emb, size, seed, scaling)
                    with out.open('a') as fh: fh.write(json.dumps(r) + '\n')
                    print(json.dumps(r), flush=True)
    table = report(done())
    print(table)
    Path(a.table).write_text("Measured with OMP_NUM_THREADS=2 .venv/bin/python bench/layout_scaling.py (see its "
                             f"docstring); rows in {out.name}. ARI of the clusters against each window's regime, "
                             "mean ± std over the seeds listed; 'standard' is the default (dr.scaling).\n\n"
                             + table + '\n')


if __name__ == '__main__':
    main()
