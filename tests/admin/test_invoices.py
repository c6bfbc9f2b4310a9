"""Invoices are never typed in: issued ones read-only and undeletable, lines and counters read-only."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from invoicing.models import Invoice, InvoiceLine, InvoiceNumberCounter, Tariff

from .helpers import change_url, changelist, offered_actions

pytestmark = pytest.mark.django_db


# Invoices are never typed in


def test_issued_invoice_page_has_no_editable_fields(admin_client, issued_invoice):
    response = admin_client.get(change_url(issued_invoice))

    assert response.context["adminform"].form.fields == {}
    for field in ("net_amount_ct", "export_revenue_ct", "energy_exported_kwh", "number", "status"):
        assert f'name="{field}"' not in response.text
    assert 'name="_save"' not in response.text


def test_issued_invoice_cannot_be_changed_by_post(admin_client, issued_invoice):
    response = admin_client.post(change_url(issued_invoice), {"net_amount_ct": "0", "status": "paid"})

    assert response.status_code == 403
    issued_invoice.refresh_from_db()
    assert (issued_invoice.net_amount_ct, issued_invoice.status) == (Decimal("6002.5"), Invoice.Status.PENDING)


def test_issued_invoice_cannot_be_deleted(admin_client, issued_invoice):
    url = reverse("admin:invoicing_invoice_delete", args=[issued_invoice.pk])

    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Invoice.objects.filter(pk=issued_invoice.pk).exists()


def test_invoice_list_has_no_bulk_delete(admin_client, issued_invoice):
    response = admin_client.get(changelist(Invoice))
    bulk = admin_client.post(
        changelist(Invoice), {"action": "delete_selected", ACTION_CHECKBOX_NAME: [issued_invoice.pk], "post": "yes"}
    )

    assert "delete_selected" not in offered_actions(response)
    assert bulk.status_code in (200, 302)
    assert Invoice.objects.filter(pk=issued_invoice.pk).exists()


def test_draft_invoice_page_is_view_only_but_deletable(admin_client, draft_invoice):
    response = admin_client.get(change_url(draft_invoice))
    delete = admin_client.post(reverse("admin:invoicing_invoice_delete", args=[draft_invoice.pk]), {"post": "yes"})

    assert response.context["adminform"].form.fields == {}
    assert delete.status_code == 302
    assert not Invoice.objects.exists()
    assert not InvoiceLine.objects.exists()


def test_invoice_lines_and_payments_are_shown_read_only(admin_client, issued_invoice):
    response = admin_client.get(change_url(issued_invoice))

    lines, payments = response.context["inline_admin_formsets"]
    for inline in (lines, payments):
        assert inline.has_add_permission is False
        assert inline.has_change_permission is False
        assert inline.has_delete_permission is False
    assert len(lines.formset.forms) == 1


def test_tariff_prices_are_frozen_once_an_issued_invoice_used_them(admin_client, issued_invoice):
    tariff = Tariff.objects.get()

    response = admin_client.get(change_url(tariff))

    assert response.context["adminform"].form.fields == {}


def test_invoice_number_counter_is_read_only(admin_client, issued_invoice):
    counter = InvoiceNumberCounter.objects.get()

    response = admin_client.post(change_url(counter), {"last_number": "0"})

    assert response.status_code == 403
    counter.refresh_from_db()
    assert counter.last_number == 1
