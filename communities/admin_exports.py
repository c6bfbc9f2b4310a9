"""django-import-export's export page under this site's Content-Security-Policy.

The library's template wires its "Select all" box with an inline ``onchange`` handler and styles two
elements with ``style`` attributes; the policy (``SECURE_CSP``: scripts and styles from this site or
with the response's nonce) blocks both, so the box did nothing. The form below adds a script and a
stylesheet from our static files that do the same.
"""

from django import forms
from import_export.forms import SelectableFieldsExportForm


class ExportForm(SelectableFieldsExportForm):
    @property
    def media(self):
        return super().media + forms.Media(
            js=["communities/admin/export_fields.js"], css={"all": ["communities/admin/export_fields.css"]}
        )


class ExportFormMixin:
    """On every admin with import-export's export: the form above."""

    export_form_class = ExportForm
