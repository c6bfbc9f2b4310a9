from core.natural_order import natural_key


def test_numbers_inside_identifiers_sort_by_value():
    ids = ["house_10", "house_2", "house_1", "house_100", "house_9"]
    assert sorted(ids, key=natural_key) == ["house_1", "house_2", "house_9", "house_10", "house_100"]


def test_text_parts_sort_case_insensitively_and_prefixes_first():
    assert sorted(["b1", "A2", "a10", "a"], key=natural_key) == ["a", "A2", "a10", "b1"]


def test_leading_zeros_give_a_stable_order():
    assert sorted(["h2", "h02"], key=natural_key) == sorted(["h02", "h2"], key=natural_key)
