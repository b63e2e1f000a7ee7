"""The one id codec and the one date codec of the SDK (protocol.md §2.3).

Every other module asks these functions; nobody else writes an id pattern or a
date format.

**Ids.** Entity ids are 24 characters (MongoDB ObjectIds: lowercase hex in
practice); tasks and collection files have UUIDs. An entity id is recognised by
the rule the official client applies (``^[a-z0-9]{24}$`` on lowercased input), so
the SDK tells an id from a code exactly where the official client does; both
patterns match either case (the wire layer lowercases before sending).

**Dates.** On the wire a date is ``YYYY-MM-DDTHH:MM:SS`` in UTC, exactly what the
official client writes (``strftime("%Y-%m-%dT%H:%M:%S")``); the server may add
milliseconds (``.fff``). **A naive datetime is taken as UTC.** That is the SDK's
one documented rule, and it deliberately differs from the official client, which
takes a naive datetime as local time: the same naive value then means the same
instant on every machine, and a value read from the server and written back never
shifts. Use an aware datetime to mean another zone.
"""

from __future__ import annotations

import email.utils
import functools
import re
import time
from datetime import date, datetime, timedelta, timezone
from random import getrandbits as _getrandbits
from typing import Final

from accsyn._exceptions import ValidationError

__all__ = [
    "OBJECT_ID_RE",
    "UUID_RE",
    "decode_datetime",
    "encode_date",
    "encode_datetime",
    "encode_now",
    "is_object_id",
    "is_uuid",
    "new_uuid4",
    "parse_retry_after",
    "to_utc",
]

#: An entity id: 24 letters or digits, the official client's rule (real ids are hex).
OBJECT_ID_RE: Final = re.compile(r"[0-9a-zA-Z]{24}\Z")
#: A UUID: the id of tasks and collection files.
UUID_RE: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z"
)

# What decode_datetime reads: a date, optionally a time (seconds and a fraction
# optional), optionally ``Z`` or an offset. A space may stand for the ``T``.
_DATE_RE: Final = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})"
    r"(?:[Tt ](?P<h>[0-9]{2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:\.(?P<f>[0-9]{1,6}))?)?)?"
    r"(?P<tz>[Zz]|[+-][0-9]{2}:?[0-9]{2})?\Z"
)


def is_object_id(value: str) -> bool:
    """Whether ``value`` is an entity id (24 letters or digits, either case)."""
    return OBJECT_ID_RE.match(value) is not None


def is_uuid(value: str) -> bool:
    """Whether ``value`` is a UUID string (task and collection-file ids)."""
    return UUID_RE.match(value) is not None


def to_utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime; a naive value is taken as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    if value.utcoffset():
        return value.astimezone(timezone.utc)
    return value


def encode_datetime(value: datetime, *, milliseconds: bool = False) -> str:
    """The wire form of ``value``: UTC ``YYYY-MM-DDTHH:MM:SS``; naive means UTC.

    With ``milliseconds=True`` a non-zero sub-second part is kept as ``.fff``, so a
    server value read and written back is unchanged.
    """
    if value.tzinfo is not None and value.utcoffset():
        value = value.astimezone(timezone.utc)
    # Not strftime: %Y does not zero-pad years before 1000 on every platform.
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    if milliseconds and value.microsecond:
        text += f".{value.microsecond // 1000:03d}"
    return text


#: (second, its wire form): events sent within one second share the encoded time.
_now: tuple[int, str] = (-1, "")


def encode_now() -> str:
    """``encode_datetime(datetime.now(timezone.utc))``, encoded once per second."""
    global _now
    second = int(time.time())
    if _now[0] != second:
        _now = (second, encode_datetime(datetime.fromtimestamp(second, timezone.utc)))
    return _now[1]


#: The RFC 4122 variant digit (``10xx``) for each random hex digit.
_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}


def new_uuid4() -> str:
    """A random version-4 UUID string, as ``str(uuid.uuid4())`` writes it (an event's ``eid``).

    From :func:`random.getrandbits`, not ``os.urandom`` (a system call per event):
    an eid only has to be unique, it guards nothing, and the random module
    reseeds itself in a forked child, so two processes never share a sequence.
    """
    h = f"{_getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


def encode_date(value: date) -> str:
    """The wire form of a calendar date: ``YYYY-MM-DDT00:00:00`` (no zone conversion)."""
    if isinstance(value, datetime):
        return encode_datetime(value)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}T00:00:00"


@functools.lru_cache(maxsize=4096)
def decode_datetime(text: str) -> datetime:
    """Read a wire or ISO date as an aware UTC datetime.

    Accepts ``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM[:SS[.ffffff]]`` (``T`` or a space)
    and an optional ``Z`` or ``±HH[:]MM`` offset; no offset means UTC.

    Raises:
        accsyn.ValidationError: ``text`` is not such a date.
    """
    match = _DATE_RE.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValidationError(
            f"{text!r} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, UTC)", field=None
        )
    g = match.groupdict()
    try:
        value = datetime(
            int(g["y"]),
            int(g["mo"]),
            int(g["d"]),
            int(g["h"] or 0),
            int(g["mi"] or 0),
            int(g["s"] or 0),
            int((g["f"] or "0").ljust(6, "0")),
            tzinfo=timezone.utc,
        )
    except ValueError:
        raise ValidationError(f"{text!r} is not a valid calendar date") from None
    tz = g["tz"]
    if tz and tz not in "Zz":
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        value -= sign * offset
    return value


def parse_retry_after(value: object, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP date) or body field."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return max(0.0, float(value))
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())
