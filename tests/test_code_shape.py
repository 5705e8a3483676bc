"""The shape of the code: no function or method under eha/ is longer than 60 lines.

Ruff checks complexity (C90, max 10); it has no rule for length, so this test reads every module with ``ast``.
A function's length runs from its ``def`` line to its last line, docstring and comments included.
"""

import ast
from pathlib import Path

MAX_FUNCTION_LINES = 60
PACKAGE = Path(__file__).resolve().parent.parent / "eha"


def _functions(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _length(node):
    return node.end_lineno - node.lineno + 1


def _all_functions():
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in _functions(path):
            yield path.relative_to(PACKAGE.parent), node


def test_the_walk_reads_the_package():
    names = {(str(path), node.name) for path, node in _all_functions()}
    # Methods and nested functions count too, not only module-level functions.
    assert ("eha/forms/builder.py", "validate_complete") in names
    assert ("eha/__init__.py", "create_app") in names


def test_no_function_is_longer_than_60_lines():
    offenders = [
        f"{path}:{node.lineno} {node.name} is {_length(node)} lines"
        for path, node in _all_functions()
        if _length(node) > MAX_FUNCTION_LINES
    ]
    assert not offenders, f"functions over {MAX_FUNCTION_LINES} lines (split them):\n" + "\n".join(offenders)
