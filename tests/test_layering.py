"""The apps import one way: metering and invoicing use communities, never the reverse; core uses no
app; nothing but the site uses the demo."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

MUST_NOT_IMPORT = {
    "core": {"communities", "metering", "invoicing", "demo"},
    "communities": {"metering", "invoicing", "demo"},
    "metering": {"invoicing", "demo"},
    "invoicing": {"demo"},
}


def _imported_packages(path: Path) -> set[str]:
    packages = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            packages.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            packages.add(node.module.split(".")[0])
    return packages


@pytest.mark.parametrize(("package", "forbidden"), MUST_NOT_IMPORT.items(), ids=list(MUST_NOT_IMPORT))
def test_a_package_never_imports_the_apps_above_it(package, forbidden):
    root = Path(settings.BASE_DIR) / package

    imports = {
        f"{path.relative_to(root)} imports {name}"
        for path in root.rglob("*.py")
        for name in _imported_packages(path) & forbidden
    }

    assert imports == set()
