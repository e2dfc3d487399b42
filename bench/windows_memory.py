"""Peak extra memory of dvats' windows + window table against the seed notebook's route.

Series: 1,000,000 rows x 6 channels float32 (24 MB) with 1% of values NaN, as sensor dropouts:
gaps of 20 consecutive rows in one channel (3,000 gaps); w=64, stride=1.
Seed route: tsai's `prepare_forecasting_data` (a view), then `np.isnan(X).any(axis=(1,2))`
and boolean indexing `X[valid]`, which materialises every valid window.
Memory is numpy's own allocations as traced by tracemalloc (peak minus what existed before),
measured side by side in one process on the same array. Run: .venv/bin/python bench/windows_memory.py
"""
import gc, time, tracemalloc, warnings
import numpy as np, pandas as pd
from dvats.io import load_series
from dvats.windows import sliding_windows, window_table, window_validity

N, C, W, STRIDE = 1_000_000, 6, 64, 1


def measure(f):
    "Run f(); return (result, seconds, peak extra bytes allocated during it)."
    gc.collect(); tracemalloc.start(); tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    t = time.perf_counter(); r = f(); dt = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return r, dt, peak


def main():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, C), dtype=np.float32)
    gap, n_gaps = 20, int(0.01 * N * C / 20)
    for start, ch in zip(rng.integers(0, N - gap, n_gaps), rng.integers(0, C, n_gaps)):
        x[start:start + gap, ch] = np.nan
    df = load_series(pd.DataFrame(x, columns=[f"ch{i}" for i in range(C)]))
    values = df.to_numpy(dtype=np.float32, copy=False)
    series_bytes = values.nbytes
    mb = lambda b: f"{b / 2**20:9.2f} MB"

    view, t_view, m_view = measure(lambda: sliding_windows(values, W, STRIDE))
    valid, t_val, m_val = measure(lambda: window_validity(values, W, STRIDE))
    tab, t_tab, m_tab = measure(lambda: window_table(df, W, STRIDE))
    table_bytes = int(tab.memory_usage(index=False, deep=True).sum())

    from tsai.data.preparation import prepare_forecasting_data
    def seed_route():
        X, _ = prepare_forecasting_data(df, fcst_history=W)
        rows_with_nan = np.isnan(X).any(axis=(1, 2))
        return X[~rows_with_nan]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        Xs, t_seed, m_seed = measure(seed_route)
    assert len(Xs) == valid.sum() == tab.valid.sum(), "the two routes disagree on the valid windows"
    del Xs

    print(f"series: {N:,} x {C} float32 = {mb(series_bytes)}, {np.isnan(x).mean():.2%} NaN, w={W}, stride={STRIDE}")
    print(f"windows: {len(view):,} ({int(valid.sum()):,} valid); "
          f"view shares memory with the series: {np.shares_memory(view, values)}")
    print()
    print(f"{'route':44s} {'peak extra':>12s} {'% series':>9s} {'time':>8s}")
    rows = [("dvats sliding_windows (view)", m_view, t_view),
            ("dvats window_validity (working memory)", m_val - valid.nbytes, t_val),
            ("dvats window_table, all columns", m_tab, t_tab),
            ("  of which the returned table itself", table_bytes, float('nan')),
            ("  window_table working memory (peak - table)", m_tab - table_bytes, float('nan')),
            ("seed: prepare_forecasting_data+isnan+index", m_seed, t_seed)]
    for name, m, t in rows:
        print(f"{name:44s} {mb(m)} {m / series_bytes:8.1%} " + (f"{t:7.2f}s" if t == t else f"{'':>8s}"))
    print()
    print(f"seed route / dvats window_table peak memory: {m_seed / m_tab:.0f}x; time: {t_seed / t_tab:.1f}x")
    print(f"target: dvats extra memory without the returned table <= 1% of the series: "
          f"{(m_tab - table_bytes) / series_bytes:.2%} -> "
          f"{'met' if m_tab - table_bytes <= 0.01 * series_bytes else 'NOT met'}")
    print(f"note: the table has one row per window (window, start, end: int64; valid: bool = 25 bytes/row), "
          f"so at stride 1 it is {table_bytes / series_bytes:.0%} of the series by construction.")


if __name__ == '__main__':
    main()
