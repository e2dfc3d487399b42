"""Run the notebooks' tests exactly as `nbdev-test` does, and keep each executed notebook (its outputs) in
`_build/executed/`.

`make test` runs this instead of a bare `nbdev-test`, so the docs site (`tools/docs.py`) renders the outputs of the run
that was tested, and nothing is executed twice. Usage: `python tools/notebooks.py [NOTEBOOK ...] [--n-workers N]`."""
import argparse, json, os, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXECUTED = ROOT / '_build' / 'executed'


# the test flags, the installed versions, what 02_layout reads (the README's table of run files)
PROJECT_FILES = ('pyproject.toml', 'requirements.lock', 'README.md')


def library_digest() -> str:
    "A digest of what every notebook runs on: the package (modules, front-end assets) and the project's files."
    from dvats.store import file_fingerprint
    package = sorted(q for q in (ROOT / 'dvats').rglob('*') if q.suffix in ('.py', '.js', '.css', '.html'))
    return file_fingerprint(*package, *[ROOT / f for f in PROJECT_FILES if (ROOT / f).is_file()])


def source_digest(nb:Path, library:str) -> str:
    "What a notebook's outputs depend on: the notebook itself and the package."
    from dvats.store import file_fingerprint, fingerprint
    return fingerprint(file_fingerprint(nb), library)


def stale(names=None) -> list:
    "The notebooks (paths) whose executed copy is missing or was made from other sources."
    library, out = library_digest(), []
    for nb in sorted((ROOT / 'nbs').glob('*.ipynb')):
        if names and nb.name not in names: continue
        try: ok = (json.loads((EXECUTED / nb.name).read_text())['metadata'].get('dvats_executed_from')
                   == source_digest(nb, library))
        except (OSError, ValueError, KeyError): ok = False
        if not ok: out.append(nb)
    return out


def shared_demo(paths) -> None:
    """Compute the default demo that notebooks share (`dvats.pipeline.cached_demo`) before they run: no notebook cell
    then waits for a training."""
    import subprocess
    os.environ.setdefault('DVATS_CACHE', str(ROOT / '_build' / 'cache'))   # the notebooks' kernels inherit it
    if not any('cached_demo(' in p.read_text() for p in paths): return
    # in its own process (torch and numba's OpenMP must not be loaded here: nbdev forks its workers from this one), with
    # every core, since nothing else runs yet
    env = {k: v for k, v in os.environ.items() if k not in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'NUMBA_NUM_THREADS')}
    t = time.perf_counter()
    # its errors go to stderr as they are
    base = subprocess.run([sys.executable, '-c', 'from dvats.pipeline import demo_base; print(demo_base())'], env=env,
                          check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
    print(f'the shared default demo: {os.path.relpath(base, ROOT)} ({time.perf_counter() - t:.0f} s)', flush=True)


def run(paths, n_workers:int=2) -> None:
    """Test `paths` with nbdev (its flags, its skip rules, its parallel workers); write each passing notebook with its
    outputs."""
    import nbdev.test
    from fastcore.nbio import write_nb
    library = library_digest()
    EXECUTED.mkdir(parents=True, exist_ok=True)

    def keep(nb, fn):                         # nbdev calls write_nb(nb, fn) after a notebook passes, when save=True
        nb.metadata['dvats_executed_from'] = source_digest(ROOT / 'nbs' / Path(fn).name, library)
        write_nb(nb, EXECUTED / Path(fn).name)

    nbdev.test.write_nb = keep                # the workers are forked, so they inherit it
    shared_demo(paths)
    names = '|'.join(p.name.replace('.', r'\.') for p in paths)
    # each notebook's time and every cell over 30 s are printed, so that a slow cell shows in make test's log
    nbdev.test.nbdev_test(path=str(ROOT / 'nbs'), n_workers=n_workers, save=True, file_re=f'^({names})$', timing=True,
                          cell_timing_min=30)


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='*', help='notebook names (default: all)')
    ap.add_argument('--n-workers', type=int, default=2)
    ap.add_argument('--stale', action='store_true', help='only those whose executed copy is missing or out of date')
    a = ap.parse_args()
    paths = stale(a.notebooks) if a.stale else [p for p in sorted((ROOT / 'nbs').glob('*.ipynb')) if not a.notebooks
                                                or p.name in a.notebooks]
    if paths: run(paths, a.n_workers)
    else: print('every executed notebook is up to date')
