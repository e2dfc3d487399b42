"""Nothing is lost when `dvats run` is killed with SIGKILL during any stage: the next run completes, reuses the stages
that had finished, and ends with outputs byte-identical to those of an uninterrupted run."""
import json, os, signal, subprocess, sys
import pytest

import yaml
from _runs import run_bytes
from dvats.config import load_config, with_overrides
from dvats.stages import stages_for, stage_outputs

DVATS = [sys.executable, '-m', 'dvats']
# every stage a run can have without ground truth, with each sample size binding: budgeted training (64 windows an
# epoch), the similar table and the relevance on samples, and the optional matrix-profile lens
QUICK = ('encoder:\n  epochs: 2\n  epoch_windows: 64\ndr:\n  method: pca\nlrp:\n  evaluate: false\n  max_windows: 300\n'
         'similar:\n  max_windows: 200\nmatrix_profile:\n  enabled: true\n')
# what the runs below use
CONFIG = with_overrides(load_config(yaml.safe_load(QUICK)), {'windows.w': 32, 'windows.stride': 4})
STAGES = [s.name for s in stages_for(CONFIG)]                     # the declared stages this run has, in order
OUTPUTS = stage_outputs(CONFIG, reproducible=True)                 # their files whose bytes depend only on the inputs
ENV = {**os.environ, 'PYTHONUNBUFFERED': '1'}


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    from dvats.demo import make_demo_series
    d = tmp_path_factory.mktemp('kill')
    s, _ = make_demo_series(n_steps=2000)
    s.to_csv(d / 'data.csv')
    (d / 'quick.yaml').write_text(QUICK)
    args = lambda out: DVATS + ['run', str(d / 'data.csv'), '--config', str(d / 'quick.yaml'), '--w', '32',
                                '--stride', '4', '--out', str(out)]
    ref = subprocess.run(args(d / 'ref'), capture_output=True, text=True, env=ENV, timeout=600)
    assert ref.returncode == 0, ref.stderr
    return d, args


def kill_during(args, out, stage):
    "Start a run and SIGKILL it as soon as `stage` begins (when the line of the stage before it appears)."
    # the line that ends the stage before it ('done in' or 'reused'), not a note it prints as it starts
    # ('relevance: computed now for ...')
    triggers = ('windows:',) if stage == STAGES[0] else tuple(f'{STAGES[STAGES.index(stage) - 1]}: {w}'
                                                              for w in ('done in', 'reused'))
    p = subprocess.Popen(args(out), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV)
    seen = []
    for line in p.stdout:
        seen.append(line)
        if line.startswith(triggers): break
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    assert p.returncode == -signal.SIGKILL, ''.join(seen)
    m = out / 'stages.json'
    return set(json.loads(m.read_text())) if m.exists() else set()


def test_the_run_has_every_stage():
    "The stages below are all a run without ground truth can have (the explanation benchmark needs the demo's truth)."
    every = [s.name for s in stages_for(CONFIG.__class__())] + ['matrix-profile']
    assert set(STAGES) >= set(every) and 'matrix-profile' in STAGES, (STAGES, every)


def test_kill_each_stage_then_finish(setup):
    d, args = setup
    out = d / 'killed'
    for stage in STAGES:                                   # kill during each stage in turn, in the same run folder
        finished = kill_during(args, out, stage) & set(STAGES)
        # fast stages may finish first
        assert stage not in finished or stage in ('projection', 'similar', 'clusters', 'table', 'report')
        assert all(STAGES.index(s) <= STAGES.index(stage) for s in finished)
    r = subprocess.run(args(out), capture_output=True, text=True, env=ENV, timeout=600)
    assert r.returncode == 0, r.stderr
    for s in STAGES[:-1]:                                   # every stage finished by an earlier (killed) run is reused
        assert f'{s}: reused' in r.stdout, r.stdout
    for f in OUTPUTS:
        assert run_bytes(out / f) == run_bytes(d / 'ref' / f), f
    assert not list(out.glob('.*.tmp'))                    # no half-written temporary left behind
