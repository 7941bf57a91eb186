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
from core.i18n import gettext as _
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
        raise TooLarge(_("The file is larger than %(mb)d MB; split it.", mb=MAX_BYTES // 1_000_000))
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError:
        raise BadInput(_("The file is not UTF-8 text. In your spreadsheet, save it as "
                         "\"CSV UTF-8\" and try again.")) from None
    if "\x00" in text:
        raise BadInput(_("The file is not a CSV text file (it contains NUL bytes)."))
    return text


def parse_member_csv(data: bytes) -> tuple[list[MemberRow], list[LineError]]:
    """The rows to enrol and the errors of the lines that can't be, in file order."""
    lines = decode_csv(data).splitlines()
    if not lines or not lines[0].strip():
        raise BadInput(_("The file is empty. Its first line must be the header "
                         "email,name,role (and optionally ,group)."))
    header = [cell.strip().lower() for cell in next(csv.reader([lines[0]]))]
    if tuple(header[:3]) != HEADER or header[3:] not in ([], ["group"]):
        raise BadInput(_("The first line must be the header email,name,role or "
                         "email,name,role,group, not %(line)r.", line=lines[0][:80]))
    if len(lines) - 1 > MAX_ROWS:
        raise TooLarge(_("The file has more than %(max)d members; split it.", max=MAX_ROWS))
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
            errors.append(LineError(number, _("%(email)s is already on line %(line)d.",
                                              email=row.email, line=seen[row.email])))
            continue
        seen[row.email] = number
        rows.append(row)
    return rows, errors


def _parse_line(number: int, cells: list[str], columns: int) -> MemberRow:
    if len(cells) < 3 or len(cells) > columns:
        raise ValueError(_("Expected %(want)d comma-separated values, found %(found)d.",
                           want=columns, found=len(cells)))
    cells = [cell.strip() for cell in cells]
    for cell in cells:
        if cell.startswith(FORMULA_STARTS):
            raise ValueError(_("%(value)r looks like a spreadsheet formula; values may not "
                               "start with =, +, -, or @.", value=cell[:40]))
        if has_bad_text(cell):
            raise ValueError(_("The line holds characters that are not text (NUL or broken "
                               "Unicode)."))
    email, name, role = cells[:3]
    group = cells[3] if len(cells) > 3 and cells[3] else None
    if email_problem(email):
        raise ValueError(_("%(email)r is not a valid email address.", email=email[:80]))
    if not name:
        raise ValueError(_("The name is empty."))
    if len(name) > MAX_NAME:
        raise ValueError(_("The name is longer than %(max)d characters.", max=MAX_NAME))
    if role.lower() not in {r.value for r in Role}:
        raise ValueError(_("%(role)r is not a role; use student, ta or instructor.",
                           role=role[:40]))
    if group is not None and len(group) > MAX_GROUP:
        raise ValueError(_("The group is longer than %(max)d characters.", max=MAX_GROUP))
    return MemberRow(number, normalise_email(email), name, Role(role.lower()), group)
