"""The audit trail's one filterable list (django-auditlog's, for superusers), naming commands and tasks as well as
staff users as who made a change."""

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import SuperuserOnlyAdminMixin
from core.audit import actor_label

admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditEntryAdmin(SuperuserOnlyAdminMixin, LogEntryAdmin):
    """Superusers only: the list spans every community; an object's own History page shows its entries."""

    list_filter = [*LogEntryAdmin.list_filter, "actor"]
    search_fields = [*LogEntryAdmin.search_fields, "actor_email"]

    @admin.display(description=_("who"))
    def user_url(self, obj):
        return super().user_url(obj) if obj.actor_id is not None else actor_label(obj)
