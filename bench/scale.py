"""The whole pipeline at growing sizes on this machine: time per stage, peak memory, report size and quality, as a
table.

Each size runs the demo (`dvats.pipeline.demo`: the demo generator's series stretched to n + 47 steps, 6 channels, four
regimes and planted anomalies as labels) with stride 1 and default settings in a fresh subprocess, so each size's peak
resident memory is its own (getrusage of that child). Stage times come from the run's `stages.json`; the quality columns
from its `metrics.json`: the clusters' ARI against the regimes and the per-step AUC-PR of the anomaly score on the
planted anomalies. `--full` turns the long-series samples off (`encoder.epoch_windows`, `dr.fit_windows`,
`clustering.fit_windows`, `lrp.max_windows` all null): every window everywhere. `bench/scale_quality.py` measures each
sample against the full computation stage by stage.
The embeddings' GFLOP/s: the backbone's forward multiply-adds per window (`bench/engine.py`'s `forward_gflop`, counted
on the run's own encoder) times the valid windows over the stage's seconds, against the float32 matrix-product peak
on the same torch threads (`peak_gflops`), measured after the runs.
`--workers N` runs each size twice, side by side: in one process, then with the chunked stages on a local Dask cluster
of N worker processes (`dvats.engine`; `dvats run --workers N`). Peak RSS is the largest single process's of that run
(the run's own or one of its workers'), not their sum.
Run: OMP_NUM_THREADS=2 .venv/bin/python bench/scale.py [--sizes 10000 100000 1000000] [--full] [--workers 2]
     [--workers-only] [--keep DIR]
"""
import argparse, json, os, re, resource, shutil, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np
import pyarrow.parquet as pq

FULL = {'encoder.epoch_windows': None, 'dr.fit_windows': None, 'clustering.fit_windows': None, 'lrp.max_windows': None}
STAGES = ['encoder', 'embeddings', 'projection', 'similar', 'clusters', 'table', 'matrix-profile', 'relevance',
          'contrast-basis', 'report']


def child(n, out, full, workers):
    "In the subprocess: the demo at n windows, stride 1 (the chunked stages on `workers` Dask workers when given)."
    from dvats.pipeline import demo
    # the matrix-profile lens off, as in `dvats run` (the demo turns it on; at 100,000 steps it refuses to start)
    demo(out=out, n_steps=n + 47, log=None,
         **{'windows.stride': 1, 'matrix_profile.enabled': False, **(FULL if full else {}),
            **({'engine.workers': workers} if workers else {})})
    # this run's own peak: this process's, or its largest worker's (the cluster's processes were waited for)
    print('peak_gib', max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF,
                                                                         resource.RUSAGE_CHILDREN)) / 2**20)


def _mflop(out):
    "The run's encoder backbone's forward multiply-adds per window, in MFLOP."
    import torch
    from engine import forward_gflop       # bench/engine.py
    from dvats.embeddings import load_encoder
    enc = load_encoder(out / 'encoder.pt')
    return forward_gflop(enc.model.backbone, torch.zeros(64, enc.spec['c_in'], enc.spec['w'])) / 64 * 1e3


def one(n, full, work, workers=0):
    out = work / f"run_{n}{'_full' if full else ''}{f'_workers{workers}' if workers else ''}"
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, __file__, '--child', str(n), str(out), str(workers)]
                       + (['--full'] if full else []),
                       capture_output=True, text=True, env={**os.environ, 'PYTHONUNBUFFERED': '1'})
    wall = time.perf_counter() - t0
    if r.returncode != 0: return {'n': n, 'error': (r.stderr.strip().splitlines() or ['?'])[-1]}
    # GiB; found anywhere in the output (a progress bar may leave its line unended before it)
    peak = float(re.findall(r'peak_gib ([0-9.]+)', r.stdout)[-1])
    st = json.loads((out / 'stages.json').read_text())
    m = json.loads((out / 'metrics.json').read_text())
    a = m.get('anomaly', {})
    n_valid = int(pq.read_table(out / 'windows.parquet', columns=['valid']).column('valid').to_numpy().sum())
    # the relevance sample's size (the windows with relevance): bench/scale_model.py fits those stages on it
    lrp_windows = int(np.isfinite(np.load(out / 'channel_relevance.npy', mmap_mode='r')[:, 0, 0]).sum())
    return {'mflop_per_window': _mflop(out), 'n_valid': n_valid, 'lrp_windows': lrp_windows,
            'n': n, 'full': full, 'workers': workers, 'wall': wall, 'peak_gib': peak,
            'stages': {k: st[k].get('seconds', 0) for k in st if k != 'series'},
            'report_mb': (out / 'report.html').stat().st_size / 1e6, 'ari': m['clustering'].get('ari'),
            'n_clusters': m['clustering'].get('n_clusters'), 'auc_pr': a.get(a.get('method'), {}).get('auc_pr')}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sizes', type=int, nargs='+', default=[10_000, 100_000])
    ap.add_argument('--full', action='store_true', help='every window everywhere (the samples off)')
    ap.add_argument('--keep', help='keep the run folders here (default: a temporary folder, removed)')
    ap.add_argument('--workers', type=int, default=0,
                    help='also run each size on a local Dask cluster of this many workers')
    ap.add_argument('--workers-only', action='store_true', help='with --workers: only the runs on the cluster')
    ap.add_argument('--child', nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child: return child(int(a.child[0]), a.child[1], a.full, int(a.child[2]))
    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp())
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in a.sizes:
        for workers in ([] if a.workers_only and a.workers else [0]) + ([a.workers] if a.workers else []):
            r = one(n, a.full, work, workers); rows.append(r); print(json.dumps(r), flush=True)
    print(f"\n| windows | {' | '.join(STAGES)} | total | peak RSS | report | clusters | ARI vs regimes | "
          "anomaly AUC-PR |")
    print('|' + '---|' * (len(STAGES) + 7))
    for r in rows:
        if 'error' in r: print(f"| {r['n']:,} | failed: {r['error']} |"); continue
        f = lambda v: '–' if v is None else f"{v:.3f}"
        print(f"| {r['n']:,}{' (full)' if r['full'] else ''}"
              f"{' (' + str(r['workers']) + ' workers)' if r['workers'] else ''} | "
              + ' | '.join(f"{r['stages'].get(k, 0):.1f} s" for k in STAGES) +
              f" | {r['wall']:.0f} s | {r['peak_gib']:.2f} GiB | {r['report_mb']:.1f} MB | {r['n_clusters']} | "
              f"{f(r['ari'])} | {f(r['auc_pr'])} |")
    from engine import peak_gflops
    peak = peak_gflops(int(os.environ.get('OMP_NUM_THREADS', '2')))
    print(f"\nembeddings (the backbone's forward pass, {rows[0].get('mflop_per_window', 0):.1f} MFLOP per window) "
          f"against the float32 matrix-product peak on {os.environ.get('OMP_NUM_THREADS', '2')} threads, "
          f"{peak:.0f} GFLOP/s:")
    for r in rows:
        if 'error' in r: continue
        g = r['n_valid'] * r['mflop_per_window'] / 1e3 / max(r['stages'].get('embeddings', 0), 1e-9)
        print(f"  {r['n']:,}{' (' + str(r['workers']) + ' workers)' if r['workers'] else ''}: {g:.0f} GFLOP/s, "
              f"{g / peak:.2f} of the peak")
    if not a.keep: shutil.rmtree(work)


if __name__ == '__main__':
    main()
