from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.generic import RedirectView

from metering.live.api import api as meter_api
from metering.live.views import healthz

admin.site.site_header = "LEG-Invoicing"
admin.site.site_title = "LEG-Invoicing"
admin.site.index_title = gettext_lazy("Billing back-office")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", meter_api.urls),
    path("healthz", healthz, name="healthz"),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
