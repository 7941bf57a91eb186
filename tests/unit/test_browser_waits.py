"""The browser tests' waits must work under the pages' Content Security Policy.

Playwright polls a wait_for_function given an expression string (not a function) with eval()
in the page. The pages send `script-src 'self'`, so the first poll passes and every later one
throws EvalError: such a wait passes only when its condition already holds, and fails when
the update it waits for is slow (a CI run on a loaded box). This test finds those waits.
"""

from __future__ import annotations

import ast
import pathlib
import re

TESTS = pathlib.Path(__file__).resolve().parents[1]
FUNCTION = re.compile(r"\s*(\(|[A-Za-z_$][\w$]*\s*=>|function\b|async\b)")


def _text(node: ast.expr, names: dict[str, str]) -> str | None:
    """The JavaScript a call's first argument holds, as far as it can be read statically
    (an f-string's holes read as `_`), or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "_" for v in node.values)
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _text(node.left, names)
        return None if left is None else left + (_text(node.right, names) or "")
    return None


def expression_waits(source: str) -> list[tuple[int, str]]:
    """(line, text) of each wait_for_function whose first argument is not a function."""
    tree = ast.parse(source)
    names = {t.id: _text(n.value, {}) for n in ast.walk(tree) if isinstance(n, ast.Assign)
             for t in n.targets if isinstance(t, ast.Name) and _text(n.value, {}) is not None}
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "wait_for_function" and node.args):
            text = _text(node.args[0], names)
            if text is None or not FUNCTION.match(text):
                found.append((node.lineno, text or ast.unparse(node.args[0])))
    return found


def test_the_check_finds_an_expression_string_and_passes_functions():
    source = '''
JS = "() => document.title"
page.wait_for_function(f"document.querySelector('{sel}').innerText.includes('x')")
page.wait_for_function("window.ready === true", timeout=1)
page.wait_for_function("sel => document.querySelector(sel)", arg="#a")
page.wait_for_function("([a, b]) => a === b", arg=[1, 1])
page.wait_for_function(JS)
page.wait_for_function("() => " + "1")
page.wait_for_function(somewhere.expression)
'''
    assert [line for line, _ in expression_waits(source)] == [3, 4, 9]


def test_no_browser_test_waits_on_an_expression_string():
    found = [f"{path.relative_to(TESTS.parent)}:{line}: {text}"
             for path in sorted(TESTS.rglob("*.py")) if path != pathlib.Path(__file__).resolve()
             for line, text in expression_waits(path.read_text())]
    assert not found, ("wait on a function (`sel => ...`, arg=sel), not a string:\n"
                       + "\n".join(found))
