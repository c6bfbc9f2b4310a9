"""The shape the code keeps: modules of one job (at most 400 lines) and functions that fit on a
screen (at most 60 lines). Migrations are exempt; the import direction is tests/test_layering.py."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CODE = ("core", "communities", "metering", "invoicing", "demo", "legbilling_site", "tests", "benchmarks")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def source_files():
    for folder in CODE:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


@pytest.mark.parametrize("path", list(source_files()), ids=lambda path: str(path.relative_to(ROOT)))
def test_module_does_one_job_in_at_most_400_lines(path):
    assert len(path.read_text().splitlines()) <= MAX_MODULE_LINES


@pytest.mark.parametrize("path", list(source_files()), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_function_fits_on_a_screen(path):
    tree = ast.parse(path.read_text())
    too_long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not too_long
