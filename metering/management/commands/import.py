"""``manage.py import``: django-import-export's generic import, closed to meter data.

The generic command builds a plain ``ModelResource`` for ``app.Model`` (or loads the resource class
named by a dotted path) and saves row by row, past every check of the meter-data engine: the
interval grid, plausible values, houses' active days, closed periods, all or nothing. Meter data
therefore has exactly one way in, ``import_readings`` (and the admin's import page, which runs the
same engine). Houses likewise have ``import_houses``. This command shadows the library's because ``metering`` comes before
``import_export`` in INSTALLED_APPS; every other model is imported as before.
"""

import importlib

from django.core.management.base import CommandError
from import_export.command_utils import get_resource_class

GenericImportCommand = importlib.import_module("import_export.management.commands.import").Command

REFUSAL = {
    "meterreading": (
        "Meter readings are imported with `manage.py import_readings FILE --community SLUG`, which checks "
        "every row (interval grid, plausible values, the houses' active days, closed periods) and writes all "
        "or nothing. The generic import would skip those checks, so it is closed for readings."
    ),
    "house": (
        "Houses are imported with `manage.py import_houses FILE --community SLUG`, which keeps each row in its "
        "community, refuses a house_id given twice and writes all or nothing. The generic import would skip "
        "those checks, so it is closed for houses."
    ),
}
# Models with their own import command, besides everything in the metering app.
OWN_COMMAND = {"communities.House"}
DEFAULT_REFUSAL = (
    "{name} are written by the application only (importing readings, closing periods, the admin), never by the "
    "generic import, which would skip the rules they keep. To import meter readings use "
    "`manage.py import_readings FILE --community SLUG`."
)


class Command(GenericImportCommand):
    help = GenericImportCommand.help + " Meter data and houses are refused: use import_readings and import_houses."

    def handle(self, *args, **options):
        model = getattr(get_resource_class(options["resource"])._meta, "model", None)
        if model is not None and (model._meta.app_label == "metering" or model._meta.label in OWN_COMMAND):
            name = str(model._meta.verbose_name_plural).capitalize()
            raise CommandError(REFUSAL.get(model._meta.model_name, DEFAULT_REFUSAL.format(name=name)))
        return super().handle(*args, **options)
