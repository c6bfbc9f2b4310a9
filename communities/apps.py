from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("Communities and houses")

    def ready(self):
        from core.audit import audit

        from .models import Community, House

        audit(Community, House)
