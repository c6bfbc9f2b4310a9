"""The billing back-office. Thin: pages show what is stored, actions call services.

Invoices are computed by ``services.invoices_generate`` and frozen by ``services.invoices_issue``;
nothing here lets staff type an amount, a number or an energy.

One module per thing staff work with; importing them registers their admins (Django imports
``invoicing.admin`` on start-up).
"""

from . import audit, invoices, periods, records, schedules, tariffs

__all__ = ["audit", "invoices", "periods", "records", "schedules", "tariffs"]
