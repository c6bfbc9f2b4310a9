"""The error collector: every error counted, the first few listed."""

import numpy as np

from metering.imports.errors import ErrorCollector


def test_listed_hits_are_the_first_limit_positions_and_the_rest_are_counted():
    errors = ErrorCollector(limit=2)

    hits = errors.listed_hits(np.array([True, False, True, True, True]))

    assert hits.tolist() == [0, 2]
    assert errors.count == 2


def test_listed_hits_of_an_empty_mask_count_nothing():
    errors = ErrorCollector(limit=2)

    assert errors.listed_hits(np.zeros(3, dtype=bool)).tolist() == []
    assert errors.count == 0
