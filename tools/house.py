"""The house drawn from its imports: every `dvats` module, its lines, the dvats modules it imports (at the top or inside
a function), the circles among them, and the imports of a notebook numbered at or after the importer's. `make test`
runs `tests/test_house.py`, which holds the house to no circle, no module over 400 lines, and every notebook importing
only notebooks numbered before it, and no more definitions without a test cell after them than `UNTESTED_AT_MOST`.
Usage: `python tools/house.py` prints the module table and what it found."""
import ast, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400
# public exported definitions whose cell no test cell follows (`untested`), at most: issue 30 found 181 on 2026-12-05
# and gave each its cell; never raise it
UNTESTED_AT_MOST = 0


def modules(package:Path=ROOT / 'dvats') -> dict:
    "Module name -> path of every module of the package (generated `_modidx` left out)."
    out = {}
    for p in sorted(package.rglob('*.py')):
        if p.name == '_modidx.py': continue
        parts = p.relative_to(package.parent).with_suffix('').parts
        out['.'.join(parts[:-1] if parts[-1] == '__init__' else parts)] = p
    return out


def imports(name:str, path:Path, known:set) -> set:
    "The package's modules that module `name` imports, anywhere in it (type-checking-only imports left out)."
    tree, out = ast.parse(path.read_text()), set()
    package = name if path.name == '__init__.py' else name.rsplit('.', 1)[0]
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and 'TYPE_CHECKING' in ast.unparse(node.test)
            for n in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in skip: continue
        if isinstance(node, ast.Import): targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                base = '.'.join(package.split('.')[:len(package.split('.')) - node.level + 1]
                                + ([base] if base else []))
            targets = [base] + [f'{base}.{a.name}' for a in node.names]
        else: continue
        for t in targets:
            while t and t not in known: t = t.rpartition('.')[0]
            if t and t != name and t != 'dvats': out.add(t)
    return out


def graph() -> dict:
    "Module -> the package's modules it imports."
    mods = modules()
    return {m: imports(m, p, set(mods)) for m, p in mods.items()}


def circles(g:dict) -> list:
    "The strongly connected groups of more than one module (Tarjan): each is an import circle."
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = counter[0]; counter[0] += 1; stack.append(v); on.add(v)
        for w in g.get(v, ()):
            if w not in index: visit(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop(); on.discard(w); group.append(w)
                if w == v: break
            if len(group) > 1: out.append(sorted(group))
    sys.setrecursionlimit(10_000)
    for v in g:
        if v not in index: visit(v)
    return out


def notebooks(nbs:Path=ROOT / 'nbs') -> dict:
    "Module name -> the stem of the notebook that exports it (its `#| default_exp`)."
    import json, re
    out = {}
    for p in sorted(nbs.glob('*.ipynb')):
        for c in json.loads(p.read_text())['cells']:
            m = re.search(r'#\|\s*default_exp\s+(\S+)', ''.join(c['source']))
            if m: out['dvats.' + m.group(1)] = p.stem; break
    return out


def place(stem:str) -> str:
    "A notebook's place in the pipeline: its number, the part of its name before the first '_' ('05a1', '07c')."
    return stem.split('_')[0]


def uphill(g:dict, nbs:dict) -> list:
    "The imports that point to a notebook numbered at or after the importer's: `(importer, imported)` by notebook."
    return sorted((nbs[a], nbs[b]) for a, targets in g.items() for b in targets
                  if a in nbs and b in nbs and place(nbs[b]) >= place(nbs[a]))


def untested(nbs:Path=ROOT / 'nbs') -> list:
    """`(notebook, name)` of every public definition in an exported cell that is not followed by a code cell that shows
    it working (the next code cell is exported too, or there is none)."""
    import json, re
    out = []
    for p in sorted(nbs.glob('[0-9]*.ipynb')):
        code = [''.join(c['source']) for c in json.loads(p.read_text())['cells'] if c['cell_type'] == 'code']
        for i, src in enumerate(code):
            if not src.startswith('#| export'): continue
            followed = i + 1 < len(code) and not code[i + 1].startswith('#| export')
            out += [] if followed else [(p.stem, n) for n in re.findall(r'^(?:def|class) ([A-Za-z]\w*)', src, re.M)]
    return out


if __name__ == '__main__':
    g, mods = graph(), modules()
    print('| module | lines | imports |\n|---|---|---|')
    for m, p in mods.items():
        n = len(p.read_text().splitlines())
        print(f"| `{m}` | {n}{' (over ' + str(MAX_LINES) + ')' if n > MAX_LINES else ''} | "
              f"{', '.join(sorted(x.replace('dvats.', '') for x in g[m]))} |")
    found = circles(g)
    print('\ncircles:', found or 'none')
    print('imports of a notebook numbered at or after the importer:', uphill(g, notebooks()) or 'none')
    bare = untested()
    print(f'public definitions with no test cell after them: {len(bare)} in {len({n for n, _ in bare})} notebooks')
