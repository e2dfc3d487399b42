"""The cold demo, before and after issue 28's levers, side by side in one run: stage times, wall time and quality.

Each (seed, variant) is a new `dvats demo` process writing a new run folder, with an empty numba cache (NUMBA_CACHE_DIR
in a new temporary folder), so every run compiles what a new machine compiles: cold, install excluded. Variants:
  before  the demo as it was: UMAP's neighbours by NN-descent (`dr.neighbours: nndescent`, compiled in every process)
          and the matrix profile at every step (`matrix_profile.resolution: steps`, stumpy's mstump)
  after   today's defaults: exact neighbours handed to UMAP, the matrix profile among the run's windows
Everything else is the same config, so the encoder and the embeddings must be byte-identical (checked: the levers do not
touch them, which is why the embedding-quality harness's separation z and the bank's AUC-PR cannot move).
Quality per run: HDBSCAN's ARI against the regimes (metrics.json), the bank score's per-step AUC-PR, the matrix
profile's.

Run: .venv/bin/python bench/demo.py [--seeds 0 1 2] [--out runs/bench-demo]
     (on a quiet machine; torch's default threads)
"""
import argparse, hashlib, json, os, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = {'before': {'dr': {'neighbours': 'nndescent'}, 'matrix_profile': {'resolution': 'steps'}}, 'after': {}}
STAGES = ('encoder', 'embeddings', 'projection', 'similar', 'clusters', 'matrix-profile', 'relevance')


def one(variant:str, seed:int, out:Path) -> dict:
    "One cold `dvats demo` in a new process: its wall time, stage times and quality."
    import yaml
    folder = out / f'{variant}-seed{seed}'
    subprocess.run(['rm', '-rf', str(folder)], check=True)
    folder.mkdir(parents=True)
    cfg = folder.parent / f'{variant}-seed{seed}.yaml'
    cfg.write_text(yaml.safe_dump(VARIANTS[variant]))
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, 'NUMBA_CACHE_DIR': cache}
        t = time.perf_counter()
        r = subprocess.run([str(ROOT / '.venv' / 'bin' / 'dvats'), 'demo', '--out', str(folder), '--config', str(cfg),
                            '--seed', str(seed)],
                           env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t
    if r.returncode: sys.exit(f'{variant} seed {seed} failed:\n{r.stderr[-2000:]}')
    m = json.loads((folder / 'metrics.json').read_text())
    a = m['anomaly']
    return dict(variant=variant, seed=seed, wall=wall, **{s: m['timings'].get(s, 0.) for s in STAGES},
                ari=m['clustering']['ari'], bank_auc_pr=a[a['method']]['auc_pr'],
                mp_auc_pr=a['matrix_profile']['auc_pr'],
                emb_sha=hashlib.sha256((folder / 'embeddings.npy').read_bytes()).hexdigest()[:16])


def ms(v) -> str: return f'{np.mean(v):7.2f} ± {np.std(v):5.2f}'


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    ap.add_argument('--out', type=Path, default=ROOT / 'runs' / 'bench-demo')
    a = ap.parse_args()
    rows = []
    for seed in a.seeds:
        for variant in VARIANTS:                      # interleaved, so that a change in the machine's load hits both
            rows.append(one(variant, seed, a.out))
            r = rows[-1]
            print(f"{variant:6s} seed {seed}: {r['wall']:6.1f} s wall; " + ', '.join(f'{s} {r[s]:.1f}' for s in STAGES)
                  + f"; ARI {r['ari']:.3f}, AUC-PR bank {r['bank_auc_pr']:.3f}, matrix profile {r['mp_auc_pr']:.3f}",
                  flush=True)
    print(f"\ncold `dvats demo`, mean ± sd over seeds {a.seeds} (seconds; quality)")
    print(f"{'':16s}{'before':>17s}{'after':>17s}   ratio")
    for key in ('wall', *STAGES, 'ari', 'bank_auc_pr', 'mp_auc_pr'):
        b, f = [[r[key] for r in rows if r['variant'] == v] for v in VARIANTS]
        ratio = f'{np.mean(b) / np.mean(f):6.1f}×' if key in ('wall', *STAGES) and np.mean(f) > 0 else ''
        print(f'{key:16s}{ms(b):>17s}{ms(f):>17s}   {ratio}')
    same = all(len({r['emb_sha'] for r in rows if r['seed'] == s}) == 1 for s in a.seeds)
    print(f"embeddings byte-identical before and after, per seed: {same}")


if __name__ == '__main__': main()
