"""The shape the code keeps: modules of one job (at most 400 lines), functions that fit on a
screen (at most 60 lines), and the apps' one direction of imports. Migrations are exempt."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("core", "communities", "metering", "invoicing", "demo", "legbilling_site")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# Which first-party packages each may import: core imports neither app; communities knows only
# who is metered; invoicing builds on both; demo and the site on everything.
MAY_IMPORT = {
    "core": {"core"},
    "communities": {"core", "communities"},
    "metering": {"core", "communities", "metering"},
    "invoicing": {"core", "communities", "metering", "invoicing"},
}


def source_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def first_party_imports(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & set(APPS)


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


@pytest.mark.parametrize("path", list(source_files()), ids=lambda path: str(path.relative_to(ROOT)))
def test_apps_import_in_one_direction(path):
    app = path.relative_to(ROOT).parts[0]
    allowed = MAY_IMPORT.get(app, set(APPS))
    assert first_party_imports(ast.parse(path.read_text())) <= allowed
