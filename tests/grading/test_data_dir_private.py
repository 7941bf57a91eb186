"""The data directory (hidden tests, answer keys, the SQLite database, the secret key) is
readable by the platform's user only: directories 0700, files 0600, fixed at start for a
data directory made by an older version."""

from __future__ import annotations

import stat
from pathlib import Path

from content_store.embedded import open_embedded_database
from core.settings import load_settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_data_dir_and_its_files_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    load_settings({"COURSEWIRE_DATA_DIR": str(data)})
    assert mode(data) == 0o700
    assert mode(data / "secret_key") == 0o600
    assert mode(data / "coursewire.sqlite3") == 0o600


def test_existing_data_dir_modes_are_fixed_at_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "content").mkdir(parents=True)
    data.chmod(0o755)
    (data / "content").chmod(0o755)
    definitions = data / "content" / "definitions.jsonl"
    definitions.write_text("{}\n")
    definitions.chmod(0o644)
    (data / "coursewire.sqlite3").write_bytes(b"")
    (data / "coursewire.sqlite3").chmod(0o644)
    load_settings({"COURSEWIRE_DATA_DIR": str(data)})
    assert mode(data) == 0o700
    assert mode(data / "content") == 0o700
    assert mode(definitions) == 0o600
    assert mode(data / "coursewire.sqlite3") == 0o600


async def test_embedded_content_journals_are_private(tmp_path: Path) -> None:
    db = open_embedded_database(tmp_path / "content")
    try:
        await db["definitions"].insert_one({"_id": "d1", "fields": {"tests": "secret"}})
        db._journal("definitions").compact({"d1": {"_id": "d1"}}, [])
        await db["definitions"].insert_one({"_id": "d2"})
    finally:
        db.close()
    assert mode(tmp_path / "content") == 0o700
    files = list((tmp_path / "content").iterdir())
    assert any(f.name == "definitions.jsonl" for f in files)
    assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
