"""What a smaller explanation sample (`lrp.max_windows`) costs the answers users see, measured on a finished run.

A run computes the relevance, and from the same windows the contrast basis, for a sample of the valid windows
stratified in time; the page answers a selection from the sample windows inside it. On a run folder kept by
`bench/scale.py --keep` (the stretched demo at stride 1, with its planted truth), the sample is thinned by keeping every
k-th of its rows in time (as a sample of 1/k the size, stratified in time, would be), and each thinning answers the
same selections as the whole sample.

Selections: those of `bench/contrast.py` (`selections`, here at stride 1): each planted event's windows (`any`: every
window touching it; `half`: overlapping at least half of it), whole regime clusters, lassos of 40% of a cluster in the
layout, and 32 windows scattered inside one regime (away from the events); three draws of the lassos and the scattered
windows (seeds 0, 1, 2), each with its own offset of the thinning.
Measured per selection type and sample size:
  rows in sel   the median number of the selection's windows in the sample
  no answer     the share of selections with no window in the sample (the page says so; Python explains on demand)
  top1          the page's contrast answer (`basis_contrast`, reference 'auto') ranks the planted channel (an event's,
                or one of the regime's two) first, among the answered selections
  distinct      the share of selections the page calls distinct
  share diff    the largest difference of a channel's share of the page's importances (|relevance| summed over the
                selection's sample windows) from the whole sample's, the largest over the selections
  same top      the importances' top channel equals the whole sample's
The last lines: top-1 per sample size, mean ± std over the three seeds.
Run:  OMP_NUM_THREADS=2 .venv/bin/python bench/explain_sample.py RUN_FOLDER [--keep 1 2 4]
"""
import argparse, sys, time, warnings
from pathlib import Path
warnings.simplefilter('ignore')
import numpy as np, pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import contrast as bench_contrast   # bench/contrast.py: the selection types


def shares(cr, m):
    "Each channel's share of |relevance| over the rows `m` of the per-window channel sums `cr` (NaN when none)."
    return cr[m].sum(0) / cr[m].sum() if m.any() else np.full(cr.shape[1], np.nan)


def measure(res, truth, keep, seed):
    "One row per selection of `seed`, with the sample thinned to every `keep`-th of its rows."
    from dvats.explain import basis_contrast
    from dvats.errors import DvatsError
    full, cr_all = res._full_basis, res.channel_relevance[:, :, 1]
    rows = np.flatnonzero(np.isfinite(full[:, 0, 0]))
    kept_rows = rows[seed % keep::keep]
    basis = np.full_like(full, np.nan); basis[kept_rows] = full[kept_rows]
    res.contrast_basis = basis
    if hasattr(res, '_contrast_nulls'): del res._contrast_nulls      # the null is of the basis: computed again
    kept = np.zeros(len(full), bool); kept[kept_rows] = True
    out = []
    for kind, how, ids, channels in bench_contrast.selections(res, truth, np.random.default_rng(seed)):
        try:
            ex = basis_contrast(res, ids, 'auto')
            top1, distinct = float(ex.table.channel.iloc[0] in channels), float(ex.distinct)
        except DvatsError: top1 = distinct = np.nan                   # no window of the selection in the sample
        cr = cr_all[ids]; inside = np.isfinite(cr[:, 0])
        whole, thinned = shares(cr, inside), shares(cr, inside & kept[ids])
        out.append(dict(seed=seed, sample=len(kept_rows), type=f'{kind}/{how}', rows_in=int(kept[ids].sum()),
                        top1=top1, distinct=distinct, share_diff=float(np.abs(whole - thinned).max()),
                        same_top=float(whole.argmax() == thinned.argmax()) if np.isfinite(thinned).all() else np.nan))
    return out


def table(df):
    g = df.groupby(['type', 'sample'])
    by_type = pd.DataFrame({'selections': g.size(), 'rows in sel': g.rows_in.median(),
                            'no answer': g.top1.apply(lambda s: s.isna().mean()), 'top1': g.top1.mean(),
                            'distinct': g.distinct.mean(), 'share diff': g.share_diff.max(),
                            'same top': g.same_top.mean()})
    per_seed = df.groupby(['sample', 'seed']).top1.mean().groupby('sample').agg(['mean', 'std'])
    return by_type.round(2).to_string() + '\n\ntop-1 over all answered selections, mean ± std over seeds:\n' + \
        '\n'.join(f'  sample {s:>7,}: {r["mean"]:.3f} ± {r["std"]:.3f}' for s, r in per_seed.iterrows())


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('run', help='a run folder kept by bench/scale.py --keep (stride 1, with demo_truth.parquet)')
    ap.add_argument('--keep', type=int, nargs='+', default=[1, 2, 4], help='thinnings: every k-th sample row')
    a = ap.parse_args()
    from dvats.result import load_result
    res = load_result(a.run)
    bench_contrast.STRIDE = res.config.windows.stride
    assert res.config.windows.w == bench_contrast.W, 'the selections assume w 48'
    truth = pd.read_parquet(Path(a.run) / 'demo_truth.parquet')
    res._full_basis = res.contrast_basis.copy()
    n_sample = int(np.isfinite(res._full_basis[:, 0, 0]).sum())
    print(f'{a.run}: {int(res.windows.valid.sum()):,} valid windows, relevance and contrast basis for {n_sample:,}')
    rows = []
    for seed in (0, 1, 2):
        for k in a.keep:
            t = time.time(); rows += measure(res, truth, k, seed)
            print(f'  seed {seed}, every {k}. sample row: {time.time() - t:.0f} s', flush=True)
    print(table(pd.DataFrame(rows)))
