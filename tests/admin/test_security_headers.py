"""Every admin page is sent with a Content-Security-Policy of this site only and may not be framed."""

import re

from django.urls import reverse

from tests.factories import SettlementPeriodFactory


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def test_the_policy_names_no_other_origin(admin_client):
    response = admin_client.get(reverse("admin:index"))

    sources = [source for values in policy(response).values() for source in values]
    assert sources
    assert all(source.startswith("'") or source == "data:" for source in sources), sources
    assert policy(response)["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_project_s_scripts_carry_the_response_s_nonce(admin_client, issued_invoice):
    response = admin_client.get(reverse("admin:invoicing_invoice_cancel", args=[issued_invoice.pk]))
    nonce = next(v for v in policy(response)["script-src"] if v.startswith("'nonce-"))

    (tag,) = re.findall(r"<script[^>]*cancel\.js[^>]*>", response.content.decode())
    assert f'nonce="{nonce.strip(chr(39)).removeprefix("nonce-")}"' in tag


def test_the_period_page_has_no_inline_style(admin_client):
    period = SettlementPeriodFactory()

    response = admin_client.get(reverse("admin:invoicing_settlementperiod_change", args=[period.pk]))

    assert response.status_code == 200
    assert " style=" not in response.content.decode()


def test_the_export_pages_wire_select_all_from_a_static_file(admin_client):
    """The library's inline handler is blocked by the policy; our script, after the library's, binds it."""
    for list_name in ("invoicing_invoice", "metering_meterreading", "communities_house"):
        page = admin_client.get(reverse(f"admin:{list_name}_export")).content.decode()

        library = page.index("import_export/export_selectable_fields.js")
        assert page.index("communities/admin/export_fields.js") > library
        assert "communities/admin/export_fields.css" in page
