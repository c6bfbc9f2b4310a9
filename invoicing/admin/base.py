"""What several billing admins share: template names, where actions appear, columns and filters."""

from django.contrib import admin
from django.contrib.admin.options import ActionLocation
from django.urls import path
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from core.admin import MonthListFilter
from core.formatting import eur, kwh
from invoicing import selectors
from invoicing.models import SettlementPeriod
from invoicing.period_figures import PeriodFigures, period_figures

CONFIRM_ACTION_TEMPLATE = "admin/invoicing/settlementperiod/confirm_action.html"
CONFIRM_CLOSE_TEMPLATE = "admin/invoicing/settlementperiod/confirm_close.html"
CLOSE_PERMISSION = "invoicing.close_period"
CANCEL_PERMISSION = "invoicing.cancel_invoice"
PAYMENT_PERMISSION = "invoicing.record_payment"

CANCEL_INVOICE_TEMPLATE = "admin/invoicing/invoice/cancel.html"
CONFIRM_PDF_RETRY_TEMPLATE = "admin/invoicing/confirm_pdf_retry.html"
EVENTS_TEMPLATE = "admin/invoicing/events.html"
COMPLETENESS_TEMPLATE = "admin/invoicing/settlementperiod/completeness.html"
STATEMENT_TEMPLATE = "admin/invoicing/settlementperiod/statement.html"

# The period actions run from the change list and, as buttons, from a period's own page.
BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]
CHANGE_FORM_ACTION = f"{ActionLocation.CHANGE_FORM.value}-action"


def page_figures(period) -> PeriodFigures:
    """``period_figures`` once per page view: the statement panel and the completeness table both
    show them, so they are kept on the period object the page's fields receive."""
    if "_page_figures" not in period.__dict__:
        period._page_figures = period_figures(period=period)
    return period._page_figures


def object_view_url(model_admin, route: str, view, name: str):
    """A page of one object next to its change page: ``<id>/<route>``, behind the admin's login,
    named ``<app>_<model>_<name>`` as Django names the admin's own URLs."""
    opts = model_admin.opts
    return path(
        f"<path:object_id>/{route}",
        model_admin.admin_site.admin_view(view),
        name=f"{opts.app_label}_{opts.model_name}_{name}",
    )


def may_change_invoices(request) -> bool:
    """Whatever writes invoices or their documents (generating, issuing, closing, cancelling, rendering
    a PDF again) takes the right to change invoices, whichever page it starts from."""
    return request.user.has_perm("invoicing.change_invoice")


def may_close_periods(request) -> bool:
    """Closing a period (and resuming its close) has its own permission, as forcing one does."""
    return request.user.has_perm(CLOSE_PERMISSION)


class InvoiceChangeActionsMixin:
    """Actions with ``permissions=["invoice_change"]`` are offered to staff who may change invoices."""

    def has_invoice_change_permission(self, request):
        return may_change_invoices(request)

    def has_close_period_permission(self, request):
        return may_close_periods(request)


class ShownWithInvoicesMixin:
    """For what belongs to invoices (lines, cancellation notes): whoever may see invoices sees it."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("invoicing.view_invoice") or may_change_invoices(request)


class NoBulkDeleteMixin:
    """No "Delete selected" action: issued documents are never deleted, in bulk or otherwise."""

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions


class PeriodListFilter(admin.RelatedFieldListFilter):
    """The period filter with its communities in one query (a period's name includes its community)."""

    def field_choices(self, field, request, model_admin):
        periods = SettlementPeriod.objects.select_related("community").order_by("-month", "community__name")
        return [(period.pk, str(period)) for period in periods]


class IssuedMonthFilter(MonthListFilter):
    """The month an invoice or note was issued in, in local time."""

    title = _("issued")
    parameter_name = "issued"
    field_name = "issued_at"


class PastDueListFilter(admin.SimpleListFilter):
    """ "Past due: yes": unpaid issued invoices after their due date (``selectors.invoices_past_due``),
    the list the admin index's dashboard links to."""

    title = _("payment")
    parameter_name = "past_due"

    def lookups(self, request, model_admin):
        return [("yes", _("Past due"))]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        return queryset.filter(pk__in=selectors.invoices_past_due(communities=Community.objects.all()).values("pk"))


class EnergyAndMoneyColumns:
    """Display columns shared by invoices and their lines (both carry these four fields)."""

    @admin.display(description=_("exported"), ordering="energy_exported_kwh")
    def exported(self, obj):
        return kwh(obj.energy_exported_kwh)

    @admin.display(description=_("imported"), ordering="energy_imported_kwh")
    def imported(self, obj):
        return kwh(obj.energy_imported_kwh)

    @admin.display(description=_("export revenue"))
    def export_revenue(self, obj):
        return eur(obj.export_revenue_ct)

    @admin.display(description=_("import cost"))
    def import_cost(self, obj):
        return eur(obj.import_cost_ct)
