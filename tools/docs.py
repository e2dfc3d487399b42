"""Build the docs site (`make docs`): the README as the home page, every notebook as a page with its outputs, an API
page per module, rendered offline by MkDocs (mkdocs-material, mkdocs-jupyter, mkdocstrings) into `_docs/site/`.

The outputs are those of the executed notebooks that `make test` keeps (`tools/notebooks.py`); a notebook whose sources
changed since is executed (and so tested) again first. Nothing is downloaded: plotly.js is copied from the installed
plotly package."""
import copy, json, re, shutil, subprocess, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebooks

ROOT = notebooks.ROOT
DOCS, SITE, CONFIG = ROOT / '_build' / 'docs', ROOT / '_docs' / 'site', ROOT / '_build' / 'mkdocs.yml'
PLOTLY_JS = 'assets/plotly.min.js'
HOME_NOTEBOOK = 'index.ipynb'  # nbdev's home notebook: a page of its own here, since the README is the home page
HOME_NOTEBOOK_PAGE = 'first-look.ipynb'
HIDE = {'hide', 'exporti'}              # nbdev directives whose cells the docs leave out


def notebook_order(name:str) -> tuple:
    """Sort key of a notebook name in pipeline order: its number (the part before the first '_') first, so 05b_lrp comes
    before 05b1_."""
    number, _, rest = Path(name).stem.partition('_')
    return (number, rest)


def page_name(nb:Path) -> str:
    "The file name of a notebook's page."
    return HOME_NOTEBOOK_PAGE if nb.name == HOME_NOTEBOOK else nb.name


def directives(src:str) -> dict:
    "nbdev's `#| name value` lines at the top of a cell, as {name: value}."
    out = {}
    for line in src.splitlines():
        m = re.match(r'\s*#\|\s*([\w-]+):?\s*(.*)', line)
        if not m: break
        out[m[1]] = m[2].strip()
    return out


def is_plotly_init(out:dict) -> bool:
    """The output plotly's notebook renderer adds once per kernel: plotly.js itself, which the site serves as a file
    instead."""
    html = ''.join(out.get('data', {}).get('text/html', ''))
    return 'application/vnd.plotly.v1+json' not in out.get('data', {}) and len(html) > 1_000_000 and 'plotly' in html


def plotly_html(fig_json:dict, div_id:str) -> str:
    "A figure as a div and the script that draws it with the page's plotly.js."
    import plotly.io as pio
    fig = pio.from_json(json.dumps(fig_json))
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id, config={'responsive': True})


# a notebook's temporary folder
MACHINE_PATHS = [(re.compile(re.escape(tempfile.gettempdir()) + r'/[^/\s\'"]+'), '<tmp>'),
                 (re.compile(re.escape(str(ROOT))), '<project>'),
                 (re.compile(re.escape(str(Path.home())) + r'(?=/)'), '~')]


def without_machine_paths(text:str) -> str:
    """`text` with this machine's absolute paths (the project, temporary folders, the home folder) replaced by
    placeholders."""
    for pattern, placeholder in MACHINE_PATHS: text = pattern.sub(placeholder, text)
    return text


def clean_output(out:dict) -> dict:
    "An output whose text holds no absolute path of the machine that executed it."
    if 'text' in out: out['text'] = without_machine_paths(''.join(out['text']))
    for mime in ('text/plain', 'text/html', 'text/markdown'):
        if mime in out.get('data', {}): out['data'][mime] = without_machine_paths(''.join(out['data'][mime]))
    if 'traceback' in out: out['traceback'] = [without_machine_paths(t) for t in out['traceback']]
    return out


def doc_cells(nb:dict, page:str) -> dict:
    """The notebook as its page shows it: hidden cells left out, directive lines dropped, figures drawn with the local
    plotly.js."""
    nb, cells, n_figs = copy.deepcopy(nb), [], 0
    for cell in nb['cells']:
        cell['metadata'].pop('execution', None)          # execnb's timings, which nbformat's schema refuses
        src = ''.join(cell['source'])
        d = directives(src) if cell['cell_type'] == 'code' else {}
        if HIDE & d.keys() or d.get('echo') == 'false' and d.get('output') == 'false': continue
        if cell['cell_type'] == 'code':
            cell['source'] = '\n'.join(line for line in src.splitlines() if not re.match(r'\s*#\|', line)).strip('\n')
            outs = [] if d.get('output') == 'false' else [o for o in cell.get('outputs', []) if not is_plotly_init(o)]
            for o in outs:
                fig = o.get('data', {}).get('application/vnd.plotly.v1+json')
                if fig is not None:
                    o['data'] = {'text/html': plotly_html(fig, f'{Path(page).stem}-fig{n_figs}')}
                    n_figs += 1
            cell['outputs'] = [clean_output(o) for o in outs]
            if d.get('echo') == 'false': cell['source'] = ''
            if not cell['source'] and not cell['outputs']: continue      # e.g. `#| default_exp`: nothing left to show
        cells.append(cell)
    if n_figs:                  # plotly.js once, before the first cell
        cells.insert(0,
                     {'cell_type': 'markdown', 'id': 'plotlyjs', 'metadata': {},
                      'source': f'<script src="{PLOTLY_JS}"></script>'})
    nb['cells'] = cells
    return nb


def title(nb:dict, fallback:str) -> str:
    "A notebook's first heading."
    for c in nb['cells']:
        if c['cell_type'] == 'markdown':
            m = re.search(r'^#\s+(.+)$', ''.join(c['source']), re.M)
            if m: return m[1].strip()
    return fallback


def modules() -> list:
    "(module, notebook) for every module with exported names, in notebook order."
    from dvats._modidx import d
    out = []
    for mod in d['syms']:
        path = ROOT / (mod.replace('.', '/') + '.py')
        m = re.search(r'File to edit: \S*?nbs/(\S+\.ipynb)', path.read_text())
        out.append((mod, m[1] if m else ''))
    return sorted(out, key=lambda t: (notebook_order(t[1]), t[0]))


def home_page() -> str:
    "The README, with its mentions of notebooks turned into links to their pages."
    text = (ROOT / 'README.md').read_text()
    def link(m):
        nb = ROOT / 'nbs' / m[1]
        return f'[`nbs/{m[1]}`]({page_name(nb)})' if nb.exists() else m[0]
    return re.sub(r'`nbs/([\w-]+\.ipynb)`', link, text)


def prepare() -> list:
    "Write the site's sources into _build/docs; return the nav."
    if DOCS.exists(): shutil.rmtree(DOCS)
    (DOCS / 'api').mkdir(parents=True)
    (DOCS / 'assets').mkdir()
    import plotly
    shutil.copy(Path(plotly.__file__).parent / 'package_data' / 'plotly.min.js', DOCS / PLOTLY_JS)
    # search from file:// (mkdocs.yml's polyfills)
    shutil.copy(ROOT / 'tools' / 'docs_assets' / 'iframe-worker.js', DOCS / 'assets')
    (DOCS / 'index.md').write_text(home_page())
    pages = []
    for nb_path in sorted((ROOT / 'nbs').glob('*.ipynb'), key=lambda p: notebook_order(p.name)):
        nb = json.loads((notebooks.EXECUTED / nb_path.name).read_text())
        page = page_name(nb_path)
        (DOCS / page).write_text(json.dumps(doc_cells(nb, page), indent=1))
        pages.append({f'{nb_path.stem} · {title(nb, nb_path.stem)}' if nb_path.name != HOME_NOTEBOOK
                      else 'A first look': page})
    api = []
    for mod, nb in modules():
        src = f'[`nbs/{nb}`]({"../" + page_name(ROOT / "nbs" / nb)})' if nb else ''
        (DOCS / 'api' / f'{mod}.md').write_text(f'# `{mod}`\n\nSource notebook: {src}\n\n::: {mod}\n')
        api.append({mod: f'api/{mod}.md'})
    first = [p for p in pages if HOME_NOTEBOOK_PAGE in p.values()]
    return [{'Home': 'index.md'}] + first + [{'Notebooks': [p for p in pages if p not in first]}, {'API': api}]


def build() -> None:
    "Execute what is stale, prepare the sources, render the site."
    t0 = time.time()
    todo = notebooks.stale()
    if todo:
        print(f'executing {len(todo)} notebook(s) whose executed copy is missing or out of date: '
              f'{", ".join(p.name for p in todo)}')
        notebooks.run(todo)
    nav = prepare()
    # the site's own settings stay in mkdocs.yml; the nav is written next to the sources it lists
    CONFIG.write_text(
        json.dumps({'INHERIT': str(ROOT / 'mkdocs.yml'), 'docs_dir': str(DOCS), 'site_dir': str(SITE), 'nav': nav}))
    subprocess.run([sys.executable, '-m', 'mkdocs', 'build', '--quiet', '--clean', '--config-file', str(CONFIG)],
                   check=True, cwd=ROOT)
    size = sum(p.stat().st_size for p in SITE.rglob('*') if p.is_file())
    print(f'docs: {SITE.relative_to(ROOT)}/index.html, {size / 2**20:.1f} MiB, built in {time.time() - t0:.1f} s')


if __name__ == '__main__': build()
