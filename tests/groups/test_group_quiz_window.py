"""A group's own quiz window: its students may start when the group's window is open
(others keep the quiz's), and an attempt in progress gets the group's new close, live."""

from datetime import UTC, datetime, timedelta

from courses.service import set_member_role
from models.courses import Role
from models.events import Event
from models.groups import CourseGroup
from models.quizzes import QuizAttempt
from tests.quizzes.conftest import QUIZ_URL

LATER_URL = QUIZ_URL.replace("midterm", "later")


async def in_group(quiz_course):
    await set_member_role(quiz_course.instructor, quiz_course.id, quiz_course.student.id,
                          Role.STUDENT, "A")
    return await CourseGroup.get(course_id=quiz_course.id, name="A")


async def test_a_group_window_opens_the_quiz_for_its_students_only(client, quiz_course):
    group = await in_group(quiz_course)
    h = quiz_course.headers
    assert (await client.post(LATER_URL, headers=h["ada"])).status_code == 422
    opens = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    r = await client.put(f"/api/v1/courses/{quiz_course.id}/groups/{group.id}/deadlines",
                         json={"block_id": "later", "opens_at": opens}, headers=h["ta"])
    assert r.status_code == 200, r.text
    assert r.json()["opens_at"] is not None and r.json()["due_at"] is None
    assert (await client.post(LATER_URL, headers=h["ada"])).status_code in (200, 201)
    refused = await client.post(LATER_URL, headers=h["bob"])
    assert refused.status_code == 422 and "opens at" in refused.json()["error"]["message"]
    listed = await client.get(f"/api/v1/courses/{quiz_course.id}/groups/{group.id}/deadlines",
                              headers=h["ta"])
    assert [d["block_id"] for d in listed.json()] == ["later"]
    assert (await client.get(f"/api/v1/courses/{quiz_course.id}/groups/{group.id}/deadlines",
                             headers=h["ada"])).status_code == 403


async def test_a_group_close_moves_the_running_attempts_deadline_live(client, quiz_course):
    group = await in_group(quiz_course)
    h = quiz_course.headers
    r = await client.post(QUIZ_URL, headers=h["ada"])
    assert r.status_code in (200, 201), r.text
    attempt = await QuizAttempt.get(id=r.json()["id"])
    before = await Event.filter(topic=f"user:{quiz_course.student.id}").count()
    closes = datetime.now(UTC) + timedelta(minutes=5)  # sooner than the 30-minute limit
    r = await client.put(f"/api/v1/courses/{quiz_course.id}/groups/{group.id}/deadlines",
                         json={"block_id": "midterm", "closes_at": closes.isoformat()},
                         headers=h["ta"])
    assert r.status_code == 200, r.text
    moved = await QuizAttempt.get(id=attempt.id)
    assert abs((moved.deadline_at - closes).total_seconds()) < 1
    told = await Event.filter(topic=f"user:{quiz_course.student.id}",
                              name="quiz.attempt.updated").count()
    assert told >= 1 and await Event.filter(
        topic=f"user:{quiz_course.student.id}").count() > before
    r = await client.delete(f"/api/v1/courses/{quiz_course.id}/groups/{group.id}/deadlines/"
                            "midterm", headers=h["ta"])
    assert r.status_code == 204
    back = await QuizAttempt.get(id=attempt.id)
    assert back.deadline_at > closes + timedelta(minutes=10)  # the time limit again
    r = await client.delete(f"/api/v1/courses/{quiz_course.id}/groups/{group.id}/deadlines/"
                            "midterm", headers=h["ta"])
    assert r.status_code == 404


async def test_a_start_and_the_panel_read_the_students_group_window(client, quiz_course):
    """The role check's membership row carries the group the window is looked up by."""
    group = await in_group(quiz_course)
    h = quiz_course.headers
    closes = datetime.now(UTC) + timedelta(minutes=5)  # sooner than the 30-minute limit
    opens = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    for block_id, dates in (("midterm", {"closes_at": closes.isoformat()}),
                            ("later", {"opens_at": opens})):
        r = await client.put(f"/api/v1/courses/{quiz_course.id}/groups/{group.id}/deadlines",
                             json={"block_id": block_id, **dates}, headers=h["ta"])
        assert r.status_code == 200, r.text
    started = await client.post(QUIZ_URL, headers=h["ada"])
    assert started.status_code == 201, started.text
    ends = (await QuizAttempt.get(id=started.json()["id"])).deadline_at
    assert abs((ends - closes).total_seconds()) < 1
    other = await client.post(QUIZ_URL, headers=h["bob"])  # not in the group
    assert (await QuizAttempt.get(id=other.json()["id"])).deadline_at > closes + timedelta(
        minutes=10)
    panel = f"/courses/{quiz_course.id}/quizzes/later/panel"
    ada, bob = (await client.get(panel, headers=h["ada"])), (await client.get(panel,
                                                                              headers=h["bob"]))
    assert 'class="quiz-start"' in ada.text and "quiz-unavailable" not in ada.text
    assert 'class="quiz-start"' not in bob.text and "opens at" in bob.text
