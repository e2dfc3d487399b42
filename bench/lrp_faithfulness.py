"""How good is each relevance method, over seeds: faithfulness (SRG, Blücher, Vielhaben & Strodthoff 2024), stability,
conservation (of the embedding and of the contrast) and the planted truth, per anomaly kind and per contrast reference.

Data: for each seed s, `make_demo_series(seed=s)` (its own regimes and planted spikes, level shifts and frequency
bursts), windows w=48, stride 4; the default encoder trained with seed s (`train_encoder`, default `EncoderConfig`),
cached in runs/bench-lrp/seed<s>/ so that a second run only evaluates. Everything runs on `torch` threads = 2.
Methods: the LRP composites EpsilonPlus, SpreadPlus, Spread and EpsilonPlusFlat, gradient × input and
integrated gradients (32 steps).
Measures (`dvats.lrp.evaluate.evaluate_explanations`, one row per method and seed):
  srg_<target>_<occlusion>           SRG on the first 64 of 128 sampled windows, target the embedding (scalar Σe, or its
                                     move)
  contrast_srg_<target>_<occlusion>  the same on 64 windows of the planted selections, target their contrast with the
                                     default reference
  ratio_p99, ratio_max, ulp_move_max stability: Σ|R| / |ΣR| per window; largest cell move under a 1-ulp input change /
                                     max |R|
  conservation_*, contrast_conservation_*   Σ relevance / the explained scalar, p5 and p95
  <kind>_top1_contrast[_<reference>] planted channel ranked first, per kind, per reference (default reference
                                     unsuffixed)
  s_per_1000                          seconds per 1,000 windows (relevance only)

Run:   OMP_NUM_THREADS=2 python bench/lrp_faithfulness.py run --seeds 0 1 2 [--out runs/bench-lrp/results.csv]
Table: python bench/lrp_faithfulness.py table bench/results/lrp_faithfulness/results.csv [--markdown]
Rows are appended per seed; a seed already in the CSV is skipped.
"""
import argparse, sys, time, warnings
from pathlib import Path
warnings.simplefilter('ignore', FutureWarning)
import numpy as np, pandas as pd, torch
sys.path.insert(0, str(Path(__file__).parent))

W, STRIDE = 48, 4
METHODS = [('lrp', 'EpsilonPlus'), ('lrp', 'SpreadPlus'), ('lrp', 'Spread'), ('lrp', 'EpsilonPlusFlat'),
           ('gradient_x_input', None), ('integrated_gradients', None)]
TABLE = ['srg_scalar_zero', 'srg_scalar_mean', 'srg_move_zero', 'srg_move_mean',
         'contrast_srg_scalar_zero', 'contrast_srg_scalar_mean', 'contrast_srg_move_zero', 'contrast_srg_move_mean',
         'ratio_p99', 'ratio_max', 'ulp_move_max', 'conservation_p5', 'conservation_p95',
         'contrast_conservation_p5', 'contrast_conservation_p95', 's_per_1000']


def encoder_for(seed, root):
    "The default encoder for the demo series of `seed`, trained once and kept in `root/seed<seed>`."
    from _encoder import cached_encoder
    from dvats.demo import make_demo_series
    from dvats.embeddings import get_embeddings
    series, truth = make_demo_series(seed=seed)
    enc, wins, valid = cached_encoder(series, seed, Path(root)/f'seed{seed}', W, STRIDE, f"seed {seed}")
    return enc, wins, valid, truth, get_embeddings(enc, wins, valid, progress=False)


def run(seeds, out):
    from dvats.lrp.evaluate import evaluate_explanations, truth_selections
    from dvats.lrp.attribution import REFERENCES, DEFAULT_REFERENCE
    torch.set_num_threads(int(__import__('os').environ.get('DVATS_BENCH_THREADS', 2)))
    out = Path(out); out.parent.mkdir(parents=True, exist_ok=True)
    done = set(pd.read_csv(out).seed) if out.is_file() else set()
    for seed in seeds:
        if seed in done: print(f"seed {seed}: already in {out}"); continue
        enc, wins, valid, truth, emb = encoder_for(seed, out.parent)
        sels = truth_selections(truth, len(wins), W, STRIDE, valid, seed=seed)
        t = time.perf_counter()
        ev = evaluate_explanations(enc, wins, valid, emb, METHODS, sels, seed=seed, reference=DEFAULT_REFERENCE,
                                   stride=STRIDE, n_faithful=64,
                                   other_references=[r for r in REFERENCES if r != DEFAULT_REFERENCE], progress=False)
        ev.insert(0, 'seed', seed)
        ev.to_csv(out, mode='a', header=not out.is_file(), index=False)
        print(f"seed {seed}: evaluated in {time.perf_counter() - t:.0f} s -> {out}", flush=True)


def table(paths, markdown=False):
    "Mean ± std over seeds of each measure, per method."
    from dvats.lrp.attribution import REFERENCES, DEFAULT_REFERENCE
    df = pd.concat([pd.read_csv(p) for p in paths])
    df['name'] = np.where(df.method == 'lrp', df.composite.fillna(''), df.method)
    kinds = ('spike', 'level_shift', 'frequency', 'regime')
    truth = [f'{k}_top1_contrast' + ('' if r == DEFAULT_REFERENCE else f'_{r}') for k in kinds for r in REFERENCES]
    cols = [c for c in TABLE + truth if c in df]
    g = df.groupby('name', sort=False)[cols]
    fmt = lambda m, s: f"{m:.3f} ± {s:.3f}"
    res = pd.DataFrame({c: [fmt(m, s) for m, s in zip(g.mean()[c], g.std(ddof=0)[c])] for c in cols},
                       index=g.mean().index).T
    res.columns.name = f"{df.seed.nunique()} seeds ({', '.join(map(str, sorted(df.seed.unique())))})"
    print(res.to_markdown() if markdown else res.to_string())


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('run'); r.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    r.add_argument('--out', default='runs/bench-lrp/results.csv')
    t = sub.add_parser('table'); t.add_argument('paths', nargs='+'); t.add_argument('--markdown', action='store_true')
    a = p.parse_args()
    run(a.seeds, a.out) if a.cmd == 'run' else table(a.paths, a.markdown)
