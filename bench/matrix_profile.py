"""The matrix-profile lens (`dvats.matrix_profile`): which profile finds the demo's anomalies, and where it stops
scaling.

1. Detection: on the demo series (seeds 0, 1, 2; `--steps` steps, 6 channels, w = 48, stride 4), the per-step AUC-PR and
   ROC-AUC of stumpy's multidimensional profile over all channels at every step, with z-normalised subsequences
   (`normalize=True`, stumpy's default: shape only) and without (`normalize=False`: channel-standardised values, so
   level counts), and of `window_profile`, the same distance among the windows only (every `stride` steps: dvats'
   default, `matrix_profile.resolution: windows`), all aggregated to steps by the run's default rule, each with its
   time. The embedding score on the same data is in a demo run's metrics.json.
2. Time: `matrix_profile` at 2,500 to 20,000 steps × 6 channels (normalize=False, dvats' choice; and normalize=True),
   after a warm-up call that compiles stumpy's numba code; numba's threads as set by NUMBA_NUM_THREADS; and
   `window_profile` at stride 4 (BLAS threads as set by OMP_NUM_THREADS).
   The time grows with the square of the steps: the fitted per-core rate gives `estimated_seconds`, which the stage
   uses to refuse a series above `matrix_profile.max_steps` with the time it would take.

Run: NUMBA_NUM_THREADS=1 OMP_NUM_THREADS=1 .venv/bin/python bench/matrix_profile.py [--steps 10000]
"""
import argparse, time, warnings
warnings.simplefilter('ignore', FutureWarning)
import numpy as np


PROFILES = ('every step, normalize=True', 'every step, normalize=False', 'among the windows, normalize=False')


def detection(steps, seeds, w=48, stride=4):
    from dvats.demo import make_demo_series
    from dvats.matrix_profile import matrix_profile, window_profile
    from dvats.anomaly import step_scores, DEFAULT_AGGREGATION
    from dvats.detection import detection_scores
    rows = []
    for seed in seeds:
        s, truth = make_demo_series(n_steps=steps, seed=seed)
        flags, n = truth.anomaly.to_numpy(bool), len(s)
        for name in PROFILES:
            t = time.perf_counter()
            if name.startswith('every'):
                p = matrix_profile(s.to_numpy(), w, normalize=name.endswith('True'))[np.arange(0, n - w + 1, stride)]
            else: p = window_profile(s.to_numpy(), w, stride)      # dvats' default (matrix_profile.resolution: windows)
            dt = time.perf_counter() - t
            d = detection_scores(step_scores(p, n, w, stride, DEFAULT_AGGREGATION), flags, buffer=w)
            rows.append((seed, name, d['auc_pr'], d['roc_auc'], dt))
            print(f"   seed {seed}  {name:36s} AUC-PR {d['auc_pr']:.3f}  ROC-AUC {d['roc_auc']:.3f}  ({dt:.1f} s)",
                  flush=True)
    for name in PROFILES:
        a, r, t = (np.array([row[k] for row in rows if row[1] == name]) for k in (2, 3, 4))
        print(f"   {name:36s}: AUC-PR {a.mean():.3f} ± {a.std():.3f}, ROC-AUC {r.mean():.3f} ± {r.std():.3f}, "
              f"{t.mean():.1f} s, over seeds {list(seeds)}")


def timing(sizes, c=6, w=48):
    from dvats.matrix_profile import matrix_profile, estimated_seconds
    rng = np.random.default_rng(0)
    for norm in (False, True):
        matrix_profile(rng.normal(size=(500, c)), w, normalize=norm)           # compile
        for n in sizes:
            x = np.cumsum(rng.normal(size=(n, c)), 0)
            t = time.perf_counter(); matrix_profile(x, w, normalize=norm); dt = time.perf_counter() - t
            print(f"   normalize={norm!s:5} {n:7,} steps × {c}: {dt:7.1f} s   (estimated_seconds: "
                  f"{estimated_seconds(n, c, norm):7.1f} s; "
                  f"rate {dt / (c * n * n):.2e} s per channel·step²)", flush=True)
    from dvats.matrix_profile import window_profile
    for n in sizes:
        x = np.cumsum(rng.normal(size=(n, c)), 0)
        t = time.perf_counter(); window_profile(x, w, 4); dt = time.perf_counter() - t
        print(f"   windows, stride 4 {n:7,} steps × {c}: {dt:7.2f} s   (estimated_seconds: "
              f"{estimated_seconds(n, c, stride=4, w=w):7.2f} s; "
              f"rate {dt / (c * w * (n / 4) ** 2):.2e} s per channel·step·window²)", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--steps', type=int, default=10_000)
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    ap.add_argument('--sizes', type=int, nargs='+', default=[2500, 5000, 10_000, 20_000])
    a = ap.parse_args()
    print(f"1. detection on the demo, {a.steps:,} steps")
    detection(a.steps, a.seeds)
    print("2. time")
    timing(a.sizes)


if __name__ == '__main__':
    main()
