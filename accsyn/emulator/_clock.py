"""Simulated time for the emulator: tests advance it, servers may follow the wall clock."""

from __future__ import annotations

import functools
import threading
import time
from datetime import datetime, timezone

from accsyn._codec import encode_datetime, to_utc

__all__ = ["Clock"]


@functools.lru_cache(maxsize=64)
def _stamp(dt: datetime) -> str:
    # strftime is the costly part of a stamp, and a busy server stamps the same
    # second over and over (every request is logged).
    return encode_datetime(dt)


class Clock:
    """The emulator's notion of now, in seconds since the epoch (UTC).

    A manual clock (the default for in-process workspaces) stands still until
    :meth:`advance` or :meth:`set` moves it, so job lifecycles are reproducible.
    A real-time clock (``realtime=True``, used by ``serve``) follows the wall clock
    plus any offset added with :meth:`advance`.
    """

    def __init__(self, start: datetime | float | None = None, *, realtime: bool = False) -> None:
        if start is None:
            start_ts = float(int(time.time()))
        elif isinstance(start, datetime):
            start_ts = to_utc(start).timestamp()  # naive means UTC, as everywhere
        else:
            start_ts = float(start)
        self.realtime = realtime
        self._lock = threading.Lock()
        self._base = start_ts
        self._wall0 = time.time()
        self._last_stamp: tuple[float, str] = (float("nan"), "")

    def time(self) -> float:
        """Seconds since the epoch, simulated."""
        with self._lock:
            if self.realtime:
                return self._base + (time.time() - self._wall0)
            return self._base

    def now(self) -> datetime:
        """The simulated time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.time(), tz=timezone.utc)

    def advance(self, seconds: float) -> None:
        """Move the clock forward; due job transitions happen on the next request."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._base += seconds

    def set(self, when: datetime | float) -> None:
        """Jump to an absolute time (forward only)."""
        ts = when.timestamp() if isinstance(when, datetime) else float(when)
        self.advance(max(0.0, ts - self.time()))

    def stamp(self, ts: float | None = None) -> str:
        """The wire date format ``YYYY-MM-DDTHH:MM:SS`` (UTC) of ``ts`` or now."""
        t = self.time() if ts is None else ts
        last = self._last_stamp
        if last[0] == t:
            # A manual clock stands still: every request logged meanwhile has this stamp.
            return last[1]
        text = _stamp(datetime.fromtimestamp(t, tz=timezone.utc).replace(microsecond=0))
        self._last_stamp = (t, text)
        return text

    # The session clock protocol (accsyn._http.Clock): ``ws.session(clock=ws.clock)``
    # makes waits, polls and retries take simulated time, so nothing really sleeps.

    def monotonic(self) -> float:
        """The simulated time (never goes backwards): the session clock protocol."""
        return self.time()

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass: a manual clock advances, a real-time one really waits."""
        if seconds <= 0:
            return
        if self.realtime:
            time.sleep(seconds)
        else:
            self.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        """The async :meth:`sleep`."""
        if seconds <= 0:
            return
        if self.realtime:
            import asyncio

            await asyncio.sleep(seconds)
        else:
            self.advance(seconds)

    def __repr__(self) -> str:
        return f"Clock({self.stamp()!r}, realtime={self.realtime})"
