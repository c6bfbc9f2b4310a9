"""How the community statement is shown: the admin's statement panel and the statement PDF share this."""

import datetime as dt

from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from core import local_format
from core.local_format import active_language, long_day
from core.local_time import month_first_days

from ..statement import Statement
from . import statement_charts


def display_rows(statement: Statement, language: str) -> list[dict]:
    """Each day and the total as pages show them, in ``language``: kWh to three places, money in euros."""

    def energy(value_kwh):
        return local_format.energy(value_kwh, language)

    def money(amount_ct):
        return local_format.money(amount_ct, language)

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
    """What the admin's statement panel and the statement PDF share: rows, break-even price, charts.

    ``language``: a document's own; ``None`` (the admin) is the language the request runs in.
    """
    language = language or active_language()
    rows = display_rows(statement, language)
    break_even = statement.break_even_p_con
    charts = {"language": language, "font_family": font_family}
    return {
        "statement": statement,
        "days": rows[:-1],
        "total": rows[-1],
        "break_even_p_con": None if break_even is None else local_format.price(break_even, language),
        # The chart functions escape everything they write.
        "energy_chart": mark_safe(statement_charts.energy_per_day_svg(statement.days, **charts)),
        "result_chart": mark_safe(statement_charts.result_per_day_svg(statement.days, **charts)),
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
