"""The harness itself: the out-of-band applier does what htmx does, and verify_action fails
when a page changes without a frame (or with a wrong one)."""

from __future__ import annotations

import pytest

from models.announcements import Announcement
from tests.support.live_reload import apply_frame, normalize, parse, verify_action

PAGE = """<main><ul id="feed" data-live-limit="2"><li id="a">a</li><li id="b">b</li></ul>
<p id="clock">1</p><p id="doomed">x</p><ul id="mine"><li id="r1">r1</li></ul></main>"""


def test_the_swap_styles_our_frames_use():
    doc = parse(PAGE)
    apply_frame(doc, '<ul id="feed" hx-swap-oob="afterbegin"><li id="c">c</li></ul>'
                     '<p id="clock" hx-swap-oob="true">2</p>'
                     '<p id="doomed" hx-swap-oob="delete"></p>'
                     '<p id="absent" hx-swap-oob="outerHTML">skipped</p>')
    assert normalize(doc.html()) == normalize(
        '<main><ul id="feed" data-live-limit="2"><li id="c">c</li><li id="a">a</li></ul>'
        '<p id="clock">2</p><ul id="mine"><li id="r1">r1</li></ul></main>')
    # The "style: selector" form with :has(), resolved before the delete runs.
    apply_frame(doc, '<ul hx-swap-oob="afterbegin: #mine:has(#r1)"><li id="r1">new</li></ul>'
                     '<li id="r1" hx-swap-oob="delete"></li>'
                     '<ul hx-swap-oob="afterbegin: #feed:has(#nope)"><li>no</li></ul>')
    assert normalize(doc.by_id("mine").outer_html()) == '<ul id="mine"><li id="r1">new</li></ul>'
    assert "no<" not in doc.html()
    apply_frame(doc, '<ul id="mine" hx-swap-oob="beforeend"><li id="r2">r2</li></ul>')
    assert [c.id for c in doc.by_id("mine").elements()] == ["r1", "r2"]


def test_an_unsupported_swap_fails_loudly():
    with pytest.raises(AssertionError, match="not supported"):
        apply_frame(parse(PAGE), '<p id="clock" hx-swap-oob="textContent">3</p>')


async def test_a_change_without_its_frame_fails(cast):
    async def silently():
        await Announcement.create(course_id=cast.course_id, author_id=cast.teacher.user.id,
                                  title="Unannounced", body_md="x", body_html="<p>x</p>")

    with pytest.raises(AssertionError, match="live != reload") as failure:
        await verify_action(cast.hub, {cast.ada: [f"/courses/{cast.course_id}"]}, silently)
    assert "Unannounced" in str(failure.value) and "ada on /courses/" in str(failure.value)


async def test_an_action_that_changes_nothing_is_not_a_check(cast):
    async def nothing():
        pass

    with pytest.raises(AssertionError, match="changed none of the pages"):
        await verify_action(cast.hub, {cast.ada: ["/"]}, nothing)
