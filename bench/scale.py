"""The whole pipeline at growing sizes on this machine: time per stage and peak memory, printed as a table.

Each size runs `dvats run` in a fresh subprocess on the demo generator's series, stretched to the size (stride 1,
w=48, 6 channels, default settings, explanation evaluation off), and reads the stage timings from `metrics.json`
and the child's peak resident memory from getrusage. Sizes default to 10k and 100k windows; 1M can be asked for
(`--sizes 1000000`) but does not finish on 2 cores in reasonable time (see nbs/09_robustness.ipynb, section Scale).
Run: .venv/bin/python bench/scale.py [--sizes 10000 100000] [--epochs N]
"""
import argparse, json, os, resource, subprocess, sys, tempfile, time
from pathlib import Path


def one(n, epochs, workdir):
    from dvats.demo import make_demo_series
    s, _ = make_demo_series(n_steps=n + 47)
    data = workdir / f'series_{n}.parquet'
    s.to_parquet(data)
    cfg = workdir / 'cfg.yaml'
    cfg.write_text(f'encoder:\n  epochs: {epochs}\nlrp:\n  evaluate: false\nwindows:\n  w: 48\n  stride: 1\n')
    out = workdir / f'run_{n}'
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, '-m', 'dvats', 'run', str(data), '--config', str(cfg), '--out', str(out)],
                       capture_output=True, text=True, env={**os.environ, 'PYTHONUNBUFFERED': '1'})
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss      # KiB; the largest child so far
    if r.returncode != 0: return {'n': n, 'error': r.stderr.strip().splitlines()[-1]}
    st = json.loads((out / 'stages.json').read_text())
    t = {k: st[k].get('seconds', 0) for k in st if k != 'series'}
    size = (out / 'report.html').stat().st_size / 1e6
    return {'n': n, 'wall': wall, 'peak_gib': peak / 2**20, 'peak_grew': peak > before, 'stages': t, 'report_mb': size}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sizes', type=int, nargs='+', default=[10_000, 100_000])
    ap.add_argument('--epochs', type=int, default=6)
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp())
    rows = []
    for n in a.sizes:
        r = one(n, a.epochs, work); rows.append(r); print(json.dumps(r), flush=True)
    names = ['encoder', 'embeddings', 'projection', 'clusters', 'table', 'relevance', 'report']
    print(f"\n| windows | {' | '.join(names)} | total | peak RSS | report |")
    print('|' + '---|' * (len(names) + 4))
    for r in rows:
        if 'error' in r: print(f"| {r['n']:,} | failed: {r['error']} |"); continue
        print(f"| {r['n']:,} | " + ' | '.join(f"{r['stages'].get(k, 0):.1f} s" for k in names) +
              f" | {r['wall']:.0f} s | {r['peak_gib']:.2f} GiB{'' if r['peak_grew'] else ' (<= earlier size)'} | {r['report_mb']:.1f} MB |")


if __name__ == '__main__':
    main()
