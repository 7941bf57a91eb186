"""The paper of one attempt: which questions, in which order, with options in which order.

A pure function of the quiz, the banks and the attempt's seed, so the same seed always
gives the same paper. The attempt stores the paper it got (questions included), so a
resume, a restart or a later edit of the bank never changes what a student is answering.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

CHOICE_KINDS = ("multiple_choice", "checkboxes")


@dataclass(frozen=True)
class DrawnQuestion:
    """One question of a paper. ``id`` is unique in the attempt: a fixed question's own id,
    or ``bank:id`` for a drawn one (``:`` never appears in an id, so they cannot clash)."""

    id: str
    question: Mapping[str, Any]  # the question's fields, answer keys included
    option_order: tuple[str, ...] = ()  # choice questions: option ids as shown

    def to_record(self) -> dict[str, Any]:
        return {"id": self.id, "question": dict(self.question),
                "option_order": list(self.option_order)}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> DrawnQuestion:
        return cls(record["id"], record["question"], tuple(record["option_order"]))


class NotEnoughQuestions(ValueError):
    """A draw rule cannot be filled (a bank changed under a published quiz)."""


def new_seed() -> int:
    return secrets.randbits(63)


def draw_paper(quiz: Mapping[str, Any], banks: Mapping[str, Sequence[Mapping[str, Any]]],
               seed: int) -> list[DrawnQuestion]:
    """The questions of an attempt seeded with ``seed``: the quiz's fixed questions, then
    each draw rule's questions (no question twice), shuffled if the quiz says so."""
    rng = random.Random(seed)
    chosen: list[tuple[str, Mapping[str, Any]]] = [
        (q["id"], q) for q in quiz.get("questions") or []]
    taken: set[str] = set()
    for number, rule in enumerate(quiz.get("draw") or [], 1):
        bank = rule["bank"]
        wanted = set(rule.get("tags") or ())
        pool = [q for q in banks.get(bank, ())
                if f"{bank}:{q['id']}" not in taken and wanted <= set(q.get("tags") or ())]
        if len(pool) < rule["count"]:
            raise NotEnoughQuestions(f"Draw rule {number} wants {rule['count']} question(s) "
                                     f"from {bank!r} but only {len(pool)} are available.")
        picked = sorted(rng.sample(range(len(pool)), rule["count"]))  # kept in bank order
        for index in picked:
            question = pool[index]
            taken.add(f"{bank}:{question['id']}")
            chosen.append((f"{bank}:{question['id']}", question))
    if quiz.get("shuffle_questions"):
        rng.shuffle(chosen)
    return [DrawnQuestion(qid, question, _option_order(question, rng,
                                                       bool(quiz.get("shuffle_options"))))
            for qid, question in chosen]


def _option_order(question: Mapping[str, Any], rng: random.Random,
                  shuffle: bool) -> tuple[str, ...]:
    if question.get("kind") not in CHOICE_KINDS:
        return ()
    order = [o["id"] for o in question.get("options") or []]
    if shuffle:
        rng.shuffle(order)
    return tuple(order)
