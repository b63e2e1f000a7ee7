"""Caller-supplied regexes are bounded, and never run on rows the caller cannot read.

``(a|aa)+$`` against a long run of ``a`` followed by ``!`` backtracks for minutes
on a plain engine. The emulator gives every request a regex time budget: past it,
the caller gets a 400 naming the pattern. The role's read filter is applied
before the caller's predicate, so a pattern that would blow the budget on a row
the caller cannot read changes nothing the caller sees (no error, no timing
oracle).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import accsyn
from accsyn.emulator import LocalWorkspace

CATASTROPHIC = "(a|aa)+$"
VICTIM = "a" * 48 + "!"


@pytest.fixture(scope="module")
def ws() -> Iterator[LocalWorkspace]:
    with LocalWorkspace.fresh() as w:
        yield w


@pytest.fixture(scope="module")
def hidden_transfer(ws: LocalWorkspace) -> str:
    """An admin's transfer the standard user cannot read, named to blow the budget."""
    std = ws.session(role="standard")
    visible = {t["id"] for t in std.find("transfer", raw=True)}
    admin = ws.session()
    row = next(t for t in admin.find("transfer", raw=True) if t["id"] not in visible)
    admin.update("transfer", row["id"], {"name": VICTIM}, raw=True)
    return str(row["id"])


def test_a_catastrophic_matches_is_a_400_naming_the_budget(
    ws: LocalWorkspace, hidden_transfer: str
) -> None:
    admin = ws.session()
    with pytest.raises(accsyn.BadRequestError, match="budget"):
        admin.find(f'transfer WHERE name matches "{CATASTROPHIC}"', raw=True)
    # The server is still answering afterwards.
    assert admin.find_one(f"transfer WHERE id={hidden_transfer}", raw=True) is not None


def test_nested_quantifiers_that_the_engine_handles_answer_normally(ws: LocalWorkspace) -> None:
    assert ws.session().find('transfer WHERE name matches "(a+)+$"', raw=True) == []


def test_the_read_filter_runs_before_the_callers_regex(
    ws: LocalWorkspace, hidden_transfer: str
) -> None:
    std = ws.session(role="standard")
    # Evaluated on the hidden row this would blow the budget (a 400): it never is.
    assert std.find(f'transfer WHERE name matches "{CATASTROPHIC}"', raw=True) == []


def test_ls_filters_are_bounded_too(ws: LocalWorkspace) -> None:
    admin = ws.session()
    admin.files.mkdir(f"volume=projects/{VICTIM}")
    with pytest.raises(accsyn.BadRequestError, match="budget"):
        admin.files.ls("volume=projects", include=f're("{CATASTROPHIC}")')


def test_only_time_spent_searching_counts_against_the_budget() -> None:
    """A request slow for other reasons (a loaded machine) still gets its answer.

    The budget used to be a deadline from the start of the request, so the same
    query could answer on a quiet machine and be refused on a busy one.
    """
    import re
    import time

    from accsyn.query._budget import bounded_search, regex_budget

    with regex_budget(0.05):
        time.sleep(0.1)  # everything but regex matching: the SQL scan, a descheduled thread
        assert bounded_search(re.compile("^d"), "daily") is True
        # The allowance is shared: a catastrophic search still exhausts it.
        with pytest.raises(accsyn.QueryValidationError, match="budget"):
            bounded_search(re.compile(CATASTROPHIC), VICTIM)
