"""How fast invoice PDFs render: the batch path against a naive render that reuses nothing.

    .venv/bin/python benchmarks/bench_pdf.py [--full] [--count N] [--naive-count N] [--json PATH]

Renders ``--count`` (20; ``--full`` 100) realistic documents (31 days of daily energy, one or two tariff segments,
names with umlauts) in one process with ``render_pdfs``, which reuses the template, the parsed
CSS, the FontConfiguration and the URL fetcher. The baseline, measured in the same run, builds
all of that afresh for every PDF, as a plain ``HTML(...).write_pdf()`` per invoice would.

The goal of issue #4: 2,000 PDFs in 4 minutes on 2 workers, i.e. at most ~0.24 s per PDF per core
(0.2 s leaves room for the task and storage around each render).

Measured on the 2-core development machine (WeasyPrint 70, fontTools subsetting, no HarfBuzz-Subset):

    first render in a fresh process: 0.513 s
    naive (nothing reused), 10 PDFs: 0.1199 s/PDF, 8.3 PDFs/s
    render_pdfs, 100 PDFs: 0.0992 s/PDF, 10.1 PDFs/s (9.92 s total, mean size 15.8 KiB)
    speed-up over naive: 1.21x
    projected 2000 PDFs on 2 workers: 99 s (goal 240 s, met)

Two copies run side by side (one per core) each kept 0.100 s/PDF, i.e. 20 PDFs/s together.

What cost, in the order it was removed (s/PDF with reuse): the first template with the full
DejaVu Sans files 0.26; WeasyPrint subsets every embedded font on every render, and the full
files' GPOS/GSUB/MATH tables made that half the render, so the shipped fonts are reduced copies
(0.15); the chart's SVG labels fell back to the host's font, a third embedded font (0.10);
flexbox in the header (0.09). What remains, roughly: font subsetting a third, layout a quarter,
drawing an eighth, HTML parsing and the Django template a tenth each. Reuse itself (CSS parse,
FontConfiguration, template) saves about 0.02-0.03 s per PDF, the "speed-up over naive".
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "benchmarks"))

from results import Results, add_json_argument  # noqa: E402

GOAL_PDFS, GOAL_SECONDS, GOAL_WORKERS = 2000, 240, 2


def setup_django():
    sys.path.insert(0, str(PROJECT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "legbilling_site.settings.test")
    import django

    django.setup()


def _line(part, p_pv: Decimal, p_con: Decimal):
    from invoicing.documents import DocumentLine

    part_exported = sum((day.exported_kwh for day in part), Decimal(0))
    part_imported = sum((day.imported_kwh for day in part), Decimal(0))
    return DocumentLine(
        segment_start=part[0].day,
        segment_end=part[-1].day,
        exported_kwh=part_exported,
        p_pv_ct_per_kwh=p_pv,
        export_revenue_ct=part_exported * p_pv,
        imported_kwh=part_imported,
        p_con_ct_per_kwh=p_con,
        import_cost_ct=part_imported * p_con,
    )


def documents(count: int):
    from invoicing.documents import (
        DailyEnergy,
        InvoiceDocument,
        Letterhead,
        Party,
        TariffTerms,
    )

    first, last = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
    letterhead = Letterhead(
        legal_name="Sonnenstrom Energiegemeinschaft eG",
        address="Hauptstraße 1\n12345 Sonnendorf",
        contact_email="abrechnung@sonnenstrom.example",
        contact_phone="+49 30 1234567",
    )
    tariff = TariffTerms(p_pv=Decimal("20"), p_con=Decimal("25"), p_grid_del=Decimal("8"), p_grid_con=Decimal("30.5"))
    for n in range(count):
        # Deterministic variety: different energies per house and day, every third house with a tariff change.
        daily = tuple(
            DailyEnergy(
                day=first + dt.timedelta(days=i),
                exported_kwh=Decimal((n * 7 + i * 13) % 400) / 10,
                imported_kwh=Decimal((n * 5 + i * 11) % 150) / 10,
            )
            for i in range(31)
        )
        exported = sum((day.exported_kwh for day in daily), Decimal(0))
        imported = sum((day.imported_kwh for day in daily), Decimal(0))
        if n % 3 == 0:
            split = 14
            parts = [daily[:split], daily[split:]]
            prices = [(Decimal("20"), Decimal("25")), (Decimal("22"), Decimal("26.5"))]
        else:
            parts, prices = [daily], [(Decimal("20"), Decimal("25"))]
        lines = [_line(part, p_pv, p_con) for part, (p_pv, p_con) in zip(parts, prices, strict=True)]
        revenue = sum((line.export_revenue_ct for line in lines), Decimal(0))
        cost = sum((line.import_cost_ct for line in lines), Decimal(0))
        yield InvoiceDocument(
            kind="invoice",
            number=f"INV-2026-{n + 1:04d}",
            issue_date=dt.date(2026, 11, 3),
            month="2026-10",
            period_first_day=first,
            period_last_day=last,
            letterhead=letterhead,
            recipient=Party(name=f"Jürgen Größ {n}", address=f"Sonnenweg {n + 1}\n12345 Sonnendorf"),
            house_id=f"H-{n + 1:04d}",
            house_name=f"Größ, Sonnenweg {n + 1}",
            lines=tuple(lines),
            energy_exported_kwh=exported,
            energy_imported_kwh=imported,
            export_revenue_ct=revenue,
            import_cost_ct=cost,
            net_amount_ct=revenue - cost,
            tariff=tariff,
            daily=daily,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="100 batch and 10 naive PDFs")
    parser.add_argument("--count", type=int, help="PDFs rendered in the batch (default 20, --full 100)")
    parser.add_argument("--naive-count", type=int, help="PDFs rendered naively (default 5, --full 10)")
    add_json_argument(parser)
    args = parser.parse_args()
    args.count = args.count or (100 if args.full else 20)
    args.naive_count = args.naive_count or (10 if args.full else 5)

    setup_django()
    from invoicing.documents import Renderer, render_html, render_pdfs

    def render_afresh(document):
        # fresh CSS parse, FontConfiguration and fetcher for every PDF
        return Renderer().write_pdf(render_html(document), identifier=document.number)

    batch_docs = list(documents(args.count))
    naive_docs = list(documents(args.naive_count))

    # Warm-up outside the timings: imports, Pango and fontconfig start-up, Django's template loader.
    started = time.perf_counter()
    render_afresh(naive_docs[0])
    cold = time.perf_counter() - started

    naive_times = []
    for document in naive_docs:
        started = time.perf_counter()
        render_afresh(document)
        naive_times.append(time.perf_counter() - started)
    naive = statistics.fmean(naive_times)

    started = time.perf_counter()
    sizes = [len(pdf) for pdf in render_pdfs(batch_docs)]
    batch_total = time.perf_counter() - started
    batch = batch_total / len(batch_docs)

    projected = GOAL_PDFS * batch / GOAL_WORKERS
    print(f"first render in a fresh process: {cold:.3f} s")
    print(f"mean size {statistics.fmean(sizes) / 1024:.1f} KiB")
    results = Results("pdf")
    results.add(
        "render_pdfs, per PDF",
        batch * 1000,
        "ms",
        database="none",
        data=f"{len(batch_docs)} one-page invoices with a 31-day chart, one process",
        baseline=f"a fresh renderer per PDF ({len(naive_docs)} PDFs)",
        baseline_value=naive * 1000,
    )
    results.add(
        f"{GOAL_PDFS} PDFs on {GOAL_WORKERS} workers, projected",
        projected,
        "s",
        database="none",
        goal=f"<= {GOAL_SECONDS} s",
        met=projected <= GOAL_SECONDS,
    )
    results.write(args.json)


if __name__ == "__main__":
    main()
