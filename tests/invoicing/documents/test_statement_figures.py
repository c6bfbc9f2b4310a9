"""The statement's figures: the admin panel's in the staff user's language, the PDF's in the community's."""

import datetime as dt
from decimal import Decimal

from django.utils import translation

from invoicing.documents.statement import display_context
from invoicing.statement import Statement
from tests.invoicing.documents.test_statement_charts import day

UTC = dt.UTC


def statement() -> Statement:
    days = [day(1, "10", "4")]
    return Statement(
        community_slug="sonnenfeld",
        month="2026-10",
        start=dt.datetime(2026, 9, 30, 22, tzinfo=UTC),
        end=dt.datetime(2026, 10, 31, 23, tzinfo=UTC),
        houses=1,
        days=days,
        total=days[0][1],
        break_even_p_con=Decimal("27.5"),
    )


def test_the_admin_panel_writes_figures_in_the_request_language():
    english = display_context(statement())
    with translation.override("de"):
        german = display_context(statement())

    assert english["total"]["money"][0] == "€2.00" and english["total"]["energy"][0] == "10.000\u00a0kWh"
    assert german["total"]["money"][0] == "2,00\u00a0€" and german["break_even_p_con"] == "27,50\u00a0ct/kWh"


def test_a_german_statement_pdf_writes_euros_the_german_way():
    context = display_context(statement(), language="de")
    assert context["total"]["money"][0] == "2,00\u00a0€"
    assert context["total"]["energy"][0] == "10,000\u00a0kWh"
    assert context["break_even_p_con"] == "27,50\u00a0ct/kWh"
