import pytest

from app.ids import MAX_ID, parse_id


@pytest.mark.parametrize("value, expected", [
    (1, 1), ("42", 42), (MAX_ID, MAX_ID), (str(MAX_ID), MAX_ID),
    (0, None), ("0", None), (-3, None), ("-3", None), (MAX_ID + 1, None),
    ("9" * 30, None), ("²", None), ("١٢", None), ("1.5", None), ("", None), (" 7", None),
    (True, None), (None, None), (7.0, None), (["1"], None),
])
def test_parse_id_accepts_only_positive_32_bit_integers(value, expected):
    assert parse_id(value) == expected
