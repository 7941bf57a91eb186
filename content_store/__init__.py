"""Course content: course index -> immutable structures -> definitions (split-modulestore
style), block types, course folders, and an embedded persistent database for demos.

Wiring: ``store = ContentStore(motor_db); await store.ensure_indexes()`` at startup.
"""

from pathlib import Path

from content_store.errors import (
    BlockNotFound,
    BlockValidationError,
    CourseExists,
    CourseFolderError,
    CourseNotFound,
    VersionConflict,
    VersionNotFound,
)
from content_store.keys import BlockKey, CourseKey, format_course_id, parse_course_id
from content_store.records import DRAFT, PUBLISHED, BlockView, Commit, CourseIndex
from content_store.store import ContentStore
from core.i18n import add_locale_dir

# content_store has no templates/ for core.templating to find its locale/ beside, so its
# translations (field labels, import errors, change summaries) are loaded here.
add_locale_dir(Path(__file__).resolve().parent / "locale")

__all__ = [
    "DRAFT",
    "PUBLISHED",
    "BlockKey",
    "BlockNotFound",
    "BlockValidationError",
    "BlockView",
    "Commit",
    "ContentStore",
    "CourseExists",
    "CourseFolderError",
    "CourseIndex",
    "CourseKey",
    "CourseNotFound",
    "VersionConflict",
    "VersionNotFound",
    "format_course_id",
    "parse_course_id",
]
