"""``./dev`` on a fresh machine: the hints for a missing venv module or Pango, run with a fake Python.

The fake interpreters are small shell scripts on a private PATH that answer the few calls ``dev``
makes (version check, venv, pip, the WeasyPrint import), so each case runs in milliseconds without
touching the real ``.venv``.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VERSION_CHECK = '  *"sys.exit(sys.version_info"*) exit 0 ;;\n  *"sys.version.split"*) echo 3.13.1; exit 0 ;;\n'


def fake(path: Path, cases: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\ncase "$*" in\n{cases}  *) echo "unexpected: $*" >&2; exit 97 ;;\nesac\n')
    path.chmod(0o755)
    return path


@pytest.fixture
def project(tmp_path):
    shutil.copy(ROOT / "dev", tmp_path / "dev")
    shutil.copy(ROOT / "requirements.txt", tmp_path / "requirements.txt")
    return tmp_path


def run_dev(project: Path, python: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", str(project / "dev"), *args],
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": f"{python.parent}:/usr/bin:/bin", "PYTHON": str(python), "HOME": str(project)},
    )


def test_a_python_without_its_venv_module_gets_the_apt_hint_and_no_half_made_venv(project):
    # Like Debian's python3 without python3-venv: bin/python is created, then ensurepip fails.
    python = fake(
        project / "fakebin" / "python3",
        VERSION_CHECK
        + '  "-m venv "*) mkdir -p "$3/bin"; cp "$0" "$3/bin/python"; echo "ensurepip is not available" >&2; exit 1 ;;\n',
    )

    result = run_dev(project, python, "test")

    assert result.returncode == 1
    assert "sudo apt install python3-venv   (or python3.13-venv)" in result.stderr
    assert not (project / ".venv").exists()


def test_a_half_made_venv_from_an_earlier_run_is_made_again(project):
    python = fake(project / "fakebin" / "python3", VERSION_CHECK + '  "-m venv "*) exit 1 ;;\n')
    fake(project / ".venv" / "bin" / "python", VERSION_CHECK)  # no bin/pip: ensurepip never ran

    result = run_dev(project, python, "test")

    assert ".venv is incomplete" in result.stderr and "python3-venv" in result.stderr
    assert not (project / ".venv").exists()


def test_missing_pango_stops_with_the_install_hint_before_the_tests_run(project):
    python = fake(project / "fakebin" / "python3", VERSION_CHECK)
    venv_python = fake(
        project / ".venv" / "bin" / "python",
        VERSION_CHECK
        + "  *hashlib*) echo 0123; exit 0 ;;\n"
        + '  "-m pip install"*) exit 0 ;;\n'
        + '  *"import weasyprint"*) echo "OSError: cannot load library \'libpango-1.0-0\'" >&2; exit 1 ;;\n'
        + '  "-m pytest"*) echo TESTS RAN; exit 0 ;;\n',
    )
    fake(project / ".venv" / "bin" / "pip", "")

    result = run_dev(project, python, "test")

    assert result.returncode == 1
    assert "cannot load library 'libpango-1.0-0'" in result.stderr
    assert (
        "sudo apt install libpango-1.0-0 libpangoft2-1.0-0" in result.stderr and "brew install pango" in result.stderr
    )
    assert "TESTS RAN" not in result.stdout
    assert not (project / ".venv" / ".requirements.sha256").exists()  # checked again next time
    assert venv_python.exists()


def test_with_pango_the_requirements_are_stamped_and_the_tests_run(project):
    python = fake(project / "fakebin" / "python3", VERSION_CHECK)
    fake(
        project / ".venv" / "bin" / "python",
        VERSION_CHECK
        + "  *hashlib*) echo 0123; exit 0 ;;\n"
        + '  "-m pip install"*) exit 0 ;;\n'
        + '  *"import weasyprint"*) exit 0 ;;\n'
        + '  "-m communities.catalogue") exit 0 ;;\n'
        + '  "-m pytest"*) echo TESTS RAN; exit 0 ;;\n',
    )
    fake(project / ".venv" / "bin" / "pip", "")

    result = run_dev(project, python, "test")

    assert result.returncode == 0, result.stderr
    assert "TESTS RAN" in result.stdout
    assert (project / ".venv" / ".requirements.sha256").read_text() == "0123\n"
