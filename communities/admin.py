from urllib.parse import urlencode

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html

from .models import Community, House, MeterReading

EMPTY = "-"
# Below this many rows an exact COUNT(*) is cheap; PostgreSQL's estimate is also least accurate there.
EXACT_COUNT_BELOW = 100_000


def _kwh(value) -> str:
    # invoicing.formatting.kwh, repeated: communities must not import invoicing (one direction).
    return EMPTY if value is None else f"{value:.3f} kWh"


def changelist_link(url_name: str, label: str, **filters) -> str:
    """A link to an admin change list, filtered the way its own list filters would filter it."""
    return format_html('<a href="{}?{}">{}</a>', reverse(url_name), urlencode(filters), label)


class EstimatedCountPaginator(Paginator):
    """Counts an unfiltered table from PostgreSQL's statistics instead of ``COUNT(*)``.

    Readings grow by ~35,000 rows per house and year; counting them all on every page view is a
    sequential scan. A filtered list (one house, one month) is counted exactly.
    """

    @cached_property
    def count(self):
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor == "postgresql" and not queryset.query.where:
            with connection.cursor() as cursor:
                cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [queryset.model._meta.db_table])
                row = cursor.fetchone()
            if row and row[0] >= EXACT_COUNT_BELOW:
                return int(row[0])
        return super().count


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "interval_minutes", "invoice_prefix", "houses_link"]
    search_fields = ["name", "slug", "legal_name"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["houses_link", "created_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "houses_link"]}),
        ("Metering and invoicing", {"fields": ["time_zone", "interval_minutes", "invoice_prefix"]}),
        ("Letterhead", {"fields": ["legal_name", "address", "contact_email", "contact_phone"]}),
        ("History", {"fields": ["created_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(house_count=Count("houses"))

    @admin.display(description="houses", ordering="house_count")
    def houses_link(self, community):
        if community.pk is None:
            return EMPTY
        count = getattr(community, "house_count", 0)
        return changelist_link(
            "admin:communities_house_changelist",
            f"{count} house{'' if count == 1 else 's'}",
            community__id__exact=community.pk,
        )


@admin.register(House)
class HouseAdmin(admin.ModelAdmin):
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
    search_fields = ["house_id", "name", "owner_name", "email"]
    list_select_related = ["community"]
    ordering = ["community__name", "house_id"]
    readonly_fields = ["readings_link", "invoices_link"]
    fieldsets = [
        (None, {"fields": ["community", "house_id", "name", "readings_link", "invoices_link"]}),
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
        return changelist_link("admin:communities_meterreading_changelist", "Readings", house__id__exact=house.pk)

    @admin.display(description="invoices", ordering="invoice_count")
    def invoices_link(self, house):
        if house.pk is None:
            return EMPTY
        count = getattr(house, "invoice_count", 0)
        return changelist_link(
            "admin:invoicing_invoice_changelist",
            f"{count} invoice{'' if count == 1 else 's'}",
            house__id__exact=house.pk,
        )


@admin.register(MeterReading)
class MeterReadingAdmin(admin.ModelAdmin):
    list_display = ["interval_start", "house", "exported", "imported"]
    list_filter = ["house__community"]
    search_fields = ["^house__house_id"]
    search_help_text = "Start of a house id, e.g. house_1."
    date_hierarchy = "interval_start"
    list_select_related = ["house"]
    ordering = ["-interval_start"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    autocomplete_fields = ["house"]
    fields = ["house", "interval_start", "exported_wh", "imported_wh", "exported", "imported"]
    readonly_fields = ["exported", "imported"]

    @admin.display(description="exported", ordering="exported_wh")
    def exported(self, reading):
        return _kwh(reading.exported_kwh if reading.exported_wh is not None else None)

    @admin.display(description="imported", ordering="imported_wh")
    def imported(self, reading):
        return _kwh(reading.imported_kwh if reading.imported_wh is not None else None)
