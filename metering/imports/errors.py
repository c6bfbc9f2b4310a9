"""Row errors of a meter-data file: where (row, column), what (the value) and what to do."""

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from django.utils.translation import gettext

# The first errors by file row are listed; the rest are only counted. A broken export usually
# repeats one mistake on every row, and a list of a million identical lines helps nobody.
MAX_LISTED_ERRORS = 300
# A value is quoted up to this many characters: a binary or runaway field must not flood the report.
MAX_VALUE_CHARS = 80


def quoted(value) -> str:
    text = "" if value is None else str(value)
    return (
        text
        if len(text) <= MAX_VALUE_CHARS
        else text[:MAX_VALUE_CHARS] + gettext("… (%(count)s characters)") % {"count": f"{len(text):,}"}
    )


@dataclass(frozen=True)
class RowError:
    """One problem in the file. ``row`` is the file's row number (the header is row 1); 0: the whole file."""

    row: int
    column: str
    value: str
    message: str

    def __str__(self):
        where = gettext("Row %(row)s") % {"row": self.row} if self.row else gettext("File")
        if self.column:
            where += gettext(", column %(column)r") % {"column": self.column}
        if self.value != "":
            where += gettext(", value %(value)r") % {"value": self.value}
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return asdict(self)


class ErrorCollector:
    """Counts every error and keeps the ``limit`` with the lowest row numbers."""

    def __init__(self, limit: int = MAX_LISTED_ERRORS):
        self.limit = limit
        self.count = 0
        self._listed: list[RowError] = []

    def __bool__(self):
        return self.count > 0

    def add(self, row: int, column: str, value, message: str) -> None:
        self.count += 1
        self._listed.append(RowError(int(row), column, quoted(value), str(message)))
        if len(self._listed) > 4 * self.limit:
            self._trim()

    def add_many(self, mask, rows, column: str, values, message) -> None:
        """Vectorised: one error for each row where ``mask`` is true.

        ``message`` is a string or a callable ``(value) -> str`` for messages that quote the value.
        Only the first ``limit`` hits are turned into RowError objects; the others are counted.
        """
        mask = np.asarray(mask, dtype=bool)
        hits = np.flatnonzero(mask)
        if hits.size == 0:
            return
        self.count += int(hits.size)
        if hasattr(values, "to_numpy"):
            values = values.to_numpy(dtype=object)
        rows = np.asarray(rows)
        for index in hits[: self.limit]:
            value = values[index]
            text = message(value) if callable(message) else message
            self._listed.append(RowError(int(rows[index]), column, quoted(value), str(text)))
        if len(self._listed) > 4 * self.limit:
            self._trim()

    def listed_hits(self, mask) -> np.ndarray:
        """Positions where ``mask`` is true that get an error of their own (the first ``limit``);
        the others are only counted. For errors built one by one with ``add``."""
        hits = np.flatnonzero(mask)
        self.count += max(len(hits) - self.limit, 0)
        return hits[: self.limit]

    def _trim(self):
        self._listed.sort(key=lambda error: error.row)
        del self._listed[self.limit :]

    def merge(self, other: "ErrorCollector") -> None:
        listed = other.listed
        self._listed.extend(listed)
        self.count += other.count
        self._trim()

    @property
    def listed(self) -> list[RowError]:
        self._trim()
        return list(self._listed)


def utc_text(seconds) -> str:
    """UTC seconds as an error message quotes an instant."""
    return pd.Timestamp(int(seconds), unit="s").strftime("%Y-%m-%d %H:%M UTC")


class LazyText:
    """Formats only the values an error is listed for (``ErrorCollector.add_many`` indexes a few)."""

    def __init__(self, values, *, kwh: bool = False):
        self.values = values
        self.kwh = kwh

    def __getitem__(self, index):
        if self.kwh:
            return gettext("%(energy).3f kWh in the interval") % {"energy": self.values[index] / 1000}
        return utc_text(self.values[index])
