"""`dvats run --workers 2`: the chunked stages run as Dask tasks on a local cluster of 2 worker processes and the run's
files are those of the run in one process, byte for byte (the report names its own folder); a worker killed (SIGKILL)
while the embeddings are computed is replaced, its tasks run again, and the files are still the same. The local
cluster's workers share this machine's disk: they open the run's embeddings by path and write their results to files."""
import os, signal, subprocess, sys, threading, time
import psutil, pytest

import yaml
from _runs import run_bytes
from dvats.config import load_config, with_overrides
from dvats.stages import stage_outputs

pytest.importorskip('distributed')
DVATS = [sys.executable, '-m', 'dvats']
# stride 1 over 4,000 steps: 3,969 windows, 4 chunks of `get_embeddings` (EMBED_CHUNK), so the stage outlives a kill
# every chunked stage runs: UMAP and HDBSCAN fitted on 1,000 windows place and predict the others, the bank and per-step
# scores, the similar-windows table and the matrix profile among the windows
QUICK = ('encoder:\n  epochs: 2\n  epoch_windows: 64\ndr:\n  fit_windows: 1000\nclustering:\n  fit_windows: 1000\n'
         'lrp:\n  evaluate: false\n  max_windows: 300\nsimilar:\n  max_windows: 200\n'
         'matrix_profile:\n  enabled: true\n')
OUTPUTS = stage_outputs(with_overrides(load_config(yaml.safe_load(QUICK)), {'windows.w': 32, 'windows.stride': 1}),
                        reproducible=True)
ENV = {**os.environ, 'PYTHONUNBUFFERED': '1'}


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    from dvats.demo import make_demo_series
    d = tmp_path_factory.mktemp('engine')
    make_demo_series(n_steps=4000)[0].to_csv(d / 'data.csv')
    (d / 'quick.yaml').write_text(QUICK)
    return d, lambda out, *more: DVATS + ['run', str(d / 'data.csv'), '--config', str(d / 'quick.yaml'), '--w', '32',
                                          '--stride', '1', '--out', str(out), *more]


def worker_processes(pid):
    "The Dask worker processes a run started (its children that multiprocessing spawned)."
    try: kids = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess: return []
    out = []
    for k in kids:
        try:
            if 'spawn_main' in ' '.join(k.cmdline()): out.append(k)
        except psutil.NoSuchProcess: pass
    return out


def test_workers_kill_one_same_files(data):
    d, args = data
    here = subprocess.run(args(d / 'here'), capture_output=True, text=True, env=ENV, timeout=600)
    assert here.returncode == 0, here.stderr
    p = subprocess.Popen(args(d / 'there', '--workers', '2'), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, env=ENV)
    seen, killed = [], []
    def kill_when_embedding():  # the encoder is trained in the run's process; the embeddings are chunked
        while p.poll() is None and not any(s.startswith('encoder: done') for s in seen): time.sleep(0.05)
        time.sleep(0.5)
        workers = worker_processes(p.pid)
        if workers: workers[0].send_signal(signal.SIGKILL); killed.append(workers[0].pid)
    t = threading.Thread(target=kill_when_embedding); t.start()
    for line in p.stdout: seen.append(line)
    p.wait(timeout=600); t.join()
    log = ''.join(seen)
    assert p.returncode == 0, log
    assert 'engine: Dask, 2 workers (a local cluster)' in log, log
    assert killed, log                            # a worker was killed while the embeddings were computed ...
    assert 'embeddings: done' in log and log.index('encoder: done') < log.index('embeddings: done'), log
    # the projection and the clusters placed and predicted most windows: those stages' chunks ran on the workers too
    assert 'projection: umap fitted on 1,000 of the 3,969' in log and 'HDBSCAN fitted on 1,000 of the 3,969' in log, log
    for f in OUTPUTS:                             # ... and every file is the one-process run's, byte for byte
        assert run_bytes(d / 'there' / f) == run_bytes(d / 'here' / f), f
    assert not worker_processes(p.pid)


def test_scheduler_not_there(data, tmp_path):
    d, args = data
    r = subprocess.run(args(tmp_path / 'run', '--scheduler', 'tcp://127.0.0.1:9'), capture_output=True, text=True,
                       env=ENV, timeout=300)
    assert r.returncode != 0 and 'cannot reach a Dask scheduler' in r.stderr and 'Traceback' not in r.stderr, r.stderr
    assert not (tmp_path / 'run').exists() or not any((tmp_path / 'run').iterdir())     # nothing written
