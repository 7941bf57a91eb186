"""Only the languages live pages read are rendered (realtime/languages.py): a publish
renders English and the languages of the open HTML sockets, records which, and a hub never
sends a page a fragment in another language (it closes that socket for resync instead).
A process that cannot know (no hub running) renders every language, as before."""

from __future__ import annotations

from core.i18n import _, current_language
from realtime.event_scrub import _Rewrite
from realtime.languages import LIVE, RENDERED_KEY, rendered_in
from realtime.publish import in_every_language
from tests.unit.test_hub import FakeSocket


def saved() -> dict[str, str]:
    return {"*": f"<p>{_('Saved.')}</p>", "staff": f"<p>{current_language()}</p>"}


def test_a_process_that_cannot_know_renders_every_language():
    html = in_every_language(saved)
    assert set(html) == {"*", "*@fi", "*@es", "staff", "staff@fi", "staff@es"}
    assert RENDERED_KEY not in html


async def test_with_a_hub_only_the_languages_of_open_pages_are_rendered(hub):
    html = in_every_language(saved)  # nobody reads Finnish or Spanish here
    assert html == {"*": "<p>Saved.</p>", "staff": "<p>en</p>", RENDERED_KEY: "en"}
    page = FakeSocket("html", "fi")
    await hub.join(page, "course:c", "student")
    html = in_every_language(saved)
    assert html["*@fi"] == "<p>Tallennettu.</p>" and html[RENDERED_KEY] == "en,fi"
    assert "*@es" not in html
    await hub.leave(page)
    assert in_every_language(saved)[RENDERED_KEY] == "en"


async def test_a_page_is_never_sent_a_fragment_in_another_language(hub):
    """An event rendered before its process knew of a Finnish page (another process's
    socket, a moment ago) closes the Finnish page for resync; English pages get theirs;
    events that name no rendered languages (older ones) hold every language."""
    finnish, english = FakeSocket("html", "fi"), FakeSocket("html", "en")
    await hub.join(finnish, "course:c", "student")
    await hub.join(english, "course:c", "student")
    html = {"*": "<p>Saved.</p>", RENDERED_KEY: "en"}
    hub.deliver({"topic": "course:c", "event": "x", "seq": 1, "data": {}, "html": html})
    assert finnish.resynced and not finnish.frames
    assert english.frames == [(1, "<p>Saved.</p>")] and not english.resynced
    assert hub.language_resyncs == 1
    late = FakeSocket("html", "fi")
    await hub.join(late, "course:c", "student")
    hub.deliver({"topic": "course:c", "event": "x", "seq": 2, "data": {},
                 "html": {"*": "<p>Saved.</p>", "*@fi": "<p>Tallennettu.</p>"}})
    assert late.frames == [(2, "<p>Tallennettu.</p>")] and not late.resynced


async def test_a_language_counts_while_a_page_reading_it_is_open(hub):
    pages = [FakeSocket("html", "es") for _ in range(2)]
    for page in pages:
        await hub.join(page, "course:c", "student")
        await hub.join(page, "thread:1", "student")  # one socket, two topics: counted once
    assert LIVE.to_render() == ("es",)
    await hub.leave(pages[0])
    assert LIVE.to_render() == ("es",)
    await hub.leave(pages[1])
    assert LIVE.to_render() == ()
    await hub.join(FakeSocket("json"), "course:c", "student")  # JSON sockets have none
    assert LIVE.to_render() == ()


def test_rendered_in_reads_the_mark():
    assert rendered_in({"*": "x"}, "fi")
    assert rendered_in({"*": "x", RENDERED_KEY: "en,fi"}, "fi")
    assert not rendered_in({"*": "x", RENDERED_KEY: "en"}, "es")


def test_an_erasure_leaves_the_mark_alone():
    """A person named like a language code must not rewrite the mark (event_scrub)."""
    rewrite = _Rewrite(7, 99, "fi", "fi@example.org", "Deleted user")
    html = {"*": "<p>fi wrote</p>", RENDERED_KEY: "en,fi"}
    assert rewrite.value(html) == {"*": "<p>Deleted user wrote</p>", RENDERED_KEY: "en,fi"}
