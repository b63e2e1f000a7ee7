"""The emulated accsyn backend: one workspace answering HTTP requests.

:meth:`Backend.handle` takes a method, a path, the raw query string, headers and
body bytes, and returns a :class:`Reply` — no sockets, no framework. The in-process
httpx transports and the ASGI app are thin adapters around it, so both modes
speak exactly the same protocol (protocol.md §7).

The layers, in the order a request meets them::

    _protocol      envelope, replies, errors, argument checks
    _auth          who is calling
    _routes        uri -> handler (the route table)
    _ops/*         the operations, one module per family
    _access        what the caller may read and change (§6.5)
    _paths         parties and paths -> rows and directories (§6.6)
    _simulation    the job lifecycle on the workspace clock
    _entities      lookups and the wire form of stored rows
    _store/_sql    SQLite storage and the query compiler
"""

from __future__ import annotations

import itertools
import logging
import threading
import uuid
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from accsyn._exceptions import QueryError
from accsyn.emulator import _entities
from accsyn.emulator._auth import Authenticator
from accsyn.emulator._clock import Clock
from accsyn.emulator._faults import Faults, RateLimiter
from accsyn.emulator._ops.misc import LogEntry
from accsyn.emulator._paths import Paths
from accsyn.emulator._protocol import (
    MASTER_LOOKUP,
    MAX_BODY,
    ApiError,
    Call,
    Ctx,
    Reply,
    check_method,
    parse_envelope,
)
from accsyn.emulator._reads import ReadCache
from accsyn.emulator._routes import resolve
from accsyn.emulator._simulation import Simulation
from accsyn.emulator._store import Row, Store
from accsyn.query._budget import regex_budget

__all__ = ["MAX_BODY", "REGEX_BUDGET", "ApiError", "Backend", "Reply"]

#: Seconds of regex matching one request may spend (``matches``, ``ls`` filters).
REGEX_BUDGET = 0.5

log = logging.getLogger("accsyn.emulator")

_AUTH_ROUTES = ("/api/login", "/api/auth")


class Backend:
    """One emulated workspace: store, files, clock, faults and the protocol on top."""

    def __init__(
        self,
        store: Store,
        *,
        files_root: Path,
        clock: Clock | None = None,
        faults: Faults | None = None,
        workspace: str = "demo",
    ) -> None:
        self.store = store
        self.files_root = Path(files_root)
        self.files_root.mkdir(parents=True, exist_ok=True)
        self.clock = clock or Clock()
        self.faults = faults or Faults()
        self.limiter = RateLimiter()
        self._code = store.get_meta("workspace") or workspace
        self.lock = threading.RLock()
        self.logs: deque[LogEntry] = deque(maxlen=1000)
        self._log_ids = itertools.count(1)
        self.auth = Authenticator(store, self._code)
        self.paths = Paths(store, self.files_root, self._code)
        self.sim = Simulation(store, self.clock, self)
        self.reads = ReadCache(store)

    @property
    def code(self) -> str:
        """The workspace code (what the workspace header and parties name)."""
        return self._code

    @code.setter
    def code(self, value: str) -> None:
        # Renaming the workspace (a replayed recording) renames it everywhere.
        self._code = self.auth.code = self.paths.code = value

    # The wire form of stored rows, kept here for callers of the public Backend.
    hr = staticmethod(_entities.hr)
    party = staticmethod(_entities.party)
    out = staticmethod(_entities.out)

    def tick(self) -> None:
        """Apply every job transition due at the clock's current time."""
        self.sim.tick()

    # --- HTTP entry point -----------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        raw_query: str,
        headers: Mapping[str, str],
        body: bytes,
        client: str = "127.0.0.1",
    ) -> Reply:
        """Answer one HTTP request. Never raises: every failure is a JSON reply."""
        latency = self.faults.latency
        try:
            # One lock for the whole request: the SQLite connection is shared by the
            # server's worker threads, and a request sees one consistent state.
            with self.lock:
                reply = self._handle(method.upper(), path, raw_query, headers, body, client)
        except ApiError as exc:
            reply = exc.reply()
        except Exception as exc:  # a bug must still answer JSON, never a traceback
            log.exception("emulator error")
            reply = Reply(
                500,
                {"message": "Internal emulator error.", "exception": type(exc).__name__},
            )
        reply.latency = latency
        return reply

    def _handle(
        self,
        method: str,
        path: str,
        raw_query: str,
        headers: Mapping[str, str],
        body: bytes,
        client: str,
    ) -> Reply:
        self.store.sync()
        hdrs = {k.lower(): v for k, v in headers.items()}
        route = path.lower().rstrip("/")
        if route.startswith("/api/v3"):
            route = route[len("/api/v3") :]
        is_auth = route in _AUTH_ROUTES
        drop = self._inject_faults(client, is_auth)
        if drop == "before":
            return Reply(0, None, drop=True)
        if len(body) > MAX_BODY or len(raw_query) > MAX_BODY:
            raise ApiError(413, "Request too large.")
        if route == MASTER_LOOKUP:
            if method != "GET":
                raise ApiError(405, f"Method {method} not allowed here.")
            return Reply(200, {"result": {"hostname": "127.0.0.1", "port": 443}})
        if is_auth:
            if method not in ("PUT", "POST"):
                raise ApiError(405, f"Method {method} not allowed here.")
            return Reply(200, {"result": self._login(hdrs)})
        if route != "/event":
            raise ApiError(404, f"Unknown route {path[:200]!r}.")
        # Authenticate before any work on the body: an anonymous caller must not make
        # the server inflate gz_data or parse a large JSON document.
        user = self.auth.user(hdrs)
        envelope = parse_envelope(method, raw_query, body)
        ws = envelope.get("workspace")
        if ws is not None and (not isinstance(ws, str) or ws.casefold() != self.code.casefold()):
            raise ApiError(401, "Workspace mismatch.")
        ctx = Ctx(user, str(user.data.get("role", "standard")), envelope)
        self.sim.tick()
        answer, content = self._dispatch(method, ctx)
        if drop == "after":  # committed, then the answer is lost
            return Reply(0, None, drop=True)
        return Reply(200, answer, raw=content)

    def _inject_faults(self, client: str, is_auth: bool) -> str | None:
        """Raise the injected fault or rate limit of this request, or say when to drop it.

        ``"before"`` drops the request unanswered and unrun; ``"after"`` runs it,
        then drops the answer.
        """
        if self.faults.rate_limits:
            wait = self.limiter.check(client, is_auth)
            if wait is not None:
                raise ApiError(
                    429, "Too many requests, please try again later.", retry_after=round(wait, 3)
                )
        fault = self.faults.next_fault()
        if fault is None:
            return None
        if fault.drop:
            return "after" if fault.after_commit else "before"
        status = fault.status or 500
        if status == 429:
            raise ApiError(
                429, "Too many requests, please try again later.", retry_after=fault.retry_after
            )
        raise ApiError(status, f"Injected fault {status}.")

    def _login(self, hdrs: Mapping[str, str]) -> dict[str, Any]:
        user: Row = self.auth.user(hdrs)
        return {
            "role": user.data.get("role", "standard"),
            "id": user.id,
            "session_id": uuid.uuid4().hex,
        }

    def _log(self, ctx: Ctx, uri: str) -> None:
        """Record the event for ``log/find`` (shaped as Log entities when read)."""
        self.logs.append(
            LogEntry(next(self._log_ids), self.clock.stamp(), uri, ctx.user, ctx.envelope)
        )

    def _dispatch(self, method: str, ctx: Ctx) -> tuple[dict[str, Any], bytes | None]:
        """The answer of an event, and its JSON when already written (a kept read)."""
        uri: str = ctx.envelope["uri"]
        self._log(ctx, uri)
        route, et, name = resolve(uri)
        if route.methods is not None:
            check_method(method, route.methods)
        call = Call(method, ctx, uri, ctx.envelope.get("data"), et, name)
        key = None
        if route.pure:
            key = self.reads.key(call, self._code)
            kept = self.reads.get(key)
            if kept is not None:
                return kept
        # Caller-supplied regexes (queries, ls filters) share one time budget per
        # request, so a catastrophic pattern is a 400, not a server held for seconds.
        with regex_budget(REGEX_BUDGET):
            try:
                answer = route.handler(self, call)
            except QueryError as exc:
                raise ApiError(400, f"Invalid query: {exc}") from None
        if key is None:
            return answer, None
        return answer, self.reads.put(key, answer)
