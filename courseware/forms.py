"""Turning a block's editor form (all text) into typed field values, and back.

The form is generated from the block type's `editor_form()`; each widget kind has one
way to show a value and one way to read it back. Structured fields (options, rubrics,
numeric answers) are edited as YAML, the same notation as course folders.
"""

from __future__ import annotations

from typing import Any

from content_store import folder_io
from content_store.blocks import BlockType
from core.errors import BadInput
from core.human_time import as_instant, local_input_value, parse_local_time
from core.i18n import gettext as _


def form_text(entry: dict[str, Any], value: Any, zone: str | None = None) -> str:
    """How a field's current value appears in its input (a date-time on the clock of `zone`,
    the editor's)."""
    if value is None:
        return ""
    if entry["widget"] == "datetime":
        return local_input_value(as_instant(value), zone)
    if entry["widget"] == "structured":
        return folder_io.dump_yaml(value)
    if entry["widget"] == "number" and isinstance(value, float) and value.is_integer():
        return str(int(value)) if entry["kind"] == "int" else f"{value:g}"
    return str(value)


def form_values(kind: BlockType, form: dict[str, str],
                zone: str | None = None) -> tuple[dict[str, Any], list[str]]:
    """(values to set, fields to return to their default) from a submitted form.

    An empty optional input means "the default"; the block type then validates the
    result and names any field at fault. Date-times are typed on the clock of `zone`.
    """
    values: dict[str, Any] = {}
    unset: list[str] = []
    errors: dict[str, str] = {}
    for entry in kind.editor_form():
        name, widget = entry["name"], entry["widget"]
        if widget == "checkbox":
            checked = form.get(name) in ("on", "true", "1")
            if checked == entry["default"]:
                unset.append(name)  # defaults are not stored (nor checked per kind)
            else:
                values[name] = checked
            continue
        raw = form.get(name, "")
        if widget not in ("markdown", "code", "textarea"):
            raw = raw.strip()
        if raw.strip() == "":
            if entry["required"]:
                values[name] = raw
            else:
                unset.append(name)
            continue
        try:
            values[name] = _parse(entry, raw, zone)
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        raise BadInput(_("Please correct the highlighted fields."), fields=errors)
    return values, unset


def _parse(entry: dict[str, Any], raw: str, zone: str | None) -> Any:
    widget, kind = entry["widget"], entry["kind"]
    if widget == "datetime":
        return parse_local_time(raw, zone)
    if widget == "number":
        try:
            return int(raw) if kind == "int" else float(raw)
        except ValueError:
            raise ValueError(_("Enter a number.")) from None
    if widget == "structured":
        try:
            return folder_io.load_yaml(raw)[1]
        except folder_io.YamlProblem as exc:
            if exc.line:
                raise ValueError(_("Line %(line)s: this %(problem)s", line=exc.line,
                                   problem=exc.message)) from None
            raise ValueError(_("This %(problem)s", problem=exc.message)) from None
    if widget in ("markdown", "code", "textarea"):
        return raw.replace("\r\n", "\n")
    return raw
