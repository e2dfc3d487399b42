"""The HTML explorer in a real browser: Debian's Chromium, headless, driven by selenium (no browser download).

`make test` installs `chromium` and `chromium-driver` with apt when they are missing."""
import time
from pathlib import Path
import numpy as np, pytest

from _browser import headless_chromium
EVIL = '<img src=x onerror=alert(1)>'
SHOTS = Path(__file__).resolve().parent.parent / 'runs'


@pytest.fixture(scope='module')
def report(tmp_path_factory):
    from dvats.demo import make_demo_series
    from dvats.pipeline import run
    s, _ = make_demo_series(n_steps=3000)
    s = s.rename(columns={'ch2': EVIL})
    out = tmp_path_factory.mktemp('report') / 'r'
    res = run(s, {'encoder': {'epochs': 1}, 'dr': {'method': 'pca'}}, out=out, log=None)
    return res, out / 'report.html'


@pytest.fixture(scope='module')
def browser(report):
    d = headless_chromium(1400, 1700)
    d.get(report[1].as_uri())
    for _ in range(150):
        if d.execute_script("return document.body && document.body.getAttribute('data-ready')") == '1': break
        time.sleep(0.2)
    else: raise AssertionError('the report never finished drawing')
    yield d
    d.quit()


def plotly_select(d, div, x0, x1, y0=None, y1=None):
    "Make a box selection through plotly's own selection API and wait for the page to handle it."
    return d.execute_async_script("""
        const [div, x0, x1, y0, y1, done] = arguments, gd = document.getElementById(div), ya = gd._fullLayout.yaxis.range;
        gd.once('plotly_selected', () => setTimeout(() => done(dvats.last()), 0));
        Plotly.relayout(gd, {selections: [{type: 'rect', xref: 'x', yref: 'y', x0: x0, x1: x1, y0: y0 === null ? ya[0] : y0, y1: y1 === null ? ya[1] : y1}]});
    """, div, float(x0), float(x1), None if y0 is None else float(y0), None if y1 is None else float(y1))


def check_table(page_table, ex):
    got = {r['channel']: r for r in page_table}
    assert [r['channel'] for r in page_table] == ex.table.channel.tolist()
    for _, row in ex.table.iterrows():
        assert abs(got[row.channel]['share'] - row.share) < 1e-4 and abs(got[row.channel]['signed'] - row.signed) < 1e-4 * max(1, abs(row.signed))


def test_lasso_selection_matches_explain(report, browser):
    res, _ = report
    x = res.windows.x.to_numpy()
    lo, hi = np.nanmin(x), np.nanmax(x)
    last = plotly_select(browser, 'proj', lo - 1, lo + 0.4 * (hi - lo))
    ids = np.flatnonzero(res.windows.valid & (res.windows.x <= lo + 0.4 * (hi - lo)))
    assert 0 < len(last['ids']) and sorted(last['ids']) == ids.tolist()
    check_table(last['table'], res.explain(ids))
    SHOTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(SHOTS / 'report-selection.png'))


def test_add_subtract_cluster_and_time_range(report, browser):
    res, _ = report
    w = res.windows
    first = browser.execute_script("return dvats.selectCluster(0, 'replace')")
    in0 = np.flatnonzero((w.cluster == 0).fillna(False).to_numpy())
    assert sorted(first['ids']) == in0.tolist()
    drop = in0[:10].tolist()
    after = browser.execute_script("return dvats.select(arguments[0], 'subtract')", [int(i) for i in drop])
    assert sorted(after['ids']) == in0[10:].tolist()
    check_table(after['table'], res.explain(in0[10:]))
    an = browser.execute_script("return dvats.selectAnomalies('replace')")
    assert sorted(an['ids']) == np.flatnonzero(w.is_anomaly.to_numpy()).tolist()
    # the histogram says which rule set the threshold, as the run's metrics name it
    title = browser.execute_script("return document.getElementById('hist').layout.title.text")
    assert title == 'anomaly scores; threshold: ' + res.metrics['anomaly']['threshold_rule']
    # dragging along the series' time axis selects every window that covers part of that range
    rng = plotly_select(browser, 'series', 1000, 1200)
    cover = np.flatnonzero(w.valid & (w.end > 1000) & (w.start <= 1200))
    assert sorted(rng['ids']) == cover.tolist()
    assert browser.execute_script("return document.getElementById('series').layout.shapes.length") == 1 + 1   # one shaded run, the threshold line


def test_views_draw_the_selection(report, browser):
    "What the series, the projection and the preview draw for a selection (formerly checked on plotly figures in Python)."
    res, _ = report
    browser.execute_script("dvats.setState({dvats_view: 1, selection: [5, 6, 7, 300], color: 'cluster', threshold: 0.3, path: false, mode: 'replace'})")
    series = browser.execute_script("const gd = document.getElementById('series'); return {shapes: gd.layout.shapes.length, "
                                    "opacity: gd.data.slice(0, 6).map(t => t.opacity), names: gd.data.map(t => t.name)}")
    assert series['shapes'] == 2 + 1                                       # two shaded runs, and the threshold line
    assert series['opacity'].count(1) == 3                                 # the selection's top 3 channels bright
    assert '&lt;img src=x onerror=alert(1)&gt;' in series['names']        # an HTML channel name is escaped for plotly
    v = res.windows[res.windows.valid]
    n_above = browser.execute_script("return document.getElementById('proj').data[1].x.length")
    assert n_above == int((v.anomaly_score.to_numpy(np.float64) > 0.3).sum())    # windows above the threshold ringed
    assert browser.execute_script("return document.getElementById('preview').data.length") == 6   # the hover preview: every channel


def test_frequency_bands_of_the_selection(report, browser):
    "The channel × frequency-band heatmap beside the bars: the selection's mean band sums, channels in the bars' order, bands labelled."
    from dvats.lrp.frequency import band_table, band_labels
    res, _ = report
    ids = [5, 6, 7, 300]
    last = browser.execute_script("return dvats.select(arguments[0], 'replace')", ids)
    want = band_table(res.frequency_relevance[ids], list(res.series.columns), res.config.windows.w)
    np.testing.assert_allclose(np.array(last['bands']), want.to_numpy(), rtol=1e-5, atol=1e-6 * np.abs(want.to_numpy()).max())
    gd = browser.execute_script("const gd = document.getElementById('bands'); return {type: gd.data[0].type, x: gd.data[0].x, y: gd.data[0].y, "
                                "z: gd.data[0].z, zmin: gd.data[0].zmin, zmax: gd.data[0].zmax, drawn: gd.querySelectorAll('.hm image').length}")
    assert gd['type'] == 'heatmap' and gd['drawn'] == 1                          # plotly drew the heatmap's image
    assert gd['x'] == band_labels(res.config.windows.w) and gd['x'][0] == '0'
    order = [r['channel'] for r in last['table']][::-1]                          # bottom to top, as the bars
    assert gd['y'] == [c.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;') for c in order]
    np.testing.assert_allclose(np.array(gd['z']), want.loc[order].to_numpy(), rtol=1e-5, atol=1e-6 * np.abs(want.to_numpy()).max())
    assert gd['zmin'] == -gd['zmax'] > -np.inf                                   # diverging scale, centred on 0
    SHOTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(SHOTS / 'report-bands.png'))


def test_view_state_round_trip(report, browser):
    browser.execute_script("dvats.select([3, 4, 5, 400], 'replace')")
    state = browser.execute_script("return dvats.state()")
    assert state['selection'] == [3, 4, 5, 400]
    browser.execute_script("dvats.select([], 'replace')")
    browser.execute_script("dvats.setState(arguments[0])", {**state, 'color': 'score', 'threshold': 0.5})
    again = browser.execute_script("return dvats.state()")
    assert again['selection'] == [3, 4, 5, 400] and again['color'] == 'score' and again['threshold'] == 0.5


def test_html_in_channel_names_stays_text(report, browser):
    from selenium.common.exceptions import NoAlertPresentException
    with pytest.raises(NoAlertPresentException): browser.switch_to.alert.text
    assert browser.execute_script("return document.querySelectorAll('img').length") == 0
    labels = browser.execute_script("return Array.from(document.querySelectorAll('#imp text, #bands text, #heat text')).map(t => t.textContent)")
    assert EVIL in labels, labels


def sampled(res, keep):
    "A copy of run `res` that holds the relevance of the windows `keep` only (NaN rows for the others), as a run with a relevance sample does."
    import dataclasses
    out = np.ones(len(res.windows), bool); out[keep] = False
    def cut(a): a = np.array(a, np.float32); a[out] = np.nan; return a
    return dataclasses.replace(res, relevance=cut(res.relevance), channel_relevance=cut(res.channel_relevance),
                               frequency_relevance=cut(res.frequency_relevance))


def open_page(d, path):
    d.get(Path(path).as_uri())
    for _ in range(150):
        if d.execute_script("return document.body && document.body.getAttribute('data-ready')") == '1': return
        time.sleep(0.2)
    raise AssertionError(f'{path} never finished drawing')


def test_relevance_sample_quantised_points_and_marks(report, browser, tmp_path):
    """A run whose relevance is a sample, written as at a million windows (16-bit positions and scores, the selection on its
    own layer), at small size: the page says which windows its numbers come from, and they are Python's for those windows."""
    from dvats.explain import channel_table
    from dvats.lrp.frequency import band_table
    from dvats.views.page import write_report
    res, page = report
    w, chans = res.windows, list(res.series.columns)
    valid = np.flatnonzero(w.valid)
    keep = np.sort(np.random.default_rng(0).choice(valid, len(valid) // 5, replace=False))
    sres = sampled(res, keep)
    open_page(browser, write_report(sres, tmp_path / 'sampled.html', exact_bytes=0, many=0))
    try:
        ids = valid[(valid >= 400) & (valid < 900)]
        k = int(np.isin(ids, keep).sum())
        last = browser.execute_script("return dvats.select(arguments[0], 'replace')", [int(i) for i in ids])
        note = browser.execute_script("return document.getElementById('impnote').textContent")
        assert f"channel importances from {k} of {len(ids)} selected windows (the relevance sample)" in note, note
        assert last['used'] == k and 0 < k < len(ids)
        used = ids[np.isin(ids, keep)]
        check_table(last['table'], res.explain(used))                                         # Python's numbers for the same windows
        check_table(last['table'], type('E', (), {'table': channel_table(sres.channel_relevance[used], chans)}))
        want = band_table(res.frequency_relevance[used], chans, res.config.windows.w).to_numpy()
        np.testing.assert_allclose(np.array(last['bands']), want, atol=np.abs(res.frequency_relevance[used]).max() / 127)   # 8 bits
        # nothing selected: the whole sample, and the page says so
        browser.execute_script("dvats.select([], 'replace')")
        note = browser.execute_script("return document.getElementById('impnote').textContent")
        assert f"from the {len(keep):,} windows of the relevance sample (of {len(valid):,})" in note, note
        # a selection outside the sample: no numbers, and the page says where to get them
        out = [int(i) for i in np.setdiff1d(valid, keep)[:3]]
        last = browser.execute_script("return dvats.select(arguments[0], 'replace')", out)
        assert last['used'] == 0 and last['table'] == []
        assert 'from 0 of 3 selected windows' in browser.execute_script("return document.getElementById('impnote').textContent")
        # 16-bit scores: the anomalies at the run's threshold are exactly the run's; positions within half a step
        an = browser.execute_script("return dvats.selectAnomalies('replace')")
        assert sorted(an['ids']) == np.flatnonzero(w.is_anomaly.to_numpy() & w.valid.to_numpy()).tolist()
        # every point drawn, in one trace per colour (plotly need not colour a million points one by one)
        x = np.sort(browser.execute_script("return [].concat(...document.getElementById('proj').data.filter(t => t.name === 'windows').map(t => Array.from(t.x)))"))
        exact = np.sort(w.x.to_numpy(np.float64)[valid])
        assert len(x) == len(valid) and np.abs(x - exact).max() <= np.ptp(exact) / 65535 / 2 * 1.001 + 1e-6
        # the selection is painted on its own layer: plotly's points are not restyled, the other points are dimmed
        marks = """const gd = document.getElementById('proj'), cv = gd.querySelector('canvas.dvats-marks');
                   const px = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data; let n = 0;
                   for (let i = 3; i < px.length; i += 4) if (px[i]) n++;
                   return [n, gd.data[0].selectedpoints || null, gd.querySelector('.gl-canvas-context').style.opacity];"""
        n_px, drawn, dim = browser.execute_script(marks)
        assert n_px > 0 and drawn is None and dim == '0.25'
        browser.execute_script("dvats.select([], 'replace')")
        n_px, _, dim = browser.execute_script(marks)
        assert n_px == 0 and dim == ''
        # a box in the projection: the points of every colour's trace, mapped back to their windows
        xs = np.sort(w.x.to_numpy(np.float64)[valid])
        gaps = np.flatnonzero(np.diff(xs) > 4 * np.ptp(xs) / 65535)
        g = gaps[np.searchsorted(gaps, len(xs) * 0.4)]                                    # a cut where no point is near: 16 bits cannot move one across
        cut = float(xs[g] + xs[g + 1]) / 2
        box = plotly_select(browser, 'proj', xs[0] - 1, cut)
        assert sorted(box['ids']) == valid[w.x.to_numpy(np.float64)[valid] <= cut].tolist()
        SHOTS.mkdir(exist_ok=True)
        browser.execute_script("dvats.selectCluster(0, 'replace')")
        browser.save_screenshot(str(SHOTS / 'report-sampled.png'))
    finally:
        open_page(browser, page)
