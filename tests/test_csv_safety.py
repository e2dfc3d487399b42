"""Issue 34: every CSV that dvats writes opens in a spreadsheet as text (OWASP's rule against CSV injection), and reads
back as written.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return (or with `'`) is written with one more
leading `'`; reading takes exactly one off. Numbers are never changed. The page's CSV (`explorer.js`) is byte for byte
the file of `dvats.tags.write_tags`."""
import csv, io, json, re, shutil, subprocess, tempfile
from pathlib import Path
from types import SimpleNamespace
import numpy as np, pandas as pd, pytest
from hypothesis import given, strategies as st

from dvats.errors import fuzz_settings
from dvats.io import write_csv, read_csv
from dvats.tags import read_tags, write_tags
from dvats.windows import window_table

ROOT = Path(__file__).resolve().parent.parent
# OWASP's list, written here again: the tests do not take dvats' word for it
FORMULA_START = ('=', '+', '-', '@', '\t', '\r')
# OWASP's payloads, as tag names or channel names; the last ones start with `'` (escaped too) or are harmless
PAYLOADS = ['=HYPERLINK("http://x","click")', '@SUM(1+1)', '+1', '-1', '\t=1+1', '\r=1+1', '\r\n-2',
            "=cmd|' /C calc'!A0",
            "'quoted", "'=1", 'calm, "quoted"', 'a=b']
NUMBER = re.compile(r'[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|nan)')
# names as a user may type them: any text, and text after each character that makes a formula (and after `'`)
NAMES = st.one_of(st.text(min_size=1),
                  st.tuples(st.sampled_from([*FORMULA_START, "'", "''"]), st.text()).map(''.join)).filter(str.strip)


def formula_cells(text: str) -> list:
    """The cells of the CSV `text` that a spreadsheet would compute: those that start with a formula character and are
    not a plain number."""
    cells = [c for row in csv.reader(io.StringIO(text, newline='')) for c in row]
    return [c for c in cells if c.startswith(FORMULA_START) and not NUMBER.fullmatch(c)]


def first_column(text: str) -> list:
    return [r[0] for r in csv.reader(io.StringIO(text, newline=''))][1:]


@pytest.fixture(scope='module')
def run(tmp_path_factory):
    """A run as `write_tags` needs it: a folder and a window table (400 steps, one per minute; windows of 10 rows,
    stride 5)."""
    s = pd.DataFrame({'a': np.arange(400.)}, index=pd.date_range('2024-01-01', periods=400, freq='min'))
    return SimpleNamespace(out=tmp_path_factory.mktemp('run'), windows=window_table(s, 10, 5), w=10, stride=5,
                           t0=s.index[0])


def test_the_payloads_are_text_in_tags_csv(run):
    """Each payload is written with one more leading `'` (and only those that need one); read back, each is the name
    typed."""
    tags = {n: [i, i + 1] for i, n in enumerate(PAYLOADS)}
    text = write_tags(run, tags, run.out / 'tags.csv').read_bytes().decode('utf-8')
    assert first_column(text) == ["'" + n if n.startswith((*FORMULA_START, "'")) else n for n in PAYLOADS]
    assert formula_cells(text) == []
    assert {k: v.tolist() for k, v in read_tags(run.out / 'tags.csv', run).items()} == tags


@fuzz_settings(300)
@given(st.lists(NAMES, min_size=1, max_size=6, unique=True))
def test_any_name_survives_write_and_read(names):
    """A property: whatever names are typed, `read_tags(write_tags(...))` gives them back, and no cell of the file is a
    formula."""
    s = pd.DataFrame({'a': np.arange(100.)}, index=pd.date_range('2024-01-01', periods=100, freq='min'))
    with tempfile.TemporaryDirectory() as d:
        r = SimpleNamespace(out=Path(d), windows=window_table(s, 10, 5))
        tags = {n: [i, 3 * i + 2] for i, n in enumerate(names)}
        f = write_tags(r, tags)
        assert {k: v.tolist() for k, v in read_tags(f, r).items()} == tags
        assert formula_cells(f.read_bytes().decode('utf-8')) == []


def test_numbers_stay_numbers():
    """Negative numbers in numeric columns (and a number among text) are written as pandas writes them; text that looks
    like a number is text."""
    df = pd.DataFrame({'method': ['lrp', '-1', 'gradient'], 'score': [-0.5, -1e-9, np.nan], 'n': [-1, 0, 2],
                       'mixed': ['x', -3.25, None], 'when': pd.date_range('2024', periods=3)})
    text = write_csv(df)
    assert text.split('\n') == ['method,score,n,mixed,when', 'lrp,-0.5,-1,x,2024-01-01',
                                "'-1,-1e-09,0,-3.25,2024-01-02",
                                'gradient,,2,,2024-01-03', '']
    assert formula_cells(text) == []
    back = read_csv(io.StringIO(text))
    assert (back.method.tolist() == ['lrp', '-1', 'gradient'] and back.n.tolist() == [-1, 0, 2]
            and back.score.iloc[1] == -1e-9)


def test_channel_names_in_headers_and_cells():
    """A table of channels (as `explanations.csv` or a channel table might carry) named by someone else's data: headers
    and cells are text."""
    df = pd.DataFrame({'channel': PAYLOADS, 'share': np.linspace(-1, 1, len(PAYLOADS))})
    df[PAYLOADS[0]] = -1.5                                           # a column named by a payload
    text = write_csv(df)
    assert formula_cells(text) == []
    back = read_csv(io.StringIO(text), keep_default_na=False)
    assert list(back.columns) == ['channel', 'share', PAYLOADS[0]] and back.channel.tolist() == PAYLOADS
    assert back[PAYLOADS[0]].tolist() == [-1.5] * len(PAYLOADS)


def test_every_csv_writer_goes_through_write_csv():
    """No module writes CSV text but `dvats.io.write_csv`; the page's CSV downloads go through `csvField` (its
    `spreadsheetSafe`)."""
    for p in sorted((ROOT / 'dvats').rglob('*.py')):
        if p.name in ('io.py', '_modidx.py'): continue
        src = p.read_text()
        assert '.to_csv(' not in src and 'csv.writer' not in src, (f"{p.relative_to(ROOT)} writes CSV itself; "
                                                                   "use dvats.io.write_csv")
    js = (ROOT / 'dvats' / 'views' / 'explorer.js').read_text()
    downloads = re.findall(r"download\('[^']*\.csv', ([^;]*)", js)
    assert len(downloads) == 2 and all('csvField' in d or 'tagsCSV' in d for d in downloads), downloads


def test_cli_tags_export_and_import(run, tmp_path, monkeypatch, capsys):
    """`dvats tags --add`, `--export` and `--import` with the payloads as names: the exported file is `write_tags`', and
    imports as typed."""
    import dvats.result
    from dvats.cli import main
    out = tmp_path / 'run'; out.mkdir()
    res = SimpleNamespace(out=out, windows=run.windows)
    # a folder with the run's window table: all `dvats tags` reads
    monkeypatch.setattr(dvats.result, 'load_result', lambda path: res)
    for i, n in enumerate(PAYLOADS): assert main(['tags', str(out), f'--add={n}', f'--windows={i}-{i + 1}']) == 0
    assert main(['tags', str(out), '--export', str(tmp_path / 'shared.csv')]) == 0
    text = (tmp_path / 'shared.csv').read_bytes().decode('utf-8')
    assert formula_cells(text) == []
    tags = {n: [i, i + 1] for i, n in enumerate(PAYLOADS)}
    assert text == write_tags(res, tags, tmp_path / 'py.csv').read_bytes().decode('utf-8')
    (out / 'tags.csv').unlink()
    assert main(['tags', str(out), '--import', str(tmp_path / 'shared.csv')]) == 0
    assert {k: v.tolist() for k, v in read_tags(out / 'tags.csv', res).items()} == tags
    capsys.readouterr()


def page_csv(tmp_path, run, cases) -> list:
    """For each `(tags, python_text)`: the page's `tagsCSV` of `tags` and its `readTagsCSV` of `python_text`, run by
    node on explorer.js."""
    from dvats.views.page import asset
    (tmp_path / 'explorer.mjs').write_text(asset('explorer.js'))
    src = """import * as m from './explorer.mjs'; import fs from 'fs';
const {cases, stride, w, t0, dt} = JSON.parse(fs.readFileSync('cases.json', 'utf8'));
const timeAt = row => m.isoTime(t0 + row * dt);
console.log(JSON.stringify(cases.map(([tags, text]) => [m.tagsCSV(tags, stride, w, timeAt), m.readTagsCSV(text)])));"""
    (tmp_path / 'cases.json').write_text(
        json.dumps({'cases': cases, 'stride': run.stride, 'w': run.w, 't0': run.t0.value // 10**6, 'dt': 60_000}))
    return json.loads(subprocess.run(['node', '--input-type=module'], input=src, capture_output=True, text=True,
                                     check=True, cwd=tmp_path).stdout)


def test_page_csv_is_write_tags_in_node(run, tmp_path):
    """The page's `tagsCSV` is `write_tags`' file byte for byte, for the payloads and for names drawn at random; its
    `readTagsCSV` reads that file back as typed."""
    if not shutil.which('node'): pytest.skip('node is not installed')
    drawn = []

    @fuzz_settings(150)
    @given(st.lists(NAMES, min_size=1, max_size=5, unique=True))
    def draw(names): drawn.append(names)
    draw()
    cases = []
    for names in [PAYLOADS] + drawn:
        tags = [[n, [i, i + 1, 3 * i + 9]] for i, n in enumerate(names)]
        cases.append([tags, write_tags(run, dict(tags), tmp_path / 'py.csv').read_bytes().decode('utf-8')])
    got = page_csv(tmp_path, run, cases)
    for (tags, py), (page, back) in zip(cases, got):
        assert page == py
        assert back == [[n, sorted(set(ids))] for n, ids in tags]
