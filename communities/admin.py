from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.admin import (
    AuditHistoryMixin,
    CommunityScopedAdminMixin,
    SuperuserOnlyAdminMixin,
    changelist_link,
    count_link,
)
from core.formatting import EMPTY

from .models import Community, CommunityManager, House


@admin.register(Community)
class CommunityAdmin(CommunityScopedAdminMixin, AuditHistoryMixin, admin.ModelAdmin):
    community_field = ""  # the community itself
    list_display = ["name", "slug", "time_zone", "interval_minutes", "invoice_prefix", "houses_link"]
    search_fields = ["name", "slug", "legal_name"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["houses_link", "created_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "houses_link"]}),
        (
            "Metering and invoicing",
            {"fields": ["time_zone", "interval_minutes", "max_kwh_per_quarter_hour", "invoice_prefix"]},
        ),
        ("Letterhead", {"fields": ["legal_name", "address", "contact_email", "contact_phone", "tax_id", "language"]}),
        (
            "Payment",
            {"fields": ["iban", "bic", "bank_name", "payment_terms_days", "legal_note", "send_invoices_when_closed"]},
        ),
        ("History", {"fields": ["created_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(house_count=Count("houses"))

    @admin.display(description="houses", ordering="house_count")
    def houses_link(self, community):
        if community.pk is None:
            return EMPTY
        return count_link(
            "admin:communities_house_changelist",
            getattr(community, "house_count", 0),
            "house",
            community__id__exact=community.pk,
        )


@admin.register(House)
class HouseAdmin(CommunityScopedAdminMixin, AuditHistoryMixin, admin.ModelAdmin):
    community_field = "community"
    list_display = [
        "house_id",
        "name",
        "community",
        "owner_name",
        "active_from",
        "active_until",
        "readings_link",
        "invoices_link",
    ]
    list_filter = ["community", ("active_until", admin.EmptyFieldListFilter)]
    search_fields = ["house_id", "name", "owner_name", "email", "meter_id"]
    list_select_related = ["community"]
    ordering = ["community__name", "house_id"]
    readonly_fields = ["readings_link", "invoices_link"]
    fieldsets = [
        (None, {"fields": ["community", "house_id", "name", "meter_id", "readings_link", "invoices_link"]}),
        ("Member", {"fields": ["owner_name", "address", "email"]}),
        ("Membership", {"fields": ["active_from", "active_until"]}),
    ]

    def get_queryset(self, request):
        # Invoices are a dozen a year per house, cheap to count; readings are not counted here.
        return super().get_queryset(request).annotate(invoice_count=Count("invoices"))

    @admin.display(description="readings")
    def readings_link(self, house):
        if house.pk is None:
            return EMPTY
        return changelist_link("admin:metering_meterreading_changelist", "Readings", house__id__exact=house.pk)

    @admin.display(description="invoices", ordering="invoice_count")
    def invoices_link(self, house):
        if house.pk is None:
            return EMPTY
        return count_link(
            "admin:invoicing_invoice_changelist",
            getattr(house, "invoice_count", 0),
            "invoice",
            house__id__exact=house.pk,
        )


class CommunityMembershipInline(admin.TabularInline):
    """The communities a staff user manages or audits, on the user's page (superusers only)."""

    model = CommunityManager
    fields = ["community", "is_auditor"]
    extra = 0
    verbose_name = _("community")
    verbose_name_plural = _("communities (the user sees and changes only these; as auditor only sees them)")


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class CommunityUserAdmin(SuperuserOnlyAdminMixin, UserAdmin):
    """Users, their groups and their communities: for superusers only, since they grant access."""

    inlines = [*UserAdmin.inlines, CommunityMembershipInline]


@admin.register(Group)
class SuperuserOnlyGroupAdmin(SuperuserOnlyAdminMixin, GroupAdmin):
    pass
