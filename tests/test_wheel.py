"""The wheel works on its own: built from the source (offline, no build isolation), installed into a clean virtual
environment outside the repository, it runs `dvats demo` from a folder outside the repository, ships the explorer's
front end (dvats/views/explorer.js, explorer.css, page.html), and the report it writes inlines that explorer.

Installing torch and the other dependencies again into the clean environment would take minutes and gigabytes, so
that environment sees them through a .pth file naming this environment's site-packages. A .pth line that is a path
only appends that folder to sys.path; the .pth files inside it are not run, so the editable install of dvats there
(its import finder) is never set up. The test proves it: the `dvats demo` process itself records, on exit, which file
every dvats module it imported came from, and all lie in the clean environment."""
import json, os, shutil, subprocess, sys, sysconfig, time, zipfile
from pathlib import Path
import pandas as pd, pytest, yaml

REPO = Path(__file__).resolve().parents[1]
ASSETS = ['explorer.js', 'explorer.css', 'page.html', 'compare.js', 'compare.html']
W, STRIDE = 32, 100   # 200 windows of the 20,000-step demo series
# the demo turns the matrix-profile lens on unless told: at 20,000 steps it takes minutes, and the wheel test is about
# packaging
TINY = {'encoder': {'epochs': 1, 'arch_kwargs': {'nf': 8, 'depth': 3}}, 'dr': {'method': 'pca'},
        'lrp': {'evaluate': False}, 'matrix_profile': {'enabled': False}}
# imported by the clean environment's interpreter at start-up (from a .pth line): when the variable is set, the process
# writes, as it exits, the file of every dvats module it imported, its sys.path and its import finders
PROBE = """import atexit, json, os, sys

def _report(path=os.environ.get('DVATS_WHEEL_PROBE')):
    mods = {n: getattr(m, '__file__', None) for n, m in list(sys.modules.items())
            if n == 'dvats' or n.startswith('dvats.')}
    with open(path, 'w') as f:
        json.dump({'modules': mods, 'path': sys.path, 'meta_path': [repr(x) for x in sys.meta_path]}, f)

if os.environ.get('DVATS_WHEEL_PROBE'): atexit.register(_report)
"""


def sh(*args, **kw):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600, **kw)
    assert r.returncode == 0, f"{args}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


def inside(p, root) -> bool:
    return Path(p).resolve().is_relative_to(Path(root).resolve())


@pytest.fixture(scope='module')
def wheel_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('wheel')
    assert not inside(tmp, REPO)
    # 1. the wheel, built from a copy of what the build reads (setuptools builds in the source folder: build/, egg-info)
    src = tmp / 'src'
    shutil.copytree(REPO / 'dvats', src / 'dvats', ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
    for f in ['pyproject.toml', 'README.md', *[p.name for p in REPO.glob('LICEN[CS]E*')]]:
        shutil.copy(REPO / f, src / f)
    t0 = time.perf_counter()
    sh(sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '--no-index', '-q', '-w',
       tmp / 'dist', src)
    t_build = time.perf_counter() - t0
    [whl] = (tmp / 'dist').glob('dvats-*.whl')
    # 2. a clean environment outside the repository, the wheel installed into it by its own pip, offline
    env_dir = tmp / 'venv'
    t0 = time.perf_counter()
    sh(sys.executable, '-m', 'venv', env_dir)
    py = env_dir / 'bin' / 'python'
    sh(py, '-m', 'pip', 'install', '--no-deps', '--no-index', '-q', '--disable-pip-version-check', whl)
    t_install = time.perf_counter() - t0
    site = Path(sh(py, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])').stdout.strip())
    deps = Path(sysconfig.get_paths()['purelib'])     # this environment's site-packages: torch, tsai, pandas, ...
    (site / '_dvats_test_deps.pth').write_text(f"{deps}\n")
    (site / '_dvats_test_probe.py').write_text(PROBE)
    (site / '_dvats_test_probe.pth').write_text('import _dvats_test_probe\n')
    # 3. `dvats demo` from a folder outside the repository, with a tiny config
    work = tmp / 'work'
    work.mkdir()
    (work / 'tiny.yaml').write_text(yaml.safe_dump(TINY))
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP')}
    env.update(DVATS_WHEEL_PROBE=str(tmp / 'probe.json'), PYTHONNOUSERSITE='1')
    t0 = time.perf_counter()
    demo = sh(env_dir / 'bin' / 'dvats', 'demo', '--out', 'run', '--config', 'tiny.yaml', '--w', W, '--stride', STRIDE,
              cwd=work, env=env)
    t_demo = time.perf_counter() - t0
    probe = json.loads((tmp / 'probe.json').read_text())
    with zipfile.ZipFile(whl) as z:
        views = {i.filename: i.file_size for i in z.infolist() if i.filename.startswith('dvats/views/')}
    print(f"\nwheel: {whl.name}, {whl.stat().st_size / 1e3:.1f} kB, built in {t_build:.1f} s; "
          f"clean venv + install {t_install:.1f} s")
    print('wheel dvats/views: ' + ', '.join(f"{Path(n).name} ({s / 1e3:.1f} kB)" for n, s in sorted(views.items())))
    print(f"dvats demo in {work} (w {W}, stride {STRIDE}, 1 epoch, PCA): {t_demo:.1f} s; "
          f"dvats imported from {probe['modules']['dvats']}")
    return dict(whl=whl, views=views, site=site, env_dir=env_dir, run=work / 'run', demo=demo, probe=probe,
                t_demo=t_demo)


def test_wheel_ships_the_front_end(wheel_run):
    for a in ASSETS:
        assert wheel_run['views'].get(f'dvats/views/{a}', 0) > 0, a
        installed = wheel_run['site'] / 'dvats' / 'views' / a
        assert installed.read_bytes() == (REPO / 'dvats' / 'views' / a).read_bytes(), a
    with zipfile.ZipFile(wheel_run['whl']) as z:
        names = z.namelist()
        entry = next(n for n in names if n.endswith('.dist-info/entry_points.txt'))
        assert 'dvats = dvats.cli:main' in z.read(entry).decode()
    assert not any('__pycache__' in n for n in names)


def test_demo_imported_the_wheel_not_the_repository(wheel_run):
    p, env_dir = wheel_run['probe'], wheel_run['env_dir']
    mods = p['modules']
    assert {'dvats', 'dvats.cli', 'dvats.pipeline', 'dvats.views.page'} <= set(mods)
    for name, f in mods.items():
        assert f is None or inside(f, env_dir), (name, f)          # every dvats module is the wheel's copy
        assert f is None or not inside(f, REPO / 'dvats'), (name, f)
    # .venv's editable finder never installed
    assert not any('__editable__' in f for f in p['meta_path']), p['meta_path']
    repo = REPO.resolve()
    for entry in p['path']:
        assert Path(entry or '.').resolve() != repo, p['path']                    # the source tree is not on sys.path
        assert not (Path(entry or '.') / 'dvats' / '__init__.py').is_file() or inside(entry, env_dir), entry


def test_demo_writes_data_and_report_with_the_explorer(wheel_run):
    run, d = wheel_run['run'], wheel_run['demo']
    assert 'Traceback' not in d.stderr and "done: " in d.stdout
    series, truth = pd.read_parquet(run / 'demo_series.parquet'), pd.read_parquet(run / 'demo_truth.parquet')
    assert len(series) == len(truth) == 20_000 and [f'ch{i}' for i in range(6)] <= list(series.columns)
    assert truth.anomaly.any() and set(truth.regime) == {0, 1, 2, 3}
    assert len(pd.read_parquet(run / 'windows.parquet')) == (20_000 - W) // STRIDE + 1
    cfg = yaml.safe_load((run / 'config.yaml').read_text())
    assert cfg['dr']['method'] == 'pca' and cfg['encoder']['epochs'] == 1 and cfg['matrix_profile']['enabled'] is False
    page = (run / 'report.html').read_text(encoding='utf-8')
    views = wheel_run['site'] / 'dvats' / 'views'
    assert '<div id="dvats-root"></div>' in page and 'id="dvats-data"' in page
    for a in ['explorer.js', 'explorer.css']: assert (views / a).read_text(encoding='utf-8') in page, a  # inlined whole
    for placeholder in ['/*DVATS_MODULE*/', '/*DVATS_CSS*/', '/*DVATS_PLOTLY*/', '__DVATS_DATA__', '__DVATS_TITLE__']:
        assert placeholder not in page, placeholder
