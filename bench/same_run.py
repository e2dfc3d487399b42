"""Are two run folders the same run? Every file byte for byte, except what measures time.

    .venv/bin/python bench/same_run.py RUN_A RUN_B

`report.html` is skipped (it embeds plotly.js and the page's code), and so are the locks (`writer.lock` records the
writing process and its times; `readers.lock` is empty). In JSON files and CSV tables the fields that
hold seconds (`seconds`, `timings`, `s_per_1000`) are dropped before comparing, and so are the byte sizes that
`stages.json` records of the files that hold them or are skipped; in plotly's HTML files the random id of the plot's
`div` is masked. Everything else must be equal. Prints one line per file and exits 1 when any file differs."""
import csv, io, json, re, sys
from pathlib import Path

SKIP = {'report.html', 'writer.lock', 'readers.lock'}
TIMING_KEYS = {'seconds', 'timings', 's_per_1000'}


# their sizes vary with the digits of a time
TIMED_FILES = {'training.csv', 'explanations.csv', 'metrics.json', 'stages.json'}
# a uuid4 per file, used again in its script
PLOTLY_DIV = re.compile(rb'<div id="([0-9a-f-]{36})" class="plotly-graph-div"')


def without_timings(obj):
    "A JSON value with every timing field (and the recorded size of every file holding one) removed, at any depth."
    if isinstance(obj, dict):
        return {k: without_timings(v) for k, v in obj.items() if k not in TIMING_KEYS | TIMED_FILES | SKIP}
    if isinstance(obj, list): return [without_timings(v) for v in obj]
    return obj


def comparable(path: Path):
    "What must be equal in `path`: its bytes, or its content without timing fields."
    if path.suffix == '.json': return without_timings(json.loads(path.read_text()))
    if path.suffix == '.csv':
        return [{k: v for k, v in r.items() if k not in TIMING_KEYS}
                for r in csv.DictReader(io.StringIO(path.read_text()))]
    if path.suffix == '.html':
        b = path.read_bytes()
        return b.replace(m.group(1), b'') if (m := PLOTLY_DIV.search(b)) else b
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
        print(f"{'identical ' if same else 'DIFFERENT '} {n}"
              + ('' if (a/n).read_bytes() == (b/n).read_bytes() else ' (timing fields differ)' if same else ''))
        bad += not same
    print(f"{len(names) - len(SKIP & set(names)) - bad} of {len(names) - len(SKIP & set(names))} files the same")
    return 1 if bad else 0


if __name__ == '__main__':
    if len(sys.argv) != 3: sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
