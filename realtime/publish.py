"""The one entry point services use to announce a change: `publish`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from core.i18n import DEFAULT_LANGUAGE, LANGUAGES, use_language
from realtime.languages import LIVE, mark
from realtime.outbox import write_event
from realtime.topics import public_name


async def publish(
    topic: str,
    event: str,
    data_by_audience: dict[str, Any],
    html_by_audience: dict[str, str] | None = None,
) -> int:
    """Log an event for every process with sockets on `topic`. Returns its seq.

    Call inside the transaction that makes the change (`async with in_transaction():`):
    the event row is written in it, and is sent to the channel layer only once it commits
    (realtime/outbox.py); a rollback announces nothing. Called outside a transaction, after
    the change committed, the event is sent at once. `data_by_audience` and
    `html_by_audience` map an audience (`student`, `staff`, `self`, or `*` for everyone) to
    that audience's JSON data and HTML fragments, each rendered once here, never per socket.
    Never fails because the channel layer is down: the relay retries until it takes it.
    """
    return await write_event(topic, event, data_by_audience, html_by_audience)


def in_every_language(render: Callable[[], dict[str, str]]) -> dict[str, str]:
    """`html_by_audience` for `publish`, rendered once per language that live pages read:
    English under the audience (`student`), each other language under `student@fi`, and
    only where its text differs from English (a fragment with no words in it is stored
    once).

    Publishing happens in whichever process made the change, which does not know the
    languages of the sockets on other processes: realtime/languages.py tells it which
    languages any process's pages read (all three when it cannot know), and the HTML records
    which were rendered, so a hub never sends a page a fragment in another language.
    """
    others = LIVE.to_render()
    with use_language(DEFAULT_LANGUAGE):
        english = render()
    html = dict(english)
    for code in LANGUAGES if others is None else others:
        if code == DEFAULT_LANGUAGE:
            continue
        with use_language(code):
            translated = render()
        for audience, fragment in translated.items():
            if fragment != english.get(audience):
                html[f"{audience}@{code}"] = fragment
    if others is not None:
        mark(html, others)
    return html


def for_audience(by_audience: dict[str, Any], audience: str) -> Any:
    if audience in by_audience:
        return by_audience[audience]
    return by_audience.get("*")


def json_frame(topic: str, event: str, seq: int, data: Any) -> str:
    return json.dumps({"topic": public_name(topic), "event": event, "seq": seq, "data": data},
                      separators=(",", ":"))


def encode_json(message: dict[str, Any], audience: str, language: str = "") -> str | None:
    data = for_audience(message["data"], audience)
    if data is None:
        return None
    return json_frame(message["topic"], message["event"], message["seq"], data)


def html_for(html: dict[str, str], audience: str, language: str) -> str | None:
    """The fragment for a socket of `audience` reading `language` (see in_every_language)."""
    for key in (audience, "*"):
        if key in html or f"{key}@{language}" in html:
            return html.get(f"{key}@{language}", html.get(key))
    return None


def encode_html(message: dict[str, Any], audience: str, language: str = "") -> str | None:
    return html_for(message.get("html") or {}, audience, language)


ENCODERS = {"json": encode_json, "html": encode_html}
