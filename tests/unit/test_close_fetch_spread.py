"""After a close, the pages of thousands of handed-in attempts fetch what they show: each
waits a delay spread evenly over the window by its id (quizzes.events.close_fetch_delay),
and the frames carry that delay as htmx's `load delay:` trigger."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

from quizzes.events import (
    CLOSE_FETCH_SPREAD_MS,
    CLOSE_FETCH_STEP_MS,
    _panel_reload,
    close_fetch_delay,
)
from tests.support.live_reload import LOAD_TRIGGER


def test_nine_thousand_consecutive_ids_spread_evenly_over_the_window():
    delays = Counter(close_fetch_delay(i) for i in range(100_000, 109_000))
    steps = CLOSE_FETCH_SPREAD_MS // CLOSE_FETCH_STEP_MS
    assert sorted(delays) == [n * CLOSE_FETCH_STEP_MS for n in range(steps)]
    per_step = 9_000 / steps
    assert all(abs(count - per_step) <= per_step * 0.02 for count in delays.values()), delays


def test_the_frames_carry_the_delay_as_a_load_trigger_htmx_and_the_harness_read():
    from core.templating import render

    attempt = SimpleNamespace(id=7, course_id="course-v1:X+Y+Z")
    delayed = render("quizzes/_attempt_reload.html", attempt=attempt, delay_ms=1250)
    assert 'hx-trigger="load delay:1250ms"' in delayed
    assert 'hx-trigger="load"' in render("quizzes/_attempt_reload.html", attempt=attempt,
                                         delay_ms=0)
    panel = _panel_reload("course-v1:X+Y+Z", "midterm", "en", 750)
    assert 'hx-trigger="load delay:750ms"' in panel
    assert LOAD_TRIGGER.fullmatch("load delay:750ms") and LOAD_TRIGGER.fullmatch("load")
