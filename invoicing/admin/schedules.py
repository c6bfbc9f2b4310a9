"""django-q2's task queue in the admin: schedules, queued, successful and failed tasks.

A schedule names any Python function, which the task cluster then runs as the server's user:
whoever may write one may run code on the server. Tasks carry the arguments of every community's
work. So only superusers see any of it. The project's own schedule is kept by
``manage.py schedule_period_closing``."""

from django.contrib import admin
from django_q.admin import FailAdmin, QueueAdmin, ScheduleAdmin, TaskAdmin
from django_q.models import Failure, OrmQ, Schedule, Success

from core.admin import SuperuserOnlyAdminMixin

for model in (Schedule, Success, Failure, OrmQ):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(Schedule)
class SuperuserOnlyScheduleAdmin(SuperuserOnlyAdminMixin, ScheduleAdmin):
    pass


@admin.register(Success)
class SuperuserOnlyTaskAdmin(SuperuserOnlyAdminMixin, TaskAdmin):
    pass


@admin.register(Failure)
class SuperuserOnlyFailAdmin(SuperuserOnlyAdminMixin, FailAdmin):
    pass


@admin.register(OrmQ)
class SuperuserOnlyQueueAdmin(SuperuserOnlyAdminMixin, QueueAdmin):
    pass
