"""What the long-series shortcuts cost in quality at 100,000 windows: each shortcut beside the full computation, on the
same data.

The data is the demo generator's series stretched to 100,047 steps (6 channels, four regimes, planted anomalies), cut
into 100,000 windows of 48 steps at stride 1. For each seed:

1. encoder: trained with the default budget (`encoder.epoch_windows`, 4,096 windows per epoch) and with every training
   window every epoch (`epoch_windows: null`, the full computation; it takes ~20x longer, so it runs for the seeds in
   `--full-seeds` only). Measured: training time, the MVP loss on one fixed set of 4,096 validation windows with fixed
   masks (the same for every encoder), and the regime probes of `dvats.quality.probe_accuracy` (linear and 5-NN, five
   time-blocked folds) on every 20th window.
2. projection and clusters, on one encoder's embeddings: UMAP fitted on all windows against UMAP fitted on 20,000
   (`dr.fit_windows`) with the rest placed by `transform`; HDBSCAN fitted on all against fitted on 20,000 with the rest
   by `approximate_predict` (`clustering.fit_windows`). Measured: time, the share of each window's 15 nearest
   neighbours in embedding space kept among its 15 nearest in the layout (2,000 query windows, exact), ARI against the
   regimes, and the ARI between the full and the sampled clusters.
   Neighbourhoods are measured at two scales: among every 25th window (4,000 windows that overlap their neighbours by
   23 of 48 steps, so a window's nearest neighbours are mostly its neighbours in time) and among every 48th (2,084
   windows that share no step: the neighbours are other stretches of the series).
3. anomaly: per-step AUC-PR of the default detector (memory bank) on the planted anomalies, from each encoder's
   embeddings.
4. relevance (seed 0): relevance of all windows against that of the 20,000-window sample (`lrp.max_windows`) for each
   regime and each cluster as the selection: the largest difference of a channel's share, and whether the top channel is
   the same.

Results go to `--out` (one JSON line per measurement; cached encoders and embeddings under `--cache`), and the tables
are printed at the end.
Run: OMP_NUM_THREADS=1 .venv/bin/python bench/scale_quality.py [--seeds 0 1 2] [--full-seeds 0] [--layout-seeds 0]
"""
import argparse, json, math, time, warnings
from pathlib import Path
warnings.simplefilter('ignore', FutureWarning)
import numpy as np

N, W = 100_000, 48


def data():
    "The stretched demo series: windows, validity, per-window regimes, per-step anomaly flags, stats, channels."
    from dvats.demo import make_demo_series
    from dvats.windows import sliding_windows, window_validity, window_labels, channel_stats
    s, truth = make_demo_series(n_steps=N + W - 1)
    v = np.ascontiguousarray(s.to_numpy(np.float32))
    return dict(wins=sliding_windows(v, W, 1), valid=window_validity(v, W, 1),
                labels=window_labels(truth.regime.to_numpy(), W, 1),
                flags=truth.anomaly.to_numpy(bool), stats=channel_stats(v), channels=list(s.columns), n_steps=len(v))


def common_loss(enc, d):
    "MVP's masked loss on 4,096 fixed validation windows with fixed masks: the same yardstick for every encoder."
    import torch
    from tsai.callback.MVP import create_mask
    from dvats.embeddings import time_split, cut_batch, seeded
    from dvats.objectives import _masked_mse
    va = time_split(d['valid'], W, 1, 0.2)[1]
    ids = va[np.linspace(0, len(va) - 1, 4096).round().astype(int)]
    tot = cnt = 0.
    with torch.inference_mode(), seeded(12345):
        for b in np.array_split(ids, 8):
            x = cut_batch(d['wins'], b, enc.spec['stats'])
            m = create_mask(x, r=.15, lm=3., stateful=True, sync=False, subsequence_mask=True)
            tot += _masked_mse(enc.model.eval(), x, m).item() * int(m.sum()); cnt += int(m.sum())
    return tot / cnt


def encoder(d, budget, seed, cache):
    "(encoder, embeddings, seconds to train) for a budget and seed, cached."
    from dvats.config import EncoderConfig
    from dvats.embeddings import train_encoder, save_encoder, load_encoder, get_embeddings
    f = cache / f"enc_{budget or 'full'}_s{seed}"
    if (f / 'encoder.pt').is_file():
        enc, secs = load_encoder(f), json.loads((f / 'secs.json').read_text())
    else:
        t = time.perf_counter()
        enc = train_encoder(d['wins'], d['valid'], EncoderConfig(epoch_windows=budget), d['stats'], d['channels'], seed,
                            log=None)
        secs = time.perf_counter() - t
        f.mkdir(parents=True, exist_ok=True); save_encoder(enc, f); (f / 'secs.json').write_text(json.dumps(secs))
    if not (f / 'emb.npy').is_file(): np.save(f / 'emb.npy', get_embeddings(enc, d['wins'], d['valid'], progress=False))
    return enc, np.load(f / 'emb.npy'), secs


def encoder_row(d, budget, seed, cache):
    from dvats.quality import probe_accuracy, blocked_splits
    enc, emb, secs = encoder(d, budget, seed, cache)
    every = np.arange(0, N, 20)
    probe = probe_accuracy(emb[every], d['labels'][every], blocked_splits(len(every), 5, gap=math.ceil(W / 20)))
    return {'part': 'encoder', 'budget': budget, 'seed': seed, 'train_s': secs, 'loss': common_loss(enc, d),
            'epochs_run': enc.spec['training']['epochs_run'], 'probe_linear': probe['linear'],
            'probe_knn': probe['knn'],
            'auc_pr': anomaly_auc(emb, d, seed)}


def anomaly_auc(emb, d, seed):
    "Per-step AUC-PR of the default detector (memory bank, lower-quartile aggregation) on the planted anomalies."
    from dvats.anomaly import window_scores, step_scores
    from dvats.detection import detection_scores
    s = step_scores(window_scores(emb, seed=seed), d['n_steps'], W, 1, 'lower_quartile')
    return detection_scores(s, d['flags'], buffer=W)['auc_pr']


def knn_kept(emb, layout, rows, k=15):
    """Mean share of each of `rows`' k nearest neighbours among `rows` in embedding space that are among its k nearest
    in the layout."""
    from sklearn.neighbors import NearestNeighbors
    a = NearestNeighbors(n_neighbors=k + 1).fit(emb[rows]).kneighbors(emb[rows], return_distance=False)[:, 1:]
    b = NearestNeighbors(n_neighbors=k + 1).fit(layout[rows]).kneighbors(layout[rows], return_distance=False)[:, 1:]
    return float(np.mean([len(np.intersect1d(x, y)) / k for x, y in zip(a, b)]))


def layout_rows(d, budget, seed, cache, both=True):
    "UMAP + HDBSCAN fitted on all windows, and on 20,000 with the rest placed / predicted, on one encoder's embeddings."
    from sklearn.metrics import adjusted_rand_score
    from dvats.dr import project
    from dvats.clustering import cluster
    _, emb, _ = encoder(d, budget, seed, cache)
    lab = d['labels'].astype(str)
    rows, clusters = [], {}
    for name, fit in [('full', None), ('sampled', 20_000)][0 if both else 1:]:
        f = cache / f"layout_{budget or 'full'}_s{seed}_{name}.npy"
        t = time.perf_counter()
        if f.is_file(): y, ty = np.load(f), json.loads(f.with_suffix('.json').read_text())
        else:
            y = project(emb, 'umap', seed=seed, fit_windows=fit); ty = time.perf_counter() - t
            np.save(f, y); f.with_suffix('.json').write_text(json.dumps(ty))
        t = time.perf_counter(); cl = cluster(y, fit_windows=fit, outlier_scores=False, seed=seed)
        tc = time.perf_counter() - t
        clusters[name] = cl.labels
        rows.append({'part': 'layout', 'budget': budget, 'seed': seed, 'fit': name, 'umap_s': ty, 'hdbscan_s': tc,
                     'knn_kept_overlapping': knn_kept(emb, y, np.arange(N)[::25]),
                     'knn_kept_distinct': knn_kept(emb, y, np.arange(N)[::W]),
                     'n_clusters': cl.n_clusters, 'noise': float(np.mean(cl.labels == -1)),
                     'ari': float(adjusted_rand_score(lab, cl.labels))})
    if both: rows[-1]['ari_vs_full'] = float(adjusted_rand_score(clusters['full'], clusters['sampled']))
    return rows, clusters['sampled']


def relevance_rows(d, budget, seed, cache, clusters):
    "Channel shares of each regime and cluster from all windows' relevance and from the 20,000-window sample's."
    from dvats.lrp.attribution import relevance
    from dvats.explain import channel_sums, channel_table
    from dvats.windows import sample_windows
    enc, _, _ = encoder(d, budget, seed, cache)
    f = cache / f"sums_{budget or 'full'}_s{seed}.npy"
    if not f.is_file():
        sums = np.empty((N, len(d['channels']), 2), np.float32)
        for a in range(0, N, 10_000):
            ids = np.arange(a, min(N, a + 10_000))
            sums[ids] = channel_sums(relevance(enc, d['wins'], d['valid'], ids=ids, progress=False))
        np.save(f, sums)
    sums = np.load(f)
    sample = np.zeros(N, bool); sample[sample_windows(d['valid'], 20_000, seed)] = True
    rows = []
    sels = [(f"regime {r}", d['labels'] == r) for r in sorted(set(d['labels']) - {None})]
    sels += [(f"cluster {k}", clusters == k) for k in sorted(set(clusters.tolist()) - {-1, -2})]
    for name, m in sels:
        full = channel_table(sums[m], d['channels']).set_index('channel')
        part = channel_table(sums[m & sample], d['channels']).set_index('channel').loc[full.index]
        rows.append({'part': 'relevance', 'seed': seed, 'selection': name, 'windows': int(m.sum()),
                     'sampled': int((m & sample).sum()),
                     'max_share_diff': float(np.abs(full.share - part.share).max()),
                     'same_top': bool(full.share.idxmax() == part.share.idxmax())})
    return rows


def report(rows):
    "Print the tables: mean and spread over seeds."
    def ms(v):
        v = [x for x in v if x is not None]; return f"{np.mean(v):.3f} ± {np.std(v):.3f} (n={len(v)})" if v else '–'
    enc = [r for r in rows if r['part'] == 'encoder']
    print("\n## Encoder: budgeted (4,096 windows per epoch) against every window every epoch, 100,000 windows")
    print("| training | seeds | train time | common validation loss | linear probe | 5-NN probe | "
          "anomaly AUC-PR |\n|---|---|---|---|---|---|---|")
    for b in sorted({r['budget'] for r in enc}, key=lambda x: x or 1e12):
        g = [r for r in enc if r['budget'] == b]
        print(f"| {'budget ' + format(b, ',') if b else 'full'} | {[r['seed'] for r in g]} | "
              f"{ms([r['train_s'] for r in g])} s | {ms([r['loss'] for r in g])} | "
              f"{ms([r['probe_linear'] for r in g])} | {ms([r['probe_knn'] for r in g])} | "
              f"{ms([r['auc_pr'] for r in g])} |")
    lay = [r for r in rows if r['part'] == 'layout']
    print("\n## Projection and clusters: fitted on all 100,000 windows against fitted on 20,000 "
          "(the rest placed / predicted)")
    print("| fit | encoder | seeds | UMAP time | HDBSCAN time | 15-NN kept, overlapping windows | "
          "15-NN kept, distinct windows | clusters | noise | ARI vs regimes | ARI vs full fit |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|")
    for b in sorted({r['budget'] for r in lay}, key=lambda x: x or 1e12):
        for fit in ('full', 'sampled'):
            g = [r for r in lay if r['fit'] == fit and r['budget'] == b]
            if g:
                print(f"| {fit} | {'budget' if b else 'full'} | {[r['seed'] for r in g]} | "
                      f"{ms([r['umap_s'] for r in g])} s | {ms([r['hdbscan_s'] for r in g])} s | "
                      f"{ms([r['knn_kept_overlapping'] for r in g])} | {ms([r['knn_kept_distinct'] for r in g])} | "
                      f"{ms([r['n_clusters'] for r in g])} | {ms([r['noise'] for r in g])} | "
                      f"{ms([r['ari'] for r in g])} | {ms([r.get('ari_vs_full') for r in g])} |")
    rel = [r for r in rows if r['part'] == 'relevance']
    if rel:
        print("\n## Relevance: channel shares of a selection from the 20,000-window sample "
              "against from all its windows")
        print("| selection | seed | windows | in the sample | largest share difference | "
              "same top channel |\n|---|---|---|---|---|---|")
        for r in rel:
            print(f"| {r['selection']} | {r['seed']} | {r['windows']:,} | {r['sampled']:,} | "
                  f"{r['max_share_diff']:.4f} | {r['same_top']} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    ap.add_argument('--full-seeds', type=int, nargs='*', default=[0])
    ap.add_argument('--layout-seeds', type=int, nargs='*', default=[0],
                    help='seeds of the budgeted encoder whose embeddings are also projected and clustered with a full '
                         'fit (it takes ~16 min on one core at 100k); '
                         'the others, and the full encoder, only with the sampled fit')
    ap.add_argument('--cache', default='.cache/bench-scale')
    ap.add_argument('--out', default='bench/results/scale/quality.jsonl')
    ap.add_argument('--report', action='store_true', help='only print the tables of --out')
    a = ap.parse_args()
    out, cache = Path(a.out), Path(a.cache)
    out.parent.mkdir(parents=True, exist_ok=True); cache.mkdir(parents=True, exist_ok=True)
    if not a.report:
        d = data()
        done = [json.loads(line) for line in out.read_text().splitlines() if line.strip()] if out.is_file() else []
        have = lambda part, budget, seed: any(r['part'] == part and r.get('budget') == budget and r['seed'] == seed
                                              for r in done)
        def keep(*rs):
            with out.open('a') as fh:
                for r in rs: fh.write(json.dumps(r) + '\n'); print(json.dumps(r), flush=True)
        for budget, seeds in [(None, a.full_seeds), (4096, a.seeds)]:
            for s in seeds:
                if not have('encoder', budget, s): keep(encoder_row(d, budget, s, cache))
                if not have('layout', budget, s):
                    rows, clusters = layout_rows(d, budget, s, cache, both=bool(budget) and s in a.layout_seeds)
                    keep(*rows)
                    if budget and s == a.seeds[0] and not any(r['part'] == 'relevance' for r in done):
                        keep(*relevance_rows(d, budget, s, cache, clusters))
    report([json.loads(line) for line in out.read_text().splitlines() if line.strip()])


if __name__ == '__main__':
    main()
