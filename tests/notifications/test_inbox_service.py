"""From the event log to inboxes: who is notified of what, exactly once, and how it is
mailed (at once or in the daily digest)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from announcements.service import post_announcement
from core.paging import PageRequest
from core.settings import load_settings
from forum.follows import set_following
from forum.posts import create_post
from forum.settings import update_forum_settings
from forum.threads import create_thread
from models.events import Event
from models.mail import OutgoingMail
from models.notifications import DigestRun, Notification, NotificationCursor
from notifications import consumer, digest, inbox, mapping
from notifications.consumer import consume_once, ensure_cursor, settled
from notifications.kinds import Kind, Mode
from notifications.preferences import set_modes
from notifications.texts import render_title

URL = "https://cw.example"


async def _consume() -> int:
    passed = await consume_once(URL, settle=timedelta(0))
    assert passed is not None
    return passed


async def _kinds(user_id: int) -> list[str]:
    return await Notification.filter(user_id=user_id).order_by("id").values_list(
        "kind", flat=True)


async def test_reply_notifies_followers_and_repliers_follow_automatically(cast):
    await ensure_cursor()
    thread = await create_thread(cast.ada, cast.course.id, "Loops question", "How?")
    await create_post(cast.bob, thread.id, "Use for.")
    await _consume()
    mine = await Notification.filter(user_id=cast.ada.id)
    assert [n.kind for n in mine] == [Kind.FORUM_REPLY]
    assert "Loops question" in mine[0].title
    assert mine[0].link.startswith(f"/forum/threads/{thread.id}#post-")
    assert mine[0].course_id == cast.course.id
    assert await _kinds(cast.bob.id) == []  # his own reply
    await create_post(cast.cy, thread.id, "Or while.")
    await _consume()
    assert await _kinds(cast.ada.id) == [Kind.FORUM_REPLY] * 2
    assert await _kinds(cast.bob.id) == [Kind.FORUM_REPLY]  # he follows since he replied
    await set_following(cast.bob, thread.id, False)
    await create_post(cast.ada, thread.id, "Thanks!")
    await _consume()
    assert await _kinds(cast.bob.id) == [Kind.FORUM_REPLY]  # unfollowed: no more
    assert len(await _kinds(cast.cy.id)) == 1


async def test_anonymous_reply_notification_never_names_its_author(cast):
    await update_forum_settings(cast.teacher, cast.course.id, "all")
    await ensure_cursor()
    thread = await create_thread(cast.ada, cast.course.id, "Secret thread", "Hm")
    await set_following(cast.teacher, thread.id, True)
    start = await Event.all().order_by("-id").first().values_list("id", flat=True)
    await create_post(cast.bob, thread.id, "Anonymous answer", "all")
    await _consume()
    notified = await Notification.filter(kind=Kind.FORUM_REPLY)
    assert {n.user_id for n in notified} == {cast.ada.id, cast.teacher.id}
    for n in notified:
        text = f"{n.title} {n.params} {n.body} {n.link}"
        assert "Bob" not in text and "bob@" not in text
    # Nor what was pushed to the recipients' pages about it.
    pushed = await Event.filter(id__gt=start, name="notification.created")
    assert len(pushed) == 2
    for row in pushed:
        blob = f"{row.data_by_audience} {row.html_by_audience}"
        assert "Bob" not in blob and "bob@" not in blob
        assert "Secret thread" in blob


async def test_announcement_notifies_every_member_but_its_author(cast):
    await ensure_cursor()
    await post_announcement(cast.teacher, cast.course.id, "Exam moved", "To Friday.")
    await _consume()
    got = await Notification.filter(kind=Kind.ANNOUNCEMENT).values_list("user_id", flat=True)
    assert sorted(got) == sorted([cast.ta.id, cast.ada.id, cast.bob.id, cast.cy.id])
    n = await Notification.get(user_id=cast.ada.id)
    assert "Exam moved" in n.title and n.link == f"/courses/{cast.course.id}"


def _row(name: str, topic: str, data: dict, audience: str = "self") -> dict:
    return {"id": 1, "topic": topic, "name": name, "data_by_audience": {audience: data}}


async def test_grade_peer_review_and_quiz_results_notify_the_student(cast):
    ada = f"user:{cast.ada.id}"
    course = cast.course.id
    grade = await mapping.drafts_for(_row("grade.updated", ada, {
        "course_id": course, "block_id": "b1", "points": 4.0, "max_points": 5.0}))
    assert [(d.user_id, d.kind) for d in grade] == [(cast.ada.id, Kind.GRADE)]
    assert "4 of 5 points" in render_title(grade[0].kind, grade[0].params)
    assert grade[0].link.endswith("/progress")
    # The staff gradebook's copy of the same event notifies nobody.
    assert await mapping.drafts_for(_row("grade.updated", f"course:{course}:staff", {
        "course_id": course, "points": 4.0}, "staff")) == []
    review = {"course_id": course, "block_id": "essay", "points": 8, "max_points": 10}
    assert await mapping.drafts_for(_row("peer_review.result", ada,
                                         {**review, "status": "waiting_for_peer_reviews"})) == []
    done = await mapping.drafts_for(_row("peer_review.result", ada, {**review,
                                                                     "status": "graded"}))
    assert [d.kind for d in done] == [Kind.PEER_REVIEW]
    assert "8 of 10" in render_title(done[0].kind, done[0].params)
    quiz = {"id": 3, "course_id": course, "block_id": "q"}
    assert await mapping.drafts_for(_row("quiz.attempt.updated", ada,
                                         {**quiz, "status": "submitted"})) == []
    graded = await mapping.drafts_for(_row("quiz.attempt.updated", ada,
                                           {**quiz, "status": "graded"}))
    assert [d.kind for d in graded] == [Kind.QUIZ_RESULT]
    # Another person's attempt page topic is not theirs to be told on.
    assert await mapping.drafts_for(_row("quiz.attempt.updated", "quiz-attempt:3",
                                         {**quiz, "status": "graded"})) == []


async def test_first_start_does_not_notify_the_past_and_a_restart_loses_nothing(cast):
    await post_announcement(cast.teacher, cast.course.id, "Before notifications", "old")
    await ensure_cursor()  # installed now: the cursor starts at the newest event
    await post_announcement(cast.teacher, cast.course.id, "While no consumer ran", "x")
    # No consumer running (a restart in between): the events wait in the log.
    await _consume()
    titles = await Notification.filter(user_id=cast.ada.id).values_list("title", flat=True)
    assert len(titles) == 1 and "While no consumer ran" in titles[0]
    assert await _consume() == 4  # only its own four notification.created frames...
    assert await Notification.filter(user_id=cast.ada.id).count() == 1  # ...nothing twice


async def test_a_round_whose_cursor_moved_meanwhile_rolls_back(cast, monkeypatch):
    await ensure_cursor()
    await post_announcement(cast.teacher, cast.course.id, "Once only", "x")
    real = mapping.drafts_for

    async def another_process_moves_the_cursor(row):
        await NotificationCursor.filter(id=1).update(last_seq=999_999)
        return await real(row)

    monkeypatch.setattr(consumer, "drafts_for", another_process_moves_the_cursor)
    assert await _consume() == 0
    assert await Notification.all().count() == 0  # rolled back: nothing half-written


async def test_two_processes_consuming_at_once_notify_each_event_once(cast):
    await ensure_cursor()
    for i in range(3):
        await post_announcement(cast.teacher, cast.course.id, f"News {i}", "x")
    for _ in range(3):
        await asyncio.gather(consume_once(URL, settle=timedelta(0)),
                             consume_once(URL, settle=timedelta(0)))
    titles = await Notification.filter(user_id=cast.ada.id).values_list("title", flat=True)
    assert sorted(titles) == sorted(f"Announcement in Course CS101: News {i}"
                                    for i in range(3))


def test_the_cursor_waits_at_a_gap_until_it_has_settled():
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [{"id": 11, "created_at": t0}, {"id": 13, "created_at": t0 + timedelta(seconds=5)},
            {"id": 14, "created_at": t0 + timedelta(seconds=6)}]
    # 12 may belong to a transaction still open: stop before it while 13 is young...
    assert [r["id"] for r in settled(10, rows, t0 + timedelta(seconds=1))] == [11]
    # ...and step over it once 13 is older than the settle time (12 was rolled back).
    assert [r["id"] for r in settled(10, rows, t0 + timedelta(seconds=10))] == [11, 13, 14]
    assert settled(10, [{"id": 12, "created_at": t0}], t0 - timedelta(days=1)) == []


async def test_modes_decide_the_mail_at_once_the_digest_or_none(cast):
    await ensure_cursor()
    await set_modes(cast.ada.id, {Kind.ANNOUNCEMENT: Mode.IMMEDIATE})
    await set_modes(cast.bob.id, {Kind.ANNOUNCEMENT: Mode.INBOX})
    await post_announcement(cast.teacher, cast.course.id, "Lab today", "x")
    await _consume()
    mails = await OutgoingMail.all().values_list("to_address", "subject")
    assert mails == [(cast.ada.email, "Announcement in Course CS101: Lab today")]
    pending = await Notification.filter(digest_pending=True).values_list("user_id", flat=True)
    assert sorted(pending) == sorted([cast.ta.id, cast.cy.id])  # the default: digest


async def test_the_digest_runs_once_across_processes_and_skips_what_was_read(cast):
    await ensure_cursor()
    await post_announcement(cast.teacher, cast.course.id, "Week 1", "x")
    await post_announcement(cast.teacher, cast.course.id, "Week 2", "x")
    await _consume()
    cy_first = await Notification.filter(user_id=cast.cy.id).order_by("id").first()
    await inbox.mark_read(cast.cy.id, cy_first.id)
    await inbox.mark_all_read(cast.bob.id)
    # Two processes' schedulers race for the day.
    results = await asyncio.gather(digest.run_digest("2026-12-05", URL),
                                   digest.run_digest("2026-12-05", URL))
    assert sorted(results, key=lambda r: r is None) == [3, None]
    mails = dict(await OutgoingMail.all().values_list("to_address", "text_body"))
    assert set(mails) == {cast.ta.email, cast.ada.email, cast.cy.email}
    assert "Week 1" in mails[cast.ada.email] and "Week 2" in mails[cast.ada.email]
    assert "Week 1" not in mails[cast.cy.email] and "Week 2" in mails[cast.cy.email]
    assert f"{URL}/courses/" in mails[cast.ada.email]
    # Later the same day: nothing more.
    assert await digest.run_digest("2026-12-05", URL) is None
    assert await OutgoingMail.all().count() == 3


async def test_a_digest_whose_process_died_is_finished_by_another_without_repeats(cast):
    await ensure_cursor()
    await post_announcement(cast.teacher, cast.course.id, "Week 3", "x")
    await _consume()
    # A process claimed the day, mailed Ada, and died (its lease runs out).
    assert await digest.claim_run("2026-12-06", lease=timedelta(seconds=-1))
    assert await digest.send_digest_to(cast.ada.id, URL)
    assert await DigestRun.filter(day="2026-12-06", finished_at=None).exists()
    sent = await digest.run_digest("2026-12-06", URL)
    assert sent == 3  # the TA, Bob and Cy; Ada is not mailed twice
    addresses = await OutgoingMail.all().values_list("to_address", flat=True)
    assert sorted(addresses) == sorted([cast.ada.email, cast.ta.email, cast.bob.email,
                                        cast.cy.email])


def test_the_digest_is_due_from_its_hour(tmp_path):
    assert digest.due_day(datetime(2026, 3, 1, 5, 59, tzinfo=UTC)) is None
    assert digest.due_day(datetime(2026, 3, 1, 6, 0, tzinfo=UTC)) == "2026-03-01"
    # COURSEWIRE_DIGEST_HOUR moves it (the scheduler gets Settings.digest_hour)
    assert digest.due_day(datetime(2026, 3, 1, 6, 0, tzinfo=UTC), 18) is None
    assert digest.due_day(datetime(2026, 3, 1, 18, 0, tzinfo=UTC), 18) == "2026-03-01"
    assert load_settings({"COURSEWIRE_DIGEST_HOUR": "18", "COURSEWIRE_DATA_DIR": str(
        tmp_path), "SECRET_KEY": "x"}).digest_hour == 18


async def test_inbox_pages_newest_first_and_marks_read(cast):
    for i in range(5):
        await Notification.create(user_id=cast.ada.id, kind=Kind.GRADE, title=f"n{i}")
    await Notification.create(user_id=cast.bob.id, kind=Kind.GRADE, title="bob's")
    first, after = await inbox.inbox_page(cast.ada.id, PageRequest(3))
    assert [n.title for n in first] == ["n4", "n3", "n2"] and after == (first[-1].id,)
    rest, end = await inbox.inbox_page(cast.ada.id, PageRequest(3, after))
    assert [n.title for n in rest] == ["n1", "n0"] and end is None
    assert await inbox.unread_count(cast.ada.id) == 5
    await inbox.mark_read(cast.ada.id, first[0].id)
    assert await inbox.unread_count(cast.ada.id) == 4
    assert await inbox.mark_all_read(cast.ada.id) == 4
    assert await inbox.unread_count(cast.ada.id) == 0
    assert await inbox.unread_count(cast.bob.id) == 1
    pushed = await Event.filter(topic=f"user:{cast.ada.id}", name="notification.read").count()
    assert pushed == 2
