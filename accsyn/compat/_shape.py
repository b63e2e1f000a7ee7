"""The official client's shapes: decoded answers, query splitting, ``.env`` loading, dumps.

These reproduce accsyn-python-api 3.4.0's observable behaviour (protocol.md §1.8, §2.3,
§5) on top of the typed SDK's wire dicts; nothing here talks to the network.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from typing import Any

from accsyn._config import read_env_file
from accsyn.compat import _adapter as sdk

__all__ = [
    "JSONEncoder",
    "check",
    "decode",
    "load_env_file",
    "localise",
    "split_query",
]


def check(condition: object, message: str) -> None:
    """The official client's argument checks are ``assert`` statements: the same
    ``AssertionError`` and text here, but raised explicitly so ``python -O`` keeps them."""
    if not condition:
        raise AssertionError(message)


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        return _decode_dict(value)
    if isinstance(value, list):
        # Inside lists only dicts are decoded: a bare date string in a list stays a string.
        return [_decode_dict(v) if isinstance(v, dict) else v for v in value]
    if isinstance(value, str):
        if value.startswith("ObjectId:"):
            return value.replace("ObjectId:", "")
        when = sdk.decode_date(value)
        if when is not None:
            # UTC on the wire; the official client hands out local-zone aware datetimes.
            return sdk.to_local(when)
    return value


def _decode_dict(d: dict[str, Any]) -> dict[str, Any]:
    for key, value in d.items():
        d[key] = _decode_value(value)
    return d


def decode(value: Any) -> Any:
    """A result as the official client returns it: date strings inside dicts become
    aware datetimes (local zone), everything else plain dicts, lists and scalars.

    The official client decodes the whole answer ``{"result": ...}``, so a bare date
    string result (a setting's value) is decoded too; the answer dicts are fresh, so
    they are decoded in place.
    """
    return _decode_value(value)


def localise(value: Any) -> Any:
    """A payload with naive datetimes made aware in the local zone.

    The official client sends a naive datetime as local time; the typed SDK's
    documented rule is "naive means UTC". An aware value means the same instant to
    both, so compat hands the SDK aware values only. Other values are unchanged.
    """
    if isinstance(value, _dt.datetime) and value.tzinfo is None:
        return value.astimezone()
    if isinstance(value, dict):
        return {k: localise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [localise(v) for v in value]
    return value


def split_query(query: str) -> tuple[str, str | None]:
    """``(entitytype, expression)`` of a query, split and lowercased as the official client
    does: whitespace outside double quotes and parentheses separates the words, the
    first is the entity type, the second must be ``WHERE``, the rest is the expression.
    """
    text = query.replace("\t", " ").replace("\n", "").strip()
    parts: list[str] = []
    word: list[str] = []
    quoted = False
    depth = 0
    for ch in text:
        if ch == " " and not quoted and depth == 0:
            if word:
                parts.append("".join(word))
                word = []
            continue
        if ch == '"':
            quoted = not quoted
        elif ch == "(" and not quoted:
            depth += 1
        elif ch == ")" and not quoted:
            depth -= 1
        word.append(ch)
    if word:
        parts.append("".join(word))
    check(
        len(parts) == 1 or len(parts) >= 3,
        'Query has invalid syntax; statements can either be single ("<entity>"") or with a '
        'WHERE statement ("<(sub)entity> WHERE {<entity>.}id=..{ AND ..}"")',
    )
    if len(parts) == 1:
        return parts[0].lower(), None
    check(
        parts[1].strip().lower() == "where",
        f'Invalid query "{text}", should be on the form "<entitytype> where <expression>".',
    )
    return parts[0].lower(), " ".join(parts[2:]).lower()


def load_env_file(path: str) -> None:
    """Load a ``.env`` file into ``os.environ``, replacing existing values.

    This side effect is documented behaviour of the official client (later sessions
    and child processes see e.g. ``ACCSYN_PROXY``); a missing file is ignored.
    """
    for key, value in read_env_file(path).items():
        os.environ[key] = value


class JSONEncoder(json.JSONEncoder):
    """JSON with dates written as the wire's UTC ``YYYY-MM-DDTHH:MM:SS`` (naive = local)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, _dt.date):
            return sdk.encode_date(o)
        return super().default(o)
