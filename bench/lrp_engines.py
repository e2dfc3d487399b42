"""Seconds per 256 windows of LRP through zennit's hooks (dvats' one engine), beside a plain forward + backward of the
same canonical network (the input gradient of sum(e)): the floor that any LRP engine pays.

The one-pass engine (`dvats.lrp.fast`) was to stay only if it ran at least 2x faster than zennit on the same composite
(issue 29). Measured side by side before its removal (this script, 2 torch threads, 256 demo windows, interleaved
routes, median of 5 after a warm-up, on a shared 2-core machine): zennit / one-pass = 1.25x EpsilonPlusFlat, 1.71x
EpsilonPlus, 1.02x SpreadPlus (the default), 1.94x Spread; an earlier quiet measurement gave 1.47x and 1.33x for
EpsilonPlus and SpreadPlus. Below 2x everywhere, so it was removed and one engine remains.

Encoder: the cached demo run (`dvats.pipeline.demo_base`). Windows: the first 256 valid ones, one batch.
Each route: one warm-up, then the median of 7 repeats, the routes alternating so drift hits all alike.
Run: .venv/bin/python bench/lrp_engines.py
"""
import time, statistics, warnings
warnings.simplefilter('ignore', FutureWarning)
import numpy as np, torch

BS, REPEATS = 256, 7
COMPOSITES = ('EpsilonPlusFlat', 'EpsilonPlus', 'SpreadPlus', 'Spread')


def main():
    torch.set_num_threads(2)
    from dvats.pipeline import demo_base
    from dvats.result import load_result
    from dvats.embeddings import cut_batch
    from dvats.lrp.canonical import canonical_backbone
    from dvats.lrp.composites import lrp_batch, make_composite
    res = load_result(demo_base())
    enc, wins = res.encoder, res.window_view()
    ids = np.flatnonzero(res.windows['valid'].to_numpy())[:BS]
    x = cut_batch(wins, ids, enc.spec['stats'])
    model = canonical_backbone(enc.model, enc.bands)

    def plain():
        xx = x.clone().requires_grad_(True)
        torch.autograd.grad(model(xx).sum(), xx)
    routes = {'plain gradient': plain}
    for comp in COMPOSITES:
        routes[f'zennit {comp}'] = lambda comp=comp: lrp_batch(model, x, make_composite(comp, model))
    for f in routes.values(): f()                              # warm up
    t = {k: [] for k in routes}
    for _ in range(REPEATS):
        for k, f in routes.items():
            a = time.perf_counter(); f(); t[k].append(time.perf_counter() - a)
    t = {k: statistics.median(v) for k, v in t.items()}
    print(f"{BS} windows of the demo, {torch.get_num_threads()} threads, median of {REPEATS} after a warm-up")
    print("| composite | zennit | plain gradient | zennit / plain |")
    print("|---|---|---|---|")
    for comp in COMPOSITES:
        z, p = t[f'zennit {comp}'], t['plain gradient']
        print(f"| {comp} | {z:.3f} s | {p:.3f} s | {z / p:.2f}x |")
    print("The one-pass engine (dvats.lrp.fast) was removed (issue 29): 1.0-1.9x as fast as zennit, "
          "not the 2x that would keep it.")


if __name__ == '__main__':
    main()
