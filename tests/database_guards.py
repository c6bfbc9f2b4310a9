"""Issued invoices written the way the database sees them, and raw SQL the guards must refuse."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from invoicing.models import Invoice, InvoiceLine, Tariff
from tests.factories import HouseFactory

ISSUED_AT = "2026-02-02 10:00:00"


def sql(statement: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def refused(statement: str, params=(), *, match: str):
    """Run ``statement`` expecting the database to refuse it, in a savepoint the test survives."""
    with pytest.raises(IntegrityError, match=match), transaction.atomic():
        sql(statement, params)


def draft(period, house=None) -> Invoice:
    house = house or HouseFactory(community=period.community, house_id="house_1")
    invoice = Invoice.objects.create(
        community=period.community,
        house=house,
        period=period,
        period_start=period.start,
        period_end=period.end,
        energy_exported_kwh=Decimal("450.5"),
        energy_imported_kwh=Decimal("120.3"),
        export_revenue_ct=Decimal("9010"),
        import_cost_ct=Decimal("3007.5"),
        net_amount_ct=Decimal("6002.5"),
        recipient_name=house.owner_name,
        recipient_address=house.address,
        house_name=house.name,
        house_key=house.house_id,
    )
    InvoiceLine.objects.create(
        invoice=invoice,
        tariff=Tariff.objects.get(community=period.community),
        segment_start=period.start,
        segment_end=period.end,
        energy_exported_kwh=Decimal("450.5"),
        energy_imported_kwh=Decimal("120.3"),
        p_pv_ct_per_kwh=Decimal("20"),
        p_con_ct_per_kwh=Decimal("25"),
        export_revenue_ct=Decimal("9010"),
        import_cost_ct=Decimal("3007.5"),
    )
    return invoice


def issue(invoice: Invoice, number: str = "INV-2026-001") -> Invoice:
    """draft -> pending in raw SQL: the issuing write the guards must let through."""
    sql(
        "UPDATE invoicing_invoice SET status = 'pending', number = %s, issued_at = %s, pdf_state = 'pending' "
        "WHERE id = %s",
        [number, ISSUED_AT, invoice.pk],
    )
    return invoice
