"""The peer review pages over HTTP (htmx forms) and their anonymity."""

from __future__ import annotations

import httpx
import pytest

from tests.grading_app.conftest import COURSE_ID, setup_course
from tests.peer_review.conftest import BLOCK, EXTRA
from tests.support.people import browser_login

PAGE = f"/courses/{COURSE_ID}/peer-review/{BLOCK}"
HX = {"HX-Request": "true"}


@pytest.fixture
async def pages(app, tmp_path):
    await setup_course(app.runtime.settings, tmp_path / "course", EXTRA)
    clients = {}
    for name in ("ada", "bob", "ta"):
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                              base_url="http://testserver")
        csrf = await browser_login(c, f"{name}@example.org")
        c.headers.update({"X-CSRF-Token": csrf, **HX})
        clients[name] = c
    yield clients
    for c in clients.values():
        await c.aclose()


async def test_submit_wait_and_review_through_the_page(pages):
    ada, bob = pages["ada"], pages["bob"]
    page = await ada.get(PAGE, headers={"HX-Request": ""})
    assert page.status_code == 200 and 'data-state="locked"' in page.text
    assert "peer_review%3A" in page.text  # the page joins its resync topic
    r = await ada.post(PAGE + "/response", data={"text": "Ada writes"})
    assert r.status_code == 200 and 'data-status="waiting_for_your_reviews"' in r.text
    r = await ada.post(PAGE + "/next")
    assert 'data-state="waiting"' in r.text
    await bob.post(PAGE + "/response", data={"text": "Bob writes"})
    page = await ada.get(PAGE)
    assert 'data-state="assigned"' in page.text and "Bob writes" in page.text
    assert "Bob" not in page.text.replace("Bob writes", "")  # the author is never named
    assignment = page.text.split('data-assignment="')[1].split('"')[0]
    r = await ada.post(f"/courses/{COURSE_ID}/peer-review/assignments/{assignment}/assessment",
                       data={"score.ideas": "some", "score.style": "good"})
    assert r.status_code == 400 and "required" in r.text.lower()
    r = await ada.post(f"/courses/{COURSE_ID}/peer-review/assignments/{assignment}/assessment",
                       data={"score.ideas": "some", "score.style": "good",
                             "feedback.ideas": "More examples", "feedback": "Good start"})
    assert r.status_code == 200
    assert '<strong class="given">1</strong>' in r.text


async def test_staff_board_names_people_students_cannot_open_it(pages):
    await pages["ada"].post(PAGE + "/response", data={"text": "Ada writes"})
    await pages["ada"].post(PAGE + "/next")
    board = await pages["ta"].get(PAGE + "/board", headers={"HX-Request": ""})
    assert board.status_code == 200
    assert "Ada" in board.text and 'class="n-waiting">1<' in board.text
    denied = await pages["bob"].get(PAGE + "/board")
    assert denied.status_code == 403


async def test_unit_page_embeds_the_blocks_peer_review_panel(pages):
    ada, bob = pages["ada"], pages["bob"]
    unit = (await ada.get(f"/courses/{COURSE_ID}/units/unit-hw", headers={"HX-Request": ""}))
    assert unit.status_code == 200
    assert f'hx-get="{PAGE}/panel"' in unit.text
    assert 'name="text"' not in unit.text.split('data-block="review"')[1].split(
        "peer-panel")[0]  # one response form: the panel's, not a second one in the block
    panel = await ada.get(PAGE + "/panel")
    assert panel.status_code == 200
    assert 'data-state="locked"' in panel.text and "peer-response-form" in panel.text
    assert f'href="{PAGE}"' in panel.text
    await ada.post(PAGE + "/response", data={"text": "Ada writes"})
    await ada.post(PAGE + "/next")
    panel = await ada.get(PAGE + "/panel")
    assert 'data-state="waiting"' in panel.text
    assert 'data-status="waiting_for_your_reviews"' in panel.text
    assert "You have reviewed <strong class=\"given\">0</strong> of 2" in panel.text
    await bob.post(PAGE + "/response", data={"text": "Bob writes"})
    panel = await ada.get(PAGE + "/panel")
    assert 'data-state="assigned"' in panel.text and "Bob writes" in panel.text
    assert "Bob" not in panel.text.replace("Bob writes", "")


async def test_pushed_work_is_opened_by_the_reviewers_first_sign_of_presence(pages):
    from models.peer_review import PeerAssignment

    ada, bob = pages["ada"], pages["bob"]
    await ada.post(PAGE + "/response", data={"text": "Ada writes"})
    await ada.post(PAGE + "/next")  # waits
    await bob.post(PAGE + "/response", data={"text": "Bob writes"})  # pushed to Ada
    page = await ada.get(PAGE, headers={"HX-Request": ""})
    assignment = page.text.split('data-assignment="')[1].split('"')[0]
    opener = f"/courses/{COURSE_ID}/peer-review/assignments/{assignment}/open"
    # Loading the page does not open it (a reload equals the pushed panel)...
    assert f'hx-post="{opener}"' in page.text and "to keep it" in page.text
    assert (await PeerAssignment.get(id=int(assignment))).opened_at is None
    # ...the first click/key/scroll does: an inert marker, the new expiry out of band.
    r = await ada.post(opener)
    assert r.status_code == 200
    assert "hx-post" not in r.text and 'hx-swap-oob="outerHTML"' in r.text
    assert "yours to review until" in r.text
    assert (await PeerAssignment.get(id=int(assignment))).opened_at is not None
    page = await ada.get(PAGE, headers={"HX-Request": ""})
    assert f'hx-post="{opener}"' not in page.text and "yours to review until" in page.text
    assert (await bob.post(opener)).status_code == 404  # not Bob's
