"""Time, retry and rate-limit policies: plain values, no I/O."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from accsyn import _constants as const

__all__ = ["Clock", "RateLimit", "RetryPolicy", "SystemClock", "TokenBucket"]


class Clock(Protocol):
    """Where the transport reads the time and sleeps; swap it to test without waiting."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards."""

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``."""

    async def asleep(self, seconds: float) -> None:
        """Suspend the running task for ``seconds``."""


class SystemClock:
    """The real clock: :func:`time.monotonic`, :func:`time.sleep`, :func:`asyncio.sleep`."""

    def monotonic(self) -> float:
        """Seconds on the monotonic clock."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``."""
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        """Suspend the running task for ``seconds``."""
        await asyncio.sleep(seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to retry.

    Reads (GET) are retried on 429, 502, 503, 504 and on connection failures and
    timeouts. Writes are retried only when the connection could not be made (the
    server provably never saw them), so a create is never duplicated; a write
    answered 429 raises :class:`accsyn.RateLimitError` with ``retry_after`` set.
    Delays grow exponentially from ``backoff_initial`` up to ``backoff_max`` with
    jitter; a ``Retry-After`` from the server wins when it is longer, up to
    ``retry_after_max`` (a longer requested wait is raised as
    :class:`accsyn.RateLimitError` instead). Every retry is logged at INFO on the
    ``accsyn`` logger with its reason and delay. ``RetryPolicy(max_retries=0)`` or
    ``Session(retry=None)`` disables retries.
    """

    max_retries: int = const.DEFAULT_MAX_RETRIES
    backoff_initial: float = const.DEFAULT_BACKOFF_INITIAL
    backoff_max: float = const.DEFAULT_BACKOFF_MAX
    retry_after_max: float = const.DEFAULT_RETRY_AFTER_MAX
    retry_statuses: frozenset[int] = const.RETRY_STATUSES
    jitter: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.max_retries, bool) or self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.backoff_initial < 0 or self.backoff_max < 0 or self.retry_after_max < 0:
            raise ValueError("backoff and retry_after limits must be >= 0")

    def backoff(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        """The delay before retry number ``attempt`` (1-based), before any Retry-After."""
        ceiling = min(self.backoff_max, self.backoff_initial * 2.0 ** (attempt - 1))
        # Full jitter spreads a burst of clients; keep half so retries never stampede.
        return ceiling * (0.5 + rng() / 2) if self.jitter else ceiling

    def delay(
        self,
        attempt: int,
        *,
        idempotent: bool,
        status: int | None,
        connect_failed: bool,
        retry_after: float | None,
    ) -> float | None:
        """Seconds to sleep before retry ``attempt``, or None to give up and raise."""
        if attempt > self.max_retries:
            return None
        if connect_failed:
            retryable = True
        elif not idempotent:
            return None
        else:
            retryable = status is None or status in self.retry_statuses
        if not retryable:
            return None
        wait = self.backoff(attempt)
        if retry_after is not None:
            if retry_after > self.retry_after_max:
                return None
            # The server's own wait wins; our backoff only ever lengthens it.
            wait = max(wait, retry_after)
        return wait


@dataclass(frozen=True)
class RateLimit:
    """A client-side token bucket: ``rate`` requests per second, bursts of ``burst``.

    The defaults are the documented accsyn edge limits (30 r/s, burst 60); one bucket
    is shared by every request of a session, so a busy integration slows down instead
    of being answered 429. ``Session(rate_limit=None)`` turns it off.
    """

    rate: float = const.DEFAULT_RATE
    burst: int = const.DEFAULT_BURST

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")


class TokenBucket:
    """Thread-safe reservations on a :class:`RateLimit` (sans-IO: the caller sleeps)."""

    def __init__(self, limit: RateLimit, now: float) -> None:
        self.limit = limit
        self._tokens = float(limit.burst)
        self._last = now
        self._lock = threading.Lock()

    def reserve(self, now: float) -> float:
        """Take one token; return how long to wait before using it (0 if available)."""
        with self._lock:
            elapsed = max(0.0, now - self._last)
            self._last = max(self._last, now)
            self._tokens = min(float(self.limit.burst), self._tokens + elapsed * self.limit.rate)
            # Tokens may go negative: that is a queue of reservations, served in order.
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self.limit.rate
