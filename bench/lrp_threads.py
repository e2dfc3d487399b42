"""Is the relevance stage as fast after a UMAP projection in the same process as it is alone?

The issue: UMAP's numba runs its parallel code on OpenMP, which torch shares; when numba's OpenMP pool starts it
sets OpenMP's thread count to its own (NUMBA_NUM_THREADS), and torch then ran the relevance stage with that count,
slower in the pipeline than standalone. The relevance stage now gives torch back the count the run started with
(`StageContext.torch_threads`, read when the run's context is made).

In one process, on the same windows and encoder:
1. the relevance stage alone (`dvats.explain_stages.relevance_stage`: LRP with the default composite on every window
   through the memory-mapped relevance.npy, then the channel and frequency-band sums);
2. the projection stage (`dvats.stages._project`: UMAP, the default, seed 0) on the embeddings;
3. the relevance stage as it ran before the guard: with the thread count UMAP left (set again before each of these
   runs, since the guarded run restores the run's count);
4. the relevance stage with the guard (the run's count restored), alternating with 3.
Each relevance time is the best of 2. Target: 4 / 1 within 1.2x. The load average is printed: on a shared machine,
threads that wait for a busy core make any multi-threaded time slow, whatever the count.

Data: the demo series, 6,000 steps x 6 channels, windows of 48 every 4 steps (1,489 windows); the encoder after 1 MVP
epoch. torch starts with 2 threads (as bench/lrp.py); numba gets NUMBA_NUM_THREADS.
Run: OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMBA_NUM_THREADS=1 .venv/bin/python bench/lrp_threads.py
"""
import os, tempfile, time, warnings
from pathlib import Path
warnings.simplefilter('ignore', FutureWarning)
import torch

N_STEPS, THREADS, REPS = 6_000, 2, 2


def best_of(fn, n=REPS):
    ts = []
    for _ in range(n):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return min(ts)


def main():
    torch.set_num_threads(THREADS)
    from dvats.config import Config, with_overrides
    from dvats.demo import make_demo_series
    from dvats.result import RunResult
    from dvats.store import RunStore
    from dvats.windows import window_table
    from dvats.stages import STAGES, StageContext, _embed, _load_embeddings, _project
    from dvats.explain_stages import relevance_stage as _relevance, load_relevance_stage as _load_relevance
    series, _ = make_demo_series(n_steps=N_STEPS)
    cfg = with_overrides(Config(), {'encoder.epochs': 1})
    store = RunStore(Path(tempfile.mkdtemp()) / 'run')
    res = RunResult(store.out, cfg, series, window_table(series, cfg.windows.w, cfg.windows.stride))
    ctx = StageContext(res, store, log=None)              # reads torch's threads now: the run's count
    STAGES[0].compute(ctx)                                # the encoder (trained here, kept on the result)
    _embed(ctx); _load_embeddings(ctx)
    run_threads = ctx.torch_threads
    stage = lambda: _relevance(ctx)

    load0 = os.getloadavg()[0]
    stage()                                               # warm up
    alone = best_of(stage)
    t = time.perf_counter(); _project(ctx); t_umap = time.perf_counter() - t
    after = torch.get_num_threads()
    runs = {'without': [], 'with': []}
    for _ in range(REPS):                                 # alternate, so drift and the machine's load hit both alike
        torch.set_num_threads(after); ctx.torch_threads = after  # as before the guard: the stage keeps what UMAP left
        runs['without'].append(best_of(stage, 1)); th_without = torch.get_num_threads()
        ctx.torch_threads = run_threads                             # the guard: the run's count, restored by the stage
        runs['with'].append(best_of(stage, 1)); th_with = torch.get_num_threads()
    rows = [('alone (before UMAP)', alone, run_threads),
            ('after UMAP, without the guard', min(runs['without']), th_without),
            ('after UMAP, with the guard', min(runs['with']), th_with)]
    _load_relevance(ctx)

    n, v = len(res.windows), int(res.windows.valid.sum())
    print(f"{n:,} windows ({v:,} valid) of 6 x {cfg.windows.w}, LRP {cfg.lrp.composite}, batch {cfg.lrp.batch_size}; "
          f"{os.cpu_count()} CPU cores; "
          f"torch threads at the start {run_threads}, after UMAP ({cfg.dr.method}, {t_umap:.1f} s) {after}; "
          f"NUMBA_NUM_THREADS={os.environ.get('NUMBA_NUM_THREADS', 'default')}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'default')}; "
          f"load average {load0:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    print("| relevance stage | best of 2 | torch threads | / alone |")
    print("|---|---|---|---|")
    for k, s, th in rows: print(f"| {k} | {s:.2f} s | {th} | {s / rows[0][1]:.2f}x |")
    ratio = rows[2][1] / rows[0][1]
    print(f"with the guard: {ratio:.2f}x the standalone time "
          f"({'within' if ratio <= 1.2 else 'NOT within'} the 1.2x target)")
    valid = res.windows.valid.to_numpy()
    print(f"frequency_relevance.npy: {res.frequency_relevance.shape}, bands sum to the channel sums within "
          f"{abs(res.frequency_relevance[valid].sum(-1) - res.channel_relevance[valid, :, 0]).max():.1e}")


if __name__ == '__main__':
    main()
