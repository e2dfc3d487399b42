"""Speed of relevance on the encoder, measured side by side on the same windows, model and threads.

1. LRP (`SpreadPlus`, the default; `EpsilonPlus`, the default before it; `EpsilonPlusFlat`, the seed's) through zennit's
   hooks (dvats' one engine; the one-pass engine was removed, see bench/lrp_engines.py), each divided by a plain forward
   + backward of the same canonical network (input gradient of sum(e)).
   Targets: <= 2.0 (the issue's), floor ~1.3 (one extra modified forward).
2. LRP against integrated gradients with 32 steps, both explaining the full embedding. Target: LRP >= 10x faster.
3. What captum's LRP does on the same model (tsai's InceptionTimePlus backbone + time average), when captum is
   installed (`pip install --no-deps captum`; it is not a dvats dependency).

Encoder: InceptionTimePlus (nf=32, depth 6) after 1 MVP epoch on the demo series (6 channels, w=48, stride 4).
Windows: 1,024, batches of 256, 2 torch threads; the routes alternate, best of 3 each.
Run: .venv/bin/python bench/lrp.py
"""
import time, warnings
warnings.simplefilter('ignore', FutureWarning)
import numpy as np, torch

N_WIN, BS = 1024, 256
COMPARED = ('SpreadPlus', 'EpsilonPlus', 'EpsilonPlusFlat')


def best_of(fn, n=3):
    ts = []
    for _ in range(n):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return min(ts)


def main():
    torch.set_num_threads(2)
    from dvats.config import EncoderConfig
    from dvats.demo import make_demo_series
    from dvats.windows import sliding_windows, window_validity, channel_stats
    from dvats.embeddings import train_encoder, cut_batch
    from dvats.lrp.canonical import canonical_backbone
    from dvats.lrp.composites import lrp_batch, make_composite
    from dvats.lrp.attribution import attribute
    series, _ = make_demo_series(n_steps=20_000)
    values = np.ascontiguousarray(series.to_numpy(np.float32))
    wins, valid = sliding_windows(values, 48, 4), window_validity(values, 48, 4)
    enc = train_encoder(wins, valid, EncoderConfig(epochs=1), channel_stats(values), list(series.columns), log=None)
    model = canonical_backbone(enc.model, enc.bands)
    ids = np.arange(N_WIN)
    batches = [cut_batch(wins, ids[a:a + BS], enc.spec['stats']) for a in range(0, N_WIN, BS)]

    def plain():
        for x in batches:
            x = x.clone().requires_grad_(True)
            torch.autograd.grad(model(x).sum(), x)
    def zennit_lrp(comp):
        return lambda: [lrp_batch(model, x, make_composite(comp, model)) for x in batches]
    routes = {'plain': plain}
    for comp in COMPARED: routes[f'zennit {comp}'] = zennit_lrp(comp)
    def ig32():
        for x in batches: attribute(model, x, 'integrated_gradients', n_iter=32)

    for f in routes.values(): f()                             # warm up
    t = {k: [] for k in routes}
    for _ in range(3):                                        # alternate, so drift hits all routes alike
        for k, f in routes.items(): t[k].append(best_of(f, 1))
    t = {k: min(v) for k, v in t.items()}
    t['integrated gradients, 32 steps'] = best_of(ig32, 1)
    print(f"{N_WIN} windows, batch {BS}, {torch.get_num_threads()} threads")
    print("| route | time | per 1000 windows | / forward+backward |")
    print("|---|---|---|---|")
    for k, v in t.items(): print(f"| {k} | {v:.2f} s | {v / N_WIN * 1000:.2f} s | {v / t['plain']:.2f}x |")
    ig = t['integrated gradients, 32 steps']
    for comp in COMPARED[:2]:
        print(f"IG-32 / LRP {comp}: {ig / t[f'zennit {comp}']:.1f}x")

    try:
        from captum.attr import LRP
    except ImportError:
        print("captum: not installed (pip install --no-deps captum to include it)"); return
    class Embed(torch.nn.Module):          # tsai's backbone and the time average, as dvats embeds
        def __init__(self, m): super().__init__(); self.b = m.backbone
        def forward(self, x): return self.b(x).mean(-1).sum(1, keepdim=True)
    import copy
    m = Embed(copy.deepcopy(enc.model)).eval()
    try:
        a = LRP(m).attribute(batches[0][:8].clone().requires_grad_(True), target=0)
        print(f"captum LRP ran: attribution sum / output = {float(a.sum() / m(batches[0][:8]).sum()):.3f}")
    except Exception as e:
        print(f"captum LRP on tsai's InceptionTimePlus: {type(e).__name__}: {str(e).splitlines()[0][:200]}")


if __name__ == '__main__':
    main()
