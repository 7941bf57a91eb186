from typing import Literal, NotRequired, TypedDict

import pytest

from core.event_types import json_schema, problems


class Grade(TypedDict):
    block_id: str
    points: float | None
    state: Literal["graded", "queued"]
    feedback: NotRequired[str]
    tags: list[str]


def test_schema_of_a_typed_dict_names_fields_and_required_keys():
    schema = json_schema(Grade)
    assert schema["title"] == "Grade"
    assert schema["required"] == ["block_id", "points", "state", "tags"]
    assert schema["properties"]["points"] == {"anyOf": [{"type": "number"}, {"type": "null"}]}
    assert schema["properties"]["state"] == {"enum": ["graded", "queued"]}
    assert schema["properties"]["tags"] == {"type": "array", "items": {"type": "string"}}
    assert schema["properties"]["feedback"] == {"type": "string"}


def test_a_fitting_payload_has_no_problems():
    assert problems(Grade, {"block_id": "q1", "points": 2, "state": "graded", "tags": []}) == []
    assert problems(Grade, {"block_id": "q1", "points": None, "state": "queued", "tags": ["a"],
                            "feedback": "ok"}) == []


def test_every_mismatch_is_named_with_its_path():
    found = problems(Grade, {"block_id": 3, "state": "lost", "tags": [1], "extra": True})
    assert "data.points: missing" in found
    assert "data.extra: not in Grade" in found
    assert any(p.startswith("data.block_id: expected str") for p in found)
    assert any(p.startswith("data.state: 'lost' is not one of") for p in found)
    assert any(p.startswith("data.tags[0]: expected str") for p in found)


def test_booleans_are_not_numbers():
    assert problems(int, True)
    assert problems(float, False)
    assert not problems(float, 3)


def test_an_unsupported_type_is_a_clear_error():
    with pytest.raises(TypeError):
        json_schema(set[str])
