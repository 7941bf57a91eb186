"""Reading a members CSV: every rule of courses.member_csv, without a database."""

import pytest

from core.errors import BadInput, TooLarge
from courses.member_csv import MAX_BYTES, MAX_ROWS, LineError, parse_member_csv
from models.courses import Role


def parse(text: str):
    return parse_member_csv(text.encode())


def test_reads_rows_with_and_without_group_and_normalises_email_and_role():
    rows, errors = parse("email,name,role,group\nAda@Example.org, Ada Lovelace ,Student,A1\n"
                         "linus@example.org,Linus,TA,\n")
    assert errors == []
    assert [(r.line, r.email, r.name, r.role, r.group) for r in rows] == [
        (2, "ada@example.org", "Ada Lovelace", Role.STUDENT, "A1"),
        (3, "linus@example.org", "Linus", Role.TA, None)]


def test_bad_lines_are_reported_by_spreadsheet_line_and_the_others_kept():
    rows, errors = parse("email,name,role\n"
                         "ok@example.org,Ok,student\n"
                         "not-an-email,Bad,student\n"
                         "\n"
                         "x@example.org,,student\n"
                         "y@example.org,Y,teacher\n"
                         "z@example.org,Z\n"
                         "ok@example.org,Again,ta\n"
                         "w@example.org,W,student,extra\n")
    assert [r.email for r in rows] == ["ok@example.org"]
    assert [e.line for e in errors] == [3, 5, 6, 7, 8, 9]
    by_line = {e.line: e.message for e in errors}
    assert "not a valid email" in by_line[3]
    assert "name is empty" in by_line[5]
    assert "not a role" in by_line[6]
    assert "already on line 2" in by_line[8]


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)"])
def test_formula_looking_cells_are_refused(cell):
    rows, errors = parse(f"email,name,role,group\nf@example.org,{cell},student,\n")
    assert rows == []
    assert errors[0].line == 2 and "formula" in errors[0].message


def test_quoted_cells_and_a_byte_order_mark_are_read():
    data = "\ufeffemail,name,role\n\"q@example.org\",\"Lovelace, Ada\",student\n".encode()
    rows, errors = parse_member_csv(data)
    assert errors == [] and rows[0].name == "Lovelace, Ada"


@pytest.mark.parametrize("data,words", [
    (b"", "empty"),
    (b"name,email,role\na,b,c\n", "header"),
    (b"email,name,role\n\xff\xfeLatin-1 \xe9\n", "UTF-8"),
    (b"email,name,role\nnul\x00@example.org,N,student\n", "NUL"),
])
def test_whole_file_problems_are_one_clear_400(data, words):
    with pytest.raises(BadInput, match=words):
        parse_member_csv(data)


def test_huge_files_and_too_many_rows_are_413():
    with pytest.raises(TooLarge):
        parse_member_csv(b"email,name,role\n" + b"a" * MAX_BYTES)
    many = "email,name,role\n" + "".join(f"u{i}@example.org,U,student\n"
                                         for i in range(MAX_ROWS + 1))
    with pytest.raises(TooLarge):
        parse(many)


def test_line_errors_serialise_as_the_api_shape():
    assert LineError(4, "Bad.").as_json() == {"line": 4, "message": "Bad."}
