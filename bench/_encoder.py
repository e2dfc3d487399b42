"""The default encoder of a benchmark series, trained once and kept in a folder, shared by the benchmarks in bench/."""
import time
from pathlib import Path
import numpy as np


def cached_encoder(series, seed:int, folder, w:int=48, stride:int=4, label:str=''):
    """`(encoder, windows, validity)` of `series`: the default encoder trained with `seed` and saved in `folder`, or
    loaded from it."""
    from dvats.windows import sliding_windows, window_validity
    from dvats.embeddings import train_encoder, load_encoder, save_encoder
    values = np.ascontiguousarray(series.to_numpy(np.float32))
    wins, valid = sliding_windows(values, w, stride), window_validity(values, w, stride)
    folder = Path(folder)
    if (folder/'encoder.pt').is_file(): return load_encoder(folder), wins, valid
    t = time.perf_counter()
    enc = train_encoder(wins, valid, channels=list(series.columns), seed=seed, log=None)
    folder.mkdir(parents=True, exist_ok=True); save_encoder(enc, folder)
    print(f"{label or folder}: encoder trained in {time.perf_counter() - t:.0f} s", flush=True)
    return enc, wins, valid
