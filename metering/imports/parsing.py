"""Vectorised, strict parsing of one chunk's columns: headers, kWh numbers to integer Wh, timestamps.

Strict on purpose: a meter file that is read wrongly bills people wrongly. Nothing here depends on
the staff user's language; the only thing that decides how a number is read is the file itself.
"""

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from django.utils.translation import gettext, ngettext

# Header aliases, compared after lower-casing and turning spaces and '-' into '_'.
HOUSE_ALIASES = ("house_id", "house", "houseid", "haus_id", "haus", "meter_id", "metering_point")
TIMESTAMP_ALIASES = ("timestamp", "interval_start", "time", "datetime", "date_time", "start", "zeitstempel", "zeit")
EXPORTED_ALIASES = (
    "energy_exported_kwh",
    "exported_kwh",
    "export_kwh",
    "exported",
    "export",
    "energy_out_kwh_interval",
    "einspeisung_kwh",
    "einspeisung",
)
IMPORTED_ALIASES = (
    "energy_imported_kwh",
    "imported_kwh",
    "import_kwh",
    "imported",
    "import",
    "energy_in_kwh_interval",
    "bezug_kwh",
    "bezug",
)
EI_ALIASES = ("ei_kwh", "ei", "energy_in_kwh", "register_in_kwh", "counter_in_kwh", "zaehler_bezug_kwh")
EO_ALIASES = ("eo_kwh", "eo", "energy_out_kwh", "register_out_kwh", "counter_out_kwh", "zaehler_einspeisung_kwh")

INTERVAL = "interval"
REGISTER = "register"


def normalise_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", (name or "").strip().lower())


@dataclass(frozen=True)
class ColumnMap:
    kind: str  # INTERVAL or REGISTER
    house: int  # positions in the header
    timestamp: int
    first: int  # exported (interval) or Ei (register)
    second: int  # imported (interval) or Eo (register)
    names: tuple[str, str, str, str]  # the header names as written in the file, for error messages


class HeaderError(Exception):
    pass


def map_columns(header: list[str]) -> ColumnMap:
    """Find the required columns by name (any order, any case); HeaderError names what is missing."""
    normalised = [normalise_header(name) for name in header]

    def find(aliases: tuple[str, ...]) -> int | None:
        hits = [index for index, name in enumerate(normalised) if name in aliases]
        if len(hits) > 1:
            names = ", ".join(repr(header[index]) for index in hits)
            raise HeaderError(
                gettext("Columns %(names)s all mean the same thing; keep one of them and delete the others.")
                % {"names": names}
            )
        return hits[0] if hits else None

    house, timestamp = find(HOUSE_ALIASES), find(TIMESTAMP_ALIASES)
    exported, imported = find(EXPORTED_ALIASES), find(IMPORTED_ALIASES)
    ei, eo = find(EI_ALIASES), find(EO_ALIASES)
    is_register = ei is not None or eo is not None
    is_interval = exported is not None or imported is not None
    if is_register and is_interval:
        raise HeaderError(
            gettext(
                "The file has both interval columns (exported/imported kWh) and counter columns (ei_kwh/eo_kwh). "
                "Import interval energies and counter readings as two separate files."
            )
        )
    if is_register:
        required = {"house_id": house, "timestamp": timestamp, "ei_kwh": ei, "eo_kwh": eo}
    else:
        required = {
            "house_id": house,
            "timestamp": timestamp,
            "energy_exported_kwh": exported,
            "energy_imported_kwh": imported,
        }
    missing = [name for name, index in required.items() if index is None]
    if missing:
        raise HeaderError(_missing_columns_message(missing, header, is_register=is_register))
    positions = list(required.values())
    return ColumnMap(
        kind=REGISTER if is_register else INTERVAL,
        house=positions[0],
        timestamp=positions[1],
        first=positions[2],
        second=positions[3],
        names=tuple(header[index] for index in positions),
    )


def _missing_columns_message(missing: list[str], header: list[str], *, is_register: bool) -> str:
    values = {
        "missing": ", ".join(missing),
        "found": ", ".join(repr(name) for name in header) or gettext("nothing"),
        "expected": "house_id, timestamp, ei_kwh, eo_kwh"
        if is_register
        else "house_id, timestamp, energy_exported_kwh, energy_imported_kwh "
        + gettext("(or ei_kwh, eo_kwh for counters)"),
    }
    return (
        ngettext(
            "Required column %(missing)s missing from the header (found: %(found)s). Name the columns "
            "%(expected)s; see README 'Importing meter data' for accepted spellings.",
            "Required columns %(missing)s missing from the header (found: %(found)s). Name the columns "
            "%(expected)s; see README 'Importing meter data' for accepted spellings.",
            len(missing),
        )
        % values
    )


# --- numbers ---------------------------------------------------------------------------------

# At most 12 integer digits and 3 significant decimals (1 Wh); trailing zeros are exact and allowed.
# Within these bounds a float holds the value to far better than 0.001 Wh, so rint(kwh * 1000)
# is the exact integer Wh (proven by tests/metering/test_import_engine.py).
_NUMBER = re.compile(r"-?\d{1,12}(?:\.\d{1,3}0*)?")
_TOO_FINE = re.compile(r"-?\d{1,12}\.\d+")
# '1.234' in a `;` file could be German thousands (1234) or a decimal point (1.234).
_AMBIGUOUS_DOT = re.compile(r"-?[1-9]\d{0,2}\.\d{3}")


@dataclass
class ParsedNumbers:
    wh: np.ndarray  # int64; 0 where invalid
    ok: np.ndarray  # bool
    problems: list[tuple[np.ndarray, str]]  # (mask, message) for the rows that failed, by reason


def parse_kwh(values: pd.Series, *, decimal_comma_allowed: bool) -> ParsedNumbers:
    """kWh text -> integer Wh, every row checked. Negative values parse (the caller decides).

    Meter values repeat (a few thousand distinct Wh in a chunk of 100,000), so only the distinct
    texts are parsed, as with timestamps.
    """
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=False)
    parsed = _parse_distinct_kwh(np.asarray(uniques, dtype=object), decimal_comma_allowed=decimal_comma_allowed)
    return ParsedNumbers(
        wh=parsed.wh[codes], ok=parsed.ok[codes], problems=[(mask[codes], message) for mask, message in parsed.problems]
    )


def _parse_distinct_kwh(text: np.ndarray, *, decimal_comma_allowed: bool) -> ParsedNumbers:
    series = pd.Series(text, dtype=object)
    empty = (series == "").to_numpy()
    dotted = series.str.replace(",", ".", regex=False) if decimal_comma_allowed else series
    ok = dotted.str.fullmatch(_NUMBER.pattern).to_numpy(dtype=bool, na_value=False) & ~empty
    problems: list[tuple[np.ndarray, str]] = []
    if decimal_comma_allowed:
        ambiguous = ok & series.str.fullmatch(_AMBIGUOUS_DOT.pattern).to_numpy(dtype=bool, na_value=False)
        if ambiguous.any():
            ok &= ~ambiguous
            problems.append(
                (
                    ambiguous,
                    gettext(
                        "is ambiguous: in a ';'-separated file '.' may be a thousands separator (1.234 = 1234) or "
                        "a decimal point (1.234). Write the value with a decimal comma (1,234) or without "
                        "separators (1234)."
                    ),
                )
            )
    wh = np.zeros(len(text), dtype=np.int64)
    if ok.any():
        kwh = pd.to_numeric(dotted[ok], errors="coerce").to_numpy(dtype=np.float64)
        wh[ok] = np.rint(kwh * 1000.0).astype(np.int64)
    bad = ~ok
    if bad.any():
        rest = bad.copy()
        if empty.any():
            problems.append((empty, gettext("is empty. Fill in the energy in kWh, e.g. 0.25 (0 if none).")))
            rest &= ~empty
        if rest.any():
            too_fine = rest & dotted.str.fullmatch(_TOO_FINE.pattern).to_numpy(dtype=bool, na_value=False)
            for mask in problems:
                too_fine &= ~mask[0]
            if too_fine.any():
                problems.append(
                    (
                        too_fine,
                        gettext(
                            "has more than three decimals (finer than 1 Wh, which is what readings are stored "
                            "in). Round it to three decimals in the source system and import again."
                        ),
                    )
                )
            malformed = rest.copy()
            for mask, _ in problems:
                malformed &= ~mask
            if malformed.any():
                problems.append((malformed, _not_a_number_message(decimal_comma_allowed)))
    return ParsedNumbers(wh=wh, ok=ok, problems=problems)


def _not_a_number_message(decimal_comma_allowed: bool) -> str:
    if decimal_comma_allowed:
        return gettext(
            "is not a number. Write plain digits with a decimal point or decimal comma, e.g. 0.25 or 0,25, "
            "no thousands separators or units."
        )
    return gettext(
        "is not a number. Write plain digits with a decimal point, e.g. 0.25 (a comma-separated file "
        "cannot use a decimal comma; use ';' as the delimiter for decimal commas), no thousands separators "
        "or units."
    )


# --- timestamps ------------------------------------------------------------------------------

_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?P<offset>Z|z|[+-]\d{2}(?::?\d{2})?)?"
)
# Readings from before 2000 or after 2100 are a broken date column, not meter data.
FIRST_YEAR, LAST_YEAR = 2000, 2100
_OFFSET = re.compile(r"(?:Z|z|[+-]\d{2}(?::?\d{2})?)$")


@dataclass
class ParsedTimes:
    utc_s: np.ndarray  # int64 seconds since the epoch (UTC); 0 where invalid
    ok: np.ndarray
    problems: list[tuple[np.ndarray, str]]


def parse_timestamps(values: pd.Series, *, zone: ZoneInfo, interval_minutes: int) -> ParsedTimes:
    """ISO 8601 text -> UTC seconds. Naive times are local to ``zone``; all must be aligned.

    Files repeat every timestamp once per house, so only the distinct values are parsed.
    """
    codes, uniques = pd.factorize(pd.Series(values.to_numpy(dtype=object), dtype=object), use_na_sentinel=False)
    uniques = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    count = len(uniques)
    well_formed = uniques.str.fullmatch(_TIMESTAMP.pattern).to_numpy(dtype=bool, na_value=False)
    # Years pandas cannot hold (before 1677, after 2262) would crash the conversion; none is a reading.
    years = pd.to_numeric(uniques.str.slice(0, 4), errors="coerce").to_numpy(dtype=np.float64, na_value=0)
    out_of_range = well_formed & ((years < FIRST_YEAR) | (years > LAST_YEAR))
    well_formed = well_formed & ~out_of_range
    has_offset = well_formed & uniques.str.contains(_OFFSET.pattern, regex=True).to_numpy(dtype=bool, na_value=False)
    utc_ns = np.zeros(count, dtype=np.int64)
    parsed = np.zeros(count, dtype=bool)
    _parse_with_offset(uniques, has_offset, utc_ns=utc_ns, parsed=parsed)
    nonexistent, ambiguous = _parse_local(uniques, well_formed & ~has_offset, zone, utc_ns=utc_ns, parsed=parsed)
    malformed = ~parsed & ~nonexistent & ~ambiguous & ~out_of_range
    misaligned = _misaligned(utc_ns, parsed, zone, interval_minutes)

    ok_unique = parsed & ~misaligned
    problems_unique = _timestamp_problems(
        out_of_range=out_of_range,
        malformed=malformed,
        nonexistent=nonexistent,
        ambiguous=ambiguous,
        misaligned=misaligned,
        zone=zone,
        interval_minutes=interval_minutes,
    )
    return ParsedTimes(
        utc_s=(utc_ns // 1_000_000_000)[codes],
        ok=ok_unique[codes],
        problems=[(mask[codes], message) for mask, message in problems_unique if mask.any()],
    )


def _parse_with_offset(uniques: pd.Series, mask: np.ndarray, *, utc_ns: np.ndarray, parsed: np.ndarray) -> None:
    """Timestamps that carry their offset (or Z): their instants into ``utc_ns``, marked in ``parsed``."""
    if not mask.any():
        return
    aware = pd.to_datetime(
        uniques[mask].str.replace("z", "Z", regex=False), format="ISO8601", utc=True, errors="coerce"
    )
    good = aware.notna().to_numpy()
    index = np.flatnonzero(mask)
    utc_ns[index[good]] = aware[good].dt.tz_localize(None).astype("datetime64[ns]").to_numpy().view(np.int64)
    parsed[index[good]] = True


def _parse_local(uniques: pd.Series, mask: np.ndarray, zone: ZoneInfo, *, utc_ns: np.ndarray, parsed: np.ndarray):
    """Naive timestamps, local to ``zone``, like ``_parse_with_offset``; returns the masks of the local
    times that do not exist (spring gap) and that occur twice (autumn overlap)."""
    nonexistent = np.zeros(len(uniques), dtype=bool)
    ambiguous = np.zeros(len(uniques), dtype=bool)
    if not mask.any():
        return nonexistent, ambiguous
    naive = pd.to_datetime(uniques[mask], format="ISO8601", errors="coerce")
    good = naive.notna().to_numpy()
    index = np.flatnonzero(mask)
    local = naive[good].dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    resolved = local.notna().to_numpy()
    ok_index = index[good][resolved]
    utc_ns[ok_index] = (
        local[resolved].dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]").to_numpy().view(np.int64)
    )
    parsed[ok_index] = True
    if (~resolved).any():
        unresolved = naive[good][~resolved]
        # Resolving the ambiguous ones as summer time tells the two cases apart.
        as_summer = unresolved.dt.tz_localize(zone, ambiguous=np.ones(len(unresolved), dtype=bool), nonexistent="NaT")
        bad_index = index[good][~resolved]
        nonexistent[bad_index[as_summer.isna().to_numpy()]] = True
        ambiguous[bad_index[as_summer.notna().to_numpy()]] = True
    return nonexistent, ambiguous


def _misaligned(utc_ns: np.ndarray, parsed: np.ndarray, zone: ZoneInfo, interval_minutes: int) -> np.ndarray:
    """Parsed instants off the community's interval grid, which is aligned in local time: a 60-minute
    grid in a +05:30 zone starts at :30 UTC."""
    misaligned = np.zeros(len(utc_ns), dtype=bool)
    if not parsed.any():
        return misaligned
    index = np.flatnonzero(parsed)
    instants = pd.Series(utc_ns[index].view("datetime64[ns]")).dt.tz_localize("UTC")
    if str(zone) != "UTC":
        local_ns = instants.dt.tz_convert(zone).dt.tz_localize(None).astype("datetime64[ns]").to_numpy().view(np.int64)
    else:
        local_ns = utc_ns[index]
    misaligned[index] = local_ns % (interval_minutes * 60 * 1_000_000_000) != 0
    return misaligned


def _timestamp_problems(*, out_of_range, malformed, nonexistent, ambiguous, misaligned, zone, interval_minutes):
    values = {
        "first_year": FIRST_YEAR,
        "last_year": LAST_YEAR,
        "zone": zone,
        "minutes": interval_minutes,
        "example": f"10:{interval_minutes % 60:02d}",
    }
    messages = [
        gettext(
            "has a year outside %(first_year)s to %(last_year)s, which no meter reading has. Check the export's "
            "date column (an empty date can come out as 0001-01-01 or 9999-12-31)."
        ),
        gettext(
            "is not a timestamp. Write ISO 8601 like 2026-10-01T00:15:00Z, 2026-10-01T02:15:00+02:00 "
            "or 2026-10-01 02:15 (local time of the community)."
        ),
        gettext(
            "does not exist in %(zone)s: the clocks skip this hour in spring. Check the export's time zone, "
            "or write the time in UTC with a Z."
        ),
        gettext(
            "occurs twice in %(zone)s (the clocks go back in autumn). Add the UTC offset, e.g. +02:00 for the "
            "first and +01:00 for the second, or write UTC with a Z."
        ),
        gettext(
            "is not the start of a %(minutes)s-minute interval of the community. Timestamps are interval "
            "starts on the %(minutes)s-minute grid, e.g. 10:00, %(example)s."
        ),
    ]
    masks = (out_of_range, malformed, nonexistent, ambiguous, misaligned)
    return [(mask, message % values) for mask, message in zip(masks, messages, strict=True)]
