"""The Jupyter explorer in a real JupyterLab, driven in Debian's headless Chromium by selenium (no browser download).

JupyterLab (the `dev` extras) serves a temporary folder on 127.0.0.1 with a token. The notebook there is the shipped
`examples/explore.ipynb`, pointed at a small run, followed by a few cells of the test's own. The window is 1280 px wide,
with JupyterLab's file browser open. What the page shows is checked against what Python holds: selections made through
plotly's API and with the mouse (lasso, box, a drag along the series; while the pointer hovers over points and while the
kernel is busy), the importance bars, the layout, the notebook saved with its widget state, and the page after a
reload."""
import json, os, socket, subprocess, sys, time, uuid
from pathlib import Path
import numpy as np, pytest

from _browser import headless_chromium
ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / 'runs'
SHIPPED = ROOT / 'examples' / 'explore.ipynb'
# the test's own cells, after the shipped ones; {thr} is filled in by the fixture
TEST_CELLS = {
    'hook': "import json, os, time\n"
            "msgs = []                      # each update the page sends: its synced keys and values\n"
            "_set_state = ex.set_state\n"
            "ex.set_state = lambda state: (msgs.append(state), _set_state(state))[1]",
    'print': "print(json.dumps(ex.selection)); print(json.dumps(ex.explanation.table.channel.tolist())); "
             "print(json.dumps(msgs)); "
             "print(json.dumps(ex.state))",
    'from_python': "ex.selection = [3, 4, 5]",
    'busy': "while not os.path.exists('go'): time.sleep(0.05)   # busy until the test has made its "
            "selections\nos.remove('go')",
    'view': "ex.set_view(color='score', threshold={thr}, path=True)",
    'focus': "print(json.dumps([ex.focus, ex.context, ex.context_ids, ex.similar_ids, ex.tags, ex.color, "
             "ex.series_layout]))",
    'target': "import json\nprint(json.dumps([ex.target, None if ex.explanation is None else ex.explanation.target]))",
}


def explore_notebook(run:str, thr:float) -> tuple[str, dict]:
    "The shipped notebook reading `run`, then the test's cells: its JSON text and the index of each test cell."
    nb = json.loads(SHIPPED.read_text())
    assert all(c['cell_type'] == 'markdown' or not c['outputs'] for c in nb['cells']), ('examples/explore.ipynb is '
                                                                                        'shipped without outputs')
    for c in nb['cells']:
        src = ''.join(c['source'])
        c['source'] = src.replace("'../runs/demo'", repr(run))
    n = len(nb['cells'])
    for i, (name, src) in enumerate(TEST_CELLS.items()):
        nb['cells'].append({'cell_type': 'code', 'execution_count': None, 'id': f'test-{name}', 'metadata': {},
                            'outputs': [],
                            'source': src.format(thr=thr)})
    at = {name: n + i for i, name in enumerate(TEST_CELLS)}
    at.update({c['id']: i for i, c in enumerate(nb['cells'][:n])})
    return json.dumps(nb), at


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    from dvats.demo import make_demo_series
    from dvats.pipeline import run
    root = tmp_path_factory.mktemp('lab')
    s, _ = make_demo_series(n_steps=3000)
    # with the matrix profile (off by default) and the table of similar windows: the widget's new controls have data to
    # show
    res = run(s, {'encoder': {'epochs': 1}, 'dr': {'method': 'pca'}, 'matrix_profile': {'enabled': True}},
              out=root / 'r', log=None)
    thr = round(float(np.quantile(res.windows.anomaly_score[res.windows.valid], 0.8)), 4)
    text, at = explore_notebook('r', thr)
    assert "Explorer(load_result('r'))" in text
    (root / 'explore.ipynb').write_text(text)
    # JupyterLab's own settings in the temp folder: no news fetched, widget state saved with the notebook, nothing in
    # the user's home
    settings = root / '.settings' / '@jupyterlab' / 'apputils-extension'
    settings.mkdir(parents=True)
    (settings / 'notification.jupyterlab-settings').write_text('{"fetchNews": "false", "checkForUpdates": false}')
    widgets = root / '.settings' / '@jupyter-widgets' / 'jupyterlab-manager'
    widgets.mkdir(parents=True)
    (widgets / 'plugin.jupyterlab-settings').write_text('{"saveState": true}')
    with socket.socket() as so: so.bind(('127.0.0.1', 0)); port = so.getsockname()[1]
    token = uuid.uuid4().hex
    env = {**os.environ, 'JUPYTER_CONFIG_DIR': str(root / '.jupyter'),
           'JUPYTERLAB_SETTINGS_DIR': str(root / '.settings'),
           'JUPYTERLAB_WORKSPACES_DIR': str(root / '.workspaces'), 'JUPYTER_RUNTIME_DIR': str(root / '.runtime'),
           'PYTHONPATH': os.pathsep.join([str(ROOT)]
                                         + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p])}
    log = open(root / 'lab.log', 'w')
    proc = subprocess.Popen([sys.executable, '-m', 'jupyterlab', '--no-browser', '--ip=127.0.0.1', f'--port={port}',
                             f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={root}',
                             '--ServerApp.port_retries=0']
                            # containers often run as root
                            + (['--allow-root'] if hasattr(os, 'geteuid') and os.geteuid() == 0 else []),
                            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                with socket.create_connection(('127.0.0.1', port), timeout=1): break
            except OSError: time.sleep(0.2)
            assert proc.poll() is None, (root / 'lab.log').read_text()
        yield dict(res=res, url=f'http://127.0.0.1:{port}/lab/tree/explore.ipynb?token={token}', root=root, at=at,
                   thr=thr)
    finally:
        proc.terminate()
        try: proc.wait(20)
        except subprocess.TimeoutExpired: proc.kill()
        log.close()


@pytest.fixture(scope='module')
def browser(lab):
    d = headless_chromium(1280, 1000)  # a laptop's window; JupyterLab's file browser stays open beside the notebook
    d.set_script_timeout(60)
    d.get(lab['url'])
    yield d
    d.quit()


def wait_for(d, script, what, timeout=180, *args):
    "The first truthy value of `script` in the page, polled."
    t0 = time.time()
    while time.time() - t0 < timeout:
        v = d.execute_script(script, *args)
        if v: return v
        time.sleep(0.3)
    SHOTS.mkdir(exist_ok=True); d.save_screenshot(str(SHOTS / 'jupyter-explorer-failed.png'))
    raise AssertionError(f'{what}: not seen within {timeout} s (screenshot: runs/jupyter-explorer-failed.png)')


def start_cell(d, k):
    """Run cell `k` of the open notebook as a user does: click into it, press Shift+Enter; returns the cell, without
    waiting."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.common.exceptions import StaleElementReferenceException, ElementNotInteractableException
    for attempt in range(20):          # JupyterLab may redraw a cell while it settles: look it up again
        try:
            cell = d.find_elements(By.CSS_SELECTOR, '.jp-Notebook .jp-Cell')[k]
            d.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
            cell.find_element(By.CSS_SELECTOR, '.cm-content').click()
            # a widget above that grows as it draws moves the cell under the pointer: the click may land elsewhere,
            # and Shift+Enter there runs nothing (seen once in CI on a busy machine)
            if d.execute_script("return arguments[0].querySelector('.cm-content').contains(document.activeElement)",
                                cell): break
            time.sleep(0.5)
        except (StaleElementReferenceException, ElementNotInteractableException):
            time.sleep(0.5)
    else:
        SHOTS.mkdir(exist_ok=True); d.save_screenshot(str(SHOTS / 'jupyter-explorer-failed.png'))
        raise AssertionError(f'cannot click into cell {k}')
    ActionChains(d).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
    return cell


def prompt(d, cell):
    return d.execute_script("return arguments[0].querySelector('.jp-InputPrompt').textContent", cell).strip()
RAN = "return /\\[\\d+\\]/.test(arguments[0].querySelector('.jp-InputPrompt').textContent)"        # [n], not [*] or [ ]


def run_cell(d, k):
    """Run cell `k` and wait until the kernel has run it (its prompt a new [n]: the old one may still show just after
    Shift+Enter); returns the cell."""
    from selenium.webdriver.common.by import By
    cells = d.find_elements(By.CSS_SELECTOR, '.jp-Notebook .jp-Cell')
    before = prompt(d, cells[k]) if k < len(cells) else ''
    for attempt in range(3):
        cell = start_cell(d, k)
        # queued or run, its prompt leaves `before` at once ([*] while the kernel is busy); a prompt still `before`
        # after 15 s means the key press ran nothing, and pressing again runs the cell once
        t0 = time.time()
        while time.time() - t0 < 15 and prompt(d, cell) == before: time.sleep(0.3)
        if prompt(d, cell) != before: break
    wait_for(d, RAN + " && arguments[0].querySelector('.jp-InputPrompt').textContent.trim() !== arguments[1]",
             f'cell {k} run', 180, cell, before)
    return cell


def python_state(d, lab):
    """What Python holds, printed by the test's print cell: the selection, the bars' channel order, the page's messages,
    the view."""
    cell = run_cell(d, lab['at']['print'])
    out = wait_for(d, "const p = arguments[0].querySelector('.jp-OutputArea-output pre'); return p && p.textContent",
                   'the printed state', 60, cell)
    return [json.loads(line) for line in out.strip().splitlines()]


def explorer(d):
    from selenium.webdriver.common.by import By
    return d.find_element(By.CSS_SELECTOR, '.dvats')


def page_state(d):
    return d.execute_script("return document.querySelector('.dvats').parentElement.dvats.state()")


def table_from_bars(d):
    "The importance bars drawn in the widget, as {channel: share}, plus the channel order (largest share first)."
    bars = d.execute_script("const gd = document.querySelector('.dvats .dvats-imp'); "
                            "return [gd.data[0].y, gd.data[0].x];")
    return dict(zip(bars[0], bars[1])), bars[0][::-1]


# The bars as drawn: channel labels top to bottom by their place on the screen, each with the share of its bar.
DRAWN_BARS = """
const gd = arguments[0].querySelector('.dvats-imp');
// plotly draws the escaped name as text
const text = s => { const e = document.createElement('textarea'); e.innerHTML = s; return e.value; };
const labels = [...gd.querySelectorAll('.subplot.xy .yaxislayer-above .ytick text')]
  .map(t => [t.textContent, t.getBoundingClientRect().top]).sort((a, b) => a[1] - b[1]).map(a => a[0]);
const share = {}; gd.data[0].y.forEach((c, i) => { share[text(c)] = gd.data[0].x[i]; });
return [labels, labels.map(c => share[c])];
"""

def check_bars(d, res, ids):
    "The bars drawn top to bottom are the channels of `res.explain(ids)`, largest share first, with its shares."
    labels, shares = d.execute_script(DRAWN_BARS, explorer(d))
    want = res.explain(ids if len(ids) else np.flatnonzero(res.windows.valid)).table
    assert labels == want.channel.tolist(), (labels, want.channel.tolist())
    assert all(a >= b for a, b in zip(shares, shares[1:])), shares
    np.testing.assert_allclose(shares, want.share.to_numpy(), atol=1e-4)


# Every problem with the layout in the notebook: a figure not as wide as its panel, a panel or a text outside its box,
# a title under a legend, a control wider than its label, the explorer wider than JupyterLab's output area.
PROBLEMS = """
function layoutProblems(root) {
const bad = [], r = e => e.getBoundingClientRect();
const out = r(root.closest('.jp-OutputArea-output') || root.parentElement);
const inside = (a, b, tol = 1) => a.left >= b.left - tol && a.right <= b.right + tol
                                  && a.top >= b.top - tol && a.bottom <= b.bottom + tol;
const meets = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const what = e => (e.getAttribute('class') || e.tagName) + ' "' + (e.textContent || '').slice(0, 40) + '"';
if (r(root).right > out.right + 1 || root.scrollWidth > root.clientWidth + 1)
  bad.push('the explorer is wider than its output area');
for (const gd of root.querySelectorAll('.js-plotly-plot')) {
  const name = gd.className.split(' ')[0], svg = r(gd.querySelector('.main-svg'));
  if (gd.clientWidth < 100 || Math.abs(svg.width - gd.clientWidth) > 2)
    bad.push(`${name}: a ${svg.width} px figure in a ${gd.clientWidth} px panel`);
  if (!inside(r(gd), r(gd.parentElement))) bad.push(`${name}: outside its panel`);
  for (const t of gd.querySelectorAll('text')) {
    const b = r(t);
    if (!t.textContent.trim() || b.width === 0 || t.closest('.hoverlayer')) continue;
    if (!inside(b, svg)) bad.push(`${name}: text cut off: ${what(t)}`);
  }
  const title = gd.querySelector('.gtitle'), legend = gd.querySelector('.legend');
  if (title && legend && meets(r(title), r(legend))) bad.push(`${name}: the title is under the legend`);
}
for (const e of root.querySelectorAll('.dvats-bar button, .dvats-bar select, .dvats-bar label, .dvats-bar span')) {
  if (e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1) bad.push(`control truncated: ${what(e)}`);
  if (!inside(r(e), r(e.closest('.dvats-bar')))) bad.push(`control outside the bar: ${what(e)}`);
}
for (const e of root.querySelectorAll('.dvats-scroll'))
  if (e.scrollWidth > e.clientWidth + 1) bad.push('the ranked list is wider than its panel');
return bad;
}
"""
LAYOUT = PROBLEMS + "return layoutProblems(arguments[0]);"


TARGET = ("const s = document.querySelector('.dvats .dvats-target'); "
          "return [s.value, s.closest('.dvats-targetbox').hidden, [...s.options].map(o => o.value)]")


def choose_target(d, lab, target):
    "Choose what the bars explain with the widget's selector, as a user does; Python's `target` follows."
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    Select(d.find_element(By.CSS_SELECTOR, '.dvats .dvats-target')).select_by_value(target)
    for _ in range(20):
        if printed(d, lab, 'target')[0] == target: return
        time.sleep(0.5)
    raise AssertionError(f"Python's target did not follow the selector to {target!r}")


@pytest.fixture(scope='module')
def widget(lab, browser):
    """The shipped notebook's cells run (the explorer, then what they read in Python), then the test's hook: what they
    printed. The run has a contrast basis, so the widget opens on 'what sets them apart'; the tests of the embedding's
    views then choose 'what the encoder looks at' with the selector (`test_widget_contrast_is_pythons` chooses the
    contrast again)."""
    at, d = lab['at'], browser
    # the notebook is drawn and its kernel is ready: the status bar says 'Idle'
    wait_for(d, "return document.querySelector('.jp-Notebook .jp-Cell .cm-content') && "
                "/\\|\\s*Idle/.test((document.getElementById('jp-main-statusbar') || document.body).textContent)",
             'the kernel', 180)
    t0 = time.time()
    run_cell(d, at['explorer'])                                          # the shipped notebook's explorer
    # the kernel imports torch first
    wait_for(d, "return document.querySelector('.dvats[data-ready=\"1\"]')", 'the explorer widget', 300)
    print(f"widget drawn {time.time() - t0:.1f} s after its cell was run")
    assert d.execute_script(TARGET) == ['contrast', False, ['contrast', 'embedding']]
    cell = run_cell(d, at['read'])
    read = wait_for(d, "const p = arguments[0].querySelector('.jp-OutputArea-output'); return p && p.textContent",
                    'the selection', 60, cell)
    cell = run_cell(d, at['bars'])
    rows = wait_for(d,
                    "return [...arguments[0].querySelectorAll('.jp-OutputArea-output table tbody tr th + td')].map(td "
                    "=> td.textContent)",
                    'the table of the bars', 60, cell)
    # Python opens on the contrast too; nothing selected: the encoder's bars
    assert printed(d, lab, 'target') == ['contrast', 'embedding']
    choose_target(d, lab, 'embedding')
    run_cell(d, at['hook'])
    return read.strip(), rows


def test_widget_selection_round_trip(lab, browser, widget):
    res, at, d = lab['res'], lab['at'], browser
    assert d.execute_script("return document.querySelectorAll('.dvats .dvats-proj .scatterlayer, "
                            ".dvats .dvats-proj .gl-container').length") > 0
    # the shipped notebook's other cells: the selection and the numbers behind the bars, read in Python
    read, rows = widget
    assert read == '([], 0)' and rows == res.explain(np.flatnonzero(res.windows.valid)).table.channel.tolist()
    before, _ = table_from_bars(d)
    # a box selection through plotly's own selection API, in the widget's projection
    x = res.windows.x.to_numpy()
    lo, hi = np.nanmin(x), np.nanmax(x)
    cut = lo + 0.4 * (hi - lo)
    last = d.execute_async_script("""
        const [x0, x1, done] = arguments, gd = document.querySelector('.dvats .dvats-proj');
        const ya = gd._fullLayout.yaxis.range;
        gd.once('plotly_selected', () => setTimeout(() => done(gd.closest('.dvats').parentElement.dvats.last()), 0));
        Plotly.relayout(gd, {selections: [{type: 'rect', xref: 'x', yref: 'y', x0: x0, x1: x1, y0: ya[0], y1: ya[1]}]});
    """, float(lo - 1), float(cut))
    ids = np.flatnonzero(res.windows.valid & (res.windows.x <= cut))
    assert 0 < len(ids) < int(res.windows.valid.sum()) and sorted(last['ids']) == ids.tolist()
    ex = res.explain(ids)
    after, order = table_from_bars(d)
    assert after != before                                               # the bars moved
    assert order == ex.table.channel.tolist()
    for _, row in ex.table.iterrows(): assert abs(after[row.channel] - row.share) < 1e-4
    # beside the bars, the channel × frequency-band heatmap: the selection's mean band sums, channels bottom to top as
    # the bars
    from dvats.lrp.frequency import band_table
    bands = d.execute_script("const gd = document.querySelector('.dvats .dvats-bands'); "
                             "return gd.data && gd.data.length ? "
                             "{type: gd.data[0].type, y: gd.data[0].y, z: gd.data[0].z, "
                             "drawn: gd.querySelectorAll('.hm image').length} : null")
    want = band_table(res.frequency_relevance[ids], list(res.series.columns), res.config.windows.w).loc[order[::-1]]
    assert bands and bands['type'] == 'heatmap' and bands['drawn'] == 1 and bands['y'] == order[::-1]
    np.testing.assert_allclose(np.array(bands['z']), want.to_numpy(), rtol=1e-5,
                               atol=1e-6 * np.abs(want.to_numpy()).max())
    # Python reads the same selection back
    got_ids, got_channels, msgs, _ = python_state(d, lab)
    assert got_ids == ids.tolist() and got_channels == ex.table.channel.tolist()
    assert msgs[-1:] == [{'selection': ids.tolist()}]                     # an update message, the selection's
    # ... and a selection set from Python reaches the page
    run_cell(d, at['from_python'])
    wait_for(d,
             "const s = document.querySelector('.dvats').parentElement.dvats.state().selection; "
             "return JSON.stringify(s) === '[3,4,5]'",
             'the selection set from Python', 60)


def test_layout_fits_a_1280_px_window(lab, browser, widget):
    d = browser
    assert d.execute_script("return window.innerWidth") == 1280
    # the side bar takes its share
    assert d.execute_script("return document.querySelector('.jp-FileBrowser').offsetWidth") > 0
    assert d.execute_script(LAYOUT, explorer(d)) == []
    # the side bar closed and opened again: no window resize, but the figures follow their panels
    from selenium.webdriver.common.by import By
    # JupyterLab skips the layout of cells out of view
    d.execute_script("arguments[0].scrollIntoView({block: 'start'})", explorer(d))
    narrow = d.execute_script("return document.querySelector('.dvats .dvats-proj')._fullLayout.width")
    for wider in (True, False):
        d.find_element(By.CSS_SELECTOR, '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="filebrowser"]').click()
        wait_for(d,
                 PROBLEMS
                 + "const [root, wider, narrow] = arguments, w = root.querySelector('.dvats-proj')._fullLayout.width; "
                    "return (wider ? w > narrow + 50 : Math.abs(w - narrow) < 2) && layoutProblems(root).length === 0",
                 'the figures at the new width', 30, explorer(d), wider, narrow)
    d.execute_script("arguments[0].scrollIntoView({block: 'start'})", explorer(d))
    time.sleep(0.5)
    SHOTS.mkdir(exist_ok=True)
    d.save_screenshot(str(SHOTS / 'jupyter-explorer.png'))


# Where the projection, the series, the parts below them and the notebook's visible area are on the screen, once
# JupyterLab has laid the cell out and the figures have followed their panels (nothing wrong with the layout); null
# until then.
ON_SCREEN = PROBLEMS + """
const root = arguments[0];
const box = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom].map(Math.round); };
if (layoutProblems(root).length) return null;
// the notebook's scroller: what of the page a user sees of the notebook
let view = root.parentElement;
while (view && !(/(auto|scroll)/.test(getComputedStyle(view).overflowY) && view.scrollHeight > view.clientHeight))
  view = view.parentElement;
const q = s => root.querySelector('.dvats-' + s);
return {proj: box(q('proj')), series: box(q('series')), main: box(q('main')),
        overview: box(q('overview').closest('.dvats-panel')),
        events: box(q('rank').closest('.dvats-panel')), view: box(view || document.documentElement),
        window: [innerWidth, innerHeight]};
"""


def test_projection_and_series_on_one_1280x800_screen(lab, browser, widget):
    """Issue 31: in a 1280×800 window with JupyterLab's file browser open, the widget's top scrolled into view: the
    projection whole and the series beside it (or right under it), nearly whole, on that one screen; the clusters and
    the events right after them. Screenshot in runs/shots31/jupyter-1280x800.png."""
    d = browser
    before = d.execute_script("return [innerWidth, innerHeight]")
    # the page itself 1280×800 (a headless window's size is not its page's); the other tests keep the fixture's window
    d.execute_cdp_cmd('Emulation.setDeviceMetricsOverride',
                      {'width': 1280, 'height': 800, 'deviceScaleFactor': 1, 'mobile': False})
    try:
        wait_for(d, "return innerWidth === 1280 && innerHeight === 800", 'the 1280×800 page', 30)
        assert d.execute_script("return document.querySelector('.jp-FileBrowser').offsetWidth") > 0  # the side bar open
        seen, last = None, None
        for _ in range(60):  # the widget's top in view, until JupyterLab and the figures are done moving
            d.execute_script("arguments[0].scrollIntoView({block: 'start'})", explorer(d))
            time.sleep(0.3)
            seen, last = d.execute_script(ON_SCREEN, explorer(d)), seen
            if seen and seen == last: break
        else: raise AssertionError(f'the layout at 1280×800 did not settle: {seen}')
        print('at 1280×800:', json.dumps(seen))
        proj, series, view = seen['proj'], seen['series'], seen['view']
        assert view[3] <= 800 and view[3] - view[1] > 500, view
        beside = series[0] >= proj[2] - 1 and series[1] < proj[3]
        assert beside or series[1] >= proj[3] - 1, (proj, series)
        assert proj[1] >= view[1] and proj[3] <= view[3], ('the projection is not whole on the screen', proj, view)
        h = series[3] - series[1]
        assert series[1] >= view[1] and series[1] + 0.9 * h <= view[3], ('the series is not on the screen', series,
                                                                         view)
        # right after them: the clusters, then the events
        assert (seen['main'][3] - 1 <= seen['overview'][1] <= seen['main'][3] + 20
                and seen['overview'][3] <= seen['events'][1]), seen
        SHOTS31 = SHOTS / 'shots31'
        SHOTS31.mkdir(parents=True, exist_ok=True)
        d.save_screenshot(str(SHOTS31 / 'jupyter-1280x800.png'))
    finally:
        d.execute_cdp_cmd('Emulation.clearDeviceMetricsOverride', {})
        wait_for(d, "return JSON.stringify([innerWidth, innerHeight]) === arguments[0]", 'the window as before', 30,
                 json.dumps(before, separators=(',', ':')))


# Pixel places of the projection's points in its plot area (plotly's lasso tests points there), and the plot area's
# size.
POINTS = """
const gd = document.querySelector('.dvats .dvats-proj'), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
return [Array.from(gd.data[0].x, v => xa.c2p(v)), Array.from(gd.data[0].y, v => ya.c2p(v)), xa._length, ya._length];
"""

class Mouse:
    """Real pointer gestures in the widget's plots, through selenium's actions; each waits until the page has taken the
    selection."""
    def __init__(self, d, res):
        self.d, self.res, self.ids = d, res, np.flatnonzero(res.windows.valid)
        self.gestures = []            # per gesture: the page's selection after it

    def area(self, plot, subplot='xy'):
        from selenium.webdriver.common.by import By
        el = self.d.find_element(By.CSS_SELECTOR, f'.dvats .dvats-{plot} .nsewdrag[data-subplot="{subplot}"]')
        self.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
        return el

    def offsets(self, el, pts):
        "Offsets from the element's centre, in whole px, of points given as fractions of its width and height."
        r = el.rect
        return [(int(round((fx - 0.5) * r['width'])), int(round((fy - 0.5) * r['height']))) for fx, fy in pts]

    def hover(self, k=3, seed=0):
        """Rest the pointer on `k` points of the projection in turn, as a user reads their hover labels; the preview
        follows each."""
        from selenium.webdriver.common.action_chains import ActionChains
        el = self.area('proj')
        px, py, w, h = self.d.execute_script(POINTS)
        xy = np.c_[px, py]
        gap = np.sort(np.linalg.norm(xy[:, None] - xy[None], axis=2), axis=1)[:, 1]  # to the nearest other point, in px
        alone = np.flatnonzero(
            (gap > 8) & (xy[:, 0] > 10) & (xy[:, 0] < w - 10) & (xy[:, 1] > 10) & (xy[:, 1] < h - 10))
        assert len(alone) >= k
        for i in np.random.default_rng(seed).choice(alone, k, replace=False):
            ActionChains(self.d, duration=20).move_to_element_with_offset(el, int(round(px[i] - w / 2)),
                                                                          int(round(py[i] - h / 2))).perform()
            wait_for(self.d,
                     "return document.querySelector('.dvats .dvats-preview .gtitle').textContent === arguments[0]",
                     f'the preview of window {self.ids[i]}', 30, f'window {self.ids[i]}')

    def drag(self, plot, pts, subplot='xy'):
        "Press at pts[0] (fractions of the plot area), move through pts, release; the page's selection after it."
        from selenium.webdriver.common.action_chains import ActionChains
        el = self.area(plot, subplot)
        self.d.execute_script("window.__taken = 0; document.querySelector(arguments[0]).once('plotly_selected', "
                              "() => setTimeout(() => { window.__taken = 1; }, 0))",
                              f'.dvats .dvats-{plot}')
        offs = self.offsets(el, pts)
        a = ActionChains(self.d, duration=20).move_to_element_with_offset(el, *offs[0]).click_and_hold()
        for o in offs[1:]: a.move_to_element_with_offset(el, *o)
        a.release().perform()
        wait_for(self.d, "return window.__taken", f'the selection of a drag in {plot}', 30)
        sel = page_state(self.d)['selection']
        self.gestures.append(sel)
        return el, offs, sel

    def lasso(self, cx, cy, rx, ry, n=14, before=()):
        """A lasso around (cx, cy); checks that the page selected the points inside it (the 2 px along its edge may go
        either way), and kept the selection `before` (the 'add' mode)."""
        from matplotlib.path import Path as Poly
        pts = [(cx + rx * np.cos(2 * np.pi * k / n), cy + ry * np.sin(2 * np.pi * k / n)) for k in range(n + 1)]
        el, offs, sel = self.drag('proj', pts)
        px, py, w, h = self.d.execute_script(POINTS)
        poly = np.array([(ox + w / 2, oy + h / 2) for ox, oy in offs], dtype=float)
        xy = np.c_[px, py]
        inside = Poly(poly).contains_points(xy)
        a, b = poly[:-1], poly[1:]  # distance of each point to the lasso's edge
        t = np.clip(np.einsum('pkd,kd->pk', xy[:, None] - a, b - a) / np.maximum((b - a) ** 2, 1e-9).sum(1), 0, 1)
        edge = np.linalg.norm(xy[:, None] - (a + t[..., None] * (b - a)), axis=2).min(1)
        got, kept = np.isin(self.ids, sel), np.isin(self.ids, before)
        assert (got[inside & (edge > 2)].all()
                and not (got & ~kept)[~inside & (edge > 2)].any()), ('the lasso selected other points than those '
                                                                     'inside it')
        assert got[kept].all()
        return sel

    def box(self, x0, y0, x1, y1):
        "A box in the projection (its toolbar's box select); checks the points inside, as `lasso`."
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.action_chains import ActionChains
        ActionChains(self.d).move_to_element(self.area('proj')).perform()         # plotly shows the toolbar on hover
        self.d.find_element(By.CSS_SELECTOR, '.dvats .dvats-proj .modebar-btn[data-val="select"]').click()
        try:
            el, offs, sel = self.drag('proj', [(x0, y0), ((x0 + x1) / 2, (y0 + y1) / 2), (x1, y1)])
        finally:
            ActionChains(self.d).move_to_element(self.area('proj')).perform()
            self.d.find_element(By.CSS_SELECTOR, '.dvats .dvats-proj .modebar-btn[data-val="lasso"]').click()
        px, py, w, h = self.d.execute_script(POINTS)
        (ax, ay), (bx, by) = [(ox + w / 2, oy + h / 2) for ox, oy in (offs[0], offs[-1])]
        px, py = np.array(px), np.array(py)
        inside = (px > min(ax, bx)) & (px < max(ax, bx)) & (py > min(ay, by)) & (py < max(ay, by))
        edge = np.minimum.reduce([np.abs(px - ax), np.abs(px - bx), np.abs(py - ay), np.abs(py - by)])
        got = np.isin(self.ids, sel)
        assert (got[inside & (edge > 2)].all()
                and not got[~inside & (edge > 2)].any()), 'the box selected other points than those inside it'
        return sel

    def along_time(self, f0, f1):
        """A drag along the series' time axis, from f0 to f1 of its width: the windows covering any row in between (2 px
        either way)."""
        el, offs, sel = self.drag('series', [(f0, 0.5), ((f0 + f1) / 2, 0.5), (f1, 0.5)])
        w = el.rect['width']
        ms = self.d.execute_script("const xa = document.querySelector('.dvats .dvats-series')._fullLayout.xaxis; "
                                   "return arguments[0].map(p => xa.p2c(p))",
                                   [o[0] + w / 2 + e for o in (offs[0], offs[-1]) for e in (-2, 2)])
        t = self.res.series.index  # a date axis (ms): the series has a regular time index
        rows = [(v - t[0].value / 1e6) / ((t[1] - t[0]).value / 1e6) for v in ms]
        tab = self.res.windows
        surely = np.flatnonzero(tab.valid & (tab.end > rows[1]) & (tab.start <= rows[2]))
        maybe = np.flatnonzero(tab.valid & (tab.end > rows[0]) & (tab.start <= rows[3]))
        assert set(surely) <= set(sel) <= set(maybe) and len(surely) > 0
        return sel


def check_sent(sent, gestures):
    "The page sent selections only (nothing for hovering), those its gestures made, in their order, the last one last."
    assert sent and all(list(s) == ['selection'] for s in sent), sent
    left = iter(gestures)
    assert all(any(s['selection'] == g for g in left) for s in sent), ('a selection sent that no gesture made, '
                                                                       'or out of order')
    assert sent[-1]['selection'] == gestures[-1]
    print(f"{len(gestures)} gestures, {len(sent)} update messages")


def test_mouse_selections_reach_python(lab, browser, widget):
    "Lassos, a box and a drag along time, with the pointer over points between them: each reaches Python, idle or busy."
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    res, at, d = lab['res'], lab['at'], browser
    m = Mouse(d, res)
    _, _, sent_before, _ = python_state(d, lab)
    # the kernel idle: every gesture that changes the selection sends exactly that selection, and nothing else is sent
    m.hover(seed=1); m.lasso(0.2, 0.55, 0.18, 0.3); check_bars(d, res, m.gestures[-1])
    m.hover(seed=2); m.lasso(0.35, 0.4, 0.25, 0.25); check_bars(d, res, m.gestures[-1])
    m.box(0.05, 0.1, 0.3, 0.6); check_bars(d, res, m.gestures[-1])
    m.along_time(0.3, 0.42); check_bars(d, res, m.gestures[-1])
    m.hover(seed=3); m.lasso(0.15, 0.7, 0.12, 0.2); check_bars(d, res, m.gestures[-1])
    sel, channels, sent, _ = python_state(d, lab)
    assert sel == page_state(d)['selection'] == m.gestures[-1]
    check_sent(sent[len(sent_before):], m.gestures)
    # a button after a lasso: the projection draws the button's selection, not the lasso's
    Select(d.find_element(By.CSS_SELECTOR, '.dvats .dvats-clusterpick')).select_by_visible_text('cluster 0')
    d.find_element(By.CSS_SELECTOR, '.dvats .dvats-selcluster').click()
    in0 = np.flatnonzero((res.windows.cluster == 0).fillna(False).to_numpy() & res.windows.valid.to_numpy())
    wait_for(d,
             "return JSON.stringify(document.querySelector('.dvats').parentElement.dvats.state().selection) === "
             "arguments[0]",
             'the selection of cluster 0', 30, json.dumps(in0.tolist(), separators=(',', ':')))
    drawn = "return document.querySelector('.dvats .dvats-proj').data[0].selectedpoints"
    assert sorted(m.ids[d.execute_script(drawn)].tolist()) == in0.tolist()
    check_bars(d, res, in0)
    # a lasso in the 'add' mode: the union, drawn as such in the projection (plotly itself marks the lasso's points
    # only)
    d.find_element(By.CSS_SELECTOR, '.dvats .dvats-bar input[type=radio][value=add]').click()
    both = m.lasso(0.2, 0.6, 0.12, 0.15, before=in0.tolist())
    assert len(both) > len(in0) and sorted(m.ids[d.execute_script(drawn)].tolist()) == both
    d.find_element(By.CSS_SELECTOR, '.dvats .dvats-bar input[type=radio][value=replace]').click()
    # the kernel busy (a cell that waits for the test): the page answers at once, and Python gets the last selection
    # after
    _, _, sent_before, _ = python_state(d, lab)
    m.gestures = []
    cell = start_cell(d, at['busy'])
    wait_for(d, "return /\\[\\*\\]/.test(arguments[0].querySelector('.jp-InputPrompt').textContent)", 'the busy cell',
             60, cell)
    m.hover(seed=4); m.lasso(0.3, 0.5, 0.2, 0.3)
    m.hover(seed=5); m.lasso(0.2, 0.3, 0.15, 0.2)
    m.along_time(0.6, 0.7)
    m.hover(seed=6); m.lasso(0.18, 0.6, 0.15, 0.25)
    check_bars(d, res, m.gestures[-1])
    assert prompt(d, cell) == '[*]:'                                     # all of it while the kernel was busy
    (lab['root'] / 'go').touch()
    wait_for(d, RAN, 'the busy cell done', 60, cell)
    sel, _, sent, _ = python_state(d, lab)
    assert len(m.gestures[-1]) > 0 and sel == page_state(d)['selection'] == m.gestures[-1]
    check_sent(sent[len(sent_before):], m.gestures)


def test_saved_notebook_and_reload_show_the_current_state(lab, browser, widget):
    """A lasso and a view set from Python: saved with the notebook (no plotly.js in it), drawn again after a reload,
    kept in Python."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    res, at, d = lab['res'], lab['at'], browser
    assert len(Mouse(d, res).lasso(0.25, 0.5, 0.2, 0.3)) > 0
    run_cell(d, at['view'])
    wait_for(d, "return document.querySelector('.dvats .dvats-color').value === 'score'", 'the view set from Python',
             60)
    sel, channels, sent_before, state = python_state(d, lab)
    assert len(sel) > 0 and state['color'] == 'score' and state['threshold'] == lab['thr'] and state['path'] is True
    # saved from JupyterLab, with the widget state (the fixture's setting): the payload once, not plotly.js
    ActionChains(d).key_down(Keys.CONTROL).send_keys('s').key_up(Keys.CONTROL).perform()
    wait_for(d, "return !document.querySelector('.lm-TabBar-tab.jp-mod-dirty')", 'the notebook saved', 60)
    path = lab['root'] / 'explore.ipynb'
    text = path.read_text()
    saved = json.loads(text)['metadata']['widgets']['application/vnd.jupyter.widget-state+json']['state']
    ours = [m['state'] for m in saved.values() if '_payload' in m['state']]
    assert len(ours) == 1 and ours[0]['selection'] == sel and ours[0]['color'] == 'score'
    payload = len(json.dumps(ours[0]['_payload']))
    print(f"saved notebook: {path.stat().st_size / 1e6:.2f} MB, of which the payload {payload / 1e6:.2f} MB")
    assert 'plotly.js v' not in text and path.stat().st_size < payload + 500_000      # plotly.js alone is 4.8 MB
    # a reload draws the current state, and the page sends nothing back
    d.refresh()
    wait_for(d, "return document.querySelector('.dvats[data-ready=\"1\"]')", 'the explorer after the reload', 180)
    after = page_state(d)
    assert (after['selection'] == sel and after['color'] == 'score' and after['threshold'] == lab['thr']
            and after['path'] is True)
    controls = d.execute_script("const q = s => document.querySelector('.dvats .dvats-' + s); "
                                "return [q('color').value, +q('thr').value, +q('thr').step, q('thrv').textContent, "
                                "q('path').checked]")
    assert (controls[0] == 'score' and abs(controls[1] - lab['thr']) <= controls[2]
            and controls[3] == f"{lab['thr']:.3f}" and controls[4])
    proj = d.execute_script("const gd = document.querySelector('.dvats .dvats-proj'); "
                            "return [gd.data[0].selectedpoints, gd.data.some(t => t.name === 'scale'), "
                            "gd.data[2].visible]")
    ids = np.flatnonzero(res.windows.valid)
    assert sorted(ids[proj[0]].tolist()) == sel and proj[1] is True and proj[2] is True
    check_bars(d, res, sel)
    assert d.execute_script(LAYOUT, explorer(d)) == []
    again, _, sent, _ = python_state(d, lab)
    assert again == sel and sent == sent_before  # the reloaded page sent nothing: Python keeps its selection


SHOTS17 = SHOTS / 'shots17'


def printed(d, lab, name):
    "What the test cell `name` printed (one JSON line)."
    cell = run_cell(d, lab['at'][name])
    out = wait_for(d, "const p = arguments[0].querySelector('.jp-OutputArea-output pre'); return p && p.textContent",
                   f'the output of {name}', 60, cell)
    return json.loads(out.strip().splitlines()[-1])


def test_widget_context_similar_tags_and_time(lab, browser, widget):
    """The issue-17 controls in the widget: a click on a point (its context and the windows like it, computed in
    Python), the context sliders, a tag exported through Python's dvats.tags, the 'time' colour and the matrix profile's
    band: each is what Python holds."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    from dvats.similar import similar_windows
    from dvats.tags import read_tags
    res, d = lab['res'], browser
    valid = np.flatnonzero(res.windows.valid)
    api = "document.querySelector('.dvats').parentElement.dvats"
    # a real click on a point that no other point is near
    m = Mouse(d, res)
    el = m.area('proj')
    px, py, w, h = d.execute_script(POINTS)
    xy = np.c_[px, py]
    gap = np.sort(np.linalg.norm(xy[:, None] - xy[None], axis=2), axis=1)[:, 1]
    alone = np.flatnonzero((gap > 10) & (xy[:, 0] > 20) & (xy[:, 0] < w - 20) & (xy[:, 1] > 20) & (xy[:, 1] < h - 20))
    pos = int(alone[len(alone) // 2]); f = int(valid[pos])
    ActionChains(d, duration=20).move_to_element_with_offset(el, int(round(px[pos] - w / 2)),
                                                             int(round(py[pos] - h / 2))).click().perform()
    got = wait_for(d, f"const f = {api}.lastFocus(); return f && f.focus === arguments[0] && !f.pending && f",
                   'the similar windows from Python', 60, f)
    want = similar_windows(res, f, 10).tolist()
    assert (got['context'] == valid[(valid >= f - 5) & (valid <= f + 5)].tolist() and got['similar'] == want
            and got['painted']['similar'] == want)
    focus, context, ctx_ids, sim_ids, _, _, _ = printed(d, lab, 'focus')
    assert (focus, context, ctx_ids, sim_ids) == (f, [5, 5], got['context'], want)
    # the sliders: Python's context follows
    d.execute_script("""const q = s => document.querySelector('.dvats .dvats-' + s), b = q('ctxb'), a = q('ctxa');
        b.value = 2; b.dispatchEvent(new Event('input')); a.value = 9; a.dispatchEvent(new Event('input'));""")
    wait_for(d, f"return JSON.stringify({api}.state().context) === '[2,9]'", 'the sliders', 30)
    time.sleep(0.5)
    _, context, ctx_ids, _, _, _, _ = printed(d, lab, 'focus')
    assert (context == [2, 9]
            and ctx_ids == valid[(valid >= f - 2) & (valid <= f + 9)].tolist() == d.execute_script(
                f"return {api}.lastFocus().context"))
    SHOTS17.mkdir(parents=True, exist_ok=True)
    d.execute_script("arguments[0].scrollIntoView({block: 'start'})", explorer(d)); time.sleep(0.3)
    d.save_screenshot(str(SHOTS17 / 'jupyter-context-similar.png'))
    # 'select these': the clicked window and the windows like it, in Python too
    d.find_element(By.CSS_SELECTOR, '.dvats .dvats-selsim').click()
    sel, _, _, _ = python_state(d, lab)
    assert sel == sorted([f] + want)
    # a tag named in the page (a hostile name stays text), in Python's `tags`, written by Python's dvats.tags from the
    # page's button
    name = '<img src=x onerror=alert(1)>, "x"'
    box = d.find_element(By.CSS_SELECTOR, '.dvats .dvats-tagname'); box.clear(); box.send_keys(name)
    d.find_element(By.CSS_SELECTOR, '.dvats .dvats-tagbtn').click()
    wait_for(d, f"return Object.keys({api}.tags()).length === 1", 'the tag', 30)
    time.sleep(0.5)
    *_, tags, _, _ = printed(d, lab, 'focus')
    assert tags == {name: sel}
    assert d.execute_script("return document.querySelectorAll('.dvats img').length") == 0  # the name shows as text
    assert name in d.execute_script("return document.querySelector('.dvats .dvats-tags').textContent")
    d.find_element(By.CSS_SELECTOR, '.dvats .dvats-tagcsv').click()
    path = lab['root'] / 'r' / 'tags.csv'
    wait_for(d, "return /wrote .*tags.csv/.test(document.querySelector('.dvats .dvats-status').textContent)",
             'the tags written', 30)
    assert {k: v.tolist() for k, v in read_tags(path, res).items()} == tags
    assert path.read_text() == d.execute_script(f"return {api}.tagsCSV()")      # the page would write the same file
    # colour by time: Python's colour follows; the colour bar says the first and last windows' start times
    Select(d.find_element(By.CSS_SELECTOR, '.dvats .dvats-color')).select_by_value('time')
    bar = wait_for(d,
                   "const t = document.querySelector('.dvats .dvats-proj').data.find(t => t.name === 'scale'); "
                   "return t && t.marker.colorbar.ticktext", 'the time scale', 30)
    st = res.windows.start_time
    assert bar == [str(st[valid[0]]).replace(' ', '<br>'), str(st[valid[-1]]).replace(' ', '<br>')]
    time.sleep(0.5)
    *_, color, layout = printed(d, lab, 'focus')
    assert color == 'time' and layout == 'channels'
    # the matrix profile: a colour and a band under the series
    assert 'mp_score' in res.windows and d.execute_script("return document.querySelector('.dvats "
                                                          ".dvats-series').data.some(t => t.name === 'matrix profile')")
    d.execute_script("arguments[0].scrollIntoView({block: 'start'})", explorer(d)); time.sleep(0.3)
    d.save_screenshot(str(SHOTS17 / 'jupyter-tags-time.png'))
    Select(d.find_element(By.CSS_SELECTOR, '.dvats .dvats-color')).select_by_value('matrix_profile')
    wait_for(d,
             "const t = document.querySelector('.dvats .dvats-proj').data.find(t => t.name === 'scale'); "
             "return t && t.marker.colorbar.title.text === 'matrix profile'", 'the matrix-profile scale', 30)
    Select(d.find_element(By.CSS_SELECTOR, '.dvats .dvats-color')).select_by_value('cluster')
    d.execute_script(f"{api}.focus(-1)")


def test_widget_contrast_is_pythons(lab, browser, widget):
    """'what sets them apart' in the widget: the page answers a cluster at once from the run's basis, then shows
    Python's exact contrast (`explain(run, ids, target='contrast')`): its table, reference and verdict; Python's
    explanation is that contrast."""
    from dvats.explain import basis_contrast
    res, d = lab['res'], browser
    api = "document.querySelector('.dvats').parentElement.dvats"
    choose_target(d, lab, 'contrast')
    try:
        assert d.execute_script(TARGET)[0] == 'contrast'
        ids = np.flatnonzero((res.windows.cluster == 0).fillna(False).to_numpy() & res.windows.valid.to_numpy())
        assert 0 < len(ids) < int(res.windows.valid.sum())
        first = d.execute_script(f"return {api}.selectCluster(0, 'replace')")
        assert first['target'] == 'contrast' and sorted(first['ids']) == ids.tolist()
        want = res.explain(ids, 'contrast')  # with a basis: the basis' table, as the page's
        quick = basis_contrast(res, ids)
        assert (want.table.channel.tolist() == quick.table.channel.tolist()
                and want.reference_name == quick.reference_name)
        c = first['contrast']
        assert c['reference'] == want.reference_name in ('neighbours', 'all') and c['overlapping'] == want.overlapping
        assert c['n_sel'] == len(want.ids) and c['n_ref'] == len(want.reference)
        got = wait_for(d, f"const l = {api}.last(); return l.contrast && l.contrast.table === 'python' && l",
                       "Python's exact contrast", 300)
        assert sorted(got['ids']) == ids.tolist() and got['contrast']['reference'] == want.reference_name
        assert [r['channel'] for r in got['table']] == want.table.channel.tolist()
        np.testing.assert_allclose([[r['signed'], r['share']] for r in got['table']],
                                   want.table[['signed', 'share']].to_numpy(), rtol=1e-5, atol=1e-9)
        line = d.execute_script("return document.querySelector('.dvats .dvats-verdict').textContent")
        words = ('every window shares a step with the selection: all unselected windows)' if want.overlapping
                 else 'neighbours: the windows around the selection in time that share no step with it)'
                 if want.reference_name == 'neighbours'
                 else 'all: every window that shares no step with the selection)')
        assert f"against {len(want.reference):,} reference windows ({words}" in line, line
        c = got['contrast']  # the verdict: the page's, from its basis (8 bits)
        assert (abs(c['ratio'] - want.ratio) <= 0.03 * want.ratio + 0.01
                and abs(c['threshold'] - want.threshold) <= 0.01 * want.threshold)
        assert ("× a random selection's difference (99% stay below" in line) == c['distinct']
        if abs(want.ratio - want.threshold) > 0.05 * want.threshold: assert c['distinct'] == want.distinct
        sel, channels, _, _ = python_state(d, lab)
        assert sel == ids.tolist() and channels == want.table.channel.tolist()
        assert printed(d, lab, 'target') == ['contrast', 'contrast']
    finally:
        choose_target(d, lab, 'embedding')


def test_widget_marks_a_tag_normal(lab, browser, widget):
    """Issue 33: a tag marked normal in the widget (its 'normal' button) scores the run again in Python with the tag's
    windows found normal (`Explorer.mark_normal`: they join the memory bank, a new threshold, no new embeddings); the
    status line gives the scores before and after, the views are drawn from the new payload, and the run's config keeps
    the windows found normal.
    Screenshot in runs/shots33/. Last: it rewrites the run."""
    import yaml
    from selenium.webdriver.common.by import By
    from dvats.result import load_result
    from dvats.views.page import view_threshold
    res, d = lab['res'], browser
    api = "document.querySelector('.dvats').parentElement.dvats"
    calm = np.flatnonzero(res.windows.valid)[:80].tolist()
    d.execute_script(f"{api}.select(arguments[0], 'replace')", calm)
    box = d.find_element(By.CSS_SELECTOR, '.dvats .dvats-tagname'); box.clear(); box.send_keys('calm')
    d.find_element(By.CSS_SELECTOR, '.dvats .dvats-tagbtn').click()
    wait_for(d, f"return 'calm' in {api}.tags()", 'the tag', 30)
    time.sleep(0.5)
    chip = [c for c in d.find_elements(By.CSS_SELECTOR, '.dvats .dvats-tag') if 'calm' in c.text][0]
    chip.find_element(By.CSS_SELECTOR, '.dvats-tagnormal').click()
    status = wait_for(d,
                      "const t = document.querySelector('.dvats .dvats-status').textContent; "
                      "return /'calm' found normal: /.test(t) && t",
                      'the scores before and after', 120)
    assert 'threshold' in status and '→' in status, status
    run = lab['root'] / 'r'
    anomaly = yaml.safe_load((run / 'config.yaml').read_text())['clustering']['anomaly']
    assert anomaly['known_normal'] == [f"{calm[0]}-{calm[-1]}"] and anomaly['normal'] is None
    thr = view_threshold(load_result(run))
    wait_for(d, f"return Math.abs({api}.state().threshold - arguments[0]) < 1e-9", "the page's new threshold", 30, thr)
    (SHOTS / 'shots33').mkdir(parents=True, exist_ok=True)
    d.execute_script("arguments[0].scrollIntoView({block: 'start'})", explorer(d)); time.sleep(0.5)
    d.save_screenshot(str(SHOTS / 'shots33' / 'jupyter-mark-normal.png'))


def test_widget_on_the_demo_shows_its_clusters_and_events(lab, browser):
    """Issue 31: the widget on the demo's run in JupyterLab, its page 1280×800 with the file browser open: the clusters
    in words and the anomaly events as `dvats.overview` lists them, right under the projection and the series; a click
    on a cluster's row selects it in Python. Screenshot in runs/shots31/jupyter-demo-overview-events.png. Last: it opens
    another notebook in the browser."""
    from dvats.pipeline import cached_demo
    from dvats.overview import anomaly_events
    d, root = browser, lab['root']
    res = cached_demo(root / 'demo')
    cell = lambda i, src: {'cell_type': 'code', 'execution_count': None, 'id': i, 'metadata': {}, 'outputs': [],
                           'source': src}
    nb = {'cells': [cell('demo', "from dvats.result import load_result\nfrom dvats.views.explorer import Explorer\n"
                                 "ex = Explorer(load_result('demo'))\nex"),
                    cell('picked', "import json; print(json.dumps(ex.selection))")],
          'metadata': {'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}},
          'nbformat': 4, 'nbformat_minor': 5}
    (root / 'demo.ipynb').write_text(json.dumps(nb))
    # a workspace of its own, reset: only this notebook open (the cell helpers read the first notebook's cells)
    d.get(lab['url'].replace('/lab/tree/explore.ipynb?', '/lab/workspaces/demo/tree/demo.ipynb?reset&'))
    wait_for(d, "return document.querySelector('.jp-Notebook .jp-Cell .cm-content') && "
                "/\\|\\s*Idle/.test((document.getElementById('jp-main-statusbar') || document.body).textContent)",
             'the kernel', 180)
    run_cell(d, 0)
    wait_for(d, "return document.querySelector('.dvats[data-ready=\"1\"]')", 'the explorer widget on the demo', 300)
    api = "const api = document.querySelector('.dvats').parentElement.dvats; "
    clusters, events = d.execute_script(api + "return [api.overviewRows(), api.eventRows()]")
    ev = anomaly_events(res)
    assert [r['cluster'] for r in clusters] == sorted({int(k) for k in res.windows.cluster.dropna()},
                                                      key=lambda k: (k < 0, k))
    assert [(r['first'], r['last']) for r in events] == list(zip(ev['first'], ev['last']))[:len(events)]
    assert len(events) == min(len(ev), 200)
    d.execute_cdp_cmd('Emulation.setDeviceMetricsOverride',
                      {'width': 1280, 'height': 800, 'deviceScaleFactor': 1, 'mobile': False})
    try:
        wait_for(d, "return innerWidth === 1280 && innerHeight === 800", 'the 1280×800 page', 30)
        # the clusters and the events in view, right under the plots: the user reads them without scrolling past them
        seen = None
        for _ in range(60):
            d.execute_script("const t = document.querySelector('.dvats table.dvats-overview'); "
                             "(t.closest('.dvats-panel') || t).scrollIntoView({block: 'start'})")
            time.sleep(0.3)
            now = d.execute_script("""const r = s => { const b = document.querySelector(s).getBoundingClientRect();
                                      return [b.top, b.bottom]; };
                                      return [r('.dvats table.dvats-overview'), r('.dvats table.dvats-rank')];""")
            if now == seen: break
            seen = now
        (ov_top, ov_bottom), (ev_top, _) = seen
        assert 0 <= ov_top < ov_bottom <= ev_top < 800, seen
        (SHOTS / 'shots31').mkdir(parents=True, exist_ok=True)
        d.save_screenshot(str(SHOTS / 'shots31' / 'jupyter-demo-overview-events.png'))
        k = clusters[0]['cluster']
        d.find_element('css selector', f'.dvats table.dvats-overview tr[data-cluster="{k}"]').click()
        want = [int(i) for i in np.flatnonzero(((res.windows.cluster == k) & res.windows.valid).fillna(False))]
        out = run_cell(d, 1)
        printed_ids = wait_for(d, "const p = arguments[0].querySelector('.jp-OutputArea-output pre'); "
                                  "return p && p.textContent", 'the selection in Python', 60, out)
        assert json.loads(printed_ids) == want
    finally:
        d.execute_cdp_cmd('Emulation.clearDeviceMetricsOverride', {})
