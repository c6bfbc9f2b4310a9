"""The Tasmota SML payload contract."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from metering.live.payload import PayloadError, device_of, parse_message

BERLIN = ZoneInfo("Europe/Berlin")
PAYLOAD = '{"Time":"2026-03-02T10:15:00","SML":{"Ei":1234.5678,"Eo":456.789,"SMid":"1ESY1160123456"}}'


def test_registers_are_read_as_exact_decimals():
    message = parse_message("tele/house_1/SENSOR", PAYLOAD)

    assert (message.ei_kwh, message.eo_kwh) == (Decimal("1234.5678"), Decimal("456.789"))


def test_the_meter_id_and_device_are_taken():
    message = parse_message("tele/house_1/SENSOR", PAYLOAD)

    assert (message.meter_id, message.device) == ("1ESY1160123456", "house_1")


def test_the_inner_key_may_have_any_name():
    message = parse_message("tele/x/SENSOR", '{"Time":"2026-03-02T10:15:00","Haus":{"Ei":1,"Eo":2}}')

    assert (message.ei_kwh, message.meter_id) == (Decimal(1), "")


def test_time_is_local_to_the_community():
    message = parse_message("tele/x/SENSOR", PAYLOAD)

    assert message.at(BERLIN, received_at=None) == dt.datetime(2026, 3, 2, 9, 15, tzinfo=dt.UTC)


def test_without_time_the_receipt_time_counts():
    received = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

    message = parse_message("tele/x/SENSOR", '{"SML":{"Ei":1,"Eo":2}}')

    assert message.at(BERLIN, received_at=received) == received


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        "[1]",
        '{"SML":{"Ei":1}}',
        '{"SML":{"Ei":-1,"Eo":0}}',
        '{"SML":{"Ei":"1","Eo":0}}',
        '{"Time":"yesterday","SML":{"Ei":1,"Eo":0}}',
    ],
)
def test_a_broken_payload_says_why(payload):
    with pytest.raises(PayloadError):
        parse_message("tele/x/SENSOR", payload)


def test_the_device_is_the_middle_topic_segment():
    assert device_of("tele/house_7/SENSOR") == "house_7"
    assert device_of("SENSOR") == ""
