"""One writer per run folder, and resource failures as user errors, tried with real processes, a real full disk and a
real read-only file system (`dvats.store.writing`, `reading`, `resource_error`)."""
import json, os, shutil, signal, subprocess, sys
import pytest, yaml
from dvats.store import writer_record

DVATS = [sys.executable, '-m', 'dvats']
QUICK = 'encoder:\n  epochs: 1\ndr:\n  method: pca\nlrp:\n  evaluate: false\n'
ENV = {**os.environ, 'PYTHONUNBUFFERED': '1'}
# mounting a tmpfs, and running as another user, need root (the CI machine runs the tests as root)
ROOT = os.geteuid() == 0


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    from dvats.demo import make_demo_series
    d = tmp_path_factory.mktemp('reliability')
    make_demo_series(n_steps=1500)[0].to_csv(d / 'data.csv')
    (d / 'quick.yaml').write_text(QUICK)
    return d


def args(d, out, *more):
    return DVATS + ['run', str(d / 'data.csv'), '--config', str(d / 'quick.yaml'), '--w', '32', '--stride', '4',
                    '--out', str(out), *map(str, more)]


def dvats(*a, **kw):
    return subprocess.run(DVATS + [str(x) for x in a], capture_output=True, text=True, env=ENV, timeout=600, **kw)


def one_error_line(r, *words):
    "The run failed as a user error: exit 2, one line on stderr naming `words`, no traceback."
    assert r.returncode == 2, (r.returncode, r.stderr[-3000:])
    lines = [msg for msg in r.stderr.splitlines() if msg.startswith('dvats: error:')]
    assert len(lines) == 1 and 'Traceback' not in r.stderr, r.stderr[-3000:]
    assert all(w in lines[0] for w in words), lines[0]
    return lines[0]


def consistent(out):
    "The folder opens with `load_result` and holds one run: metrics.json counts the clusters windows.parquet holds."
    from dvats.result import load_result
    res = load_result(out)
    n = int(res.windows.cluster[res.windows.cluster >= 0].nunique())
    assert res.metrics['clustering']['n_clusters'] == n, (res.metrics['clustering']['n_clusters'], n)
    return res


@pytest.fixture(scope='module')
def two_writers(data):
    "Two `dvats run` into one folder, started together with seeds 0 and 1."
    out = data / 'shared'
    ps = [subprocess.Popen(args(data, out, '--seed', s), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env=ENV) for s in (0, 1)]
    rs = [(p.pid, *p.communicate(timeout=600), p.returncode) for p in ps]
    return out, rs


def test_two_writers_one_folder(two_writers):
    out, rs = two_writers
    codes = sorted(r[3] for r in rs)
    assert codes == [0, 2], [(c, e[-2000:]) for _, _, e, c in rs]
    (win_pid, *_), (_, _, err, _) = sorted(rs, key=lambda r: r[3])
    line = [msg for msg in err.splitlines() if msg.startswith('dvats: error:')]
    assert (len(line) == 1 and 'is being written by dvats run' in line[0] and f'PID {win_pid} ' in line[0]
            and '--out' in line[0]), err[-2000:]
    assert 'Traceback' not in err
    print(line[0])
    winner_seed = [0, 1][[r[0] for r in rs].index(win_pid)]
    assert yaml.safe_load((out / 'config.yaml').read_text())['seed'] == winner_seed
    consistent(out)
    assert writer_record(out)['state'] == 'finished'


def test_holder_killed_then_next_run_proceeds(data, two_writers):
    out, rs = two_writers
    seed = yaml.safe_load((out / 'config.yaml').read_text())['seed']
    before = json.loads((out / 'stages.json').read_text())
    # a holder still training when it is killed
    (data / 'long.yaml').write_text(QUICK.replace('epochs: 1', 'epochs: 50'))
    holder = subprocess.Popen(DVATS + ['run', str(data / 'data.csv'), '--config', str(data / 'long.yaml'), '--w', '32',
                                       '--stride', '4', '--out', str(out), '--seed', '7'],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV)
    seen = []
    for line in holder.stdout:  # its first epoch ends: the lock is held and the encoder stage has begun
        seen.append(line)
        if line.startswith('encoder: epoch'): break
    os.kill(holder.pid, signal.SIGSTOP)             # frozen mid-training, however slow the other processes are to start
    second = dvats(*args(data, out, '--seed', seed)[3:])
    one_error_line(second, 'is being written by dvats run', f'PID {holder.pid} ')
    reader = dvats('explain', out, '--windows', '3-5')
    one_error_line(reader, 'is being written by', f'PID {holder.pid} ', 'wait for it to finish')
    os.kill(holder.pid, signal.SIGKILL); holder.wait()          # SIGKILL ends a stopped process too
    assert holder.returncode == -signal.SIGKILL, ''.join(seen)
    print(one_error_line(second, 'is being written'), one_error_line(reader, 'is being written'), sep='\n')
    print(one_error_line(dvats('explain', out, '--windows', '3-5'), 'half-updated', f'PID {holder.pid} ',
                         'it was killed', 'same --out'))
    after = json.loads((out / 'stages.json').read_text())
    untouched = {s for s in after if after[s] == before.get(s)} - {'series'}     # stages the holder never reached
    assert 'encoder' not in after and {'embeddings', 'report'} <= untouched, (sorted(after), sorted(untouched))
    again = dvats(*args(data, out, '--seed', seed)[3:])      # the kill freed the lock: the next run proceeds
    assert again.returncode == 0, again.stderr[-3000:]
    assert 'encoder: done' in again.stdout  # the stage the holder died in is computed again (same seed: same bytes)...
    for s in untouched: assert f'{s}: reused' in again.stdout, (s, again.stdout)   # ...and the finished ones are reused
    consistent(out)
    assert dvats('explain', out, '--windows', '3-5').returncode == 0


@pytest.fixture
def tmpfs(tmp_path):
    "A mount point for a small tmpfs, unmounted after the test."
    if not ROOT: pytest.skip('mounting a tmpfs needs root')
    mnt = tmp_path / 'mnt'; mnt.mkdir()
    yield mnt
    subprocess.run(['umount', '-l', str(mnt)], capture_output=True)


def mount(mnt, opts):
    r = subprocess.run(['mount', '-t', 'tmpfs', '-o', opts, 'tmpfs', str(mnt)], capture_output=True, text=True)
    if r.returncode: pytest.skip(f'cannot mount a tmpfs here: {r.stderr.strip()}')


def test_full_disk(data, two_writers, tmpfs):
    done, _ = two_writers
    sizes = {f.name: f.stat().st_size for f in done.iterdir() if f.is_file()}
    kb = (sum(sizes.values()) - sizes['report.html']) // 2 // 1024     # room for about half of a run's files
    mount(tmpfs, f'size={kb}k')
    out = tmpfs / 'run'
    r = dvats(*args(data, out)[3:])
    msg = one_error_line(r, f'cannot write {out}/', 'no space left on the device', 'MB free',
                         'give another folder with --out')
    print(msg)
    finished = set(json.loads((out / 'stages.json').read_text()))
    assert 'series' in finished and 'report' not in finished, finished
    assert not list(out.glob('.*.tmp'))                    # no half-written temporary
    assert writer_record(out)['state'] == 'stopped'
    one_error_line(dvats('explain', out, '--windows', '3-5'), 'half-updated', 'dvats run (PID', '--out',
                   'no space left on the device (')
    subprocess.run(['mount', '-o', 'remount,size=256m', str(tmpfs)], check=True)
    again = dvats(*args(data, out)[3:])
    assert again.returncode == 0, again.stderr[-3000:]
    for s in finished: assert f'{s}: reused' in again.stdout or s == 'series', (s, again.stdout)
    consistent(out)


def test_read_only_file_system(data, two_writers, tmpfs):
    done, _ = two_writers
    mount(tmpfs, 'size=64m')
    shutil.copytree(done, tmpfs / 'run')
    subprocess.run(['mount', '-o', 'remount,ro', str(tmpfs)], check=True)
    r = dvats(*args(data, tmpfs / 'run')[3:])
    msg = one_error_line(r, f'cannot write {tmpfs}/run/', 'the file system is read-only',
                         'give another folder with --out')
    print(msg)
    one_error_line(dvats(*args(data, tmpfs / 'new')[3:]), f'cannot write {tmpfs}/new', 'read-only')
    e = dvats('explain', tmpfs / 'run', '--windows', '3-5')    # a finished run on read-only media still opens
    assert e.returncode == 0, e.stderr[-3000:]


def test_folder_without_permission(data):
    if not ROOT: pytest.skip('running dvats as another user needs root')
    import tempfile
    d = tempfile.mkdtemp(); os.chmod(d, 0o755)  # pytest's own folders are root's only: nobody could not read the data
    try:
        from pathlib import Path
        d = Path(d)
        out = d / 'locked'; out.mkdir(mode=0o755)                # root's: nobody may not write in it
        home = d / 'home'; home.mkdir(); home.chmod(0o777)
        shutil.copy(data / 'data.csv', d / 'data.csv'); shutil.copy(data / 'quick.yaml', d / 'quick.yaml')
        r = subprocess.run(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', *args(d, out)],
                           capture_output=True, text=True, env={**ENV, 'HOME': str(home)}, timeout=600)
        msg = one_error_line(r, f'cannot write {out}/', 'permission denied',
                             'check its permissions or give another folder with --out')
        print(msg)
        assert list(out.iterdir()) == []
    finally: shutil.rmtree(d, ignore_errors=True)
