"""What the admin index shows of invoicing: stuck work, with "Resume" (``templates/admin/index.html``)."""

import dataclasses

from django import template
from django.contrib import admin

from invoicing import selectors
from invoicing.models import SettlementPeriod

register = template.Library()


@register.inclusion_tag("admin/invoicing/stuck_work.html", takes_context=True)
def stuck_work_panel(context):
    """Closes and PDFs stuck for longer than LEG_STUCK_AFTER_MINUTES, of the user's communities, for
    staff who may see periods; "Resume" for those who may close them (as the period admin's action)."""
    request = context["request"]
    user = request.user
    if not (user.has_perm("invoicing.view_settlementperiod") or user.has_perm("invoicing.change_settlementperiod")):
        return {"stuck": None}
    stuck = selectors.stuck_work()
    period_admin = admin.site.get_model_admin(SettlementPeriod)
    visible = [item for item in stuck.periods if period_admin.in_scope(request, item.period)]
    return {
        "stuck": dataclasses.replace(stuck, periods=visible),
        "may_resume": user.has_perm("invoicing.close_period"),
        "csrf_token": context.get("csrf_token"),
    }
