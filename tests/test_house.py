"""The house drawn from its imports (`tools/house.py`): no import circle among dvats's modules, none over 400 lines,
and the notebooks numbered in the order of their imports."""
import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location('house', Path(__file__).resolve().parent.parent / 'tools' / 'house.py')
house = importlib.util.module_from_spec(spec); spec.loader.exec_module(house)


def test_no_import_circle():
    assert house.circles(house.graph()) == []


def test_the_circle_finder_finds_one():
    assert house.circles({'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}) == [['a', 'b', 'c']]


def test_no_module_over_400_lines():
    long = {m: n for m, p in house.modules().items() if (n := len(p.read_text().splitlines())) > house.MAX_LINES}
    assert long == {}, f"split these modules by concept: {long}"


def test_notebooks_import_only_earlier_notebooks():
    "A newcomer reads the notebooks in their numbers' order: each module imports only modules of earlier notebooks."
    assert house.uphill(house.graph(), house.notebooks()) == []


def test_the_order_check_finds_an_uphill_import():
    nbs = {'dvats.a': '02_a', 'dvats.b': '05b1_b', 'dvats.c': '05b_c'}
    assert house.uphill({'dvats.a': {'dvats.b'}, 'dvats.c': {'dvats.b'}, 'dvats.b': {'dvats.c'}}, nbs) == [
        ('02_a', '05b1_b'), ('05b_c', '05b1_b')]


def test_no_new_definition_without_its_test_cell():
    "A definition is followed by a cell that shows it working: the ones still without are counted, and none is added."
    bare = house.untested()
    assert len(bare) <= house.UNTESTED_AT_MOST, f"give these a test cell after their definition: {bare}"


def test_the_test_cell_check_finds_a_bare_definition(tmp_path):
    import json
    cell = lambda src: {'cell_type': 'code', 'source': src}
    nb = {'cells': [cell('#| export\ndef shown(): pass'), cell('shown()'), cell('#| export\ndef bare(): pass\n'
                                                                                 'def _private(): pass'),
                    cell('#| export\nclass Last: pass')]}
    (tmp_path / '01_x.ipynb').write_text(json.dumps(nb))
    assert house.untested(tmp_path) == [('01_x', 'bare'), ('01_x', 'Last')]
