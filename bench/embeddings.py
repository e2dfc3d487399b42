"""Throughput and memory of `get_embeddings`, measured side by side on the same windows and model.

1. windows/s of `get_embeddings` against a bare `torch.inference_mode()` forward loop over pre-built, already
   normalised tensors (the floor: no window cutting, no normalising, no hook). Target ratio >= 0.95.
   Both alternate in one process, best of 3 each.
2. peak memory (resident memory sampled every 2 ms by a thread, peak minus the level just before the call;
   each route in a fresh subprocess after loading data and model)
   of `get_embeddings` against DeepVATS' route: tsai's `prepare_forecasting_data` windows, materialised as one
   tensor, then `get_acts_and_grads` on the backbone per batch, activations kept, averaged over time at the end.

Data: the demo series at 60,000 steps x 6 channels, w=48, stride 2 -> 29,977 windows; InceptionTimePlus
(nf=32, untrained: weights do not change speed or memory); 2 torch threads; batch 512.
Run: .venv/bin/python bench/embeddings.py
"""
import json, subprocess, sys, time, warnings
warnings.simplefilter('ignore', FutureWarning)
import numpy as np, torch
from _memory import PeakRSS

N_STEPS, W, STRIDE, BS = 60_000, 48, 2, 512


def setup():
    from dvats.demo import make_demo_series
    from dvats.windows import sliding_windows, window_validity, channel_stats
    from dvats.embeddings import Encoder, build_model, seeded
    torch.set_num_threads(2)
    series, _ = make_demo_series(n_steps=N_STEPS)
    values = np.ascontiguousarray(series.to_numpy(np.float32))
    wins, valid = sliding_windows(values, W, STRIDE), window_validity(values, W, STRIDE)
    st = channel_stats(values)
    with seeded(0): model = build_model('InceptionTimePlus', values.shape[1], W).eval()
    enc = Encoder(model, dict(c_in=values.shape[1], w=W, stats=st, channels=list(series.columns)))
    return series, values, wins, valid, st, enc


def route(name):
    "Run one route in this (fresh) process; print JSON with seconds and peak RSS above the baseline."
    series, values, wins, valid, st, enc = setup()
    from dvats.embeddings import get_embeddings
    get_embeddings(enc, wins[:BS], valid[:BS], BS, progress=False)        # warm up kernels and allocator
    with PeakRSS() as mem:
        t = time.perf_counter()
        emb = _run_route(name, series, wins, valid, st, enc)
        dt = time.perf_counter() - t
    print(json.dumps(dict(seconds=dt, peak_extra_mb=mem.extra_mb, shape=list(emb.shape))))


def _run_route(name, series, wins, valid, st, enc):
    from dvats.embeddings import get_embeddings
    if name == 'dvats':
        return get_embeddings(enc, wins, valid, BS, progress=False)
    else:
        from tsai.data.preparation import prepare_forecasting_data
        from tsai.models.explainability import get_acts_and_grads
        X, _ = prepare_forecasting_data(series, fcst_history=W)        # stride-1 view over the series
        X = X[::STRIDE]                                                # the same windows as dvats
        x = torch.from_numpy(np.ascontiguousarray(X))                  # what tsai's dataloader builds
        x = (x - torch.tensor(st['mean'])[:, None]) / torch.tensor(st['std'])[:, None]
        acts = [get_acts_and_grads(enc.model, enc.model.backbone, x[a:a + BS])[0] for a in range(0, len(x), BS)]
        return torch.cat(acts).mean(-1).numpy()


def throughput():
    series, values, wins, valid, st, enc = setup()
    from dvats.embeddings import get_embeddings, cut_batch
    ids = np.flatnonzero(valid)
    pre = [cut_batch(wins, ids[a:a + BS], st).clone() for a in range(0, len(ids), BS)]   # pre-built, normalised
    model = enc.model
    def bare():
        with torch.inference_mode():
            for x in pre: model(x)
    def ours(): get_embeddings(enc, wins, valid, BS, progress=False)
    bare(); ours()
    times = {'bare forward loop': [], 'get_embeddings': []}
    for _ in range(3):
        for name, f in [('bare forward loop', bare), ('get_embeddings', ours)]:
            t = time.perf_counter(); f(); times[name].append(time.perf_counter() - t)
    return len(ids), {k: len(ids) / min(v) for k, v in times.items()}


def main():
    n, wps = throughput()
    print(f"{n:,} windows of 6 x {W}, batch {BS}, {torch.get_num_threads()} threads, CPU")
    print(f"{'route':34s} {'windows/s':>10s}")
    for k, v in wps.items(): print(f"{k:34s} {v:10,.0f}")
    print(f"ratio get_embeddings / bare forward: {wps['get_embeddings'] / wps['bare forward loop']:.3f} "
          "(target >= 0.95)")
    print()
    res = {}
    for name in ('dvats', 'deepvats'):
        r = subprocess.run([sys.executable, __file__, '--route', name], capture_output=True, text=True)
        if r.returncode: print(r.stderr[-2000:]); raise SystemExit(1)
        res[name] = json.loads(r.stdout.strip().splitlines()[-1])
    print(f"{'route':58s} {'peak extra':>11s} {'time':>7s}")
    labels = {'dvats': 'dvats get_embeddings (view, batches, hook)',
              'deepvats': 'DeepVATS: prepare_forecasting_data + get_acts_and_grads'}
    for k, r in res.items(): print(f"{labels[k]:58s} {r['peak_extra_mb']:8.1f} MB {r['seconds']:6.1f}s")
    print(f"dvats' output alone: {res['dvats']['shape'][0] * res['dvats']['shape'][1] * 4 / 2**20:.1f} "
          "MB (float32 embeddings)")
    print(f"memory ratio DeepVATS / dvats: {res['deepvats']['peak_extra_mb'] / res['dvats']['peak_extra_mb']:.0f}x; "
          f"time ratio: {res['deepvats']['seconds'] / res['dvats']['seconds']:.1f}x")


if __name__ == '__main__':
    if '--route' in sys.argv: route(sys.argv[sys.argv.index('--route') + 1])
    else: main()
