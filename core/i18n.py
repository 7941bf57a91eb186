"""Languages: every string a person reads goes through gettext, per request.

Each package keeps its translations beside its templates, in `<package>/locale/<lang>.po`
(gettext PO files, read with Babel at start-up: no compile step, no binary files in the
tree). `add_locale_dir()` merges a package's catalogues into the process's; `gettext()` looks
the message up in the language of the current request or job (`use_language()`), which
`negotiate()` picks from the user's setting, else the browser's Accept-Language, else
English. Templates call `{{ _("...") }}` / `{% trans %}`, Python calls `core.i18n.gettext`
(`_`), both through the same lookup.

Message ids are the English text, so an untranslated string shows in English, never as a key.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po

DEFAULT_LANGUAGE = "en"
# The languages the whole interface is complete in, with each one's own name.
LANGUAGES: dict[str, str] = {"en": "English", "fi": "Suomi", "es": "Español"}

# Where a browser session keeps the language its visitor chose (or their account's, set at
# login): read by app.language for every request and by the live sockets.
SESSION_KEY = "lang"

_current: ContextVar[str] = ContextVar("coursewire_language", default=DEFAULT_LANGUAGE)
# language -> message id -> translation (a str, or a tuple of plural forms)
_catalogues: dict[str, dict[str, str | tuple[str, ...]]] = {code: {} for code in LANGUAGES}
_loaded_dirs: set[Path] = set()
# Message ids used by static/*.js (their PO entries name a `.js` file in a `#:` reference):
# sent to the browser in each page (`js_catalogue`), looked up there by `cwT()`.
_js_ids: set[str] = set()


def add_locale_dir(path: Path) -> None:
    """Merge the catalogues in `path` (`fi.po`, `es.po`, ...) into the process's."""
    path = path.resolve()
    if path in _loaded_dirs or not path.is_dir():
        return
    _loaded_dirs.add(path)
    for code in LANGUAGES:
        po = path / f"{code}.po"
        if not po.exists():
            continue
        with po.open("rb") as handle:
            catalogue = read_po(handle, locale=code)
        for message in catalogue:
            if not message.id or message.fuzzy:
                continue
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if any(filename.endswith(".js") for filename, _line in message.locations):
                _js_ids.add(key)
            value = message.string
            if isinstance(value, tuple):
                if all(value):
                    _catalogues[code][key] = tuple(value)
            elif value:
                _catalogues[code][key] = value


def js_catalogue() -> dict[str, str | list[str]]:
    """The JS strings in the current language (a list holds plural forms), for the page's
    `<script type="application/json" id="cw-i18n">`; English needs none."""
    found = _catalogues.get(_current.get(), {})
    return {key: list(value) if isinstance(value, tuple) else value
            for key in sorted(_js_ids) if (value := found.get(key)) is not None}


def current_language() -> str:
    return _current.get()


def _known(code: str | None) -> str:
    return code if code in LANGUAGES else DEFAULT_LANGUAGE  # type: ignore[return-value]


def set_language(code: str | None) -> None:
    """Use `code` for the rest of this task (a request): unknown codes mean English."""
    _current.set(_known(code))


@contextmanager
def use_language(code: str | None) -> Iterator[None]:
    """Render something in another language (a mail to its recipient, a live frame)."""
    token = _current.set(_known(code))
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str, **variables: object) -> str:
    found = _catalogues.get(_current.get(), {}).get(message)
    text = found if isinstance(found, str) else message
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    """The form for `n`, formatted with `num` = n and `variables` (Python callers)."""
    return plural_form(singular, plural, n) % {"num": n, **variables}


def plural_form(singular: str, plural: str, n: int) -> str:
    """The form for `n`, unformatted: the Jinja extension formats it with all the template's
    variables (`ngettext("%(num)d reply by %(name)s", ..., n, name=x)`)."""
    code = _current.get()
    found = _catalogues.get(code, {}).get(singular)
    if isinstance(found, tuple):
        return found[min(_plural_index(code, n), len(found) - 1)]
    return singular if n == 1 else plural


def _plural_index(code: str, n: int) -> int:
    # Finnish, Spanish and English: two forms, "n != 1".
    return 0 if n == 1 else 1


_ = gettext


def N_(message: str) -> str:
    """Mark a module-level message for extraction; translate it with `_()` where it is used."""
    return message


def negotiate(setting: str | None, accept_language: str | None) -> str:
    """The user's own choice if they made one, else the first language the browser asks for
    that we have (`fi-FI` matches `fi`), else English."""
    if setting in LANGUAGES:
        return setting  # type: ignore[return-value]
    for code in _accepted(accept_language or ""):
        try:
            primary = Locale.parse(code, sep="-").language
        except (ValueError, UnknownLocaleError):
            continue
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def _accepted(header: str) -> list[str]:
    """Accept-Language codes, best first (q=0 dropped, malformed entries ignored)."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        code, _sep, params = part.strip().partition(";")
        code = code.strip()
        if not code or code == "*" or len(code) > 35:
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if quality > 0:
            weighted.append((-quality, index, code))
    return [code for _q, _i, code in sorted(weighted)]
