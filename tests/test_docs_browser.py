"""The docs site (`make docs`, in `_docs/site`) in Debian's headless Chromium: every internal link is followed and
found, no API page is empty, the plotly figures of the executed notebooks draw with the site's own plotly.js, search
works (served and from disk), and the navigation lists the notebooks in their number order.

`make test` builds the site right before this test, from the notebooks it has just executed. The site is served from a
local HTTP server on 127.0.0.1, so a missing page is a 404, as on a real host; the README's way, opening
_docs/site/index.html from disk, is tested too."""
import functools, http.server, threading, time, urllib.error, urllib.parse, urllib.request
from pathlib import Path
import pytest

from _browser import headless_chromium
ROOT = Path(__file__).resolve().parent.parent
SITE, SHOTS = ROOT / '_docs' / 'site', ROOT / 'runs'


@pytest.fixture(scope='module')
def site():
    assert (SITE / 'index.html').is_file(), ('the docs site is missing: run `make docs` '
                                             '(make test builds it before this test)')
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    handler = functools.partial(Quiet, directory=str(SITE))
    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address): pass     # the browser drops connections it no longer needs
    server = Server(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{server.server_address[1]}/'
    server.shutdown()


@pytest.fixture(scope='module')
def browser():
    d = headless_chromium(1280, 900)
    yield d
    d.quit()


def internal(base:str, page:str, ref:str) -> str|None:
    "The absolute URL (no fragment) of `ref` on `page` when it stays on the site, else None."
    url = urllib.parse.urljoin(page, ref).split('#')[0]
    return url if url.startswith(base) else None


def status(url:str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r: return r.status
    except urllib.error.HTTPError as e: return e.code


def test_every_internal_link_resolves(site, browser):
    d, seen, todo, broken, pages = browser, set(), [site + 'index.html'], [], 0
    while todo:
        page = todo.pop()
        if page in seen: continue
        seen.add(page)
        code = status(page)
        if code != 200: broken.append((page, code)); continue
        if not page.endswith('.html'): continue
        d.get(page)  # the page as a reader gets it: the browser's own DOM, after scripts ran
        pages += 1
        refs = d.execute_script("return [...document.querySelectorAll('[href],[src]')].map(e => e.getAttribute('href') "
                                "|| e.getAttribute('src'))")
        for ref in refs:
            url = internal(site, page, ref)
            if url and url not in seen: todo.append(url)
    print(f'{pages} pages opened, {len(seen)} internal URLs followed')
    assert not broken, f'broken internal links: {broken[:10]}'
    nbs = sorted(p.stem for p in (ROOT / 'nbs').glob('*.ipynb'))
    assert pages >= len(nbs) + 10, pages         # every notebook's page, the home page and the API pages were reached
    assert f'{site}api/dvats.anomaly.html' in seen and f'{site}05a1_anomaly.html' in seen


def test_no_api_page_is_empty(site):
    pages = sorted((SITE / 'api').glob('*.html'))
    assert len(pages) >= 20
    for p in pages:
        html = p.read_text()
        n = html.count('class="doc doc-heading"')
        assert n >= 1, f'{p.name}: no documented object'
        # each module's own page documents its exported names (its __all__)
        mod = __import__(p.stem, fromlist=['__all__'])
        for name in getattr(mod, '__all__', []):
            obj = getattr(mod, name)
            # its functions and classes, each with its docstring
            if callable(obj) and getattr(obj, '__module__', None) == p.stem:
                assert f'id="{p.stem}.{name}"' in html, (f'{p.name}: {name} is not documented '
                                                         '(does it have a docstring?)')


def test_home_and_figures_and_search(site, browser):
    from selenium.webdriver.common.by import By
    d = browser
    d.get(site + 'index.html')
    assert 'Two commands' in d.find_element(By.CSS_SELECTOR, 'article').text       # the README is the home page
    SHOTS.mkdir(exist_ok=True); d.save_screenshot(str(SHOTS / 'docs-home.png'))
    d.get(site + 'api/dvats.anomaly.html')
    assert 'window_scores' in d.find_element(By.CSS_SELECTOR, 'article').text
    d.save_screenshot(str(SHOTS / 'docs-api.png'))
    # a notebook's plotly figure draws, from the site's own plotly.js (the page loads nothing from elsewhere)
    d.get(site + '05a1_anomaly.html')
    for _ in range(100):
        drawn = d.execute_script("return window.Plotly ? "
                                 "document.querySelectorAll('.js-plotly-plot .main-svg').length : -1")
        if drawn > 0: break
        time.sleep(0.2)
    assert drawn > 0, 'no plotly figure drew on 05a1_anomaly.html'
    srcs = d.execute_script("return [...document.querySelectorAll('script[src],link[href]')].map(e => e.src || e.href)")
    assert all(s.startswith(site) for s in srcs), [s for s in srcs if not s.startswith(site)]
    # search, offline: the built-in index finds the anomaly notebook
    d.get(site + 'index.html')
    hits = search_hits(d, 'memory bank')
    assert any('05a1_anomaly' in h for h in hits), hits


def search_hits(d, query:str) -> list:
    "The result links the site's search box gives for `query`, on the page open in `d`."
    from selenium.webdriver.common.by import By
    d.find_element(By.CSS_SELECTOR, 'label.md-search__icon, .md-search__input').click()
    box = d.find_element(By.CSS_SELECTOR, 'input.md-search__input')
    box.send_keys(query)
    hits = []
    for _ in range(100):
        hits = d.execute_script("return [...document.querySelectorAll('.md-search-result__item a')].map(a => "
                                "a.getAttribute('href'))")
        if hits: break
        time.sleep(0.2)
    return hits


def test_search_from_disk(browser):
    "Opened from disk as the README says (file://, no server), the search box is there and finds the anomaly notebook."
    d = browser
    d.get((SITE / 'index.html').as_uri())
    assert (d.execute_script("return getComputedStyle(document.querySelector('.md-search')).display")
            != 'none'), 'the search box is hidden'
    assert (SITE / 'search' / 'search_index.js').is_file(), ('no search_index.js: '
                                                             'search cannot load its index from file://')
    assert any('05a1_anomaly' in h for h in search_hits(d, 'memory bank'))


def test_nav_in_notebook_order(browser):
    "The navigation lists the notebooks in their number order: 05a_clustering before 05a1_, 05b_lrp before 05b1_."
    d = browser
    d.get((SITE / 'index.html').as_uri())
    for _ in range(50):                   # the page may still be drawing its navigation
        pages = d.execute_script("return [...document.querySelectorAll('nav.md-nav--primary a.md-nav__link')].map(a => "
                                 "a.getAttribute('href'))")
        if len(pages) >= 20: break
        time.sleep(0.2)
    nbs = [p.split('/')[-1][:-len('.html')] for p in pages if p and p.endswith('.html')
           and p.split('/')[-1][:2].isdigit()]
    assert len(nbs) >= 20, nbs
    assert nbs.index('05a_clustering') < nbs.index('05a1_anomaly') < nbs.index('05a2_matrix_profile'), nbs
    assert (nbs.index('05b_lrp') < nbs.index('05b1_lrp_composites') < nbs.index('05b5_lrp_frequency')
            < nbs.index('05d_explain')), nbs
    assert nbs == sorted(nbs, key=lambda n: n.partition('_')[::2]), nbs


def test_no_machine_path_in_the_site(site):
    import tempfile
    marks = [str(ROOT), tempfile.gettempdir() + '/tmp', str(Path.home()) + '/']
    for p in [*SITE.rglob('*.html'), *SITE.rglob('*.ipynb')]:     # the pages, and the notebooks they offer for download
        text = p.read_text()
        found = [m for m in marks if m in text]
        assert not found, f'{p.relative_to(SITE)} holds an absolute path of this machine: {found}'
