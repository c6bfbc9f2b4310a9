from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ImportForm

from core.admin import (
    AuditHistoryMixin,
    CommunityScopedAdminMixin,
    SuperuserOnlyAdminMixin,
    changelist_link,
    count_link,
)
from core.admin_scoping import CommunityImportMixin
from core.formatting import EMPTY

from .admin_exports import ExportFormMixin
from .house_files import HouseFileFormat, HouseFileRejected
from .house_import import HouseResource, result_problems
from .models import Community, CommunityManager, House


class HouseImportForm(ImportForm):
    community = forms.ModelChoiceField(
        queryset=Community.objects.all(),
        label=gettext_lazy("Community"),
        help_text=gettext_lazy("The community the houses in the file belong to."),
    )
    field_order = ["community", "import_file", "format", "resource"]


class HouseConfirmImportForm(ConfirmImportForm):
    community = forms.ModelChoiceField(queryset=Community.objects.all(), widget=forms.HiddenInput)


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
            gettext_lazy("Metering and invoicing"),
            {"fields": ["time_zone", "interval_minutes", "max_kwh_per_quarter_hour", "invoice_prefix"]},
        ),
        (
            gettext_lazy("Letterhead"),
            {"fields": ["legal_name", "address", "contact_email", "contact_phone", "tax_id", "language"]},
        ),
        (
            gettext_lazy("Payment"),
            {"fields": ["iban", "bic", "bank_name", "payment_terms_days", "legal_note", "send_invoices_when_closed"]},
        ),
        (gettext_lazy("History"), {"fields": ["created_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(house_count=Count("houses"))

    @admin.display(description=gettext_lazy("houses"), ordering="house_count")
    def houses_link(self, community):
        if community.pk is None:
            return EMPTY
        return count_link(
            "admin:communities_house_changelist",
            getattr(community, "house_count", 0),
            ngettext_lazy("%(count)d house", "%(count)d houses", "count"),
            community__id__exact=community.pk,
        )


@admin.register(House)
class HouseAdmin(
    CommunityScopedAdminMixin,
    CommunityImportMixin,
    AuditHistoryMixin,
    ExportFormMixin,
    ImportExportMixin,
    admin.ModelAdmin,
):
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
        (gettext_lazy("Member"), {"fields": ["owner_name", "address", "email"]}),
        (gettext_lazy("Membership"), {"fields": ["active_from", "active_until"]}),
    ]

    # --- import / export (the rules live in communities.house_import) ---
    resource_classes = [HouseResource]
    import_form_class = HouseImportForm
    confirm_form_class = HouseConfirmImportForm
    import_template_name = "admin/communities/house/import.html"

    def has_import_permission(self, request):
        # The setting asks for "add"; a row of a known house_id updates it, which needs "change" too.
        return super().has_import_permission(request) and self.has_change_permission(request)

    def get_import_formats(self):
        return [HouseFileFormat]

    def get_export_formats(self):
        return [fmt for fmt in super().get_export_formats() if fmt().get_extension() in ("csv", "xlsx")]

    def get_import_form_initial(self, request):
        initial = super().get_import_form_initial(request)
        if request.GET.get("community__id__exact"):
            initial["community"] = request.GET["community__id__exact"]
        return initial

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["community"] = import_form.cleaned_data["community"].pk
        return initial

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        community = form.cleaned_data.get("community") if form is not None and form.is_valid() else None
        return {"community": community}

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, HouseFileRejected):
            form.add_error("import_file", str(e))
            return
        super().add_data_read_fail_error_to_form(form, e)

    def process_result(self, result, request):
        """A refusal found only on confirm (a house changed since the preview) wrote nothing: say so."""
        if result.has_errors() or result.has_validation_errors():
            for problem in result_problems(result)[:20]:
                messages.error(request, str(problem))
            messages.error(request, _("Nothing was imported. Correct the file and import it again."))
            return HttpResponseRedirect(request.get_full_path().replace("process_import/", "import/"))
        return super().process_result(result, request)

    def get_queryset(self, request):
        # Invoices are a dozen a year per house, cheap to count; readings are not counted here.
        return super().get_queryset(request).annotate(invoice_count=Count("invoices"))

    @admin.display(description=gettext_lazy("readings"))
    def readings_link(self, house):
        if house.pk is None:
            return EMPTY
        return changelist_link("admin:metering_meterreading_changelist", _("Readings"), house__id__exact=house.pk)

    @admin.display(description=gettext_lazy("invoices"), ordering="invoice_count")
    def invoices_link(self, house):
        if house.pk is None:
            return EMPTY
        return count_link(
            "admin:invoicing_invoice_changelist",
            getattr(house, "invoice_count", 0),
            ngettext_lazy("%(count)d invoice", "%(count)d invoices", "count"),
            house__id__exact=house.pk,
        )


class CommunityMembershipInline(admin.TabularInline):
    """The communities a staff user manages or audits, on the user's page (superusers only)."""

    model = CommunityManager
    fields = ["community", "is_auditor"]
    extra = 0
    verbose_name = gettext_lazy("community")
    verbose_name_plural = gettext_lazy("communities (the user sees and changes only these; as auditor only sees them)")


admin.site.unregister(User)
admin.site.unregister(Group)


def permission_label(permission) -> str:
    """A permission as the permission pickers list it, its name in the user's language.

    The names are stored as ``migrate`` wrote them, in English; the project's own (closing,
    cancelling, payments, e-mails) are in the catalogue, so they are looked up again here.
    Django's generated "Can add ..." names have no translation and stay as they are.
    """
    return f"{permission.content_type} | {_(permission.name)}"


class TranslatedPermissionsMixin:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request=request, **kwargs)
        if db_field.name in ("permissions", "user_permissions"):
            field.label_from_instance = permission_label
        return field


@admin.register(User)
class CommunityUserAdmin(SuperuserOnlyAdminMixin, TranslatedPermissionsMixin, UserAdmin):
    """Users, their groups and their communities: for superusers only, since they grant access."""

    inlines = [*UserAdmin.inlines, CommunityMembershipInline]


@admin.register(Group)
class SuperuserOnlyGroupAdmin(SuperuserOnlyAdminMixin, TranslatedPermissionsMixin, GroupAdmin):
    pass


# Login attempts and lock-outs (django-axes) of every user: superusers see and clear them.
@admin.register(AccessAttempt)
class SuperuserOnlyAccessAttemptAdmin(SuperuserOnlyAdminMixin, AccessAttemptAdmin):
    pass


@admin.register(AccessLog)
class SuperuserOnlyAccessLogAdmin(SuperuserOnlyAdminMixin, AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class SuperuserOnlyAccessFailureLogAdmin(SuperuserOnlyAdminMixin, AccessFailureLogAdmin):
    pass
