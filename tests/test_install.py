"""The lock installs into a brand-new venv, created the way `make install` creates it, whatever the registry holds
today.

`make install` runs `tools/install.sh`: a pinned pip (tools/installer.lock, hash checked) first, then requirements.lock
with --no-deps, so pip resolves nothing. This test runs that same script in --dry-run mode on a new venv (about 20 s:
pip reads each file's metadata and hash, installs nothing) and checks pip's report against the lock.

What it proves: every pinned file is found for this platform and Python with a hash the lock lists, the installer is the
pinned one (not the venv's bundled pip), and what pip would install is exactly the lock, nothing added by a resolver
(the old install let pip 23.2.1 resolve `uvicorn[standard]` to a release newer than the lock and fail in
--require-hashes mode).
What it does not: that the packages import and agree with each other. `make install`'s real install runs `pip check`
after the lock, and every other test runs on it."""
import json, os, re, subprocess
from pathlib import Path
import pytest

REPO = Path(__file__).resolve().parents[1]


def pins(lock:Path) -> dict:
    "{normalised name: (version, {sha256, ...})} of a pip requirements file with hashes."
    out, name = {}, None
    for line in lock.read_text().splitlines():
        m = re.match(r'^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)', line)
        if m: name = re.sub(r'[-_.]+', '-', m[1]).lower(); out[name] = (m[2], set())
        for h in re.findall(r'--hash=sha256:([0-9a-f]{64})', line): out[name][1].add(h)
    return out


def test_pins_parse():
    lock = pins(REPO / 'requirements.lock')
    assert lock['torch'][0] == '2.14.1' and lock['torchvision'][0] == '0.29.1'
    assert all(hashes for _, hashes in lock.values()), 'every pin carries at least one hash'
    assert list(pins(REPO / 'tools' / 'installer.lock')) == ['pip']


def test_make_install_runs_the_script():
    "The check below runs what `make install` runs."
    out = subprocess.run(['make', '-n', '-B', 'install'], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert 'tools/install.sh .venv' in out, out


@pytest.fixture(scope='module')
def report(tmp_path_factory):
    venv, rep = tmp_path_factory.mktemp('venv') / 'new', tmp_path_factory.mktemp('report') / 'report.json'
    env = {k: v for k, v in os.environ.items() if not k.startswith(('PIP_', 'VIRTUAL_ENV'))}
    env.update(PYTHON='python3', REPORT=str(rep))            # as make install: the machine's python3 makes the venv
    r = subprocess.run(['bash', str(REPO / 'tools' / 'install.sh'), str(venv), '--dry-run'], env=env,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    version = subprocess.run([str(venv / 'bin' / 'python'), '-m', 'pip', '--version'], capture_output=True,
                             text=True).stdout
    return json.loads(rep.read_text()), version


def test_the_installer_is_the_pinned_pip(report):
    _, version = report
    assert version.split()[1] == pins(REPO / 'tools' / 'installer.lock')['pip'][0], version


def test_the_lock_installs_as_pinned(report):
    rep, _ = report
    lock = pins(REPO / 'requirements.lock')
    got = {re.sub(r'[-_.]+', '-', i['metadata']['name']).lower(): i for i in rep['install']}
    assert set(got) == set(lock), (f"not in the lock: {sorted(set(got) - set(lock))}; "
                                   f"in the lock, not installed: {sorted(set(lock) - set(got))}")
    wrong = {n: (i['metadata']['version'], lock[n][0]) for n, i in got.items()
             if i['metadata']['version'] != lock[n][0]}
    assert not wrong, f'versions other than the lock (got, pinned): {wrong}'
    unhashed = [n for n, i in got.items()
                if i['download_info'].get('archive_info', {}).get('hashes', {}).get('sha256') not in lock[n][1]]
    assert not unhashed, f'files whose sha256 the lock does not list: {unhashed}'
