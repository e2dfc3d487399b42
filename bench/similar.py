"""'More like this' (`dvats.similar`): what the distinct-occurrence rule buys, what the search costs, exact against
pynndescent.

Data: the demo generator's series stretched to 100,047 steps, 100,000 windows of 48 steps at stride 1, embedded by the
budgeted encoder of `bench/scale_quality.py` (seed 0; cached in `--cache`, trained on first use: ~5 min on one thread).

1. Quality, on 500 query windows (seeded): the share of each query's 10 answers that overlap the query in time (trivial
   matches), that lie in the query's own stretch of the series (within 5 windows' length), and that are of the query's
   regime, for plain kNN on all windows and for `similar_table` (grid index, refined, distinct occurrences). The regime
   rate of random windows is the chance level.
2. Cost: `similar_table` for 10,000 and 100,000 query windows (exact search on the grid index, 4,167 windows here); one
   query as the Jupyter explorer asks it (`similar_windows`, median of 50); and the grid index searched by pynndescent
   instead of exactly (`exact_max=0`): time and the share of the exact answers it returns.
3. At 1,000,000 windows (timing only): the embeddings tiled ten times with small noise; the table for a 100,000-window
   sample (`similar.max_windows`), and one query.

Run: OMP_NUM_THREADS=1 .venv/bin/python bench/similar.py [--cache .cache/bench-scale]
"""
import argparse, sys, time, warnings
from pathlib import Path
from types import SimpleNamespace
warnings.simplefilter('ignore', FutureWarning)
import numpy as np, pandas as pd
sys.path.insert(0, str(Path(__file__).parent))


def quality(emb, labels, w, rng):
    "Trivial, same-stretch and same-regime rates of plain kNN against `similar_table`, on 500 queries."
    from dvats.similar import nearest, similar_table
    ok = np.isfinite(emb).all(1)
    q = np.sort(rng.choice(np.flatnonzero(ok), 500, replace=False))
    plain = nearest(emb, q, np.flatnonzero(ok), 11)[0][:, 1:]          # the query itself is its own nearest
    ours = similar_table(emb, w, 1, 10, q)[q]
    out = {}
    for name, ans in [('plain kNN', plain), ('similar_table', ours)]:
        d = np.abs(ans - q[:, None])
        have = ans >= 0
        out[name] = dict(trivial=float((d[have] < w).mean()), same_stretch=float((d[have] < 5 * w).mean()),
                         same_regime=float((labels[ans[have]]
                                            == np.broadcast_to(labels[q][:, None], ans.shape)[have]).mean()),
                         answers=float(have.sum(1).mean()))
    out['chance'] = dict(same_regime=float(np.mean([(labels[ok] == r).mean() ** 2 for r in np.unique(labels[ok])])
                                           * len(np.unique(labels[ok]))))
    return out


def timed(f, *a, **k):
    t = time.perf_counter(); r = f(*a, **k); return r, time.perf_counter() - t


def cost(emb, w):
    "Times of the table at 10k and 100k queries, of one live query, and pynndescent against exact."
    from dvats.similar import similar_table, similar_windows
    from dvats.config import Config
    n = len(emb)
    rows = {}
    t10, s10 = timed(similar_table, emb, w, 1, 10, np.arange(0, n, 10))
    rows['table, 10,000 queries (exact)'] = s10
    t100, s100 = timed(similar_table, emb, w, 1, 10)
    rows['table, 100,000 queries (exact)'] = s100
    cfg = Config(); cfg.windows.w, cfg.windows.stride = w, 1
    run = SimpleNamespace(embeddings=emb, windows=pd.DataFrame({'valid': np.isfinite(emb).all(1)}), config=cfg)
    live = [timed(similar_windows, run, int(i))[1] for i in np.linspace(0, n - 1, 50).astype(int)]
    rows['one query (similar_windows), median of 50'] = float(np.median(live))
    tq, sq = timed(similar_table, emb, w, 1, 10, np.arange(0, n, 10), exact_max=0)
    q = np.arange(0, n, 10)
    agree = np.mean([len(np.intersect1d(a[a >= 0], b[b >= 0])) / max(1, (b >= 0).sum()) for a, b in zip(tq[q], t10[q])])
    rows['table, 10,000 queries (pynndescent index)'] = sq
    return rows, float(agree)


def at_million(emb, w, rng):
    """Timing at 1,000,000 windows: the embeddings tiled ten times with noise; a 100,000-window sample of queries, and
    one query."""
    from dvats.similar import similar_table, index_ids
    from dvats.windows import sample_windows
    big = np.concatenate([emb + rng.normal(0, 1e-3, emb.shape).astype(np.float32) for _ in range(10)])
    q = sample_windows(np.ones(len(big), bool), 100_000, 0)
    _, s = timed(similar_table, big, w, 1, 10, q)
    _, s1 = timed(similar_table, big, w, 1, 10, q[:1])
    return {'index windows': len(index_ids(np.ones(len(big), bool), w, 1)), 'table, 100,000 sampled queries': s,
            'one query': s1}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--cache', default='.cache/bench-scale')
    a = ap.parse_args()
    import scale_quality as sq
    d = sq.data()
    _, emb, _ = sq.encoder(d, 4096, 0, Path(a.cache))
    emb = np.asarray(emb, np.float32)
    rng = np.random.default_rng(0)
    print(f"{len(emb):,} windows, w = {sq.W}, stride 1, embeddings {emb.shape[1]} wide (budgeted encoder, seed 0)\n")
    print("1. quality on 500 queries (seed 0): share of the 10 answers")
    qa = quality(emb, d['labels'], sq.W, rng)
    print(pd.DataFrame(qa).T.to_string(float_format='{:.3f}'.format), '\n')
    print("2. cost (seconds)")
    rows, agree = cost(emb, sq.W)
    for k, v in rows.items(): print(f"   {k:45s} {v:8.3f}")
    print(f"   pynndescent index: {agree:.3f} of the exact answers returned\n")
    print("3. at 1,000,000 windows (embeddings tiled, timing only)")
    for k, v in at_million(emb, sq.W, rng).items():
        print(f"   {k:45s} {v:8.3f}" if isinstance(v, float) else f"   {k:45s} {v:,}")


if __name__ == '__main__':
    main()
