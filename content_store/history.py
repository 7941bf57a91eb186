"""What changed between two structures, for version history and conflict messages.

Structures are immutable snapshots, so a change summary is computed by diffing a
version with its predecessor instead of being recorded at write time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from content_store.keys import BlockKey
from content_store.structure import Structure, UserRef
from core.i18n import N_
from core.i18n import gettext as _


@dataclass(frozen=True)
class BlockChange:
    """One block that exists in both versions but differs; ``what`` lists the aspects."""

    block: BlockKey
    what: tuple[str, ...]  # changed settings field names, "content", "children", "moved"


@dataclass(frozen=True)
class StructureDiff:
    added: tuple[BlockKey, ...] = ()
    removed: tuple[BlockKey, ...] = ()
    changed: tuple[BlockChange, ...] = ()
    added_groups: tuple[tuple[BlockKey, int], ...] = ()  # top-level added, count inside
    removed_groups: tuple[tuple[BlockKey, int], ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def summary(self, limit: int = 6) -> str:
        """A one-line human summary, e.g. "added problem q3; changed html intro (content)".

        Blocks inside an added or removed block are counted, not listed, and a parent
        whose only change is that a child came or went is left out (the child says it).
        """
        parts = _grouped(True, self.added_groups) + _grouped(False, self.removed_groups)
        parts += [_("changed %(type)s %(id)s (%(what)s)", type=c.block.type, id=c.block.id,
                    what=", ".join(_(w) if w in _ASPECTS else w for w in c.what))
                  for c in self.changed if c.what != ("children",)]
        if not parts:
            return _("no changes")
        more = len(parts) - limit
        text = "; ".join(parts[:limit])
        return _("%(changes)s; and %(num)d more", changes=text, num=more) if more > 0 else text

    def as_dict(self) -> dict[str, Any]:
        return {"added": [list(k) for k in self.added],
                "removed": [list(k) for k in self.removed],
                "changed": [{"block": list(c.block), "what": list(c.what)} for c in self.changed],
                "summary": self.summary()}


def _top_level(keys: list[BlockKey], structure: Structure) -> tuple[tuple[BlockKey, int], ...]:
    """Blocks of ``keys`` whose parent is not in ``keys``, each with how many are inside it."""
    members = set(keys)
    out: list[tuple[BlockKey, int]] = []
    for key in keys:
        if structure.parents.get(key) not in members:
            inside = sum(1 for k in structure.descendants(key) if k in members) - 1
            out.append((key, inside))
    return tuple(out)


# The aspects of a change that are words, not field names (those stay as they are).
_ASPECTS = {N_("content"), N_("children"), N_("order"), N_("moved")}


def _grouped(added: bool, groups: tuple[tuple[BlockKey, int], ...]) -> list[str]:
    out = []
    for key, n in groups:
        if added:
            text = (_("added %(type)s %(id)s (with %(num)d inside)", type=key.type, id=key.id,
                      num=n) if n else _("added %(type)s %(id)s", type=key.type, id=key.id))
        else:
            text = (_("removed %(type)s %(id)s (with %(num)d inside)", type=key.type,
                      id=key.id, num=n)
                    if n else _("removed %(type)s %(id)s", type=key.type, id=key.id))
        out.append(text)
    return out


def diff_structures(old: Structure | None, new: Structure) -> StructureDiff:
    """Blocks added, removed and changed from ``old`` to ``new`` (outline order)."""
    if old is None:
        everything = new.descendants(new.root)
        return StructureDiff(added=tuple(everything),
                             added_groups=_top_level(everything, new))
    added = [k for k in new.descendants(new.root) if k not in old.blocks]
    removed = [k for k in old.descendants(old.root) if k not in new.blocks]
    changed = []
    for key in new.descendants(new.root):
        before, after = old.blocks.get(key), new.blocks[key]
        if before is None or before is after:
            continue
        what = sorted(n for n in {*before.fields, *after.fields}
                      if before.fields.get(n) != after.fields.get(n))
        if before.definition != after.definition:
            what.append("content")
        if set(before.children) != set(after.children):
            what.append("children")
        elif before.children != after.children:
            what.append("order")
        if old.parents.get(key) != new.parents.get(key):
            what.append("moved")
        if what:
            changed.append(BlockChange(key, tuple(what)))
    return StructureDiff(tuple(added), tuple(removed), tuple(changed),
                         added_groups=_top_level(added, new),
                         removed_groups=_top_level(removed, old))


@dataclass(frozen=True)
class VersionInfo:
    """One entry of a branch's history, newest first."""

    version: str
    previous_version: str | None
    edited_by: UserRef
    edited_on: datetime
    changes: StructureDiff = field(default_factory=StructureDiff)
    earlier_history_pruned: bool = False

    @property
    def summary(self) -> str:
        if self.previous_version is None:
            return _("created the course")
        if self.earlier_history_pruned:
            return _("earlier versions were pruned")
        return self.changes.summary()
