"""The live feed in the admin: meters (last message, registers, estimates, refusals), events, unknown meters.

All read-only: the feed writes them; staff only mark events resolved.
"""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import CommunityScopedAdminMixin, ReadOnlyAdminMixin, SuperuserOnlyAdminMixin, changelist_link

from .models import LiveMeterState, MeterEvent, UnknownMeter
from .selectors import SILENT_AFTER, silent_meters, with_live_counts


class SilentFilter(admin.SimpleListFilter):
    title = _("silence")
    parameter_name = "silent"

    def lookups(self, request, model_admin):
        return [("yes", _("silent for more than %(hours)d h") % {"hours": SILENT_AFTER.total_seconds() // 3600})]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return silent_meters(queryset, now=timezone.now())
        return queryset


@admin.register(LiveMeterState)
class LiveMeterStateAdmin(CommunityScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    community_field = "house__community"
    list_display = [
        "house",
        "community",
        "last_message_at",
        "received_at",
        "ei_kwh",
        "eo_kwh",
        "messages",
        "estimated_link",
        "refused_frozen",
        "refused_inactive",
        "events_link",
    ]
    list_filter = [SilentFilter, "house__community"]
    list_select_related = ["house__community"]
    search_fields = ["^house__house_id", "house__meter_id"]
    ordering = ["received_at"]

    def get_queryset(self, request):
        return with_live_counts(super().get_queryset(request), now=timezone.now())

    @admin.display(description=_("community"), ordering="house__community__name")
    def community(self, state):
        return state.house.community

    @admin.display(description=_("estimated intervals this month"), ordering="estimated_this_month")
    def estimated_link(self, state):
        if not state.estimated_this_month:
            return 0
        return changelist_link(
            "admin:metering_meterreading_changelist",
            str(state.estimated_this_month),
            house__id__exact=state.house_id,
            estimated__exact=1,
        )

    @admin.display(description=_("open events"), ordering="open_events")
    def events_link(self, state):
        if not state.open_events:
            return 0
        return changelist_link(
            "admin:metering_meterevent_changelist",
            str(state.open_events),
            house__id__exact=state.house_id,
            resolved__exact=0,
        )


@admin.register(MeterEvent)
class MeterEventAdmin(CommunityScopedAdminMixin, admin.ModelAdmin):
    community_field = "house__community"
    list_display = [
        "at",
        "house",
        "kind",
        "previous_ei_kwh",
        "ei_kwh",
        "previous_eo_kwh",
        "eo_kwh",
        "detail",
        "resolved",
    ]
    list_filter = ["resolved", "kind", "house__community"]
    list_select_related = ["house"]
    search_fields = ["^house__house_id"]
    date_hierarchy = "at"
    actions = ["mark_resolved"]
    readonly_fields = ["house", "at", "kind", "previous_ei_kwh", "previous_eo_kwh", "ei_kwh", "eo_kwh", "detail"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Mark selected events resolved"), permissions=["change"])
    def mark_resolved(self, request, queryset):
        count = queryset.filter(resolved=False).update(resolved=True)
        self.message_user(
            request,
            ngettext("%(count)d event marked resolved.", "%(count)d events marked resolved.", count) % {"count": count},
        )


@admin.register(UnknownMeter)
class UnknownMeterAdmin(SuperuserOnlyAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Messages no house claims: tied to no community, so for superusers only."""

    list_display = ["key", "topic", "messages", "first_seen", "last_seen"]
    search_fields = ["key", "topic"]
    readonly_fields = ["key", "topic", "messages", "first_seen", "last_seen", "last_payload"]
