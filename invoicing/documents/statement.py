"""How the community statement is shown: the admin's statement panel and the statement PDF share this."""

import datetime as dt

from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from core.formatting import ct_per_kwh, eur, kwh
from core.local_time import month_first_days

from ..statement import Statement
from . import local_format, statement_charts
from .local_format import long_day


def _formats(language: str | None):
    """The admin's plain ``60.03 EUR``, or a document's figures in its language (``60,03 €``)."""
    if language is None:
        return kwh, eur, ct_per_kwh
    return (
        lambda value_kwh: local_format.energy(value_kwh, language),
        lambda amount_ct: local_format.money(amount_ct, language),
        lambda value: local_format.price(value, language),
    )


def display_rows(statement: Statement, language: str | None = None) -> list[dict]:
    """Each day and the total as pages show them: kWh to three places, money in euros."""
    energy, money, _ = _formats(language)
    labelled = [(day.isoformat(), value) for day, value in statement.days] + [(gettext("Total"), statement.total)]
    return [
        {
            "label": label,
            "energy": [
                energy(figure)
                for figure in (
                    value.flows.exported_kwh,
                    value.flows.imported_kwh,
                    value.flows.grid_delivery_kwh,
                    value.flows.grid_consumption_kwh,
                )
            ],
            "money": [
                money(figure)
                for figure in (value.houses_revenue_ct, value.houses_cost_ct, value.grid_revenue_ct, value.grid_cost_ct)
            ],
            "result": money(value.community_result_ct),
            "gain": value.community_result_ct >= 0,
        }
        for label, value in labelled
    ]


def display_context(statement: Statement, *, font_family: str = "sans-serif", language: str | None = None) -> dict:
    """What the admin's statement panel and the statement PDF share: rows, break-even price, charts."""
    rows = display_rows(statement, language)
    price = _formats(language)[2]
    break_even = statement.break_even_p_con
    return {
        "statement": statement,
        "days": rows[:-1],
        "total": rows[-1],
        "break_even_p_con": None if break_even is None else price(break_even),
        # The chart functions escape everything they write.
        "energy_chart": mark_safe(statement_charts.energy_per_day_svg(statement.days, font_family=font_family)),
        "result_chart": mark_safe(statement_charts.result_per_day_svg(statement.days, font_family=font_family)),
    }


def statement_pdf_context(statement: Statement, *, community, font_family: str) -> dict:
    """What ``templates/invoicing/pdf/statement.html`` shows."""
    first_day, following_day = month_first_days(statement.month)
    language = community.language
    last_day = following_day - dt.timedelta(days=1)
    return {
        **display_context(statement, font_family=font_family, language=language),
        "community": community,
        "period": f"{long_day(first_day, language)} \u2013 {long_day(last_day, language)}",
    }
