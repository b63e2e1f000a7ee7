"""``limit`` and ``skip`` mean one thing on every path, or are refused.

``find(limit=0)`` is sent as the official client sends it (not at all), which the
server reads as "every row", while ``.limit(0)`` on a query means none: the same
word, opposite answers, so ``find`` refuses 0 unless validation is off. Negative
values are refused before sending everywhere.
"""

from __future__ import annotations

import asyncio
import warnings

import pytest

import accsyn
from accsyn.emulator import LocalWorkspace


def test_limit_zero_is_refused_by_find_and_means_none_in_a_query(fresh_ws: LocalWorkspace) -> None:
    s = fresh_ws.session("admin")
    with pytest.raises(accsyn.ValidationError, match="limit=None") as info:
        s.find("queue", limit=0)
    assert info.value.field == "limit"
    with pytest.raises(accsyn.ValidationError, match="limit=None"):
        asyncio.run(_async_find(fresh_ws))
    assert s.queues.where().limit(0).all() == []
    # Opting out sends it as the official client does: every row.
    every = s.find("queue")
    assert len(s.find("queue", limit=0, validate=False)) == len(every) > 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert len(
            accsyn.Session(**_kwargs(fresh_ws), validate="warn").find("queue", limit=0)
        ) == len(every)
    assert any("limit=None" in str(w.message) for w in caught)


async def _async_find(fresh_ws: LocalWorkspace) -> object:
    async with fresh_ws.async_session("admin") as s:
        return await s.find("queue", limit=0)


def _kwargs(fresh_ws: LocalWorkspace) -> dict[str, object]:
    from accsyn.emulator._workspace import IN_PROCESS_URL

    workspace, username, api_key = fresh_ws.credentials("admin")
    return {
        "workspace": workspace,
        "username": username,
        "api_key": api_key,
        "base_url": IN_PROCESS_URL,
        "transport": fresh_ws.transport(),
    }


@pytest.mark.parametrize("kwargs", [{"limit": -1}, {"skip": -5}])
def test_negative_limit_or_skip_is_refused_before_sending(
    fresh_ws: LocalWorkspace, kwargs: dict[str, int]
) -> None:
    s = fresh_ws.session("admin")
    name = next(iter(kwargs))
    for validate in (None, False):
        with pytest.raises(accsyn.ValidationError, match="must not be negative") as info:
            s.find("queue", validate=validate, **kwargs)
        assert info.value.field == name
