"""Reading and writing the files of a course folder (see FORMAT.md).

Reading never trusts its input: a tar archive is read into memory member by member
(nothing is extracted to disk), and absolute paths, ``..``, links, devices and
oversize content are refused before any content is used. YAML is parsed keeping each
node's line number so validation errors can point at ``file:line``.

One idea at ~320 lines: the folder's file format in both directions, kept together so a
reader checks that what is written is exactly what is read back (import(export(x)) == x).
"""

from __future__ import annotations

import io
import os
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from content_store.errors import ArchiveTooLarge, CourseFolderError
from core.i18n import gettext as _

MAX_BYTES = 50 * 1024 * 1024
MAX_FILES = 5000

Files = dict[str, bytes]  # relative POSIX path -> content


def read_directory(root: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES,
                   max_files: int = MAX_FILES) -> Files:
    """All regular files under ``root`` (hidden ones, like .git, are skipped)."""
    base = Path(root)
    if not (base / "course.yaml").is_file():
        raise CourseFolderError(_("A course folder needs a course.yaml at its top."),
                                file="course.yaml")
    files: Files = {}
    total = 0
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(base)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_symlink():
            raise CourseFolderError(_("Symbolic links are not allowed in a course folder."),
                                    file=rel.as_posix())
        if path.is_file():
            total += path.stat().st_size
            _check_limits(total, len(files) + 1, max_bytes, max_files)
            files[rel.as_posix()] = path.read_bytes()
    return files


def read_archive(data: bytes, *, max_bytes: int = MAX_BYTES,
                 max_files: int = MAX_FILES) -> Files:
    """The regular files of a (gzipped) tar archive, checked member by member."""
    files: Files = {}
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            while (member := archive.next()) is not None:
                name = _safe_name(member.name)
                if member.isdir():
                    continue
                if not member.isfile():
                    kind = "link" if member.issym() or member.islnk() else "special file"
                    raise CourseFolderError(_("The archive contains a %(kind)s; only regular "
                                              "files and folders are allowed.", kind=kind),
                                            file=name)
                total += member.size
                _check_limits(total, len(files) + 1, max_bytes, max_files)
                if name is None or any(p.startswith(".") for p in PurePosixPath(name).parts):
                    continue
                extracted = archive.extractfile(member)
                files[name] = extracted.read() if extracted else b""
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise CourseFolderError(_("This is not a readable .tar.gz archive (%(problem)s).",
                                  problem=exc)) from None
    return _strip_single_top_folder(files)


def _safe_name(raw: str) -> str | None:
    path = PurePosixPath(raw)
    if raw.startswith(("/", "\\")) or path.is_absolute() or (raw[1:3] == ":\\"):
        raise CourseFolderError(_("The archive contains an absolute path."), file=raw)
    if ".." in path.parts or "\\" in raw:
        raise CourseFolderError(_("The archive contains a path that leaves its folder."), file=raw)
    parts = [p for p in path.parts if p != "."]
    return "/".join(parts) or None


def _check_limits(total: int, count: int, max_bytes: int, max_files: int) -> None:
    if total > max_bytes:
        raise ArchiveTooLarge(_("The course is larger than the %(limit)s byte limit.",
                                limit=format(max_bytes, ",")),
                              fields={"max_bytes": max_bytes})
    if count > max_files:
        raise ArchiveTooLarge(_("The course has more than %(limit)s files.",
                                limit=format(max_files, ",")),
                              fields={"max_files": max_files})


def _strip_single_top_folder(files: Files) -> Files:
    """``tar czf c.tgz my-course/`` puts everything under my-course/: look inside it."""
    if "course.yaml" in files or not files:
        return files
    tops = {name.split("/", 1)[0] for name in files}
    if len(tops) == 1:
        (top,) = tops
        if f"{top}/course.yaml" in files:
            return {name[len(top) + 1:]: data for name, data in files.items()}
    return files


def write_directory(files: dict[str, str], path: str | os.PathLike[str], *,
                    overwrite: bool = False) -> None:
    """Write a course folder's files under ``path`` (which must be empty unless
    ``overwrite``; then all but hidden entries, such as .git, are replaced)."""
    target = Path(path)
    existing = ([p for p in target.iterdir() if not p.name.startswith(".")]
                if target.exists() else [])
    if existing and not overwrite:
        raise CourseFolderError(_("%(folder)s is not empty; pass overwrite=True to replace it.",
                                  folder=target))
    for entry in existing:
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for name, text in files.items():
        out = target / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")


def write_archive(files: dict[str, str]) -> bytes:
    """A .tar.gz of a course folder's files, rooted at the course folder."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in sorted(files.items()):
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


# -- YAML with line numbers ---------------------------------------------------------

@dataclass
class Document:
    """A parsed YAML mapping plus what is needed to report errors in it."""

    file: str
    data: dict[str, Any]
    node: Node | None
    line_offset: int = 0  # lines before the YAML starts (front matter's opening ---)
    body: str | None = None  # Markdown after the front matter
    body_line: int | None = None

    def line_of(self, path: list[str | int] | tuple[str | int, ...]) -> int | None:
        """The line of the deepest node on ``path`` (1-based, in the whole file)."""
        node = self.node
        if node is None:
            return None
        line = node.start_mark.line + 1
        for part in path:
            if isinstance(node, MappingNode):
                match = next(((k, v) for k, v in node.value
                              if isinstance(k, ScalarNode) and str(part) in
                              (k.value, _key_text(k))), None)
                if match is None:
                    break
                line, node = match[0].start_mark.line + 1, match[1]
            elif isinstance(node, SequenceNode) and isinstance(part, int) \
                    and part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                break
        return line + self.line_offset

    def error(self, message: str, path: list[str | int] | tuple[str | int, ...] = (),
              **fields: Any) -> CourseFolderError:
        return CourseFolderError(message, file=self.file, line=self.line_of(path) if path
                                 else None, fields=fields)


MAX_YAML_DEPTH = 64  # far deeper than any course file; PyYAML recurses per level


class YamlProblem(ValueError):
    """Text that cannot be read as YAML; ``line`` is 1-based within the text, if known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message, self.line = message, line


def load_yaml(text: str) -> tuple[Node | None, Any]:
    """(node tree, value) of one YAML document; YamlProblem for anything unreadable.

    PyYAML's composer and constructor recurse once per nesting level, so a short
    ``[[[[...`` would exhaust Python's stack: nesting is checked first, on the event
    stream, which is read without recursion and knows each event's line. Anchors and
    aliases are refused there too: nested aliases grow tenfold per level ("billion
    laughs": 246 bytes took 9.4 s), and a course file has no need of them.
    """
    try:
        depth = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise YamlProblem(_("uses a YAML anchor or alias (&name / *name); write the "
                                    "value out in full instead."), event.start_mark.line + 1)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise YamlProblem(_("nests more than %(depth)s levels deep.",
                                        depth=MAX_YAML_DEPTH),
                                      event.start_mark.line + 1)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(_("is not valid YAML: %(problem)s", problem=exc.problem or exc),
                          mark.line + 1 if mark else None) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        # Constructor failures that are not MarkedYAMLErrors: an impossible date
        # (2026-13-45) is a ValueError, an unhashable key a TypeError.
        if isinstance(exc, YamlProblem):
            raise
        raise YamlProblem(_("is not valid YAML: %(problem)s", problem=exc), None) from None
    return node, data


def parse_yaml(file: str, text: str, line_offset: int = 0) -> Document:
    """Parse a YAML mapping, keeping nodes for line numbers; errors name file and line."""
    try:
        node, data = load_yaml(text)
    except YamlProblem as exc:
        line = exc.line + line_offset if exc.line is not None else 1 + line_offset
        raise CourseFolderError(exc.message, file=file, line=line) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise CourseFolderError(_("must be a YAML mapping of field: value."), file=file,
                                line=1 + line_offset)
    doc = Document(file, data, node, line_offset)
    _reject_duplicate_keys(doc, node)
    return doc


def parse_yaml_list(file: str, text: str) -> Document:
    """Parse a YAML list (its items in ``data["items"]``); errors name file and line.
    Line numbers of items: ``line_of([index, field])``."""
    try:
        node, data = load_yaml(text)
    except YamlProblem as exc:
        raise CourseFolderError(exc.message, file=file, line=exc.line or 1) from None
    if not isinstance(data, list):
        raise CourseFolderError(_("must be a YAML list (one - item per entry)."), file=file, line=1)
    doc = Document(file, {"items": data}, node)
    _reject_duplicate_keys(doc, node)
    return doc


def _key_text(node: ScalarNode) -> str:
    """A mapping key as the loaded data spells it: YAML 1.1 reads ``on:`` as True."""
    try:
        return str(yaml.SafeLoader("").construct_object(node))
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return node.value


def _reject_duplicate_keys(doc: Document, node: Node | None) -> None:
    # PyYAML silently keeps the last of two equal keys; in a course file that hides a typo.
    if isinstance(node, MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                if key.value in seen:
                    raise CourseFolderError(_("the key %(key)r appears twice.", key=key.value),
                                            file=doc.file,
                                            line=key.start_mark.line + 1 + doc.line_offset)
                seen.add(key.value)
            _reject_duplicate_keys(doc, value)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            _reject_duplicate_keys(doc, item)


def parse_markdown(file: str, text: str) -> Document:
    """A Markdown file with optional YAML front matter between ``---`` lines."""
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        for number, line in enumerate(lines[1:], 1):
            if line.strip() in ("---", "..."):
                doc = parse_yaml(file, "\n".join(lines[1:number]), line_offset=1)
                doc.body = "\n".join(lines[number + 1:])
                doc.body_line = number + 2
                break
        else:
            raise CourseFolderError(_("front matter starts with --- but never ends."),
                                    file=file, line=1)
    else:
        doc = Document(file, {}, None, body=text, body_line=1)
    doc.body = (doc.body or "").lstrip("\n").rstrip()  # as the markdown fields store it
    return doc


# -- writing --------------------------------------------------------------------------

class _Dumper(yaml.SafeDumper):
    """Block style throughout, and multi-line text as ``|`` literals (readable diffs).
    Never an alias for a value met twice: imports refuse them."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: dict[str, Any] | list[Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)


def dump_markdown(front: dict[str, Any], body: str) -> str:
    return f"---\n{dump_yaml(front)}---\n\n{body}\n"
