"""Tags that change the scores, and a finished run applied to new data (issue 33): what they do to the anomaly scores,
measured.

marking: for the demo series and the plant series of bench/anomaly.py (seeds 0-2 each), the default run (kept in
runs/bench-rescore/<series>/seed<s>/), then windows marked normal as an analyst would, in two protocols: the longest
stretch of each of the 1, 3 and 5 largest clusters (the issue's), and the first 1, 3 and 5 false alarms met walking the
run's event list from the top (events that overlap no planted anomaly). Per-step AUC-PR and VUS-PR (buffer = w, the
lower quartile of the covering windows) of the default score (the memory bank of every window), of the bank rebuilt
from the marked windows alone ('the normal', `dvats rescore --normal-tag`) and of the marked windows found normal
('found normal', `dvats rescore --known-normal-tag` and the explorer's button: they join the bank of every window as
centroids of their own; checked against `rescore` itself on one case). For the false alarms, AUC-PR also on the steps
outside the marked events. Also: how many marked windows overlap a planted anomaly.

anomaly tag: per series and seed, each planted anomaly that no window above the threshold touches (a miss), tagged as a
known anomaly (`rescore --anomaly-tag`: the threshold lowered to its peak): the windows above the threshold, the share
overlapping a planted anomaly and the planted anomalies hit, before and after (mean over the misses).

apply: the run of seed 0 applied (`dvats.pipeline.apply`) to the series of seeds 1 and 2 (scored by seed 0's encoder,
bank and threshold) against the fresh run on that series: AUC-PR, VUS-PR, and the windows above the threshold (how many,
the share overlapping a planted anomaly, planted anomalies hit).

Run:   OMP_NUM_THREADS=2 python bench/rescore.py [--seeds 0 1 2] [--series demo plant]
       [--parts marking apply anomaly-tag]
"""
import argparse, shutil, sys, time, warnings
from pathlib import Path
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from anomaly import SERIES

QUIET = {'matrix_profile.enabled': False, 'report.html': False}   # what the measurements do not read


def default_run(name, seed, root):
    "The default run of series `name` and `seed`, computed once into `root` (a second call reuses every stage)."
    from dvats.pipeline import run
    series, truth = SERIES[name](seed)
    cols = {'anomaly': truth.anomaly.astype(int)}
    return run(series.assign(**cols), {'seed': seed, 'data': {'anomaly_col': 'anomaly'}}, Path(root)/name/f'seed{seed}',
               log=None, **QUIET), series, truth


def stretches(res, k):
    "The longest stretch (consecutive window ids) of each of the `k` largest clusters: what an analyst marks normal."
    cl = res.windows.cluster.fillna(-2).to_numpy()
    out = []
    for c in pd.Series(cl[cl >= 0]).value_counts().index[:k]:
        ids = np.flatnonzero(cl == c)
        out.append(max(np.split(ids, np.flatnonzero(np.diff(ids) != 1) + 1), key=len))
    return out


def measured(res, scores, flags, skip=None):
    "AUC-PR and VUS-PR of per-window `scores` as the run aggregates them per step (steps `skip` left out)."
    from dvats.anomaly import step_scores
    from dvats.detection import detection_scores
    wc, ac = res.config.windows, res.config.clustering.anomaly
    step = step_scores(scores, len(res.series), wc.w, wc.stride, ac.aggregation)
    d = detection_scores(step if skip is None else np.where(skip, np.nan, step), flags, buffer=wc.w)
    return d['auc_pr'], d['vus_pr']


def judged(res, flags, k_max=5):
    """The windows an analyst marks normal, in two protocols: 'clusters', the longest stretch of each of the 1, 3 and 5
    largest clusters (the issue's); 'false alarms', walking the run's event list (highest peak first) and marking the
    first 1, 3 and 5 events that overlap no planted anomaly. Yields (protocol, k, window ids, steps they cover)."""
    from dvats.overview import anomaly_events
    for k in (1, 3, 5):
        ids = np.concatenate(stretches(res, k))
        yield 'clusters', k, ids, None
    alarms = [r for _, r in anomaly_events(res, described=0).iterrows() if not flags[r.start:r.end].any()]
    for k in (1, 3, 5):
        if k > len(alarms): continue
        steps = np.zeros(len(flags), bool)
        for r in alarms[:k]: steps[r.start:r.end] = True
        yield 'false alarms', k, np.concatenate([np.arange(r['first'], r['last'] + 1) for r in alarms[:k]]), steps


def marking(names, seeds, root):
    """Per series, seed, protocol and k: per-step AUC-PR and VUS-PR of the default score ('none'), of the bank rebuilt
    from the marked windows alone ('the normal': `rescore --normal-tag`), and of the marked windows found normal ('found
    normal': `rescore --known-normal-tag`, the explorer's button: they join the bank of every window). For the false
    alarms, also AUC-PR on the steps outside the marked events ('_out'): the look-alikes, not the marked windows."""
    from dvats.anomaly import window_scores
    from dvats.windows import finite_rows, window_any
    rows = []
    for name in names:
        for seed in seeds:
            t = time.time(); res, series, truth = default_run(name, seed, root)
            emb, flags, wc = np.asarray(res.embeddings), truth.anomaly.to_numpy(bool), res.config.windows
            ok, bad = finite_rows(emb), window_any(flags, wc.w, wc.stride)
            none = res.windows.anomaly_score.to_numpy(np.float64)
            for protocol, k, ids, steps in judged(res, flags):
                ids = ids[ok[ids]]; mask = np.zeros(len(emb), bool); mask[ids] = True
                row = dict(series=name, seed=seed, protocol=protocol, marked=k, windows=len(ids),
                           on_anomaly=int(bad[ids].sum()))
                for how, s in (('none', none), ('the_normal', window_scores(emb, 'bank', normal=mask, seed=seed)),
                               ('found_normal', window_scores(emb, 'bank', known=mask, seed=seed))):
                    row[f'{how}_auc_pr'], row[f'{how}_vus_pr'] = measured(res, s, flags)
                    if steps is not None: row[f'{how}_auc_pr_out'] = measured(res, s, flags, steps)[0]
                rows.append(row)
            print(f"{name} seed {seed}: {time.time() - t:.0f} s", flush=True)
    return pd.DataFrame(rows)


def rescore_check(root):
    """`rescore` with a tag of the first false alarm found normal gives the numbers `marking` computes for it (the
    library's path, end to end)."""
    from dvats.rescore import rescore
    from dvats.result import load_result
    from dvats.tags import write_tags
    src, dst = Path(root)/'demo'/'seed0', Path(root)/'rescored'
    shutil.rmtree(dst, ignore_errors=True); shutil.copytree(src, dst)
    res = load_result(dst)
    flags = res.labels.anomaly.to_numpy(bool)
    _, _, ids, _ = next(j for j in judged(res, flags) if j[:2] == ('false alarms', 1))
    write_tags(res, {'alarm': ids})
    t = time.time(); r = rescore(dst, known_tag='alarm', log=None); dt = time.time() - t
    m = r.metrics['anomaly'][r.metrics['anomaly']['method']]
    return m['auc_pr'], m['vus_pr'], dt


def applying(names, seeds, root):
    from dvats.pipeline import apply
    rows = []
    for name in names:
        base = Path(root)/name/f'seed{seeds[0]}'
        for seed in seeds[1:]:
            series, truth = SERIES[name](seed)
            fresh, _, _ = default_run(name, seed, root)
            out = Path(root)/'applied'/name/f'seed{seed}'
            shutil.rmtree(out, ignore_errors=True)
            t = time.time()
            ap = apply(base, series.assign(anomaly=truth.anomaly.astype(int)), out, log=None, **{'report.html': False})
            dt = time.time() - t
            for how, r in (('fresh run', fresh), (f'seed {seeds[0]} applied', ap)):
                m = r.metrics['anomaly']; d, s = m[m['method']], m['selection']
                rows.append(dict(series=name, seed=seed, scored_by=how, auc_pr=d['auc_pr'], vus_pr=d['vus_pr'],
                                 threshold=m['threshold'],
                                 above=s['windows'], overlap=s['overlap_share'], hit=f"{s['events_hit']}/{s['events']}",
                                 apply_s=dt if 'applied' in how else None))
            print(f"apply {name} seed {seed}: {dt:.0f} s", flush=True)
    return pd.DataFrame(rows)


def anomaly_tagging(names, seeds, root):
    from dvats.detection import label_ranges, selection_hits
    from dvats.rescore import flagging_threshold
    from dvats.windows import window_any
    rows = []
    for name in names:
        for seed in seeds:
            res, series, truth = default_run(name, seed, root)
            flags, wc = truth.anomaly.to_numpy(bool), res.config.windows
            score, flagged = res.windows.anomaly_score.to_numpy(np.float64), res.windows.is_anomaly.to_numpy(bool)
            before = selection_hits(flagged, flags, wc.w, wc.stride)
            for a, b in zip(*label_ranges(flags)):
                one = np.zeros(len(flags), bool); one[a:b + 1] = True
                ids = np.flatnonzero(window_any(one, wc.w, wc.stride) & res.windows.valid.to_numpy())
                if flagged[ids].any() or not len(ids): continue          # hit already: nothing to learn from it
                thr = flagging_threshold(res, ids)
                after = selection_hits(np.nan_to_num(score.astype(np.float32).astype(np.float64), nan=-np.inf) > thr,
                                       flags, wc.w, wc.stride)
                rows.append(dict(series=name, seed=seed, start=int(a),
                                 threshold_before=res.metrics['anomaly']['threshold'], threshold_after=thr,
                                 above_before=before['windows'], above_after=after['windows'],
                                 overlap_before=before['overlap_share'],
                                 overlap_after=after['overlap_share'], hit_before=before['events_hit'],
                                 hit_after=after['events_hit'], events=before['events']))
    return pd.DataFrame(rows)


def spread(t, cols):
    g = t.groupby(['series', 'marked'])[cols]
    return g.mean().round(3).astype(str) + ' ± ' + g.std().round(3).astype(str)


if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--series', nargs='+', default=['demo', 'plant'])
    p.add_argument('--root', default='runs/bench-rescore')
    p.add_argument('--parts', nargs='+', default=['marking', 'apply', 'anomaly-tag'])
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    pd.set_option('display.width', 200)
    if 'anomaly-tag' in a.parts:
        at = anomaly_tagging(a.series, a.seeds, a.root)
        print("\na missed planted anomaly tagged as known (the threshold lowered to flag it): per miss\n"
              + at.round(3).to_string(index=False))
        print("\nmean over the misses:\n"
              + at.groupby('series')[['above_before', 'above_after', 'overlap_before', 'overlap_after', 'hit_before',
                                      'hit_after', 'events']].mean().round(3).to_string())
    if 'marking' in a.parts:
        t = marking(a.series, a.seeds, a.root)
        cols = ['none_auc_pr', 'the_normal_auc_pr', 'found_normal_auc_pr', 'none_vus_pr', 'the_normal_vus_pr',
                'found_normal_vus_pr']
        out = ['none_auc_pr_out', 'found_normal_auc_pr_out']
        print("\nmarking normal: per-step AUC-PR / VUS-PR, mean ± std over seeds", a.seeds, "(none: the default, a "
              "bank of every window; the normal: a bank of the marked windows alone; found normal: the marked "
              "windows join the bank of every window)")
        for protocol, g in t.groupby('protocol', sort=False):
            print(f"\n{protocol}:\n" + spread(g, cols + (out if protocol == 'false alarms' else [])).to_string())
        f = t[t.protocol == 'false alarms']
        for name, g in f.groupby('series', sort=False):
            d, d_out = g.found_normal_auc_pr - g.none_auc_pr, g.found_normal_auc_pr_out - g.none_auc_pr_out
            print(f"\n{name}, false alarms found normal: AUC-PR above none in {(d > 0).sum()} of {len(g)} cases "
                  f"(+{d.min():.3f} to +{d.max():.3f}); outside the marked events above in {(d_out > 0.0005).sum()}, "
                  f"within ±0.0005 in {(d_out.abs() <= 0.0005).sum()}, below in {(d_out < -0.0005).sum()}")
        print("\nper seed:\n" + t.round(3).to_string(index=False))
        ra, rv, dt = rescore_check(a.root)
        one = f[(f.series == 'demo') & (f.seed == 0) & (f.marked == 1)].iloc[0]
        print(f"\nrescore --known-normal-tag (demo seed 0, the first false alarm): AUC-PR {ra:.4f}, VUS-PR {rv:.4f} in "
              f"{dt:.1f} s; the table: {one.found_normal_auc_pr:.4f}, {one.found_normal_vus_pr:.4f}")
    if 'apply' in a.parts:
        ap = applying(a.series, a.seeds, a.root)
        print("\napply: the run of seed", a.seeds[0],
              "on the other seeds' series, against a fresh run on them\n" + ap.round(3).to_string(index=False))
