"""Parsing JSON fast, with exactly the standard library's results.

``pydantic_core.from_json`` parses the small documents of a request or an answer
2-3x faster than :func:`json.loads` and gives the same values for every document
both accept (``tests/session/test_json.py`` holds them equal on generated
documents). What it refuses — a lone surrogate escape, nesting deeper than its
limit, bytes that are not UTF-8, text that is not JSON — :func:`json.loads`
decides, so a caller sees exactly the standard library's value or error.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic_core import from_json

__all__ = ["loads"]


def loads(data: str | bytes) -> Any:
    """``json.loads(data)``, parsed by pydantic-core whenever it can."""
    try:
        return from_json(data)
    except ValueError:
        return json.loads(data)
