"""Payments on the invoice page: listed read-only, recorded and undone on pages of their own.

Both pages confirm before they write, take the right to record payments (in the invoice's community), and only call
``services.payment_record`` / ``services.payment_undo``; a refusal is shown on the form, so
nothing typed is lost.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import CommunityScopedAdminMixin, ReadOnlyAdminMixin, change_link
from core.formatting import EMPTY, eur
from core.money import CENTS_PER_EURO
from invoicing import services
from invoicing.models import Invoice, Payment, payable_ct

from .base import PAYMENT_PERMISSION, NoBulkDeleteMixin, ShownWithInvoicesMixin, object_view_url
from .confirmation import confirmation_response

RECORD_PAYMENT_TEMPLATE = "admin/invoicing/invoice/record_payment.html"
UNDO_PAYMENT_TEMPLATE = "admin/invoicing/invoice/undo_payment.html"


def local_minute(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else EMPTY


def recorded_cell(payment) -> str:
    return gettext("%(when)s by %(name)s") % {
        "when": local_minute(payment.recorded_at),
        "name": payment.recorded_by_name,
    }


def undone_cell(payment) -> str:
    """When, by whom and why a payment was undone; for one that counts, the link to undo it."""
    if not payment.is_undone:
        url = reverse("admin:invoicing_invoice_undo_payment", args=[payment.invoice_id])
        return format_html('<a href="{}?payment={}">{}</a>', url, payment.pk, gettext("Undo…"))
    return format_html(
        "{}: &ldquo;{}&rdquo;",
        gettext("%(when)s by %(name)s") % {"when": local_minute(payment.undone_at), "name": payment.undone_by_name},
        payment.undo_reason,
    )


def _status_of(invoice) -> dict:
    return {"number": invoice.number, "status": invoice.get_status_display().lower()}


class RecordPaymentForm(forms.Form):
    paid_on = forms.DateField(
        label=_("Date paid"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day the money arrived or left, as on the bank statement."),
    )
    amount_eur = forms.DecimalField(
        label=_("Amount (EUR)"),
        min_value=0,
        max_digits=13,
        decimal_places=2,
        help_text=_("In euros and cents, without a sign: the invoice says who pays whom. Less is a partial payment."),
    )
    reference = forms.CharField(
        label=_("Bank reference"), max_length=140, help_text=_("As on the bank statement, e.g. the SEPA end-to-end id.")
    )


class UndoPaymentForm(forms.Form):
    payment = forms.ModelChoiceField(queryset=Payment.objects.none(), empty_label=None)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Kept in the invoice's history, e.g. 'Booked on the wrong invoice' or 'Direct debit returned'."),
    )

    def __init__(self, *args, invoice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment"].queryset = invoice.payments.active()
        self.fields["payment"].label_from_instance = lambda payment: (
            gettext("%(amount)s on %(day)s, reference %(reference)s")
            % {"amount": eur(payment.amount_ct), "day": f"{payment.paid_on:%Y-%m-%d}", "reference": payment.reference}
        )


class PaymentColumns:
    """The columns a payment shows wherever it is listed."""

    @admin.display(description=_("amount"), ordering="amount_ct")
    def amount(self, payment):
        return eur(payment.amount_ct)

    @admin.display(description=_("recorded"))
    def recorded(self, payment):
        return recorded_cell(payment)

    @admin.display(description=_("undone"))
    def undone(self, payment):
        return undone_cell(payment)


class PaymentInline(PaymentColumns, ShownWithInvoicesMixin, ReadOnlyAdminMixin, admin.TabularInline):
    """Every payment ever recorded on the invoice, undone ones included, with who and when."""

    model = Payment
    fields = ["paid_on", "amount", "reference", "recorded", "undone"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("payments")


@admin.register(Payment)
class PaymentAdmin(
    CommunityScopedAdminMixin,
    PaymentColumns,
    ShownWithInvoicesMixin,
    NoBulkDeleteMixin,
    ReadOnlyAdminMixin,
    admin.ModelAdmin,
):
    """Every payment of every invoice, for reconciling a bank statement: search its reference.

    Read-only: payments are recorded and undone from their invoice's page.
    """

    community_field = "invoice__community"

    list_display = ["paid_on", "invoice", "house", "amount", "reference", "recorded_by_name", "is_active"]
    list_filter = ["invoice__community", ("undone_at", admin.EmptyFieldListFilter)]
    search_fields = ["reference", "invoice__number", "invoice__house_name"]
    search_help_text = _("Bank reference, invoice number or house name.")
    date_hierarchy = "paid_on"
    list_select_related = ["invoice"]
    ordering = ["-paid_on", "-pk"]
    fields = ["invoice_link", "paid_on", "amount", "reference", "recorded", "undone"]
    readonly_fields = fields

    @admin.display(description=_("house"), ordering="invoice__house_name")
    def house(self, payment):
        return payment.invoice.house_name

    @admin.display(description=_("counts"), boolean=True)
    def is_active(self, payment):
        return not payment.is_undone

    @admin.display(description=_("invoice"))
    def invoice_link(self, payment):
        return change_link(payment.invoice)


class PaymentViews:
    """``<id>/record-payment/`` and ``<id>/undo-payment/`` next to an invoice's page."""

    def get_urls(self):
        return [
            object_view_url(self, "record-payment/", self.record_payment_view, "record_payment"),
            object_view_url(self, "undo-payment/", self.undo_payment_view, "undo_payment"),
            *super().get_urls(),
        ]

    def _invoice_for_change(self, request, object_id) -> Invoice:
        invoice = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not request.user.has_perm(PAYMENT_PERMISSION) or not self.in_scope(request, invoice, writable=True):
            raise PermissionDenied
        return invoice

    def _back_to(self, invoice):
        return HttpResponseRedirect(reverse("admin:invoicing_invoice_change", args=[invoice.pk]))

    def record_payment_view(self, request, object_id):
        invoice = self._invoice_for_change(request, object_id)
        outstanding_ct = services.invoice_outstanding_ct(invoice=invoice)
        form = RecordPaymentForm(request.POST or None, initial={"amount_eur": outstanding_ct / CENTS_PER_EURO})
        if request.method == "POST" and form.is_valid():
            try:
                services.payment_record(
                    invoice=invoice,
                    paid_on=form.cleaned_data["paid_on"],
                    amount_ct=services.eur_to_ct(form.cleaned_data["amount_eur"]),
                    reference=form.cleaned_data["reference"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                message = gettext("Payment recorded on %(number)s; it is now %(status)s.") % _status_of(invoice)
                self.message_user(request, message, messages.SUCCESS)
                return self._back_to(invoice)
        return confirmation_response(
            self,
            request,
            RECORD_PAYMENT_TEMPLATE,
            title=gettext("Record a payment on %(invoice)s") % {"invoice": invoice},
            obj=invoice,
            invoice=invoice,
            form=form,
            payable=eur(payable_ct(invoice)),
            received=eur(invoice.payments.received_ct()),
            outstanding=eur(outstanding_ct),
        )

    def undo_payment_view(self, request, object_id):
        invoice = self._invoice_for_change(request, object_id)
        initial = {"payment": request.GET.get("payment") or invoice.payments.active().order_by("-pk").first()}
        form = UndoPaymentForm(request.POST or None, invoice=invoice, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.payment_undo(
                    payment=form.cleaned_data["payment"], reason=form.cleaned_data["reason"], acting_user=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                invoice.refresh_from_db(fields=["status"])
                message = gettext("Payment undone on %(number)s; it is now %(status)s.") % _status_of(invoice)
                self.message_user(request, message, messages.SUCCESS)
                return self._back_to(invoice)
        return confirmation_response(
            self,
            request,
            UNDO_PAYMENT_TEMPLATE,
            title=gettext("Undo a payment on %(invoice)s") % {"invoice": invoice},
            obj=invoice,
            invoice=invoice,
            form=form,
        )
