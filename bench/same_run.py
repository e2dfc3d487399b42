"""Are two run folders the same run? Every file byte for byte, except what measures time.

    .venv/bin/python bench/same_run.py RUN_A RUN_B

`report.html` is skipped (it embeds plotly.js and the page's code); in `stages.json`, `metrics.json` and
`explanations.csv` the fields that hold seconds (`seconds`, `timings`, `s_per_1000`) are dropped before comparing,
and everything else in them must be equal. Prints one line per file and exits 1 when any file differs."""
import csv, io, json, sys
from pathlib import Path

SKIP = {'report.html'}
TIMING_KEYS = {'seconds', 'timings', 's_per_1000'}


def without_timings(obj):
    "A JSON value with every timing field removed, at any depth."
    if isinstance(obj, dict): return {k: without_timings(v) for k, v in obj.items() if k not in TIMING_KEYS}
    if isinstance(obj, list): return [without_timings(v) for v in obj]
    return obj


def comparable(path: Path):
    "What must be equal in `path`: its bytes, or its content without timing fields."
    if path.name.endswith('.json'): return without_timings(json.loads(path.read_text()))
    if path.name == 'explanations.csv':
        return [{k: v for k, v in r.items() if k not in TIMING_KEYS} for r in csv.DictReader(io.StringIO(path.read_text()))]
    return path.read_bytes()


def main(a: str, b: str) -> int:
    a, b = Path(a), Path(b)
    names = sorted({p.name for p in a.iterdir() if p.is_file()} | {p.name for p in b.iterdir() if p.is_file()})
    bad = 0
    for n in names:
        if n in SKIP: print(f"skipped    {n}"); continue
        if not (a/n).is_file() or not (b/n).is_file():
            print(f"ONLY IN {'A' if (a/n).is_file() else 'B'}  {n}"); bad += 1; continue
        same = comparable(a/n) == comparable(b/n)
        print(f"{'identical ' if same else 'DIFFERENT '} {n}" + ('' if (a/n).read_bytes() == (b/n).read_bytes() else ' (timing fields differ)' if same else ''))
        bad += not same
    print(f"{len(names) - len(SKIP & set(names)) - bad} of {len(names) - len(SKIP & set(names))} files the same")
    return 1 if bad else 0


if __name__ == '__main__':
    if len(sys.argv) != 3: sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
