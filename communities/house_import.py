"""Houses in bulk: a community's houses imported from and exported to CSV or XLSX, keyed by ``house_id``.

One resource serves the admin's import-export pages and ``manage.py import_houses``
(``houses_import``). Every row passes the admin form's checks (the model's ``full_clean``), and the
file is written in one transaction: a single bad row (a house_id twice, a bad e-mail, another
community, a date that does not parse...) and nothing is written. A row that matches its stored
house field for field counts as unchanged, so importing the same file twice changes nothing.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.results import Error, RowResult

from .house_files import HouseFileRejected, read_table
from .models import Community, House

COLUMNS = ("house_id", "name", "owner_name", "address", "email", "meter_id", "active_from", "active_until")
EXPORT_COLUMNS = ("community", *COLUMNS)
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


def normalise_header(name: str) -> str:
    """``House ID``, ``house-id`` and ``HOUSE_ID`` all name ``house_id``; ``E-Mail`` names ``email``."""
    text = "_".join(str(name or "").strip().lower().replace("-", " ").split())
    return {"e_mail": "email"}.get(text, text)


class TextWidget(widgets.Widget):
    """A cell as text, trimmed; a whole number typed into a spreadsheet cell (a meter ID) loses its '.0'."""

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class DayWidget(widgets.Widget):
    """A local date: ``2026-09-15`` or ``15.09.2026`` as text, or a date cell; written back as ``2026-09-15``."""

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, dt.datetime):
            if value.time() == dt.time(0):
                return value.date()
        elif isinstance(value, dt.date):
            return value
        text = str(value).strip()
        for date_format in DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, date_format).date()
            except ValueError:
                continue
        raise ValueError(
            _("%(value)r is not a date. Write it as YYYY-MM-DD, e.g. 2026-09-15 (or 15.09.2026).") % {"value": text}
        )

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class FileError(Error):
    """A refusal of the whole file (its header): the message is for people, a traceback would only confuse."""

    @property
    def traceback(self):
        return "" if isinstance(self.error, ValueError) else super().traceback


def _column(name: str, widget=None) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=widget or TextWidget())


class HouseResource(resources.ModelResource):
    """The houses of ``community`` (given to the constructor; imports need it, exports do not)."""

    community = fields.Field(column_name="community", readonly=True)
    house_id = _column("house_id")
    name = _column("name")
    owner_name = _column("owner_name")
    address = _column("address")
    email = _column("email")
    meter_id = _column("meter_id")
    active_from = _column("active_from", DayWidget())
    active_until = _column("active_until", DayWidget())

    class Meta:
        model = House
        fields = EXPORT_COLUMNS
        export_order = EXPORT_COLUMNS
        import_id_fields = ["house_id"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def __init__(self, community: Community | None = None, **kwargs):
        super().__init__(**kwargs)
        self.target = community
        self._first_row_of: dict[str, int] = {}
        self._header_refused = False

    # --- export ---

    def dehydrate_community(self, house: House) -> str:
        return house.community.slug

    # --- import ---

    def get_error_result_class(self):
        return FileError

    def get_queryset(self):
        if self.target is None:
            return House.objects.select_related("community")
        return House.objects.filter(community=self.target)

    def init_instance(self, row=None):
        return House(community=self.target)

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        """All or nothing whoever calls: any refused row rolls the whole file back."""
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=True, **kwargs)

    def before_import(self, dataset, **kwargs):
        self._first_row_of, self._header_refused = {}, True
        if self.target is None:
            raise ValueError(_("Choose the community the houses belong to."))
        dataset.headers = [normalise_header(name) for name in dataset.headers]
        repeated = sorted({name for name in dataset.headers if name and dataset.headers.count(name) > 1})
        if repeated:
            raise ValueError(
                _("Row 1, the header, names the column %(names)s more than once. Keep one and delete the others.")
                % {"names": ", ".join(repeated)}
            )
        if "house_id" not in dataset.headers:
            raise ValueError(
                _("Row 1, the header, has no column house_id (found: %(found)s). Name the columns %(columns)s.")
                % {"found": ", ".join(dataset.headers) or "-", "columns": ", ".join(COLUMNS)}
            )
        self._header_refused = False

    def import_row(self, row, instance_loader, **kwargs):
        # After a refused header the rows are not read: the header's error is the one to fix.
        if self._header_refused or all(value is None or str(value).strip() == "" for value in row.values()):
            skipped = RowResult()  # an empty line between houses: nothing to import, nothing wrong
            skipped.import_type = RowResult.IMPORT_TYPE_SKIP
            return skipped
        return super().import_row(row, instance_loader, **kwargs)

    def import_instance(self, instance, row, row_number=None, **kwargs):
        """The file's own rules (one row per house, this community) reported with the fields' errors."""
        errors = {}
        for column, message in (
            ("community", self._community_problem(row)),
            ("house_id", self._repeat(row, row_number)),
        ):
            if message:
                errors[column] = [message]
        try:
            super().import_instance(instance, row, row_number=row_number, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's checks; a one-column constraint (the meter ID) is reported on its column."""
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            errors = {key: list(messages) for key, messages in error.message_dict.items()}
            general = errors.get(NON_FIELD_ERRORS, [])
            for constraint in House._meta.constraints:
                message = str(getattr(constraint, "violation_error_message", ""))
                if len(getattr(constraint, "fields", ())) == 1 and message in general:
                    general.remove(message)
                    errors.setdefault(constraint.fields[0], []).append(message)
            raise ValidationError({key: value for key, value in errors.items() if value}) from None

    def _repeat(self, row, row_number) -> str:
        key = TextWidget().clean(row.get("house_id"))
        first = self._first_row_of.setdefault(key, row_number)
        if not key or first == row_number:
            return ""
        return _("%(key)s is already in row %(row)s. Keep one row per house and delete the other.") % {
            "key": key,
            "row": first + 1,
        }

    def _community_problem(self, row) -> str:
        slug = TextWidget().clean(row.get("community"))
        if not slug or slug == self.target.slug:
            return ""
        if Community.objects.filter(slug=slug).exists():
            message = _(
                "This row belongs to the community %(other)s, but the file is imported into %(target)s. "
                "Import it into %(other)s, or delete the row."
            )
        else:
            message = _("There is no community %(other)s. Write %(target)s or leave the column empty.")
        return message % {"other": slug, "target": self.target.slug}

    def after_import(self, dataset, result, **kwargs):
        """Row numbers as the file shows them: the header is row 1, the first house row 2."""
        super().after_import(dataset, result, **kwargs)
        for invalid in result.invalid_rows:
            invalid.number += 1
        for failed in result.error_rows:
            failed.number += 1
            for error in failed.errors:
                error.number = failed.number


@dataclass(frozen=True)
class RowProblem:
    row: int  # file row; 1 is the header, 0 the file as a whole
    column: str
    value: str
    message: str

    def __str__(self):
        where = _("Row %(row)s") % {"row": self.row} if self.row else _("File")
        if self.column:
            where += f", {self.column}"
            if self.value:
                where += f" {self.value!r}"
        return f"{where}: {self.message}"


@dataclass
class HouseImportReport:
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changed_anything(self) -> bool:
        return bool(self.new or self.updated)


def houses_import(*, community: Community, fileobj, dry_run: bool = False) -> HouseImportReport:
    """Import a houses file (binary, CSV or XLSX) into ``community``; all or nothing (see the module docstring)."""
    try:
        dataset = read_table(fileobj)
    except HouseFileRejected as error:
        return HouseImportReport(problems=[RowProblem(0, "", "", str(error))], dry_run=dry_run)
    result = HouseResource(community=community).import_data(dataset, dry_run=dry_run)
    # Empty lines are skipped rows without a house: they are neither read houses nor unchanged ones.
    blank = sum(1 for row in result.rows if row.import_type == RowResult.IMPORT_TYPE_SKIP and row.object_id is None)
    report = HouseImportReport(rows=result.total_rows - blank, problems=result_problems(result), dry_run=dry_run)
    if report.ok:
        report.new = result.totals[RowResult.IMPORT_TYPE_NEW]
        report.updated = result.totals[RowResult.IMPORT_TYPE_UPDATE]
        report.unchanged = result.totals[RowResult.IMPORT_TYPE_SKIP] - blank
    return report


def result_problems(result) -> list[RowProblem]:
    """Every refusal of an import-export ``Result``, by file row, with its column and value."""
    problems = [RowProblem(1, "", "", str(error.error)) for error in result.base_errors]
    for invalid in result.invalid_rows:
        values = dict(zip(result.diff_headers, invalid.values, strict=False))
        for column, messages in invalid.error_dict.items():
            shown = "" if column == NON_FIELD_ERRORS else column
            value = TextWidget().clean(values.get(column)) if shown else ""
            value = "" if value == "---" else value  # import-export's mark for a missing column
            problems.extend(RowProblem(invalid.number, shown, value, str(message)) for message in messages)
    for failed in result.error_rows:
        problems.extend(RowProblem(failed.number, "", "", str(error.error)) for error in failed.errors)
    return sorted(problems, key=lambda problem: problem.row)
