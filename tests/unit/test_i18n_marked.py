"""Every string a person reads is marked for translation, and translated.

Templates: text between tags, and the attributes people read (title, aria-label,
placeholder, alt, a submit button's value), may hold no literal words; they must come from
`{{ _("...") }}`, `ngettext` or `{% trans %}`. PO files: every message a complete package
uses has a Finnish and a Spanish translation whose placeholders are the msgid's own.

COMPLETE lists the package folders done so far; a package joins it once its templates and
messages are marked and translated (docs/languages.md).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from core.i18n import DEFAULT_LANGUAGE, LANGUAGES
from core.i18n_catalogues import ROOT, extract, read_catalogue
from core.templating import env

COMPLETE = ["app", "accounts", "core", "notifications", "courses", "courseware", "announcements",
            "forum", "grading", "peer_review", "quizzes", "lti", "mail", "content_store"]
# Names, not words to translate.
ALLOWED_WORDS = {"Coursewire", "YAML", "Alt"}
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
# A Jinja construct in the text stands in as this (no letters), keeping its line breaks.
HOLE = "\u00a7"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def templates(package: str) -> list[Path]:
    folder = ROOT / package / "templates"
    return sorted(p for p in folder.rglob("*") if p.suffix in (".html", ".txt"))


def _skeleton(source: str) -> str:
    """The template's literal text, every Jinja tag, expression and comment replaced by a
    mark (so markup around `{{ x }}` still parses) with its line breaks kept."""
    out, consumed = [], 0
    lines = source.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    data_at: list[tuple[int, int]] = []
    in_trans, after_block_begin = False, False
    for lineno, kind, value in env.lex(source):
        if after_block_begin and kind == "name":
            in_trans = {"trans": True, "endtrans": False}.get(value, in_trans)
        after_block_begin = kind == "block_begin" or (after_block_begin and kind == "whitespace")
        if kind == "data" and not in_trans:  # `{% trans %}` text is translated
            start = source.find(value, offsets[lineno - 1] if lineno - 1 < len(offsets) else 0)
            start = source.find(value, consumed) if start < consumed else start
            data_at.append((start, start + len(value)))
            consumed = start + len(value)
    position = 0
    for start, end in data_at:
        gap = source[position:start]
        out.append(HOLE + "\n" * gap.count("\n") if gap else "")
        out.append(source[start:end])
        position = end
    tail = source[position:]
    out.append(HOLE + "\n" * tail.count("\n") if tail else "")
    return "".join(out)


def _has_words(text: str) -> bool:
    for word in re.findall(r"[^\W\d_]+", text):
        if word not in ALLOWED_WORDS:
            return True
    return False


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[tuple[int, str]] = []
        self._raw = 0  # inside <script>/<style>: code, not prose

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._raw += 1
        named = dict(attrs)
        for name, value in attrs:
            read = name in READ_ATTRIBUTES or (
                name == "value" and tag in ("input", "button")
                and named.get("type") in ("submit", "button", "reset"))
            if read and value and _has_words(value):
                self.problems.append((self.getpos()[0], f'{name}="{value}"'))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._raw:
            self._raw -= 1

    def handle_data(self, data: str) -> None:
        if not self._raw and _has_words(data):
            self.problems.append((self.getpos()[0], data.strip()))


def unmarked(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    skeleton = _skeleton(source)
    if path.suffix == ".txt":
        found = [(i + 1, line.strip()) for i, line in enumerate(skeleton.split("\n"))
                 if _has_words(line)]
    else:
        finder = _Finder()
        finder.feed(skeleton)
        finder.close()
        found = finder.problems
    where = path.relative_to(ROOT)
    return [f"{where}:{line}: {text!r}" for line, text in found]


@pytest.mark.parametrize("package", COMPLETE)
def test_every_template_string_is_marked_for_translation(package):
    problems = [p for path in templates(package) for p in unmarked(path)]
    assert not problems, "Text not marked for translation:\n" + "\n".join(problems)


def test_the_check_finds_unmarked_text_and_passes_marked_text(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<h1>{{ _("Fine") }}</h1>\n<p>Plain {{ x }} words</p>\n'
                    '<a title="Hover me" href="/">{{ _("ok") }}</a>\n'
                    '<input type="submit" value="Send">\n<script>var words = 1;</script>\n'
                    '<p>{% trans %}Inside trans{% endtrans %} &rarr; · 3</p>\n'
                    '<strong>Coursewire</strong>\n', encoding="utf-8")
    found = unmarked_at(page, tmp_path)
    assert [f.split(":")[1] for f in found] == ["2", "3", "4"], found


def unmarked_at(path: Path, root: Path) -> list[str]:
    global ROOT
    saved, ROOT = ROOT, root
    try:
        return unmarked(path)
    finally:
        ROOT = saved


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("code", [c for c in LANGUAGES if c != DEFAULT_LANGUAGE])
@pytest.mark.parametrize("package", COMPLETE)
def test_every_message_is_translated_with_the_same_placeholders(package, code):
    catalogue = read_catalogue(ROOT / package / "locale" / f"{code}.po", code)
    problems = []
    for key, message in sorted(extract(ROOT / package).items()):
        entry = catalogue.get(key)
        where = f"{message.locations[0][0]}:{message.locations[0][1]}"
        if entry is None:
            problems.append(f"{where}: {key!r} is not in {package}/locale/{code}.po "
                            "(run scripts/i18n-update)")
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(strings):
            problems.append(f"{where}: {key!r} has no {code} translation")
            continue
        wanted = set().union(*(_placeholders(i) for i in ids))
        for string in strings:
            # a singular form may say "one" instead of %(num)d
            if _placeholders(string) - wanted or wanted - _placeholders(string) - {"num"}:
                problems.append(f"{where}: {code} {string!r} has placeholders "
                                f"{sorted(_placeholders(string))}, the msgid {sorted(wanted)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("code", [c for c in LANGUAGES if c != DEFAULT_LANGUAGE])
def test_a_message_shared_by_packages_has_one_translation(code):
    """The packages' catalogues are merged into one per language (core/i18n.py), so the same
    msgid translated two ways means one package's pages show the other's word ("Problem":
    the block type in one, a fault in another)."""
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for package in COMPLETE:
        for message in read_catalogue(ROOT / package / "locale" / f"{code}.po", code):
            if not message.id or not message.string:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            text = str(message.string)
            first = seen.setdefault(key, (package, text))
            if first[1] != text:
                clashes.append(f"{key!r}: {first[0]} {first[1]!r}, {package} {text!r}")
    assert clashes == []
