"""The HTML explorer in a real browser: Debian's Chromium, headless, driven by selenium (no browser download).

`make test` installs `chromium` and `chromium-driver` with apt when they are missing."""
import time
from pathlib import Path
import numpy as np, pytest

from _browser import headless_chromium
from dvats.explain import basis_contrast
EVIL = '<img src=x onerror=alert(1)>'
SHOTS = Path(__file__).resolve().parent.parent / 'runs'


SHOTS17 = SHOTS / 'shots17'


def with_extras(res):
    """The run with its table of similar windows (window 100's list taken away, as outside the sample above 100,000) and
    a matrix profile per window and step, of our own."""
    res.similar = np.array(res.similar)
    res.similar[100] = -1
    tab = res.windows
    res.windows['mp_score'] = np.where(tab.valid, tab.anomaly_score.to_numpy(np.float64) * 3 + 0.1, np.nan)
    mp = np.abs(np.sin(np.arange(len(res.series)) / 50.)).astype(np.float32); mp[-res.config.windows.w:] = np.nan
    res.steps['matrix_profile'] = mp
    return res


@pytest.fixture(scope='module')
def report(tmp_path_factory):
    from dvats.demo import make_demo_series
    from dvats.pipeline import run
    from dvats.views.page import write_report
    s, _ = make_demo_series(n_steps=3000)
    s = s.rename(columns={'ch2': EVIL})
    out = tmp_path_factory.mktemp('report') / 'r'
    res = with_extras(run(s, {'encoder': {'epochs': 1}, 'dr': {'method': 'pca'}}, out=out, log=None))
    return res, write_report(res, out / 'report.html')


def set_target(d, target):
    """Choose what the bars explain with the page's selector, as a user does: 'contrast' (what sets them apart) or
    'embedding'."""
    d.execute_script("const s = document.getElementById('target'); s.value = arguments[0]; "
                     "s.dispatchEvent(new Event('change'))", target)
    assert d.execute_script("return document.getElementById('target').value") == target


@pytest.fixture(scope='module')
def browser(report):
    """The report, open in a browser; the tests of the embedding's views choose 'what the encoder looks at' (the
    contrast is the default)."""
    d = headless_chromium(1400, 1700)
    open_page(d, report[1])
    yield d
    d.quit()


def plotly_select(d, div, x0, x1, y0=None, y1=None):
    "Make a box selection through plotly's own selection API and wait for the page to handle it."
    return d.execute_async_script("""
        const [div, x0, x1, y0, y1, done] = arguments, gd = document.getElementById(div),
              ya = gd._fullLayout.yaxis.range;
        gd.once('plotly_selected', () => setTimeout(() => done(dvats.last()), 0));
        Plotly.relayout(gd, {selections: [{type: 'rect', xref: 'x', yref: 'y', x0: x0, x1: x1,
                                           y0: y0 === null ? ya[0] : y0, y1: y1 === null ? ya[1] : y1}]});
    """, div, float(x0), float(x1), None if y0 is None else float(y0), None if y1 is None else float(y1))


def series_select(d, t0, t1):
    "A drag along the series' date axis from time t0 to t1, through plotly's selection API."
    return d.execute_async_script("""
        const [x0, x1, done] = arguments, gd = document.getElementById('series'), ya = gd._fullLayout.yaxis.range;
        gd.once('plotly_selected', () => setTimeout(() => done(dvats.last()), 0));
        Plotly.relayout(gd, {selections: [{type: 'rect', xref: 'x', yref: 'y', x0: x0, x1: x1, y0: ya[0], y1: ya[1]}]});
    """, t0.isoformat(sep=' '), t1.isoformat(sep=' '))


def named_shapes(d, name):
    return d.execute_script("return document.getElementById('series').layout.shapes.filter(s => s.name === "
                            "arguments[0]).length", name)


def check_table(page_table, ex):
    got = {r['channel']: r for r in page_table}
    assert [r['channel'] for r in page_table] == ex.table.channel.tolist()
    for _, row in ex.table.iterrows():
        assert (abs(got[row.channel]['share'] - row.share) < 1e-4
                and abs(got[row.channel]['signed'] - row.signed) < 1e-4 * max(1, abs(row.signed)))


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
    # dragging along the series' time axis (a date axis: the demo has a time index) selects every window that covers
    # part of that range
    t = res.series.index
    rng = series_select(browser, t[1000], t[1200])
    cover = np.flatnonzero(w.valid & (w.end > 1000) & (w.start <= 1200))
    assert sorted(rng['ids']) == cover.tolist()
    assert named_shapes(browser, 'selection') == 1                      # one shaded run


def test_views_draw_the_selection(report, browser):
    """What the series, the projection and the preview draw for a selection (formerly checked on plotly figures in
    Python)."""
    res, _ = report
    browser.execute_script("dvats.setState({dvats_view: 1, selection: [5, 6, 7, 300], color: 'cluster', "
                           "threshold: 0.3, path: false, mode: 'replace'})")
    series = browser.execute_script("const gd = document.getElementById('series'); "
                                    "return {shapes: gd.layout.shapes.filter(s => s.name === 'selection').length, "
                                    "opacity: gd.data.slice(0, 6).map(t => t.opacity), "
                                    "names: gd.data.map(t => t.name)}")
    assert series['shapes'] == 2                                           # two shaded runs
    assert series['opacity'].count(1) == 3                                 # the selection's top 3 channels bright
    assert '&lt;img src=x onerror=alert(1)&gt;' in series['names']        # an HTML channel name is escaped for plotly
    v = res.windows[res.windows.valid]
    n_above = browser.execute_script("return document.getElementById('proj').data[1].x.length")
    assert n_above == int((v.anomaly_score.to_numpy(np.float64) > 0.3).sum())    # windows above the threshold ringed
    # the hover preview: every channel
    assert browser.execute_script("return document.getElementById('preview').data.length") == 6


def test_frequency_bands_of_the_selection(report, browser):
    """The channel × frequency-band heatmap beside the bars: the selection's mean band sums, channels in the bars'
    order, bands labelled."""
    from dvats.lrp.frequency import band_table, band_labels
    res, _ = report
    ids = [5, 6, 7, 300]
    last = browser.execute_script("return dvats.select(arguments[0], 'replace')", ids)
    want = band_table(res.frequency_relevance[ids], list(res.series.columns), res.config.windows.w)
    np.testing.assert_allclose(np.array(last['bands']), want.to_numpy(), rtol=1e-5,
                               atol=1e-6 * np.abs(want.to_numpy()).max())
    gd = browser.execute_script("const gd = document.getElementById('bands'); "
                                "return {type: gd.data[0].type, x: gd.data[0].x, y: gd.data[0].y, "
                                "z: gd.data[0].z, zmin: gd.data[0].zmin, zmax: gd.data[0].zmax, "
                                "drawn: gd.querySelectorAll('.hm image').length}")
    assert gd['type'] == 'heatmap' and gd['drawn'] == 1                          # plotly drew the heatmap's image
    assert gd['x'] == band_labels(res.config.windows.w) and gd['x'][0] == '0'
    order = [r['channel'] for r in last['table']][::-1]                          # bottom to top, as the bars
    assert gd['y'] == [c.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;') for c in order]
    np.testing.assert_allclose(np.array(gd['z']), want.loc[order].to_numpy(), rtol=1e-5,
                               atol=1e-6 * np.abs(want.to_numpy()).max())
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
    labels = browser.execute_script("return Array.from(document.querySelectorAll('#imp text, #bands text, "
                                    "#heat text')).map(t => t.textContent)")
    assert EVIL in labels, labels


def sampled(res, keep):
    """A copy of run `res` that holds the relevance of the windows `keep` only (NaN rows for the others), as a run with
    a relevance sample does."""
    import dataclasses
    out = np.ones(len(res.windows), bool); out[keep] = False
    def cut(a): a = np.array(a, np.float32); a[out] = np.nan; return a
    return dataclasses.replace(res, relevance=cut(res.relevance), channel_relevance=cut(res.channel_relevance),
                               frequency_relevance=cut(res.frequency_relevance))


def open_page(d, path, target='embedding'):
    """Open the page at `path` and wait for it to draw; then choose `target` when the page offers a choice (None: keep
    its default)."""
    d.get(Path(path).as_uri())
    for _ in range(150):
        if d.execute_script("return document.body && document.body.getAttribute('data-ready')") == '1': break
        time.sleep(0.2)
    else: raise AssertionError(f'{path} never finished drawing')
    if target and not d.execute_script("return document.getElementById('targetbox').hidden"): set_target(d, target)


def test_relevance_sample_quantised_points_and_marks(report, browser, tmp_path):
    """A run whose relevance is a sample, written as at a million windows (16-bit positions and scores, 8-bit channel
    sums, the selection on its own layer), at small size: the page says which windows its numbers come from, and they
    are Python's for those windows."""
    from dvats.explain import channel_table
    from dvats.lrp.frequency import band_table
    from dvats.views.page import write_report, quantise_rows
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
        # its channel sums in 8 bits and a scale per window (`sums_scale`, at a million windows): Python's table of
        # those numbers,
        q, scale = quantise_rows(sres.channel_relevance[used])
        check_table(last['table'],
                    type('E', (), {'table': channel_table(q * scale.astype(np.float64)[:, None, None], chans)}))
        ex = res.explain(used)                                # and Python's numbers for the same windows within 8 bits
        got = {r['channel']: r for r in last['table']}
        tol = scale.astype(np.float64).mean() / 2 * 1.001
        for _, row in ex.table.iterrows():
            assert (abs(got[row.channel]['signed'] - row.signed) <= tol
                    and abs(got[row.channel]['share'] - row.share) <= 0.01), (row, got[row.channel])
        assert ([r['channel'] for r in last['table']] == ex.table.channel.tolist()
                or np.all(np.diff([dict(zip(ex.table.channel, ex.table.share))[r['channel']]
                                   for r in last['table']]) <= 0.02))
        want = band_table(res.frequency_relevance[used], chans, res.config.windows.w).to_numpy()
        # 8 bits
        np.testing.assert_allclose(np.array(last['bands']), want,
                                   atol=np.abs(res.frequency_relevance[used]).max() / 127)
        # nothing selected: the whole sample, and the page says so
        browser.execute_script("dvats.select([], 'replace')")
        note = browser.execute_script("return document.getElementById('impnote').textContent")
        assert f"from the {len(keep):,} windows of the relevance sample (of {len(valid):,})" in note, note
        # a selection outside the sample: no numbers, and the page says where to get them
        out = [int(i) for i in np.setdiff1d(valid, keep)[:3]]
        last = browser.execute_script("return dvats.select(arguments[0], 'replace')", out)
        assert last['used'] == 0 and last['table'] == []
        assert 'from 0 of 3 selected windows' in browser.execute_script(
            "return document.getElementById('impnote').textContent")
        # 16-bit scores: the anomalies at the run's threshold are exactly the run's; positions within half a step
        an = browser.execute_script("return dvats.selectAnomalies('replace')")
        assert sorted(an['ids']) == np.flatnonzero(w.is_anomaly.to_numpy() & w.valid.to_numpy()).tolist()
        # every point drawn, in one trace per colour (plotly need not colour a million points one by one)
        x = np.sort(browser.execute_script("return [].concat(...document.getElementById('proj').data.filter(t => "
                                           "t.name === 'windows').map(t => Array.from(t.x)))"))
        exact = np.sort(w.x.to_numpy(np.float64)[valid])
        assert len(x) == len(valid) and np.abs(x - exact).max() <= np.ptp(exact) / 65535 / 2 * 1.001 + 1e-6
        # the selection is painted on its own layer: plotly's points are not restyled, the other points are dimmed
        marks = """const gd = document.getElementById('proj'), cv = gd.querySelector('canvas.dvats-marks');
                   const px = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data; let n = 0;
                   for (let i = 3; i < px.length; i += 4) if (px[i]) n++;
                   return [n, gd.data[0].selectedpoints || null,
                           gd.querySelector('.gl-canvas-context').style.opacity];"""
        n_px, drawn, dim = browser.execute_script(marks)
        assert n_px > 0 and drawn is None and dim == '0.25'
        browser.execute_script("dvats.select([], 'replace')")
        n_px, _, dim = browser.execute_script(marks)
        assert n_px == 0 and dim == ''
        # a box in the projection: the points of every colour's trace, mapped back to their windows
        xs = np.sort(w.x.to_numpy(np.float64)[valid])
        gaps = np.flatnonzero(np.diff(xs) > 4 * np.ptp(xs) / 65535)
        g = gaps[np.searchsorted(gaps, len(xs) * 0.4)]  # a cut where no point is near: 16 bits cannot move one across
        cut = float(xs[g] + xs[g + 1]) / 2
        box = plotly_select(browser, 'proj', xs[0] - 1, cut)
        assert sorted(box['ids']) == valid[w.x.to_numpy(np.float64)[valid] <= cut].tolist()
        SHOTS.mkdir(exist_ok=True)
        browser.execute_script("dvats.selectCluster(0, 'replace')")
        browser.save_screenshot(str(SHOTS / 'report-sampled.png'))
    finally:
        open_page(browser, page)


# ---- issue 17: time, context, more like this, tags, readable series, the matrix profile ----

def shot(d, name):
    SHOTS17.mkdir(parents=True, exist_ok=True)
    d.save_screenshot(str(SHOTS17 / name))


def scroll_to(d, part):
    d.execute_script("document.getElementById(arguments[0]).scrollIntoView({block: 'start'})", part)


def test_series_time_axis_and_one_row_per_channel(report, browser):
    """A date axis (the series has a regular time index); one row per channel above 3 channels, the selection's top
    channels first; no zero line in the projection."""
    res, _ = report
    ids = [5, 6, 7, 300]
    last = browser.execute_script("dvats.setSeriesLayout('channels'); return dvats.select(arguments[0], 'replace')",
                                  ids)
    gd = browser.execute_script("""const gd = document.getElementById('series'), fl = gd._fullLayout;
        const ch = gd.data.slice(0, 6);                                    // the channels' traces come first
        return {type: fl.xaxis.type, title: fl.xaxis.title.text, x0: ch[0].x[0], axes: ch.map(t => t.yaxis),
                top: ch.map(t => [t.name, fl[t.yaxis.replace('y', 'yaxis')].domain[1]]), legend: fl.showlegend,
                zx: document.getElementById('proj')._fullLayout.xaxis.zeroline,
                zy: document.getElementById('proj')._fullLayout.yaxis.zeroline}""")
    t = res.series.index
    assert gd['type'] == 'date' and gd['title'] == 'time' and gd['x0'] == t[0].value / 1e6
    assert len(set(gd['axes'])) == 6 and not gd['legend']                       # a row of its own per channel
    esc = lambda c: c.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    by_height = [n for n, _ in sorted(gd['top'], key=lambda p: -p[1])]
    assert by_height == [esc(r['channel']) for r in last['table']]               # top to bottom: the bars' order
    assert gd['zx'] is False and gd['zy'] is False  # the stray line at x = 0 was plotly's zero line
    scroll_to(browser, 'series'); shot(browser, 'series-time-per-channel.png')
    browser.execute_script("dvats.setSeriesLayout('overlay')")
    assert browser.execute_script("return new Set(document.getElementById('series').data.slice(0, 6).map(t => "
                                  "t.yaxis)).size") == 1
    browser.execute_script("dvats.setSeriesLayout('channels'); dvats.select([], 'replace')")


def test_colour_by_time_and_matrix_profile(report, browser):
    """'time' and 'matrix profile' colour the projection on a continuous scale whose bar says its range; the profile's
    band under the series."""
    from dvats.views.page import decimate_minmax, bucket_edges
    res, _ = report
    w, valid = res.windows, np.flatnonzero(res.windows.valid)
    scale = ("const t = document.getElementById('proj').data.find(t => t.name === 'scale'); "
             "return t && {cmin: t.marker.cmin, cmax: t.marker.cmax, ticks: t.marker.colorbar.ticktext || null, "
             "title: t.marker.colorbar.title.text}")
    browser.execute_script("dvats.setState({...dvats.state(), color: 'time'})")
    got = browser.execute_script(scale)
    t = res.series.index
    start = lambda i: t[w.start[i]].isoformat(sep=' ')
    assert (got['cmin'], got['cmax']) == (valid[0], valid[-1]) and got['title'] == 'window start'
    assert got['ticks'] == [start(valid[0]).replace(' ', '<br>'), start(valid[-1]).replace(' ', '<br>')]
    scroll_to(browser, 'proj'); shot(browser, 'colour-time.png')
    browser.execute_script("dvats.setState({...dvats.state(), color: 'matrix_profile'})")
    got = browser.execute_script(scale)
    mp = w.mp_score.to_numpy(np.float64)[valid].astype(np.float32)
    assert (abs(got['cmin'] - np.nanmin(mp)) < 1e-6 and abs(got['cmax'] - np.nanmax(mp)) < 1e-6
            and got['title'] == 'matrix profile')
    band = browser.execute_script("return document.getElementById('series').data.find(t => t.name === 'matrix "
                                  "profile').y")
    want = decimate_minmax(res.steps.matrix_profile.to_numpy(np.float32), bucket_edges(len(res.series)))[:, 0, 1]
    np.testing.assert_allclose(np.array(band, dtype=float), want, rtol=1e-6)      # NaN (None) where a bucket has none
    scroll_to(browser, 'proj'); shot(browser, 'colour-matrix-profile.png')
    browser.execute_script("dvats.setState({...dvats.state(), color: 'cluster'})")
    assert browser.execute_script(scale) is None                               # no colour bar for clusters


def click_point(d, pos):
    "Click, with the mouse, the projection's point at position `pos` among the valid windows."
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    scroll_to(d, 'proj')
    px, py, w, h = d.execute_script("""const gd = document.getElementById('proj'), xa = gd._fullLayout.xaxis,
        ya = gd._fullLayout.yaxis, i = arguments[0];
        return [xa.c2p(gd.data[0].x[i]), ya.c2p(gd.data[0].y[i]), xa._length, ya._length]""", pos)
    el = d.find_element(By.CSS_SELECTOR, '#proj .nsewdrag[data-subplot="xy"]')
    ActionChains(d, duration=20).move_to_element_with_offset(el, int(round(px - w / 2)),
                                                             int(round(py - h / 2))).click().perform()


def test_context_of_a_clicked_window(report, browser):
    """A click on a point shows its neighbours in time, as many before and after as the two sliders say; they can become
    the selection."""
    res, _ = report
    valid = np.flatnonzero(res.windows.valid)
    # a real click, on a point that no other point is near
    xy = np.c_[res.windows.x.to_numpy(np.float64)[valid], res.windows.y.to_numpy(np.float64)[valid]]
    span = np.ptp(xy, 0)
    gap = np.sort(np.linalg.norm((xy[:, None] - xy[None]) / span, axis=2), axis=1)[:, 1]
    pos = int(np.flatnonzero(gap > 0.03)[len(np.flatnonzero(gap > 0.03)) // 2])
    click_point(browser, pos)
    f = int(valid[pos])
    for _ in range(50):
        got = browser.execute_script("return dvats.lastFocus()")
        if got and got['focus'] == f: break
        time.sleep(0.1)
    assert got['focus'] == f, got
    want = valid[(valid >= f - 5) & (valid <= f + 5)].tolist()
    assert got['context'] == want and got['painted']['context'] == want and got['painted']['clicked'] == [f]
    # the two sliders, moved as a user moves them
    browser.execute_script("""const b = document.getElementById('ctxb'), a = document.getElementById('ctxa');
        b.value = 3; b.dispatchEvent(new Event('input')); a.value = 12; a.dispatchEvent(new Event('input'));""")
    got = browser.execute_script("return dvats.lastFocus()")
    want = valid[(valid >= f - 3) & (valid <= f + 12)].tolist()
    assert (got['context'] == want
            and browser.execute_script("return [ctxbv.textContent, ctxav.textContent]") == ['3', '12'])
    # on the series: the span of the context, in time
    t = res.series.index
    x = browser.execute_script("return document.getElementById('series').layout.shapes.filter(s => s.name === "
                               "'context').map(s => [s.x0, s.x1])")
    w = res.windows
    # ms on the date axis
    assert x == [[t[w.start[want[0]]].value / 1e6, (t[0] + w.end[want[-1]] * (t[1] - t[0])).value / 1e6]]
    scroll_to(browser, 'title'); shot(browser, 'context.png')
    browser.find_element('id', 'selctx').click()
    last = browser.execute_script("return dvats.last()")
    assert last['ids'] == want
    check_table(last['table'], res.explain(want))


def test_more_like_this(report, browser):
    """The clicked window's most similar windows (the run's table), on the projection and the series, usable as the
    selection."""
    res, _ = report
    f = 240
    got = browser.execute_script("return dvats.focus(arguments[0])", f)
    want = [int(i) for i in res.similar[f] if i >= 0]
    assert got['similar'] == want and got['painted']['similar'] == want and got['note'] == '' and len(want) == 10
    assert named_shapes(browser, 'similar') == len(want)  # distinct occurrences: none overlaps another
    assert browser.execute_script("return document.getElementById('simv').textContent") == 'more like this: 10 windows'
    scroll_to(browser, 'title'); shot(browser, 'more-like-this.png')
    browser.find_element('id', 'selsim').click()
    last = browser.execute_script("return dvats.last()")
    assert last['ids'] == sorted([f] + want)
    check_table(last['table'], res.explain(sorted([f] + want)))
    # a window without a list: the list of the nearest window in time that has one, and the page says so
    got = browser.execute_script("return dvats.focus(100)")
    assert got['similar_of'] == 99 and got['similar'] == [int(i) for i in res.similar[99] if i >= 0]
    assert got['note'] == ('window 100 has no list of similar windows in this file; '
                           'showing those like window 99, the nearest in time that has one.')
    assert browser.execute_script("return document.getElementById('focusnote').textContent") == got['note']
    browser.execute_script("dvats.focus(-1); dvats.select([], 'replace')")


def ref_tags_csv(res, tags):
    """The tags file as dvats.tags writes it (pandas, RFC 4180): one row per run of windows whose spans touch or
    overlap, from its first row to its last."""
    import pandas as pd
    t, st, w = res.series.index, res.config.windows.stride, res.config.windows.w
    at = lambda row: t[row].isoformat(sep=' ')
    def id_list(r):
        cut = np.split(r, np.flatnonzero(np.diff(r) != 1) + 1)
        return ','.join(f'{c[0]}-{c[-1]}' if len(c) > 1 else f'{c[0]}' for c in cut)
    rows = [{'tag': n, 'start_time': at(r[0] * st), 'end_time': at(r[-1] * st + w - 1), 'window_ids': id_list(r)}
            for n, ids in tags.items() for r in np.split(np.asarray(ids), np.flatnonzero(np.diff(ids) * st > w) + 1)]
    return pd.DataFrame(rows, columns=['tag', 'start_time', 'end_time', 'window_ids']).to_csv(index=False)


def test_tags_export_and_import(report, browser, tmp_path):
    """Name selections (a hostile name stays text), list them, see them as bands, export them as intervals (the file of
    dvats.tags), import them back."""
    import importlib.util
    from selenium.common.exceptions import NoAlertPresentException
    res, _ = report
    d = browser
    a = [3, 4, 5, 9, 40, 41, 300]
    d.execute_script("dvats.select(arguments[0], 'replace')", a)
    box = d.find_element('id', 'tagname'); box.clear(); box.send_keys(EVIL)
    d.find_element('id', 'tagbtn').click()
    d.execute_script("dvats.select(arguments[0], 'replace')", [600, 601, 602])
    box.clear(); box.send_keys('quiet, "flat"'); d.find_element('id', 'tagbtn').click()
    tags = {EVIL: a, 'quiet, "flat"': [600, 601, 602]}
    assert d.execute_script("return dvats.tags()") == tags
    chips = d.execute_script("return [...document.querySelectorAll('#tags .dvats-tag')].map(c => c.textContent)")
    # name, size, 'normal', 'anomaly', remove
    assert chips == [f'{EVIL} 7 windows normalanomaly×', 'quiet, "flat" 3 windows normalanomaly×']
    # the page has no Python: a tag's 'normal' and 'anomaly' buttons say the command that rescores the run (issue 33)
    d.find_elements('css selector', '#tags .dvats-tagnormal')[1].click()
    assert d.execute_script("return document.getElementById('status').textContent").endswith(
        'dvats rescore RUN --known-normal-tag "quiet, \\"flat\\""')
    d.find_elements('css selector', '#tags .dvats-taganomaly')[1].click()
    assert 'dvats rescore RUN --anomaly-tag "quiet' in d.execute_script(
        "return document.getElementById('status').textContent")
    with pytest.raises(NoAlertPresentException): d.switch_to.alert.text
    assert d.execute_script("return document.querySelectorAll('img').length") == 0
    intervals = ref_tags_csv(res, tags)
    assert named_shapes(d, 'tag') == intervals.count('\n') - 1  # a band per interval, in the tags' lane
    scroll_to(d, 'title'); shot(d, 'tags.png')
    # export: the button downloads tags.csv, the format of dvats.tags
    d.execute_cdp_cmd('Page.setDownloadBehavior', {'behavior': 'allow', 'downloadPath': str(tmp_path)})
    d.find_element('id', 'tagcsv').click()
    for _ in range(50):
        if (tmp_path / 'tags.csv').exists() and (tmp_path / 'tags.csv').stat().st_size: break
        time.sleep(0.1)
    text = (tmp_path / 'tags.csv').read_text()
    assert text == intervals
    if importlib.util.find_spec('dvats.tags'):                                  # the lead's reader and writer agree
        from dvats.tags import read_tags, write_tags
        got = read_tags(tmp_path / 'tags.csv', res)
        assert {k: list(v) for k, v in got.items()} == tags
        write_tags(res, {k: np.asarray(v) for k, v in tags.items()}, tmp_path / 'py.csv')
        assert (tmp_path / 'py.csv').read_text() == text
    # click a tag to select it; remove one; import the file back through the file input
    d.find_element('css selector', '#tags .dvats-tagsel').click()
    assert d.execute_script("return dvats.state().selection") == a
    d.find_element('css selector', '#tags .dvats-tagdel').click()
    assert d.execute_script("return dvats.tags()") == {'quiet, "flat"': [600, 601, 602]}
    d.find_element('id', 'tagload').send_keys(str(tmp_path / 'tags.csv'))
    for _ in range(50):
        if len(d.execute_script("return dvats.tags()")) == 2: break
        time.sleep(0.1)
    assert d.execute_script("return dvats.tags()") == {'quiet, "flat"': [600, 601, 602], EVIL: a}
    bad = d.execute_script("return [dvats.importTags('tag,when\\nx,1\\n'), "
                           "document.getElementById('status').textContent]")
    assert bad[0] is None and "not a tags file: no 'tag' and 'window_ids' columns" in bad[1]
    d.execute_script("dvats.untag(arguments[0]); dvats.untag('quiet, \"flat\"')", EVIL)



# ---- issue 34: tag names a spreadsheet would compute ----
FORMULAS = ['=HYPERLINK("http://x","click")', '@SUM(1+1)', '+1', '-1', '\t=1+1', '\r=1+1', "'quoted",
            "=cmd|' /C calc'!A0"]


def wait_for(path):
    for _ in range(50):
        if path.exists() and path.stat().st_size: break
        time.sleep(0.1)
    return path.read_bytes().decode('utf-8')


def test_tags_named_like_formulas_stay_text(report, browser, tmp_path):
    """OWASP's payloads as tag names (typed in the box, or imported from write_tags' file): the page's `tagsCSV` and its
    'export tags' download are write_tags' file byte for byte, each name behind one `'`; importing that file gives the
    names back as typed; the selection's download is write_csv's."""
    import csv, io
    import pandas as pd
    from dvats.tags import read_tags, write_tags
    from dvats.io import write_csv
    res, _ = report
    d = browser
    valid = np.flatnonzero(res.windows.valid.to_numpy())
    tags = {n: [int(i) for i in valid[[30 * k, 30 * k + 1, 30 * k + 9]]] for k, n in enumerate(FORMULAS)}
    py = write_tags(res, {k: np.asarray(v) for k, v in tags.items()}, tmp_path / 'py.csv').read_bytes().decode('utf-8')
    assert [r[0] for r in csv.reader(io.StringIO(py, newline=''))][1:] == ["'" + n for n in FORMULAS]
    # typed, as a user does (the box trims, so the names with a leading tab or carriage return come from a file below)
    d.execute_script("dvats.select(arguments[0], 'replace')", tags[FORMULAS[0]])
    box = d.find_element('id', 'tagname'); box.clear(); box.send_keys(FORMULAS[0])
    d.find_element('id', 'tagbtn').click()
    assert d.execute_script("return dvats.tags()") == {FORMULAS[0]: tags[FORMULAS[0]]}
    # imported through the file input: every name as typed
    d.find_element('id', 'tagload').send_keys(str(tmp_path / 'py.csv'))
    for _ in range(50):
        if len(d.execute_script("return dvats.tags()")) == len(FORMULAS): break
        time.sleep(0.1)
    assert d.execute_script("return dvats.tags()") == tags
    assert d.execute_script("return dvats.tagsCSV()") == py
    d.execute_cdp_cmd('Page.setDownloadBehavior', {'behavior': 'allow', 'downloadPath': str(tmp_path)})
    d.find_element('id', 'tagcsv').click()
    assert wait_for(tmp_path / 'tags.csv') == py
    assert {k: v.tolist() for k, v in read_tags(tmp_path / 'tags.csv', res).items()} == tags
    for n in FORMULAS: d.execute_script("dvats.untag(arguments[0])", n)
    assert d.execute_script("return dvats.importTags(arguments[0])", py) == tags   # the page's import of its own file
    # the selection's download
    d.execute_script("dvats.select(arguments[0], 'replace')", tags['-1'])
    d.find_element('id', 'csv').click()
    assert wait_for(tmp_path / 'selection.csv') == write_csv(pd.DataFrame({'window': tags['-1']}, dtype=np.int64))
    for n in FORMULAS: d.execute_script("dvats.untag(arguments[0])", n)
    d.execute_script("dvats.select([], 'replace')")

def test_an_older_run_hides_the_new_controls(report, browser, tmp_path):
    """A run made before the table of similar windows and the matrix profile: no 'more like this', no matrix-profile
    colour or band."""
    import dataclasses
    from dvats.views.page import write_report
    res, page = report
    old = dataclasses.replace(res, windows=res.windows.drop(columns='mp_score'),
                              steps=res.steps.drop(columns='matrix_profile'))
    old.similar = None
    old.contrast_basis = old.contrast_directions = None  # a run made before issue 29's contrast basis
    open_page(browser, write_report(old, tmp_path / 'old.html'), target=None)
    try:
        got = browser.execute_script("""return [document.getElementById('simbox').hidden,
            [...document.getElementById('color').options].filter(o => !o.hidden).map(o => o.value),
            document.getElementById('series').data.some(t => t.name === 'matrix profile'), dvats.focus(240).similar]""")
        assert got == [True, ['cluster', 'score', 'time'], False, []]
        # no contrast basis: no choice of target (the page cannot recompute a contrast), the bars explain the embedding
        # as before
        got = browser.execute_script("return [document.getElementById('targetbox').hidden, "
                                     "document.getElementById('target').value, dvats.selectCluster(0, 'replace')]")
        assert got[:2] == [True, 'embedding'] and got[2]['target'] == 'embedding' and got[2]['contrast'] is None
        check_table(got[2]['table'], res.explain(np.flatnonzero((res.windows.cluster == 0).fillna(False).to_numpy())))
        assert browser.execute_script("return document.getElementById('verdict').hidden") is True
    finally:
        open_page(browser, page)


# ---- issue 29: what sets a selection apart, answered in the page for any selection ----

SHOTS29 = SHOTS / 'shots29'


def page_answer(res, ids):
    """Python's version of the page's answer: `basis_contrast` (the contrast from the run's basis against the reference
    'auto'; `explain(res, ids, 'contrast')` gives the same table), its `overlapping` whether its reference holds windows
    that share a step with the selection."""
    return basis_contrast(res, ids)


def check_contrast(got, ex):
    """The page's contrast (`dvats.last()`) is Python's (`page_answer`) for the same selection: the same windows and
    reference (the same name, 'neighbours' or 'all', that 'auto' resolved to), the
    same verdict, and the channel table within the page's 8 bits (2% of the largest |signed|), in the same order except
    where two channels are within that of each other. A selection that is not distinct (no bars drawn) may differ by so
    little from its reference that 8 bits move its contributions by more: 10% then."""
    c = got['contrast']
    assert got['target'] == 'contrast' and c is not None, got
    assert (c['reference'] == ex.reference_name and ex.reference_name in ('neighbours', 'all')
            and c['overlapping'] == ex.overlapping)
    assert c['n_sel'] == len(ex.ids) and c['n_ref'] == len(ex.reference)
    assert abs(c['threshold'] - ex.threshold) <= 0.01 * ex.threshold
    assert abs(c['ratio'] - ex.ratio) <= 0.03 * ex.ratio + 0.01, (c['ratio'], ex.ratio)
    if abs(ex.ratio - ex.threshold) > 0.05 * ex.threshold: assert c['distinct'] == ex.distinct
    want = dict(zip(ex.table.channel, ex.table.signed))
    tol = (0.02 if ex.distinct else 0.1) * np.abs(ex.table.signed).max() + 1e-9
    page = {r['channel']: r['signed'] for r in got['table']}
    assert sorted(page) == sorted(want)
    for ch, v in want.items(): assert abs(page[ch] - v) <= tol, (ch, page[ch], v, tol)
    order = [r['channel'] for r in got['table']]
    assert (order == ex.table.channel.tolist()
            or all(want[a] >= want[b] - 2 * tol for a, b in zip(order, order[1:]))), (order, want)
    # the contributions sum to the difference's size in spreads (each coordinate over its spread over the windows)
    assert abs(sum(page.values()) - c['size_in_spreads']) <= 1e-6 * max(1, c['size_in_spreads'])


def verdict(d):
    return d.execute_script("return document.getElementById('verdict').textContent")


def reference_words(ex):
    "How the page names a contrast's reference."
    return (f"against {len(ex.reference):,} reference windows (" +
            ('every window shares a step with the selection: all unselected windows)' if ex.overlapping
             else 'neighbours: the windows around the selection in time that share no step with it)'
             if ex.reference_name == 'neighbours'
             else 'all: every window that shares no step with the selection)'))


def test_contrast_is_the_default_answer(report, browser):
    """A run with a contrast basis opens on 'what sets them apart' (the other choice: 'what the encoder looks at'); with
    nothing selected, the page asks for a selection."""
    res, page = report
    open_page(browser, page, target=None)
    try:
        got = browser.execute_script("""const s = document.getElementById('target');
            return [document.getElementById('targetbox').hidden, s.value,
                    [...s.options].map(o => [o.value, o.textContent])]""")
        assert got == [False, 'contrast',
                       [['contrast', 'what sets them apart'], ['embedding', 'what the encoder looks at']]]
        assert verdict(browser).startswith('Select windows')
        ids = np.flatnonzero((res.windows.cluster == 0).fillna(False).to_numpy())
        got = browser.execute_script("return dvats.selectCluster(0, 'replace')")
        check_contrast(got, page_answer(res, ids))
    finally:
        set_target(browser, 'embedding')


def test_contrast_of_clusters_anomalies_and_a_lasso(report, browser):
    """A cluster, the anomalies and a lasso of part of the projection: the page's contrast is Python's, and the line
    above the bars names the reference."""
    res, _ = report
    w = res.windows
    set_target(browser, 'contrast')
    try:
        for k in sorted(int(k) for k in w.cluster.dropna().unique()):          # (a) every cluster
            got = browser.execute_script("return dvats.selectCluster(arguments[0], 'replace')", k)
            ex = page_answer(res, np.flatnonzero((w.cluster == k).fillna(False).to_numpy()))
            check_contrast(got, ex)
            line = verdict(browser)
            assert reference_words(ex) in line and line.startswith(f"{len(ex.ids):,} windows against"), line
            assert ("× a random selection's difference (99% stay below" in line) == ex.distinct
            bars = browser.execute_script("const gd = document.getElementById('imp'); "
                                          "return gd.data.length ? Array.from(gd.data[0].x) : []")
            assert (bars == [r['signed'] for r in got['table']][::-1]) if got['contrast']['distinct'] else bars == []
        got = browser.execute_script("return dvats.selectAnomalies('replace')")   # (b) the anomalies
        ids = np.flatnonzero(w.is_anomaly.to_numpy() & w.valid.to_numpy())
        assert sorted(got['ids']) == ids.tolist()
        ex = page_answer(res, ids)
        check_contrast(got, ex)
        assert reference_words(ex) in verdict(browser)
        # the time profile and the bands of a contrast are Python's: the page says where to get them
        notes = browser.execute_script("return [heatnote.textContent, bandsnote.textContent, "
                                       "document.getElementById('heat').data.length]")
        assert ("explain(run, ids, target='contrast')" in notes[0] and 'dvats explain RUN --contrast' in notes[0]
                and notes[2] == 0)
        assert 'frequency bands are computed in Python' in notes[1]
        # (c) a box around the leftmost 30% of the projection's points
        xs = np.sort(w.x.to_numpy(np.float64)[w.valid.to_numpy()])
        cut = float(xs[len(xs) * 3 // 10] + xs[len(xs) * 3 // 10 + 1]) / 2
        got = plotly_select(browser, 'proj', xs[0] - 1, cut)
        # plotly tests the box in pixels: a point within a pixel of its edge may fall either side
        ids = np.flatnonzero(w.valid & (w.x <= cut))
        assert len(np.setxor1d(got['ids'], ids)) <= 0.02 * len(ids)
        check_contrast(got, page_answer(res, got['ids']))
    finally:
        set_target(browser, 'embedding')


def test_contrast_of_a_tag_and_a_drag_along_time(report, browser):
    "A tag and a drag along the series take the same path: their contrast is Python's too."
    res, _ = report
    w, t = res.windows, res.series.index
    set_target(browser, 'contrast')
    try:
        got = series_select(browser, t[1500], t[1800])
        ids = np.flatnonzero(w.valid & (w.end > 1500) & (w.start <= 1800))
        assert sorted(got['ids']) == ids.tolist()
        ex = page_answer(res, ids)
        # one stretch in time: 'auto' takes its neighbours
        assert ex.reference_name == 'neighbours' and not ex.overlapping
        check_contrast(got, ex)
        tag = [int(i) for i in np.flatnonzero(w.valid)[200:260]]
        browser.execute_script("dvats.tag('t29', arguments[0])", tag)
        got = browser.execute_script("return dvats.selectTag('t29', 'replace')")
        ex = page_answer(res, tag)
        assert ex.reference_name == 'neighbours'
        check_contrast(got, ex)
        assert (reference_words(ex) in verdict(browser)
                and 'neighbours: the windows around the selection in time' in verdict(browser))
        browser.execute_script("dvats.untag('t29')")
        # the left part of the projection, as little of it as shares a step with every valid window (a cluster spread
        # over the series): taken from the layout, whatever it is
        from dvats.contrast import overlap_zone
        x, valid, wc = w.x.to_numpy(np.float64), w.valid.to_numpy(), res.config.windows
        for part in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
            most = [int(i) for i in np.flatnonzero(valid & (x <= np.nanmin(x) + part * np.ptp(x[valid])))]
            if overlap_zone(most, len(w), wc.w, wc.stride)[valid].all(): break
        got = browser.execute_script("return dvats.select(arguments[0], 'replace')", most)
        ex = page_answer(res, most)
        assert ex.overlapping and got['contrast']['overlapping'] and ex.distinct
        check_contrast(got, ex)
        assert reference_words(ex) in verdict(browser) and 'all unselected windows' in verdict(browser)
    finally:
        set_target(browser, 'embedding')


def test_scattered_windows_are_not_distinct_as_in_python(report, browser):
    """A few windows drawn at random: the page reports them distinct exactly when Python does (not, nearly always), and
    then draws no bars."""
    res, _ = report
    valid = np.flatnonzero(res.windows.valid)
    set_target(browser, 'contrast')
    try:
        for seed in range(3):
            ids = np.sort(np.random.default_rng(seed).choice(valid, 5, replace=False))
            got = browser.execute_script("return dvats.select(arguments[0], 'replace')", [int(i) for i in ids])
            ex = page_answer(res, ids)
            assert ex.reference_name == 'all'  # five stretches in time: 'auto' takes every window apart
            check_contrast(got, ex)
            assert got['contrast']['distinct'] == ex.distinct
            line = verdict(browser)
            assert reference_words(ex) in line
            drawn = browser.execute_script("return document.getElementById('imp').data.length")
            if not ex.distinct:
                assert (': not distinct from its reference: random selections of its size differ as much (' in line
                        and drawn == 0), line
            else: assert drawn == 1
    finally:
        set_target(browser, 'embedding')


def test_contrast_functions_in_node(tmp_path):
    """The page's contrast functions (exported from explorer.js) are dvats.contrast's, to rounding: the zone, the
    stretches, the reference 'auto' (its neighbours for a selection of at most `COMPACT_RUNS` stretches, else all
    windows, with the fallback when the zone covers every window), the contrast from a basis with shared and own
    columns, the sums of the windows' correlation (`pair_sum`), the verdict's numbers and the table."""
    import json, shutil, subprocess
    from dvats.contrast import (overlap_zone, zone_width, stretches, contrast_reference, contrast_from_basis,
                                contrast_null, pair_sum, null_lags, distinctness, contrast_table, COMPACT_RUNS,
                                NEIGHBOUR_SPAN, in_spreads)
    from dvats.views.page import asset
    if not shutil.which('node'): pytest.skip('node is not installed')
    (tmp_path / 'explorer.mjs').write_text(asset('explorer.js'))
    rng = np.random.default_rng(0)
    n, C, S, own, w, stride, names = 500, 4, 3, 2, 10, 3, ['b', 'a', 'd', 'c']
    K, g = S + own, zone_width(w, stride)
    valid = rng.random(n) > 0.1
    vid = np.flatnonzero(valid)
    # the embeddings: only which rows are finite matters
    E = rng.normal(size=(n, 6)).astype(np.float32); E[~valid] = np.nan
    rel = np.sort(rng.choice(vid, 300, replace=False))               # the windows that have a basis row
    B = rng.normal(size=(len(rel), C, K)).astype(np.float32); B[:, 1] += 0.3; B[:, 2, S:] -= 0.5
    full = np.full((n, C, K), np.nan, np.float32); full[rel] = B
    # overlapping windows, then a slow decay
    rho = np.r_[1, .8, .5, .2, 0.15 * 0.9 ** np.arange(null_lags(w, stride) - 3)]
    null = contrast_null(rng.normal(size=(400, S + C * own)) * 0.7, rho)
    # against 'all', the threshold is at least the permutation calibration's, interpolated in log effective size: a
    # table above the χ²'s where few windows are averaged
    null['calibration'] = {'neff': [1., 4., 40.], 'ratio': [9., 5., 1.]}
    ct = {'zone': g, 'compact': COMPACT_RUNS, 'span': NEIGHBOUR_SPAN * g}
    stretch = vid[(vid > 100) & (vid < 160)]
    cases = [('scattered', rng.choice(vid, 5, replace=False), 'all'), ('a stretch', stretch, 'neighbours'),
             ('three stretches', np.r_[stretch, vid[(vid > 250) & (vid < 270)], vid[(vid > 400) & (vid < 420)]],
              'neighbours'),
             ('four stretches', np.r_[stretch, vid[(vid > 250) & (vid < 270)], vid[(vid > 330) & (vid < 350)],
                                      vid[(vid > 400) & (vid < 420)]], 'all'),
             ('at the start', vid[vid < 30], 'neighbours'), ('the zone everywhere', vid[::2], 'all')]
    seen_overlapping = raised = False
    for what, sel, name in cases:
        sel = np.sort(sel)
        ref, got_name = contrast_reference('auto', sel, E, w, stride)
        assert got_name == name, (what, got_name)
        overlapping = bool(overlap_zone(sel, n, w, stride)[ref].any()); seen_overlapping |= overlapping
        s, r = rel[np.isin(rel, sel)], rel[np.isin(rel, ref)]
        raw, d = contrast_from_basis(full, s, r, S)
        # the channels sum to the size
        assert abs(raw.sum() - np.linalg.norm(d)) < 1e-9 * max(1, np.linalg.norm(d))
        # the page's answer: in spreads of the windows (`contrast_null`)
        contribution, _ = contrast_from_basis(full, s, r, S, null['spread'])
        ratio, thr = distinctness(in_spreads(d, null['spread']), s, r, null, calibrated=name == 'all')
        raised |= thr > distinctness(in_spreads(d, null['spread']), s, r, null)[1]
        table = contrast_table(contribution, names)
        src = f"""import * as m from './explorer.mjs';
            const sel = Uint8Array.from({np.isin(vid, sel).astype(int).tolist()}), id = Int32Array.from({vid.tolist()});
            const ro = m.contrastRoles(sel, id, {n}, {json.dumps(ct)},
                                       Int32Array.from({np.searchsorted(vid, rel).tolist()}));
            const r = m.contrastOf(Float32Array.from({B.ravel().tolist()}), new Float32Array({len(rel)}).fill(1),
                                   {C}, {K}, {S}, ro.role, {json.dumps(null['spread'])});
            const rel = {rel.tolist()}, rows = k => rel.filter((_, j) => ro.role[j] === k), nul = {json.dumps(null)},
                  mask = new Uint8Array({n + 1});
            console.log(JSON.stringify({{zone: Array.from(m.overlapZone({sel.tolist()}, {n}, {g})),
                                         stretches: m.stretches({sel.tolist()}, {g}),
                                         nRef: ro.nRef, overlapping: ro.overlapping, reference: ro.reference,
                                         ns: r.ns, nr: r.nr, size: r.size, inSpreads: r.sizeInSpreads,
                                         sel: rows(1), ref: rows(2),
                                         pairs: [[rows(1), rows(1)], [rows(2), rows(2)], [rows(1), rows(2)],
                                                 [rows(2), rows(1)]].map(([a, b]) => m.pairSum(a, b, nul.rho, mask)),
                                         d: m.distinctness(r.sizeInSpreads, rows(1), rows(2), nul, {n}, 2.326,
                                                          ro.reference === 'all'),
                                         table: m.contrastTable(r.contribution, {names})}}));"""
        got = json.loads(subprocess.run(['node', '--input-type=module'], input=src, capture_output=True, text=True,
                                        check=True, cwd=tmp_path).stdout)
        assert got['zone'] == overlap_zone(sel, n, w, stride).astype(int).tolist(), what
        assert got['stretches'] == stretches(sel, w, stride), what
        assert (got['reference'], got['nRef'], got['overlapping']) == (name, len(ref), overlapping), what
        assert (got['sel'], got['ref']) == (s.tolist(), r.tolist()) and (got['ns'], got['nr']) == (len(s), len(r)), what
        np.testing.assert_allclose(got['pairs'],
                                   [pair_sum(s, s, rho), pair_sum(r, r, rho), pair_sum(s, r, rho), pair_sum(r, s, rho)],
                                   rtol=1e-12)
        assert abs(got['size'] - np.linalg.norm(d)) < 1e-9
        # the page's channels sum to the size in spreads, as Python's
        assert abs(got['inSpreads'] - contribution.sum()) < 1e-9 * max(1, contribution.sum()), what
        assert (abs(got['d']['ratio'] - ratio) < 1e-9
                and abs(got['d']['threshold'] - thr) < 1e-12), (what, got['d'], ratio, thr)
        assert [t['channel'] for t in got['table']] == table.channel.tolist(), what
        np.testing.assert_allclose([[t['signed'], t['share']] for t in got['table']],
                                   table[['signed', 'share']].to_numpy(), atol=1e-12)
    assert seen_overlapping                                           # the fallback was taken: every unselected window
    assert raised                                                     # the calibration raised a threshold
    # the correlation's sums at the ends of the ids and across them: ρ(0) once per shared window, ρ(ℓ) once per pair ℓ
    # apart, either way
    for a, b in [(np.r_[0, 1, 2, 40], np.r_[0, 3, 35, 499]), (np.r_[498, 499], np.r_[0, 497, 499]),
                 (np.r_[5], np.r_[5])]:
        src = f"""import * as m from './explorer.mjs';
            console.log(JSON.stringify(m.pairSum({a.tolist()}, {b.tolist()}, {rho.tolist()},
                                                 new Uint8Array({n + 1}))));"""
        got = json.loads(subprocess.run(['node', '--input-type=module'], input=src, capture_output=True, text=True,
                                        check=True, cwd=tmp_path).stdout)
        lag = np.abs(a[:, None] - b[None])
        want = np.where(lag < len(rho), rho[np.minimum(lag, len(rho) - 1)], 0).sum()
        assert (abs(got - want) < 1e-12
                and abs(pair_sum(a, b, rho) - want) < 1e-12), (a, b, got, pair_sum(a, b, rho), want)
    # the channel sums of the page, 8 bits with a scale per row (`sums_scale`): dvats.explain.channel_table of the same
    # numbers
    from dvats.explain import channel_table
    sums = rng.integers(-127, 128, size=(20, C, 2)).astype(np.int8); sums[..., 1] = np.abs(sums[..., 1])
    scale = rng.random(20).astype(np.float32)
    idx = [1, 4, 5, 9, 17]
    src = f"""import * as m from './explorer.mjs';
        console.log(JSON.stringify([m.channelTable(Int8Array.from({sums.ravel().tolist()}), {names}, {idx},
                                                   Float32Array.from({scale.tolist()})),
                                    m.channelTable(Int8Array.from({sums.ravel().tolist()}), {names}, {idx})]));"""
    got = json.loads(subprocess.run(['node', '--input-type=module'], input=src, capture_output=True, text=True,
                                    check=True, cwd=tmp_path).stdout)
    for page, sc in zip(got, (scale.astype(np.float64), np.ones(20))):
        want = channel_table(sums[idx].astype(np.float64) * sc[idx, None, None], names)
        assert [t['channel'] for t in page] == want.channel.tolist()
        np.testing.assert_allclose([[t['signed'], t['share']] for t in page], want[['signed', 'share']].to_numpy(),
                                   rtol=1e-6)


def regime_cluster(res):
    """A regime of the demo (1-3: two channels changed) and the cluster that holds most of its windows, chosen where
    that cluster is purest."""
    from dvats.demo import demo_regime_channels
    w = res.windows[res.windows.valid.to_numpy() & res.windows.cluster.notna().to_numpy()]
    best = None
    label = w.label.astype(str)                                              # a label column holds text
    for r in (1, 2, 3):
        k = int(w.cluster[label == str(r)].mode().iloc[0])
        purity = float((label[w.cluster == k] == str(r)).mean())
        if k >= 0 and (best is None or purity > best[2]): best = (r, k, purity)
    return best[0], best[1], demo_regime_channels(res.series.shape[1])[best[0]]


def demo_answers(res, page, shots):
    """The report of the demo run `res` at `page`, in a browser: a regime's cluster and the anomalies answered as Python
    answers; a screenshot of each in `shots`."""
    from dvats.explain import cluster_ids, anomaly_ids
    shots.mkdir(parents=True, exist_ok=True)
    d = headless_chromium(1400, 1100)
    try:
        open_page(d, page, target=None)                                      # the default: what sets them apart
        regime, k, channels = regime_cluster(res)
        got = d.execute_script("return dvats.selectCluster(arguments[0], 'replace')", k)
        ex = page_answer(res, cluster_ids(res.windows, k))
        check_contrast(got, ex)
        assert ex.distinct and got['contrast']['distinct']
        assert reference_words(ex) in verdict(d)
        scroll_to(d, 'title'); d.save_screenshot(str(shots / f'report-regime{regime}-cluster{k}.png'))
        got = d.execute_script("return dvats.selectAnomalies('replace')")
        ids = anomaly_ids(res.windows)
        assert sorted(got['ids']) == ids[res.windows.valid.to_numpy()[ids]].tolist()
        ex = page_answer(res, ids)
        check_contrast(got, ex)
        assert reference_words(ex) in verdict(d)
        d.save_screenshot(str(shots / 'report-anomalies.png'))
        table = d.execute_script("return dvats.selectCluster(arguments[0], 'replace')", k)['table']
        return regime, k, channels, [r['channel'] for r in table]
    finally: d.quit()


def test_demo_report_answers_for_a_regime_and_the_anomalies(tmp_path):
    """The demo (its cached run): the report answers for the cluster of a regime and for the anomalies as Python does;
    screenshots in runs/shots29/."""
    from dvats.pipeline import cached_demo
    from dvats.views.page import write_report
    res = cached_demo(tmp_path / 'demo')
    demo_answers(res, write_report(res, tmp_path / 'demo' / 'report.html'), SHOTS29)


# ---- issue 31: the clusters in words, the anomalies as events, undo, words, colours, the shortcuts ----

SHOTS31 = SHOTS / 'shots31'


def valid_ids(res, ids):
    v = res.windows.valid.to_numpy()
    return [int(i) for i in ids if v[i]]


def event_windows(res, row):
    "The windows of an event of `dvats.overview.anomaly_events`: those of `first..last` above the run's threshold."
    w = res.windows
    r = np.arange(row['first'], row['last'] + 1)
    return [int(i) for i in r[w.is_anomaly.to_numpy()[r] & w.valid.to_numpy()[r]]]


def test_cluster_overview_rows_and_click(report, browser):
    """One row per cluster, as dvats.overview.cluster_overview (noise last): its colour in the projection, size, share
    of time, stretches, words; a click selects it."""
    from dvats.overview import cluster_overview
    res, _ = report
    ov = cluster_overview(res)
    rows = browser.execute_script("return dvats.overviewRows()")
    assert [r['cluster'] for r in rows] == ov.cluster.tolist() and len(rows) >= 2
    colours = browser.execute_script("return document.getElementById('proj').data[0].marker.color")
    cl = res.windows.cluster.to_numpy()[res.windows.valid.to_numpy()]
    for r, (_, o) in zip(rows, ov.iterrows()):
        name = 'noise' if o.cluster == -1 else f'cluster {o.cluster}'
        n = int(o.windows)
        assert r['cells'] == [name, f"{n:,} window{'' if n == 1 else 's'}", f"{round(o.share * 100)}%"
                              if o.share >= 0.005 else '<1%',
                              f"{o.stretches} stretch{'' if o.stretches == 1 else 'es'}", o.description], r
        # the swatch is the cluster's colour in the projection
        assert r['color'] == colours[int(np.flatnonzero(cl == o.cluster)[0])]
    k = int(ov.cluster.iloc[0])
    browser.execute_script("dvats.select([], 'replace')")
    browser.find_element('css selector', f'#overview tr[data-cluster="{k}"]').click()    # a real click on the row
    want = valid_ids(res, np.flatnonzero((res.windows.cluster == k).fillna(False).to_numpy()))
    assert browser.execute_script("return dvats.state().selection") == want
    assert browser.execute_script("return dvats.clickOverview(arguments[0]).ids", int(ov.cluster.iloc[-1])) == \
        valid_ids(res, np.flatnonzero((res.windows.cluster == ov.cluster.iloc[-1]).fillna(False).to_numpy()))
    browser.execute_script("dvats.select([], 'replace')")


def test_anomalies_listed_as_events(report, browser):
    """The ranked list: one row per event of dvats.overview.anomaly_events (highest peak first); a click selects the
    event's windows above the threshold."""
    from dvats.overview import anomaly_events
    res, _ = report
    ev = anomaly_events(res)
    assert len(ev) >= 2
    rows = browser.execute_script("return dvats.eventRows()")
    assert len(rows) == min(len(ev), 200)
    for r, (_, e) in zip(rows, ev.iterrows()):
        assert (r['first'], r['last']) == (e['first'], e['last'])
        n = int(e.windows)
        assert r['cells'] == [str(int(e.event) + 1), f'{e.peak:.3f}', e.start_time.isoformat(sep=' '),
                              e.end_time.isoformat(sep=' '),
                              f"{n:,} window{'' if n == 1 else 's'}", e.description], r
    k = int(np.argmax(ev.windows.to_numpy() > 1)) if (ev.windows > 1).any() else 0
    browser.execute_script("dvats.select([], 'replace')")
    browser.find_element('css selector', f'#rank tr[data-event="{k}"]').click()
    want = event_windows(res, ev.iloc[k])
    assert len(want) == ev.windows.iloc[k]
    assert browser.execute_script("return dvats.state().selection") == want
    for j in range(len(ev)):
        assert browser.execute_script("return dvats.selectEvent(arguments[0], 'replace').ids", j) == event_windows(res,
                                                                                                                   ev.iloc[j])
    browser.execute_script("dvats.select([], 'replace')")


def test_double_click_clears_and_ctrl_z_brings_it_back(report, browser):
    """A double click in the projection clears the selection; Ctrl+Z restores it, Ctrl+Shift+Z and Ctrl+Y redo, the
    buttons too."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    res, _ = report
    d = browser
    state = lambda: d.execute_script("return dvats.state().selection")
    d.execute_script("dvats.select([], 'replace')")
    want = d.execute_script("return dvats.selectCluster(0, 'replace').ids")
    assert len(want) > 1
    scroll_to(d, 'proj')
    el = d.find_element(By.CSS_SELECTOR, '#proj .nsewdrag[data-subplot="xy"]')
    # a corner: no point
    ActionChains(d).move_to_element_with_offset(el, 4 - el.size['width'] // 2,
                                                4 - el.size['height'] // 2).double_click().perform()
    for _ in range(50):
        if state() == []: break
        time.sleep(0.1)
    assert state() == []
    assert 'Ctrl+Z brings it back' in d.execute_script("return document.getElementById('status').textContent")
    ActionChains(d).key_down(Keys.CONTROL).send_keys('z').key_up(Keys.CONTROL).perform()
    assert state() == want
    ActionChains(d).key_down(Keys.CONTROL).key_down(Keys.SHIFT).send_keys('z').key_up(Keys.SHIFT).key_up(Keys.CONTROL).perform()
    assert state() == []
    ActionChains(d).key_down(Keys.CONTROL).send_keys('z').key_up(Keys.CONTROL).perform()
    assert state() == want
    ActionChains(d).key_down(Keys.CONTROL).send_keys('y').key_up(Keys.CONTROL).perform()
    assert state() == []
    d.find_element('id', 'undo').click()
    assert state() == want
    d.find_element('id', 'redo').click()
    assert state() == [] and d.execute_script("return document.getElementById('redo').disabled") is True
    # a new selection after an undo drops what could be redone; typing in the tag's box is not an undo
    extra = [int(i) for i in np.flatnonzero(res.windows.valid) if i not in set(want)][:2]   # not selected yet
    d.execute_script("dvats.undo(); dvats.select(arguments[0], 'add')", extra)
    assert state() == sorted(set(want) | set(extra)) and d.execute_script("return dvats.history().redo") == 0
    box = d.find_element('id', 'tagname'); box.clear(); box.send_keys('x', Keys.CONTROL, 'z')
    assert state() == sorted(set(want) | set(extra))
    d.execute_script("document.activeElement.blur(); dvats.select([], 'replace')")


def test_one_window_is_singular(report, browser):
    """'1 window', never '1 windows': the status line, the clicked window's context, a tag's chip, the overview and the
    events."""
    res, _ = report
    d = browser
    i = int(np.flatnonzero(res.windows.valid)[50])
    d.execute_script("dvats.select([arguments[0]], 'replace')", i)
    status = d.execute_script("return document.getElementById('status').textContent")
    assert status.startswith('1 window selected'), status
    d.execute_script("dvats.focus(arguments[0]); dvats.setContext(0, 0); dvats.tag('one', [arguments[0]])", i)
    text = d.execute_script("return [focusv.textContent, document.querySelector('#tags .dvats-tag').textContent]")
    assert text[0].endswith('context 1 window') and text[1] == 'one 1 window normalanomaly×', text
    page = d.execute_script("return document.querySelector('.dvats').textContent")
    assert ' 1 windows' not in page and '>1 windows' not in page and not page.startswith('1 windows')
    import re
    assert not re.search(r'(?<![\d,])1 windows', page), re.findall(r'.{20}(?<![\d,])1 windows.{10}', page)
    d.execute_script("dvats.untag('one'); dvats.focus(-1); dvats.setContext(5, 5); dvats.select([], 'replace')")


def test_palettes_rings_and_the_shortcuts(report, browser):
    """Clusters and channels are coloured from different palettes; the anomaly rings are black on a white halo; '?'
    shows the shortcuts, Esc hides them."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    d = browser
    got = d.execute_script("""const s = document.getElementById('series').data.slice(0, 6).map(t => t.line.color),
        p = document.getElementById('proj').data;
        return [s, dvats.overviewRows().map(r => r.color),
                p.filter(t => t.name.startsWith('above threshold')).map(t => [t.marker.color, t.marker.line.width])]""")
    chans, clusters, rings = got
    assert len(set(chans)) == 6 and not set(chans) & set(clusters)
    assert rings == [['#ffffff', 4], ['#111111', 1.6]]
    # not typing in a box
    assert d.execute_script("document.activeElement.blur(); return document.getElementById('help').hidden") is True
    ActionChains(d).send_keys('?').perform()
    assert d.execute_script("return !document.getElementById('help').hidden && "
                            "document.getElementById('help').getBoundingClientRect().height > 50")
    words = d.execute_script("return document.getElementById('help').textContent")
    assert 'Ctrl+Z' in words and 'Ctrl+Shift+Z' in words and 'double-click' in words
    SHOTS31.mkdir(parents=True, exist_ok=True)
    d.save_screenshot(str(SHOTS31 / 'help.png'))
    ActionChains(d).send_keys(Keys.ESCAPE).perform()
    assert d.execute_script("return document.getElementById('help').hidden") is True


def demo_at_1280x800(tmp_path):
    """The cached demo run, its report, and headless Chromium whose page is 1280×800 (the caller opens the page and
    quits)."""
    from dvats.pipeline import cached_demo
    from dvats.views.page import write_report
    res = cached_demo(tmp_path / 'demo')
    page = write_report(res, tmp_path / 'demo' / 'report.html')
    SHOTS31.mkdir(parents=True, exist_ok=True)
    d = headless_chromium(1280, 800)
    # the page itself 1280×800
    d.execute_cdp_cmd('Emulation.setDeviceMetricsOverride',
                      {'width': 1280, 'height': 800, 'deviceScaleFactor': 1, 'mobile': False})
    return res, page, d


def test_demo_report_overview_and_events(tmp_path):
    """The demo (its cached run) at 1280×800: the clusters in words and the anomaly events at the top of the page, as
    dvats.overview lists them; screenshots in runs/shots31/."""
    from dvats.overview import anomaly_events
    res, page, d = demo_at_1280x800(tmp_path)
    try:
        open_page(d, page, target=None)
        ev = anomaly_events(res)
        rows = d.execute_script("return [dvats.overviewRows(), dvats.eventRows()]")
        assert [r['cluster'] for r in rows[0]] == sorted({int(k) for k in res.windows.cluster.dropna()},
                                                         key=lambda k: (k < 0, k))
        assert [(r['first'], r['last']) for r in rows[1]] == list(zip(ev['first'], ev['last']))[:200]
        d.execute_script("window.scrollTo(0, 0)")
        d.save_screenshot(str(SHOTS31 / 'demo-overview-events.png'))
        regime, k, _ = regime_cluster(res)
        d.find_element('css selector', f'#overview tr[data-cluster="{k}"]').click()
        assert d.execute_script("return dvats.state().selection") == valid_ids(
            res, np.flatnonzero((res.windows.cluster == k).fillna(False).to_numpy()))
        d.execute_script("window.scrollTo(0, 0)")
        d.save_screenshot(str(SHOTS31 / f'demo-cluster{k}-regime{regime}-selected.png'))
        if len(ev):
            d.find_element('css selector', '#rank tr[data-event="0"]').click()
            assert d.execute_script("return dvats.state().selection") == event_windows(res, ev.iloc[0])
            # the row marked
            assert d.execute_script(
                "return [...document.querySelectorAll('.dvats-picked')].map(tr => tr.dataset.event)") == ['0']
            scroll_to(d, 'eventbox')
            d.save_screenshot(str(SHOTS31 / 'demo-event1-selected.png'))
    finally: d.quit()


# ---- issue 31, items 4 and 5: the layout at 1280×800 and reading habits ----

def box(d, part):
    return d.execute_script("const b = document.getElementById(arguments[0]).getBoundingClientRect(); "
                            "return [b.left, b.top, b.right, b.bottom]", part)


# each plot's toolbar (plotly's mode bar; shown on hover, always in the page) against every title: plotly's and the
# page's
MODEBAR_ON_TITLES = """
const r = e => e.getBoundingClientRect(),
      meets = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const titles = [...document.querySelectorAll('.gtitle, h1, .dvats-caption')].filter(t => r(t).width > 0);
const bars = [...document.querySelectorAll('.modebar')].filter(m => r(m).width > 0), bad = [];
for (const m of bars) for (const t of titles)
  if (meets(r(m), r(t))) bad.push(m.closest('.js-plotly-plot').id + ': ' + t.textContent.slice(0, 40));
return [bars.length, bad];
"""

# a wheel turned over the middle of a plot; the axis ranges before and once plotly has zoomed (null: it did not)
WHEEL = """
const [part, done] = arguments, gd = document.getElementById(part), area = gd.querySelector('.draglayer .nsewdrag'),
      b = area.getBoundingClientRect();
const before = gd.layout.xaxis.range.slice();
area.dispatchEvent(new WheelEvent('wheel', {deltaY: -300, deltaMode: 0, clientX: b.left + b.width / 2,
                                            clientY: b.top + b.height / 2, bubbles: true, cancelable: true}));
const t0 = Date.now(), look = () => {
  const now = gd.layout.xaxis.range;
  if (String(now) !== String(before)) done([before, now.slice()]);
  else if (Date.now() - t0 > 4000) done([before, null]); else setTimeout(look, 50);
};
look();
"""


def test_demo_layout_and_reading_habits_at_1280x800(tmp_path):
    """The demo at 1280×800: the series beside the projection (or right under it) and whole on the screen; no toolbar on
    a title; the title names the run and its data; the hover preview on the series' time axis; the series' tooltip gives
    the value; a wheel zooms; shortcuts a, p, Esc; screenshots in runs/shots31/."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    res, page, d = demo_at_1280x800(tmp_path)
    try:
        open_page(d, page, target=None)
        d.execute_script("window.scrollTo(0, 0)")
        assert d.execute_script("return [innerWidth, innerHeight]") == [1280, 800]
        # the series beside the projection, or right under it, and whole within the screen: a selection is seen in both
        # at once
        proj, series = box(d, 'proj'), box(d, 'series')
        beside = series[0] >= proj[2] - 1 and series[1] < proj[3]
        assert ((beside or series[1] >= proj[3] - 1) and series[1] >= 0 and series[3] <= 800
                and series[2] <= 1280), (proj, series)
        d.save_screenshot(str(SHOTS31 / 'demo-layout-1280x800.png'))
        # plotly's toolbars sit on no title
        n, bad = d.execute_script(MODEBAR_ON_TITLES)
        assert n >= 4 and bad == [], bad
        # the title names the run and its data, by their names (no path)
        assert 'run demo' in d.title and 'data demo_series.parquet' in d.title and '/' not in d.title, d.title
        assert d.execute_script("return document.getElementById('title').textContent") == d.title
        # the hover preview on the series' time axis: the times of the window's rows
        t, stride = res.series.index, res.config.windows.stride
        typ, x0, name = d.execute_script("const gd = document.getElementById('preview'); "
                                         "return [gd.layout.xaxis.type, gd.data[0].x[0], gd.layout.title.text]")
        wid = int(name.split()[-1])
        assert typ == 'date' and x0 == t[wid * stride].value / 1e6
        # the series' tooltip: the channel, its value and the time
        tip = d.execute_script("""const gd = document.getElementById('series');
                                  Plotly.Fx.hover(gd, [{curveNumber: 0, pointNumber: 200}], 'xy');
                                  const h = gd.querySelector('.hoverlayer .hovertext');
                                  return h ? h.textContent : null""")
        ch, v = d.execute_script("const gd = document.getElementById('series'); "
                                 "return [gd.data[0].name, gd.data[0].y[200]]")
        assert (tip and tip.startswith(ch + ': ') and f'{v:.4g}'.replace('-', '−') in tip.replace('-', '−')
                and str(t[0].year) in tip), (tip, ch, v)
        # the strip and the tag lane are named
        strip, lanes = d.execute_script("const gd = document.getElementById('series'); "
                                        "return [gd.layout.yaxis3.title.text, gd.layout.annotations.map(a => a.text)]")
        assert strip == 'cluster' and 'tags' in lanes, (strip, lanes)
        # a wheel over the projection zooms it, and over the series too
        for part in ('proj', 'series'):
            before, after = d.execute_async_script(WHEEL, part)
            assert after is not None, f'{part}: the wheel did not zoom'
        # shortcuts: 'a' selects the anomalies, Esc clears the selection (Ctrl+Z brings it back), 'p' pans and selects
        # again
        body = d.find_element('css selector', 'body')
        ActionChains(d).move_to_element_with_offset(body, 5, 5).click().send_keys('a').perform()
        got = d.execute_script("return dvats.state().selection")
        want = d.execute_script("const s = dvats.state().selection; dvats.select([], 'replace'); "
                                "dvats.selectAnomalies('replace'); return dvats.state().selection")
        assert got == want and len(got) > 0
        ActionChains(d).send_keys(Keys.ESCAPE).perform()
        assert d.execute_script("return dvats.state().selection") == []
        ActionChains(d).key_down(Keys.CONTROL).send_keys('z').key_up(Keys.CONTROL).perform()
        assert d.execute_script("return dvats.state().selection") == want
        ActionChains(d).send_keys('p').perform()
        assert d.execute_script("return [proj.layout.dragmode, series.layout.dragmode]") == ['pan', 'pan']
        ActionChains(d).send_keys('p').perform()
        assert d.execute_script("return [proj.layout.dragmode, series.layout.dragmode]") == ['lasso', 'select']
        help = d.execute_script("return document.getElementById('help').textContent")
        assert all(k in help for k in ('wheel', 'reset the zoom', 'select the anomalies', 'pan'))
        # a cluster selected: the series shows it beside the projection, on the same screen
        d.execute_script("dvats.setTarget('contrast')")
        _, k, _ = regime_cluster(res)
        d.execute_script("dvats.clickOverview(arguments[0]); window.scrollTo(0, 0)", k)
        assert d.execute_script("return document.getElementById('series').layout.shapes.some(s => s.name === "
                                "'selection')")
        time.sleep(0.3)
        d.save_screenshot(str(SHOTS31 / 'demo-cluster-selected-1280x800.png'))
    finally: d.quit()


def test_applied_run_report_draws_the_run_in_grey(tmp_path):
    """Issue 33: the page of a run applied to new data (`dvats apply`, the cached demo on another seed's series) draws
    the finished run's windows in grey under the new ones; selections are of the new windows only. Screenshot in
    runs/shots33/."""
    from dvats.demo import make_demo_series
    from dvats.pipeline import apply, demo_base
    s, t = make_demo_series(n_steps=3000, seed=1)
    res = apply(demo_base(), s.assign(anomaly=t.anomaly.astype(int)), tmp_path / 'applied', log=None)
    base_valid = int(np.isfinite(np.load(demo_base() / 'projections.npy')[:, 0]).sum())
    d = headless_chromium(1280, 800)
    d.execute_cdp_cmd('Emulation.setDeviceMetricsOverride',
                      {'width': 1280, 'height': 800, 'deviceScaleFactor': 1, 'mobile': False})
    try:
        open_page(d, tmp_path / 'applied' / 'report.html', target=None)
        first = d.execute_script("const t = document.getElementById('proj').data[0]; "
                                 "return [t.name, t.x.length, t.marker.color]")
        assert first[0].startswith('the run applied') and first[1] == base_valid and first[2] == '#c8c8c8', first
        k = int(res.windows.cluster.dropna().mode()[0])
        d.execute_script("dvats.selectCluster(arguments[0], 'replace')", k)
        sel = d.execute_script("return dvats.state().selection")
        # the new windows of that cluster, none of the run's
        assert sel == np.flatnonzero(res.windows.cluster.to_numpy() == k).tolist()
        (SHOTS / 'shots33').mkdir(parents=True, exist_ok=True)
        d.execute_script("window.scrollTo(0, 0)"); time.sleep(0.3)
        d.save_screenshot(str(SHOTS / 'shots33' / 'applied-report-1280x800.png'))
    finally: d.quit()
