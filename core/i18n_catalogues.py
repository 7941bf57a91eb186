"""Keeping a package's PO files in step with its code: what to translate, found in it.

`extract(package_dir)` lists every message a package's Python (`_()`, `ngettext()`, `N_()`),
templates (`{{ _() }}`, `{% trans %}`, also mail `.txt`) and, for `core`, the shared
`static/*.js` (`cwT()`, `cwN()`) ask for. `update(package_dir)` writes `locale/fi.po` and
`locale/es.po` with every one of them, keeping the translations already there and dropping
messages no longer used. `scripts/i18n-update <package>` runs it; translators then fill
the empty `msgstr`s, and tests/unit/test_i18n_marked.py fails while one is empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from core.i18n import DEFAULT_LANGUAGE, LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "cwT": None,
            "cwN": (1, 2)}
METHODS = [("**/templates/**.html", "jinja2.ext:babel_extract"),
           ("**/templates/**.txt", "jinja2.ext:babel_extract"),
           ("**/locale/**", "ignore"), ("**.py", "python")]
JINJA = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}


@dataclass
class Message:
    id: str | tuple[str, str]
    locations: list[tuple[str, int]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.id[0] if isinstance(self.id, tuple) else self.id


def extract(package_dir: Path) -> dict[str, Message]:
    """msgid -> the message and where it is used, for one package folder."""
    found: dict[str, Message] = {}
    sources = [(package_dir, METHODS)]
    if package_dir.resolve() == (ROOT / "core").resolve():
        sources.append((ROOT / "static", [("vendor/**", "ignore"), ("*.js", "javascript")]))
    for folder, methods in sources:
        for filename, line, text, _comments, _context in extract_from_dir(
                folder, methods, {"**.html": JINJA, "**.txt": JINJA}, KEYWORDS):
            ids = text if isinstance(text, tuple) else (text,)
            if not ids or not ids[0]:
                continue
            msgid: str | tuple[str, str] = (ids[0], ids[1]) if len(ids) > 1 and ids[1] else ids[0]
            where = str((folder / filename).resolve().relative_to(ROOT))
            message = found.setdefault(ids[0], Message(msgid))
            message.locations.append((where, line))
    return found


def read_catalogue(po: Path, code: str) -> Catalog:
    if not po.exists():
        return Catalog(locale=code)
    with po.open("rb") as handle:
        return read_po(handle, locale=code)


def update(package_dir: Path) -> list[Path]:
    """Write `locale/<code>.po` for every language but English; returns the files."""
    messages = extract(package_dir)
    written = []
    for code in LANGUAGES:
        if code == DEFAULT_LANGUAGE:
            continue
        po = package_dir / "locale" / f"{code}.po"
        old = read_catalogue(po, code)
        # The header's dates stay as they were: an update changes only what changed.
        new = Catalog(locale=code, project="Coursewire", version="1", charset="utf-8",
                      fuzzy=False, copyright_holder="the Coursewire authors",
                      header_comment=f"# {LANGUAGES[code]} translations of Coursewire.\n",
                      creation_date=old.creation_date, revision_date=old.revision_date)
        # Two forms, "n != 1", in every language we have (core.i18n._plural_index); CLDR
        # gives Spanish a third form for a million, which gettext here never picks.
        new._num_plurals, new._plural_expr = 2, "(n != 1)"
        for key, message in sorted(messages.items()):
            previous = old.get(key)
            string: str | tuple[str, ...] = ""
            if isinstance(message.id, tuple):
                string = ("", "")
            if previous is not None and previous.string:
                string = previous.string
            new.add(message.id, string, locations=sorted(message.locations))
        po.parent.mkdir(exist_ok=True)
        with po.open("wb") as handle:
            # file names only: line numbers would change the PO files on every edit
            write_po(handle, new, width=100, include_lineno=False)
        written.append(po)
    return written
