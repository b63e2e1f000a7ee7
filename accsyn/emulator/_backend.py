"""The emulated accsyn backend: HTTP-level request handling shared by every front end.

:meth:`Backend.handle` takes a method, a path, the raw query string, headers and
body bytes, and returns a :class:`Reply` — no sockets, no framework. The in-process
httpx transports and the ASGI app are thin adapters around it, so both modes
speak exactly the same protocol (protocol.md §7).
"""

from __future__ import annotations

import base64
import binascii
import functools
import gzip
import hmac
import json
import logging
import os
import re
import threading
import uuid
import zlib
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from accsyn._exceptions import QueryError
from accsyn.emulator import _files
from accsyn.emulator._clock import Clock
from accsyn.emulator._faults import Faults, RateLimiter
from accsyn.emulator._schema import (
    ATTRIBUTES,
    CLIENT_SUBTYPES,
    CREATE_ATTRIBUTES,
    ENTITY_TYPES,
    JOB_TYPES,
    SHARE_TYPES,
    UNIQUE_CODE,
    UPDATE_ATTRIBUTES,
    canonical,
)
from accsyn.emulator._store import Row, Store, new_id
from accsyn.query._ast import Comparison, Expr, Op, Or, Query
from accsyn.query._evaluate import id_part

__all__ = ["MAX_BODY", "ApiError", "Backend", "Reply"]

log = logging.getLogger("accsyn.emulator")

#: Largest request body or decompressed ``gz_data`` accepted (bytes).
MAX_BODY = 16 * 1024 * 1024
MASTER_LOOKUP = "/j3pkttdvoldmbtty6afga"
_HEX24 = re.compile(r"[0-9a-f]{24}\Z")
_EMAIL = re.compile(r"[^@\s:/]+@[^@\s:/]+\.[^@\s:/]+\Z")
_JOBS = ("transfer", "compute", "delivery", "request", "stream")
_DELIVERY_LIKE = ("delivery", "request", "stream")
_FINISHED = ("done", "aborted")
_TRANSFER_WRITABLE = ("pending", "waiting", "paused", "aborted", "done")
_SPEED = 100 * 1024 * 1024  # simulated transfer speed, bytes per second


@dataclass
class Reply:
    """An HTTP answer: status, JSON body and headers; ``drop`` = close without answering."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    latency: float = 0.0

    def content(self) -> bytes:
        """The body as JSON bytes."""
        return json.dumps(self.body).encode()


class ApiError(Exception):
    """An error answer: ``{"message": ..., "message_hr": ...}`` with an HTTP status."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


@dataclass
class Ctx:
    """The authenticated caller of one request."""

    user: Row
    role: str
    envelope: dict[str, Any]

    @property
    def uid(self) -> str:
        return self.user.id

    @property
    def email(self) -> str:
        return str(self.user.data.get("code", ""))


def _bool(value: Any, name: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ApiError(400, f"{name} must be a boolean!")
    return value


def _int(value: Any, name: str, default: int | None = None) -> int | None:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ApiError(400, f"{name} must be a non-negative integer!")
    return value


def _str(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, f"{name} must be a non-empty string!")
    return value.strip()


#: ``<entitytype>/<operation>`` operations: the HTTP method and the Backend method.
_OPERATIONS = {
    "find": ("GET", "op_find"),
    "create": ("POST", "op_create"),
    "edit": ("PUT", "op_edit"),
    "delete": ("DELETE", "op_delete"),
    "deactivate": ("DELETE", "op_deactivate"),
    "activate": ("POST", "op_activate"),
    "offline": ("DELETE", "op_deactivate"),
    "online": ("POST", "op_activate"),
    "report": ("GET", "op_report"),
    "metrics": ("GET", "op_metrics"),
}


@functools.lru_cache(maxsize=256)
def _unquote_cached(text: str) -> str:
    return unquote(text)


def _unquote(text: str) -> str:
    # Clients poll with the same envelope over and over; decoding is pure.
    return _unquote_cached(text) if len(text) <= 4096 else unquote(text)


def _codeify(name: str) -> str:
    return re.sub(r"[^a-z0-9_.-]+", "_", name.strip().lower()).strip("_") or "x"


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
        self.code = store.get_meta("workspace") or workspace
        self.lock = threading.RLock()
        self.logs: deque[dict[str, Any]] = deque(maxlen=1000)
        # (Authorization, workspace header) -> (store generation, user id): a caller
        # that authenticated successfully is the same user until any data changes.
        self._auth_cache: dict[tuple[str, str], tuple[int, str]] = {}
        # (store generation, earliest t_next): no transition is due before it.
        self._next_due: tuple[int, float | None] | None = None

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
            body_ = {"message": exc.message, "message_hr": exc.message, **exc.extra}
            hdrs = {}
            if exc.status == 429 and "retry_after" in exc.extra:
                hdrs["Retry-After"] = str(max(1, round(exc.extra["retry_after"])))
            reply = Reply(exc.status, body_, hdrs)
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
        hdrs = {k.lower(): v for k, v in headers.items()}
        route = path.lower().rstrip("/")
        if route.startswith("/api/v3"):
            route = route[len("/api/v3") :]
        is_auth = route in ("/api/login", "/api/auth")
        if self.faults.rate_limits:
            wait = self.limiter.check(client, is_auth)
            if wait is not None:
                raise ApiError(
                    429, "Too many requests, please try again later.", retry_after=round(wait, 3)
                )
        fault = self.faults.next_fault()
        if fault is not None:
            if fault.drop:
                return Reply(0, None, drop=True)
            status = fault.status or 500
            if status == 429:
                raise ApiError(
                    429, "Too many requests, please try again later.", retry_after=fault.retry_after
                )
            raise ApiError(status, f"Injected fault {status}.")
        if len(body) > MAX_BODY or len(raw_query) > MAX_BODY:
            raise ApiError(413, "Request too large.")
        if route == MASTER_LOOKUP:
            if method != "GET":
                raise ApiError(405, f"Method {method} not allowed here.")
            return Reply(200, {"result": {"hostname": "127.0.0.1", "port": 443}})
        if is_auth:
            if method not in ("PUT", "POST"):
                raise ApiError(405, f"Method {method} not allowed here.")
            user = self._authenticate(hdrs)
            return Reply(
                200,
                {
                    "result": {
                        "role": user.data.get("role", "standard"),
                        "id": user.id,
                        "session_id": uuid.uuid4().hex,
                    }
                },
            )
        if route != "/event":
            raise ApiError(404, f"Unknown route {path[:200]!r}.")
        envelope = self._envelope(method, raw_query, body)
        user = self._authenticate(hdrs)
        ws = envelope.get("workspace")
        if ws is not None and (not isinstance(ws, str) or ws.casefold() != self.code.casefold()):
            raise ApiError(401, "Workspace mismatch.")
        ctx = Ctx(user, str(user.data.get("role", "standard")), envelope)
        self.tick()
        return Reply(200, self._dispatch(method, ctx))

    # --- envelope and auth ----------------------------------------------------------------

    def _envelope(self, method: str, raw_query: str, body: bytes) -> dict[str, Any]:
        if method not in ("GET", "PUT", "POST", "DELETE"):
            raise ApiError(405, f"Method {method} not allowed.")
        text: str
        if method in ("GET", "DELETE") and raw_query:
            text = _unquote(raw_query)
        elif body:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise ApiError(400, "The request body is not UTF-8 JSON.") from None
        elif raw_query:
            text = _unquote(raw_query)
        else:
            raise ApiError(400, "Missing event envelope.")
        env = self._json(text, "envelope")
        if not isinstance(env, dict):
            raise ApiError(400, "The event envelope must be a JSON object.")
        if "gz_data" in env:
            env["data"] = self._gunzip(env.pop("gz_data"))
        uri = env.get("uri")
        if not isinstance(uri, str) or not uri.strip():
            raise ApiError(400, "The envelope has no 'uri'.")
        env["uri"] = uri.strip().strip("/").lower()
        for key in ("query", "id"):
            if env.get(key) is not None and not isinstance(env[key], str):
                raise ApiError(400, f"The envelope '{key}' must be a string.")
        data = env.get("data")
        if data is not None and not isinstance(data, dict | list):
            raise ApiError(400, "The envelope 'data' must be an object, an array or null.")
        return env

    @staticmethod
    def _json(text: str, what: str) -> Any:
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            raise ApiError(400, f"The {what} is not valid JSON.") from None

    def _gunzip(self, gz: Any) -> Any:
        if not isinstance(gz, str):
            raise ApiError(400, "gz_data must be a base64 string.")
        try:
            raw = base64.b64decode(gz, validate=True)
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out = d.decompress(raw, MAX_BODY + 1)
            if len(out) > MAX_BODY:
                raise ApiError(413, "The decompressed payload is too large.")
        except (binascii.Error, zlib.error, ValueError, gzip.BadGzipFile):
            raise ApiError(400, "gz_data is not base64 gzip data.") from None
        try:
            text = out.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "gz_data is not UTF-8 JSON.") from None
        data = self._json(text, "gz_data payload")
        if data is not None and not isinstance(data, dict | list):
            raise ApiError(400, "The payload must be an object, an array or null.")
        return data

    def _authenticate(self, hdrs: Mapping[str, str]) -> Row:
        auth = hdrs.get("authorization", "")
        ws = hdrs.get("x-accsyn-workspace", "")
        generation = self.store.generation
        hit = self._auth_cache.get((auth, ws))
        if hit is not None and hit[0] == generation:
            row = self.store.get(hit[1])
            if row is not None:
                return row
        user = self._authenticate_uncached(auth, ws)
        if len(self._auth_cache) >= 256:
            self._auth_cache.clear()
        self._auth_cache[(auth, ws)] = (generation, user.id)
        return user

    def _authenticate_uncached(self, auth: str, ws: str) -> Row:
        scheme, _, cred = auth.strip().partition(" ")
        if scheme.lower() != "basic" or ":" not in cred:
            raise ApiError(401, "Authentication required (basic <b64 user>:<b64 API key>).")
        u64, _, k64 = cred.strip().partition(":")
        try:
            username = base64.b64decode(u64, validate=True).decode("utf-8").strip()
            key = base64.b64decode(k64, validate=True).decode("utf-8").strip()
        except (binascii.Error, ValueError):
            raise ApiError(401, "Malformed Authorization header.") from None
        if ws.strip().casefold() != self.code.casefold():
            raise ApiError(401, "Unknown workspace.")
        expected = self.store.api_key(username)
        if expected is None or not hmac.compare_digest(expected.encode(), key.encode()):
            raise ApiError(401, "Invalid username or API key.")
        user = self._user_by_email(username, states=("active",))
        if user is None:
            raise ApiError(401, "User is not a member of this workspace, or disabled.")
        return user

    # --- lookups ---------------------------------------------------------------------------

    def _find_code(self, et: str, code: str, states: tuple[str, ...] = ("active",)) -> Row | None:
        rows = self.store.select(
            [et], where=Comparison("code", Op.EQ, code.replace("*", "")), states=states, limit=1
        )
        return rows[0] if rows else None

    def _user_by_email(self, email: str, states: tuple[str, ...] = ("active",)) -> Row | None:
        return self._find_code("user", email, states)

    def _by_ident(
        self, et: str | None, ident: str, states: tuple[str, ...] | None = None
    ) -> Row | None:
        """An entity by id (of type ``et``, or any with None), or by code for unique codes."""
        ident = ident.strip()
        if _HEX24.match(ident.lower()):
            row = self.store.get(ident.lower())
            if row is not None and (et is None or row.et == et):
                return row if states is None or row.state in states else None
        if et is not None and et in UNIQUE_CODE:
            return self._find_code(et, ident, states or ("active", "inactive"))
        return None

    def workspace_row(self) -> Row:
        rows = self.store.select(["workspace"], limit=1)
        if not rows:
            raise ApiError(500, "The workspace entity is missing.")
        return rows[0]

    def default_volume(self) -> Row:
        rows = self.store.select(["volume"], where=Comparison("default", Op.EQ, "true"), limit=1)
        if not rows:
            rows = self.store.select(["volume"], limit=1)
        if not rows:
            raise ApiError(404, "The workspace has no volume.")
        return rows[0]

    # --- human-readable companions ------------------------------------------------------------

    @staticmethod
    def hr(row: Row) -> str:
        """The ``_hr`` text of a reference to ``row`` (protocol.md §6.3 formats)."""
        d = row.data
        if row.et == "user":
            return f"user:{d.get('code')}[{d.get('role', 'standard')}]({row.id})"
        if row.et == "workspace":
            return f"workspace:{d.get('code')}({row.id})"
        if row.et == "site":
            return f"{d.get('code')}({row.id})"
        if row.et in SHARE_TYPES:
            return f"share:{d.get('name')}[{row.et}]({row.id})"
        if row.et in JOB_TYPES:
            return f"{d.get('name') or d.get('code')}[{d.get('type', '')}]({row.id})"
        return f"{d.get('code') or d.get('name')}({row.id})"

    @staticmethod
    def party(row: Row) -> str:
        """The ``<type>:<id>`` party string of an entity."""
        et = "share" if row.et in SHARE_TYPES else row.et
        return f"{et}:{row.id}"

    # --- output ---------------------------------------------------------------------------

    @staticmethod
    def out(row: Row, attributes: list[str] | None = None) -> dict[str, Any]:
        """The wire form of a stored entity (internal ``_`` keys removed)."""
        d = {k: v for k, v in row.data.items() if not k.startswith("_")}
        if row.state == "inactive":
            d["inactive"] = True
        if attributes:
            keep = {a.lower() for a in attributes} | {"id"}
            d = {k: v for k, v in d.items() if k in keep}
        return d

    # --- permissions (protocol.md §6.5) -----------------------------------------------------

    def read_filter(self, ctx: Ctx, et: str) -> tuple[str, list[Any]] | None:
        """SQL restricting what ``ctx`` may read; None = everything. Unreadable = FALSE."""
        if ctx.role in ("admin", "support"):
            return None
        uid = ctx.uid
        none: tuple[str, list[Any]] = ("0", [])
        acl_targets = (
            "id IN (SELECT a.h_target_id FROM entity a WHERE a.et='acl' "
            "AND a.state='active' AND a.h_entity_id=?)"
        )
        if ctx.role == "employee":
            if et == "user":
                return ("(id = ? OR h_role = 'standard')", [uid])
            if et in ("volume", "log"):
                return none
            if et == "home":
                return (f"(h_user_id = ? OR h_parent_id IS NOT NULL OR {acl_targets})", [uid, uid])
            return None
        # standard (and anything lower)
        if et == "user":
            return ("id = ?", [uid])
        if et in ("transfer", "compute"):
            return ("(h_user_id = ? OR h_source_id = ? OR h_destination_id = ?)", [uid] * 3)
        if et == "task":
            return (
                "h_parent_id IN (SELECT j.id FROM entity j WHERE j.et IN ('transfer','compute') "
                "AND (j.h_user_id = ? OR j.h_source_id = ? OR j.h_destination_id = ?))",
                [uid] * 3,
            )
        if et in _DELIVERY_LIKE:
            return (
                "EXISTS (SELECT 1 FROM json_each(entity.data, '$._recipients') r "
                "WHERE json_extract(r.value, '$.user') = ?)",
                [uid],
            )
        if et in ("folder", "collection"):
            return (acl_targets, [uid])
        if et == "home":
            return (f"(h_user_id = ? OR {acl_targets})", [uid, uid])
        if et == "acl":
            return ("h_entity_id = ?", [uid])
        if et == "client":
            return ("h_user_id = ?", [uid])
        return none

    def can_read(self, ctx: Ctx, row: Row) -> bool:
        f = self.read_filter(ctx, row.et)
        if f is None:
            return True
        sql, params = f
        return bool(
            self.store.conn.execute(
                f"SELECT 1 FROM entity WHERE id = ? AND {sql}", [row.id, *params]
            ).fetchone()
        )

    def check_write(self, ctx: Ctx, et: str, row: Row | None, data: Mapping[str, Any]) -> None:
        """Raise 403 unless ``ctx`` may create (row None) or change ``row``."""
        role = ctx.role
        if role in ("admin", "support"):
            return
        denied = ApiError(403, f"Permission denied: a {role} user cannot modify this {et}.")
        if role == "employee":
            if et in ("workspace", "queue", "site", "engine", "volume", "log"):
                raise denied
            if et == "user":
                target_role = (row.data.get("role") if row else None) or "standard"
                if row is not None and row.id == ctx.uid:
                    if data.get("role") not in (None, role):
                        raise denied
                    return
                if target_role != "standard" or data.get("role") not in (None, "standard"):
                    raise denied
            if et == "home" and row is not None and row.data.get("user") != f"user:{ctx.uid}":
                owner = self.store.get(id_part(str(row.data.get("user", ""))))
                if owner is not None and owner.data.get("role") != "standard":
                    raise denied
            return
        # standard
        if et == "user" and row is not None and row.id == ctx.uid and "role" not in data:
            return
        if et in ("transfer", "compute") and (row is None or self.can_read(ctx, row)):
            return
        if et == "task" and row is not None and self.can_read(ctx, row):
            return
        raise denied

    # --- lifecycle --------------------------------------------------------------------------

    def tick(self) -> None:
        """Apply every job transition due at the clock's current time."""
        now = self.clock.time()
        nd = self._next_due
        if nd is not None and nd[0] == self.store.generation and (nd[1] is None or now < nd[1]):
            return  # nothing due yet, and no write since the earliest t_next was read
        for row in self.store.due(now):
            self._advance(row, now)
        self._next_due = (self.store.generation, self.store.next_due())

    def _advance(self, row: Row, now: float) -> None:
        d = row.data
        sim = d.get("_sim") or {}
        status = d.get("status")
        if row.et in _DELIVERY_LIKE:
            if status == "pending":
                d["status"] = "waiting"
            self.store.update(row, t_next=None)
            return
        measure, run, done = sim.get("measure", now), sim.get("run", now), sim.get("done", now)
        if status == "init" and now >= measure:
            if sim.get("missing"):
                d.update(status="failed", speed=-1.0, etr="")
                d["modified"] = self.clock.stamp(measure)
                self.store.update(row, t_next=None)
                return
            d["status"] = status = "waiting"
        if status == "waiting" and now >= run:
            d["status"] = status = "running"
        if status == "running":
            if now >= done:
                d.update(status="done", progress=100, speed=-1.0, etr="")
                d["finished"] = self.clock.stamp(done)
                self.store.update(row, state="finished", t_next=None)
                self._finish_tasks(row)
                return
            span = max(done - run, 1e-9)
            d["progress"] = max(0, min(99, int(100 * (now - run) / span)))
            d["speed"] = round(_SPEED / 1e6, 1)
            d["etr"] = f"{int(done - now)}s"
            self.store.update(row, t_next=min(done, now + 1.0))
            return
        nxt = measure if status == "init" else run if status == "waiting" else None
        self.store.update(row, t_next=nxt)

    def _finish_tasks(self, job: Row) -> None:
        for t in self.store.select(["task"], states=None, extra=("h_parent_id = ?", [job.id])):
            if t.data.get("status") not in ("done", "excluded"):
                t.data["status"] = "done"
                t.data["finished"] = job.data.get("finished")
                self.store.update(t)

    def _schedule(self, row: Row, start: float) -> None:
        """(Re)start a transfer's simulated run from ``start``."""
        size = int(row.data.get("size") or 0)
        measure = start + 1.0
        run = measure + 1.0
        done = run + max(1.0, size / _SPEED)
        sim = dict(row.data.get("_sim") or {})
        sim.update(measure=measure, run=run, done=done)
        row.data["_sim"] = sim
        status = row.data.get("status")
        nxt = {"init": measure, "waiting": run}.get(str(status))
        self.store.update(row, t_next=nxt)

    # --- dispatch ---------------------------------------------------------------------------

    def _dispatch(self, method: str, ctx: Ctx) -> dict[str, Any]:
        env = ctx.envelope
        uri: str = env["uri"]
        data = env.get("data")
        self.logs.append(
            {"date": self.clock.stamp(), "uri": uri, "user": ctx.uid, "user_hr": ctx.email}
        )
        if uri == "entitytypes":
            return {"result": list(ENTITY_TYPES)}
        if uri == "attributes":
            return self.op_attributes(self._dict(data))
        if uri == "setting":
            return self.op_setting(method, ctx, self._dict(data))
        if uri == "user/api_key":
            key = self.store.api_key(ctx.email)
            return {"api_key": key}
        if uri == "log/find":
            return self.op_logs(ctx, self._dict(data))
        if uri == "workspace/file":
            return self.op_file(method, ctx, data)
        if uri == "workspace/publish/preprocess":
            return self.op_prepublish(ctx, self._dict(data))
        if uri.startswith("workspace/integration/"):
            return {"result": {}}
        if uri in ("job/recipient/add", "job/recipient", "job/recipients") or (
            uri.split("/", 1)[0] in _DELIVERY_LIKE and uri.split("/", 1)[1:2] == ["recipients"]
        ):
            return self.op_recipients(method, ctx, uri, data)
        if uri == "acl/create":
            self._method(method, ("POST", "PUT"))
            return self.op_acl_create(ctx, self._dict(data))
        if uri == "acl/delete":
            self._method(method, ("DELETE",))
            return self.op_acl_delete(ctx)
        if uri in ("share/server", "volume/server"):
            return {"result": True}
        if uri in ("volume/servers", "share/servers"):
            return {"result": []}
        if uri == "file/add":
            return self.op_file_add(ctx, self._dict(data))
        if uri == "collection/file/remove":
            return self.op_file_remove(ctx, self._dict(data))
        parts = uri.split("/")
        if len(parts) != 2:
            raise ApiError(404, f"Unknown operation '{uri[:100]}'.")
        name, op = parts
        et = canonical(name)
        if et is None:
            raise ApiError(404, f"Unknown entity type '{name[:100]}'.")
        handler = _OPERATIONS.get(op)
        if handler is None:
            raise ApiError(404, f"Unknown operation '{uri[:100]}'.")
        want, fn_name = handler
        self._method(method, (want,) if want != "PUT" else ("PUT", "POST"))
        fn: Callable[[Ctx, str, str, Any], dict[str, Any]] = getattr(self, fn_name)
        return fn(ctx, et, name.strip().lower(), data)

    @staticmethod
    def _method(method: str, allowed: tuple[str, ...]) -> None:
        if method not in allowed:
            raise ApiError(405, f"Method {method} not allowed for this operation.")

    @staticmethod
    def _dict(data: Any) -> dict[str, Any]:
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise ApiError(400, "The payload must be a JSON object.")
        return data

    # --- find ------------------------------------------------------------------------------

    def _parse(self, text: str | None, et: str) -> Expr | None:
        if text is None or not text.strip():
            return None
        from accsyn.query import parse

        try:
            q: Query = parse(text)
        except QueryError as exc:
            raise ApiError(400, f"Invalid query: {exc}") from None
        if q.entitytype is not None and q.where is None:
            # A bare name: an identifier (code or email) for the code lookup.
            return Comparison("code", Op.EQ, q.entitytype)
        if q.entitytype is not None and canonical(q.entitytype) not in (et, None):
            raise ApiError(400, f"The query is for '{q.entitytype}', not '{et}'.")
        return q.where

    def _scope(self, data: Mapping[str, Any], et: str) -> tuple[str, ...]:
        states: list[str] = []
        if _bool(data.get("finished"), "Finished"):
            states.append("finished")
        if _bool(data.get("inactive", data.get("offline")), "Inactive"):
            states.append("inactive")
        if _bool(data.get("archived"), "Archived"):
            states.append("archived")
        return tuple(states) or ("active",)

    def op_find(self, ctx: Ctx, et: str, name: str, data: Any) -> dict[str, Any]:
        data = self._dict(data)
        env = ctx.envelope
        attrs = data.get("attributes")
        if attrs is not None and (
            not isinstance(attrs, list) or not all(isinstance(a, str) and a for a in attrs)
        ):
            raise ApiError(400, "Attributes must be a list of non-empty strings!")
        limit = _int(data.get("limit"), "Limit")
        skip = _int(data.get("skip"), "Skip", 0) or 0
        where = self._parse(env.get("query"), et)
        if et == "acl" and where is not None and _bool(data.get("recursive"), "Recursive"):
            where = self._recursive_acl(where)
        extra: list[tuple[str, list[Any]]] = []
        ets = [et]
        if et in CLIENT_SUBTYPES:
            ets = ["client"]
            extra.append(("json_extract(data, '$.type') = ?", [CLIENT_SUBTYPES[et]]))
        parent = data.get("parent")
        if parent is not None:
            if not isinstance(parent, str):
                raise ApiError(400, "parent must be an id string.")
            extra.append(("h_parent_id = ?", [parent.lower()]))
        f = self.read_filter(ctx, ets[0])
        if f is not None:
            extra.append((f[0], list(f[1])))
        ex = (
            (" AND ".join(s for s, _ in extra), [p for _, ps in extra for p in ps])
            if extra
            else None
        )
        entityid = env.get("id")
        if entityid and et not in ("task", "file"):
            row = self.store.get(entityid.lower())
            if row is None or row.et not in ets or not self.can_read(ctx, row):
                return {"result": []}
            from accsyn.query._evaluate import matches

            if where is not None and not matches(where, self.out(row), entitytype=et):
                return {"result": []}
            return {"result": [self.out(row, attrs)]}
        if entityid:
            extra_parent = ("h_parent_id = ?", [entityid.lower()])
            ex = (
                (ex[0] + " AND " + extra_parent[0], [*ex[1], *extra_parent[1]])
                if ex
                else extra_parent
            )
        scopes = [self._scope(data, et)]
        if data.get("single_entity_query") is True:
            scopes = [("active",), ("finished",), ("inactive",)]
        try:
            for states in scopes:
                rows = self.store.select(
                    ets, where=where, entitytype=et, states=states, extra=ex, limit=limit, skip=skip
                )
                if rows:
                    break
        except QueryError as exc:
            raise ApiError(400, f"Invalid query: {exc}") from None
        return {"result": [self.out(r, attrs) for r in rows]}

    def _recursive_acl(self, where: Expr) -> Expr:
        def widen(node: Expr) -> Expr:
            if isinstance(node, Comparison):
                if (
                    node.attribute == "target"
                    and node.op is Op.EQ
                    and isinstance(node.value, str)
                    and ":" in node.value
                ):
                    sid = id_part(node.value).lower()
                    children = self.store.select(
                        list(SHARE_TYPES), states=None, extra=("h_parent_id = ?", [sid])
                    )
                    if children:
                        return Or(
                            (node, *(Comparison("target", Op.EQ, self.party(c)) for c in children))
                        )
                return node
            return type(node)(tuple(widen(c) for c in node.children))

        return widen(where)

    def op_report(self, ctx: Ctx, et: str, name: str, data: Any) -> dict[str, Any]:
        rows = self.op_find(ctx, et, name, {})["result"]
        lines = [f"{et} report: {len(rows)} entities"]
        lines += [f"{r.get('id')} {r.get('name') or r.get('code')} {r.get('status')}" for r in rows]
        return {"report": "\n".join(lines)}

    def op_metrics(self, ctx: Ctx, et: str, name: str, data: Any) -> dict[str, Any]:
        return {"result": []}

    def op_attributes(self, data: Mapping[str, Any]) -> dict[str, Any]:
        name = data.get("entitytype")
        if not isinstance(name, str):
            raise ApiError(400, 'Please query attributes by "attributes WHERE entitytype=<type>".')
        et = canonical(name.strip("'\" "))
        if et is None:
            raise ApiError(404, f"Unknown entity type '{name[:100]}'.")
        if _bool(data.get("create"), "Create"):
            return {"result": CREATE_ATTRIBUTES.get(et, ATTRIBUTES[et])}
        if _bool(data.get("update"), "Update"):
            return {"result": UPDATE_ATTRIBUTES.get(et, ["name", "description", "metadata"])}
        return {"result": ATTRIBUTES[et]}

    # --- create ----------------------------------------------------------------------------

    def _base(self, ctx: Ctx, name: str | None = None) -> dict[str, Any]:
        now = self.clock.stamp()
        d: dict[str, Any] = {"id": new_id(), "created": now, "creator": ctx.uid}
        d.update(modified=now, modifier=ctx.uid)
        if name is not None:
            d["name"] = name
        return d

    def op_create(self, ctx: Ctx, et: str, name: str, data: Any) -> dict[str, Any]:
        items = data if isinstance(data, list) else [data]
        if not items or not all(isinstance(i, dict) and i for i in items):
            raise ApiError(400, "Empty create data submitted!")
        out = []
        for item in items:
            if et == "task":
                out.extend(self.create_tasks(ctx, item))
                continue
            self.check_write(ctx, et, None, item)
            out.append(self._create_one(ctx, et, item))
        return {"result": out}

    def _create_one(self, ctx: Ctx, et: str, data: dict[str, Any]) -> dict[str, Any]:
        if et == "user":
            return self.create_user(ctx, data)
        if et in ("transfer", "compute"):
            return self.create_transfer(ctx, et, data)
        if et in _DELIVERY_LIKE:
            return self.create_delivery(ctx, et, data)
        if et in SHARE_TYPES:
            return self.create_share(ctx, et, data)
        if et in ("queue", "site", "engine"):
            return self.create_simple(ctx, et, data)
        raise ApiError(400, f"Entities of type '{et}' cannot be created through the API.")

    def _unique_code(self, et: str, code: str) -> None:
        if self._find_code(et, code, ("active", "inactive")) is not None:
            raise ApiError(409, f"A {et} with code '{code}' already exists!")

    def create_user(self, ctx: Ctx, data: Mapping[str, Any]) -> dict[str, Any]:
        code = _str(data.get("code"), "code").lower()
        if not _EMAIL.match(code):
            raise ApiError(400, f"'{code}' is not a valid E-mail address!")
        role = data.get("role", "standard")
        if role not in ("admin", "employee", "standard"):
            raise ApiError(400, f"Invalid role '{role}'!")
        if ctx.role != "admin" and role != "standard":
            raise ApiError(403, "Only admins can create admin or employee users.")
        self._unique_code("user", code)
        d = self._base(ctx, str(data.get("name") or code.split("@")[0].title()))
        d.update(code=code, role=role, status="enabled", logged_in=None, queue=None)
        d["description"] = str(data.get("description") or "")
        d["metadata"] = data.get("metadata") or {}
        row = self.store.insert("user", d)
        if self.store.api_key(code) is None:
            self.store.set_account(code, os.urandom(16).hex())
        if data.get("create_home_share"):
            self._create_home(ctx, row)
        return self.out(row)

    def _create_home(self, ctx: Ctx, user: Row) -> Row:
        vol = self.default_volume()
        email = str(user.data.get("code"))
        d = self._base(ctx, email)
        d.update(
            code=_codeify(email),
            type="home",
            status="enabled",
            status_hr="Enabled",
            parent=vol.id,
            parent_hr=self.hr(vol),
            path=f"homes/{email}",
            user=f"user:{user.id}",
            user_hr=self.hr(user),
            email=email,
            queue=None,
        )
        self._volume_dir(vol).joinpath("homes", email).mkdir(parents=True, exist_ok=True)
        return self.store.insert("home", d)

    def create_simple(self, ctx: Ctx, et: str, data: Mapping[str, Any]) -> dict[str, Any]:
        name = _str(data.get("name") or data.get("code"), "name")
        code = _codeify(str(data.get("code") or name))
        self._unique_code(et, code)
        d = self._base(ctx, name)
        d.update(code=code, status="waiting" if et == "queue" else "enabled")
        d["description"] = str(data.get("description") or "")
        d["metadata"] = data.get("metadata") or {}
        if et == "queue":
            prio = data.get("priority", 500)
            if isinstance(prio, bool) or not isinstance(prio, int) or not 0 <= prio <= 1000:
                raise ApiError(400, "priority must be an integer 0..1000!")
            d.update(priority=prio, default=False, type=2, uri=f"{self.code}/{code}")
        if et == "site":
            d.update(main=False, accsyn=False)
        return self.out(self.store.insert(et, d))

    def create_share(self, ctx: Ctx, et: str, data: Mapping[str, Any]) -> dict[str, Any]:
        if et == "home":
            user = self._by_ident("user", _str(data.get("user"), "user"))
            if user is None:
                raise ApiError(404, "No such user!")
            return self.out(self._create_home(ctx, user))
        name = _str(data.get("name") or data.get("code"), "name")
        code = _codeify(str(data.get("code") or name))
        self._unique_code(et, code)
        d = self._base(ctx, name)
        d.update(code=code, type=et, status="enabled", status_hr="Enabled", queue=None)
        d["description"] = str(data.get("description") or "")
        d["metadata"] = data.get("metadata") or {}
        if et == "volume":
            d.update(default=False, licensed=True, paths=data.get("paths") or {}, path="")
            row = self.store.insert(et, d)
            self._volume_dir(row).mkdir(parents=True, exist_ok=True)
            row.data["path"] = str(self._volume_dir(row))
            self.store.update(row)
            return self.out(row)
        if et == "folder":
            parent_ident = data.get("parent")
            vol = (
                self._by_ident("volume", str(parent_ident)) if parent_ident else None
            ) or self.default_volume()
            rel = str(data.get("path") or code).strip("/")
            target = self._safe_join(self._volume_dir(vol), rel)
            target.mkdir(parents=True, exist_ok=True)
            d.update(parent=vol.id, parent_hr=self.hr(vol), path=rel)
        if et == "collection":
            d.update(files=[])
        return self.out(self.store.insert(et, d))

    # --- parties and paths -----------------------------------------------------------------

    _PARTY = re.compile(
        r"(site=[^/:]+|client=[0-9a-fA-F]{24}|[^/=:\s]+@[^/:\s]+|[A-Za-z0-9_.-]{2,})\Z"
    )

    def _split_party(self, spec: str) -> tuple[str | None, str]:
        head, sep, rest = spec.partition(":")
        if sep and self._PARTY.match(head) and not head.startswith(("volume=", "share=")):
            return head, rest
        return None, spec

    def _party_row(self, party: str | None) -> Row:
        if party is None or party.casefold() == self.code.casefold():
            return self.workspace_row()
        if party.lower().startswith("site="):
            row = self._find_code("site", party[5:])
        elif party.lower().startswith("client="):
            row = self.store.get(party[7:].lower())
        elif "@" in party:
            row = self._user_by_email(party)
        else:
            row = self._find_code("site", party)
        if row is None:
            raise ApiError(400, f"Unknown party '{party[:100]}'!")
        return row

    def _volume_dir(self, vol: Row) -> Path:
        return self.files_root / str(vol.data.get("code"))

    def _safe_join(self, base: Path, rel: str) -> Path:
        rel = rel.replace("\\", "/").strip("/")
        target = (base / rel).resolve() if rel else base.resolve()
        root = base.resolve()
        if target != root and root not in target.parents:
            raise ApiError(403, "Path escapes its share!")
        return target

    def resolve_path(self, ctx: Ctx, path: str, write: bool = False) -> Path:
        """Map an accsyn path (protocol.md §6.6) to a directory on disk, checking access."""
        if not isinstance(path, str) or not path.strip():
            raise ApiError(400, "No path supplied!")
        p = path.strip().replace("\\", "/")
        share: Row | None = None
        rest = ""
        m = re.match(r"(volume|share|folder|home|collection)=([^/]*)/?(.*)\Z", p, re.S)
        if m:
            kind, ident, rest = m.group(1), m.group(2), m.group(3)
            if kind == "volume" and ident.lower() in ("(default)", "default", ""):
                share = self.default_volume()
            elif kind == "home":
                user = self._user_by_email(ident)
                share = self._home_of(user) if user else None
            else:
                types = list(SHARE_TYPES) if kind == "share" else [kind]
                for t in types:
                    share = self._by_ident(t, ident, ("active",))
                    if share is not None:
                        break
            if share is None:
                raise ApiError(404, f"No such {kind} '{ident[:100]}'!")
        elif p == "~" or p.startswith("~/"):
            share = self._home_of(ctx.user)
            if share is None:
                raise ApiError(404, "You have no home share!")
            rest = p[2:]
        elif p.startswith("/"):
            for vol in self.store.select(["volume"]):
                vpath = str(vol.data.get("path") or "")
                if vpath and (p == vpath or p.startswith(vpath.rstrip("/") + "/")):
                    share, rest = vol, p[len(vpath) :]
                    break
            if share is None:
                raise ApiError(404, f"Path '{p[:200]}' is not on a volume!")
        else:
            share, rest = self.default_volume(), p
        self._check_share_access(ctx, share, write)
        base = self._share_dir(share)
        return self._safe_join(base, rest)

    def _home_of(self, user: Row) -> Row | None:
        rows = self.store.select(["home"], extra=("h_user_id = ?", [user.id]), limit=1)
        return rows[0] if rows else None

    def _share_dir(self, share: Row) -> Path:
        if share.et == "volume":
            return self._volume_dir(share)
        vol = self.store.get(str(share.data.get("parent", "")))
        if vol is None:
            raise ApiError(404, "The share's volume is gone!")
        return self._safe_join(self._volume_dir(vol), str(share.data.get("path", "")))

    def _check_share_access(self, ctx: Ctx, share: Row, write: bool) -> None:
        if ctx.role in ("admin", "support"):
            return
        if share.et == "home" and share.data.get("user") == f"user:{ctx.uid}":
            return
        if ctx.role == "employee" and share.et != "volume" and not write:
            return
        acls = self.store.select(
            ["acl"], extra=("h_entity_id = ? AND h_target_id = ?", [ctx.uid, share.id])
        )
        if any(a.data.get("write" if write else "read") for a in acls):
            return
        raise ApiError(403, "Permission denied!")

    # --- jobs ------------------------------------------------------------------------------

    def create_transfer(self, ctx: Ctx, et: str, data: dict[str, Any]) -> dict[str, Any]:
        tasks_in = data.get("tasks")
        src_spec = data.get("source")
        dst_spec = data.get("destination")
        if tasks_in is None and src_spec is None:
            raise ApiError(400, "A transfer needs a source and a destination (or tasks)!")
        if isinstance(tasks_in, dict):
            tasks_in = [tasks_in]
        tasks: list[dict[str, Any]] = []
        for t in tasks_in or [{"source": src_spec, "destination": dst_spec}]:
            if isinstance(t, str):
                t = {"source": t, "destination": dst_spec}
            if not isinstance(t, dict):
                raise ApiError(400, "tasks must be paths or {source, destination} objects!")
            s = t.get("source", src_spec)
            dd = t.get("destination", dst_spec)
            if not isinstance(s, str) or not s.strip():
                raise ApiError(400, "source must be a non-empty string!")
            if dd is not None and not isinstance(dd, str):
                raise ApiError(400, "destination must be a string!")
            tasks.append({"source": s.strip(), "destination": (dd or "").strip()})
        src_party, _ = self._split_party(tasks[0]["source"])
        dst_party, _ = self._split_party(tasks[0]["destination"] or self.code + ":")
        src_row = self._party_row(src_party)
        dst_row = self._party_row(dst_party)
        if ctx.role == "standard" and ctx.uid not in (src_row.id, dst_row.id):
            # A standard user's transfers always involve themselves.
            if src_row.et == "workspace":
                dst_row = ctx.user
            else:
                src_row = ctx.user
        size = 0
        missing = False
        for t in tasks:
            party, path = self._split_party(t["source"])
            if party is None or party.casefold() == self.code.casefold():
                try:
                    disk = self.resolve_path(ctx, path)
                except ApiError as exc:
                    if exc.status == 403:
                        raise
                    disk = None
                if disk is None or not disk.exists():
                    missing = True
                    t["size"] = 0
                else:
                    t["size"] = _files.getsize(disk)
            else:
                t["size"] = 1_000_000
            size += t["size"]
        status = data.get("status", "init")
        if status not in ("init", "waiting", "paused"):
            raise ApiError(400, f"Invalid initial status '{status}' (init, waiting or paused)!")
        queue = self._queue(data.get("queue"))
        name = str(data.get("name") or data.get("code") or Path(tasks[0]["source"]).name or et)
        allow_dup = data.get("allow_duplicates")
        if allow_dup is False or data.get("append"):
            for other in self.store.select(
                [et], states=("active", "finished"), extra=("h_name = ?", [name.casefold()])
            ):
                if other.data.get("name") == name and other.data.get("source") == self.party(
                    src_row
                ):
                    if data.get("append"):
                        other.data["status"] = "init"
                        self.store.update(other, state="active")
                        self._schedule(other, self.clock.time())
                        return self.out(other)
                    raise ApiError(409, f"Duplicate {et} '{name}'; allow_duplicates is false!")
        d = self._base(ctx, name)
        d.update(
            code=name,
            type=JOB_TYPES[et],
            status=status,
            progress=0,
            size=size,
            speed=-1.0,
            etr="",
            finished=None,
            source=self.party(src_row),
            source_hr=self.hr(src_row),
            destination=self.party(dst_row),
            destination_hr=self.hr(dst_row),
            user=f"user:{ctx.uid}",
            user_hr=self.hr(ctx.user),
            parent=queue.id,
            parent_hr=self.hr(queue),
            uri=str(queue.data.get("uri", "")),
            metadata=data.get("metadata") or {},
        )
        if data.get("parent"):
            parent = self._by_ident(None, str(data["parent"]))
            if parent is not None and parent.et in _DELIVERY_LIKE:
                d.update(parent=parent.id, parent_hr=self.hr(parent))
        if isinstance(data.get("settings"), dict):
            d["_settings"] = {str(k): str(v) for k, v in data["settings"].items()}
        d["_sim"] = {"missing": missing}
        row = self.store.insert(et, d)
        self._insert_tasks(row, tasks)
        if status != "paused":
            self._schedule(row, self.clock.time())
        return self.out(row)

    def _queue(self, ident: Any) -> Row:
        if ident:
            q = self._by_ident("queue", str(ident), ("active",))
            if q is None:
                raise ApiError(404, f"No such queue '{str(ident)[:100]}'!")
            return q
        rows = self.store.select(["queue"], where=Comparison("default", Op.EQ, "true"), limit=1)
        if not rows:
            rows = self.store.select(["queue"], limit=1)
        if not rows:
            raise ApiError(500, "The workspace has no queue.")
        return rows[0]

    def _insert_tasks(self, job: Row, tasks: list[dict[str, Any]], start: int = 0) -> list[Row]:
        now = self.clock.stamp()
        rows = []
        for i, t in enumerate(tasks, start):
            d = {
                "id": str(uuid.uuid4()),
                "created": now,
                "job": f"{job.et}:{job.id}",
                "job_hr": self.hr(job),
                "parent": job.id,
                "priority": int(t.get("priority", 500)),
                "size": int(t.get("size", 0)),
                "source": {"path": t.get("source")},
                "destination": {"path": t.get("destination")},
                "status": str(t.get("status", "queued")),
                "uri": str(i),
                "metadata": t.get("metadata") or {},
                "finished": None,
            }
            rows.append(self.store.insert("task", d))
        return rows

    def create_tasks(self, ctx: Ctx, data: dict[str, Any]) -> list[dict[str, Any]]:
        job_id = ctx.envelope.get("id") or data.get("parent")
        job = self.store.get(str(job_id or "").lower())
        if job is None or job.et not in _JOBS:
            raise ApiError(404, "No such parent job!")
        self.check_write(ctx, job.et, job, data)
        tasks = data.get("tasks")
        if isinstance(tasks, dict):
            tasks = [tasks]
        if not isinstance(tasks, list) or not tasks:
            raise ApiError(400, "tasks must be a non-empty list!")
        norm = [
            {"source": t, "destination": ""} if isinstance(t, str) else dict(t)
            for t in tasks
            if isinstance(t, str | dict)
        ]
        existing = self.store.select(["task"], states=None, extra=("h_parent_id = ?", [job.id]))
        rows = self._insert_tasks(job, norm, start=len(existing))
        if job.et in _DELIVERY_LIKE:
            job.data["_files"] = [*job.data.get("_files", []), *(str(t["source"]) for t in norm)]
            self.store.update(job)
        elif job.state == "finished":
            job.data["status"] = "waiting"
            self.store.update(job, state="active")
            self._schedule(job, self.clock.time())
        return [self.out(r) for r in rows]

    def create_delivery(self, ctx: Ctx, et: str, data: dict[str, Any]) -> dict[str, Any]:
        if ctx.role == "standard":
            raise ApiError(403, "Permission denied: standard users cannot create deliveries.")
        name = _str(data.get("name") or "Delivery", "name")
        d = self._base(ctx, name)
        tasks = data.get("tasks") or []
        recipients = data.get("recipients") or []
        if not isinstance(tasks, list) or not isinstance(recipients, list):
            raise ApiError(400, "tasks and recipients must be lists!")
        d.update(
            code=name,
            type=JOB_TYPES[et],
            public=bool(data.get("public", False)),
            user=f"user:{ctx.uid}",
            user_hr=self.hr(ctx.user),
            finished=None,
            description=str(data.get("description") or ""),
            metadata=data.get("metadata") or {},
            _files=[str(t) for t in tasks],
            _recipients=[],
        )
        submitted = bool(tasks and recipients)
        d["status"] = "pending" if submitted else str(data.get("status") or "init")
        if d["status"] not in ("init", "pending"):
            raise ApiError(400, "A new delivery starts as init (or pending with files+recipients).")
        row = self.store.insert(et, d)
        for r in recipients:
            self._add_recipient(row, str(r), True)
        if submitted:
            self.store.update(row, t_next=self.clock.time() + 1.0)
        return self.out(self.store.get(row.id) or row)

    def _add_recipient(self, job: Row, ident: str, invite: bool) -> dict[str, Any]:
        user = self._by_ident("user", ident, ("active",))
        if user is None:
            if not _EMAIL.match(ident.lower()):
                raise ApiError(404, f"No user found with code '{ident[:100]}'!")
            if not invite:
                raise ApiError(
                    404, f"No user found with code '{ident}', and invite is not allowed!"
                )
            rec = {"user": ident.lower(), "user_hr": ident.lower(), "actioned": False}
        else:
            rec = {"user": user.id, "user_hr": user.data.get("code"), "actioned": False}
        recs = [r for r in job.data.get("_recipients", []) if r.get("user") != rec["user"]]
        recs.append(rec)
        job.data["_recipients"] = recs
        self.store.update(job)
        return rec

    # --- edit / delete / lifecycle ------------------------------------------------------------

    def _target(self, ctx: Ctx, et: str) -> Row:
        ident = ctx.envelope.get("id")
        if not ident:
            raise ApiError(400, "No entity id supplied!")
        row = self.store.get(ident.strip().lower())
        ets = ("client",) if et in CLIENT_SUBTYPES else (et,)
        if row is None or row.et not in ets or not self.can_read(ctx, row):
            raise ApiError(404, f"No {et} with id '{ident[:100]}'!")
        return row

    def op_edit(self, ctx: Ctx, et: str, name: str, data: Any) -> dict[str, Any]:
        if et == "task" and isinstance(data, list):
            return self.op_edit_tasks(ctx, data)
        data = self._dict(data)
        if not data:
            raise ApiError(400, "Nothing to update!")
        if et == "acl":
            raise ApiError(400, "ACLs cannot be updated, use the grant function to grant access.")
        row = self._target(ctx, et)
        self.check_write(ctx, et, row, data)
        d = row.data
        state: str | None = None
        for key, value in data.items():
            k = str(key).lower()
            if k in ("id", "created", "creator", "type") or k.startswith("_") or k.endswith("_hr"):
                raise ApiError(400, f"Attribute '{k}' is read-only!")
            if k == "status" and et in _JOBS:
                state = self._job_status(row, value)
                continue
            if k == "role":
                if ctx.role != "admin":
                    raise ApiError(403, "Only admins can change roles!")
                if value not in ("admin", "employee", "standard"):
                    raise ApiError(400, f"Invalid role '{value}'!")
            if k == "code" and et in UNIQUE_CODE and value != d.get("code"):
                self._unique_code(et, str(value))
            d[k] = value
        d["modified"] = self.clock.stamp()
        d["modifier"] = ctx.uid
        self.store.update(row, state=state)
        return {"result": [self.out(row)]}

    def _job_status(self, row: Row, value: Any) -> str | None:
        d = row.data
        if row.et in _DELIVERY_LIKE:
            if value == "pending":
                if not d.get("_files") or not d.get("_recipients"):
                    raise ApiError(400, "A delivery needs at least one file and one recipient!")
                d["status"] = "pending"
                self.store.update(row, t_next=self.clock.time() + 1.0)
                return "active"
            if value in ("aborted", "done"):
                d["status"] = value
                d["finished"] = self.clock.stamp()
                return "finished"
            raise ApiError(400, f"Cannot set a {row.et} to '{value}'!")
        if value not in _TRANSFER_WRITABLE:
            raise ApiError(400, f"Status '{value}' is not writable!")
        d["status"] = value
        if value in _FINISHED:
            d["finished"] = self.clock.stamp()
            d["speed"] = -1.0
            row.t_next = None
            return "finished"
        if value == "paused":
            row.t_next = None
            return "active"
        d["status"] = "waiting"
        sim = d.get("_sim") or {}
        if sim.get("missing"):
            d["status"] = "init"
        self._schedule(row, self.clock.time() - 1.0)
        return "active"

    def op_edit_tasks(self, ctx: Ctx, items: list[Any]) -> dict[str, Any]:
        job = self.store.get(str(ctx.envelope.get("id") or "").lower())
        if job is None or job.et not in _JOBS:
            raise ApiError(404, "Invalid parent entity ID supplied!")
        self.check_write(ctx, job.et, job, {})
        tasks = self.store.select(["task"], states=None, extra=("h_parent_id = ?", [job.id]))
        out = []
        for item in items:
            if not isinstance(item, dict):
                raise ApiError(400, "Each task update must be an object!")
            match = [
                t for t in tasks if t.id == item.get("id") or t.data.get("uri") == item.get("uri")
            ]
            if not match:
                raise ApiError(404, f"No such task {item.get('id') or item.get('uri')}!")
            t = match[0]
            for k in ("status", "priority", "metadata"):
                if k in item:
                    t.data[k] = item[k]
            self.store.update(t)
            out.append(self.out(t))
        return {"result": out}

    def op_delete(self, ctx: Ctx, et: str, name: str, data: Any) -> dict[str, Any]:
        if et == "acl":
            raise ApiError(400, "ACLs cannot be deleted, use the revoke function to revoke access.")
        row = self._target(ctx, et)
        self.check_write(ctx, et, row, {})
        d = row.data
        if (
            (et == "volume" and d.get("default"))
            or (et == "site" and d.get("main"))
            or (et == "queue" and d.get("default"))
        ):
            raise ApiError(400, f"The default {et} cannot be deleted!")
        if et == "task":
            raise ApiError(400, "Tasks cannot be deleted!")
        if et == "user":
            home = self._home_of(row)
            if home is not None:
                self.store.update(home, state="archived")
            for job in self.store.select(list(_JOBS), extra=("h_user_id = ?", [row.id])):
                job.data["status"] = "aborted"
                self.store.update(job, state="finished", t_next=None)
        if et in _JOBS:
            d["status"] = "aborted" if d.get("status") not in _FINISHED else d["status"]
        self.store.update(row, state="archived", t_next=None)
        return {"result": True}

    def op_deactivate(self, ctx: Ctx, et: str, name: str, data: Any) -> dict[str, Any]:
        if et not in ("user", "acl", *SHARE_TYPES, "site", "engine", "queue"):
            raise ApiError(400, f"Entities of type '{et}' cannot be deactivated.")
        row = self._target(ctx, et)
        self.check_write(ctx, et, row, {})
        if et == "home":
            raise ApiError(400, "Home shares cannot be deactivated!")
        self.store.update(row, state="inactive")
        if et == "user":
            for acl in self.store.select(["acl"], extra=("h_entity_id = ?", [row.id])):
                self.store.update(acl, state="inactive")
        return {"result": True}

    def op_activate(self, ctx: Ctx, et: str, name: str, data: Any) -> dict[str, Any]:
        ident = ctx.envelope.get("id") or ctx.envelope.get("query")
        if not ident:
            raise ApiError(400, "No entity id or code supplied!")
        row = self._by_ident(et, ident.strip().strip("'\""), ("inactive", "active"))
        if row is None:
            raise ApiError(404, f"No inactive {et} '{ident[:100]}'!")
        self.check_write(ctx, et, row, {})
        self.store.update(row, state="active")
        if et in SHARE_TYPES:
            for acl in self.store.select(
                ["acl"], states=("inactive",), extra=("h_target_id = ?", [row.id])
            ):
                self.store.update(acl, state="active")
        return {"result": True}

    # --- ACLs and recipients -------------------------------------------------------------------

    def op_acl_create(self, ctx: Ctx, data: dict[str, Any]) -> dict[str, Any]:
        self.check_write(ctx, "acl", None, data)
        entity = _str(data.get("entity"), "entity")
        target = _str(data.get("target"), "target")
        read, write = bool(data.get("read", False)), bool(data.get("write", False))
        if not (read or write):
            raise ApiError(400, "An ACL must grant read or write access!")
        e_type, _, e_id = entity.partition(":")
        t_type, _, t_id = target.partition(":")
        if e_type.lower() != "user" or t_type.lower() not in ("share", *SHARE_TYPES):
            raise ApiError(400, "ACLs grant a user:<id> access to a share:<id>!")
        user = self._by_ident("user", e_id, ("active",))
        if user is None:
            if data.get("invite", True) is False or not _EMAIL.match(e_id.lower()):
                raise ApiError(404, f"No user found with code '{e_id[:100]}'!")
            created = self.create_user(ctx, {"code": e_id.lower(), "role": "standard"})
            user = self.store.get(created["id"])
            assert user is not None
        share = self.store.get(t_id.lower())
        if share is None or share.et not in SHARE_TYPES or share.state == "archived":
            raise ApiError(404, f"No share with id '{t_id[:100]}'!")
        path = str(data.get("path") or "/")
        existing = self.store.select(
            ["acl"], extra=("h_entity_id = ? AND h_target_id = ?", [user.id, share.id])
        )
        for acl in existing:
            if acl.data.get("path") == path:
                acl.data.update(read=read, write=write, modified=self.clock.stamp())
                self.store.update(acl)
                return {"result": [self.out(acl)]}
        d = self._base(ctx)
        d.update(
            entity=f"user:{user.id}",
            entity_hr=self.hr(user),
            target=f"share:{share.id}",
            target_hr=self.hr(share),
            read=read,
            write=write,
            path=path,
            acknowledged=False,
            role=None,
            status="enabled",
            token=None,
            description=str(data.get("message") or ""),
        )
        return {"result": [self.out(self.store.insert("acl", d))]}

    def op_acl_delete(self, ctx: Ctx) -> dict[str, Any]:
        row = self._target(ctx, "acl")
        self.check_write(ctx, "acl", row, {})
        self.store.delete(row.id)
        return {"result": True}

    def op_recipients(self, method: str, ctx: Ctx, uri: str, data: Any) -> dict[str, Any]:
        job = self.store.get(str(ctx.envelope.get("id") or "").lower())
        if (
            job is None
            or job.et not in (*_DELIVERY_LIKE, "transfer")
            or not self.can_read(ctx, job)
        ):
            raise ApiError(404, "No such delivery!")
        if uri.endswith("recipients"):
            return {"result": list(job.data.get("_recipients", []))}
        if ctx.role == "standard":
            raise ApiError(403, "Permission denied!")
        d = self._dict(data)
        ident = _str(d.get("recipient"), "recipient")
        if uri == "job/recipient/add":
            self._method(method, ("PUT", "POST"))
            rec = self._add_recipient(job, ident, d.get("invite", True) is not False)
            return {"result": True if job.data.get("status") == "init" else rec}
        self._method(method, ("DELETE",))
        recs = job.data.get("_recipients", [])
        keep = [r for r in recs if ident.lower() not in (r.get("user"), r.get("user_hr"))]
        if len(keep) == len(recs):
            return {"result": False}
        job.data["_recipients"] = keep
        self.store.update(job)
        return {"result": True}

    # --- collections' files -------------------------------------------------------------------

    def op_file_add(self, ctx: Ctx, data: dict[str, Any]) -> dict[str, Any]:
        coll = self._target(ctx, "collection")
        self.check_write(ctx, "collection", coll, data)
        files = data.get("files")
        if not isinstance(files, list) or not files:
            raise ApiError(400, "files must be a non-empty list of paths!")
        out = []
        for f in files:
            d: dict[str, Any] = {"id": str(uuid.uuid4()), "created": self.clock.stamp()}
            d.update(parent=coll.id, path=str(f), filename=str(f).rsplit("/", 1)[-1], size=0)
            out.append(self.out(self.store.insert("file", d)))
        return {"result": out}

    def op_file_remove(self, ctx: Ctx, data: dict[str, Any]) -> dict[str, Any]:
        coll = self._target(ctx, "collection")
        self.check_write(ctx, "collection", coll, data)
        ids = data.get("files")
        if not isinstance(ids, list):
            raise ApiError(400, "files must be a list of file ids!")
        for fid in ids:
            row = self.store.get(str(fid))
            if row is not None and row.et == "file" and row.data.get("parent") == coll.id:
                self.store.delete(row.id)
        return {"result": True}

    # --- settings, logs, publish -------------------------------------------------------------

    def op_setting(self, method: str, ctx: Ctx, data: dict[str, Any]) -> dict[str, Any]:
        scope = str(data.get("entitytype") or "workspace").lower()
        scope_id = str(ctx.envelope.get("id") or "")
        if method != "GET" and ctx.role not in ("admin", "employee"):
            raise ApiError(403, "Permission denied!")
        if method == "GET":
            if "name" in data:
                name = data.get("name")
                if name is not None and not isinstance(name, str):
                    raise ApiError(400, "Setting names must be strings!")
                if name is None:
                    return {"result": self.store.settings(scope, scope_id)}
                return {"result": self.store.settings(scope, scope_id).get(str(name))}
            return {"result": self.store.settings(scope, scope_id)}
        name = _str(data.get("name"), "name")
        if method == "PUT":
            value = data.get("value")
            if not isinstance(value, str):
                raise ApiError(400, "Setting values must be strings!")
            self.store.set_setting(scope, scope_id, name, value)
            return {"result": True}
        if method == "DELETE":
            self.store.set_setting(scope, scope_id, name, None)
            return {"result": True}
        raise ApiError(405, f"Method {method} not allowed for settings.")

    def op_logs(self, ctx: Ctx, data: dict[str, Any]) -> dict[str, Any]:
        if ctx.role == "standard":
            return {"result": []}
        rows = list(self.logs)
        if data.get("sort_reverse"):
            rows.reverse()
        pag = data.get("pagination") or {}
        limit = _int(pag.get("limit") if isinstance(pag, dict) else None, "limit")
        return {"result": rows[:limit] if limit else rows, "total": len(rows)}

    def op_prepublish(self, ctx: Ctx, data: dict[str, Any]) -> dict[str, Any]:
        files = data.get("files") or []
        if not isinstance(files, list):
            raise ApiError(400, "files must be a list!")
        out = [
            {
                "id": f.get("id") if isinstance(f, dict) else None,
                "ident": (f.get("filename") if isinstance(f, dict) else str(f)),
                "can_publish": True,
                "can_upload": True,
                "rejected": False,
                "warning": None,
                "info": None,
                "comment_label": None,
                "path": (f.get("filename") if isinstance(f, dict) else str(f)),
            }
            for f in files
        ]
        return {
            "result": {
                "files": out,
                "time_report": False,
                "comment": True,
                "guidelines": "",
                "statuses": [{"code": "pending", "default": True}],
                "tasks": [],
            }
        }

    # --- workspace files ---------------------------------------------------------------------

    def op_file(self, method: str, ctx: Ctx, data: Any) -> dict[str, Any]:
        d = self._dict(data)
        op = d.get("op")
        path = d.get("path")
        if isinstance(path, list):
            out = []
            for p in path:
                sub = dict(d, path=p)
                out.append({"path": p, "result": self.op_file(method, ctx, sub)["result"]})
            return {"result": out}
        if isinstance(path, dict):
            path = path.get("path")
        if not isinstance(path, str) or not path.strip():
            raise ApiError(400, "No path supplied, or not a string/list/dict!")
        allowed = {
            "ls": ("GET",),
            "exists": ("GET",),
            "getsize": ("GET",),
            "mkdir": ("POST", "PUT"),
            "rename": ("PUT", "POST"),
            "move": ("PUT", "POST"),
            "mv": ("PUT", "POST"),
            "delete": ("POST", "DELETE"),
            "rm": ("POST", "DELETE"),
        }
        if op not in allowed:
            raise ApiError(400, f"Unknown file operation {str(op)[:50]!r}!")
        self._method(method, allowed[str(op)])
        write = op not in ("ls", "exists", "getsize")
        try:
            if op == "exists":
                try:
                    return {"result": self.resolve_path(ctx, path).exists()}
                except ApiError as exc:
                    if exc.status == 404:
                        return {"result": False}
                    raise
            disk = self.resolve_path(ctx, path, write=write)
            inc = _files.path_filter(d.get("include"))
            exc_ = _files.path_filter(d.get("exclude"))
            if op == "ls":
                maxdepth = _int(d.get("maxdepth"), "maxdepth")
                return {
                    "result": _files.listing(
                        disk,
                        recursive=bool(d.get("recursive")),
                        maxdepth=maxdepth,
                        getsize_=bool(d.get("getsize")),
                        files_only=bool(d.get("files_only")),
                        directories_only=bool(d.get("directories_only")),
                        include=inc,
                        exclude=exc_,
                    )
                }
            if op == "getsize":
                if not disk.exists():
                    raise ApiError(404, "Path does not exist!")
                return {"result": _files.getsize(disk, inc, exc_)}
            if op == "mkdir":
                return {"result": _files.mkdir(disk)}
            if op in ("rename", "move", "mv"):
                to = d.get("path_to")
                if not isinstance(to, str) or not to.strip():
                    raise ApiError(400, "No path_to supplied!")
                if op == "rename":
                    if "/" in to.strip("/"):
                        raise ApiError(400, "rename takes a new name; use mv to move.")
                    dst = self._safe_join(disk.parent, to.strip("/"))
                else:
                    dst = self.resolve_path(ctx, to, write=True)
                return {"result": _files.move(disk, dst)}
            return {"result": _files.delete(disk, path, bool(d.get("force")))}
        except _files.FileOpError as exc:
            raise ApiError(exc.status, exc.message) from None
        except OSError as exc:
            raise ApiError(
                400, f"File operation failed: {exc.strerror or type(exc).__name__}"
            ) from None
