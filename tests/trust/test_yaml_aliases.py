"""Course files may not use YAML anchors or aliases: eight nested aliases in a 246-byte file
("billion laughs") took 9.4 s to expand in the shared thread pool. Refused at once, naming
the file and line; and exports never write them."""

from __future__ import annotations

import time

import pytest

from content_store import folder_io
from content_store.errors import CourseFolderError


def laughs(levels: int) -> str:
    lines = ["title: x", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        refs = ",".join(f"*a{i - 1}" for _ in range(10))
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def test_nested_aliases_are_refused_fast_with_file_and_line():
    started = time.monotonic()
    with pytest.raises(CourseFolderError) as caught:
        folder_io.parse_yaml("course.yaml", laughs(8))
    assert time.monotonic() - started < 1.0
    assert caught.value.fields == {"file": "course.yaml", "line": 2}
    assert "alias" in caught.value.message or "anchor" in caught.value.message


@pytest.mark.parametrize("text, line", [
    ("title: x\nbase: &b {a: 1}\n", 2),
    ("title: x\nother: 1\nlist:\n  - *b\n", 4),
])
def test_a_single_anchor_or_alias_is_refused(text, line):
    with pytest.raises(CourseFolderError) as caught:
        folder_io.parse_yaml("unit.yaml", text)
    assert caught.value.fields["line"] == line


def test_export_never_writes_aliases():
    shared = ["a", "b"]
    text = folder_io.dump_yaml({"one": shared, "two": shared})
    assert "&" not in text and "*" not in text
    assert folder_io.parse_yaml("x.yaml", text).data == {"one": shared, "two": shared}
