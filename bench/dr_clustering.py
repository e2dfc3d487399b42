"""Time and memory of UMAP to 2-D and of HDBSCAN on that projection, from 10k to 1M rows of 128-d float32 embeddings.

Uses dvats.dr.project (method 'umap' or 'pca', device='cpu') and dvats.clustering.cluster (HDBSCAN,
core_dist_n_jobs=2, GLOSH outlier scores) when they import; otherwise it calls umap-learn / sklearn PCA / hdbscan
directly (TODO: drop that fallback once both modules are released) and says in its first line which route it used.

1. UMAP (n_components=2, n_neighbors=15, min_dist=0.1) on the same 10k x 128 float32 data, in this one process:
   first call with random_state=0 (includes numba JIT compilation) against the second call; then two calls with
   random_state=None (umap-learn's parallel route: the first of these also compiles the parallel kernels).
   random_state=0 forces one thread; None uses every numba thread (2 here).
2. Per size n in 10k, 100k, 1M: UMAP to 2-D (random_state=0, the default seed of `project`), HDBSCAN on the 2-D
   projection, the peak resident memory sampled during the row (psutil, every 5 ms) and the process peak
   (getrusage ru_maxrss, monotone). The 10k row reuses the second seeded call of part 1.
   HDBSCAN: min_cluster_size = max(10, n // 100), i.e. a cluster must hold 1% of the windows (~6 clusters of
   ~16% each here; a fixed small value fragments large layouts into many small clumps); min_samples = 10, fixed:
   hdbscan defaults min_samples to min_cluster_size (dvats.clustering.cluster caps it at 10), and
   core distances cost O(n * min_samples) time and memory (at 1M that default asks for 10,000 neighbours of
   every point, ~160 GB). Up to 100k hdbscan's default is timed too (last column). core_dist_n_jobs=2.
3. Time budget: before each UMAP and HDBSCAN step the time is estimated from the previous size with n*log(n)
   scaling times ESTIMATE_SAFETY=2 (measured here, 2 cores, quiet / busy machine: UMAP seeded 10k 10 / 12 s,
   100k 53 / 70 s, 1M still running after 22 min (busy) with 11.4 GiB peak RSS, its kNN graph alone ~18 min;
   HDBSCAN on PCA-2D at 1M 54 / 107-126 s); a step
   whose estimate does not fit in what is left of the run's budget (default 15 min) is skipped,
   with the estimate printed. When UMAP is skipped, HDBSCAN still runs if it fits, on a PCA 2-D projection
   (marked 'pca' in the table: different layout, so its time is only indicative of UMAP-2D's).
   Raise the budget with --budget-min 60 or DVATS_BENCH_BUDGET_MIN=60.

Data: a seeded mixture of 6 Gaussian clusters in 128-d (random centres N(0, 4^2), per-cluster std 0.5..1.5,
Dirichlet weights) plus 1% points uniform in the clusters' bounding box. ARI compares HDBSCAN's labels with
the generating labels (the uniform outliers as one more class, HDBSCAN noise as one more class).
Run: .venv/bin/python bench/dr_clustering.py [--budget-min 15] [--sizes 10000,100000,1000000] [--cold-jit]
--cold-jit points NUMBA_CACHE_DIR at an empty folder, so part 1's first call also pays for what numba
otherwise reads from its on-disk cache (as on a fresh install).
"""
import argparse, math, os, resource, tempfile, time, warnings

D, K, OUTLIER_FRAC, MIN_SAMPLES, N_JOBS = 128, 6, 0.01, 10, 2
DEFAULT_MS_MAX_N = 100_000   # also time HDBSCAN with min_samples=min_cluster_size (hdbscan's default) up to this size
# n*log(n) from 100k underestimated 1M on a busy machine: UMAP > 22 min (est. 14.5), HDBSCAN 107-126 s (75 s)
ESTIMATE_SAFETY = 2.0
UMAP_KW = dict(n_components=2, n_neighbors=15, min_dist=0.1)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--budget-min', type=float, default=float(os.environ.get('DVATS_BENCH_BUDGET_MIN', 15)),
                   help='wall-clock budget of the whole run in minutes (env DVATS_BENCH_BUDGET_MIN; default 15)')
    p.add_argument('--sizes', default='10000,100000,1000000', help='comma-separated row counts; the first is part 1\'s')
    p.add_argument('--cold-jit', action='store_true', help='empty numba cache folder for this run')
    return p.parse_args()


ARGS = parse_args()
if ARGS.cold_jit: os.environ['NUMBA_CACHE_DIR'] = tempfile.mkdtemp(prefix='numba_cache_')
warnings.simplefilter('ignore', FutureWarning)
warnings.filterwarnings('ignore', message='n_jobs value')
T0 = time.perf_counter()

import numpy as np
from _memory import PeakRSS


def make_embeddings(n, d=D, k=K, outlier_frac=OUTLIER_FRAC, seed=0):
    "Seeded (n, d) float32 mixture of `k` Gaussian clusters plus `outlier_frac` uniform outliers; labels (-1: outlier)."
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 4, (k, d)).astype(np.float32)
    scales = rng.uniform(0.5, 1.5, k).astype(np.float32)
    weights = rng.dirichlet(np.full(k, 5.0))
    n_out = int(round(n * outlier_frac)); n_in = n - n_out
    lab = rng.choice(k, n_in, p=weights)
    x = np.empty((n, d), np.float32)
    x[:n_in] = rng.standard_normal((n_in, d), dtype=np.float32)
    x[:n_in] *= scales[lab, None]; x[:n_in] += centres[lab]
    lo, hi = x[:n_in].min(0), x[:n_in].max(0)
    x[n_in:] = rng.uniform(lo, hi, (n_out, d)).astype(np.float32)
    y = np.concatenate([lab, np.full(n_out, -1)])
    perm = rng.permutation(n)
    return x[perm], y[perm]


def ru_maxrss_gib(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20   # Linux: KiB


try:
    from dvats.dr import project as _dvats_project
    PROJECT_VIA = 'dvats.dr.project'
except ImportError:
    _dvats_project, PROJECT_VIA = None, 'umap-learn / sklearn directly'


def run_project(x, method='umap', seed=0):
    "2-D projection of `x` as float32, via dvats.dr.project when it imports."
    if _dvats_project is not None:
        kw = dict(UMAP_KW, device='cpu') if method == 'umap' else {}
        kw.pop('n_components', None)
        return _dvats_project(x, method=method, n_components=2, seed=seed, **kw)
    if method == 'umap':
        import umap
        return umap.UMAP(random_state=seed, **UMAP_KW).fit_transform(x).astype(np.float32)
    from sklearn.decomposition import PCA
    return PCA(n_components=2, random_state=seed).fit_transform(x).astype(np.float32)


try:
    from dvats.clustering import cluster as _dvats_cluster
    CLUSTER_VIA = 'dvats.clustering.cluster'
except ImportError:
    _dvats_cluster, CLUSTER_VIA = None, 'hdbscan directly'


def run_hdbscan(proj, n, min_samples=MIN_SAMPLES):
    "HDBSCAN labels of the 2-D projection (with GLOSH outlier scores computed, as the pipeline does)."
    mcs = max(10, n // 100)
    if _dvats_cluster is not None:
        return _dvats_cluster(proj, min_cluster_size=mcs, min_samples=min_samples).labels
    import hdbscan
    h = hdbscan.HDBSCAN(min_cluster_size=mcs, min_samples=min_samples, core_dist_n_jobs=N_JOBS).fit(proj)
    h.outlier_scores_
    return h.labels_


def timed(f, *a, **kw):
    t = time.perf_counter(); r = f(*a, **kw); return r, time.perf_counter() - t


def elapsed_min(): return (time.perf_counter() - T0) / 60
def left_min(): return ARGS.budget_min - elapsed_min()
def nlogn_estimate(t_prev, n_prev, n): return ESTIMATE_SAFETY * t_prev * (n * math.log(n)) / (n_prev * math.log(n_prev))
def fmt_s(s): return '-' if s is None else f'{s:,.1f}'


def main():
    sizes = [int(s) for s in ARGS.sizes.split(',')]
    print(f'dr_clustering bench: {os.cpu_count()} CPU cores, '
          f'numba threads {os.environ.get("NUMBA_NUM_THREADS", "default")}, '
          f'budget {ARGS.budget_min:g} min, projection via {PROJECT_VIA}, clustering via {CLUSTER_VIA}, '
          f'numba cache {"empty (--cold-jit)" if ARGS.cold_jit else "as installed"}')
    from importlib.metadata import version
    import umap, hdbscan  # noqa: F401 (imported here, so the imports' time is paid before the timings)
    print(f'numpy {np.__version__}, umap-learn {version("umap-learn")}, numba {version("numba")}, '
          f'pynndescent {version("pynndescent")}, hdbscan {version("hdbscan")}, '
          f'scikit-learn {version("scikit-learn")}; '
          f'imports done at {time.perf_counter() - T0:.1f} s\n')

    # ---- 1. first vs second call, seeded and parallel --------------------------------------------------------
    n0 = sizes[0]
    x, y = make_embeddings(n0)
    print(f'[1] UMAP on the same {n0:,} x {D} float32 data, one process')
    with PeakRSS(0.005) as mem0:
        _, t_first = timed(run_project, x, 'umap', 0)
        print(f'    random_state=0,    1st call: {t_first:7.1f} s   (includes numba JIT compilation)', flush=True)
        proj0, t_second = timed(run_project, x, 'umap', 0)
        print(f'    random_state=0,    2nd call: {t_second:7.1f} s   ratio 1st/2nd = {t_first / t_second:.1f}x',
              flush=True)
        _, t_par1 = timed(run_project, x, 'umap', None)
        print(f'    random_state=None, 1st call: {t_par1:7.1f} s   (parallel route; compiles its parallel kernels)',
              flush=True)
        _, t_par2 = timed(run_project, x, 'umap', None)
        print(f'    random_state=None, 2nd call: {t_par2:7.1f} s   parallel/seeded 2nd calls = '
              f'{t_par2 / t_second:.2f}x '
              f'({"parallel faster" if t_par2 < t_second else "seeded single thread faster"} '
              f'on {os.cpu_count()} cores)', flush=True)
    print(f'    JIT cost of the 1st seeded call ~ {t_first - t_second:.0f} s; '
          'the 10k row below reuses the 2nd seeded call\n')

    # ---- 2. sizes ------------------------------------------------------------------------------------------
    rows, prev_umap, prev_hdb, stop_note = [], None, None, []
    for n in sizes:
        print(f'[2] n = {n:,}  ({elapsed_min():.1f} min elapsed, {left_min():.1f} min of the budget left)', flush=True)
        row = dict(n=n, umap=None, hdb=None, proj='umap', k=None, noise=None, ari=None, note='', hdb_def='-')
        with PeakRSS(0.005) as mem:
            if n == n0:
                row['gen'] = None; proj, row['umap'] = proj0, t_second
            else:
                (x, y), row['gen'] = timed(make_embeddings, n)
                est = nlogn_estimate(*prev_umap, n) if prev_umap else None
                if est is not None and est / 60 > left_min():
                    msg = (f'UMAP skipped: estimated {est / 60:.1f} min > {left_min():.1f} min left of the '
                           f'{ARGS.budget_min:g}-min budget')
                    print('    ' + msg + ' (raise with --budget-min or DVATS_BENCH_BUDGET_MIN)', flush=True)
                    stop_note.append(f'UMAP stops before n={n:,}: {msg}')
                    proj, t_pca = timed(run_project, x, 'pca', 0)
                    row['proj'], row['note'] = 'pca', f'UMAP est. {est / 60:.0f} min; PCA-2D took {t_pca:.1f} s'
                else:
                    proj, row['umap'] = timed(run_project, x, 'umap', 0)
                    print(f'    UMAP: {row["umap"]:.1f} s' + (f' (estimate was {est:.0f} s)' if est else ''),
                          flush=True)
            est = nlogn_estimate(*prev_hdb, n) if prev_hdb else None
            if est is not None and est / 60 > left_min():
                msg = f'HDBSCAN skipped: estimated {est / 60:.1f} min > {left_min():.1f} min left'
                print('    ' + msg, flush=True); stop_note.append(f'HDBSCAN stops at n={n:,}: {msg}')
            else:
                labels, row['hdb'] = timed(run_hdbscan, proj, n)
                from sklearn.metrics import adjusted_rand_score
                row['k'], row['noise'] = int(labels.max() + 1), float((labels < 0).mean())
                row['ari'] = adjusted_rand_score(y, labels)
                print(f'    HDBSCAN on {row["proj"]}-2D: {row["hdb"]:.1f} s'
                      + (f' (estimate was {est:.0f} s)' if est else '')
                      + f', {row["k"]} clusters, noise {row["noise"]:.1%}', flush=True)
                if row['proj'] == 'umap' or prev_hdb is None: prev_hdb = (row['hdb'], n)
            # hdbscan's own default, min_samples = min_cluster_size: its neighbour table is n x min_cluster_size
            table_gb = n * max(10, n // 100) * 16 / 1e9
            if n <= DEFAULT_MS_MAX_N and row['hdb'] is not None:
                with PeakRSS(0.005) as m2:
                    _, t = timed(run_hdbscan, proj, n, max(10, n // 100))
                row['hdb_def'] = f'{t:.1f} s / {m2.peak_gib:.2f} GiB'
                print(f'    HDBSCAN min_samples=min_cluster_size (hdbscan default): {row["hdb_def"]} peak', flush=True)
            else:
                row['hdb_def'] = f'not run (~{table_gb:,.0f} GB table)'
        if row['umap'] is not None: prev_umap = (row['umap'], n)
        row['peak'] = max(mem.peak_gib, mem0.peak_gib) if n == n0 else mem.peak_gib
        row['maxrss'] = ru_maxrss_gib()
        rows.append(row)
        del proj, x, y

    # ---- 3. table ------------------------------------------------------------------------------------------
    print(f'\nResults ({os.cpu_count()} cores; UMAP random_state=0, HDBSCAN min_cluster_size=max(10, n//100), '
          f'min_samples={MIN_SAMPLES}, core_dist_n_jobs={N_JOBS}; total {elapsed_min():.1f} min)')
    hdr = (f'{"n":>10} | {"data s":>6} | {"UMAP s":>8} | {"HDBSCAN s":>9} | {"on":>4} | {"clusters":>8} | '
           f'{"noise":>6} | {"ARI":>5} | {"peak RSS GiB":>12} | {"ru_maxrss GiB":>13} | '
           f'{"HDBSCAN min_samples=mcs":>24} | note')
    print(hdr); print('-' * len(hdr))
    for r in rows:
        print(f'{r["n"]:>10,} | {fmt_s(r["gen"]):>6} | {("skipped" if r["umap"] is None else fmt_s(r["umap"])):>8} | '
              f'{("skipped" if r["hdb"] is None else fmt_s(r["hdb"])):>9} | {r["proj"]:>4} | '
              f'{"-" if r["k"] is None else r["k"]:>8} | '
              f'{"-" if r["noise"] is None else format(r["noise"], ".1%"):>6} | '
              f'{"-" if r["ari"] is None else format(r["ari"], ".3f"):>5} | '
              f'{r["peak"]:>12.2f} | {r["maxrss"]:>13.2f} | {r["hdb_def"]:>24} | {r["note"]}')
    print('peak RSS: highest resident memory sampled during the row (whole process, data included); '
          'ru_maxrss: process peak so far (monotone).')
    print(f'HDBSCAN s: min_samples={MIN_SAMPLES}; column min_samples=mcs: min_samples=min_cluster_size, '
          'hdbscan\'s own default '
          '(time / peak RSS); its core-distance table is n x min_cluster_size neighbours (16 B each).')
    print('10k row: UMAP time is part 1\'s 2nd seeded call (no JIT); its peak RSS covers part 1.')
    for s in stop_note: print(s)
    if not stop_note: print(f'All sizes ran within the {ARGS.budget_min:g}-min budget.')


if __name__ == '__main__':
    main()
