"""Compile the translation catalogues (locale/<lang>/LC_MESSAGES/*.po) into the .mo files Django reads.

The .mo files are build output, not committed: ./dev and the tests compile them when a .po is newer
than its .mo. Babel does it, so neither GNU gettext nor Django has to be set up. Run it alone with
`python -m communities.catalogue` or through `manage.py compile_catalogue`.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def stale_catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """The .po files whose .mo is missing or older than the .po."""
    stale = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            stale.append(po_path)
    return stale


def compile_catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Write the .mo of every stale catalogue; returns the .mo files written.

    Fuzzy entries are left out, as msgfmt and compilemessages do: a translation marked fuzzy is
    not trusted yet and the English text shows instead.
    """
    written = []
    for po_path in stale_catalogues(locale_dir):
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file, locale=po_path.parent.parent.name)
        mo_path = po_path.with_suffix(".mo")
        temporary = mo_path.with_suffix(".mo.tmp")
        with temporary.open("wb") as mo_file:
            write_mo(mo_file, catalogue, use_fuzzy=False)
        temporary.replace(mo_path)
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_catalogues():
        print(f"compiled {path.relative_to(LOCALE_DIR.parent)}")
