"""Energy and money are Decimal: no field of the project's own models is a FloatField."""

from django.apps import apps
from django.db import models

PROJECT_APPS = {"core", "communities", "metering", "invoicing", "demo"}


def float_fields(models_to_check) -> list[str]:
    return [
        f"{model._meta.label}.{field.name}"
        for model in models_to_check
        for field in model._meta.get_fields()
        if isinstance(field, models.FloatField)
    ]


def test_no_model_of_the_project_stores_a_float():
    project_models = [model for model in apps.get_models() if model._meta.app_label in PROJECT_APPS]

    assert project_models
    assert float_fields(project_models) == []


def test_the_walk_finds_a_float_field():
    class Reading(models.Model):
        exported_kwh = models.FloatField()

        class Meta:
            app_label = "tests_float_probe"

        def __str__(self):
            return str(self.exported_kwh)

    assert float_fields([Reading]) == ["tests_float_probe.Reading.exported_kwh"]
