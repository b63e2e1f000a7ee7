"""Replay into state: turn a cassette into the entities of a local workspace.

Vcrpy-style replay answers each recorded request with its recorded response and
knows nothing else. Here every entity the cassette shows (find results, create
and update answers) is typed through the models and stored, so the recorded
reads answer the same from the local workspace *and* new writes build on it.

Rules, in the order the cassette is read:

* an entity's attributes are the union of every observation, later values win
  (a projected find shows a few attributes, a full one all of them);
* its result pool (active, finished, inactive, archived) follows the scope flags
  of the find that returned it, ``inactive: true`` in the data, and
  delete/deactivate/activate calls;
* per entity type, rows are stored in an order consistent with every recorded
  result list, so finds list them in the recorded order;
* the users who made the calls get local API keys (the recorded keys are
  scrubbed); entity types the cassette never showed keep an empty workspace's
  defaults (queues, sites, engines, a volume), so writes have what they need.
"""

from __future__ import annotations

import heapq
import itertools
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from accsyn._exceptions import ValidationError
from accsyn.contract._cassette import SCRUBBED, Cassette, Interaction, Scrubber, read_cassette

if TYPE_CHECKING:
    from accsyn.emulator import Backend, LocalWorkspace
    from accsyn.models import Entity

__all__ = [
    "Mismatch",
    "ReplayPlan",
    "apply_plan",
    "plan_replay",
    "replay_reads",
    "workspace_from_cassette",
]

_STATES = ("active", "finished", "inactive", "archived")
_LOCAL_KEY_SEED = "cassette"


@dataclass
class _Seen:
    et: str
    data: dict[str, Any]
    state: str
    first: int


@dataclass
class ReplayPlan:
    """What a cassette holds, ready to store (see :func:`plan_replay`)."""

    workspace: str | None = None
    #: ``(stored entity type, wire data, state)`` in insertion order.
    entities: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)
    #: Ids the recording deleted.
    deleted: set[str] = field(default_factory=set)
    #: email → role of each user who made calls (from logins and envelopes).
    callers: dict[str, str] = field(default_factory=dict)
    #: email → user id, from the login answer that preceded the caller's first event.
    caller_ids: dict[str, str] = field(default_factory=dict)
    #: ``"<type> <id>: <problem>"`` for entities the models reject (kept as sent).
    problems: list[str] = field(default_factory=list)

    @property
    def entity_types(self) -> set[str]:
        """Stored entity types the cassette shows."""
        return {et for et, _, _ in self.entities}


def _stored_type(uri_type: str, item: Mapping[str, Any]) -> str | None:
    """The type an entity is stored under, from its uri name, via the models."""
    from accsyn.models import model_for, spec_of

    name = uri_type.lower()
    try:
        model = model_for(name)
    except ValidationError:
        return None
    members = spec_of(model).members
    if members:
        # An umbrella (share) over volume, folder, home and collection: the item says which.
        kind = item.get("type")
        if isinstance(kind, str) and kind.lower() in members:
            return kind.lower()
        # Untyped: what the deprecated ``share`` name meant before (3.2.3), a folder.
        return "folder" if "folder" in members else None
    return base_model(model).__entitytype__


def base_model(model: type[Entity]) -> type[Entity]:
    """The registered ancestor whose rows a model's entities are (itself if none).

    Client subtypes (``app``, ``server``, …) are rows of ``client``.
    """
    from accsyn.models import entity_types, model_for

    registered = {model_for(n) for n in entity_types()}
    for cls in reversed(model.__mro__[1:]):
        if cls in registered:
            return cls
    return model


def _typed(et: str, data: Mapping[str, Any]) -> str | None:
    """None if the model accepts ``data``, else the problem (the data is kept as sent)."""
    from accsyn.models import model_for

    try:
        model_for(et).from_wire(data)
    except ValidationError as exc:
        return str(exc)
    return None


def _scope(data: Any) -> tuple[str, ...]:
    if not isinstance(data, Mapping):
        return ("active",)
    flags = [s for s in ("finished", "inactive", "archived") if data.get(s) is True]
    if data.get("offline") is True and "inactive" not in flags:
        flags.append("inactive")
    if data.get("single_entity_query") is True:
        return ()  # any pool: the state stays what we knew
    return tuple(flags) or ("active",)


def plan_replay(cassette: Cassette) -> ReplayPlan:
    """Collect every entity a cassette shows, typed through the models."""
    plan = ReplayPlan()
    seen: dict[str, _Seen] = {}
    orders: dict[str, list[list[str]]] = {}
    counter = 0

    def observe(uri_type: str, item: Any, state: str | None) -> str | None:
        nonlocal counter
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            return None
        et = _stored_type(uri_type, item)
        if et is None:
            return None
        eid = str(item["id"]).lower()
        data = {k: v for k, v in item.items() if k != "inactive"}
        if item.get("inactive") is True:
            state = "inactive"
        old = seen.get(eid)
        if old is None:
            seen[eid] = _Seen(et, dict(data), state or "active", counter)
            counter += 1
        else:
            old.data.update(data)
            if state is not None:
                old.state = state
        plan.deleted.discard(eid)
        return eid

    login: tuple[str, str] | None = None
    for i in cassette.interactions:
        env = i.envelope
        if i.path.rstrip("/").lower().endswith(("/api/login", "/api/auth")) and i.ok:
            # The answer has the user's id and role; who it is shows in the
            # ident of the envelopes that follow.
            res = i.result if isinstance(i.result, Mapping) else {}
            if isinstance(res.get("id"), str):
                login = (str(res["id"]).lower(), str(res.get("role") or "standard"))
            continue
        uri = i.uri
        if uri is None or not i.ok:
            continue
        if isinstance(env.get("workspace"), str) and plan.workspace is None:
            plan.workspace = env["workspace"]
        ident = env.get("ident")
        if isinstance(ident, str) and ident and ident != SCRUBBED:
            email = ident.casefold()
            if email not in plan.callers:
                plan.callers[email] = login[1] if login else "standard"
                if login:
                    plan.caller_ids[email] = login[0]
                login = None
        parts = uri.split("/")
        et, verb = parts[0], parts[-1]
        result = i.result
        target = env.get("id") if isinstance(env.get("id"), str) else None
        if verb == "find" and isinstance(result, list):
            scope = _scope(env.get("data"))
            state = scope[0] if len(scope) == 1 else None
            ids = [observe(et, item, state) for item in result]
            orders.setdefault(et, []).append([x for x in ids if x])
        elif verb in ("create", "edit", "update") and isinstance(result, list):
            for item in result:
                observe(et, item, "active" if verb == "create" else None)
        elif verb in ("delete", "deactivate", "activate") and target:
            eid = target.lower()
            if verb == "delete" and len(parts) == 2:
                seen.pop(eid, None)
                plan.deleted.add(eid)
            elif eid in seen and len(parts) == 2:
                seen[eid].state = "inactive" if verb == "deactivate" else "active"

    for eid, s in seen.items():
        problem = _typed(s.et, s.data)
        if problem is not None:
            plan.problems.append(f"{s.et} {eid}: {problem}")
        if s.et == "user" and isinstance(s.data.get("code"), str):
            code = s.data["code"].casefold()
            if code in plan.callers:
                plan.callers[code] = str(s.data.get("role") or "standard")
    plan.entities = [
        (seen[eid].et, seen[eid].data, seen[eid].state) for eid in _merge_orders(seen, orders)
    ]
    return plan


def _merge_orders(seen: Mapping[str, _Seen], orders: Mapping[str, list[list[str]]]) -> list[str]:
    """Every id once, in an order consistent with each recorded result list.

    A topological sort of "came before" pairs; ties (and any cycle, where two
    recorded lists disagree) fall back to the order of first sighting.
    """
    after: dict[str, set[str]] = {eid: set() for eid in seen}
    indegree = dict.fromkeys(seen, 0)
    for lists in orders.values():
        for ids in lists:
            for a, b in itertools.pairwise(ids):
                if a in after and b in after and a != b and b not in after[a]:
                    after[a].add(b)
                    indegree[b] += 1
    heap = [(s.first, eid) for eid, s in seen.items() if indegree[eid] == 0]
    heapq.heapify(heap)
    out: list[str] = []
    done: set[str] = set()
    while len(out) < len(seen):
        if not heap:  # a cycle: take the earliest-seen remaining id
            first = min((s.first, eid) for eid, s in seen.items() if eid not in done)
            indegree[first[1]] = 0
            heap.append(first)
        _, eid = heapq.heappop(heap)
        if eid in done:
            continue
        done.add(eid)
        out.append(eid)
        for nxt in after[eid]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0 and nxt not in done:
                heapq.heappush(heap, (seen[nxt].first, nxt))
    return out


def local_key(email: str) -> str:
    """The local API key a replayed workspace gives a recorded user (local use only)."""
    from accsyn.emulator import demo_key

    return demo_key(_LOCAL_KEY_SEED, email.casefold())


def apply_plan(backend: Backend, plan: ReplayPlan) -> tuple[dict[str, str], dict[str, str]]:
    """Store a plan in a workspace freshly seeded with ``seed=None``.

    The seed's role users go (they were never recorded); its defaults stay for
    every entity type the cassette does not show. Returns ``({role: key},
    {role: email})`` for the recorded callers.
    """
    store = backend.store
    shown = plan.entity_types
    drop = shown | {"user", "home", "acl"}
    if "workspace" not in shown and plan.workspace:
        # Keep the empty workspace's entity, under the recorded code.
        for row in store.select(["workspace"]):
            row.data["code"] = plan.workspace
            store.update(row)
    with store.lock:
        store.conn.execute(
            f"DELETE FROM entity WHERE et IN ({', '.join('?' * len(drop))})", sorted(drop)
        )
        store.conn.execute("DELETE FROM account")
    if plan.workspace:
        store.set_meta("workspace", plan.workspace)
        backend.code = plan.workspace
    store.insert_rows((et, dict(data), state) for et, data, state in plan.entities)
    keys: dict[str, str] = {}
    users: dict[str, str] = {}
    for email, role in plan.callers.items():
        if backend_user(backend, email) is None:
            # Logged in, never listed: the user is what the login told (id, role).
            user = {"code": email, "role": role or "standard"}
            if email in plan.caller_ids:
                user["id"] = plan.caller_ids[email]
            store.insert("user", user)
        store.set_account(email, local_key(email))
        users.setdefault(role or "standard", email)
        keys.setdefault(role or "standard", local_key(email))
    return keys, users


def backend_user(backend: Backend, email: str) -> Any:
    """The stored user with this e-mail, if any."""
    for row in backend.store.select(["user"], states=None):
        code = row.data.get("code")
        if isinstance(code, str) and code.casefold() == email.casefold():
            return row
    return None


@dataclass(frozen=True)
class Mismatch:
    """A recorded read that answers differently from the replayed workspace."""

    index: int
    uri: str
    recorded: Any
    replayed: Any

    def __str__(self) -> str:
        return (
            f"interaction {self.index} ({self.uri}): recorded {self.recorded!r:.200}, "
            f"replayed {self.replayed!r:.200}"
        )


def _is_read(i: Interaction) -> bool:
    uri = i.uri or ""
    return uri.endswith("/find") or uri in ("entitytypes", "attributes")


def replay_reads(
    cassette: Cassette, backend: Backend, *, settled_only: bool = True
) -> tuple[int, list[Mismatch]]:
    """Re-ask every recorded read of the local workspace; returns (reads, mismatches).

    With ``settled_only`` (default), only reads recorded after the last write are
    compared: an earlier read saw a state the later writes changed.
    """
    reads = [(n, i) for n, i in enumerate(cassette.interactions) if i.ok and _is_read(i)]
    if settled_only:
        last_write = max(
            (n for n, i in enumerate(cassette.interactions) if i.uri and not _is_read(i)),
            default=-1,
        )
        reads = [(n, i) for n, i in reads if n > last_write]
    scrubber = Scrubber()
    mismatches: list[Mismatch] = []
    for n, i in reads:
        env = dict(i.envelope)
        env.pop("session", None)
        ident = str(env.get("ident") or "")
        body = json.dumps(env)
        headers = {
            "authorization": _auth(ident),
            "x-accsyn-workspace": str(env.get("workspace") or backend.code),
        }
        if i.method in ("GET", "DELETE"):
            reply = backend.handle(i.method, i.path, quote(body, safe="/"), headers, b"")
        else:
            reply = backend.handle(i.method, i.path, "", headers, body.encode())
        replayed = scrubber.json(json.loads(reply.content()))
        if replayed != i.response_json:
            mismatches.append(Mismatch(n, i.uri or "", i.response_json, replayed))
    return len(reads), mismatches


def _auth(email: str) -> str:
    from accsyn._config import Secret
    from accsyn._wire import auth_header

    return auth_header(email, Secret(local_key(email)))


def seed_from_cassette(
    backend: Backend, cassette: str | os.PathLike[str] | Cassette
) -> tuple[dict[str, str], dict[str, str]]:
    """Store a cassette's entities in a workspace just opened with ``seed=None``.

    Returns ``({role: key}, {role: email})`` of the recorded callers.
    """
    tape = cassette if isinstance(cassette, Cassette) else read_cassette(cassette)
    return apply_plan(backend, plan_replay(tape))


def workspace_from_cassette(
    cassette: str | os.PathLike[str] | Cassette, **kwargs: Any
) -> LocalWorkspace:
    """A :class:`~accsyn.emulator.LocalWorkspace` holding every entity a cassette shows.

    ``kwargs`` go to ``LocalWorkspace`` (``path``, ``files_root``, ``clock``,
    ``faults``). ``workspace.session(role=...)`` logs in as the recorded caller of
    that role, with a local API key.
    """
    from accsyn.emulator import LocalWorkspace

    tape = cassette if isinstance(cassette, Cassette) else read_cassette(cassette)
    plan = plan_replay(tape)
    kwargs.pop("seed", None)
    # An empty workspace is a copy of a template unless it must live in a file.
    ws = (
        LocalWorkspace(seed=None, **kwargs)
        if "path" in kwargs
        else LocalWorkspace.fresh(seed=None, **kwargs)
    )
    try:
        keys, users = apply_plan(ws.backend, plan)
    except BaseException:
        ws.close()
        raise
    ws._keys, ws._users = keys, users
    ws.replay_plan = plan  # type: ignore[attr-defined]
    return ws
