import io
import shutil
import tarfile
import threading
from pathlib import Path

import pytest

from content_store import ContentStore, CourseNotFound, folder_io
from content_store.blocks import block_type
from content_store.course_folder import (
    course_files,
    export_course,
    export_course_archive,
    import_course,
)
from content_store.errors import CourseFolderError
from content_store.progress import rich_progress
from core.errors import BadInput, TooLarge

DEMO = Path(__file__).parents[2] / "content_store" / "demo_course"
DEMO_ID = "course-v1:Coursewire+PY101+2026"


async def everything(store: ContentStore, course_id: str, branch: str = "draft") -> dict:
    """Every block of a course with its fields, keyed by id, plus the outline."""
    outline = await store.get_outline(course_id, branch)
    ids: list[str] = []

    def walk(node: dict) -> None:
        ids.append(node["id"])
        for child in node["children"]:
            walk(child)
    walk(outline)
    blocks = await store.get_blocks(course_id, ids, branch)
    return {"outline": outline, "blocks": {b.id: (b.type, b.fields) for b in blocks}}


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    copy = tmp_path / "demo"
    shutil.copytree(DEMO, copy)
    return copy


def tarball(entries: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            archive.addfile(info)
    return buffer.getvalue()


async def test_demo_course_uses_every_block_type(store: ContentStore):
    await import_course(store, DEMO, "admin", publish=True)
    course = await everything(store, DEMO_ID, "published")
    types = {t for t, _ in course["blocks"].values()}
    assert types == {"course", "chapter", "sequential", "vertical", "html", "video", "problem",
                     "code", "peer_review", "discussion", "quiz"}
    kinds = {f["kind"] for t, f in course["blocks"].values() if t == "problem"}
    assert kinds == {"multiple_choice", "checkboxes", "numeric", "text"}
    assert len(course["outline"]["children"]) == 3
    rubric = course["blocks"]["explain-a-function"][1]["rubric"]
    assert 2 <= len(rubric["criteria"]) <= 3


async def test_import_makes_one_draft_version(spy_store):
    store, spy = spy_store()
    await store.ensure_indexes()
    version = await import_course(store, DEMO, "admin")
    assert (await store.get_course_index(DEMO_ID)).draft_version == version
    assert spy.calls.count(("structures", "insert_one")) == 2  # create_course + the import
    assert [h.summary for h in await store.version_history(DEMO_ID)][-1] == "created the course"


async def test_import_export_round_trip(store: ContentStore, tmp_path: Path):
    await import_course(store, DEMO, "admin")
    original = await everything(store, DEMO_ID)
    await export_course(store, DEMO_ID, tmp_path / "exported")
    again = await import_course(store, tmp_path / "exported", "admin")
    assert again == (await store.get_course_index(DEMO_ID)).draft_version
    assert await everything(store, DEMO_ID) == original
    # Exporting again gives byte-identical files: the format is stable for git.
    assert await course_files(store, DEMO_ID) == {
        str(p.relative_to(tmp_path / "exported")): p.read_text()
        for p in (tmp_path / "exported").rglob("*") if p.is_file()}


async def test_round_trip_into_an_empty_database(store: ContentStore, new_database,
                                                 make_course):
    course_id = await make_course(store)
    await store.update_block(course_id, "sum", {"due": "2026-05-01T12:00:00+02:00",
                                                "max_attempts": 2}, "alice")
    archive = await export_course_archive(store, course_id)
    elsewhere = ContentStore(new_database())
    await import_course(elsewhere, archive, "bob")
    assert await everything(elsewhere, course_id) == await everything(store, course_id)


async def test_reimporting_an_unchanged_folder_writes_nothing(store: ContentStore):
    first = await import_course(store, DEMO, "admin")
    assert await import_course(store, DEMO, "admin") == first


async def test_reimport_applies_edits_moves_and_deletions(store: ContentStore, demo: Path):
    await import_course(store, DEMO, "admin")
    before = await store.get_block(DEMO_ID, "welcome", "draft")
    lab = demo / "02-loops" / "02-loop-lab"
    shutil.rmtree(demo / "01-getting-started" / "02-check-yourself")
    (lab / "01-count-vowels" / "01-vowel-counter.yaml").rename(
        demo / "02-loops" / "01-repeating" / "01-for-loops" / "03-vowel-counter.yaml")
    welcome = demo / "01-getting-started" / "01-first-steps" / "01-hello" / "01-welcome.md"
    welcome.write_text(welcome.read_text().replace("Welcome to", "Hello and welcome to"))
    await import_course(store, demo, "admin")
    course = await everything(store, DEMO_ID)
    assert "strings" not in course["blocks"] and "check-yourself" not in course["blocks"]
    assert course["blocks"]["vowel-counter"][0] == "code"
    after = await store.get_block(DEMO_ID, "welcome", "draft")
    assert after.fields["source"].startswith("Hello and welcome to")
    assert after.definition_id != before.definition_id
    untouched = await store.get_block(DEMO_ID, "naming-things", "draft")
    assert untouched.edited_by == "admin" and untouched.edited_on < after.edited_on


async def test_import_error_names_file_and_line(store: ContentStore, demo: Path):
    quiz = demo / "01-getting-started" / "02-check-yourself" / "01-variables-quiz"
    text = (quiz / "01-strings.yaml").read_text()
    (quiz / "01-strings.yaml").write_text(text.replace("correct: false\n    feedback: This",
                                                       "correct: maybe\n    feedback: This"))
    with pytest.raises(CourseFolderError) as err:
        await import_course(store, demo, "admin")
    assert isinstance(err.value, BadInput)
    assert err.value.fields["file"] == (
        "01-getting-started/02-check-yourself/01-variables-quiz/01-strings.yaml")
    assert err.value.fields["line"] == 12
    assert err.value.fields["field"] == "options.1.correct"
    assert "01-strings.yaml:12" in err.value.message
    with pytest.raises(CourseNotFound):
        await store.get_course_index(DEMO_ID)  # nothing was written


async def test_unknown_field_in_front_matter_names_its_line(store: ContentStore, demo: Path):
    page = demo / "02-loops" / "01-repeating" / "01-for-loops" / "02-sum-range.md"
    page.write_text(page.read_text().replace("max_attempts: 3", "max_attemps: 3"))
    with pytest.raises(CourseFolderError) as err:
        await import_course(store, demo, "admin")
    assert err.value.fields["file"].endswith("02-sum-range.md")
    assert err.value.fields["line"] == 7  # counted from the opening --- on line 1
    assert "max_attemps" in err.value.message


async def test_yaml_syntax_error_names_file_and_line(store: ContentStore, demo: Path):
    (demo / "02-loops" / "chapter.yaml").write_text("title: Loops\nstart: [oops\n")
    with pytest.raises(CourseFolderError) as err:
        await import_course(store, demo, "admin")
    assert err.value.fields["file"] == "02-loops/chapter.yaml"
    assert err.value.fields["line"] in (2, 3)


async def test_unknown_block_type_in_a_folder_is_reported(store: ContentStore, demo: Path):
    unit = demo / "02-loops" / "01-repeating" / "02-while-loops"
    (unit / "09-game.yaml").write_text("title: Game\ntype: arcade\n")
    with pytest.raises(CourseFolderError) as err:
        await import_course(store, demo, "admin")
    assert err.value.fields == {**err.value.fields, "file": (
        "02-loops/01-repeating/02-while-loops/09-game.yaml"), "line": 2}


async def test_duplicate_block_ids_name_both_files(store: ContentStore, demo: Path):
    unit = demo / "02-loops" / "01-repeating" / "02-while-loops"
    shutil.copy(unit / "02-countdown.yaml", unit / "03-countdown.yaml")
    with pytest.raises(CourseFolderError) as err:
        await import_course(store, demo, "admin")
    assert "02-countdown.yaml" in err.value.message
    assert err.value.fields["file"].endswith("03-countdown.yaml")


async def test_import_refuses_a_folder_for_another_course(store: ContentStore):
    with pytest.raises(CourseFolderError):
        await import_course(store, DEMO, "admin", course_id="course-v1:Other+X+1")


async def test_tarball_import_accepts_a_single_top_folder(store: ContentStore, new_database):
    await import_course(store, DEMO, "admin")
    archive = await export_course_archive(store, DEMO_ID)
    with tarfile.open(fileobj=io.BytesIO(archive)) as source:
        entries = {f"py101/{m.name}": source.extractfile(m).read() for m in source
                   if m.isfile()}
    other = ContentStore(new_database())
    version = await import_course(other, tarball(entries), "admin")
    assert (await other.get_course_index(DEMO_ID)).draft_version == version


@pytest.mark.parametrize("entries,links,problem", [
    ({"/etc/course.yaml": b"x"}, None, "absolute"),
    ({"course.yaml": b"x", "../evil.yaml": b"x"}, None, "leaves its folder"),
    ({"course.yaml": b"x"}, {"chapter/link.yaml": "/etc/passwd"}, "link"),
])
async def test_unsafe_tarballs_are_refused(store: ContentStore, entries, links, problem):
    with pytest.raises(CourseFolderError, match=problem):
        await import_course(store, tarball(entries, links), "admin")


async def test_oversize_tarballs_are_refused(store: ContentStore):
    archive = tarball({"course.yaml": b"title: x\n", "big.md": b"a" * 5000})
    with pytest.raises(TooLarge):
        await import_course(store, archive, "admin", max_bytes=4096)


async def test_garbage_upload_is_bad_input_not_a_crash(store: ContentStore):
    with pytest.raises(CourseFolderError):
        await import_course(store, b"definitely not a tarball", "admin")


async def test_export_refuses_to_clobber_a_folder(store: ContentStore, tmp_path: Path):
    await import_course(store, DEMO, "admin")
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(CourseFolderError):
        await export_course(store, DEMO_ID, tmp_path)
    (tmp_path / ".git").mkdir()
    await export_course(store, DEMO_ID, tmp_path, overwrite=True)
    assert not (tmp_path / "notes.txt").exists() and (tmp_path / ".git").exists()


async def test_progress_callback_drives_a_rich_progress_bar(store: ContentStore):
    from rich.console import Console

    seen: list[tuple[int, int, str]] = []
    console = Console(file=io.StringIO(), force_terminal=False)
    with rich_progress(console) as bar:
        def progress(done: int, total: int, message: str) -> None:
            seen.append((done, total, message))
            bar(done, total, message)
        await import_course(store, DEMO, "admin", progress=progress)
    assert seen[-1][0] == seen[-1][1]
    assert {m for _, _, m in seen} >= {"Checking files", "Saving blocks"}
    assert "Saving blocks" in console.file.getvalue()


async def test_every_demo_block_renders_for_students_without_answers(store: ContentStore):
    await import_course(store, DEMO, "admin", publish=True)
    course = await everything(store, DEMO_ID, "published")
    for block_id, (type_name, fields) in course["blocks"].items():
        view = await store.get_student_view(DEMO_ID, block_id)
        html = block_type(type_name).render_student_html(block_id, fields)
        assert view["id"] == block_id and view["type"] == type_name
        assert f'id="block-{block_id}"' in html
        leaks = [str(fields.get(k)) for k in ("tests", "explanation") if fields.get(k)]
        leaks += [o["feedback"] for o in fields.get("options") or [] if o.get("feedback")]
        for secret in leaks:
            assert secret not in html and secret not in str(view), (block_id, secret)
        assert "'correct':" not in str(view)


async def test_yaml_boolean_keys_next_to_unknown_keys_are_a_clear_error(store: ContentStore,
                                                                        demo: Path):
    # YAML 1.1 reads `on:` as the key True, which cannot be sorted with strings.
    (demo / "02-loops" / "chapter.yaml").write_text("title: Loops\non: yes\nbogus: 1\n")
    with pytest.raises(CourseFolderError) as err:
        await import_course(store, demo, "admin")
    assert err.value.fields["file"] == "02-loops/chapter.yaml"
    assert err.value.fields["line"] == 2  # the `on:` line, not the mapping's first line
    assert err.value.fields["unknown"] == ["True", "bogus"]


async def test_boolean_key_inside_a_structured_field_names_its_line(store: ContentStore,
                                                                    demo: Path):
    quiz = demo / "01-getting-started" / "02-check-yourself" / "01-variables-quiz"
    path = quiz / "01-strings.yaml"
    text = path.read_text()
    assert "    feedback: This" in text
    path.write_text(text.replace("    feedback: This", "    yes: 1\n    zzz: 2\n    feedback: This",
                                 1))
    expected_line = path.read_text().split("\n").index("    yes: 1") + 1
    with pytest.raises(CourseFolderError) as err:
        await import_course(store, demo, "admin")
    assert err.value.fields["line"] == expected_line


@pytest.mark.parametrize("text,line", [
    ("title: x\nstart: " + "[" * 3000 + "\n", 2),
    ("title: x\nstart: " + "[" * 3000 + "]" * 3000 + "\n", 2),
    ("title: x\n\nstart: " + "{a: " * 2000 + "1" + "}" * 2000 + "\n", 3),
], ids=["unclosed-lists", "closed-lists", "mappings"])
async def test_deeply_nested_yaml_is_a_clear_error_not_a_crash(store: ContentStore, demo: Path,
                                                                text: str, line: int):
    (demo / "02-loops" / "chapter.yaml").write_text(text)
    with pytest.raises(CourseFolderError) as err:
        await import_course(store, demo, "admin")
    assert err.value.fields["file"] == "02-loops/chapter.yaml"
    assert err.value.fields["line"] == line
    assert "deep" in err.value.message


async def test_an_impossible_date_is_a_clear_error(store: ContentStore, demo: Path):
    (demo / "02-loops" / "chapter.yaml").write_text("title: x\nstart: 2026-13-45\n")
    with pytest.raises(CourseFolderError) as err:
        await import_course(store, demo, "admin")
    assert err.value.fields["file"] == "02-loops/chapter.yaml"
    assert err.value.fields["line"] is not None


async def test_reading_and_checking_an_upload_runs_off_the_event_loop(store: ContentStore,
                                                                      monkeypatch):
    archive = await export_course_archive(await _demo_store(store), DEMO_ID)
    loop_thread = threading.current_thread()
    seen: dict[str, threading.Thread] = {}
    real_read = folder_io.read_archive

    def spy_read(*args, **kwargs):
        seen["read"] = threading.current_thread()
        return real_read(*args, **kwargs)

    def progress(done: int, total: int, message: str) -> None:
        if message == "Checking files":
            seen["check"] = threading.current_thread()

    monkeypatch.setattr(folder_io, "read_archive", spy_read)
    await import_course(store, archive, "admin", progress=progress)
    assert seen["read"] is not loop_thread
    assert seen["check"] is not loop_thread


async def _demo_store(store: ContentStore) -> ContentStore:
    await import_course(store, DEMO, "admin")
    return store
