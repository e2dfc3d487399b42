"""Where the clusters' ARI against the demo's regimes goes, measured on a finished run of the stretched demo.

On a run folder kept by `bench/scale.py --keep` (the demo at stride 1, with `demo_truth.parquet`):
  1. the ARI of the run's clusters against the regimes, over the valid windows, as `bench/scale.py` reports it;
  2. regime 3's windows (one channel a square wave of period 200, one noisier: `dvats.demo.make_demo_series`) by
     cluster and by what the square wave does inside the window: all high, all low, rising or falling there;
  3. the ARI again with regime 3's clusters taken as one (each cluster belongs to the regime most of its windows have),
     and the ARI of a clustering whose only error is that split (every other window in its regime's cluster);
  4. the windows in a cluster of another regime, or in none (noise), and the share of them that hold a planted anomaly.
`--layouts` also fits UMAP again on the run's fitted windows (the same sample and scaling as the run's projection),
with 15, 30 or 50 neighbours and `min_dist` 0.1 or 0, seeds 0, 1, 2, clusters it as the run does (HDBSCAN, the default
sizes) and prints the ARI on those windows, mean ± std over the seeds.
Run:  OMP_NUM_THREADS=2 .venv/bin/python bench/regime_split.py RUN_FOLDER [RUN_FOLDER ...] [--layouts]
"""
import argparse, collections, warnings
from pathlib import Path
warnings.simplefilter('ignore')
import numpy as np, pandas as pd
from sklearn.metrics import adjusted_rand_score

from dvats.clustering import cluster
from dvats.config import load_config
from dvats.demo import demo_regime_channels
from dvats.dr import project
from dvats.windows import fit_sample

SQUARE_REGIME = 3
LAYOUTS = [(15, 0.1), (30, 0.1), (50, 0.1), (15, 0.0)]   # (n_neighbors, min_dist); the first is the default


def square_state(x:np.ndarray, starts:np.ndarray, w:int) -> np.ndarray:
    """What a square wave `x` does in each window: 'high', 'low', 'rising' or 'falling' (from the share of its steps
    above zero in the window and in the window's first half)."""
    up = np.r_[0, np.cumsum(x > 0)]
    share = (up[starts + w] - up[starts]) / w
    first = (up[starts + w // 2] - up[starts]) / (w // 2)
    step = np.where(first < share, 'rising', 'falling')
    return np.where(share > 0.97, 'high', np.where(share < 0.03, 'low', step))


def majority(labels:np.ndarray, clusters:np.ndarray) -> dict:
    "Each cluster's most common label (noise left out)."
    return {c: collections.Counter(labels[clusters == c]).most_common(1)[0][0] for c in np.unique(clusters) if c >= 0}


def split_report(run:Path) -> tuple:
    "Print items 1-4 for one run; return its valid windows' table and config."
    cfg = load_config(run / 'config.yaml')
    win = pd.read_parquet(run / 'windows.parquet')
    win = win[win.valid].reset_index(drop=True)
    lab, cl = win.label.astype(int).to_numpy(), win.cluster.to_numpy()
    print(f"\n{run.name}: {len(win):,} valid windows, {cl.max() + 1} clusters, ARI {adjusted_rand_score(lab, cl):.3f}")
    series = pd.read_parquet(run / 'demo_series.parquet')
    channel = demo_regime_channels(series.shape[1])[SQUARE_REGIME][0]
    r3 = lab == SQUARE_REGIME
    state = square_state(series[channel].to_numpy(), win.start.to_numpy()[r3], cfg.windows.w)
    print(f"regime {SQUARE_REGIME}'s windows by cluster and by what {channel} (the square wave) does in the window:")
    print(pd.crosstab(pd.Series(cl[r3], name='cluster'), pd.Series(state, name=channel)).to_string())
    owner = majority(lab, cl)
    own = np.array([owner.get(c, -9) for c in cl])
    square_clusters = [c for c, r in owner.items() if r == SQUARE_REGIME]
    merged = np.where(np.isin(cl, square_clusters), min(square_clusters), cl)
    split_only = np.where(r3 & np.isin(cl, square_clusters), 100 + cl, lab)
    print(f"ARI with regime {SQUARE_REGIME}'s {len(square_clusters)} cluster(s) as one: "
          f"{adjusted_rand_score(lab, merged):.3f}; with that split the only error: "
          f"{adjusted_rand_score(lab, split_only):.3f}")
    other, noise, anomalous = (cl >= 0) & (own != lab), cl < 0, win.has_anomaly.to_numpy()
    print(f"in another regime's cluster: {other.mean():.4f} of the windows ({anomalous[other].mean():.2f} of them "
          f"hold an anomaly); noise: {noise.mean():.4f} ({anomalous[noise].mean():.2f}); windows holding an anomaly: "
          f"{anomalous.mean():.3f}")
    return win, cfg


def layouts(run:Path, win:pd.DataFrame, cfg) -> None:
    "Print the fitted windows' ARI for each layout of `LAYOUTS`, seeds 0-2."
    emb = np.load(run / 'embeddings.npy', mmap_mode='r')
    regime = win.set_index('window').label.astype(int)
    for nn, md in LAYOUTS:
        aris = []
        for seed in (0, 1, 2):
            fit = fit_sample(win.window.to_numpy(), cfg.dr.fit_windows, seed, cfg.windows.w, cfg.windows.stride)
            y = project(np.asarray(emb[fit], np.float32), 'umap', 2, seed, scaling=cfg.dr.scaling, n_neighbors=nn,
                        min_dist=md)
            aris.append(adjusted_rand_score(regime.loc[fit].to_numpy(), cluster(y).labels))
        print(f"UMAP {nn} neighbours, min_dist {md}: ARI on the {len(fit):,} fitted windows "
              f"{np.mean(aris):.3f} ± {np.std(aris):.3f} ({', '.join(f'{a:.3f}' for a in aris)})", flush=True)


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('runs', nargs='+', type=Path)
    ap.add_argument('--layouts', action='store_true', help='also fit UMAP again with other neighbours and min_dist')
    a = ap.parse_args()
    for run in a.runs:
        win, cfg = split_report(run)
        if a.layouts: layouts(run, win, cfg)
