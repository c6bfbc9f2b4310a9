from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "Communities and houses"

    def ready(self):
        from core.audit import audit

        from .models import Community, House

        audit(Community, House)
