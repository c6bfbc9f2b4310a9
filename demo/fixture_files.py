"""The sample files under ``fixtures/``: the houses of Lindenhof and its September 2026 readings.

The community and its tariff are ``fixtures/lindenhof.json`` (written by hand, loaded with
``manage.py loaddata``). This module writes the rest from the demo's weather and load model
(``demo.sonnenfeld``), one readings file per format the meter-data import reads, each for other
houses, so that the four files together make a complete month:

- ``readings-2026-09-iso.csv``: lh-01, lh-02; `,` file, UTC ISO timestamps, decimal point;
- ``readings-2026-09-semicolon.csv``: lh-03, lh-04; `;` file as German Excel writes it, local
  times, decimal comma, German headers;
- ``readings-2026-09.xlsx``: lh-05; date cells in local time, number cells;
- ``registers-2026-09.csv``: lh-06 (joins on the 15th); cumulative counters ei_kwh/eo_kwh.

Regenerate with ``.venv/bin/python manage.py shell -c "from demo import fixture_files; fixture_files.write_all()"``;
the same code gives the same files (tests/demo/test_fixture_files.py holds the committed ones to it).
"""

import csv
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings

from demo import sonnenfeld
from demo.sonnenfeld import DemoHouse

SLUG = "lindenhof"
MONTH = "2026-09"
ZONE = ZoneInfo("Europe/Berlin")
SEED = "lindenhof-2026-09"
CITY = "71665 Vaihingen an der Enz"
FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
HOUSES_FILE = "lindenhof-houses.csv"
READINGS_FILES = {
    "readings-2026-09-iso.csv": ("lh-01", "lh-02"),
    "readings-2026-09-semicolon.csv": ("lh-03", "lh-04"),
    "readings-2026-09.xlsx": ("lh-05",),
    "registers-2026-09.csv": ("lh-06",),
}

JANUARY = dt.date(2026, 1, 1)
HOUSES = (
    DemoHouse("lh-01", "Am Lindenhof 1", "Heike Brandt", CITY, "heike.brandt@example.org", JANUARY, 8.4, 450),
    DemoHouse("lh-02", "Am Lindenhof 3", "Mustafa Demir", CITY, "m.demir@example.org", JANUARY, 5.2, 400),
    # No panels, and no e-mail address: Frau Weber gets her invoice on paper.
    DemoHouse("lh-03", "Kirchgasse 2", "Ingrid Weber", CITY, "", JANUARY, 0.0, 330),
    DemoHouse(
        "lh-04", "Kirchgasse 4", "Lukas und Marie Schneider", CITY, "schneider.kg4@example.org", JANUARY, 9.9, 520
    ),
    DemoHouse("lh-05", "Mühlenweg 7", "Sophie Wagner", CITY, "sophie.wagner@example.org", JANUARY, 6.8, 420),
    DemoHouse("lh-06", "Mühlenweg 9", "Piotr Nowak", CITY, "piotr.nowak@example.org", dt.date(2026, 9, 15), 4.0, 380),
)
METER_IDS = {house.house_id: f"1ESY11601{index:05d}" for index, house in enumerate(HOUSES, start=1)}
# lh-06's meter was read at 12,480.250 kWh in and 3,105.500 kWh out when the house joined.
REGISTER_START_WH = (12_480_250, 3_105_500)


def kwh_text(wh: int, mark: str = ".") -> str:
    """Integer Wh as kWh with three decimals, exactly: 1250 -> '1.250'."""
    return f"{wh // 1000}{mark}{wh % 1000:03d}"


def month_readings() -> dict[str, list[tuple[dt.datetime, int, int]]]:
    """``(interval_start UTC, exported_wh, imported_wh)`` per house for the month it is active."""
    starts = sonnenfeld.month_interval_starts(MONTH, ZONE, sonnenfeld.INTERVAL_MINUTES)
    first_day = starts[0].astimezone(ZONE).date()
    weather = sonnenfeld.weather_by_day(first_day, 30, seed=SEED)
    return {house.house_id: list(sonnenfeld.house_readings(house, starts, weather, seed=SEED)) for house in HOUSES}


def houses_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["house_id", "name", "owner_name", "address", "email", "meter_id", "active_from", "active_until"])
    for house in HOUSES:
        writer.writerow(
            [
                house.house_id,
                house.name,
                house.owner_name,
                house.address,
                house.email,
                METER_IDS[house.house_id],
                house.active_from.isoformat(),
                "",
            ]
        )
    return out.getvalue()


def iso_csv(readings, house_ids) -> str:
    lines = ["house_id,timestamp,energy_exported_kwh,energy_imported_kwh"]
    for house_id in house_ids:
        lines.extend(
            f"{house_id},{start:%Y-%m-%dT%H:%M:%SZ},{kwh_text(exported)},{kwh_text(imported)}"
            for start, exported, imported in readings[house_id]
        )
    return "\n".join(lines) + "\n"


def semicolon_csv(readings, house_ids) -> str:
    lines = ["Haus;Zeitstempel;Einspeisung kWh;Bezug kWh"]
    for house_id in house_ids:
        lines.extend(
            f"{house_id};{start.astimezone(ZONE):%Y-%m-%d %H:%M};{kwh_text(exported, ',')};{kwh_text(imported, ',')}"
            for start, exported, imported in readings[house_id]
        )
    return "\r\n".join(lines) + "\r\n"


def registers_csv(readings, house_id: str) -> str:
    """Counter readings at every interval start and one at the month's end, read from the meter."""
    ei_wh, eo_wh = REGISTER_START_WH
    lines = ["house_id,timestamp,ei_kwh,eo_kwh"]
    rows = readings[house_id]
    for start, exported, imported in rows:
        lines.append(f"{house_id},{start:%Y-%m-%dT%H:%M:%SZ},{kwh_text(ei_wh)},{kwh_text(eo_wh)}")
        ei_wh, eo_wh = ei_wh + imported, eo_wh + exported
    end = rows[-1][0] + dt.timedelta(minutes=sonnenfeld.INTERVAL_MINUTES)
    lines.append(f"{house_id},{end:%Y-%m-%dT%H:%M:%SZ},{kwh_text(ei_wh)},{kwh_text(eo_wh)}")
    return "\n".join(lines) + "\n"


def xlsx_bytes(readings, house_ids) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Messwerte"
    sheet.append(["house_id", "timestamp", "exported_kwh", "imported_kwh"])
    for house_id in house_ids:
        for start, exported, imported in readings[house_id]:
            local = start.astimezone(ZONE).replace(tzinfo=None)
            sheet.append([house_id, local, exported / 1000, imported / 1000])
    workbook.properties.created = workbook.properties.modified = dt.datetime(2026, 10, 1)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def file_contents() -> dict[str, bytes]:
    """Every generated file by name, as bytes."""
    readings = month_readings()
    names = list(READINGS_FILES)
    return {
        HOUSES_FILE: houses_csv().encode(),
        names[0]: iso_csv(readings, READINGS_FILES[names[0]]).encode(),
        names[1]: semicolon_csv(readings, READINGS_FILES[names[1]]).encode("utf-8-sig"),
        names[2]: xlsx_bytes(readings, READINGS_FILES[names[2]]),
        names[3]: registers_csv(readings, READINGS_FILES[names[3]][0]).encode(),
    }


def write_all(directory: Path = FIXTURES_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in file_contents().items():
        path = directory / name
        path.write_bytes(content)
        written.append(path)
    return written
