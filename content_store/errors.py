"""Errors the content store raises. Each maps onto one of core.errors' HTTP-aware types,
so a route never has to translate them."""

from __future__ import annotations

from typing import Any

from core.errors import BadInput, Conflict, NotFound, TooLarge


class VersionConflict(Conflict):
    """A branch moved since the caller loaded it; the edit was not applied.

    ``fields`` carries ``expected_version``, ``actual_version`` and, when it can be
    computed, ``changes``: a summary of what the other edit(s) changed.
    """

    code = "version_conflict"


class CourseNotFound(NotFound):
    code = "course_not_found"


class BlockNotFound(NotFound):
    code = "block_not_found"


class CourseExists(Conflict):
    code = "course_exists"


class BlockValidationError(BadInput):
    """Block fields (or a block type, or a tree edit) are not valid.

    ``fields`` names at least ``block_type`` and, when one field is at fault, ``field``.
    """

    code = "invalid_block"


class CourseFolderError(BadInput):
    """A course folder or archive cannot be imported; ``fields`` has ``file`` and ``line``."""

    code = "invalid_course_folder"

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 fields: dict[str, Any] | None = None) -> None:
        merged = dict(fields or {})
        if file is not None:
            merged["file"] = file
        if line is not None:
            merged["line"] = line
        where = file if line is None else f"{file}:{line}"
        super().__init__(f"{where}: {message}" if file else message, fields=merged)


class VersionNotFound(NotFound):
    code = "version_not_found"


class ArchiveTooLarge(TooLarge):
    """A course archive unpacks to more bytes or files than the configured limit."""

    code = "archive_too_large"
