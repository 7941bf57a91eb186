"""Reading a members CSV (`email,name,role[,group]`): rows to enrol and per-line errors.

Pure: bytes in, rows and errors out, so every rule is unit-tested without a database.
A whole-file problem (too large, not UTF-8 text, a wrong header) raises; a bad line becomes
a `LineError` and the other lines still count. Lines are numbered as a spreadsheet shows
them, the header being line 1.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from accounts.service import email_problem, normalise_email
from core.errors import BadInput, TooLarge
from core.text import has_bad_text
from models.courses import Role

MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
MAX_NAME = 200
MAX_GROUP = 64
HEADER = ("email", "name", "role")
# A cell starting with one of these is run as a formula when the file is opened in a
# spreadsheet (CSV injection); such a value is never a real name, email or group.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class MemberRow:
    line: int
    email: str  # normalised (lower-case)
    name: str
    role: Role
    group: str | None


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def as_json(self) -> dict[str, object]:
        return {"line": self.line, "message": self.message}


def decode_csv(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise TooLarge(f"The file is larger than {MAX_BYTES // 1_000_000} MB; split it.")
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError:
        raise BadInput("The file is not UTF-8 text. In your spreadsheet, save it as "
                       "\"CSV UTF-8\" and try again.") from None
    if "\x00" in text:
        raise BadInput("The file is not a CSV text file (it contains NUL bytes).")
    return text


def parse_member_csv(data: bytes) -> tuple[list[MemberRow], list[LineError]]:
    """The rows to enrol and the errors of the lines that can't be, in file order."""
    lines = decode_csv(data).splitlines()
    if not lines or not lines[0].strip():
        raise BadInput("The file is empty. Its first line must be the header "
                       "email,name,role (and optionally ,group).")
    header = [cell.strip().lower() for cell in next(csv.reader([lines[0]]))]
    if tuple(header[:3]) != HEADER or header[3:] not in ([], ["group"]):
        raise BadInput(f"The first line must be the header email,name,role or "
                       f"email,name,role,group, not {lines[0][:80]!r}.")
    if len(lines) - 1 > MAX_ROWS:
        raise TooLarge(f"The file has more than {MAX_ROWS} members; split it.")
    rows: list[MemberRow] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            row = _parse_line(number, next(csv.reader([line])), len(header))
        except ValueError as exc:
            errors.append(LineError(number, str(exc)))
            continue
        if row.email in seen:
            errors.append(LineError(number, f"{row.email} is already on line {seen[row.email]}."))
            continue
        seen[row.email] = number
        rows.append(row)
    return rows, errors


def _parse_line(number: int, cells: list[str], columns: int) -> MemberRow:
    if len(cells) < 3 or len(cells) > columns:
        raise ValueError(f"Expected {columns} comma-separated values, found {len(cells)}.")
    cells = [cell.strip() for cell in cells]
    for cell in cells:
        if cell.startswith(FORMULA_STARTS):
            raise ValueError(f"{cell[:40]!r} looks like a spreadsheet formula; values may not "
                             f"start with =, +, -, or @.")
        if has_bad_text(cell):
            raise ValueError("The line holds characters that are not text (NUL or broken "
                             "Unicode).")
    email, name, role = cells[:3]
    group = cells[3] if len(cells) > 3 and cells[3] else None
    if email_problem(email):
        raise ValueError(f"{email[:80]!r} is not a valid email address.")
    if not name:
        raise ValueError("The name is empty.")
    if len(name) > MAX_NAME:
        raise ValueError(f"The name is longer than {MAX_NAME} characters.")
    if role.lower() not in {r.value for r in Role}:
        raise ValueError(f"{role[:40]!r} is not a role; use student, ta or instructor.")
    if group is not None and len(group) > MAX_GROUP:
        raise ValueError(f"The group is longer than {MAX_GROUP} characters.")
    return MemberRow(number, normalise_email(email), name, Role(role.lower()), group)
