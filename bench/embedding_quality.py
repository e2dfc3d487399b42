"""The embedding-quality harness (dvats.quality, nbs/05a3_quality.ipynb): every feature space x every measure x seeds.

Feature spaces, all on the same windows (w=48, stride 4, per-channel global normalisation unless said otherwise):
  raw_pca   PCA-32 of the flattened window          fft      per-channel FFT magnitudes
  catch22   22 catch22 features per channel (pycatch22, optional)
  bands     the default readout's band amplitudes alone (no network)
  random    the default encoder's network, untrained (seeded), time-average readout
  mvp       MVP with the time-average readout (encoder.readout='mean': the default before the band readout)
  mvp_bands dvats' default encoder: train_encoder with the default EncoderConfig (MVP, readout 'mean+bands')
  <name>    a candidate from CANDIDATES below (an encoder config and/or a readout or input variant)
Sets: events (make_event_series, 12 events of each kind, 3 channels), demo (make_demo_series, regimes),
BasicMotions (aeon's wheel via $DVATS_AEON_WHEEL or an installed aeon; skipped with a message when missing).
The data seed and the training seed are both `seed` (BasicMotions' data is fixed).

Run:   OMP_NUM_THREADS=1 python bench/embedding_quality.py run --seeds 0 1 2 --spaces raw_pca fft catch22 bands random
       mvp mvp_bands --out runs/quality/results.csv
Table: python bench/embedding_quality.py table bench/results/embedding_quality/*.csv [--spaces ...] [--markdown]
       (the rows behind the table in nbs/05a3_quality.ipynb are committed there; new runs go to runs/quality/ unless
       --out says otherwise)
Rows are appended to the CSV (dataset, space, seed, measure, value) as each (space, set, seed) finishes, so runs
can be split over processes and resumed; a (space, set, seed) already in the CSV is skipped.
"""
import argparse, sys, time, warnings
from pathlib import Path
warnings.simplefilter('ignore', FutureWarning)
import numpy as np, pandas as pd, torch

BASELINES = ('raw_pca', 'fft', 'catch22', 'bands')
# candidate name -> dict(config=EncoderConfig overrides, readout='mean'|'meanmax', inputs='global'|'window',
#                        patch={dvats.objectives constant: value}, train=False for the untrained network)
# every config is read with encoder.readout='mean' unless it says otherwise: the names kept their meaning when the
# default changed
CANDIDATES = {
    'random': dict(train=False),
    'mvp': dict(),
    'mvp_bands': dict(config=dict(readout='mean+bands')),
    'mvp_meanmax': dict(readout='meanmax'),
    'mvp_winnorm': dict(inputs='window'),
    'mvp_e12': dict(config=dict(epochs=12, patience=3)),
    'mvp_spectral': dict(config=dict(method='mvp_spectral')),
    'mvp_spectral_meanmax': dict(config=dict(method='mvp_spectral'), readout='meanmax'),
    'mvp_spectral10': dict(config=dict(method='mvp_spectral'), patch=dict(SPECTRAL_WEIGHT=10.)),
    'mvp_spectral10_meanmax': dict(config=dict(method='mvp_spectral'), patch=dict(SPECTRAL_WEIGHT=10.),
                                   readout='meanmax'),
    'mvp_diff': dict(config=dict(method='mvp_diff')),
    'ts2vec': dict(config=dict(method='ts2vec')),
    'ts2vec_meanmax': dict(config=dict(method='ts2vec'), readout='meanmax'),
}


def qsets(names, seed):
    from dvats.quality import event_set, demo_set, uea_set, uea_source
    for n in names:
        if n == 'events': yield event_set(seed)
        elif n == 'demo': yield demo_set(seed)
        elif uea_source() is None:
            print(f"skipped {n}: aeon's datasets not found (set DVATS_AEON_WHEEL)", file=sys.stderr)
        else: yield uea_set(n)


def window_normalised(q):
    "Materialised windows standardised one by one (per window and channel), and identity stats."
    x = np.asarray(q.windows, np.float32)
    x = (x - x.mean(-1, keepdims=True)) / (x.std(-1, keepdims=True) + 1e-6)
    c = x.shape[1]
    return x, {'mean': [0.] * c, 'std': [1.] * c}


_ENCODERS = {}   # (training key, set, seed) -> encoder: readout variants reuse one training


def features(space, q, seed):
    "Feature matrix of `space` on the windows of `q`, and the seconds it took (training included)."
    import json
    from dvats.quality import raw_pca, fft_magnitudes, catch22_features, band_amplitudes, make_encoder, embed_windows
    from dvats.embeddings import Encoder, window_stats
    t = time.perf_counter()
    wins, valid = q.windows, q.valid
    stats = window_stats(wins, valid)
    if space == 'raw_pca': return raw_pca(wins, valid, stats, seed=seed), time.perf_counter() - t
    if space == 'fft': return fft_magnitudes(wins, valid, stats), time.perf_counter() - t
    if space == 'catch22': return catch22_features(wins, valid, stats), time.perf_counter() - t
    if space == 'bands': return band_amplitudes(wins, valid, stats), time.perf_counter() - t
    cand = CANDIDATES[space]
    readout = (cand.get('config') or {}).get('readout', 'mean')
    # train with the bands fitted (after training: the weights do not depend on them), so readout variants share one
    # training
    config = {**(cand.get('config') or {}), 'readout': 'mean+bands'}
    if cand.get('inputs') == 'window': wins, stats = window_normalised(q)
    key = (json.dumps([config, cand.get('patch')], sort_keys=True), cand.get('inputs'), cand.get('train', True), q.name,
           seed)
    if key not in _ENCODERS:
        _ENCODERS.clear()
        import dvats.objectives as E
        # module constants a candidate sets
        for k, v in {'SPECTRAL_WEIGHT': 1.0, **cand.get('patch', {})}.items(): setattr(E, k, v)
        _ENCODERS[key] = (make_encoder(wins, valid, stats, config, seed, cand.get('train', True)),
                          time.perf_counter() - t)
    enc, train_s = _ENCODERS[key]
    if readout == 'mean': enc = Encoder(enc.model, {k: v for k, v in enc.spec.items() if k != 'bands'})
    t = time.perf_counter()
    return embed_windows(enc, wins, valid, cand.get('readout', 'mean')), train_s + time.perf_counter() - t


def run(a):
    from dvats.quality import measure
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
    done = set()
    if out.exists():
        old = pd.read_csv(out)
        done = set(zip(old.dataset, old.space, old.seed))
    torch.set_num_threads(a.threads)
    for seed in a.seeds:
        for q in qsets(a.datasets, seed):
            for space in a.spaces:
                if (q.name, space, seed) in done: continue
                f, secs = features(space, q, seed)
                if f is None: print(f"skipped {space}: not available (pycatch22 missing)", file=sys.stderr); continue
                rows = measure(f, q, seed, pipeline=not a.no_pipeline)
                rows.append(dict(dataset=q.name, measure='seconds', value=secs))
                df = pd.DataFrame(rows).assign(space=space, seed=seed)[['dataset', 'space', 'seed', 'measure', 'value']]
                df.to_csv(out, mode='a', header=not out.exists(), index=False)
                print(f"{q.name:12s} {space:22s} seed {seed}: " +
                      ' '.join(f"{r.measure}={r.value:.2f}" for r in df.itertuples()), flush=True)


def markdown(tab):
    "A DataFrame as a markdown table (no tabulate needed)."
    head = ['', *map(str, tab.columns)]
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for idx, row in tab.iterrows():
        name = ' · '.join(map(str, idx)) if isinstance(idx, tuple) else str(idx)
        lines.append('| ' + ' | '.join([name, *map(str, row.tolist())]) + ' |')
    return '\n'.join(lines)


def table(a):
    from dvats.quality import summarise
    rows = pd.concat([pd.read_csv(f) for f in a.csv])
    if a.spaces: rows = rows[rows.space.isin(a.spaces)]
    tab = summarise(rows)
    order = [s for s in (a.spaces or list(dict.fromkeys(rows.space)))]
    tab = tab[[s for s in order if s in tab.columns]]
    print(markdown(tab.fillna('')) if a.markdown else tab.to_string())


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('run')
    r.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    r.add_argument('--spaces', nargs='+', default=['raw_pca', 'fft', 'catch22', 'bands', 'random', 'mvp', 'mvp_bands'])
    r.add_argument('--datasets', nargs='+', default=['events', 'demo', 'BasicMotions'])
    r.add_argument('--out', default='runs/quality/results.csv')
    r.add_argument('--threads', type=int, default=1)
    r.add_argument('--no-pipeline', action='store_true', help='skip UMAP + HDBSCAN (k-means only)')
    t = sub.add_parser('table')
    t.add_argument('csv', nargs='+'); t.add_argument('--spaces', nargs='+')
    t.add_argument('--markdown', action='store_true')
    a = p.parse_args()
    run(a) if a.cmd == 'run' else table(a)
