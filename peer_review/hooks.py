"""How peer review plugs into grading: the `peer_review` block type's hooks.

Grading stores a response's attempt (deadline, late policy, one response per student);
peer review says what the block is worth (its rubric), reads and checks the answer,
queues the response once it is stored, and later hands grading its score
(peer_review.results) or withdraws it (peer_review.responses).
peer_review.install registers `PEER_REVIEW` with the Runtime's block types.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.errors import BadInput, TooLarge
from core.i18n import gettext as _
from grading.api import BlockType, GradedBlock
from models.grading import Status
from peer_review.responses import submission_received

TEXT_MAX_BYTES = 100_000


def validate_response(block: GradedBlock, answer: Any) -> None:
    """A response is non-blank valid Unicode text under TEXT_MAX_BYTES."""
    text = answer.get("text") if isinstance(answer, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise BadInput(_("Write your response."), fields={"answer.text": "Required."})
    try:
        size = len(text.encode())
    except UnicodeEncodeError:  # a lone surrogate such as JSON "\ud800"
        raise BadInput(_("Your response is not valid Unicode text."),
                       fields={"answer.text": "invalid unicode"}) from None
    if size > TEXT_MAX_BYTES:
        raise TooLarge(_("Keep your response under %(limit)s kB.", limit=TEXT_MAX_BYTES // 1000))


def rubric_points(fields: Mapping[str, Any]) -> float:
    """The block's maximum: the best option of every rubric criterion, summed."""
    criteria = (fields.get("rubric") or {}).get("criteria") or []
    return float(sum(max((o.get("points", 0) for o in c.get("options") or []),
                         default=0) for c in criteria))


def response_from_form(form: Mapping[str, Any]) -> dict[str, Any]:
    """A response posted from the unit page's answer form."""
    return {"text": form.get("text", "")}


PEER_REVIEW = BlockType(
    validate=validate_response, submitted=submission_received,
    waits_in=Status.AWAITING_PEER_REVIEW,
    once="You have already submitted a response for peer review.",
    max_points=rubric_points, form_answer=response_from_form)
