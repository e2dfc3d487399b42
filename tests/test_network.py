"""Nothing reaches the network at run time: a run, with Weights & Biases offline, completes inside a network namespace
that has no interface at all (`unshare -n`, which needs root, as on the CI machine)."""
import os, shutil, subprocess, sys
import pytest


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which('unshare'), reason='unshare -n needs root')
def test_run_without_any_network(tmp_path):
    from dvats.demo import make_demo_series
    s, _ = make_demo_series(n_steps=2000)
    s.to_csv(tmp_path / 'data.csv')
    (tmp_path / 'c.yaml').write_text('encoder:\n  epochs: 1\ndr:\n  method: pca\nlrp:\n  evaluate: false\n'
                                     'wandb:\n  mode: offline\n')
    probe = subprocess.run(['unshare', '-n', sys.executable, '-c',
                            'import socket; socket.create_connection(("pypi.org", 443), 3)'],
                           capture_output=True, text=True)
    assert probe.returncode != 0                                   # the namespace really has no network
    r = subprocess.run(['unshare', '-n', sys.executable, '-m', 'dvats', 'run', str(tmp_path / 'data.csv'),
                        '--config', str(tmp_path / 'c.yaml'), '--out', str(tmp_path / 'r')],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert ((tmp_path / 'r' / 'report.html').is_file()
            and list((tmp_path / 'r' / 'wandb' / 'wandb').glob('offline-run-*')))
