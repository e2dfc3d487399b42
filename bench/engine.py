"""What the Dask engine costs and gives (`dvats.engine`): its overhead per task, and the embeddings stage in one process
against a local cluster, side by side in one run.

1. Overhead: `chunk_map` of 400 tasks that do nothing but return their chunk (a few window ids), on a local cluster of
   `--workers` processes: seconds per task, after the cluster has started (its start is timed apart).
2. Embeddings (`dvats.embeddings.get_embeddings`) of the stretched demo series at `--windows` windows (stride 1, w 48)
   with a freshly initialised default encoder (its weights do not change the cost): in this process with torch on
   `--threads` threads, then on the local cluster (one thread per worker), the same windows; the embeddings must be
   equal byte for byte.
   Then the same on a cluster whose workers keep the malloc setting Dask's nanny gives them (`MALLOC_TRIM_THRESHOLD_`,
   which `dvats.engine` leaves out: `_MALLOC_TRIM`).
   Printed: seconds, windows per second, the ratio, and the encoder's forward GFLOP/s (its multiply-adds counted by a
   forward hook on every convolution and linear layer) against the machine's peak (a float32 matrix product on the same
   threads).
Run on a quiet machine:  OMP_NUM_THREADS=2 .venv/bin/python bench/engine.py [--windows 50000] [--workers 2]
                         [--threads 2]
"""
import argparse, time, warnings
warnings.simplefilter('ignore')
import numpy as np


def _ids(chunk): return chunk


def forward_gflop(model, x):
    """Multiply-adds of one forward pass of `model` on `x` (convolutions and linear layers), in GFLOP (2 per
    multiply-add)."""
    import torch
    total = [0]
    def hook(m, inp, out):
        if isinstance(m, torch.nn.Conv1d): total[0] += out.numel() * m.in_channels // m.groups * m.kernel_size[0]
        elif isinstance(m, torch.nn.Linear): total[0] += out.numel() * m.in_features
    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (torch.nn.Conv1d, torch.nn.Linear))]
    with torch.inference_mode(): model(x)
    for h in hs: h.remove()
    return 2 * total[0] / 1e9


def peak_gflops(threads, n=2048, reps=5):
    "float32 matrix-product GFLOP/s on `threads` torch threads: the machine's practical peak."
    import torch
    torch.set_num_threads(threads)
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    t = time.perf_counter()
    for _ in range(reps): a @ b
    return 2 * n ** 3 * reps / (time.perf_counter() - t) / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--windows', type=int, default=50_000)
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    import torch
    from dvats.engine import engine, chunk_map
    from dvats.demo import make_demo_series
    from dvats.windows import sliding_windows, window_validity, channel_stats
    from dvats.config import EncoderConfig
    from dvats.embeddings import build_model, Encoder, fit_bands, get_embeddings
    from dvats.tensors import cut_batch
    s, _ = make_demo_series(n_steps=a.windows + 47)
    v = np.ascontiguousarray(s.to_numpy(np.float32))
    wins, valid = sliding_windows(v, 48, 1), window_validity(v, 48, 1)
    stats = channel_stats(v)
    cfg = EncoderConfig()
    torch.manual_seed(0)
    model = build_model(cfg.arch, v.shape[1], 48, cfg.arch_kwargs)
    spec = {'arch': cfg.arch, 'arch_kwargs': cfg.arch_kwargs, 'c_in': v.shape[1], 'w': 48, 'channels': list(s.columns),
            'stats': stats,
            'bands': fit_bands(wins, np.flatnonzero(valid)[:4096], stats)}
    enc = Encoder(model, spec)
    torch.set_num_threads(a.threads)
    t = time.perf_counter(); here = get_embeddings(enc, wins, valid, progress=False); t_here = time.perf_counter() - t
    x = cut_batch(wins, np.arange(512), stats)
    gflop = forward_gflop(enc.model.backbone, x) / 512 * valid.sum()
    t = time.perf_counter()
    with engine(workers=a.workers, log=None):
        t_start = time.perf_counter() - t
        chunks = [np.arange(k, k + 4) for k in range(0, 1600, 4)]
        list(chunk_map(_ids, chunks, progress=False))                 # the workers import what they need once
        t = time.perf_counter(); list(chunk_map(_ids, chunks, progress=False))
        t_task = (time.perf_counter() - t) / len(chunks)
        t = time.perf_counter(); there = get_embeddings(enc, wins, valid, progress=False)
        t_there = time.perf_counter() - t
    # the same on workers with the malloc setting Dask's nanny gives them (MALLOC_TRIM_THRESHOLD_=65536), which
    # `dvats.engine` takes away: its key pointed elsewhere while this cluster starts
    import dvats.engine as dvats_engine
    ours, dvats_engine._MALLOC_TRIM = dvats_engine._MALLOC_TRIM, 'distributed.nanny.pre-spawn-environ.DVATS_UNSET'
    try:
        with engine(workers=a.workers, log=None):
            list(chunk_map(_ids, chunks, progress=False))
            t = time.perf_counter(); trimmed = get_embeddings(enc, wins, valid, progress=False)
            t_trim = time.perf_counter() - t
    finally: dvats_engine._MALLOC_TRIM = ours
    peak = peak_gflops(a.threads)
    n = int(valid.sum())
    print(f"windows {n:,} (stride 1, w 48, {v.shape[1]} channels); torch {a.threads} threads here; "
          f"{a.workers} workers of 1 thread there")
    print(f"cluster start: {t_start:.1f} s; overhead per task: {t_task * 1e3:.1f} ms (400 empty tasks)")
    print(f"embeddings here:  {t_here:7.1f} s  {n / t_here:8.0f} windows/s  {gflop / t_here:6.1f} GFLOP/s")
    print(f"embeddings there: {t_there:7.1f} s  {n / t_there:8.0f} windows/s  {gflop / t_there:6.1f} GFLOP/s  "
          f"(there/here time {t_there / t_here:.2f})")
    print(f"embeddings there with Dask's MALLOC_TRIM_THRESHOLD_: {t_trim:7.1f} s  {n / t_trim:8.0f} windows/s  "
          f"{gflop / t_trim:6.1f} GFLOP/s  (there/here time {t_trim / t_here:.2f})")
    print(f"the backbone's forward: {gflop / n * 1e3:.3f} MFLOP per window; "
          f"float32 matmul peak on {a.threads} threads: {peak:.1f} GFLOP/s")
    print(f"equal byte for byte: {here.tobytes() == there.tobytes() == trimmed.tobytes()}")


if __name__ == '__main__':
    main()
