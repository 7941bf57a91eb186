"""core/i18n.py: language negotiation and catalogue lookup."""

from __future__ import annotations

import pytest

from core import i18n
from core.templating import env


@pytest.mark.parametrize(("setting", "header", "expected"), [
    (None, None, "en"),
    (None, "fi-FI,fi;q=0.9,en;q=0.8", "fi"),
    (None, "de-DE,es;q=0.5,en;q=0.4", "es"),
    (None, "en;q=0.1,es;q=0.9", "es"),
    (None, "fi;q=0,es;q=0.2", "es"),
    (None, "xx-!!,;;;,q=,*", "en"),
    ("es", "fi", "es"),
    ("klingon", "fi", "fi"),
])
def test_negotiate_prefers_the_setting_then_the_browser(setting, header, expected):
    assert i18n.negotiate(setting, header) == expected


def test_lookup_falls_back_to_english_and_formats(tmp_path):
    (tmp_path / "fi.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Saved"\nmsgstr "Tallennettu"\n\n'
        'msgid "%(num)d reply"\nmsgid_plural "%(num)d replies"\n'
        'msgstr[0] "%(num)d vastaus"\nmsgstr[1] "%(num)d vastausta"\n', encoding="utf-8")
    i18n.add_locale_dir(tmp_path)
    with i18n.use_language("fi"):
        assert i18n.gettext("Saved") == "Tallennettu"
        assert i18n.gettext("Not translated") == "Not translated"
        assert i18n.ngettext("%(num)d reply", "%(num)d replies", 3) == "3 vastausta"
        html = env.from_string('{{ _("Saved") }} <b>{{ ngettext("%(num)d reply", '
                               '"%(num)d replies", 1) }}</b>').render()
        assert html == "Tallennettu <b>1 vastaus</b>"
    assert i18n.current_language() == "en"
    assert i18n.gettext("Saved") == "Saved"


def test_template_variables_are_escaped_inside_translations():
    html = env.from_string('{{ _("Hello %(name)s", name=who) }}').render(who="<b>")
    assert html == "Hello &lt;b&gt;"


def test_template_plurals_take_other_variables():
    html = env.from_string('{{ ngettext("%(num)d reply by %(name)s", "%(num)d replies by '
                           '%(name)s", n, name=who) }}').render(n=2, who="<i>")
    assert html == "2 replies by &lt;i&gt;"
