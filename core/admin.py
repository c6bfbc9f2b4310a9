"""Admin building blocks both apps share: links, local spans, a cheap paginator, read-only and frozen-data admins."""

import dataclasses
import datetime as dt
from urllib.parse import urlencode

from auditlog.mixins import AuditlogHistoryAdminMixin
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import ActionLocation, IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.paginator import Paginator
from django.db import connections
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

# Per-community access has its own module; every app's admin takes it from here.
from .admin_scoping import CommunityScopedAdminMixin as CommunityScopedAdminMixin
from .admin_scoping import SuperuserOnlyAdminMixin as SuperuserOnlyAdminMixin
from .formatting import EMPTY
from .local_time import month_bounds, parse_period_id, period_id_of

# Counting this many rows takes a few milliseconds (an index range); a list shows 100 pages of them.
EXACT_COUNT_UP_TO = 10_000


def change_link(obj, label=None) -> str:
    """A link to ``obj``'s admin page, or ``EMPTY`` without one."""
    if obj is None:
        return EMPTY
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label or obj)


def changelist_link(url_name: str, label: str, **filters) -> str:
    """A link to an admin change list, filtered the way its own list filters would filter it."""
    return format_html('<a href="{}?{}">{}</a>', reverse(url_name), urlencode(filters), label)


def count_link(url_name: str, count: int, label, **filters) -> str:
    """``3 houses`` (``1 house``), linking to the change list filtered to them.

    ``label``: ``ngettext_lazy("%(count)d house", "%(count)d houses", "count")``, so each language
    picks its own plural form for ``count``.
    """
    return changelist_link(url_name, label % {"count": count}, **filters)


def local_span(start, end, zone) -> str:
    """``[start, end)`` as the community reads it: local midnights, in its own zone."""
    if start is None or end is None:
        return EMPTY
    return gettext("%(start)s to %(end)s (%(zone)s)") % {
        "start": f"{start.astimezone(zone):%Y-%m-%d %H:%M}",
        "end": f"{end.astimezone(zone):%Y-%m-%d %H:%M}",
        "zone": zone.key,
    }


def local_days(start, end, zone) -> str:
    """``[start, end)`` as the days it covers where the community lives: ``2026-03-17 to 2026-03-31``."""
    if start is None or end is None:
        return EMPTY
    last_day = (end.astimezone(zone) - dt.timedelta(microseconds=1)).date()
    return gettext("%(start)s to %(end)s (%(zone)s)") % {
        "start": f"{start.astimezone(zone):%Y-%m-%d}",
        "end": f"{last_day:%Y-%m-%d}",
        "zone": zone.key,
    }


class EstimatedCountPaginator(Paginator):
    """Never counts more than ``EXACT_COUNT_UP_TO`` rows: an exact ``COUNT(*)`` reads every row it counts.

    Readings grow by ~35,000 rows per house and year; counting a community's or the whole table's
    on every page view took seconds. Up to the bound the count is exact; beyond it the list says
    "more than 10,000" (``count_is_lower_bound``), or, for the unfiltered table on PostgreSQL,
    shows the planner's row estimate (``count_is_estimate``). Older rows are a filter away.
    """

    count_is_estimate = False
    count_is_lower_bound = False

    @cached_property
    def count(self):
        queryset = self.object_list
        estimate = _table_estimate(queryset) if not queryset.query.where else None
        if estimate is not None and estimate > EXACT_COUNT_UP_TO:
            self.count_is_estimate = True
            return estimate
        bounded = queryset.order_by()[: EXACT_COUNT_UP_TO + 1].count()
        self.count_is_lower_bound = bounded > EXACT_COUNT_UP_TO
        return bounded


def _table_estimate(queryset) -> int | None:
    """PostgreSQL's row estimate of the whole table (``reltuples``, kept by ANALYZE); None elsewhere."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [queryset.model._meta.db_table])
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] > 0 else None


class MonthListFilter(admin.SimpleListFilter):
    """Months of a date-time field, in the zone the list is shown in: a cheap ``date_hierarchy``.

    Django's ``date_hierarchy`` lists its years and months with a ``SELECT DISTINCT`` of a truncated
    date over every row (seconds at millions of readings). Here the choices run from the first to
    the last row's month, two probes of the field's index, and a chosen month is a range on it.
    Subclasses name ``field_name``.
    """

    title = _("month")
    parameter_name = "month"
    field_name = ""

    def lookups(self, request, model_admin):
        field = self.field_name
        rows = model_admin.get_queryset(request).filter(**{f"{field}__isnull": False}).values_list(field, flat=True)
        first = rows.order_by(field).first()
        last = rows.order_by(f"-{field}").first()
        if first is None:
            return []
        zone = timezone.get_current_timezone()
        months = months_between(period_id_of(first, zone), period_id_of(last, zone))
        return [(month, month) for month in reversed(months)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            start, end = month_bounds(self.value(), timezone.get_current_timezone())
        except ValueError as error:
            raise IncorrectLookupParameters(error) from error
        return queryset.filter(**{f"{self.field_name}__gte": start, f"{self.field_name}__lt": end})


def months_between(first: str, last: str) -> list[str]:
    """``YYYY-MM`` ids from ``first`` to ``last``, both included."""
    year, month = parse_period_id(first)
    months = []
    while (current := f"{year:04d}-{month:02d}") <= last:
        months.append(current)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class PlainActionCheckboxMixin:
    """Each row's selection checkbox written directly instead of through the checkbox widget's
    templates: three template renders per row were a third of a 100-row list's rendering time."""

    def action_checkbox(self, obj):
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            obj.pk,
            label,
        )


class ReadOnlyAdminMixin:
    """For records only the system writes (events, counters, cancellation notes, invoice lines):
    staff may look at them, never add, change or delete them in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditHistoryMixin(AuditlogHistoryAdminMixin):
    """The change page's *History* shows the audit trail (``core.audit``): every change with its
    old and new values and who made it, not only what was done through the admin."""

    def history_view(self, request, object_id, extra_context=None):
        return self.auditlog_history_view(request, object_id, extra_context)


class FrozenDataAdminMixin:
    """For objects that may be frozen (readings of a closed period): the admin shows them read-only
    and answers an attempt to change or delete them with a message, writing nothing and logging
    nothing, instead of letting the model's refusal surface as a server error.

    Subclasses answer two questions: ``frozen_reason(obj)`` (why this object can no longer change,
    or ``None``) and ``frozen_among(queryset)`` (which of these objects are frozen, as a queryset).
    """

    def frozen_reason(self, obj) -> str | None:
        raise NotImplementedError

    def frozen_among(self, queryset):
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        if obj is not None and self.frozen_reason(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.frozen_reason(obj):
            return False
        return super().has_delete_permission(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        reason = self.frozen_reason(obj) if obj is not None else None
        if reason and request.method == "POST":
            self.message_user(request, gettext("%(reason)s Nothing was changed.") % {"reason": reason}, messages.ERROR)
            return HttpResponseRedirect(request.path)
        if reason:
            self.message_user(request, reason, messages.WARNING)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        reason = self.frozen_reason(obj) if obj is not None else None
        if reason:
            self.message_user(request, gettext("%(reason)s Nothing was deleted.") % {"reason": reason}, messages.ERROR)
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
            )
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        if "delete_selected" in actions:
            action = actions["delete_selected"]
            actions["delete_selected"] = dataclasses.replace(action, func=self._guarded(action.func))
        return actions

    def _guarded(self, action):
        """``action`` that first refuses a selection with frozen objects, naming how many and why."""

        def guarded(modeladmin, request, queryset):
            frozen = modeladmin.frozen_among(queryset)
            first = frozen.first()
            if first is None:
                return action(modeladmin, request, queryset)
            count = frozen.count()
            modeladmin.message_user(
                request,
                ngettext(
                    "%(count)d of the selected %(objects)s cannot be deleted. %(reason)s Nothing was deleted.",
                    "%(count)d of the selected %(objects)s cannot be deleted. %(reason)s Nothing was deleted.",
                    count,
                )
                % {
                    "count": count,
                    "objects": modeladmin.opts.verbose_name_plural,
                    "reason": modeladmin.frozen_reason(first),
                },
                messages.ERROR,
            )
            return None

        return guarded
