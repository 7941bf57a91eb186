"""The demo course and its people, created idempotently by `coursewire demo`.

What a visitor finds, on whatever day they seed it (app.demo_calendar moves the dates):
the quiz "Check yourself" was due two days ago (late work loses 25%), and Ada has an
extension on it from the TA; the loop lab, FizzBuzz and the mini project are due in 2 to 5
weeks. Four classmates (Linus, Margaret, Edsger, Barbara) have already submitted the peer
review and reviewed each other, so Ada can submit, review three of theirs and
self-assess, and once Linus and Margaret each review her response she has a score. The
two videos are course files uploaded from content_store/demo_files.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from accounts.service import register_user
from announcements.service import post_announcement
from app.demo_calendar import days_moved, days_to_move, move_dates
from content_store.connect import current_store
from content_store.gridfs_files import BytesReader
from courses.service import course_key, create_course, set_member_role
from courseware.authoring import course_assets, upload_asset
from courseware.queries import outline_of
from courseware.service import DEMO_COURSE_FOLDER, import_course_folder, publish_course
from forum.posts import create_post
from forum.threads import create_thread
from forum.topics import GENERAL, ensure_topic
from grading.course_blocks import graded_block
from grading.extensions import grant_extension
from models.announcements import Announcement
from models.courses import Course, Role
from models.forum import ForumTopic, Thread
from models.grading import Extension
from models.peer_review import PeerAssignment
from models.users import User
from peer_review.assessments import self_assess, submit_assessment
from peer_review.assignment import request_review
from peer_review.queries import assessments_given, my_response
from peer_review.responses import submit_response

DEMO_PASSWORD = "coursewire-demo"
ORG, NUMBER, RUN = "Coursewire", "PY101", "2026"
PEOPLE = [
    ("instructor@demo.coursewire", "Grace Instructor", Role.INSTRUCTOR),
    ("ta@demo.coursewire", "Alan TA", Role.TA),
    ("ada@demo.coursewire", "Ada Student", Role.STUDENT),
    ("linus@demo.coursewire", "Linus Student", Role.STUDENT),
    ("margaret@demo.coursewire", "Margaret Student", Role.STUDENT),
    ("edsger@demo.coursewire", "Edsger Student", Role.STUDENT),
    ("barbara@demo.coursewire", "Barbara Student", Role.STUDENT),
]
DEMO_FILES = Path(__file__).resolve().parents[1] / "content_store" / "demo_files"
LATE_QUIZ = ("strings", "output")  # the two problems of "Check yourself", two days late
EXTENSION_DAYS = 9  # Ada's extension: a week from the seeding day
PEER_BLOCK = "explain-a-function"
INTRODUCTIONS = "introductions"  # the topic of the "Introduce yourself" discussion block


async def _user(email: str, name: str, creator: bool) -> User:
    user = await User.get_or_none(email=email)
    return user or await register_user(email, DEMO_PASSWORD, name, can_create_courses=creator)


async def _seed_content(instructor: User, course_id: str, now: datetime) -> None:
    """The demo folder's content, its dates moved so the folder's "today" is `now`'s day.

    First time: import, move the dates, publish. Later: move the draft's dates by the days
    since the last seeding and publish that (a new version); browser edits stay."""
    days = days_to_move(now.date())
    if await outline_of(course_id) is None:
        await import_course_folder(instructor, DEMO_COURSE_FOLDER, course_id=course_id)
        moved = 0
    else:
        moved = await days_moved(current_store(), course_id, DEMO_COURSE_FOLDER)
        if moved is None or moved == days:
            return  # no course start to measure by (edited away), or already today's
    async with current_store().bulk_edit(course_id, instructor.id) as edit:
        await move_dates(edit, days - moved)
    await publish_course(instructor, course_id)


async def _seed_files(instructor: User, course_id: str) -> None:
    """The demo's videos, as course files (GridFS or the embedded store)."""
    have = {a.name: a.size for a in await course_assets(instructor, course_id)}
    for path in sorted(DEMO_FILES.glob("*.webm")):
        data = path.read_bytes()
        if have.get(path.name) != len(data):
            await upload_asset(instructor, course_id, path.name, BytesReader(data),
                               "video/webm")


async def _seed_forum(course_id: str, people: list[User]) -> None:
    """A few threads, so the demo forum shows replies, a question and an anonymous post.
    "Introduce yourself" is filed under the unit's discussion topic, so it shows there."""
    instructor, ta, ada, linus = people[:4]
    hello = await create_thread(
        instructor, course_id, "Introduce yourself",
        "Tell us who you are and what you would like to build with Python.",
        kind="discussion", topic_id=INTRODUCTIONS)
    await create_post(linus, hello.id, "Hi all! Linus here. I want to automate my photo backups.")
    question = await create_thread(
        ada, course_id, "Why does input() give me a string?",
        "I typed `5` and `input()` + 1 fails with a TypeError. What am I missing?",
        "peers", kind="question")
    await create_post(ta, question.id,
                      "`input()` always returns text. Convert it first: `int(input())`.")


async def _file_introductions(course_id: str, instructor: User) -> None:
    """Data dirs seeded before the thread had its topic: move the seeded "Introduce
    yourself" thread from General to the discussion unit's topic (once)."""
    general = await ForumTopic.get_or_none(course_id=course_id, key=GENERAL)
    if general is None:
        return
    seeded = Thread.filter(course_id=course_id, topic_id=general.id, title="Introduce yourself",
                           posts__depth=0, posts__author_id=instructor.id)
    ids = await seeded.values_list("id", flat=True)
    if ids:
        topic = await ensure_topic(course_id, INTRODUCTIONS)
        await Thread.filter(id__in=list(ids)).update(topic_id=topic.id)


async def _seed_extension(ta: User, ada: User, course_id: str) -> None:
    """Ada's extension on the late quiz: a week from the (moved) due date's day."""
    for block_id in LATE_QUIZ:
        block, _ = await graded_block(course_id, block_id)
        if block.due_at is None:
            continue  # the instructor took the due date away
        due = block.due_at + timedelta(days=EXTENSION_DAYS)
        current = await Extension.get_or_none(user_id=ada.id, course_id=course_id,
                                              block_id=block_id)
        if current is None or (current.due_at is not None and current.due_at < due):
            await grant_extension(ta, course_id, ada.id, block_id, due.isoformat(),
                                  "Demo: Ada was ill the week of the quiz.")


RESPONSES = {
    "linus": "def servings(recipe_grams, people):\n    return recipe_grams / 4 * people\n\n"
             "It scales a recipe for four to any number of people: servings(200, 6) is "
             "300.0. `people` can't be zero or less, so I check that first.",
    "margaret": "def days_until(birthday, today):\n    return (birthday - today).days % 365\n\n"
                "How many days until a birthday. The `% 365` wraps a birthday that has "
                "already passed this year round to next year.",
    "edsger": "def split_bill(total, people, tip=0.1):\n    return round(total * (1 + tip) / "
              "people, 2)\n\nEveryone's share with the tip: split_bill(90, 3) is 33.0.",
    "barbara": "def is_leap(year):\n    return year % 4 == 0 and (year % 100 != 0 or "
               "year % 400 == 0)\n\nTells whether February has 29 days. 1900 was not a "
               "leap year, 2000 was: the function checks both rules.",
}
GOOD = {"correctness": "works", "explanation": "clear", "naming": "descriptive"}
FAIR = {"correctness": "mostly", "explanation": "clear", "naming": "descriptive"}
NOTES = {"correctness": "Try it with 0 as well.", "explanation": "The example helps a lot."}


async def _seed_peer_review(course_id: str, classmates: list[User]) -> None:
    """Four classmates' responses, each reviewed by the other three and self-assessed,
    so they have scores, and a newcomer can be given three responses to review."""
    for student in classmates:
        if await my_response(student.id, course_id, PEER_BLOCK) is None:
            await submit_response(student, course_id, PEER_BLOCK,
                                  RESPONSES[student.email.split("@")[0]])
    for number, student in enumerate(classmates):
        while await assessments_given(student.id, course_id, PEER_BLOCK) < 3:
            assignment = await request_review(student, course_id, PEER_BLOCK)
            if assignment is None:
                break  # nothing left to review (a re-run after people took part)
            await submit_assessment(student, assignment.id, GOOD if number % 2 else FAIR,
                                    "Nice idea, and easy to follow.", NOTES)
        response = await my_response(student.id, course_id, PEER_BLOCK)
        if response is not None and not await PeerAssignment.exists(
                response_id=response.id, reviewer_id=student.id):
            await self_assess(student, course_id, PEER_BLOCK, GOOD, "I think it works.", NOTES)


async def seed_demo(now: datetime | None = None) -> dict[str, Any]:
    """Create or update the demo: people, course, content with dates relative to `now`,
    files, an announcement, forum threads, Ada's extension and the peer-review state.
    Accounts, submissions and posts made since are kept."""
    now = now or datetime.now(UTC)
    users = [(await _user(e, n, r == Role.INSTRUCTOR), r) for e, n, r in PEOPLE]
    people = [u for u, _ in users]
    instructor, ta, ada = people[:3]
    course_id = course_key(ORG, NUMBER, RUN)
    if not await Course.exists(id=course_id):
        await create_course(instructor, ORG, NUMBER, RUN, "Python from scratch")
    for user, role in users[1:]:
        await set_member_role(instructor, course_id, user.id, role)
    await _seed_content(instructor, course_id, now)
    await _seed_files(instructor, course_id)
    if not await Announcement.exists(course_id=course_id):
        await post_announcement(instructor, course_id, "Welcome to PY101!",
                                "Say hello in the forum, then start with **Chapter 1**.")
    if not await Thread.exists(course_id=course_id):
        await _seed_forum(course_id, people)
    await _file_introductions(course_id, instructor)
    await _seed_extension(ta, ada, course_id)
    await _seed_peer_review(course_id, people[3:])
    return {"course_id": course_id,
            "users": [{"email": u.email, "password": DEMO_PASSWORD, "role": r.value}
                      for u, r in users]}
