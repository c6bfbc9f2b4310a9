"""What the admin index shows of invoicing (``templates/admin/index.html``): the dashboard of each
community the user may see, and stuck work with "Resume"."""

import dataclasses

from django import template
from django.contrib import admin
from django.utils.safestring import mark_safe

from communities.selectors import visible_communities
from invoicing import selectors
from invoicing.documents.dashboard_charts import monthly_energy_svg, monthly_result_svg
from invoicing.models import BillingCheck, SettlementPeriod

register = template.Library()


def _may_see_periods(user) -> bool:
    return user.has_perm("invoicing.view_settlementperiod") or user.has_perm("invoicing.change_settlementperiod")


@register.inclusion_tag("admin/invoicing/dashboard.html", takes_context=True)
def dashboard_panel(context):
    """One panel per visible community (``selectors.community_dashboards``), for staff who may see
    periods; the charts are inline SVG built from the selector's figures."""
    user = context["request"].user
    if not _may_see_periods(user):
        return {"panels": []}
    boards = selectors.community_dashboards(communities=visible_communities(user))
    return {
        "panels": [
            {
                "board": board,
                # Built from numbers and escaped labels only (documents.dashboard_charts).
                "energy_chart": mark_safe(monthly_energy_svg(board.months)),
                "result_chart": mark_safe(monthly_result_svg(board.months)),
            }
            for board in boards
        ]
    }


@register.inclusion_tag("admin/invoicing/stuck_work.html", takes_context=True)
def stuck_work_panel(context):
    """Closes and PDFs stuck for longer than LEG_STUCK_AFTER_MINUTES, of the user's communities, for
    staff who may see periods; "Resume" for those who may close them (as the period admin's action)."""
    request = context["request"]
    user = request.user
    if not _may_see_periods(user):
        return {"stuck": None}
    stuck = selectors.stuck_work()
    period_admin = admin.site.get_model_admin(SettlementPeriod)
    visible = [item for item in stuck.periods if period_admin.in_scope(request, item.period)]
    return {
        "stuck": dataclasses.replace(stuck, periods=visible),
        "may_resume": user.has_perm("invoicing.close_period"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("admin/invoicing/billing_check.html", takes_context=True)
def billing_check_panel(context):
    """The last billing verification (``verify_billing``, nightly), for staff who may see invoices."""
    if not context["request"].user.has_perm("invoicing.view_invoice"):
        return {"visible": False}
    return {"visible": True, "check": BillingCheck.objects.order_by("-ran_at").first()}
