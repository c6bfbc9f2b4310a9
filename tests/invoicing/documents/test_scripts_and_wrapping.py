"""Every script a member's name may use renders, and long names wrap instead of pushing figures off the page.

Latin, Greek and Cyrillic come from the shipped font; Arabic and CJK from Debian's Noto fonts
(fonts-noto-core, fonts-noto-cjk) through fontconfig. A laptop without them skips this module; CI
installs them and sets LEG_TEST_FONTS_REQUIRED=1, so there they must be present.
"""

import dataclasses
import io
import os
import shutil
import subprocess

import pypdf
import pytest

from invoicing.documents import Party, render_html, render_pdf
from invoicing.documents.engine import BASE_URL, renderer
from tests.invoicing.documents.test_invoice import pdf_text, spec_invoice

GREEK = "Αικατερίνη Παπαδοπούλου-Χατζηγεωργίου"
CYRILLIC = "Ольга Владимировна Константинопольская"
ARABIC = "محمد بن عبد الله الهاشمي"
CJK = "山田太郎花子左衛門"
LONG_NAME = f"{GREEK} {CYRILLIC} {ARABIC} {CJK}"
NOTO_FAMILIES = ("Noto Sans Arabic", "Noto Sans CJK")


def noto_fonts_missing() -> list[str]:
    if shutil.which("fc-list") is None:
        return list(NOTO_FAMILIES)
    families = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=False).stdout
    return [family for family in NOTO_FAMILIES if family not in families]


if noto_fonts_missing() and not os.environ.get("LEG_TEST_FONTS_REQUIRED"):
    pytest.skip(
        f"fonts missing: {', '.join(noto_fonts_missing())} (apt install fonts-noto-core fonts-noto-cjk)",
        allow_module_level=True,
    )

# One word wider than the address column: only wrapping anywhere keeps it on the page.
UNBROKEN = "Ελευθεριοςπαπαδοπουλος" * 4


@pytest.fixture(scope="module")
def long_name_document():
    return dataclasses.replace(
        spec_invoice(),
        recipient=Party(
            name=LONG_NAME, address=f"{UNBROKEN}\nул. Большая Садовая, д. 302-бис\n東京都千代田区丸の内一丁目9番1号"
        ),
        house_name=LONG_NAME,
    )


@pytest.fixture(scope="module")
def long_name_pdf(long_name_document) -> bytes:
    return render_pdf(long_name_document)


def embedded_fonts(pdf: bytes) -> set[str]:
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    return {str(font.get_object()["/BaseFont"]).split("+", 1)[-1] for font in page["/Resources"]["/Font"].values()}


def overflowing_text(document) -> list[str]:
    """Text that runs past the right edge of the column holding it (a float, a table cell, the page),
    from WeasyPrint's own layout of the document's first page."""
    import weasyprint
    from weasyprint.formatting_structure import boxes

    shared = renderer()
    laid_out = weasyprint.HTML(string=render_html(document), base_url=BASE_URL, url_fetcher=shared.url_fetcher).render(
        stylesheets=[shared.stylesheet], font_config=shared.font_config
    )
    found = []

    def walk(box, right_edge):
        if isinstance(box, boxes.BlockContainerBox) and not isinstance(box, boxes.InlineBlockBox):
            right_edge = min(right_edge, box.content_box_x() + box.width)
        if isinstance(box, boxes.TextBox) and box.position_x + box.width > right_edge + 0.5:
            found.append(box.text)
        for child in getattr(box, "children", ()):
            walk(child, right_edge)

    walk(laid_out.pages[0]._page_box, float("inf"))
    return found


@pytest.mark.parametrize("name", [GREEK, CYRILLIC, ARABIC, CJK])
def test_each_script_of_the_name_extracts_from_the_pdf(long_name_pdf, name):
    text = pdf_text(long_name_pdf).replace("-\n", "-")  # a double name may wrap at its hyphen
    assert all(word in text for word in name.split())


def test_scripts_the_shipped_font_lacks_come_from_notos_fonts(long_name_pdf):
    fonts = embedded_fonts(long_name_pdf)
    assert "Noto-Sans-Arabic" in fonts and "Noto-Sans-CJK-SC" in fonts
    assert "Invoice-Sans" in fonts


def test_the_number_dates_and_total_stay_on_the_one_page(long_name_pdf):
    reader = pypdf.PdfReader(io.BytesIO(long_name_pdf))
    first_page = reader.pages[0].extract_text()
    assert len(reader.pages) == 1
    assert "INV-2026-007" in first_page and "3 November 2026" in first_page and "€60.03" in first_page


def test_long_names_and_addresses_wrap_inside_their_column(long_name_document):
    assert overflowing_text(long_name_document) == []
