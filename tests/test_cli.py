"""End-to-end tests of the `dvats` command in a subprocess: what a user types, what they see."""
import json, subprocess, sys
import numpy as np, pandas as pd, pytest, yaml

DVATS = [sys.executable, '-m', 'dvats']


def dvats(*args, cwd=None):
    return subprocess.run(DVATS + [str(a) for a in args], capture_output=True, text=True, cwd=cwd, timeout=900)


STEPS = 8000      # the demo series' length here: the default 20,000 runs in the notebooks (cached_demo) and `make demo`
N_WINDOWS = (STEPS - 48) // 4 + 1                               # w 48, stride 4


@pytest.fixture(scope='module')
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp('demo') / 'run'
    # the demo series through the real command, with a short encoder training and PCA: the full default demo (3 min)
    # runs in nbs/05a_clustering, in process. No config key asks for the explanation benchmark, so none runs
    # (asserted below).
    # the lens at 20,000 steps takes minutes; 07_pipeline runs it
    (out.parent / 'quick.yaml').write_text('encoder:\n  epochs: 1\ndr:\n  method: pca\n'
                                           'matrix_profile:\n  enabled: false\n')
    r = dvats('demo', '--out', out, '--config', out.parent / 'quick.yaml', '--steps', STEPS)
    assert r.returncode == 0, r.stderr
    return out, r


def test_demo_writes_config_and_windows(demo_run):
    out, r = demo_run
    w = pd.read_parquet(out / 'windows.parquet')
    assert len(w) == N_WINDOWS and w.valid.all()
    assert list(w.columns[:3]) == ['window', 'start', 'end'] and 'label' in w
    assert {'x', 'y', 'cluster', 'anomaly_score', 'is_anomaly', 'has_anomaly'} <= set(w.columns)
    assert np.isfinite(w.anomaly_score).all() and w.is_anomaly.mean() < 0.15
    m = json.loads((out / 'metrics.json').read_text())
    assert m['clustering']['ari'] is not None and m['anomaly']['bank']['auc_pr'] is not None
    assert 'anomalies:' in r.stdout and 'AUC-PR' in r.stdout
    cfg = yaml.safe_load((out / 'config.yaml').read_text())
    assert cfg['windows'] == {'w': 48, 'stride': 4} and cfg['data']['label_col'] == 'regime'
    assert 'Traceback' not in r.stderr


def test_demo_trains_encoder_and_embeds(demo_run):
    out, r = demo_run
    for f in ['encoder.pt', 'encoder.json', 'embeddings.npy', 'training.csv', 'training_curve.svg']:
        assert (out / f).is_file(), f
    emb = np.load(out / 'embeddings.npy', allow_pickle=False)
    assert emb.shape == (N_WINDOWS, 128 + 6 * 14) and emb.dtype == np.float32 and np.isfinite(emb).all()
    assert 'encoder: done in' in r.stdout and 'embeddings: done in' in r.stdout


def test_demo_explains_every_window(demo_run):
    out, r = demo_run
    rel = np.load(out / 'relevance.npy', mmap_mode='r', allow_pickle=False)
    assert rel.shape == (N_WINDOWS, 6, 48) and rel.dtype == np.float32 and np.isfinite(rel).all()
    emb = np.load(out / 'embeddings.npy', allow_pickle=False)
    ratio = rel.sum((1, 2)) / emb.sum(1)                     # LRP conserves the embedding's total
    assert np.percentile(ratio, 5) > 0.95 and np.percentile(ratio, 95) < 1.05
    assert 'relevance: done in' in r.stdout and 'explanations' not in json.loads((out / 'metrics.json').read_text())


def test_explain_prints_channels(demo_run):
    out, _ = demo_run
    r = dvats('explain', out, '--windows', '10-20')
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert (lines[0] == '11 window(s): 11 valid window(s), target embedding'
            and lines[1].split() == ['channel', 'signed', 'share'])
    assert sorted(line.split()[0] for line in lines[2:]) == [f'ch{i}' for i in range(6)], r.stdout
    r = dvats('explain', out, '--anomalies', '--contrast', '--json')
    recs = json.loads(r.stdout)
    assert (sorted(x['channel'] for x in recs) == [f'ch{i}' for i in range(6)]
            and abs(sum(x['share'] for x in recs) - 1) < 1e-6)
    for args, msg in [(['--windows', '5000'], f'window ids must be between 0 and {N_WINDOWS - 1}'),
                      (['--cluster', '9'], 'no window is in cluster 9')]:
        r = dvats('explain', out, *args)
        assert r.returncode == 2 and msg in r.stderr and 'Traceback' not in r.stderr, r.stderr


def test_second_demo_skips_finished_stages(demo_run):
    out, _ = demo_run
    before = {f: (out / f).read_bytes() for f in ['windows.parquet', 'encoder.pt', 'embeddings.npy', 'relevance.npy']}
    r = dvats('demo', '--out', out, '--config', out.parent / 'quick.yaml', '--steps', STEPS)
    assert r.returncode == 0, r.stderr
    for stage in ['encoder', 'embeddings', 'projection', 'similar', 'clusters', 'table', 'relevance']:
        assert f'{stage}: reused' in r.stdout, r.stdout
    assert {f: (out / f).read_bytes() for f in before} == before


def test_run_reuses_an_encoder(demo_run, tmp_path):
    out, _ = demo_run
    s = pd.read_parquet(out / 'demo_series.parquet').iloc[:3000]
    s.to_csv(tmp_path / 'part.csv', index=False)
    (tmp_path / 'pca.yaml').write_text('dr:\n  method: pca\n')
    r = dvats('run', tmp_path / 'part.csv', '--encoder', out / 'encoder.pt', '--config', tmp_path / 'pca.yaml', '--out',
              tmp_path / 'r')
    assert r.returncode == 0, r.stderr
    assert 'encoder: loaded' in r.stdout and 'epoch' not in r.stdout
    assert (tmp_path / 'r' / 'encoder.pt').read_bytes() == (out / 'encoder.pt').read_bytes()
    r = dvats('run', tmp_path / 'part.csv', '--encoder', out / 'encoder.pt', '--w', 32, '--out', tmp_path / 'r2')
    assert r.returncode == 2 and 'w=32 but the encoder was trained with w=48' in r.stderr, r.stderr


def test_run_on_csv_with_labels(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({'timestamp': pd.date_range('2024', periods=300, freq='s'),
                       'a': rng.normal(size=300), 'b': rng.normal(size=300), 'state': ['on'] * 150 + ['off'] * 150})
    df.loc[10, 'a'] = np.nan
    df.to_csv(tmp_path / 'plant.csv', index=False)
    (tmp_path / 'fast.yaml').write_text('encoder:\n  epochs: 1\ndr:\n  method: pca\n')
    r = dvats('run', tmp_path / 'plant.csv', '--label-col', 'state', '--w', 20, '--stride', 5, '--config', 'fast.yaml',
              cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    w = pd.read_parquet(tmp_path / 'runs' / 'plant' / 'windows.parquet')   # default --out: runs/<file name>
    assert len(w) == 57 and set(w.label) == {'on', 'off'}
    assert w.valid.tolist()[:4] == [False, False, False, True]               # row 10 is missing: windows 0-2 hold it
    assert str(w.start_time.dtype).startswith('datetime64')


BAD = {
    'missing file': (['run', 'nope.csv'], 'data file not found'),
    'unsupported format': (['run', 'data.xlsx'], "unsupported data format '.xlsx'"),
    'empty file': (['run', 'empty.csv'], 'data file is empty'),
    'unknown channel': (['run', 'ok.csv', '--channels', 'a,zz'], "channel(s) 'zz' not in the data"),
    'series shorter than w': (['run', 'ok.csv', '--w', 500], 'shorter than the window w=500'),
    'w < 2': (['run', 'ok.csv', '--w', 1], "'windows.w' is 1, out of range"),
    'stride < 1': (['run', 'ok.csv', '--stride', 0], "'windows.stride' is 0, out of range"),
    'unknown config key': (['run', 'ok.csv', '--config', 'bad.yaml'], "unknown config key 'windows.size'"),
}


@pytest.mark.parametrize('case', list(BAD))
def test_bad_input_is_one_clear_line(tmp_path, case):
    (tmp_path / 'data.xlsx').write_text('x')
    (tmp_path / 'empty.csv').write_text('')
    (tmp_path / 'bad.yaml').write_text('windows:\n  size: 3\n')
    pd.DataFrame({'a': np.arange(100.), 'b': np.arange(100.)}).to_csv(tmp_path / 'ok.csv', index=False)
    args, msg = BAD[case]
    r = dvats(*args, '--out', tmp_path / 'out', cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.startswith('dvats: error: ') and msg in r.stderr, r.stderr
    assert 'Traceback' not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / 'out').exists()        # nothing written


def test_help_is_light():
    r = subprocess.run([sys.executable, '-X', 'importtime', '-m', 'dvats', '--help'], capture_output=True, text=True)
    assert r.returncode == 0 and 'demo' in r.stdout
    imported = {line.split('|')[-1].strip().split('.')[0] for line in r.stderr.splitlines() if '|' in line}
    assert not imported & {'torch', 'umap', 'numba', 'fastai', 'tsai', 'pandas'}, imported & {'torch', 'umap', 'numba'}


def _new_day(path, seed=1, n_steps=3000, freq='1min', drop=None):
    """Another demo series (another seed) as a CSV with a time column and its planted anomalies: new data for a finished
    run."""
    from dvats.demo import make_demo_series
    s, t = make_demo_series(n_steps=n_steps, seed=seed)
    s = s.assign(anomaly=t.anomaly.astype(int))
    s.index = pd.date_range(s.index[0], periods=len(s), freq=freq, name='time')
    s.drop(columns=drop or []).to_csv(path)
    return path


def test_apply_places_new_data_on_the_run(demo_run, tmp_path):
    run, _ = demo_run
    new = _new_day(tmp_path / 'day2.csv')
    r = dvats('apply', run, new, '--out', tmp_path / 'applied', '--anomaly-col', 'anomaly')
    assert r.returncode == 0, r.stderr
    out = tmp_path / 'applied'
    cfg = yaml.safe_load((out / 'config.yaml').read_text())
    # the run it applies, as a relative path
    assert (out / cfg['base']).resolve() == run.resolve() and not cfg['base'].startswith('/')
    base_m, m = (json.loads((p / 'metrics.json').read_text()) for p in (run, out))
    assert m['anomaly']['threshold'] == base_m['anomaly']['threshold']  # the run's threshold, not one of its own
    assert m['anomaly']['bank']['auc_pr'] is not None
    w, base_w = pd.read_parquet(out / 'windows.parquet'), pd.read_parquet(run / 'windows.parquet')
    # the run's clusters
    assert len(w) == (3000 - 48) // 4 + 1 and set(w.cluster.dropna()) <= set(base_w.cluster.dropna()) | {-1}
    assert (out / 'encoder.pt').read_bytes() == (run / 'encoder.pt').read_bytes()
    assert '"base_x"' in (out / 'report.html').read_text()  # the run's windows, drawn in grey
    assert 'projection: ' in r.stdout and 'rebuilt and checked' in r.stdout


@pytest.mark.parametrize('case, words', [
    (dict(drop=['ch5']), 'ch5'),                  # a channel the run has is missing
    (dict(freq='2min'), 'resample'),             # another sampling step
    (dict(n_steps=1000, seed=2), None)])          # fits: a short day is fine
def test_apply_refuses_data_that_does_not_fit(demo_run, tmp_path, case, words):
    run, _ = demo_run
    r = dvats('apply', run, _new_day(tmp_path / 'day.csv', **case), '--out', tmp_path / 'a')
    if words is None: return None if r.returncode == 0 else pytest.fail(r.stderr)
    assert r.returncode == 2 and 'Traceback' not in r.stderr and words in r.stderr, r.stderr
    assert not (tmp_path / 'a' / 'config.yaml').exists()  # refused before anything was written


def test_rescore_with_a_tag_and_labels_out(demo_run, tmp_path):
    import shutil
    run = tmp_path / 'run'
    shutil.copytree(demo_run[0], run)
    assert dvats('tags', run, '--add', 'calm', '--windows', '0-300').returncode == 0
    r = dvats('rescore', run, '--normal-tag', 'calm')
    assert r.returncode == 0, r.stderr
    before, after = (line for line in r.stdout.splitlines() if line.startswith(('before:', 'after:')))
    assert 'AUC-PR' in before and 'AUC-PR' in after and before[7:] != after[7:].strip()
    assert yaml.safe_load((run / 'config.yaml').read_text())['clustering']['anomaly']['normal'] == ['0-300']
    r = dvats('rescore', run, '--normal-tag', 'nope')
    assert r.returncode == 2 and 'no tag' in r.stderr
    # the highest-scored window checked and found normal: added to the bank, it is no longer flagged
    w = pd.read_parquet(run / 'windows.parquet')
    top = int(w.anomaly_score.idxmax()); assert w.is_anomaly[top]
    assert dvats('tags', run, '--add', 'alarm', '--windows', top).returncode == 0
    r = dvats('rescore', run, '--known-normal-tag', 'alarm')
    assert r.returncode == 0, r.stderr
    anomaly = yaml.safe_load((run / 'config.yaml').read_text())['clustering']['anomaly']
    assert anomaly['known_normal'] == [str(top)] and anomaly['normal'] == ['0-300']
    assert not pd.read_parquet(run / 'windows.parquet').is_anomaly[top]
    r = dvats('rescore', run, '--known-normal-tag', 'alarm', '--known-normal', '3')
    assert r.returncode == 2 and 'not allowed with' in r.stderr
    # a known anomaly below the threshold: tagged, the threshold comes down until it is flagged
    w = pd.read_parquet(run / 'windows.parquet')
    below = w.anomaly_score[w.valid & ~w.is_anomaly].sort_values()
    quiet = int(below.index[len(below) // 2])                    # a window of middling score, below the threshold
    assert dvats('tags', run, '--add', 'fault', '--windows', quiet).returncode == 0
    r = dvats('rescore', run, '--anomaly-tag', 'fault')
    assert r.returncode == 0, r.stderr
    w2 = pd.read_parquet(run / 'windows.parquet')
    assert w2.is_anomaly[quiet] and w2.is_anomaly.sum() > w.is_anomaly.sum()
    assert yaml.safe_load((run / 'config.yaml').read_text())['clustering']['anomaly']['threshold'] == 'fixed'
    # labels out, and back in
    assert dvats('tags', run, '--export', tmp_path / 'l.csv', '--as', 'tsb-ad').returncode == 0
    t = pd.read_csv(tmp_path / 'l.csv')
    assert len(t) == STEPS and list(t.columns[-1:]) == ['Label'] and t.Label.iloc[:300 * 4 + 48].all()
    assert dvats('tags', run, '--export', tmp_path / 'l.json', '--as', 'label-studio').returncode == 0
    regions = json.loads((tmp_path / 'l.json').read_text())[0]['annotations'][0]['result']
    assert regions[0]['value']['timeserieslabels'] == ['calm'] and regions[0]['type'] == 'timeserieslabels'
    assert dvats('tags', run, '--remove', 'calm').returncode == 0
    r = dvats('tags', run, '--import', tmp_path / 'l.json', '--as', 'label-studio')
    assert r.returncode == 0 and 'calm' in r.stdout and '0-300' in r.stdout, r.stdout
