"""The error collector: every error counted, the first few listed."""

import numpy as np
from django.utils import translation

from metering.imports.errors import ErrorCollector, RowError


def test_listed_hits_are_the_first_limit_positions_and_the_rest_are_counted():
    errors = ErrorCollector(limit=2)

    hits = errors.listed_hits(np.array([True, False, True, True, True]))

    assert hits.tolist() == [0, 2]
    assert errors.count == 2


def test_listed_hits_of_an_empty_mask_count_nothing():
    errors = ErrorCollector(limit=2)

    assert errors.listed_hits(np.zeros(3, dtype=bool)).tolist() == []
    assert errors.count == 0


def test_a_row_error_says_where_in_the_active_language():
    error = RowError(3, "energy_exported_kwh", "x", "is not a number")

    assert str(error) == "Row 3, column 'energy_exported_kwh', value 'x': is not a number"
    with translation.override("de"):
        assert str(error) == "Zeile 3, Spalte 'energy_exported_kwh', Wert 'x': is not a number"
