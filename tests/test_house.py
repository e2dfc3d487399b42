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
