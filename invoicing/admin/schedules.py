"""django-q2's schedules. A schedule names any Python function, which the task cluster then runs
as the server's user: whoever may write one may run code on the server. So only superusers may
add, change or delete schedules; staff with schedule permissions may look. The project's own
schedule is kept by ``manage.py schedule_period_closing``."""

from django.contrib import admin
from django_q.admin import ScheduleAdmin
from django_q.models import Schedule


def _superuser(request) -> bool:
    return request.user.is_active and request.user.is_superuser


admin.site.unregister(Schedule)


@admin.register(Schedule)
class SuperuserOnlyScheduleAdmin(ScheduleAdmin):
    def has_add_permission(self, request):
        return _superuser(request)

    def has_change_permission(self, request, obj=None):
        return _superuser(request)

    def has_delete_permission(self, request, obj=None):
        return _superuser(request)
