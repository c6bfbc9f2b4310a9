"""Settlement periods: a community's month, its invoices generated and issued from its page.

Closing a period and its community statement have their own modules; this admin combines them.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from core.admin import AuditHistoryMixin, CommunityScopedAdminMixin, count_link, local_span
from core.formatting import EMPTY
from core.local_time import month_bounds, parse_period_id
from invoicing import selectors, services
from invoicing.models import Invoice, SettlementPeriod
from invoicing.period_figures import period_completeness_kept

from .base import BOTH_LOCATIONS, CONFIRM_ACTION_TEMPLATE, EVENTS_TEMPLATE, InvoiceChangeActionsMixin
from .confirmation import action_post_back, confirm_then_run, confirmation_response
from .deliveries import PeriodDeliveryMixin
from .period_closing import PeriodClosingMixin, force_form
from .period_exports import PeriodExportsMixin
from .period_statement import PeriodStatementMixin

# A period's invoices by status, as its list counts them ("1 draft, 2 pending (issued)").
STATUS_COUNTS = {
    Invoice.Status.DRAFT: ngettext_lazy("%(count)d draft", "%(count)d drafts", "count"),
    Invoice.Status.PENDING: ngettext_lazy("%(count)d pending (issued)", "%(count)d pending (issued)", "count"),
    Invoice.Status.PAID: ngettext_lazy("%(count)d paid", "%(count)d paid", "count"),
    Invoice.Status.CANCELLED: ngettext_lazy("%(count)d cancelled", "%(count)d cancelled", "count"),
}


class SettlementPeriodForm(forms.ModelForm):
    """Staff give a community and a month; the UTC bounds follow from the community's zone."""

    class Meta:
        model = SettlementPeriod
        fields = ["community", "month"]
        help_texts = {"month": _("YYYY-MM, e.g. 2026-01. Start and end are computed in the community's time zone.")}

    def clean(self):
        cleaned_data = super().clean()
        community, month = cleaned_data.get("community"), cleaned_data.get("month")
        if community is None or not month:
            return cleaned_data
        try:
            parse_period_id(month)
        except ValueError as error:
            self.add_error("month", str(error))
            return cleaned_data
        # The same computation as services.period_get_or_create, so both make identical periods.
        self.instance.start, self.instance.end = month_bounds(month, community.zone)
        return cleaned_data


@admin.register(SettlementPeriod)
class SettlementPeriodAdmin(
    CommunityScopedAdminMixin,
    AuditHistoryMixin,
    InvoiceChangeActionsMixin,
    PeriodClosingMixin,
    PeriodStatementMixin,
    PeriodExportsMixin,
    PeriodDeliveryMixin,
    admin.ModelAdmin,
):
    community_field = "community"
    form = SettlementPeriodForm
    list_display = ["month", "community", "local_bounds", "status", "invoices_link"]
    list_filter = ["community", "status"]
    search_fields = ["month", "community__name"]
    list_select_related = ["community"]
    ordering = ["-month", "community__name"]
    actions = [
        "generate_draft_invoices",
        "issue_invoices",
        "close_periods",
        "resume_closing",
        "retry_statement_pdf",
        "send_invoice_emails",
        "resend_failed_emails",
    ]
    # A saved period's page: the month, then the close (PeriodClosingMixin) and statement (PeriodStatementMixin).
    PERIOD_FIELDS = [
        "community",
        "month",
        "local_bounds",
        "start",
        "end",
        "status",
        "invoices_link",
        "invoice_downloads",
        "created_at",
    ]
    CLOSE_FIELDS = [
        "close_progress",
        "stuck_work",
        "email_deliveries",
        "close_forced",
        "community_statement",
        "statement_pdf",
        "completeness_table",
        "events_table",
    ]

    def get_queryset(self, request):
        by_status = {
            f"{status}_count": Count("invoices", filter=Q(invoices__status=status)) for status in Invoice.Status.values
        }
        return super().get_queryset(request).annotate(invoice_count=Count("invoices"), **by_status)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["community", "month", "start", "end", "status"]
        return [*self.PERIOD_FIELDS, *self.CLOSE_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["start", "end", "status"]
        # A period's month and community are what its invoices were computed for; status moves
        # only through services.
        return [*self.PERIOD_FIELDS, *self.CLOSE_FIELDS]

    @admin.display(description=_("events"))
    def events_table(self, period):
        return render_to_string(EVENTS_TEMPLATE, {"events": selectors.period_events(period=period)})

    @admin.display(description=_("local time"))
    def local_bounds(self, period):
        return local_span(period.start, period.end, period.community.zone)

    @admin.display(description=_("invoices"), ordering="invoice_count")
    def invoices_link(self, period):
        """``3 invoices: 1 draft, 2 pending (issued)``, each part a link to those invoices."""
        if period.pk is None:
            return EMPTY
        url_name = "admin:invoicing_invoice_changelist"
        total = getattr(period, "invoice_count", 0)
        invoices = ngettext_lazy("%(count)d invoice", "%(count)d invoices", "count")
        all_link = count_link(url_name, total, invoices, period__id__exact=period.pk)
        by_status = [
            count_link(url_name, count, label, period__id__exact=period.pk, status__exact=status)
            for status, label in STATUS_COUNTS.items()
            if (count := getattr(period, f"{status}_count", 0))
        ]
        if not by_status:
            return all_link
        return format_html("{}: {}", all_link, format_html_join(", ", "{}", ((link,) for link in by_status)))

    @admin.action(description=_("Generate draft invoices"), permissions=["invoice_change"], location=BOTH_LOCATIONS)
    def generate_draft_invoices(self, request, queryset):
        return self._confirm_then_run(
            request,
            queryset,
            action="generate_draft_invoices",
            title=gettext("Generate draft invoices"),
            submit_label=gettext("Yes, generate draft invoices"),
            consequences=[
                _(
                    "Creates or refreshes one draft invoice per house active in the month, from the current "
                    "readings and tariffs. A house without readings gets a zero invoice."
                ),
                _("Issued invoices are not touched. Drafts of houses no longer active are removed."),
                _("Running it again with unchanged data changes nothing."),
            ],
            run=lambda period: services.invoices_generate(period=period),
        )

    @admin.action(description=_("Issue invoices"), permissions=["invoice_change"], location=BOTH_LOCATIONS)
    def issue_invoices(self, request, queryset):
        """Behind the close's gate: a confirmation page with each period's completeness and, for users
        allowed to force, force + reason; then ``invoices_issue`` on each period."""
        periods = list(queryset.select_related("community"))
        form = force_form(request, work="issue")
        return self._confirm_then_run(
            request,
            periods,
            action="issue_invoices",
            title=gettext("Issue invoices"),
            submit_label=gettext("Yes, issue invoices"),
            consequences=[
                _(
                    "Only a month that has ended, with all its readings (or forced with a written reason by a user "
                    "allowed to force), is issued; any other is refused and keeps its numbers untaken."
                ),
                _("First refreshes the drafts from the current readings, as 'Generate draft invoices' does."),
                _(
                    "Then gives every draft the next number of the community's series (e.g. INV-2026-001), in "
                    "house order, and freezes it."
                ),
                _("The month's meter readings become final, as in a close: imports and edits into it are refused."),
                _("Issued invoices cannot be edited or deleted; a mistake is corrected by cancelling the invoice."),
            ],
            run=lambda period: services.invoices_issue(
                period=period, acting_user=request.user, **form.service_arguments()
            ),
            form=form,
        )

    def _confirm_then_run(self, request, periods, *, action, title, submit_label, consequences, run, form=None):
        """Generate and issue: their consequences and each period's houses and invoices (and, with a
        force ``form``, its readings), then ``run`` on each period, reported under its name.

        ``submit_label``: the button's own sentence per action; a lower-cased title would break
        languages with another word order or capitalised nouns."""

        def confirmation():
            rows = self._confirmation_rows(periods, gated=form is not None)
            return confirmation_response(
                self,
                request,
                CONFIRM_ACTION_TEMPLATE,
                title=title,
                submit_label=submit_label,
                consequences=consequences,
                periods=rows,
                form=form,
                any_gaps=any(row["gaps"] for row in rows),
                **action_post_back(request, action, periods),
            )

        return confirm_then_run(
            self,
            request,
            periods,
            confirmed=bool(request.POST.get("post")) and (form is None or form.is_valid()),
            run=lambda period: f"{period}: {run(period)}",
            confirmation=confirmation,
        )

    def _confirmation_rows(self, periods, *, gated: bool):
        """Each selected period as its confirmation page lists it: the houses and invoices it has now,
        and where the gate applies, whether it has ended and its readings are complete."""
        rows = []
        for period in periods:
            closed = period.status == SettlementPeriod.Status.CLOSED
            completeness = period_completeness_kept(period=period) if gated else None
            ends = services.period_not_ended(period) if gated else ""
            rows.append(
                {
                    "period": period,
                    "closed": closed,
                    "not_ended": ends,
                    "completeness": completeness,
                    "gaps": bool(completeness and not completeness.complete and not closed and not ends),
                    "local_bounds": self.local_bounds(period),
                    "billable_houses": selectors.houses_billable_in(period=period).count(),
                    "counts": self.invoices_link(period),
                }
            )
        return rows
