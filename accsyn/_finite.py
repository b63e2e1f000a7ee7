"""Where a payload holds a float JSON cannot carry (NaN, Infinity)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from accsyn._exceptions import ValidationError

__all__ = ["non_finite", "non_finite_error"]


def non_finite(obj: Any, path: str = "", depth: int = 0) -> tuple[str, float] | None:
    """The dotted path and value of the first NaN/Infinity inside ``obj``, or None."""
    if isinstance(obj, float):
        return None if math.isfinite(obj) else (path, obj)
    if depth > 200:  # deeper than any payload json.dumps would have encoded
        return None
    to_wire = getattr(obj, "to_wire", None)
    if callable(to_wire):
        return non_finite(to_wire(), path, depth + 1)
    items: Iterable[tuple[str, Any]] = ()
    if isinstance(obj, Mapping):
        items = ((str(k), v) for k, v in obj.items())
    elif isinstance(obj, list | tuple | set | frozenset):
        items = ((f"[{i}]", v) for i, v in enumerate(obj))
    for key, value in items:
        sub = f"{path}{key}" if key.startswith("[") or not path else f"{path}.{key}"
        found = non_finite(value, sub, depth + 1)
        if found is not None:
            return found
    return None


def non_finite_error(obj: Any) -> ValidationError:
    """The error for a payload ``json.dumps(allow_nan=False)`` refused."""
    where = non_finite(obj)
    field, value = where if where is not None else ("", float("nan"))
    if field.startswith(("data.", "data[")):  # inside an event envelope: name the payload's field
        field = field[5:] if field[4] == "." else field[4:]
    return ValidationError(
        f"{field or 'the payload'} is {value!r}: JSON has no NaN or Infinity; "
        "send null or a finite number",
        field=field or None,
    )
