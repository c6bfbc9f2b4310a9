"""django-import-export pieces that put the import engine behind the admin's import page.

The familiar flow stays (choose file, preview, confirm); what changes is under the hood, through
the library's documented extension points:

- ``SharedUploadStorage``: the upload goes to ``default_storage`` (MEDIA_ROOT), so the confirm
  step works whichever web process receives it, and ``read()`` hands over a reference instead of
  loading the whole file into memory;
- ``MeterDataFormat``: one "CSV or Excel" format; the engine detects delimiter, encoding and
  XLSX itself, so the staff user chooses nothing;
- ``MeterReadingImportResource.import_data``: runs the engine (a dry run for the preview) and
  reports its counts and row errors as an import-export ``Result``; a file above
  ``BACKGROUND_THRESHOLD_ROWS`` becomes an ImportJob on confirm;
- the import and confirm forms carry the community the file belongs to.
"""

import os
from uuid import uuid4

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import gettext, gettext_lazy
from import_export import fields, resources
from import_export.formats.base_formats import Format
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.results import Error, Result, RowResult
from import_export.tmp_storages import MediaStorage

from communities.models import Community
from metering.models import MeterReading

from .engine import readings_import
from .jobs import BACKGROUND_THRESHOLD_ROWS, count_data_rows, import_job_create
from .parsing import HeaderError, map_columns
from .source import FileRejected, ImportLimits, open_table


class FileError(Error):
    """A whole-file problem for the error list: the message is for people, there is no traceback."""

    def __init__(self, message: str):
        super().__init__(ValueError(message))

    @property
    def traceback(self):
        return ""


class StoredUpload:
    """A reference to an upload in shared storage; what the import page passes around as 'data'."""

    def __init__(self, path: str):
        self.path = path

    def __bool__(self):
        return default_storage.exists(self.path) and default_storage.size(self.path) > 0

    def open(self):
        return default_storage.open(self.path, "rb")


class SharedUploadStorage(MediaStorage):
    """import-export's MediaStorage, streaming: no full copy of the file in memory."""

    def save_upload(self, upload) -> None:
        if not self.name:
            self.name = uuid4().hex
        stored = self._storage.save(self.get_full_path(), upload)
        self.name = os.path.basename(stored)

    def read(self):
        return StoredUpload(self.get_full_path())


class MeterDataFormat(Format):
    """CSV (',' or ';', UTF-8 or Windows-1252) or XLSX; the engine tells them apart."""

    def __init__(self, encoding=None, **kwargs):
        self.encoding = encoding  # detected per file by the engine, whatever the admin passes

    def get_title(self):
        return gettext("CSV or Excel (detected)")

    def get_extension(self):
        return "csv"

    def can_import(self):
        return True

    def can_export(self):
        return False

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        return in_stream  # a StoredUpload; the engine reads it in chunks


def _community_field():
    return forms.ModelChoiceField(
        queryset=Community.objects.order_by("name"),
        label=gettext_lazy("Community"),
        help_text=gettext_lazy("The community whose houses the file's house ids belong to."),
    )


class CommunityImportForm(ImportForm):
    community = _community_field()

    field_order = ["community", "import_file", "format", "resource"]

    def clean_import_file(self):
        """The size limit, before the upload is stored or read (the engine checks it again)."""
        upload = self.cleaned_data["import_file"]
        try:
            ImportLimits.from_settings().check_size(upload.size)
        except FileRejected as error:
            raise ValidationError(str(error)) from None
        return upload


class CommunityConfirmImportForm(ConfirmImportForm):
    community = forms.ModelChoiceField(queryset=Community.objects.all(), widget=forms.HiddenInput)


class MeterReadingExportResource(resources.ModelResource):
    """Readings as the importer reads them back: house_id, UTC timestamp, kWh with three decimals."""

    house_id = fields.Field(attribute="house__house_id", column_name="house_id", readonly=True)
    timestamp = fields.Field(column_name="timestamp", readonly=True)
    energy_exported_kwh = fields.Field(column_name="energy_exported_kwh", readonly=True)
    energy_imported_kwh = fields.Field(column_name="energy_imported_kwh", readonly=True)

    class Meta:
        model = MeterReading
        fields = ["house_id", "timestamp", "energy_exported_kwh", "energy_imported_kwh"]
        export_order = fields
        name = "Readings (house_id, timestamp, kWh)"

    def get_queryset(self):
        return super().get_queryset().select_related("house")

    def dehydrate_timestamp(self, reading):
        return reading.interval_start.strftime("%Y-%m-%dT%H:%M:%SZ")

    def dehydrate_energy_exported_kwh(self, reading):
        return str(reading.exported_kwh)

    def dehydrate_energy_imported_kwh(self, reading):
        return str(reading.imported_kwh)


class MeterReadingImportResource(MeterReadingExportResource):
    """The import page's resource: same columns, the fast engine instead of row-by-row saving."""

    class Meta(MeterReadingExportResource.Meta):
        name = "Meter readings (interval kWh or Ei/Eo counters)"

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        community = kwargs["community"]
        file_name = kwargs.get("file_name") or "readings.csv"
        result = Result()
        result.diff_headers = ["row", "column", "value"]
        result.meter_import = None
        result.background_job = None
        result.background_rows = 0
        result.hidden_errors = 0
        with dataset.open() as handle:
            rows = count_data_rows(handle)
            if rows > BACKGROUND_THRESHOLD_ROWS:
                result.background_rows = rows
                if dry_run:
                    _check_header(handle, result)
                else:
                    result.background_job = import_job_create(
                        community=community, fileobj=handle, original_name=file_name, started_by=kwargs.get("user")
                    )
                return result
            outcome = readings_import(community=community, fileobj=handle, dry_run=dry_run)
        result.meter_import = outcome
        _report(outcome, result)
        return result


def _check_header(handle, result: Result) -> None:
    """The preview of a large file: can it be read, are the columns there? The job checks every row."""
    try:
        map_columns(open_table(handle).header)
    except (FileRejected, HeaderError) as error:
        result.append_base_error(FileError(str(error)))


def _report(outcome, result: Result) -> None:
    """The engine's result as import-export's: totals for the message, errors for the error table."""
    result.totals[RowResult.IMPORT_TYPE_NEW] = outcome.created
    result.totals[RowResult.IMPORT_TYPE_UPDATE] = outcome.updated
    result.totals[RowResult.IMPORT_TYPE_SKIP] = outcome.unchanged
    for error in outcome.errors:
        if error.row <= 1:
            result.append_base_error(FileError(str(error)))
        else:
            result.append_invalid_row(
                error.row,
                {"row": error.row, "column": error.column, "value": error.value},
                ValidationError({error.column or "file": [error.message]}),
            )
    # Shown under the error table by the template (a base error would hide the table).
    result.hidden_errors = outcome.error_count - len(outcome.errors)
