"""Meter data in the admin: readings (with the import page), meter changes and background import jobs."""

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db.models import F, Func, IntegerField
from django.db.models.lookups import In
from django.utils.html import format_html, format_html_join
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin

from communities.admin_exports import ExportFormMixin
from communities.models import House
from core import spreadsheets
from core.admin import (
    AuditHistoryMixin,
    CommunityScopedAdminMixin,
    EstimatedCountPaginator,
    FrozenDataAdminMixin,
    MonthListFilter,
    PlainActionCheckboxMixin,
    change_link,
)
from core.admin_scoping import ALL, CommunityImportMixin, community_ids
from core.formatting import EMPTY, kwh

from .imports import admin_support
from .imports.errors import RowError
from .imports.jobs import BACKGROUND_THRESHOLD_ROWS
from .live import admin as live_admin  # noqa: F401 (registers the live feed's pages)
from .live import token_admin  # noqa: F401
from .models import ImportJob, MeterChange, MeterReading, frozen_range_at


class ReadingMonthFilter(MonthListFilter):
    field_name = "interval_start"


def readings_of_communities(ids) -> In:
    """Readings of the houses of communities ``ids``, in a form no database starts from the houses.

    Joined to the houses, SQLite (with ANALYZE's statistics) read a community's houses first and
    sorted all their readings for the newest 100: 55 s at 3 M readings. ``+house_id`` can use no
    index, so the list reads the interval index backwards, testing each reading's house (< 1 ms).
    PostgreSQL plans the plain ``IN`` well from its statistics.
    """
    houses = House.objects.filter(community__in=ids).order_by().values("pk")  # unordered: no sort, no join
    return In(UnindexedOnSQLite(F("house_id")), houses)


class UnindexedOnSQLite(Func):
    """The column as an expression (``+column``) on SQLite, so its planner cannot start from its index."""

    template = "%(expressions)s"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


class ReadingCommunityFilter(admin.RelatedFieldListFilter):
    """The community filter, through ``readings_of_communities``."""

    def queryset(self, request, queryset):
        chosen = self.used_parameters.get(self.lookup_kwarg)
        if not chosen:
            return super().queryset(request, queryset)
        try:
            return queryset.filter(readings_of_communities(chosen))
        except (ValueError, ValidationError) as error:
            raise IncorrectLookupParameters(error) from error


@admin.register(MeterReading)
class MeterReadingAdmin(
    PlainActionCheckboxMixin,
    CommunityScopedAdminMixin,
    CommunityImportMixin,
    AuditHistoryMixin,
    FrozenDataAdminMixin,
    ExportFormMixin,
    ImportExportMixin,
    admin.ModelAdmin,
):
    """Readings, with django-import-export's import (the fast engine) and export (the list's filters).

    Readings of a closed period are shown read-only; changing or deleting them is answered with why.
    """

    community_field = "house__community"

    list_display = ["interval_start", "house", "exported", "imported", "estimated"]
    # A month filter instead of date_hierarchy (core.admin.MonthListFilter says why); newest first
    # with the id breaking ties is the index reading_by_interval read backwards.
    list_filter = [("house__community", ReadingCommunityFilter), ReadingMonthFilter, "estimated"]
    search_fields = ["^house__house_id"]
    search_help_text = _("Start of a house id, e.g. house_1.")
    list_select_related = ["house"]
    ordering = ["-interval_start", "-id"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    autocomplete_fields = ["house"]
    fields = ["house", "interval_start", "exported_wh", "imported_wh", "exported", "imported", "estimated"]
    readonly_fields = ["exported", "imported", "estimated"]

    def scoped(self, queryset, request, *, writable: bool = False):
        ids = community_ids(request, writable=writable)
        return queryset if ids is ALL else queryset.filter(readings_of_communities(ids))

    def get_search_results(self, request, queryset, search_term):
        """Houses whose id starts with each word, then their readings by house id.

        Joined to the houses instead, PostgreSQL guessed ten times more matching readings than one
        house has and read the whole interval index backwards for them (1.4 s at 6 M readings); a
        list of ids is estimated right and read through the (house, interval) index.
        """
        terms = search_words(search_term)
        if not terms:
            return queryset, False
        houses = House.objects.all()
        for term in terms:
            houses = houses.filter(house_id__istartswith=term)
        return queryset.filter(house_id__in=list(houses.values_list("pk", flat=True))), False

    @admin.display(description=_("exported"), ordering="exported_wh")
    def exported(self, reading):
        return kwh(reading.exported_kwh if reading.exported_wh is not None else None)

    @admin.display(description=_("imported"), ordering="imported_wh")
    def imported(self, reading):
        return kwh(reading.imported_kwh if reading.imported_wh is not None else None)

    def frozen_reason(self, reading):
        frozen = frozen_range_at(community_id=reading.house.community_id, instant=reading.interval_start)
        if frozen is None:
            return None
        return gettext(
            "The reading of %(house)s at %(start)s UTC lies in a closed settlement period (%(reason)s), "
            "whose meter data never changes. A wrong invoice is corrected by cancelling it."
        ) % {
            "house": reading.house.house_id,
            "start": f"{reading.interval_start:%Y-%m-%d %H:%M}",
            "reason": frozen.reason_shown,
        }

    def frozen_among(self, queryset):
        return queryset.frozen()

    # --- import / export (metering.imports.admin_support explains the pieces) ---
    import_form_class = admin_support.CommunityImportForm
    confirm_form_class = admin_support.CommunityConfirmImportForm
    tmp_storage_class = admin_support.SharedUploadStorage
    import_template_name = "admin/metering/meterreading/import.html"
    skip_admin_log = True  # one log entry per reading would be millions of rows

    def has_import_permission(self, request):
        # The setting asks for "add"; a re-import also updates readings, so it needs "change" too.
        return super().has_import_permission(request) and self.has_change_permission(request)

    def get_import_formats(self):
        return [admin_support.MeterDataFormat]

    def get_export_formats(self):
        return [spreadsheets.SafeCSV, spreadsheets.SafeXLSX]

    def get_import_resource_classes(self, request):
        return [admin_support.MeterReadingImportResource]

    def get_export_resource_classes(self, request):
        return [admin_support.MeterReadingExportResource]

    def get_import_form_initial(self, request):
        initial = super().get_import_form_initial(request)
        community = request.GET.get("house__community__id__exact")
        if community:
            initial["community"] = community
        return initial

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["community"] = import_form.cleaned_data["community"].pk
        return initial

    def get_import_data_kwargs(self, **kwargs):
        form = kwargs.get("form")
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        if form is not None and form.is_valid():
            kwargs["community"] = form.cleaned_data["community"]
        return kwargs

    def get_import_context_data(self, **kwargs):
        context = super().get_import_context_data(**kwargs)
        context["background_threshold_rows"] = BACKGROUND_THRESHOLD_ROWS
        return context

    def write_to_tmp_storage(self, import_file, input_format):
        storage = self.get_tmp_storage_class()(read_mode="rb", **self.get_tmp_storage_class_kwargs())
        storage.save_upload(import_file)
        return storage

    def add_success_message(self, result, request):
        job = getattr(result, "background_job", None)
        if job is not None:
            messages.success(
                request,
                format_html(
                    gettext("The file has {} rows: it is imported in the background as {}."),
                    job.rows_total,
                    change_link(job, gettext("import job %(id)s") % {"id": job.pk}),
                ),
            )
            return
        outcome = getattr(result, "meter_import", None)
        if outcome is None:
            return super().add_success_message(result, request)
        messages.success(
            request,
            gettext(
                "Import finished: %(read)s rows read, %(created)s readings created, %(updated)s updated, "
                "%(unchanged)s unchanged."
            )
            % {
                "read": outcome.rows_read,
                "created": outcome.created,
                "updated": outcome.updated,
                "unchanged": outcome.unchanged,
            },
        )


@admin.register(MeterChange)
class MeterChangeAdmin(CommunityScopedAdminMixin, AuditHistoryMixin, admin.ModelAdmin):
    """Staff record a replaced or reset meter here; counter imports bridge the two counters with it."""

    community_field = "house__community"

    list_display = [
        "house",
        "changed_at",
        "old_ei_final_kwh",
        "old_eo_final_kwh",
        "new_ei_start_kwh",
        "new_eo_start_kwh",
        "note",
    ]
    list_filter = ["house__community"]
    search_fields = ["^house__house_id", "note"]
    list_select_related = ["house"]
    autocomplete_fields = ["house"]
    date_hierarchy = "changed_at"
    fieldsets = [
        (None, {"fields": ["house", "changed_at", "note"]}),
        (
            _("Old meter (leave empty if it was not read when removed)"),
            {"fields": ["old_ei_final_kwh", "old_eo_final_kwh"]},
        ),
        (_("New meter"), {"fields": ["new_ei_start_kwh", "new_eo_start_kwh"]}),
    ]


@admin.register(ImportJob)
class ImportJobAdmin(CommunityScopedAdminMixin, admin.ModelAdmin):
    """Background meter imports: status, progress, counts, duration, errors and who started them."""

    community_field = "community"

    list_display = [
        "pk",
        "original_name",
        "community",
        "status",
        "progress",
        "created_count",
        "updated_count",
        "unchanged_count",
        "error_count",
        "duration_display",
        "started_by",
        "created_at",
    ]
    list_display_links = ["pk", "original_name"]
    list_filter = ["status", "community"]
    list_select_related = ["community", "started_by"]
    search_fields = ["original_name"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "community",
        "original_name",
        "file",
        "dry_run",
        "status",
        "progress",
        "rows_total",
        "rows_done",
        "created_count",
        "updated_count",
        "unchanged_count",
        "error_count",
        "duration_display",
        "started_by",
        "created_at",
        "started_at",
        "finished_at",
        "error_report",
    ]
    exclude = ["errors"]

    def has_add_permission(self, request):
        return False  # jobs start from the readings' import page

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("rows done / total"))
    def progress(self, job):
        return f"{job.rows_done:,} / {job.rows_total:,}"

    @admin.display(description=_("duration"))
    def duration_display(self, job):
        duration = job.duration
        return EMPTY if duration is None else f"{duration.total_seconds():.1f} s"

    @admin.display(description=_("error report"))
    def error_report(self, job):
        if not job.errors:
            return EMPTY
        items = format_html_join_errors(job.errors)
        hidden = job.error_count - len(job.errors)
        if hidden:
            items += format_html("<li>{}</li>", gettext("… and %(count)s more errors") % {"count": hidden})
        return format_html("<ul>{}</ul>", items)


def search_words(search_term: str) -> list[str]:
    """The words of a search as Django's admin splits them: quotes keep a phrase together."""
    quoted = ('"', "'")
    return [
        unescape_string_literal(word) if word.startswith(quoted) and word[0] == word[-1] else word
        for word in smart_split(search_term)
    ]


def format_html_join_errors(errors):
    return format_html_join("", "<li>{}</li>", ((str(RowError(**error)),) for error in errors))
