"""The Jupyter explorer in a real JupyterLab, driven in Debian's headless Chromium by selenium (no browser download).

JupyterLab (the `dev` extras) serves a temporary folder on 127.0.0.1 with a token; a notebook there opens a small run
in `Explorer`. A selection made in the page must update the importance bars and be what Python reads back, and a
selection set from Python must reach the page."""
import json, os, socket, subprocess, sys, time, uuid
from pathlib import Path
import numpy as np, pytest

from _browser import headless_chromium
SHOTS = Path(__file__).resolve().parent.parent / 'runs'
CELLS = ["from dvats.result import load_result\nfrom dvats.views.explorer import Explorer\nex = Explorer(load_result('r'))\nex",
         "print(json.dumps(ex.selection)); print(json.dumps(ex.explanation.table.channel.tolist()))",
         "ex.selection = [3, 4, 5]"]


def notebook(cells):
    "A notebook of code cells (nbformat 4), as JSON text."
    cells = [{'cell_type': 'code', 'execution_count': None, 'id': f'c{i}', 'metadata': {}, 'outputs': [], 'source': s}
             for i, s in enumerate(["import json"] + cells)]
    return json.dumps({'cells': cells, 'metadata': {'kernelspec': {'display_name': 'Python 3', 'language': 'python', 'name': 'python3'}},
                       'nbformat': 4, 'nbformat_minor': 5})


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    from dvats.demo import make_demo_series
    from dvats.pipeline import run
    root = tmp_path_factory.mktemp('lab')
    s, _ = make_demo_series(n_steps=3000)
    res = run(s, {'encoder': {'epochs': 1}, 'dr': {'method': 'pca'}}, out=root / 'r', log=None)
    (root / 'explore.ipynb').write_text(notebook(CELLS))
    # JupyterLab's own settings in the temp folder: no news fetched, nothing written to the user's home
    settings = root / '.settings' / '@jupyterlab' / 'apputils-extension'
    settings.mkdir(parents=True)
    (settings / 'notification.jupyterlab-settings').write_text('{"fetchNews": "false", "checkForUpdates": false}')
    with socket.socket() as so: so.bind(('127.0.0.1', 0)); port = so.getsockname()[1]
    token = uuid.uuid4().hex
    env = {**os.environ, 'JUPYTER_CONFIG_DIR': str(root / '.jupyter'), 'JUPYTERLAB_SETTINGS_DIR': str(root / '.settings'),
           'JUPYTERLAB_WORKSPACES_DIR': str(root / '.workspaces'), 'JUPYTER_RUNTIME_DIR': str(root / '.runtime'),
           'PYTHONPATH': os.pathsep.join([str(Path(__file__).resolve().parent.parent)] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p])}
    log = open(root / 'lab.log', 'w')
    proc = subprocess.Popen([sys.executable, '-m', 'jupyterlab', '--no-browser', '--ip=127.0.0.1', f'--port={port}',
                             f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={root}', '--ServerApp.port_retries=0']
                            + (['--allow-root'] if hasattr(os, 'geteuid') and os.geteuid() == 0 else []),   # containers often run as root
                            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                with socket.create_connection(('127.0.0.1', port), timeout=1): break
            except OSError: time.sleep(0.2)
            assert proc.poll() is None, (root / 'lab.log').read_text()
        yield res, f'http://127.0.0.1:{port}/lab/tree/explore.ipynb?token={token}'
    finally:
        proc.terminate()
        try: proc.wait(20)
        except subprocess.TimeoutExpired: proc.kill()
        log.close()


@pytest.fixture(scope='module')
def browser(lab):
    d = headless_chromium(1500, 1900)
    d.set_script_timeout(60)
    d.get(lab[1])
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


def run_cell(d, k):
    "Run cell `k` of the open notebook as a user does: click into it, press Shift+Enter; returns the cell."
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.common.exceptions import StaleElementReferenceException, ElementNotInteractableException
    for attempt in range(20):          # JupyterLab may redraw a cell while it settles: look it up again
        try:
            cell = d.find_elements(By.CSS_SELECTOR, '.jp-Notebook .jp-Cell')[k]
            d.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
            cell.find_element(By.CSS_SELECTOR, '.cm-content').click()
            break
        except (StaleElementReferenceException, ElementNotInteractableException):
            time.sleep(0.5)
    else:
        SHOTS.mkdir(exist_ok=True); d.save_screenshot(str(SHOTS / 'jupyter-explorer-failed.png'))
        raise AssertionError(f'cannot click into cell {k}')
    ActionChains(d).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
    # the prompt shows [n] (not [*] or [ ]) once the kernel has run it
    wait_for(d, "return /\\[\\d+\\]/.test(arguments[0].querySelector('.jp-InputPrompt').textContent)", f'cell {k} run', 180, cell)
    return cell


def table_from_bars(d):
    "The importance bars drawn in the widget, as {channel: share}, plus the channel order (largest share first)."
    bars = d.execute_script("const gd = document.querySelector('.dvats .dvats-imp'); return [gd.data[0].y, gd.data[0].x];")
    return dict(zip(bars[0], bars[1])), bars[0][::-1]


def test_widget_selection_round_trip(lab, browser):
    res, _ = lab
    d = browser
    # the notebook is drawn and its kernel is ready: the status bar says 'Idle'
    wait_for(d, "return document.querySelector('.jp-Notebook .jp-Cell .cm-content') && "
                "/\\|\\s*Idle/.test((document.getElementById('jp-main-statusbar') || document.body).textContent)", 'the kernel', 180)
    run_cell(d, 0)                                                       # import json
    t0 = time.time()
    run_cell(d, 1)                                                       # make the Explorer
    wait_for(d, "return document.querySelector('.dvats[data-ready=\"1\"]')", 'the explorer widget', 300)   # the kernel imports torch first
    print(f"widget drawn {time.time() - t0:.1f} s after its cell was run")
    assert d.execute_script("return document.querySelectorAll('.dvats .dvats-proj .scatterlayer, .dvats .dvats-proj .gl-container').length") > 0
    before, _ = table_from_bars(d)
    # a box selection through plotly's own selection API, in the widget's projection
    x = res.windows.x.to_numpy()
    lo, hi = np.nanmin(x), np.nanmax(x)
    cut = lo + 0.4 * (hi - lo)
    last = d.execute_async_script("""
        const [x0, x1, done] = arguments, gd = document.querySelector('.dvats .dvats-proj'), ya = gd._fullLayout.yaxis.range;
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
    # beside the bars, the channel × frequency-band heatmap: the selection's mean band sums, channels bottom to top as the bars
    from dvats.lrp.frequency import band_table
    bands = d.execute_script("const gd = document.querySelector('.dvats .dvats-bands'); return gd.data && gd.data.length ? "
                             "{type: gd.data[0].type, y: gd.data[0].y, z: gd.data[0].z, drawn: gd.querySelectorAll('.hm image').length} : null")
    want = band_table(res.frequency_relevance[ids], list(res.series.columns), res.config.windows.w).loc[order[::-1]]
    assert bands and bands['type'] == 'heatmap' and bands['drawn'] == 1 and bands['y'] == order[::-1]
    np.testing.assert_allclose(np.array(bands['z']), want.to_numpy(), rtol=1e-5, atol=1e-6 * np.abs(want.to_numpy()).max())
    # Python reads the same selection back
    cell = run_cell(d, 2)
    out = wait_for(d, "return arguments[0].querySelector('.jp-OutputArea-output pre') && arguments[0].querySelector('.jp-OutputArea-output pre').textContent",
                   'the printed selection', 60, cell)
    got_ids, got_channels = [json.loads(line) for line in out.strip().splitlines()]
    assert got_ids == ids.tolist() and got_channels == ex.table.channel.tolist()
    d.execute_script("arguments[0].scrollIntoView({block: 'start'})", d.find_element('css selector', '.dvats'))
    time.sleep(0.5)
    SHOTS.mkdir(exist_ok=True)
    d.save_screenshot(str(SHOTS / 'jupyter-explorer.png'))
    # ... and a selection set from Python reaches the page
    run_cell(d, 3)
    wait_for(d, "const s = document.querySelector('.dvats').parentElement.dvats.state().selection; return JSON.stringify(s) === '[3,4,5]'",
             'the selection set from Python', 60)
