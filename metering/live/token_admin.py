"""Meter API tokens in the admin: issue one for a house with a meter ID, rotate it; shown once."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import House
from core.admin import CommunityScopedAdminMixin

from .models import MeterToken
from .tokens import meter_token_issue


@admin.register(MeterToken)
class MeterTokenAdmin(CommunityScopedAdminMixin, admin.ModelAdmin):
    community_field = "house__community"
    list_display = ["house", "meter_id", "hint", "created_at"]
    list_filter = ["house__community"]
    list_select_related = ["house"]
    search_fields = ["^house__house_id", "house__meter_id"]
    fields = ["house"]
    actions = ["rotate"]

    def has_change_permission(self, request, obj=None):
        return False  # a token is only issued or rotated, never edited

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "house":
            kwargs["queryset"] = House.objects.exclude(meter_id="").select_related("community")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("meter ID"), ordering="house__meter_id")
    def meter_id(self, token):
        return token.house.meter_id

    def save_model(self, request, obj, form, change):
        clear = meter_token_issue(house=obj.house)
        saved = MeterToken.objects.get(house=obj.house)
        obj.pk, obj.token_sha256, obj.hint, obj.created_at = saved.pk, saved.token_sha256, saved.hint, saved.created_at
        self._show(request, obj.house, clear)

    @admin.action(description=gettext_lazy("Rotate: issue new tokens (the old ones stop working)"), permissions=["add"])
    def rotate(self, request, queryset):
        for token in queryset.select_related("house"):
            self._show(request, token.house, meter_token_issue(house=token.house))

    def _show(self, request, house, clear: str) -> None:
        self.message_user(
            request,
            _(
                "API token for %(house)s (meter %(meter)s): %(token)s. Copy it now: it is stored only as a hash "
                "and never shown again. Send it as 'Authorization: Bearer <token>'."
            )
            % {"house": house.house_id, "meter": house.meter_id, "token": clear},
            messages.WARNING,
        )
