"""The draw: seeded, reproducible, within the rules, and really random across seeds."""

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes.draw import DrawnQuestion, NotEnoughQuestions, draw_paper


def choice(qid: str, tags: list[str], n_options: int = 4) -> dict:
    return {"id": qid, "tags": tags, "type": "problem", "title": qid,
            "kind": "multiple_choice", "prompt": f"{qid}?",
            "options": [{"id": f"o{i}", "label": str(i), "correct": i == 0}
                        for i in range(n_options)]}


BANKS = {
    "easy": [choice(f"e{i}", ["easy"] + (["loops"] if i % 2 else [])) for i in range(8)],
    "hard": [choice(f"h{i}", ["hard"], n_options=3) for i in range(5)],
}
QUIZ = {
    "questions": [choice("fixed", [])],
    "draw": [{"bank": "easy", "tags": ["loops"], "count": 2},
             {"bank": "easy", "tags": [], "count": 3},
             {"bank": "hard", "tags": [], "count": 2}],
    "shuffle_questions": True, "shuffle_options": True,
}
seeds = st.integers(min_value=0, max_value=2**63 - 1)


@given(seeds)
def test_the_same_seed_gives_the_same_paper(seed: int):
    assert draw_paper(QUIZ, BANKS, seed) == draw_paper(QUIZ, BANKS, seed)


@given(seeds)
def test_a_stored_paper_reads_back_unchanged(seed: int):
    paper = draw_paper(QUIZ, BANKS, seed)
    assert [DrawnQuestion.from_record(d.to_record()) for d in paper] == paper


@given(seeds)
def test_a_paper_obeys_every_rule(seed: int):
    paper = draw_paper(QUIZ, BANKS, seed)
    ids = [d.id for d in paper]
    assert len(ids) == 1 + 2 + 3 + 2 and len(set(ids)) == len(ids)
    assert "fixed" in ids
    from_easy = [d for d in paper if d.id.startswith("easy:")]
    assert len(from_easy) == 5 and sum("loops" in d.question["tags"] for d in from_easy) >= 2
    assert len([d for d in paper if d.id.startswith("hard:")]) == 2
    for drawn in paper:
        bank, _, qid = drawn.id.rpartition(":")
        assert drawn.question["id"] == qid
        if bank:
            assert drawn.question in BANKS[bank]
        options = [o["id"] for o in drawn.question["options"]]
        assert sorted(drawn.option_order) == sorted(options)


@settings(max_examples=30)
@given(seeds)
def test_without_shuffles_the_order_is_the_quiz_order(seed: int):
    quiz = {**QUIZ, "shuffle_questions": False, "shuffle_options": False}
    paper = draw_paper(quiz, BANKS, seed)
    assert paper[0].id == "fixed"
    banks_in_order = [d.id.split(":")[0] for d in paper[1:]]
    assert banks_in_order == ["easy"] * 5 + ["hard"] * 2
    positions = [int(d.id.split(":")[1][1:]) for d in paper[1:3]]
    assert positions == sorted(positions)  # a rule's questions keep their bank order
    assert all(d.option_order == tuple(o["id"] for o in d.question["options"]) for d in paper)


def test_draws_differ_between_seeds_and_reach_every_question():
    seen = Counter(d.id for seed in range(300) for d in draw_paper(QUIZ, BANKS, seed))
    assert set(seen) == {"fixed"} | {f"easy:e{i}" for i in range(8)} | {
        f"hard:h{i}" for i in range(5)}
    orders = {tuple(d.id for d in draw_paper(QUIZ, BANKS, seed)) for seed in range(50)}
    assert len(orders) > 40
    firsts = Counter(draw_paper(QUIZ, BANKS, seed)[0].option_order[0] for seed in range(200))
    assert len(firsts) == 4  # options really are shuffled


def test_a_rule_that_cannot_be_filled_says_which():
    quiz = {"draw": [{"bank": "hard", "tags": ["hard"], "count": 6}]}
    with pytest.raises(NotEnoughQuestions, match=r"rule 1 wants 6 .* only 5"):
        draw_paper(quiz, BANKS, 1)
