"""Fault injection and the documented rate limits, for reliability tests (off by default)."""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Fault", "Faults", "RateLimiter"]


@dataclass(frozen=True)
class Fault:
    """One injected failure: an HTTP ``status`` (429 carries ``retry_after``) or a drop.

    A drop with ``after_commit`` lets the request run (a create is stored) and then
    loses the answer: the "response lost after commit" case a blind retry duplicates.
    """

    status: int | None = None
    retry_after: float = 1.0
    drop: bool = False
    after_commit: bool = False


@dataclass
class Faults:
    """What the emulator does wrong on purpose. Everything is off by default.

    Attributes:
        latency: seconds added to every request (e.g. ``0.02``).
        error_rate: probability of answering 500/502/503 (seeded, reproducible).
        throttle_rate: probability of answering 429 with ``Retry-After``.
        retry_after: the ``Retry-After`` seconds of injected 429s.
        drop_rate: probability of dropping the connection without an answer.
        rate_limits: enforce the documented limits (30 req/s burst 60 per IP on
            ``/api``; 50 authentications per 5 minutes per IP, then 429).
        seed: seed of the random generator deciding probabilistic faults.

    :meth:`script` queues exact faults for the next requests, which is what
    deterministic tests want: ``ws.faults.script(429, 503, "drop")``;
    ``"drop-after-commit"`` runs the request, then drops its answer.
    """

    latency: float = 0.0
    error_rate: float = 0.0
    throttle_rate: float = 0.0
    retry_after: float = 1.0
    drop_rate: float = 0.0
    rate_limits: bool = False
    seed: int = 0
    _queue: deque[Fault] = field(default_factory=deque, repr=False, init=False)
    _rng: random.Random = field(default_factory=random.Random, repr=False, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, init=False)

    def __post_init__(self) -> None:
        self._rng.seed(self.seed)

    def script(self, *faults: int | str | Fault) -> None:
        """Queue faults for the next requests: a status code, ``"drop"`` or a Fault."""
        with self._lock:
            for f in faults:
                if isinstance(f, Fault):
                    self._queue.append(f)
                elif f == "drop":
                    self._queue.append(Fault(drop=True))
                elif f == "drop-after-commit":
                    self._queue.append(Fault(drop=True, after_commit=True))
                elif isinstance(f, int) and 400 <= f <= 599:
                    self._queue.append(Fault(status=f, retry_after=self.retry_after))
                else:
                    raise ValueError(
                        f"not a fault: {f!r} "
                        "(a 4xx/5xx status, 'drop', 'drop-after-commit' or a Fault)"
                    )

    def clear(self) -> None:
        """Forget scripted faults and switch every probabilistic fault off."""
        with self._lock:
            self._queue.clear()
        self.latency = self.error_rate = self.throttle_rate = self.drop_rate = 0.0
        self.rate_limits = False

    def next_fault(self) -> Fault | None:
        """The fault for the request being handled, if any."""
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            if self.drop_rate and self._rng.random() < self.drop_rate:
                return Fault(drop=True)
            if self.throttle_rate and self._rng.random() < self.throttle_rate:
                return Fault(status=429, retry_after=self.retry_after)
            if self.error_rate and self._rng.random() < self.error_rate:
                return Fault(status=self._rng.choice((500, 502, 503)))
        return None


class RateLimiter:
    """The documented limits (protocol.md §3.3), per client IP, on real time."""

    def __init__(
        self,
        rate: float = 30.0,
        burst: float = 60.0,
        auth_hits: int = 50,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        self.rate = rate
        self.burst = burst
        self.auth_hits = auth_hits
        self._buckets: dict[str, tuple[float, float]] = {}
        self._auth: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, ip: str, auth: bool) -> float | None:
        """Seconds to wait if this request is over a limit, else None."""
        now = self.clock()
        with self._lock:
            if auth:
                hits = self._auth.setdefault(ip, deque())
                while hits and hits[0] < now - 300:
                    hits.popleft()
                hits.append(now)
                if len(hits) > self.auth_hits:
                    return max(1.0, 300 - (now - hits[0]))
            tokens, last = self._buckets.get(ip, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[ip] = (tokens, now)
                return (1 - tokens) / self.rate
            self._buckets[ip] = (tokens - 1, now)
        return None
