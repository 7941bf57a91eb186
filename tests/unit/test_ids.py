import pytest

from core.errors import NotFound
from core.ids import MAX_ID, id_or_not_found, parse_id


@pytest.mark.parametrize("value, expected", [
    (1, 1), ("42", 42), (MAX_ID, MAX_ID), (str(MAX_ID), MAX_ID),
    (0, None), ("0", None), (-3, None), ("-3", None), (MAX_ID + 1, None),
    ("9" * 30, None), ("²", None), ("١٢", None), ("1.5", None), ("", None), (" 7", None),
    (True, None), (None, None), (7.0, None), (["1"], None),
])
def test_parse_id_accepts_only_positive_32_bit_integers(value, expected):
    assert parse_id(value) == expected


def test_id_or_not_found_returns_the_id_or_refuses_with_the_given_message():
    assert id_or_not_found("17", "No such post.") == 17
    with pytest.raises(NotFound, match="No such post"):
        id_or_not_found("9" * 30, "No such post.")
