"""A course where one person, Zebulon Quaxley, leaves a trace in every package: a problem
submission, a timed quiz attempt with extra time, forum posts (anonymous ones too), a
peer-review response with a review received and one given, course content they edited, and
a mail. Names and addresses are unusual on purpose: the erasure test searches every table,
collection and event for them."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import httpx

from core.settings import Settings
from courses.service import set_member_role
from courseware.service import import_course_folder
from models.courses import Role
from models.users import User
from tests.grading_app.conftest import FILES as GRADED
from tests.peer_review.conftest import GOOD, QUICK, QUICK_BLOCK
from tests.quizzes.conftest import FILES as QUIZ_FILES
from tests.support.mailbox import deliver
from tests.support.people import bearer, person, token

COURSE_ID = "course-v1:Test+QZ1+2026"
OWN_COURSE = "course-v1:Zeb+OWN1+2026"
NAME, EMAIL = "Zebulon Quaxley", "zebulon.quaxley@example.org"
PEER = QUICK
UNIT = "01-exams/01-mid/01-paper"
EXTRA = {f"{UNIT}/03-pick.yaml": GRADED["01-basics/01-quiz1/01-unit-one/01-pick.yaml"],
         f"{UNIT}/04-quick.yaml": QUICK_BLOCK}
OWN_FILES = {
    "course.yaml": "org: Zeb\nnumber: OWN1\nrun: \"2026\"\ntitle: Zeb's own course",
    "01-a/chapter.yaml": "title: A",
    "01-a/01-b/sequential.yaml": "title: B",
    "01-a/01-b/01-c/unit.yaml": "title: C",
    "01-a/01-b/01-c/01-text.yaml": "type: html\ntitle: Hello\nsource: Hello.",
}


@dataclass
class Traces:
    zeb: User
    prof: User
    bob: User
    headers: dict[str, dict[str, str]]
    anonymous_post_id: int
    quiz_attempt_id: int


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).strip() + "\n")
    return root


async def ok(response: httpx.Response, *codes: int) -> dict:
    assert response.status_code in (codes or (200, 201, 202)), response.text
    return response.json() if response.content else {}


async def leave_traces(client: httpx.AsyncClient, root: Path,
                       settings: Settings | None = None) -> Traces:
    prof = await person("prof@example.org", "Prof", creator=True)
    await import_course_folder(None, write(root / "course", {**QUIZ_FILES, **EXTRA}),
                               publish=True, instructor=prof)
    zeb = await person(EMAIL, NAME, creator=True)
    bob = await person("bob@example.org", "Bob")
    for user in (zeb, bob):
        await set_member_role(prof, COURSE_ID, user.id, Role.STUDENT)
    h = {u.email.split("@")[0]: bearer(await token(client, u.email)) for u in (prof, zeb, bob)}
    z, a = h["zebulon.quaxley"], f"/api/v1/courses/{COURSE_ID}"

    # Content Zeb edited: their own course, imported through the API.
    await ok(await client.post("/api/v1/courses", headers=z, json={
        "org": "Zeb", "number": "OWN1", "run": "2026", "title": "Zeb's own course"}))
    await import_course_folder(zeb, write(root / "own", OWN_FILES), course_id=OWN_COURSE,
                               publish=True)

    # Grading, quizzes (with extra time from the instructor).
    await ok(await client.post(f"{a}/blocks/pick/submissions", headers=z,
                               json={"answer": {"choice": "a"}}))
    await ok(await client.put(f"{a}/quizzes/midterm/accommodations/{zeb.id}", headers=h["prof"],
                              json={"extra_minutes": 10}))
    attempt = await ok(await client.post(f"{a}/quizzes/midterm/attempts", headers=z))
    await ok(await client.put(f"/api/v1/quiz-attempts/{attempt['id']}/answers/capital",
                              headers=z, json={"answer": {"choice": "paris"}}))
    await ok(await client.post(f"/api/v1/quiz-attempts/{attempt['id']}/submit", headers=z))

    # Forum: a thread by Zeb, an anonymous reply, Bob's reply voted on by Zeb.
    thread = await ok(await client.post(f"{a}/forum/threads", headers=z, json={
        "title": "Zeb asks", "body": "Signed question", "anonymity": "none"}))
    anonymous = await ok(await client.post(
        f"/api/v1/forum/threads/{thread['id']}/posts", headers=z,
        json={"body": "A shy remark", "anonymity": "peers"}))
    await ok(await client.post(f"/api/v1/forum/threads/{thread['id']}/posts", headers=h["bob"],
                               json={"body": "Bob answers", "anonymity": "none"}))

    # Peer review: both respond, each reviews the other.
    writers = {"zeb": z, "bob": h["bob"]}
    for who, headers in writers.items():
        await ok(await client.post(f"{a}/blocks/{PEER}/submissions", headers=headers,
                                   json={"answer": {"text": f"essay of {who}"}}))
    for who, headers in writers.items():
        lease = await ok(await client.get(f"/api/v1/peer-review/{COURSE_ID}/{PEER}/next",
                                          headers=headers))
        await ok(await client.post(
            f"/api/v1/peer-review/assignments/{lease['id']}/assessment", headers=headers,
            json={**GOOD, "feedback": f"review by {who}"}))

    # Mail: a password reset link, sent to the development outbox folder.
    if settings is not None:
        await ok(await client.post("/api/v1/auth/password-reset", json={"email": EMAIL}))
        await deliver(settings)
    return Traces(zeb, prof, bob, h, anonymous["id"], attempt["id"])
