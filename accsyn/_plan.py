"""The plan protocol: every operation and every paged read is written once, sans-IO.

A *plan* is a generator. It yields

* an :class:`~accsyn._wire.EventRequest` (an event; the session logs in first if
  needed) or an :class:`~accsyn._wire.HttpRequest` (sent as is: the master lookup
  and the login), and is sent the decoded answer body;
* a :class:`Page` of rows to hand to the caller, and is sent ``None``;

and returns its result. One sync driver (:func:`drive`, :func:`run`) and one async
driver (:func:`adrive`, :func:`arun`) run every plan, so ``Session`` and
``AsyncSession``, ``Select`` and ``AsyncSelect`` share all request building, paging
and decoding; only the sending differs.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar, cast

from accsyn._wire import EventRequest, HttpRequest

__all__ = ["AsyncSend", "Done", "Page", "Plan", "Send", "adrive", "arun", "drive", "run"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page:
    """Rows a plan hands out between requests (already filtered to new ones)."""

    rows: list[Any]


@dataclass(frozen=True, slots=True)
class Done:
    """What :func:`adrive` yields last: the plan's result (async generators cannot return)."""

    value: Any


Request: TypeAlias = EventRequest | HttpRequest
#: A plan: yields requests and pages, is sent answer bodies, returns ``T``.
Plan: TypeAlias = Generator[EventRequest | HttpRequest | Page, Any, T]
Send = Callable[[Request], dict[str, Any]]
AsyncSend = Callable[[Request], Awaitable[dict[str, Any]]]


def drive(plan: Plan[T], send: Send) -> Generator[list[Any], None, T]:
    """The sync driver: send each request, yield each page's rows, return the result."""
    try:
        item = next(plan)
        while True:
            if isinstance(item, Page):
                yield item.rows
                item = plan.send(None)
            else:
                item = plan.send(send(item))
    except StopIteration as stop:
        return cast(T, stop.value)
    finally:
        plan.close()


def run(plan: Plan[T], send: Send) -> T:
    """Drive ``plan`` to its result (pages it yields are dropped).

    :func:`drive` without the generator around it: every call of a session runs
    here, most of them one small request.
    """
    try:
        item = next(plan)
        while True:
            item = plan.send(None if isinstance(item, Page) else send(item))
    except StopIteration as stop:
        return cast(T, stop.value)
    finally:
        plan.close()


async def adrive(plan: Plan[Any], send: AsyncSend) -> AsyncGenerator[list[Any] | Done, None]:
    """The async driver: await each request, yield each page's rows, then ``Done``."""
    try:
        item = next(plan)
        while True:
            if isinstance(item, Page):
                yield item.rows
                item = plan.send(None)
            else:
                item = plan.send(await send(item))
    except StopIteration as stop:
        yield Done(stop.value)
    finally:
        plan.close()


async def arun(plan: Plan[T], send: AsyncSend) -> T:
    """Await ``plan`` to its result (pages it yields are dropped)."""
    driver = adrive(plan, send)
    try:
        async for item in driver:
            if isinstance(item, Done):
                return cast(T, item.value)
    finally:
        await driver.aclose()
    raise RuntimeError(
        "plan ended without a result"
    )  # pragma: no cover - adrive always ends with Done
