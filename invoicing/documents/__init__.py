"""Issued documents as PDF: the engine, the invoice and cancellation layout, the statement layout."""

from .engine import FONT_FAMILY, AssetRefused, Renderer, render_template_pdf, renderer, static_asset_fetcher
from .invoice import DailyEnergy, DailyPrice, DocumentLine, InvoiceDocument, Letterhead, Party, TariffTerms, long_date
from .invoice_layout import render_html, render_pdf, render_pdfs

__all__ = [
    "FONT_FAMILY",
    "AssetRefused",
    "DailyEnergy",
    "DailyPrice",
    "DocumentLine",
    "InvoiceDocument",
    "Letterhead",
    "Party",
    "Renderer",
    "TariffTerms",
    "long_date",
    "render_html",
    "render_pdf",
    "render_pdfs",
    "render_template_pdf",
    "renderer",
    "static_asset_fetcher",
]
