"""E-mail delivery in the admin: the e-mail list, the invoice's column and panel, the period's panel,
and the send and resend actions (each confirmed on its own page, each with its own permission)."""

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import CommunityScopedAdminMixin, ReadOnlyAdminMixin, change_link
from core.formatting import EMPTY, site_time
from invoicing import selectors, services
from invoicing.models import InvoiceDelivery

from .base import BOTH_LOCATIONS, NoBulkDeleteMixin
from .confirmation import action_post_back, confirm_then_run, confirmation_response

DELIVERIES_TEMPLATE = "admin/invoicing/deliveries.html"
CONFIRM_SEND_TEMPLATE = "admin/invoicing/confirm_email.html"
Status = InvoiceDelivery.Status
# A compact mark per status for the invoice list, whose columns must fit a laptop screen.
STATUS_MARKS = {
    Status.QUEUED: gettext_lazy("queued"),
    Status.SENDING: gettext_lazy("sending"),
    Status.SENT: gettext_lazy("sent"),
    Status.FAILED: gettext_lazy("failed"),
}


def may_send(request) -> bool:
    return request.user.has_perm(services.SEND_PERMISSION)


def may_resend(request) -> bool:
    return request.user.has_perm(services.RESEND_PERMISSION)


def _confirm(model_admin, request, objects, *, action, title, consequences, rows, run):
    """Confirm on a page listing ``rows`` (label, detail), then ``run`` each object and report it."""
    return confirm_then_run(
        model_admin,
        request,
        objects,
        confirmed=bool(request.POST.get("post")),
        run=run,
        confirmation=lambda: confirmation_response(
            model_admin,
            request,
            CONFIRM_SEND_TEMPLATE,
            title=title,
            consequences=consequences,
            rows=rows,
            **action_post_back(request, action, objects),
        ),
    )


@admin.register(InvoiceDelivery)
class InvoiceDeliveryAdmin(CommunityScopedAdminMixin, ReadOnlyAdminMixin, NoBulkDeleteMixin, admin.ModelAdmin):
    """Every e-mail sent or to be sent, with its outcome; written by services only."""

    community_field = "community"
    list_display = ["document_number", "kind", "recipient", "status", "attempts", "queued", "sent", "requested_by_name"]
    list_filter = ["status", "kind", "community"]
    search_fields = ["invoice__number", "cancellation_note__number", "recipient"]
    list_select_related = ["invoice", "cancellation_note"]
    show_full_result_count = False
    fields = [
        "invoice_link",
        "kind",
        "recipient",
        "status",
        "error",
        "attempts",
        "queued",
        "sent",
        "requested_by_name",
        "resend_of",
        "message_id",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("document"), ordering="invoice__number")
    def document_number(self, delivery):
        return delivery.document_number

    @admin.display(description=gettext_lazy("invoice"))
    def invoice_link(self, delivery):
        return change_link(delivery.invoice)

    @admin.display(description=gettext_lazy("queued"), ordering="queued_at")
    def queued(self, delivery):
        return site_time(delivery.queued_at)

    @admin.display(description=gettext_lazy("sent"), ordering="sent_at")
    def sent(self, delivery):
        return site_time(delivery.sent_at)


class InvoiceDeliveryMixin:
    """For ``InvoiceAdmin``: the e-mail column, the e-mail panel and "Resend by e-mail"."""

    def has_resend_invoice_emails_permission(self, request):
        return may_resend(request)

    @admin.display(description=gettext_lazy("e-mail"), ordering="email_status")
    def email_status(self, invoice):
        status = getattr(invoice, "email_status", None)
        if status is None:
            return EMPTY
        if status == Status.FAILED:
            return format_html("<strong>{}</strong>", STATUS_MARKS[status])
        return STATUS_MARKS[status]

    @admin.display(description=gettext_lazy("e-mail"))
    def email_deliveries(self, invoice):
        if invoice.pk is None:
            return EMPTY
        deliveries = list(selectors.invoice_deliveries(invoice=invoice))
        return render_to_string(DELIVERIES_TEMPLATE, {"deliveries": deliveries})

    @admin.action(
        description=gettext_lazy("Resend by e-mail"), permissions=["resend_invoice_emails"], location=BOTH_LOCATIONS
    )
    def resend_emails(self, request, queryset):
        invoices = list(queryset.select_related("house"))
        return _confirm(
            self,
            request,
            invoices,
            action="resend_emails",
            title=_("Resend by e-mail"),
            consequences=[
                _("Sends each invoice again (a cancelled one: its cancellation note) to its house's current address."),
                _("Each resend is a new e-mail, recorded with your name on the invoice and in the audit trail."),
            ],
            rows=[(invoice, invoice.house.email or _("no e-mail address: will be refused")) for invoice in invoices],
            run=lambda invoice: (
                _("%(invoice)s: queued again to %(recipient)s.")
                % {
                    "invoice": invoice,
                    "recipient": services.document_resend(invoice=invoice, acting_user=request.user).recipient,
                }
            ),
        )


class PeriodDeliveryMixin:
    """For ``SettlementPeriodAdmin``: the e-mail panel, "Send invoices by e-mail" and "Resend failed e-mails"."""

    def has_send_invoice_emails_permission(self, request):
        return may_send(request)

    def has_resend_invoice_emails_permission(self, request):
        return may_resend(request)

    @admin.display(description=gettext_lazy("e-mail"))
    def email_deliveries(self, period):
        if period.pk is None:
            return EMPTY
        summary = selectors.period_deliveries(period=period)
        houses = format_html_join(", ", "{}", ((change_link(house),) for house in summary.houses_without_email))
        without = format_html("<br>{} {}", _("Houses without an e-mail address:"), houses) if houses else ""
        return format_html("{}{}", summary, without)

    @admin.action(
        description=gettext_lazy("Send invoices by e-mail"),
        permissions=["send_invoice_emails"],
        location=BOTH_LOCATIONS,
    )
    def send_invoice_emails(self, request, queryset):
        periods = list(queryset.select_related("community"))
        return _confirm(
            self,
            request,
            periods,
            action="send_invoice_emails",
            title=_("Send invoices by e-mail"),
            consequences=[
                _(
                    "E-mails every issued invoice not yet e-mailed to its house, with its PDF, in the community's language."
                ),
                _("Cancellation notes of invoices already e-mailed go the same way."),
                _("Invoices already queued or sent are not sent again; houses without an e-mail address are skipped."),
            ],
            rows=[(period, selectors.period_deliveries(period=period)) for period in periods],
            run=lambda period: str(services.deliveries_queue(period=period, acting_user=request.user)),
        )

    @admin.action(
        description=gettext_lazy("Resend failed e-mails"),
        permissions=["resend_invoice_emails"],
        location=BOTH_LOCATIONS,
    )
    def resend_failed_emails(self, request, queryset):
        periods = list(queryset.select_related("community"))
        return _confirm(
            self,
            request,
            periods,
            action="resend_failed_emails",
            title=_("Resend failed e-mails"),
            consequences=[
                _("Sends every failed e-mail of the period again, to the house's current address."),
                _("Each resend is a new e-mail, recorded with your name on the invoice and in the audit trail."),
            ],
            rows=[(period, selectors.period_deliveries(period=period)) for period in periods],
            run=lambda period: services.deliveries_resend_failed(period=period, acting_user=request.user),
        )
