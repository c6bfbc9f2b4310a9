"""The completeness table's rows, built in Python: the cells the template loop showed, grouped per
language, names escaped."""

import datetime as dt

from django.utils import translation

from invoicing.selectors import Completeness, HouseCompleteness
from invoicing.templatetags.invoicing_completeness import completeness_rows

JANUARY = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))


def house(house_id, name, present, estimated=0):
    return HouseCompleteness(1, house_id, name, *JANUARY, expected=2976, present=present, estimated=estimated)


def test_a_complete_house_shows_its_counts_and_dashes():
    rows = completeness_rows(Completeness(houses=[house("house_1", "Mühlenweg 1", 2976)]))

    assert rows == (
        "<tr><td>house_1 (Mühlenweg 1)</td><td>2026-01-01 to 2026-01-31</td>"
        "<td>2,976</td><td>2,976</td><td>&ndash;</td><td>&ndash;</td></tr>\n"
    )


def test_a_house_with_gaps_is_marked_and_its_missing_intervals_stand_out():
    rows = completeness_rows(Completeness(houses=[house("house_2", "Am Bach", 1000, estimated=1200)]))

    assert rows.startswith('<tr class="incomplete">')
    assert "<td><strong>1,976</strong></td><td>1,200</td></tr>" in rows


def test_numbers_and_days_follow_the_language_of_the_request():
    with translation.override("de"):
        rows = completeness_rows(Completeness(houses=[house("house_1", "Mühlenweg 1", 1000)]))

    assert "<td>2.976</td><td>1.000</td><td><strong>1.976</strong></td>" in rows
    assert "<td>2026-01-01 bis 2026-01-31</td>" in rows


def test_names_are_escaped():
    rows = completeness_rows(Completeness(houses=[house("<b>h</b>", "Müller & Söhne", 2976)]))

    assert "&lt;b&gt;h&lt;/b&gt; (Müller &amp; Söhne)" in rows
