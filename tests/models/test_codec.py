"""One id codec and one date codec (accsyn._codec); naive datetimes are UTC."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

import accsyn
from accsyn._codec import decode_datetime, encode_date, encode_datetime, is_object_id, is_uuid
from accsyn.models import Transfer
from accsyn.query import query_value

NAIVE = datetime(2026, 1, 31, 12, 0, 5)
PLUS_TWO = timezone(timedelta(hours=2))


def test_naive_datetimes_are_utc_everywhere() -> None:
    # The wire encoder, the builder and the models agree on one rule.
    assert encode_datetime(NAIVE) == "2026-01-31T12:00:05"
    assert query_value(NAIVE) == "2026-01-31T12:00:05"
    t = Transfer.from_wire({"finished": NAIVE})
    assert t.to_wire()["finished"] == "2026-01-31T12:00:05"
    assert t.finished == NAIVE.replace(tzinfo=timezone.utc)


def test_aware_datetimes_are_converted_to_utc() -> None:
    assert encode_datetime(datetime(2026, 1, 31, 14, 0, 5, tzinfo=PLUS_TWO)) == (
        "2026-01-31T12:00:05"
    )


def test_milliseconds_only_on_request() -> None:
    value = NAIVE.replace(microsecond=250_000)
    assert encode_datetime(value) == "2026-01-31T12:00:05"
    assert encode_datetime(value, milliseconds=True) == "2026-01-31T12:00:05.250"
    assert encode_date(date(2026, 1, 31)) == "2026-01-31T00:00:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-31T12:00:05", datetime(2026, 1, 31, 12, 0, 5, tzinfo=timezone.utc)),
        ("2026-01-31", datetime(2026, 1, 31, tzinfo=timezone.utc)),
        ("2026-01-31 12:00", datetime(2026, 1, 31, 12, tzinfo=timezone.utc)),
        ("2026-01-31T14:00:05+02:00", datetime(2026, 1, 31, 12, 0, 5, tzinfo=timezone.utc)),
        ("2026-01-31T12:00:05.250Z", datetime(2026, 1, 31, 12, 0, 5, 250_000, timezone.utc)),
    ],
)
def test_decode(text: str, expected: datetime) -> None:
    assert decode_datetime(text) == expected
    assert decode_datetime(text).tzinfo is not None


@pytest.mark.parametrize("text", ["", "yesterday", "2026-02-30", "2026-01-31T25:00:00"])
def test_decode_refuses_non_dates(text: str) -> None:
    with pytest.raises(accsyn.ValidationError, match="date"):
        decode_datetime(text)


def test_round_trip() -> None:
    for text in ("0999-12-31T23:59:59", "2026-01-31T00:00:00"):
        assert encode_datetime(decode_datetime(text)) == text


def test_ids() -> None:
    assert is_object_id("6676f3e9c7ef4e27da254e57")
    assert is_object_id("6676F3E9C7EF4E27DA254E57")
    assert not is_object_id("6676f3e9c7ef4e27da254e5")
    assert not is_object_id("6676f3e9-c7ef4e27da254e57")
    assert is_uuid("26468234-c9ee-48d6-8d28-e900b5957129")
    assert not is_uuid("6676f3e9c7ef4e27da254e57")
