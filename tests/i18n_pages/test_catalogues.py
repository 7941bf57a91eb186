"""The courses, courseware, announcements and forum catalogues: every message those packages
mark (templates and Python) has a Finnish and a Spanish translation with the same
placeholders, so no page of theirs falls back to English in fi or es."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("courses", "courseware", "announcements", "forum")
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
PLACEHOLDER = re.compile(r"%\(\w+\)[srd]")


def marked(package: str) -> set[str]:
    found = extract_from_dir(ROOT / package, METHODS, options_map=OPTIONS)
    return {m[2] if isinstance(m[2], str) else m[2][0] for m in found}


@pytest.mark.parametrize("language", ["fi", "es"])
@pytest.mark.parametrize("package", PACKAGES)
def test_every_marked_message_is_translated_with_its_placeholders(package, language):
    path = ROOT / package / "locale" / f"{language}.po"
    text = path.read_text(encoding="utf-8")
    assert "charset=UTF-8" in text and "Plural-Forms: nplurals=2; plural=(n != 1);" in text
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    translated = {}
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, f"untranslated: {ids[0]!r}"
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) <= set(PLACEHOLDER.findall(ids[-1])), ids
        if len(strings) == 1:
            assert sorted(PLACEHOLDER.findall(strings[0])) == sorted(
                PLACEHOLDER.findall(ids[0])), ids[0]
        translated[ids[0]] = strings
    missing = marked(package) - set(translated)
    assert not missing, f"{package}/locale/{language}.po lacks {sorted(missing)[:5]}"
