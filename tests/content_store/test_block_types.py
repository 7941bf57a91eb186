import json

import pytest

from content_store.blocks import BLOCK_TYPES, block_type, student_view
from content_store.errors import BlockValidationError

CHOICE = {
    "title": "Pick one", "kind": "multiple_choice", "prompt": "Which is a **loop**?",
    "options": [
        {"id": "a", "label": "`for`", "correct": True, "feedback": "Yes!"},
        {"id": "b", "label": "`if`", "correct": False, "feedback": "That's a branch."},
    ],
    "explanation": "`for` repeats.",
}
CODE = {
    "title": "Double", "prompt": "Write `double(x)`.", "starter_code": "def double(x):\n",
    "tests": "from solution import double\n\ndef test_double():\n    assert double(2) == 4\n",
}
RUBRIC = {"criteria": [
    {"name": "clarity", "label": "Clarity", "options": [
        {"name": "poor", "label": "Hard to follow", "points": 0},
        {"name": "good", "label": "Clear", "points": 2}]},
    {"name": "ideas", "label": "Ideas", "feedback": "required", "options": [
        {"name": "few", "label": "Few", "points": 0},
        {"name": "many", "label": "Many", "points": 3}]},
]}


def test_every_type_has_a_template_and_an_editor_form():
    for kind in BLOCK_TYPES.values():
        form = kind.editor_form()
        assert form and all({"name", "label", "widget", "required"} <= set(f) for f in form)
        assert "title" in [f["name"] for f in form]


def test_problem_student_view_never_contains_answer_keys():
    fields = block_type("problem").clean(CHOICE)
    view = student_view("problem", "q1", fields)
    assert view == {
        "id": "q1", "type": "problem", "title": "Pick one", "kind": "multiple_choice",
        "prompt_html": "<p>Which is a <strong>loop</strong>?</p>\n",
        "options": [{"id": "a", "label_html": "<p><code>for</code></p>\n"},
                    {"id": "b", "label_html": "<p><code>if</code></p>\n"}],
        "max_points": 1.0, "max_attempts": None, "due_at": None}
    html = block_type("problem").render_student_html("q1", fields)
    for secret in ("correct", "feedback", "Yes!", "repeats"):
        assert secret not in json.dumps(view) and secret not in html
    assert 'type="radio"' in html and "<code>for</code>" in html


def test_code_student_view_hides_the_tests():
    fields = block_type("code").clean(CODE)
    view = student_view("code", "c1", fields)
    assert set(view) == {"id", "type", "title", "prompt_html", "starter_code", "max_points",
                         "max_attempts", "due_at"}
    assert "solution" not in json.dumps(view)
    assert "test_double" not in block_type("code").render_student_html("c1", fields)


def test_code_tests_must_parse_and_define_a_test():
    with pytest.raises(BlockValidationError) as err:
        block_type("code").clean({**CODE, "tests": "def helper(:\n"})
    assert err.value.fields["field"] == "tests"
    with pytest.raises(BlockValidationError):
        block_type("code").clean({**CODE, "tests": "x = 1\n"})


def test_peer_review_view_shows_the_rubric_without_feedback_settings():
    fields = block_type("peer_review").clean({"title": "Essay", "prompt": "Write.",
                                              "rubric": RUBRIC, "must_grade": 2})
    view = student_view("peer_review", "pr", fields)
    assert view["rubric"]["criteria"][1] == {"name": "ideas", "label": "Ideas", "options": [
        {"name": "few", "label": "Few", "points": 0.0},
        {"name": "many", "label": "Many", "points": 3.0}]}
    assert (view["must_grade"], view["graded_by"]) == (2, 3)
    assert fields["rubric"]["criteria"][0]["feedback"] == "optional"


def test_multiple_choice_needs_exactly_one_correct_option():
    options = [{**o, "correct": True} for o in CHOICE["options"]]
    with pytest.raises(BlockValidationError) as err:
        block_type("problem").clean({**CHOICE, "options": options})
    assert err.value.fields["field"] == "options"


def test_nested_mistakes_name_the_exact_path():
    options = [CHOICE["options"][0], {"id": "b", "label": "x", "correct": "no"}]
    with pytest.raises(BlockValidationError) as err:
        block_type("problem").clean({**CHOICE, "options": options})
    assert err.value.fields["field"] == "options.1.correct"
    assert err.value.fields["path"] == ["options", 1, "correct"]


def test_fields_for_another_problem_kind_are_rejected():
    with pytest.raises(BlockValidationError) as err:
        block_type("problem").clean({**CHOICE, "answer": {"value": 1}})
    assert err.value.fields["field"] == "answer"


@pytest.mark.parametrize("fields,bad", [
    ({"kind": "numeric"}, "answer"),
    ({"kind": "text"}, "answers"),
    ({"kind": "text", "patterns": ["("]}, "patterns.0"),
    ({"kind": "numeric", "answer": {"value": 1, "tolerance": -1}}, "answer.tolerance"),
    ({"kind": "numeric", "answer": {"value": 1}, "due": "next week"}, "due"),
    ({"kind": "numeric", "answer": {"value": 1}, "max_attempts": 0}, "max_attempts"),
    ({"kind": "essay"}, "kind"),
])
def test_problem_validation(fields, bad):
    with pytest.raises(BlockValidationError) as err:
        block_type("problem").clean({"title": "Q", "prompt": "?", **fields})
    assert err.value.fields["field"] == bad


def test_numeric_answer_defaults_and_due_dates_are_normalised():
    fields = block_type("problem").clean({"title": "Pi", "kind": "numeric", "prompt": "pi?",
                                          "answer": {"value": 3.14, "tolerance": 0.01},
                                          "due": "2026-03-01T23:59:00Z"})
    assert fields["answer"] == {"value": 3.14, "tolerance": 0.01, "relative_tolerance": 0.0}
    assert fields["due"] == "2026-03-01T23:59:00+00:00"
    assert student_view("problem", "pi", fields)["due_at"] == "2026-03-01T23:59:00+00:00"


def test_markdown_is_sanitised():
    fields = block_type("html").clean(
        {"source": "<script>alert(1)</script>\n\n[x](javascript:alert(1))"})
    html = student_view("html", "h", fields)["html"]
    assert "<script" not in html and "href=\"javascript" not in html
    assert "&lt;script&gt;" in html  # shown as text, not run


def test_video_embeds_youtube_and_shows_the_transcript():
    fields = block_type("video").clean({"title": "Loops", "url": "https://youtu.be/abcdefgh",
                                        "transcript": "Hello <b>class</b>"})
    html = block_type("video").render_student_html("v", fields)
    assert "youtube-nocookie.com/embed/abcdefgh" in html
    assert "Hello &lt;b&gt;class&lt;/b&gt;" in html


def test_discussion_links_a_forum_topic():
    fields = block_type("discussion").clean({"title": "Questions", "topic_id": "week-1"})
    assert student_view("discussion", "d", fields) == {
        "id": "d", "type": "discussion", "title": "Questions", "topic_id": "week-1"}
    with pytest.raises(BlockValidationError):
        block_type("discussion").clean({"title": "Questions", "topic_id": "week 1"})


def test_grading_policy_weights_must_add_up():
    with pytest.raises(BlockValidationError) as err:
        block_type("course").clean({"title": "C", "grading_policy": {"assignment_types": [
            {"name": "Homework", "weight": 0.5}, {"name": "Exam", "weight": 0.2}]}})
    assert err.value.fields["field"] == "grading_policy.assignment_types"
