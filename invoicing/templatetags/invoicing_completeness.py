"""The completeness table's rows (``admin/invoicing/settlementperiod/completeness.html``)."""

from functools import cache, partial
from html import escape

from django import template
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()

DASH = "&ndash;"


@register.simple_tag
def completeness_rows(completeness):
    """One row per house, built in Python: the template loop with ``intcomma`` it replaces took
    0.45 s for 2,000 houses, most of the period page's time. The same cells; numbers grouped as
    ``intcomma`` groups them, with the language's separators looked up once and each distinct
    number formatted once (most houses share their counts); the only text, a house's id and
    name, is escaped."""
    grouped = cache(
        partial(
            numberformat.format,
            decimal_sep=get_format("DECIMAL_SEPARATOR"),
            grouping=get_format("NUMBER_GROUPING"),
            thousand_sep=escape(get_format("THOUSAND_SEPARATOR")),
            force_grouping=True,
            use_l10n=True,
        )
    )
    days = gettext("%(first)s to %(last)s")  # looked up once, not per house
    rows = []
    for house in completeness.houses:
        marked = "" if house.complete else ' class="incomplete"'
        missing = DASH if house.complete else f"<strong>{grouped(house.missing)}</strong>"
        estimated = grouped(house.estimated) if house.estimated else DASH
        rows.append(
            f"<tr{marked}><td>{escape(house.house_id)} ({escape(house.house_name)})</td>"
            f"<td>{days % {'first': house.first_day.isoformat(), 'last': house.last_day.isoformat()}}</td>"
            f"<td>{grouped(house.expected)}</td><td>{grouped(house.present)}</td>"
            f"<td>{missing}</td><td>{estimated}</td></tr>\n"
        )
    return mark_safe("".join(rows))
