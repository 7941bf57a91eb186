"""Whether a student's attempt page is open (the proctor page's "Page" column): what the
processes report (quizzes.presence) becomes the hold's `connected`, the proctor row and a
quiz.progress; a process that died is swept; the row's time left and "handing in"."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from models.quiz_integrity import AttemptConnection, AttemptHold
from models.quizzes import QuizAttempt
from quizzes import events, presence
from quizzes.proctor import proctor_rows, row_for
from tests.quizzes.conftest import QUIZ_URL, Clock, QuizCourse
from tests.support.people import browser_login


@pytest.fixture
def progress(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The quiz.progress payloads published (to the staff)."""
    sent: list[dict[str, Any]] = []
    real = events.publish

    async def recording(topic: str, event: str, data: dict[str, Any],
                        html: dict[str, str] | None = None) -> int:
        if event == events.PROGRESS.name:
            sent.append(data["staff"])
        return await real(topic, event, data, html)

    monkeypatch.setattr(events, "publish", recording)
    return sent


async def _started(client: httpx.AsyncClient, quiz_course: QuizCourse) -> int:
    response = await client.post(QUIZ_URL, headers=quiz_course.headers["ada"])
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def _connected(attempt_id: int) -> bool:
    return (await AttemptHold.get(attempt_id=attempt_id)).connected


async def test_the_hold_says_connected_while_any_process_has_a_page_open(
        client: httpx.AsyncClient, quiz_course: QuizCourse, progress: list):
    attempt_id = await _started(client, quiz_course)
    key = {str(attempt_id)}
    progress.clear()
    await presence.pages_changed("proc-a", key, set())
    assert await _connected(attempt_id)
    assert [p["connected"] for p in progress] == [True]
    await presence.pages_changed("proc-b", key, set())  # a second tab, on another process
    await presence.pages_changed("proc-a", set(), key)  # the first one closed
    assert await _connected(attempt_id)
    assert len(progress) == 1  # nothing a proctor sees changed
    await presence.pages_changed("proc-b", set(), key)
    assert not await _connected(attempt_id)
    assert [p["connected"] for p in progress] == [True, False]
    assert await AttemptConnection.filter(attempt_id=attempt_id).count() == 0


async def test_a_report_about_an_erased_attempt_or_a_bad_key_changes_nothing(
        client: httpx.AsyncClient, quiz_course: QuizCourse, progress: list):
    attempt_id = await _started(client, quiz_course)
    await presence.pages_changed("proc-a", {str(attempt_id), "999999", "x", ""}, set())
    assert await AttemptConnection.filter(process="proc-a").count() == 1
    await presence.pages_changed("proc-a", set(), {"999999", str(attempt_id)})
    assert not await _connected(attempt_id)


async def test_a_dead_process_is_swept_and_a_frozen_one_renews_its_pages(
        client: httpx.AsyncClient, quiz_course: QuizCourse, moved_clock: Clock,
        progress: list):
    attempt_id = await _started(client, quiz_course)
    key = {str(attempt_id)}
    await presence.pages_changed("dead", key, set())
    moved_clock.forward(seconds=presence.STALE_SECONDS - 1)
    assert await presence.sweep_stale() == 0
    assert await _connected(attempt_id)
    moved_clock.forward(seconds=2)
    progress.clear()
    assert await presence.sweep_stale() == 1
    assert not await _connected(attempt_id)
    assert [p["connected"] for p in progress] == [False]
    # A process that was frozen past the sweep writes its row again when it renews.
    await presence.renew("dead", key)
    assert await _connected(attempt_id)
    moved_clock.forward(seconds=presence.STALE_SECONDS - 1)
    await presence.renew("dead", key)  # on time: the row stays fresh
    moved_clock.forward(seconds=2)
    assert await presence.sweep_stale() == 0
    assert await _connected(attempt_id)


async def test_the_proctor_row_shows_the_page_time_left_and_handing_in(
        client: httpx.AsyncClient, quiz_course: QuizCourse, moved_clock: Clock):
    attempt_id = await _started(client, quiz_course)
    await presence.pages_changed("proc-a", {str(attempt_id)}, set())
    await browser_login(client, "ta@example.org")
    url = f"/courses/{quiz_course.id}/quizzes/midterm/proctor"
    html = (await client.get(url)).text
    row = re.search(r'<tr id="[^"]*"[^>]*data-status="in_progress".*?</tr>', html, re.S)
    assert row is not None
    assert 'data-connected="true"' in row.group(0) and "open now" in row.group(0)
    assert 'data-seconds-left="1800"' in row.group(0)  # a 30-minute quiz, just started
    assert "(30:00 left)" in row.group(0) and "in progress" in row.group(0)
    assert 'data-handing-in="handing in"' in row.group(0)

    moved_clock.forward(minutes=30)  # the deadline: within the grace, not yet handed in
    attempt = await QuizAttempt.get(id=attempt_id).prefetch_related("user")
    hold = await AttemptHold.get(attempt_id=attempt_id)
    shown = row_for(attempt, "Ada", hold)
    assert shown.seconds_left == 0 and shown.handing_in and shown.connected
    html = (await client.get(url)).text
    assert ">handing in</span>" in html and 'data-seconds-left="0"' in html

    await presence.pages_changed("proc-a", set(), {str(attempt_id)})
    rows = {r.user_id: r for r in await proctor_rows(quiz_course.id, "midterm")}
    assert not rows[quiz_course.student.id].connected
    assert rows[quiz_course.other.id].seconds_left is None  # not started
    html = (await client.get(url)).text
    assert 'data-connected="false"' in html and ">closed</td>" in html


async def test_a_handed_in_attempt_shows_no_time_left(
        client: httpx.AsyncClient, quiz_course: QuizCourse):
    attempt_id = await _started(client, quiz_course)
    handed = await client.post(f"/api/v1/quiz-attempts/{attempt_id}/submit",
                               headers=quiz_course.headers["ada"])
    assert handed.status_code == 202, handed.text
    rows = {r.user_id: r for r in await proctor_rows(quiz_course.id, "midterm")}
    assert rows[quiz_course.student.id].seconds_left is None
    assert not rows[quiz_course.student.id].handing_in



async def test_the_proctor_filter_and_counts(client: httpx.AsyncClient, quiz_course: QuizCourse):
    attempt_id = await _started(client, quiz_course)  # Ada: in progress, no page open
    await browser_login(client, "ta@example.org")
    url = f"/courses/{quiz_course.id}/quizzes/midterm/proctor"

    def visible(html: str) -> set[str]:
        return {m.group(1) for m in re.finditer(
            r'<tr id="[^"]*" class="proctor-row" data-status="([a-z_]+)"(?! hidden)', html)}

    def count(html: str, key: str) -> int:
        return int(re.search(rf'data-count="{key}"[^>]*>(\d+)<', html).group(1))  # type: ignore

    html = (await client.get(url)).text
    assert visible(html) == {"in_progress", "not_started"}  # Bob has not started
    assert [count(html, k) for k in ("in_progress", "closed", "not_started", "handed_in")
            ] == [1, 1, 1, 0]
    closed = (await client.get(url + "?show=closed")).text
    assert visible(closed) == {"in_progress"} and "hidden" in closed
    assert '<option value="closed" selected>' in closed
    await presence.pages_changed("proc-a", {str(attempt_id)}, set())  # her page opens
    html = (await client.get(url + "?show=closed")).text
    assert visible(html) == set() and count(html, "closed") == 0
    assert visible((await client.get(url + "?show=not_started")).text) == {"not_started"}
    # The search: part of a name, any case, with the filter or without; the counts stay
    # the whole quiz's.
    names = {m.group(1) for m in re.finditer(
        r'class="proctor-row" data-status="[a-z_]+">\s*<td>([^<]+)</td>',
        (await client.get(url + "?q=%20aD%20")).text)}
    assert names == {"Ada"}
    found = (await client.get(url + "?q=bo&show=not_started")).text
    assert visible(found) == {"not_started"} and count(found, "in_progress") == 1
    assert visible((await client.get(url + "?q=bo&show=in_progress")).text) == set()
    odd = await client.get(url + "?q=%3Cscript%3E%22")
    assert odd.status_code == 200 and visible(odd.text) == set()
    assert 'value="&lt;script&gt;&#34;"' in odd.text
    assert '<p class="proctor-none">' in odd.text  # says that nobody matches
    assert '<p class="proctor-none" hidden>' in found
    bad = await client.get(url + "?show=bogus")
    assert bad.status_code == 400 and "Unknown filter" in bad.text and "Traceback" not in bad.text
