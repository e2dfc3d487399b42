"""What a run of 10 and 100 million windows would take on a Dask cluster, from what `bench/scale.py` measured here.

Reads the rows `bench/scale.py` printed (saved as `bench/results/scale/scale.jsonl`): per stage, the seconds at 100,000
and 1,000,000 windows, in one process (torch on 2 threads) and on a local cluster of 2 workers of one core each. Each
stage's time is fitted as `fixed + per_window * x` through the two sizes of the one-process runs, where `x` is the
windows the stage computes: the series' windows, or for the relevance and the contrast basis the relevance sample's
(`dvats.explain_stages.relevance_sample_size`: 5,000 at 100,000 windows, 20,000 from 400,000 on, so the same at 10^7 as
at 10^6). On `M` workers of one core:

- the run's own stages (the encoder's training, the table, the report) keep their one-process time;
- a chunked stage's per-window part runs on the workers: its 1,000,000-window time on the 2 workers, times 2 / M (a
  worker's own speed, as measured, slower or faster than a thread of the one process), plus Dask's overhead, measured by
  `bench/engine.py` (2.2 ms a task), for its chunks, divided among the workers;
- a chunked stage's fixed part (a sample) is spread over the workers the same way.

What this leaves out, and says so: the one process that writes reads every result back (the embeddings, 848 bytes a
window); the network (a worker reads the series once, and its chunks' rows of the embeddings from shared storage). It
is a floor, not a promise.
Run: .venv/bin/python bench/scale_model.py [--rows bench/results/scale/scale.jsonl ...] [--workers 16 64 256]
"""
import argparse, json
from pathlib import Path

CHUNKED = {'embeddings': 1024, 'projection': 50_000, 'similar': 4096, 'clusters': 100_000, 'relevance': 1024,
           'contrast-basis': 1024}      # windows per task (`dvats.engine`'s table of the chunked stages)
OWN = ['encoder', 'table', 'report']      # stages the run's process computes itself
SAMPLED = {'relevance', 'contrast-basis'}   # computed on the relevance sample
TASK_S = 2.2e-3                           # Dask's overhead per task, bench/results/engine/engine.txt
DIM_BYTES = 212 * 4                        # an embedding (learned features and band amplitudes), float32


def computed(stage, n):
    "How many windows `stage` computes in a run of `n` windows: all, or the relevance sample's."
    if stage not in SAMPLED: return n
    from dvats.config import Config
    from dvats.explain_stages import relevance_sample_size
    return relevance_sample_size(n, Config().lrp)


def fit(rows, stage, workers):
    """(fixed seconds, seconds per computed window) of `stage` through the 100,000- and 1,000,000-window rows (the
    rows' own `lrp_windows` where they have it: the sample they were measured with)."""
    a, b = (next(r for r in rows if r['n'] == n and r.get('workers', 0) == workers and 'error' not in r)
            for n in (100_000, 1_000_000))
    xa, xb = (r.get('lrp_windows', computed(stage, r['n'])) if stage in SAMPLED else r['n'] for r in (a, b))
    if xa == xb: return b['stages'].get(stage, 0), 0.      # the same sample at both sizes: its time at 1,000,000
    per = (b['stages'].get(stage, 0) - a['stages'].get(stage, 0)) / (xb - xa)
    if per < 0: return b['stages'].get(stage, 0), 0.
    return a['stages'].get(stage, 0) - per * xa, per


def estimate(rows, n, m):
    "Seconds per stage of a run of `n` windows on `m` workers of one core (the run's own stages in its process)."
    out = {}
    for s in OWN: out[s] = sum(c * k for c, k in zip(fit(rows, s, 0), (1, n)))
    for s, chunk in CHUNKED.items():
        fixed, per = fit(rows, s, 2)                           # as the 2 workers ran it
        x = computed(s, n)
        out[s] = max(fixed, 0) * 2 / m + per * x * 2 / m + x / chunk * TASK_S / m
    return out


def main():
    ap = argparse.ArgumentParser()
    # several files: their rows together (the first row of a size and path found is the one used)
    ap.add_argument('--rows', nargs='+', default=[str(Path(__file__).parent / 'results' / 'scale' / 'scale.jsonl')])
    ap.add_argument('--workers', type=int, nargs='+', default=[16, 64, 256])
    a = ap.parse_args()
    rows = [json.loads(line) for f in a.rows for line in Path(f).read_text().splitlines() if line.strip()]
    one = {n: sum(c * k for s in OWN + list(CHUNKED) for c, k in zip(fit(rows, s, 0), (1, computed(s, n))))
           for n in (10**7, 10**8)}
    print(f"| windows | one process, 2 threads | {' | '.join(f'{m} workers' for m in a.workers)} | "
          "embeddings the writing process reads back |")
    print('|' + '---|' * (len(a.workers) + 3))
    for n in (10**7, 10**8):
        cells = [f"{sum(estimate(rows, n, m).values()) / 60:.0f} min" for m in a.workers]
        print(f"| {n:,} | {one[n] / 3600:.1f} h | {' | '.join(cells)} | {n * DIM_BYTES / 1e9:.1f} GB |")
    print("\nper stage at 10,000,000 windows (s):")
    for m in a.workers:
        print(f"  {m} workers: " + ', '.join(f"{s} {v:.0f}" for s, v in estimate(rows, 10**7, m).items()))


if __name__ == '__main__':
    main()
