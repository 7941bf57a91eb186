"""Course as code: import a course folder (or .tar.gz) into the store, export it back.

The layout is documented in FORMAT.md. Import validates every file first (errors name
the file and line), then applies the whole folder as ONE bulk edit: one new draft
structure, one index write, definitions reused where content did not change. An
import that changes nothing writes nothing. ``import_course(export_course(x)) == x``.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from content_store import bank_files, folder_io
from content_store.blocks import block_type
from content_store.editor import CourseEditor
from content_store.errors import BlockValidationError, CourseFolderError, CourseNotFound
from content_store.folder_io import Document, Files
from content_store.keys import BlockKey, CourseKey, check_block_id, parse_course_id
from content_store.records import DRAFT
from content_store.store import ContentStore
from content_store.structure import UserRef
from core.i18n import gettext as _

Progress = Callable[[int, int, str], None]  # (done, total, what is happening)

# Folder levels: the folder that holds each kind, and the file describing it.
LEVELS = (("chapter", "chapter.yaml"), ("sequential", "sequential.yaml"),
          ("vertical", "unit.yaml"))
_ORDER_PREFIX = re.compile(r"^\d+[-_]")
_COMPONENT_SUFFIXES = (".md", ".yaml", ".yml")
_IDENTITY = ("org", "number", "run")


@dataclass
class _Node:
    key: BlockKey
    parent: BlockKey
    fields: dict[str, Any]
    doc: Document


async def import_course(store: ContentStore, source: str | os.PathLike[str] | bytes,
                        user: UserRef, *, publish: bool = False,
                        progress: Progress | None = None, course_id: str | None = None,
                        expected_version: str | None = None,
                        max_bytes: int = folder_io.MAX_BYTES) -> str:
    """Import a course folder (a path, or .tar.gz bytes); returns the new draft version.

    Creates the course if needed. ``course_id``, when given, must match course.yaml
    (an upload to one course's URL must not overwrite another). ``publish`` publishes
    the imported draft too.
    """
    report = progress or (lambda done, total, message: None)
    # Unpacking, reading and validating a whole course is CPU and disk work: in a thread,
    # so a server keeps serving other requests while an upload is checked.
    files = await asyncio.to_thread(
        folder_io.read_archive if isinstance(source, bytes) else folder_io.read_directory,
        source, max_bytes=max_bytes)
    key, root_fields, nodes = await asyncio.to_thread(parse_folder, files, report)
    if course_id is not None and parse_course_id(course_id) != key:
        raise CourseFolderError(_("course.yaml describes %(found)s, not %(wanted)s.",
                                  found=str(key), wanted=course_id),
                                file="course.yaml", line=1)
    try:
        await store.get_course_index(key)
    except CourseNotFound:
        await store.create_course(*key, user, title=root_fields["title"])
    total = len(nodes) + 1
    async with store.bulk_edit(key, user, expected_version=expected_version) as edit:
        await _apply(edit, root_fields, nodes, lambda n: report(n, total, _("Saving blocks")))
    report(total, total, _("Saved"))
    assert edit.result is not None
    if publish:
        await store.publish(key, user)
    return edit.result.version


def parse_folder(files: Files, report: Progress | None = None,
                 ) -> tuple[CourseKey, dict[str, Any], list[_Node]]:
    """Validate a whole folder: (course key, root fields, blocks in outline order)."""
    if "course.yaml" not in files:
        raise CourseFolderError(_("A course folder needs a course.yaml at its top."),
                                file="course.yaml")
    course_doc = folder_io.parse_yaml("course.yaml", _text(files, "course.yaml"))
    fields = dict(course_doc.data)
    for part in _IDENTITY:
        if not isinstance(fields.get(part), str | int):
            raise course_doc.error(_("needs %(part)s: (the course's %(part)s).", part=part),
                                   [part] if part in fields else [])
    key = CourseKey(*(str(fields.pop(part)) for part in _IDENTITY))
    try:
        str(key)  # validates the characters of each part
    except BlockValidationError as exc:
        raise course_doc.error(exc.message, [exc.fields.get("field", "org")]) from None
    root = BlockKey("course", "course")
    if "question_banks" in fields:
        raise course_doc.error(_("question banks are files of their own: banks/<name>.yaml."),
                               ["question_banks"])
    root_fields = _clean("course", fields, course_doc)
    banks = bank_files.read_banks(files)
    if banks:
        root_fields["question_banks"] = banks
    nodes: list[_Node] = []
    _walk(files, "", 0, root, nodes)
    seen: dict[str, str] = {}
    for number, node in enumerate(nodes, 1):
        if node.key.id in seen or node.key.id == root.id:
            raise node.doc.error(_("uses the id %(id)r, already used by %(where)s.", id=node.key.id,
                                   where=seen.get(node.key.id) or _("the course")))
        seen[node.key.id] = node.doc.file
        if node.key.type == "quiz":
            bank_files.check_quiz_draws(node.fields, node.doc, banks)
        if report:
            report(number, len(nodes), _("Checking files"))
    return key, root_fields, nodes


def _walk(files: Files, folder: str, depth: int, parent: BlockKey, out: list[_Node]) -> None:
    """Collect the blocks under ``folder`` (parents before children, in name order)."""
    entries = sorted({name[len(folder):].split("/", 1)[0] for name in files
                      if name.startswith(folder) and name != folder})
    if depth == len(LEVELS):  # inside a unit: one file per component
        for entry in entries:
            path = folder + entry
            if path not in files or not entry.endswith(_COMPONENT_SUFFIXES):
                raise CourseFolderError(_("A unit folder holds unit.yaml and one .md or .yaml "
                                          "file per component."), file=path)
            if entry != "unit.yaml":
                out.append(_component(files, path, parent))
        return
    kind, describing = LEVELS[depth]
    for entry in entries:
        path = folder + entry
        if depth == 0 and entry == bank_files.FOLDER:
            continue  # question banks (bank_files)
        if path in files:  # a file, not a folder
            if depth == 0 or entry == LEVELS[depth - 1][1]:
                continue  # course.yaml, README.md... at the top; own description below
            raise CourseFolderError(_("Only %(kind)s folders belong here.", kind=kind), file=path)
        info = f"{path}/{describing}"
        if info not in files:
            raise CourseFolderError(_("A %(kind)s folder needs a %(file)s.", kind=kind,
                                      file=describing), file=info)
        doc = folder_io.parse_yaml(info, _text(files, info))
        key = BlockKey(kind, _id_from_name(entry, info))
        fields = dict(doc.data)
        if fields.pop("type", kind) != kind:
            raise doc.error(_("describes a %(kind)s; remove the type: key.", kind=kind), ["type"])
        out.append(_Node(key, parent, _clean(kind, fields, doc), doc))
        _walk(files, f"{path}/", depth + 1, key, out)


def _component(files: Files, path: str, parent: BlockKey) -> _Node:
    name = path.rsplit("/", 1)[-1]
    if name.endswith(".md"):
        doc = folder_io.parse_markdown(path, _text(files, path))
        fields = dict(doc.data)
        type_name = str(fields.pop("type", "html"))
    else:
        doc = folder_io.parse_yaml(path, _text(files, path))
        fields = dict(doc.data)
        if "type" not in fields:
            raise doc.error(_("needs a type: (html, video, problem, code, peer_review or "
                              "discussion)."))
        type_name = str(fields.pop("type"))
    try:
        kind = block_type(type_name)
    except BlockValidationError as exc:
        raise doc.error(exc.message, ["type"], **exc.fields) from None
    if parent.type == "vertical" and type_name not in block_type("vertical").children:
        raise doc.error(_("a %(type)s cannot be a unit component.", type=type_name), ["type"])
    if doc.body is not None and (doc.body or kind.body_field):
        if kind.body_field is None:
            raise CourseFolderError(_("a %(type)s has no Markdown body; use a .yaml file.",
                                      type=type_name),
                                    file=path, line=doc.body_line)
        if kind.body_field in fields:
            raise doc.error(_("%(field)s is given in the front matter and as the body.",
                              field=kind.body_field),
                            [kind.body_field])
        fields[kind.body_field] = doc.body
    key = BlockKey(type_name, _id_from_name(name.rsplit(".", 1)[0], path))
    return _Node(key, parent, _clean(type_name, fields, doc), doc)


def _clean(type_name: str, fields: dict[str, Any], doc: Document) -> dict[str, Any]:
    """Validate fields, turning a schema error into one that names file and line."""
    try:
        return block_type(type_name).clean(fields)
    except BlockValidationError as exc:
        path = exc.fields.get("path") or ([exc.fields["field"]] if "field" in exc.fields else [])
        kind = block_type(type_name)
        if path and path[0] == kind.body_field and path[0] not in doc.data:
            line = doc.body_line
        else:
            line = doc.line_of(path) if path else None
        raise CourseFolderError(exc.message, file=doc.file, line=line,
                                fields=exc.fields) from None


def _id_from_name(name: str, file: str) -> str:
    """``02-loops`` -> ``loops``: the number only orders the outline."""
    try:
        return check_block_id(_ORDER_PREFIX.sub("", name, count=1))
    except BlockValidationError as exc:
        raise CourseFolderError(_("the name gives the block id %(id)r: %(problem)s", id=name,
                                  problem=exc.message),
                                file=file) from None


def _text(files: Files, name: str) -> str:
    try:
        return files[name].decode("utf-8")
    except UnicodeDecodeError:
        raise CourseFolderError(_("is not UTF-8 text."), file=name) from None


async def _apply(edit: CourseEditor, root_fields: dict[str, Any], nodes: list[_Node],
                 report: Callable[[int], None]) -> None:
    """Make the draft match the folder exactly, touching only what differs."""
    root = edit.base.root
    await edit.update_block(root, root_fields, replace_all=True)
    wanted = {node.key for node in nodes}
    for node in nodes:  # an id now used by a block of another type: replace that block
        if node.key.id in edit and edit.key_for(node.key.id) != node.key:
            edit.delete_block(node.key.id)
    for number, node in enumerate(nodes, 1):  # parents come first, so they exist
        if node.key in edit:
            if edit.parent(node.key) != node.parent:
                edit.move_block(node.key, node.parent)
            await edit.update_block(node.key, node.fields, replace_all=True)
        else:
            await edit.create_block(node.parent, node.key.type, node.fields,
                                    block_id=node.key.id)
        report(number)
    for key in edit.subtree(root):
        if key != root and key not in wanted and key in edit:
            edit.delete_block(key)
    children: dict[BlockKey, list[BlockKey]] = {}
    for node in nodes:
        children.setdefault(node.parent, []).append(node.key)
    for parent, order in children.items():
        edit.reorder_children(parent, order)


# -- export -------------------------------------------------------------------------

async def course_files(store: ContentStore, course_id: str | CourseKey, branch: str = DRAFT,
                       progress: Progress | None = None) -> dict[str, str]:
    """The course folder as ``{relative path: text}`` (what export writes)."""
    key = parse_course_id(course_id)
    structure = await store.get_branch(key, branch)
    order = structure.descendants(structure.root)
    contents = await store.definitions_for([structure.blocks[k].definition for k in order])

    def fields_of(block_key: BlockKey) -> dict[str, Any]:
        block = structure.blocks[block_key]
        merged = {**block.fields, **contents[block.definition]}
        return {f.name: merged[f.name] for f in block_type(block_key.type).fields
                if f.name in merged}

    root_fields = fields_of(structure.root)
    banks = root_fields.pop("question_banks", None) or {}
    files = {"course.yaml": folder_io.dump_yaml(
        {"org": key.org, "number": key.number, "run": key.run, **root_fields}),
        **bank_files.bank_files(banks)}
    done = 0

    def write(block_key: BlockKey, folder: str, depth: int) -> None:
        nonlocal done
        for n, child in enumerate(structure.blocks[block_key].children, 1):
            name = f"{folder}{n:02d}-{child.id}"
            fields = fields_of(child)
            if depth < len(LEVELS):
                files[f"{name}/{LEVELS[depth][1]}"] = folder_io.dump_yaml(fields)
                write(child, f"{name}/", depth + 1)
            else:
                body_field = block_type(child.type).body_field
                if body_field and isinstance(fields.get(body_field), str):
                    body = fields.pop(body_field)
                    files[f"{name}.md"] = folder_io.dump_markdown(
                        {"type": child.type, **fields}, body)
                else:
                    files[f"{name}.yaml"] = folder_io.dump_yaml({"type": child.type, **fields})
            done += 1
            if progress:
                progress(done, len(order) - 1, "Writing files")

    write(structure.root, "", 0)
    return files


async def export_course(store: ContentStore, course_id: str | CourseKey,
                        path: str | os.PathLike[str], progress: Progress | None = None, *,
                        branch: str = DRAFT, overwrite: bool = False) -> list[str]:
    """Write the course as a folder at ``path``; returns the files written.

    ``path`` must be empty or missing, unless ``overwrite`` (then everything in it but
    hidden entries such as .git is replaced).
    """
    files = await course_files(store, course_id, branch, progress)
    await asyncio.to_thread(folder_io.write_directory, files, path, overwrite=overwrite)
    return sorted(files)


async def export_course_archive(store: ContentStore, course_id: str | CourseKey,
                                branch: str = DRAFT) -> bytes:
    """The course folder as .tar.gz bytes (what the import endpoint accepts)."""
    return folder_io.write_archive(await course_files(store, course_id, branch))
