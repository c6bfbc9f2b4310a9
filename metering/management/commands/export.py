"""``manage.py export``: django-import-export's generic export, on the project's safe formats.

The library's command writes its own CSV and XLSX, whose formula cells a spreadsheet would run and
whose numbers follow the active language. This one shadows it (``metering`` comes before
``import_export`` in INSTALLED_APPS) and writes ``csv``, ``xlsx`` or ``json`` through
``core.spreadsheets``, with native values, as the admin's export does.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from import_export.command_utils import get_resource_class

from core import spreadsheets

FORMATS = {"csv": spreadsheets.SafeCSV, "xlsx": spreadsheets.SafeXLSX, "json": spreadsheets.NativeJSON}


class Command(BaseCommand):
    help = "Export a resource or model (app_label.Model or a dotted resource path) as csv, xlsx or json."

    def add_arguments(self, parser):
        parser.add_argument("format", help="csv, xlsx or json.")
        parser.add_argument("resource", help="app_label.Model or the dotted path of a resource class.")

    def handle(self, *args, format, resource, **options):
        file_format = FORMATS.get(format.lower())
        if file_format is None:
            raise CommandError(f"Unknown format {format!r}: use csv, xlsx or json.")
        data = file_format().export_data(get_resource_class(resource)().export(force_native_type=True))
        if isinstance(data, str):
            self.stdout.write(data, ending="")
        elif sys.stdout.isatty():
            raise CommandError("XLSX is a binary format: redirect the output to a file.")
        else:
            sys.stdout.buffer.write(data)
