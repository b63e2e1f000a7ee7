"""httpx drivers around the sans-IO wire layer: retries, rate limiting, deadlines, logging.

One generator, :func:`transmit`, holds the whole policy for sending one request:
wait for the rate limiter, send, interpret the answer, decide whether to retry and
how long to sleep. It yields :class:`Send` and :class:`Sleep` actions; the sync and
async drivers only perform them, so the policy is written once.

Modules, top-down:

* ``_policy``     time, retry and rate-limit policies (plain values)
* ``_redact``     secrets out of messages and logs; the opt-in filter for httpx's log
* ``_transmit``   the send/retry state machine and its logging
* ``_drivers``    the sync and async drivers, each attempt under a deadline
* ``_inprocess``  drivers for a server in this process, without httpx (same answers)
* ``_transports`` the sessions' default transports: httpcore pools on chosen backends
* ``_asyncio``    httpcore's network backend on plain asyncio transports
"""

from accsyn._http._asyncio import AsyncioBackend
from accsyn._http._drivers import AsyncDriver, SyncDriver
from accsyn._http._inprocess import (
    Answer,
    AsyncInProcessDriver,
    InProcessDriver,
    InProcessTransport,
)
from accsyn._http._policy import Clock, RateLimit, RetryPolicy, SystemClock, TokenBucket
from accsyn._http._redact import HttpxLogFilter, Redactor, redact_error
from accsyn._http._transmit import Failure, Response, Send, Sleep, transmit
from accsyn._http._transports import DeadlineBackend, async_transport, sync_transport

__all__ = [
    "Answer",
    "AsyncDriver",
    "AsyncInProcessDriver",
    "AsyncioBackend",
    "Clock",
    "DeadlineBackend",
    "Failure",
    "HttpxLogFilter",
    "InProcessDriver",
    "InProcessTransport",
    "RateLimit",
    "Redactor",
    "Response",
    "RetryPolicy",
    "Send",
    "Sleep",
    "SyncDriver",
    "SystemClock",
    "TokenBucket",
    "async_transport",
    "redact_error",
    "sync_transport",
    "transmit",
]
