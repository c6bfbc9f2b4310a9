from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo community a newcomer starts with (``manage.py load_demo``); no models of its own."""

    name = "demo"
    verbose_name = "Demo data"
