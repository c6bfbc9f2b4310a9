"""Tariffs: prices per community from a date; a version issued invoices quote is frozen."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import AuditHistoryMixin, CommunityScopedAdminMixin
from invoicing import selectors, settlement
from invoicing.models import Tariff

PRICE_FIELDS = ["p_pv_ct_per_kwh", "p_con_ct_per_kwh", "p_grid_del_ct_per_kwh", "p_grid_con_ct_per_kwh"]


class TariffForm(forms.ModelForm):
    suggest_p_con = forms.BooleanField(
        required=False,
        label=_("Suggest p_con"),
        help_text=_(
            "Set p_con halfway between p_pv and p_grid_con, (p_pv + p_grid_con) / 2, as the upstream "
            "tariff tool derives its default of 25 ct from 20 and 30."
        ),
    )

    class Meta:
        model = Tariff
        fields = [
            "community",
            "valid_from",
            "mode",
            "p_pv_ct_per_kwh",
            "p_con_ct_per_kwh",
            "p_grid_del_ct_per_kwh",
            "p_grid_con_ct_per_kwh",
        ]

    def clean(self):
        cleaned_data = super().clean()
        p_pv, p_grid_con = cleaned_data.get("p_pv_ct_per_kwh"), cleaned_data.get("p_grid_con_ct_per_kwh")
        if cleaned_data.get("suggest_p_con") and p_pv is not None and p_grid_con is not None:
            cleaned_data["p_con_ct_per_kwh"] = settlement.suggested_p_con(p_pv=p_pv, p_grid_con=p_grid_con)
            self.instance.p_con_ct_per_kwh = cleaned_data["p_con_ct_per_kwh"]
        return cleaned_data


@admin.register(Tariff)
class TariffAdmin(CommunityScopedAdminMixin, AuditHistoryMixin, admin.ModelAdmin):
    community_field = "community"
    form = TariffForm
    list_display = ["community", "valid_from", "mode", *PRICE_FIELDS]
    list_filter = ["community", "mode"]
    search_fields = ["community__name"]
    date_hierarchy = "valid_from"
    list_select_related = ["community"]
    ordering = ["community__name", "-valid_from"]
    readonly_fields = ["created_at"]

    def get_fieldsets(self, request, obj=None):
        frozen = self._quoted_by_issued_invoices(obj)
        return [
            (None, {"fields": ["community", "valid_from", "mode"]}),
            (
                _("House prices"),
                {"fields": ["p_pv_ct_per_kwh", "p_con_ct_per_kwh", *([] if frozen else ["suggest_p_con"])]},
            ),
            (_("Grid prices"), {"fields": ["p_grid_del_ct_per_kwh", "p_grid_con_ct_per_kwh"]}),
            (_("History"), {"fields": ["created_at"]}),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if self._quoted_by_issued_invoices(obj):
            kwargs["form"] = forms.ModelForm  # nothing to edit, so nothing to suggest
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if self._quoted_by_issued_invoices(obj):
            # Issued invoices quote this version; a price change goes into a new version from a new date.
            return ["community", "valid_from", "mode", *PRICE_FIELDS, "created_at"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.closed_periods_priced():
            return False  # its closed months would fall back to the previous version's prices
        return super().has_delete_permission(request, obj)

    @staticmethod
    def _quoted_by_issued_invoices(tariff) -> bool:
        return tariff is not None and selectors.tariff_is_quoted(tariff=tariff)
