"""What a block type is: a field schema, allowed children, a student view and an editor form.

Fields have a *scope*, as in the split modulestore: ``settings`` fields live on the block
inside the (small, cached) structure, ``content`` fields live in a separate definition
document that is only rewritten when the content changes. Titles are settings, so an
outline never needs a definition.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, select_autoescape

from content_store.blocks import checks
from content_store.blocks.checks import Checker, FieldProblem
from content_store.errors import BlockValidationError
from content_store.markdown import render_markdown
from core.i18n import gettext as _
from core.templating import time_tag

Scope = Literal["settings", "content"]

# The input widget a generic editor form uses for each kind of field.
WIDGETS: dict[str, str] = {
    "title": "text", "text": "text", "ident": "text", "markdown": "markdown",
    "code": "code", "longtext": "textarea", "int": "number", "float": "number",
    "bool": "checkbox", "datetime": "datetime", "choice": "select", "url": "url",
    "structured": "structured",
}

_SIMPLE: dict[str, Checker] = {
    "title": checks.check_title, "text": checks.check_str, "ident": checks.check_ident,
    "markdown": checks.check_markdown, "code": checks.check_str,
    "longtext": checks.check_str, "int": checks.check_int, "float": checks.check_float,
    "bool": checks.check_bool, "datetime": checks.check_datetime, "url": checks.check_url,
}


@dataclass(frozen=True)
class Field:
    """One field of a block type's schema."""

    name: str
    kind: str
    label: str
    required: bool = False
    default: Any = None
    nullable: bool = False
    scope: Scope = "settings"
    choices: tuple[str, ...] = ()
    help: str = ""
    check: Checker | None = None  # for "structured" fields and extra limits

    def clean(self, value: Any) -> Any:
        path: checks.Path = (self.name,)
        if value is None:
            if self.nullable:
                return None
            raise FieldProblem(path, _("must not be empty"))
        if self.kind == "choice":
            value = checks.check_choice(self.choices)(value, path)
        elif self.kind in _SIMPLE:
            value = _SIMPLE[self.kind](value, path)
        return self.check(value, path) if self.check else value

    def form_entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "name": self.name, "label": _(self.label), "widget": WIDGETS[self.kind],
            "kind": self.kind, "required": self.required, "default": self.default,
            "nullable": self.nullable, "help": _(self.help) if self.help else "",
        }
        if self.choices:
            entry["choices"] = list(self.choices)
        return entry


_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True, lstrip_blocks=True,
)
# Rendered once for everyone: times come out in UTC and the page shows them on the viewer's clock.
_templates.filters["when"] = time_tag


@dataclass(frozen=True)
class BlockType:
    """A block type: its schema, what it may contain, and how a student sees it."""

    name: str
    label: str
    fields: tuple[Field, ...]
    children: frozenset[str] = frozenset()
    body_field: str | None = None  # the field a course folder's Markdown body fills
    check_block: Callable[[dict[str, Any]], None] | None = None
    view: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None
    _by_name: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({f.name: f for f in self.fields})

    @property
    def display_name(self) -> str:
        """The type's name in the current language ("Text", "Teksti", "Texto")."""
        return _(self.label)

    def field(self, name: str) -> Field | None:
        return self._by_name.get(name)

    def clean(self, values: dict[str, Any]) -> dict[str, Any]:
        """Validate a complete set of fields; return them cleaned (no defaults added).

        Raises BlockValidationError naming the field (dotted path for nested values).
        """
        if not isinstance(values, dict):
            raise BlockValidationError(_("%(type)s fields must be a mapping.",
                                         type=self.display_name),
                                       fields={"block_type": self.name})
        # key=str: YAML 1.1 reads ``on:``/``yes:`` keys as booleans, which do not sort
        # against strings.
        unknown = [str(k) for k in sorted(set(values) - set(self._by_name), key=str)]
        if unknown:
            raise BlockValidationError(
                _("%(type)s has no field %(field)r; known fields: %(known)s.",
                  type=self.display_name, field=unknown[0], known=", ".join(self._by_name)),
                fields={"block_type": self.name, "field": unknown[0],
                        "unknown": unknown, "known": list(self._by_name)},
            )
        cleaned: dict[str, Any] = {}
        try:
            for f in self.fields:
                if f.name in values:
                    cleaned[f.name] = f.clean(copy.deepcopy(values[f.name]))
                elif f.required:
                    raise FieldProblem((f.name,), _("is required"))
            if self.check_block:
                self.check_block(self.with_defaults(cleaned))
        except FieldProblem as problem:
            name = checks.dotted(problem.path)
            raise BlockValidationError(
                _("%(type)s field %(field)r %(problem)s.", type=self.display_name,
                  field=name, problem=problem.message),
                fields={"block_type": self.name, "field": name,
                        "path": list(problem.path), "problem": problem.message},
            ) from None
        return cleaned

    def with_defaults(self, values: dict[str, Any]) -> dict[str, Any]:
        """Stored fields plus defaults for the ones never set (defaults are not stored)."""
        out = {f.name: copy.deepcopy(f.default) for f in self.fields}
        out.update(values)
        return out

    def split(self, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Split cleaned fields into (settings, content) by each field's scope."""
        settings = {k: v for k, v in values.items() if self._by_name[k].scope == "settings"}
        content = {k: v for k, v in values.items() if self._by_name[k].scope == "content"}
        return settings, content

    def editor_form(self) -> list[dict[str, Any]]:
        """The fields a generic editor form shows, in order, with their widget kinds."""
        return [f.form_entry() for f in self.fields]

    def student_view(self, block_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """JSON a student may see: never answer keys, feedback keys or hidden tests."""
        full = self.with_defaults(values)
        if self.view:
            return self.view(block_id, full)
        return {"id": block_id, "type": self.name, "title": full.get("title") or ""}

    def render_student_html(self, block_id: str, values: dict[str, Any]) -> str:
        """The student view as an HTML fragment (semantic, Pico CSS friendly).

        Templates only ever see the student view, so they cannot leak answers.
        """
        template = _templates.get_template(f"{self.name}.html")
        return template.render(block=self.student_view(block_id, values))


def markdown_html(source: str | None) -> str:
    """Sanitised HTML for a Markdown field, as a plain string for JSON views."""
    return str(render_markdown(source))
