"""The event log's rewrite for an erasure (realtime.event_scrub): the person's id, name and
email become the tombstone's, in JSON and HTML payloads, and nothing else changes."""

from __future__ import annotations

from realtime.event_scrub import _Rewrite

rewrite = _Rewrite(7, 99, "Em Smith", "em@example.org", "Deleted user")


def test_ids_under_user_keys_and_id_name_pairs_become_the_tombstone():
    data = {"user_id": 7, "author": {"id": 7, "name": "Em Smith"}, "post": {"id": 7},
            "points": 7, "reviewer_id": 8, "done": True, "topic": "user:7"}
    assert rewrite.value(data) == {
        "user_id": 99, "author": {"id": 99, "name": "Deleted user"}, "post": {"id": 7},
        "points": 7, "reviewer_id": 8, "done": True, "topic": "user:99"}


def test_names_go_as_whole_words_and_never_touch_markup():
    html = '<em class="author">Em Smith</em> wrote to EM@example.org: <em>Em Smithers</em>'
    assert rewrite.text(html) == ('<em class="author">Deleted user</em> wrote to : '
                                  '<em>Em Smithers</em>')


def test_html_escaped_names_are_found_too():
    other = _Rewrite(3, 4, "Ann & Bo", "ab@x.org", "Deleted user")
    assert other.text("<p>Ann &amp; Bo</p>") == "<p>Deleted user</p>"
