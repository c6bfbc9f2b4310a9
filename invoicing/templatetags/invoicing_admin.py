"""What the admin index shows of invoicing: stuck work, with "Resume" (``templates/admin/index.html``)."""

from django import template

from invoicing import selectors
from invoicing.models import BillingCheck

register = template.Library()


@register.inclusion_tag("admin/invoicing/stuck_work.html", takes_context=True)
def stuck_work_panel(context):
    """Closes and PDFs stuck for longer than LEG_STUCK_AFTER_MINUTES, for staff who may see periods;
    "Resume" for those who may change invoices (as the period admin's action)."""
    request = context["request"]
    user = request.user
    if not (user.has_perm("invoicing.view_settlementperiod") or user.has_perm("invoicing.change_settlementperiod")):
        return {"stuck": None}
    return {
        "stuck": selectors.stuck_work(),
        "may_resume": user.has_perm("invoicing.change_invoice"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("admin/invoicing/billing_check.html", takes_context=True)
def billing_check_panel(context):
    """The last billing verification (``verify_billing``, nightly), for staff who may see invoices."""
    if not context["request"].user.has_perm("invoicing.view_invoice"):
        return {"visible": False}
    return {"visible": True, "check": BillingCheck.objects.order_by("-ran_at").first()}
