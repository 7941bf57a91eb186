"""Per-resource passback: a quiz link sends that quiz's points, a unit link the sum of its
unit's blocks, each to its own line item; an override re-sends only the links whose score
it changed; deep linking offers quizzes, and a launch of a quiz link lands on its unit."""

from __future__ import annotations

import html
import re
from pathlib import Path

import jwt
import pytest

from grading.api import published_block
from grading.overrides import override_grade
from lti.ags import GradeServices
from lti.course_access import set_course_access
from lti.passback import collect_scores, send_due_scores
from models.lti import LtiAccount, LtiResourceLink, LtiScore
from tests.lti.conftest import landing, launch
from tests.lti.platform import Platform
from tests.lti.test_deep_linking import DL, csrf_of, deep_linking_launch
from tests.quizzes.conftest import COURSE_ID, setup_quiz_course

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
QUIZ_ITEM = "https://lms.example.edu/mod/lti/services.php/2/lineitems/8/lineitem?type_id=1"
UNIT_ITEM = "https://lms.example.edu/mod/lti/services.php/2/lineitems/9/lineitem?type_id=1"


@pytest.fixture
def quiet_worker(monkeypatch):
    monkeypatch.setattr("lti.passback.INTERVAL", 3600)


@pytest.fixture
async def published(app, platform: Platform, tmp_path: Path):
    instructor, *_ = await setup_quiz_course(tmp_path / "course")
    assert platform.registration_id is not None
    await set_course_access(instructor, COURSE_ID, platform.registration_id, True)
    _, quiz = await published_block(COURSE_ID, "midterm")
    return instructor, quiz.unit_id


async def test_quiz_and_unit_links_send_their_own_scores_and_resend_on_override(
        quiet_worker, client, platform, published):
    instructor, unit = published
    platform.tool_jwks = (await client.get("/lti/jwks")).json()
    await collect_scores()
    base = f"https://cw.example/courses/{COURSE_ID}/units/{unit}"
    r = await launch(client, platform, f"{base}?quiz=midterm", sub="ada-1",
                     link_id="quiz-link", **{AGS: {"lineitem": QUIZ_ITEM}})
    assert landing(r) == f"/courses/{COURSE_ID}/units/{unit}"
    r = await launch(client, platform, base, sub="ada-1", link_id="unit-link",
                     **{AGS: {"lineitem": UNIT_ITEM}})
    assert r.status_code == 303
    ada = (await LtiAccount.get(subject="ada-1")).user_id
    _, midterm = await published_block(COURSE_ID, "midterm")
    _, later = await published_block(COURSE_ID, "later")
    unit_max = midterm.max_points + later.max_points

    await override_grade(instructor, COURSE_ID, ada, "midterm", 2, "checked by hand")
    assert await collect_scores() == 2
    services = GradeServices(transport=platform.transport)
    assert await send_due_scores(services) == 2
    assert sorted((s["scoreGiven"], s["scoreMaximum"]) for s in platform.scores) == sorted(
        [(2.0, midterm.max_points), (2.0, unit_max)])

    # The other quiz of the unit: only the unit's score changes, so only it goes again.
    platform.scores.clear()
    await override_grade(instructor, COURSE_ID, ada, "later", 1, "late work accepted")
    assert await collect_scores() == 1
    assert await send_due_scores(services) == 1
    assert [(s["scoreGiven"], s["scoreMaximum"]) for s in platform.scores] == [(3.0, unit_max)]
    assert await LtiScore.filter(sent_at=None).count() == 0


async def test_deep_linking_offers_a_quiz_whose_link_lands_on_its_unit(client, platform,
                                                                       published):
    _, unit = published
    first = await launch(client, platform, f"https://cw.example/courses/{COURSE_ID}",
                         role="instructor", sub="prof-1")
    assert first.status_code == 303
    picker = await deep_linking_launch(client, platform, sub="prof-1")
    assert picker.status_code == 200
    assert f'value="{COURSE_ID}/midterm"' in picker.text
    r = await client.post("/lti/deep-link", data={"target": f"{COURSE_ID}/midterm",
                                                  "csrf_token": csrf_of(picker.text)})
    assert r.status_code == 200, r.text
    token = html.unescape(re.search(r'name="JWT" value="([^"]+)"', r.text).group(1))
    [item] = jwt.decode(token, options={"verify_signature": False})[DL + "content_items"]
    assert item["url"].endswith(f"/courses/{COURSE_ID}/units/{unit}?quiz=midterm")
    assert item["lineItem"]["resourceId"] == f"{COURSE_ID}/midterm"
    client.cookies.clear()
    landed = await launch(client, platform, item["url"], sub="learner-9", link_id="quiz-2")
    assert landing(landed) == f"/courses/{COURSE_ID}/units/{unit}"
    link = await LtiResourceLink.get(link_id="quiz-2")
    assert (link.course_id, link.block_id) == (COURSE_ID, "midterm")
