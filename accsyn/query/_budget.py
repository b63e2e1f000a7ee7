"""A time budget for ``matches`` regular expressions evaluated on someone else's behalf.

A server (the emulator) runs patterns that callers send; a catastrophic one such as
``(a|aa)+$`` would hold it for seconds per row. Inside :func:`regex_budget` every
search draws on one allowance of matching time and runs on the ``regex`` package,
whose ``timeout=`` stops a search mid-way; once the allowance is spent a
:class:`QueryValidationError` says so. Only time spent *searching* counts: a request
that is slow for other reasons (a loaded machine, a large scan) never trips it, so
the same query gets the same answer however busy the server is.
Outside a budget (the SDK filtering its own data) searches use :mod:`re` as before.
Without the ``regex`` package (the ``server`` extra installs it) budgets are not
enforced: the documented fallback is the unbounded stdlib engine.
"""

from __future__ import annotations

import functools
import re
import time
from contextvars import ContextVar
from typing import Any

from accsyn._exceptions import QueryProblem, QueryValidationError

try:  # an optional dependency: the `server` extra
    import regex as _regex
except ImportError:  # pragma: no cover - exercised only without the extra
    _regex = None

__all__ = ["RegexBudgetExceeded", "bounded_search", "regex_budget"]

# [seconds spent searching so far, allowance]: a list so searches can add to it.
_budget: ContextVar[list[float] | None] = ContextVar("accsyn_regex_budget", default=None)


class RegexBudgetExceeded(QueryValidationError):
    """A regular expression ran past the time budget of the request."""


class regex_budget:  # noqa: N801 - used like the function it was: `with regex_budget(s):`
    """Every regex search in this block shares ``seconds`` of matching time.

    A plain class rather than a generator context manager: every emulated request
    enters one, most without any regex, so entering and leaving cost next to nothing.
    """

    __slots__ = ("_seconds", "_token")

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds

    def __enter__(self) -> None:
        self._token = _budget.set([0.0, self._seconds])

    def __exit__(self, *exc: object) -> None:
        _budget.reset(self._token)


@functools.lru_cache(maxsize=1024)
def _bounded(pattern: str, flags: int) -> Any:
    assert _regex is not None
    try:
        return _regex.compile(pattern, (_regex.IGNORECASE if flags & re.IGNORECASE else 0))
    except _regex.error as exc:
        raise QueryValidationError(
            [QueryProblem(f"invalid regular expression {pattern!r}: {exc}")]
        ) from None


def bounded_search(rx: re.Pattern[str], text: str) -> bool:
    """``rx.search(text) is not None``, within the current budget if one is set."""
    budget = _budget.get()
    if budget is None or _regex is None:
        return rx.search(text) is not None
    spent, seconds = budget
    remaining = seconds - spent
    started = time.monotonic()
    try:
        if remaining <= 0:
            raise TimeoutError
        return _bounded(rx.pattern, rx.flags).search(text, timeout=remaining) is not None
    except TimeoutError:
        raise RegexBudgetExceeded(
            [
                QueryProblem(
                    f"regular expression {rx.pattern[:100]!r} took longer than the "
                    f"{seconds:g} s budget; simplify it (avoid nested repetition like '(a+)+')"
                )
            ]
        ) from None
    finally:
        budget[0] += time.monotonic() - started
