"""The billing verification: do the issued documents still say what the stored data says?

Recomputes every live issued invoice with the code that priced it (``drafts._fresh_drafts``: the
same readings, tariffs and break-even prices) and every frozen statement with
``statement_compute``, and checks what the database constraints and triggers should already
guarantee, in case something went round them (a restore, a manual repair, a bug): one live invoice
per house and month, number series without gaps or duplicates, stored PDFs matching their
checksum. Read-only except for the one ``BillingCheck`` row that records the result.
"""

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from communities.models import Community

from ..models import BillingCheck, CancellationNote, Invoice, PdfState, SettlementPeriod, StatementDocument
from ..pricing import NoTariffError
from ..statement import statement_compute, statement_to_json
from .drafts import LINE_FIELDS, _fresh_drafts

AMOUNT_FIELDS = (
    "period_start",
    "period_end",
    "energy_exported_kwh",
    "energy_imported_kwh",
    "export_revenue_ct",
    "import_cost_ct",
    "net_amount_ct",
)
VERIFY_SCHEDULE_NAME = "Verify the issued billing"
VERIFY_SCHEDULE_FUNC = "invoicing.tasks.billing_verify_task"
NUMBER = re.compile(r"(?P<series>[A-Z]+)-(?P<year>\d{4})-(?P<sequence>\d+)")


@dataclass
class VerificationReport:
    scope: str
    invoices_checked: int = 0
    findings: list[str] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return not self.findings

    def __str__(self):
        head = f"Billing verification ({self.scope}): {self.invoices_checked} issued invoices checked"
        if self.is_clean:
            return head + ", no findings."
        return "\n".join([f"{head}, {len(self.findings)} findings:", *(f"  - {line}" for line in self.findings)])


def billing_verify(*, community: Community | None = None, month: str | None = None) -> VerificationReport:
    """Check the issued documents of ``community`` (default: all) in ``month`` (default: all months)."""
    communities = [community] if community else list(Community.objects.order_by("slug"))
    scope = f"{', '.join(c.slug for c in communities) or 'no communities'}, {month or 'all months'}"
    report = VerificationReport(scope=scope)
    for each in communities:
        periods = SettlementPeriod.objects.filter(community=each).order_by("month")
        if month:
            periods = periods.filter(month=month)
        for period in periods.select_related("community"):
            report.invoices_checked += _check_invoices(period, report.findings)
            _check_statement(period, report.findings)
        _check_live_invoices_per_house(each, month, report.findings)
        _check_number_series(each, report.findings)
        _check_pdfs(each, month, report.findings)
    return report


def billing_verify_and_record(*, community: Community | None = None, month: str | None = None) -> VerificationReport:
    """Run the verification and keep its result, for the admin index to show the last one."""
    report = billing_verify(community=community, month=month)
    BillingCheck.objects.create(
        ran_at=timezone.now(), scope=report.scope, invoices_checked=report.invoices_checked, findings=report.findings
    )
    return report


def verification_schedule_ensure(*, run_at: dt.time, now: dt.datetime | None = None):
    """The django-q2 schedule that runs the verification daily at ``run_at`` (UTC); idempotent.

    Returns ``(schedule, "created" | "updated" | "unchanged")``.
    """
    from django_q.models import Schedule

    now = now or timezone.now()
    next_run = dt.datetime.combine(now.astimezone(dt.UTC).date(), run_at, tzinfo=dt.UTC)
    if next_run <= now:
        next_run += dt.timedelta(days=1)
    with transaction.atomic():
        schedule = Schedule.objects.select_for_update().filter(name=VERIFY_SCHEDULE_NAME).order_by("pk").first()
        if schedule is None:
            schedule = Schedule.objects.create(
                name=VERIFY_SCHEDULE_NAME,
                func=VERIFY_SCHEDULE_FUNC,
                schedule_type=Schedule.DAILY,
                repeats=-1,
                next_run=next_run,
            )
            return schedule, "created"
        if schedule.next_run and schedule.next_run.astimezone(dt.UTC).time() == run_at:
            return schedule, "unchanged"
        schedule.func, schedule.schedule_type, schedule.repeats, schedule.next_run = (
            VERIFY_SCHEDULE_FUNC,
            Schedule.DAILY,
            -1,
            next_run,
        )
        schedule.save()
        return schedule, "updated"


def _check_invoices(period: SettlementPeriod, findings: list[str]) -> int:
    issued = {
        invoice.house_id: invoice
        for invoice in period.invoices.live().issued().select_related("house").prefetch_related("lines")
    }
    if not issued:
        return 0
    houses = sorted((invoice.house for invoice in issued.values()), key=lambda house: house.house_id)
    try:
        fresh_drafts = list(_fresh_drafts(period, houses))
    except (ValidationError, NoTariffError) as error:
        findings.append(f"{period}: cannot recompute its invoices: {error}")
        return len(issued)
    for house, fresh, fresh_lines in fresh_drafts:
        stored = issued[house.pk]
        differences = [name for name in AMOUNT_FIELDS if getattr(stored, name) != getattr(fresh, name)]
        stored_lines = [tuple(getattr(line, name) for name in LINE_FIELDS) for line in stored.lines.all()]
        if stored_lines != [tuple(getattr(line, name) for name in LINE_FIELDS) for line in fresh_lines]:
            differences.append("lines")
        if differences:
            shown = ", ".join(
                f"{name} {_shown(getattr(stored, name))} (recomputed {_shown(getattr(fresh, name))})"
                if name != "lines"
                else "lines"
                for name in differences
            )
            findings.append(f"Invoice {stored.number} ({house.house_id}, {period.month}) differs: {shown}")
    return len(issued)


def _shown(value) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _check_statement(period: SettlementPeriod, findings: list[str]) -> None:
    document = StatementDocument.objects.filter(period=period).first()
    if document is None:
        return
    try:
        recomputed = statement_to_json(statement_compute(period=period))
    except (ValidationError, NoTariffError) as error:
        findings.append(f"Statement of {period}: cannot recompute it: {error}")
        return
    if recomputed != document.content_json:
        findings.append(f"Statement of {period}: the frozen statement differs from the stored readings and tariffs")


def _check_live_invoices_per_house(community: Community, month: str | None, findings: list[str]) -> None:
    live = Invoice.objects.filter(community=community).live()
    if month:
        live = live.filter(period__month=month)
    doubled = (
        live.values("house__house_id", "period__month").annotate(invoices=Count("pk")).filter(invoices__gt=1)
    ).order_by("period__month", "house__house_id")
    for row in doubled:
        numbers = live.filter(house__house_id=row["house__house_id"], period__month=row["period__month"])
        listed = ", ".join(sorted(str(invoice) for invoice in numbers))
        findings.append(
            f"{community.slug} {row['period__month']}: house {row['house__house_id']} has "
            f"{row['invoices']} live invoices ({listed})"
        )


def _check_number_series(community: Community, findings: list[str]) -> None:
    numbers = [
        *Invoice.objects.filter(community=community).issued().values_list("number", flat=True),
        *CancellationNote.objects.filter(community=community).values_list("number", flat=True),
    ]
    series = defaultdict(list)
    for number in numbers:
        match = NUMBER.fullmatch(number or "")
        if match is None:
            findings.append(f"{community.slug}: number {number!r} is not SERIES-YEAR-SEQUENCE")
            continue
        series[(match["series"], match["year"])].append(int(match["sequence"]))
    for (name, year), sequences in sorted(series.items()):
        prefix = f"{community.slug} {name}-{year}"
        for sequence, times in sorted(Counter(sequences).items()):
            if times > 1:
                findings.append(f"{prefix}: number {name}-{year}-{sequence:03d} is used {times} times")
        missing = sorted(set(range(1, max(sequences) + 1)) - set(sequences))
        if missing:
            shown = ", ".join(f"{name}-{year}-{sequence:03d}" for sequence in missing)
            findings.append(f"{prefix}: missing from the series: {shown}")


def _check_pdfs(community: Community, month: str | None, findings: list[str]) -> None:
    month_filter = {"period__month": month} if month else {}
    documents = [
        *Invoice.objects.filter(community=community, pdf_state=PdfState.RENDERED, **month_filter),
        *CancellationNote.objects.filter(community=community, pdf_state=PdfState.RENDERED).filter(
            **{f"cancelled_invoice__{key}": value for key, value in month_filter.items()}
        ),
        *StatementDocument.objects.filter(period__community=community, pdf_state=PdfState.RENDERED, **month_filter),
    ]
    for document in documents:
        problem = _pdf_problem(document)
        if problem:
            findings.append(f"PDF of {document} ({document.pdf_file.name}): {problem}")


def _pdf_problem(document) -> str | None:
    name = document.pdf_file.name
    if not name or not default_storage.exists(name):
        return "the file is missing"
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as stored:
        for chunk in iter(lambda: stored.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != document.pdf_sha256:
        return "the file no longer matches its stored SHA-256"
    return None
