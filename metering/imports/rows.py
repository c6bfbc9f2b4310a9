"""Checking one chunk of a file row by row, vectorised: house ids, timestamps, energies or counters.

Every problem becomes a row error; the rows without one are kept as compact int64 arrays
(``ValidRows``, 40 bytes a row) for the checks against the rest of the file and the write.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.utils.translation import gettext

from communities.models import Community, House
from metering.models import FUTURE_MESSAGE, latest_reading_start

from .checks import implausible_message
from .errors import ErrorCollector
from .parsing import INTERVAL, REGISTER, ColumnMap, parse_kwh, parse_timestamps
from .source import Chunk


@dataclass
class FileContext:
    """What every row of one file is checked against: its community, its columns, its houses."""

    community: Community
    columns: ColumnMap
    house_pks: dict[str, int]  # house id as in files -> pk, the community's houses only
    house_names: dict[int, str]
    limit_wh: int  # the most one interval may hold
    decimal_comma: bool  # a ';' file may write 1,5
    latest_s: int  # the latest interval start accepted (UTC seconds): readings are measured energy

    @classmethod
    def load(cls, community: Community, columns: ColumnMap, *, decimal_comma: bool) -> "FileContext":
        house_pks = dict(House.objects.filter(community=community).values_list("house_id", "pk"))
        return cls(
            community=community,
            columns=columns,
            house_pks=house_pks,
            house_names={pk: house_id for house_id, pk in house_pks.items()},
            limit_wh=community.max_interval_wh(),
            decimal_comma=decimal_comma,
            latest_s=int(latest_reading_start().timestamp()),
        )


@dataclass
class ValidRows:
    """Valid rows (of a chunk, or of a whole counter file) as compact arrays."""

    house: list = field(default_factory=list)
    at_s: list = field(default_factory=list)
    first: list = field(default_factory=list)
    second: list = field(default_factory=list)
    row: list = field(default_factory=list)

    def append(self, mask, house, at_s, first, second, row):
        self.house.append(house[mask].astype(np.int64))
        self.at_s.append(at_s[mask].astype(np.int64))
        self.first.append(first[mask].astype(np.int64))
        self.second.append(second[mask].astype(np.int64))
        self.row.append(row[mask].astype(np.int64))

    def extend(self, other: "ValidRows") -> None:
        for name in ("house", "at_s", "first", "second", "row"):
            getattr(self, name).extend(getattr(other, name))

    def arrays(self):
        def join(parts):
            return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

        return join(self.house), join(self.at_s), join(self.first), join(self.second), join(self.row)


def check_chunk(chunk: Chunk, context: FileContext, valid: ValidRows, errors: ErrorCollector) -> int:
    """Check every row of ``chunk``, keep the valid ones in ``valid``; returns the rows that are not blank."""
    columns = context.columns
    row = np.arange(chunk.first_row, chunk.first_row + len(chunk.frame), dtype=np.int64)
    house_text, time_text, first_text, second_text = (
        _stripped(chunk.frame.iloc[:, position])
        for position in (columns.house, columns.timestamp, columns.first, columns.second)
    )
    blank = ((house_text == "") & (time_text == "") & (first_text == "") & (second_text == "")).to_numpy()
    present = ~blank

    house, house_ok = _check_houses(house_text, present, row, context, errors)
    times = parse_timestamps(
        time_text, zone=context.community.zone, interval_minutes=context.community.interval_minutes
    )
    for mask, message in times.problems:
        errors.add_many(mask & present, row, columns.names[1], time_text, message)
    future = times.ok & (times.utc_s > context.latest_s) & present
    errors.add_many(future, row, columns.names[1], time_text, FUTURE_MESSAGE)
    first, first_ok = _check_energy(first_text, columns.names[2], present, row, context, errors)
    second, second_ok = _check_energy(second_text, columns.names[3], present, row, context, errors)

    valid.append(present & house_ok & times.ok & ~future & first_ok & second_ok, house, times.utc_s, first, second, row)
    return int(present.sum())


def _stripped(column: pd.Series) -> pd.Series:
    """The column's text without surrounding blanks, stripped once per distinct value (files repeat them)."""
    codes, uniques = pd.factorize(column.fillna("").to_numpy(dtype=object), use_na_sentinel=False)
    stripped = pd.Series(np.asarray(uniques, dtype=object), dtype=object).str.strip().to_numpy(dtype=object)
    return pd.Series(stripped[codes], dtype=object)


def _check_houses(text: pd.Series, present, row, context: FileContext, errors: ErrorCollector):
    """House ids to pks (-1 where unknown) and which rows have a house of the community."""
    column = context.columns.names[0]
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    unique_pks = np.array([context.house_pks.get(value, -1) for value in uniques], dtype=np.int64)
    house = unique_pks[codes] if len(text) else np.zeros(0, dtype=np.int64)
    empty = present & (text == "").to_numpy()
    unknown = present & (house < 0) & ~empty
    errors.add_many(empty, row, column, text, gettext("is empty. Fill in the house id, e.g. house_1."))
    errors.add_many(
        unknown,
        row,
        column,
        text,
        gettext(
            "is not a house of %(community)s. Check the id (it is case-sensitive), or add the house "
            "in the admin under Houses first."
        )
        % {"community": context.community.slug},
    )
    return house, ~empty & ~unknown


def _check_energy(text: pd.Series, column: str, present, row, context: FileContext, errors: ErrorCollector):
    """One kWh column to integer Wh and which rows hold a valid value (an interval's or a counter's)."""
    parsed = parse_kwh(text, decimal_comma_allowed=context.decimal_comma)
    for mask, message in parsed.problems:
        errors.add_many(mask & present, row, column, text, message)
    negative = parsed.ok & (parsed.wh < 0) & present
    if context.columns.kind == REGISTER:
        errors.add_many(
            negative,
            row,
            column,
            text,
            gettext("is negative, and a counter reading never is. Correct the value from the meter's display."),
        )
    else:
        errors.add_many(
            negative,
            row,
            column,
            text,
            gettext(
                "is negative. Energy per interval is never negative: exported and imported are separate "
                "columns, each zero or positive."
            ),
        )
    ok = parsed.ok & ~negative
    if context.columns.kind == INTERVAL:
        too_much = ok & (parsed.wh > context.limit_wh) & present
        errors.add_many(too_much, row, column, text, implausible_message(context.community, context.limit_wh))
        ok &= ~too_much
    return parsed.wh, ok
