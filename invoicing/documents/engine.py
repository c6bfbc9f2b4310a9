"""The PDF engine: WeasyPrint with the project's fonts and CSS, and a URL fetcher that serves nothing
but the files under ``invoicing/static/``: no network, no ``file://`` outside it.

Speed (``benchmarks/bench_pdf.py``, about 0.1 s per PDF): the parsed CSS, the FontConfiguration
and the fetcher are built once per process (per thread) and reused; the shipped fonts are reduced
DejaVu Sans files, because WeasyPrint subsets every embedded font on every render and the full
files made that half the cost.

Output is deterministic: the same document gives the same bytes (no creation date, a PDF
identifier derived from the document, fixed font timestamps), so the stored SHA-256 stays true.
"""

import contextlib
import hashlib
import logging
import mimetypes
import os
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.template.loader import get_template

# The only files a PDF may load: this app's static directory (not settings.STATIC_ROOT, which
# collectstatic fills with every app's files).
# The only files a PDF may load: this app's static directory (not settings.STATIC_ROOT, which
# collectstatic fills with every app's files).
ASSETS_ROOT = (Path(__file__).resolve().parent.parent / "static").resolve()
PDF_ASSETS = ASSETS_ROOT / "invoicing" / "pdf"
STYLESHEET = PDF_ASSETS / "invoice.css"
# Relative URLs in the templates and stylesheet resolve against this, inside the served tree.
BASE_URL = PDF_ASSETS.as_uri() + "/"
# The @font-face family in invoice.css. Not "DejaVu Sans": that name would also match the system's
# copy through fontconfig, and the PDF would silently embed whatever the host has installed.
FONT_FAMILY = "Invoice Sans"


class _SubsetterNotice(logging.Filter):
    """Drops WeasyPrint's per-font, per-render advice to install HarfBuzz-Subset.

    Without libharfbuzz-subset WeasyPrint subsets with fontTools and says so twice for every PDF,
    4,000 identical warnings per close. The choice is known and measured (see the fonts' README).
    """

    def filter(self, record):
        return "HarfBuzz-Subset" not in record.getMessage()


def _weasyprint():
    # fontTools logs some forty INFO lines per subset font and WeasyPrint seven progress lines per
    # PDF; at 2,000 PDFs per close that drowns the worker log. Keep their warnings only (set
    # before the import, which already parses WeasyPrint's own stylesheets).
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    weasyprint_log = logging.getLogger("weasyprint")
    if not any(isinstance(f, _SubsetterNotice) for f in weasyprint_log.filters):
        weasyprint_log.addFilter(_SubsetterNotice())

    # Imported lazily: WeasyPrint loads Pango and friends, which the web and admin never need.
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    return weasyprint, FontConfiguration


class AssetRefused(ValueError):
    """A document asked for something outside the project's static files."""


def static_asset_fetcher(root: Path = ASSETS_ROOT):
    """A WeasyPrint URL fetcher that serves only regular files under ``root`` (``invoicing/static``).

    Everything else is refused with ``AssetRefused``: other schemes (http, https, data, ...),
    ``file://`` paths that resolve outside ``root`` (``..``, symlinks, absolute paths), and
    missing files. The fetcher fails the render instead of letting WeasyPrint fall back, so a
    missing font is an error and not a silently different PDF. File contents are cached: the
    assets are part of the code and a process serves them thousands of times per close.
    """
    _weasyprint()  # logging set up before WeasyPrint's first import
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = Path(root).resolve()

    class StaticAssetFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True)
            self._cache: dict[Path, tuple[bytes, str]] = {}

        def resolve(self, url: str) -> Path:
            parts = urlsplit(url)
            if parts.scheme.lower() != "file":
                raise AssetRefused(f"Only the project's static files can be used in a PDF, not {url!r}.")
            if parts.netloc not in ("", "localhost"):
                raise AssetRefused(f"Only local files can be used in a PDF, not {url!r}.")
            path = Path(url2pathname(unquote(parts.path))).resolve()
            if not path.is_relative_to(root):
                raise AssetRefused(f"{url!r} is outside the static files ({root}).")
            if not path.is_file():
                raise AssetRefused(f"{url!r} is not a file under the static files.")
            return path

        def fetch(self, url, headers=None):
            path = self.resolve(url)
            if path not in self._cache:
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                self._cache[path] = (path.read_bytes(), content_type)
            body, content_type = self._cache[path]
            return URLFetcherResponse(path.as_uri(), body, {"Content-Type": content_type})

    return StaticAssetFetcher()


# fontTools stamps every font subset it writes with the current time (the 'head' table's
# "modified" field) unless SOURCE_DATE_EPOCH is set, which made two renders of one document differ
# in a few bytes. It is set to a constant while a render runs and restored after the last
# concurrent render in the process finishes.
FONT_TIMESTAMP_EPOCH = "946684800"  # 2000-01-01T00:00:00Z, any constant will do


_epoch_lock = threading.Lock()


_epoch_renders = 0


_epoch_saved: str | None = None


@contextlib.contextmanager
def _fixed_font_timestamps():
    global _epoch_renders, _epoch_saved
    with _epoch_lock:
        if _epoch_renders == 0:
            _epoch_saved = os.environ.get("SOURCE_DATE_EPOCH")
            os.environ["SOURCE_DATE_EPOCH"] = FONT_TIMESTAMP_EPOCH
        _epoch_renders += 1
    try:
        yield
    finally:
        with _epoch_lock:
            _epoch_renders -= 1
            if _epoch_renders == 0:
                if _epoch_saved is None:
                    os.environ.pop("SOURCE_DATE_EPOCH", None)
                else:
                    os.environ["SOURCE_DATE_EPOCH"] = _epoch_saved


class Renderer:
    """What can be reused from one PDF to the next: fonts, parsed CSS, URL fetcher.

    Building one costs about as much as a render (font loading, CSS parsing); reusing it is what
    makes a batch fast. Not shared between threads (Pango/fontconfig state): ``renderer()`` keeps
    one per thread.
    """

    def __init__(self):
        weasyprint, FontConfiguration = _weasyprint()
        self._weasyprint = weasyprint
        self.url_fetcher = static_asset_fetcher()
        self.font_config = FontConfiguration()
        self.stylesheet = weasyprint.CSS(
            url=STYLESHEET.as_uri(), url_fetcher=self.url_fetcher, font_config=self.font_config
        )

    def write_pdf(self, html: str, *, identifier: str) -> bytes:
        """Any of the project's PDF templates, laid out with the shared fonts, CSS and fetcher."""
        with _fixed_font_timestamps():
            return self._weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=self.url_fetcher).write_pdf(
                stylesheets=[self.stylesheet],
                font_config=self.font_config,
                # The file identifier is derived from the document, not random: same document,
                # same bytes, same SHA-256.
                pdf_identifier=hashlib.sha256(identifier.encode()).hexdigest()[:32].encode(),
            )


_local = threading.local()


def renderer() -> Renderer:
    """This thread's renderer, built on first use."""
    current = getattr(_local, "renderer", None)
    if current is None:
        current = _local.renderer = Renderer()
    return current


def render_template_pdf(template_name: str, context: dict, *, identifier: str) -> bytes:
    """Another PDF template (e.g. the community statement) with the invoices' fonts and rules."""
    return renderer().write_pdf(get_template(template_name).render(context), identifier=identifier)
