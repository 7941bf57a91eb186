"""Built-in graders: pure functions from (block fields, answer) to a GradeResult.

    validate_answer(block_type, fields, answer)  -> None, or BadInput / TooLarge
    grade(block_type, fields, answer)            -> GradeResult   (problem blocks)
    await grade_answer(block_type, fields, answer) -> GradeResult (problem and code)

No database, HTTP or queue here; grading/grade_job.py stores the results.
"""

from .answers import CODE_MAX_BYTES, TEXT_MAX_BYTES, validate_answer
from .blocks import (
    CodeExercise,
    MisconfiguredBlock,
    read_code_exercise,
    read_problem,
)
from .dispatch import grade, grade_answer
from .result import FeedbackItem, GradeResult

__all__ = [
    "CODE_MAX_BYTES",
    "TEXT_MAX_BYTES",
    "CodeExercise",
    "FeedbackItem",
    "GradeResult",
    "MisconfiguredBlock",
    "grade",
    "grade_answer",
    "read_code_exercise",
    "read_problem",
    "validate_answer",
]
