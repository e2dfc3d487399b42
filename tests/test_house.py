"The house drawn from its imports (`tools/house.py`): no import circle among dvats's modules, and none over 400 lines."
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
