"""The comparison page (`dvats.views.compare.write_compare`) in a real browser: Debian's Chromium, headless, driven by
selenium.

A box in either projection highlights in the other exactly the windows that `covering_windows` says cover the same
times (or, for a run applied from the other, that `map_neighbours` says lie nearest on their shared map)."""
import time
from pathlib import Path
import numpy as np, pytest

from _browser import headless_chromium
EVIL = '</script><img src=x onerror=alert(1)>'
SHOTS = Path(__file__).resolve().parent.parent / 'runs' / 'shots17'
# every console error, uncaught error, rejected promise and Content-Security-Policy violation, from the page's first
# script on
HOOK = """window.__errors = [];
const keep = (kind, e) =>
  window.__errors.push(kind + ': ' + String(e && (e.message || e.violatedDirective || e.reason || e)));
const err = console.error; console.error = (...a) => { keep('console', a.join(' ')); err(...a); };
addEventListener('error', e => keep('error', e));
addEventListener('unhandledrejection', e => keep('rejection', e.reason));
document.addEventListener('securitypolicyviolation', e => keep('csp', e.violatedDirective + ' ' + e.blockedURI));"""


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    """Two runs of one demo series: windows of 48 steps every 4, and of 32 steps every 8 (with an HTML title); and their
    page."""
    from dvats.demo import make_demo_series
    from dvats.pipeline import run
    from dvats.views.compare import write_compare
    s, _ = make_demo_series(n_steps=2000)
    tmp = tmp_path_factory.mktemp('compare')
    quick = {'encoder': {'epochs': 1}, 'dr': {'method': 'pca'}}
    ra = run(s, {**quick, 'windows': {'w': 48, 'stride': 4}}, out=tmp / 'w48', log=None)
    rb = run(s, {**quick, 'windows': {'w': 32, 'stride': 8}, 'report': {'title': EVIL}}, out=tmp / 'w32', log=None)
    return ra, rb, write_compare(tmp / 'w48', tmp / 'w32', tmp / 'compare.html')


def open_page(d, path):
    d.get(Path(path).as_uri())
    for _ in range(150):
        if d.execute_script("return document.body && document.body.getAttribute('data-ready')") == '1': return
        time.sleep(0.2)
    raise AssertionError(f"{path} never finished drawing; errors: {d.execute_script('return window.__errors')}")


@pytest.fixture(scope='module')
def browser(runs):
    d = headless_chromium(1500, 1000)
    d.execute_cdp_cmd('Page.addScriptToEvaluateOnNewDocument', {'source': HOOK})
    open_page(d, runs[2])
    yield d
    d.quit()


def box(d, div, x0, x1):
    """A box selection over the full height of projection `div`, through plotly's own selection API; the page's
    selection after it."""
    return d.execute_async_script("""
        const [div, x0, x1, done] = arguments, gd = document.getElementById(div), ya = gd._fullLayout.yaxis.range;
        gd.once('plotly_selected', () => setTimeout(() => done(dvatsCompare.last()), 0));
        Plotly.relayout(gd, {selections: [{type: 'rect', xref: 'x', yref: 'y', x0: x0, x1: x1, y0: ya[0], y1: ya[1]}]});
    """, div, float(x0), float(x1))


def highlighted(d, div):
    "The window ids that projection `div` draws highlighted."
    return sorted(d.execute_script("return [].concat(...document.getElementById(arguments[0]).data"
                                   ".filter(t => t.name === 'highlighted').map(t => Array.from(t.customdata)))", div))


def left_part(res, frac=0.3):
    """A cut of the projection's x axis midway between two points, with about `frac` of the windows left of it, and
    those windows."""
    w = res.windows
    x = w.x.to_numpy(np.float64)
    valid = w.valid.to_numpy()
    xs = np.sort(x[valid]); k = int(frac * len(xs))
    cut = (xs[k] + xs[k + 1]) / 2
    return np.nanmin(x) - 1, cut, np.flatnonzero(valid & (x <= cut))


def merged(res, ids):
    """The rows `[start, end)` of windows `ids`, overlapping or touching ones merged (at most 300, so none joined across
    a gap)."""
    out = []
    for a, b in zip(res.windows.start.to_numpy()[ids], res.windows.end.to_numpy()[ids]):
        if out and a <= out[-1][1]: out[-1][1] = max(out[-1][1], b)
        else: out.append([a, b])
    assert len(out) <= 300
    return out


def ms(res, row):
    "Milliseconds since 1970 of `row` of the run's evenly spaced series (the row after the last one too)."
    idx = res.series.index
    return (idx[0].value + row * (idx[1].value - idx[0].value)) / 1e6


@pytest.mark.parametrize('src', ['a', 'b'])
def test_box_in_one_highlights_the_covering_windows_of_the_other(runs, browser, src):
    from dvats.views.compare import covering_windows
    ra, rb, _ = runs
    res, oth, dst = (ra, rb, 'b') if src == 'a' else (rb, ra, 'a')
    x0, x1, ids = left_part(res)
    last = box(browser, 'proj-' + src, x0, x1)
    want = covering_windows(res, ids, oth)
    assert last['side'] == src and last['ids'] == ids.tolist() and 0 < len(ids)
    assert last['linked'] == want.tolist() and 0 < len(want) < len(oth.windows)
    assert highlighted(browser, 'proj-' + dst) == want.tolist()       # drawn: the other run's covering windows
    assert highlighted(browser, 'proj-' + src) == ids.tolist()        # and the selection itself
    n, m = browser.execute_script("return [arguments[0], arguments[1]]"
                                  ".map(k => document.getElementById('count-' + k).textContent)", src, dst)
    assert f"{len(ids)} windows selected here; they cover times of {len(want)} windows of {dst.upper()}" in n, n
    assert f"{len(want)} windows highlighted" in m, m
    shapes = browser.execute_script("return document.getElementById('timeline').layout.shapes")
    for k, name, w in ((src, 'selected', ids), (dst, 'highlighted', want)):
        r = (ra, rb)['ab'.index(k)]
        drawn = [(s['x0'], s['x1']) for s in shapes if s['name'] == name and s['y0'] == (1.2 if k == 'a' else 0.2)]
        # the windows' rows in time, as merged intervals
        assert drawn == [(ms(r, a), ms(r, b)) for a, b in merged(r, w)]
    if src == 'a':                   # the points far right in A's projection: a few stretches of time
        x = ra.windows.x.to_numpy(np.float64)
        right = np.flatnonzero(x >= np.nanmin(x) + 0.7 * np.ptp(x))
        last = box(browser, 'proj-a', np.nanmin(x) + 0.7 * np.ptp(x), np.nanmax(x) + 1)
        assert last['ids'] == right.tolist() and last['linked'] == covering_windows(ra, right, rb).tolist()
        SHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SHOTS / 'compare.png'))


def test_what_each_side_says(runs, browser):
    ra, rb, _ = runs
    info = browser.execute_script("return ['a', 'b'].map(k => document.getElementById('info-' + k).textContent)")
    assert ('run w48 · w 48 · stride 4 · encoder mvp · projection pca' in info[0]
            and f'{len(ra.windows)} windows shown' in info[0])
    assert 'run w32 · w 32 · stride 8 · encoder mvp' in info[1] and f'{len(rb.windows)} windows shown' in info[1]
    assert 'timestamps' in browser.execute_script("return document.getElementById('linknote').textContent")


def test_colour_by_score_and_clear(runs, browser):
    ra, rb, _ = runs
    browser.execute_script("dvatsCompare.select('b', [3, 4, 5])")
    browser.execute_script("dvatsCompare.setColor('score')")
    names = browser.execute_script("return document.getElementById('proj-a').data.map(t => t.name)")
    assert names[0].startswith('score ') and 'scale' in names and names[-1] == 'highlighted'
    assert highlighted(browser, 'proj-b') == [3, 4, 5]                   # the selection survives a change of colour
    browser.find_element('id', 'clear').click()
    assert browser.execute_script("return dvatsCompare.last()")['ids'] == [] and highlighted(browser, 'proj-a') == []
    browser.execute_script("dvatsCompare.setColor('cluster')")


def test_hostile_title_stays_text(runs, browser):
    from selenium.common.exceptions import NoAlertPresentException
    with pytest.raises(NoAlertPresentException): browser.switch_to.alert.text
    assert browser.execute_script("return document.querySelectorAll('img').length") == 0
    assert browser.execute_script("return document.getElementById('title-b').textContent") == 'B: ' + EVIL
    assert EVIL in browser.title


def test_sixteen_bit_points(runs, browser, tmp_path):
    "Points stored as 16-bit codes (as above the report's exact size): the linking is the same, by ids, not positions."
    from dvats.views.compare import compare_html, covering_windows
    ra, rb, page = runs
    p = tmp_path / 'q.html'
    p.write_text(compare_html(ra, rb, exact_bytes=0), encoding='utf-8')
    assert '"u2"' in p.read_text()
    open_page(browser, p)
    try:
        ids = list(range(100, 140))
        last = browser.execute_script("return dvatsCompare.select('a', arguments[0])", ids)
        assert last['linked'] == covering_windows(ra, ids, rb).tolist()
        x = np.sort(browser.execute_script("return [].concat(...document.getElementById('proj-a').data.filter(t => "
                                           "t.name.startsWith('cluster') || "
                                           "t.name === 'noise').map(t => Array.from(t.x)))"))
        exact = np.sort(ra.windows.x.to_numpy(np.float64))
        assert len(x) == len(exact) and np.abs(x - exact).max() <= np.ptp(exact) / 65535 / 2 * 1.001 + 1e-6
        assert browser.execute_script("return window.__errors") == []
    finally:
        open_page(browser, page)


def test_an_applied_run_is_linked_on_the_map(runs, browser, tmp_path):
    """Issue 33: a run applied from A (new data from a later period, on A's map) is linked to A by place: a box in A
    highlights the applied run's windows whose nearest window of A is boxed (`map_neighbours`), and back; the page says
    so. A link by time would link nothing: the two share no time."""
    import pandas as pd
    from dvats.demo import make_demo_series
    from dvats.pipeline import apply
    from dvats.views.compare import write_compare, map_neighbours
    ra, _, page = runs
    s, _ = make_demo_series(n_steps=1500, seed=7)
    s.index = s.index + pd.Timedelta(days=30)
    new = apply(ra.out, s, tmp_path / 'day2', log=None, **{'report.html': False})
    p = write_compare(ra.out, new.out, tmp_path / 'map.html')
    open_page(browser, p)
    try:
        assert 'lie nearest to them on that map' in browser.execute_script(
            "return document.getElementById('linknote').textContent")
        for src, res, oth, dst in (('a', ra, new, 'b'), ('b', new, ra, 'a')):
            x0, x1, ids = left_part(res)
            last = box(browser, 'proj-' + src, x0, x1)
            want = map_neighbours(res, ids, oth)
            assert last['ids'] == ids.tolist() and last['linked'] == want.tolist() and 0 < len(want) < len(oth.windows)
            assert highlighted(browser, 'proj-' + dst) == want.tolist()
            n = browser.execute_script("return document.getElementById('count-' + arguments[0]).textContent", src)
            assert f"{len(want)} windows of {dst.upper()} lie nearest to them on the map" in n, n
        ranges = browser.execute_script("return ['a', 'b'].map(k => ['xaxis', 'yaxis'].map(a => "
                                        "document.getElementById('proj-' + k)._fullLayout[a].range))")
        assert ranges[0] == ranges[1]                                    # one map: the same axes on both sides
        (SHOTS.parent / 'shots33').mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SHOTS.parent / 'shots33' / 'compare-applied.png'))
        assert browser.execute_script("return window.__errors") == []
    finally:
        open_page(browser, page)


def test_no_console_errors(browser):
    assert browser.execute_script("return window.__errors") == []
