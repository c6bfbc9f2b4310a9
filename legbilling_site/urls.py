from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "LEG-Invoicing"
admin.site.site_title = "LEG-Invoicing"
admin.site.index_title = "Billing back-office"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
