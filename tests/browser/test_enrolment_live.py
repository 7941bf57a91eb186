"""Enrolment in a real browser: an instructor's open members page gains the row of a student
who accepts an invite in another browser, without a reload, and equals a fresh load; a
visitor follows an invite link through sign-up into the course."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.browser.conftest import assert_live_equals_reload, log_in, normalized_html, wait_live
from tests.conftest import REDIS_URL
from tests.support.live import api_token, seeded_server

pytestmark = pytest.mark.browser

COURSE = "course-v1:Coursewire+PY101+2026"
TABLE = "#members-course_2dv1_3aCoursewire_2bPY101_2b2026"


@pytest.fixture(scope="module")
def server(db_factory, tmp_path_factory):
    yield from seeded_server(db_factory, tmp_path_factory.mktemp("enrol"), REDIS_URL)


def register(base: str, email: str, name: str) -> None:
    r = httpx.post(f"{base}/api/v1/auth/register",
                   json={"email": email, "password": "coursewire-demo", "name": name})
    assert r.status_code == 201, r.text


def test_joining_by_invite_appears_live_on_the_instructors_members_page(browser, server):
    base = server.base
    register(base, "grace@example.org", "Grace Hopper")
    teacher_ctx, teacher = log_in(browser, base, "instructor@demo.coursewire")
    student_ctx, student = log_in(browser, base, "grace@example.org")
    try:
        teacher.goto(f"{base}/courses/{COURSE}/members")
        wait_live(teacher)
        assert teacher.locator(TABLE, has_text="Grace Hopper").count() == 0
        # The instructor makes the link on the page and reads it from the list.
        teacher.select_option("#invite-role", "student")
        teacher.fill("#f-max_uses", "5")
        teacher.click("#invites button[type=submit]")
        link = teacher.locator("#invites input.invite-url").first
        link.wait_for()
        url = link.input_value()
        assert re.search(r"/invites/[A-Za-z0-9_-]{32}$", url)
        # Another browser accepts it; the instructor's page is never reloaded.
        student.goto(url)
        student.click("text=Join the course")
        student.wait_for_url(f"{base}/courses/{COURSE}")
        row = teacher.locator(f"{TABLE} tr", has_text="grace@example.org")
        row.wait_for(timeout=10_000)
        assert row.locator("select").input_value() == "student"
        assert_live_equals_reload(teacher_ctx, teacher, f"{base}/courses/{COURSE}/members",
                                  TABLE)
        # Removal asks first, then the row leaves, live as well.
        teacher.once("dialog", lambda dialog: dialog.accept())
        row.get_by_role("button", name="Remove Grace Hopper").click()
        row.wait_for(state="detached", timeout=10_000)
        assert_live_equals_reload(teacher_ctx, teacher, f"{base}/courses/{COURSE}/members",
                                  TABLE)
    finally:
        teacher_ctx.close()
        student_ctx.close()


def test_a_visitor_signs_up_from_an_invite_and_lands_in_the_course(browser, server):
    base = server.base
    tok = api_token(base, "instructor@demo.coursewire")
    r = httpx.post(f"{base}/api/v1/courses/{COURSE}/invites", json={"role": "student"},
                   headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 201, r.text
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(r.json()["url"])
        assert "invited to join as" in page.inner_text("main")
        page.click("text=Create an account")
        page.fill("#f-name", "Katherine Johnson")
        page.fill("#f-email", "katherine@example.org")
        page.fill("#f-password", "coursewire-demo")
        page.click("#register-form button[type=submit]")
        page.wait_for_url(r.json()["url"])  # back at the invite, now signed in
        page.click("text=Join the course")
        page.wait_for_url(f"{base}/courses/{COURSE}")
        assert page.locator("h1, .course-title").count() > 0
    finally:
        context.close()


def test_self_enrolment_from_the_catalogue_appears_live_too(browser, server):
    base = server.base
    register(base, "dorothy@example.org", "Dorothy Vaughan")
    teacher_ctx, teacher = log_in(browser, base, "instructor@demo.coursewire")
    walker_ctx, walker = log_in(browser, base, "dorothy@example.org")
    try:
        teacher.goto(f"{base}/courses/{COURSE}/members")
        wait_live(teacher)
        teacher.check("#self-enrolment input[name=self_enrolment]")
        teacher.click("#self-enrolment button[type=submit]")
        teacher.wait_for_selector("#self-enrolment .form-message.ok")
        walker.goto(f"{base}/catalogue")
        walker.get_by_role("button", name="Enrol in Python from scratch").click()
        walker.wait_for_url(f"{base}/courses/{COURSE}")
        teacher.locator(f"{TABLE} tr", has_text="dorothy@example.org").wait_for(timeout=10_000)
        assert_live_equals_reload(teacher_ctx, teacher, f"{base}/courses/{COURSE}/members",
                                  TABLE)
    finally:
        teacher_ctx.close()
        walker_ctx.close()


# The table as the page loaded it (to tell when the socket's resync replaced it), and, while
# window.__holdSocket is set, no reconnect (each attempt is cancelled and retried later).
RECORD_AND_HOLD = """
document.addEventListener("DOMContentLoaded", () => {
  window.__tableBefore = document.querySelector("TABLE");
});
document.addEventListener("htmx:ws:before:connection", (evt) => {
  if (window.__holdSocket) evt.detail.connection.cancelled = true;
});""".replace("TABLE", TABLE)
MORE = "#members-more-course_2dv1_3aCoursewire_2bPY101_2b2026 button"


def _rows(page) -> list[str]:
    return page.eval_on_selector_all(f"{TABLE} tr.member-row", "els => els.map(e => e.id)")


def _resynced(page) -> None:
    page.wait_for_function(f"() => document.querySelector('{TABLE}') !== window.__tableBefore",
                           timeout=20_000)


def _open_loaded_to_end(page, url: str) -> None:
    page.goto(url)
    wait_live(page)
    _resynced(page)  # the first resync, so the loads below are not undone by it
    while page.locator(MORE).count():
        before = len(_rows(page))
        page.click(MORE)
        page.wait_for_function(f"n => document.querySelectorAll('{TABLE} tr.member-row')"
                               ".length > n", arg=before, timeout=10_000)


def _uid(row_id: str) -> int:
    return int(row_id.rsplit("-", 1)[1])


def test_members_load_more_live_and_a_reconnect_keeps_every_loaded_page(browser, server):
    base = server.base
    url = f"{base}/courses/{COURSE}/members"
    headers = {"Authorization": f"Bearer {api_token(base, 'instructor@demo.coursewire')}"}
    csv = "email,name,role\n" + "".join(f"m{i:02d}@example.org,Member {i:02d},student\n"
                                        for i in range(55))
    r = httpx.post(f"{base}/api/v1/courses/{COURSE}/members/import", content=csv,
                   headers={**headers, "Content-Type": "text/csv"}, timeout=120)
    assert r.status_code == 200 and r.json()["errors"] == [], r.text
    ctx, teacher = log_in(browser, base, "instructor@demo.coursewire")
    try:
        teacher.add_init_script(RECORD_AND_HOLD)
        teacher.goto(url)
        wait_live(teacher)
        _resynced(teacher)
        assert len(_rows(teacher)) == 50 and teacher.locator(MORE).count() == 1
        _open_loaded_to_end(teacher, url)
        loaded = _rows(teacher)
        assert len(loaded) == len(set(loaded)) > 55

        def set_role(row_id: str, role: str) -> None:
            r = httpx.put(f"{base}/api/v1/courses/{COURSE}/members/{_uid(row_id)}",
                          json={"role": role}, headers=headers)
            assert r.status_code == 200, r.text

        # A change on page 2 lands in place, live.
        set_role(loaded[-1], "ta")
        teacher.wait_for_selector(f'#{loaded[-1]}[data-role="ta"]', timeout=10_000)
        # The socket drops; while it is down another member on page 2 changes role.
        teacher.evaluate("""() => {
          window.__holdSocket = true;
          window.__tableBefore = document.querySelector('TABLE');
          document.getElementById('live')._htmx.ws.connection.socket.close();
        }""".replace("TABLE", TABLE))
        teacher.wait_for_selector('#live-status[data-state="down"]', timeout=10_000)
        set_role(loaded[55], "ta")
        teacher.evaluate("() => { window.__holdSocket = false; "
                         "window.dispatchEvent(new Event('online')); }")
        wait_live(teacher, timeout=30_000)
        _resynced(teacher)  # the reconnect's resync: every loaded row, not the first 50
        assert _rows(teacher) == loaded and teacher.locator(MORE).count() == 0
        assert teacher.get_attribute(f"#{loaded[55]}", "data-role") == "ta"
        live_html = normalized_html(teacher, TABLE)
        fresh = ctx.new_page()
        fresh.add_init_script(RECORD_AND_HOLD)
        _open_loaded_to_end(fresh, url)
        assert _rows(fresh) == loaded and normalized_html(fresh, TABLE) == live_html
    finally:
        ctx.close()
