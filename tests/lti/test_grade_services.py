"""Assignment and Grade Services against the simulated platform: the line item a launch
names is kept on its resource link; a score goes to it with an access token obtained by a
signed JWT assertion, cached, and renewed once when the platform refuses it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lti.ags import GradeServices, ScoreNotSent, scores_url
from models.lti import LtiRegistration, LtiResourceLink
from tests.lti.conftest import launch, unit_url
from tests.lti.platform import Platform

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
WHEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def services(client, platform: Platform) -> GradeServices:
    platform.tool_jwks = (await client.get("/lti/jwks")).json()
    return GradeServices(transport=platform.transport)


async def test_a_launch_keeps_the_line_item_of_its_resource_link(client, platform, course):
    claim = {AGS: {"lineitem": platform.line_item,
                   "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]}}
    assert (await launch(client, platform, unit_url(course), **claim)).status_code == 303
    link = await LtiResourceLink.get(link_id="resource-link-1")
    assert link.line_item_url == platform.line_item


async def test_scores_reach_the_line_item_with_one_cached_token(services, platform, course):
    registration = await LtiRegistration.get(id=platform.registration_id)
    await services.send_score(registration, platform.line_item, "user-1", 2, 2, WHEN)
    await services.send_score(registration, platform.line_item, "user-2", 1.5, 2, WHEN)
    assert platform.issued_tokens == ["token-1"]
    assert [(s["userId"], s["scoreGiven"], s["scoreMaximum"], s["gradingProgress"])
            for s in platform.scores] == [("user-1", 2, 2, "FullyGraded"),
                                          ("user-2", 1.5, 2, "FullyGraded")]
    assert platform.scores[0]["timestamp"] == "2026-03-01T12:00:00+00:00"


async def test_a_refused_token_is_renewed_once(services, platform, course):
    registration = await LtiRegistration.get(id=platform.registration_id)
    await services.send_score(registration, platform.line_item, "user-1", 1, 2, WHEN)
    platform.revoked_tokens.add("token-1")
    await services.send_score(registration, platform.line_item, "user-1", 2, 2, WHEN)
    assert platform.issued_tokens == ["token-1", "token-2"]
    assert [s["scoreGiven"] for s in platform.scores] == [1, 2]


async def test_an_unreachable_platform_raises_for_a_retry(services, platform, course):
    registration = await LtiRegistration.get(id=platform.registration_id)
    platform.reachable = False
    with pytest.raises(ScoreNotSent):
        await services.send_score(registration, platform.line_item, "user-1", 1, 2, WHEN)
    assert platform.scores == []


def test_the_scores_url_keeps_the_line_item_query():
    assert scores_url("https://lms/li/7/lineitem?type_id=1") == (
        "https://lms/li/7/lineitem/scores?type_id=1")
    assert scores_url("https://canvas/api/lti/courses/1/line_items/2/") == (
        "https://canvas/api/lti/courses/1/line_items/2/scores")
