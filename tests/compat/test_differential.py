"""Differential test: random workflows through the official client and ``accsyn.compat``.

Each hypothesis example seeds two identical emulated workspaces (same seed, same
simulated clock), runs one random workflow — find, find_one, get_entity, create,
update, delete, grant, access, revoke, ls, exists, getsize, mkdir, settings, clock
steps, as admin, employee and standard users — through the official client against
one and through ``accsyn.compat`` against the other, and requires every result and
every raised error (type and text) to be identical once generated ids are numbered
in order of appearance.

The budget is fixed and seeded for CI (``ACCSYN_COMPAT_EXAMPLES``, default 25;
``derandomize``). A larger local run::

    ACCSYN_COMPAT_EXAMPLES=400 ACCSYN_COMPAT_RANDOM=1 \\
        .venv/bin/pytest -q tests/compat/test_differential.py
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import accsyn_api.session as official
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accsyn.compat import AccsynException as CompatException

from .conftest import T0, FastCompatSession, Served

EXAMPLES = int(os.environ.get("ACCSYN_COMPAT_EXAMPLES", "25"))
#: Simulated time never gets this far (a workflow advances it by hours at most).
WALL_CLOCK_AFTER = T0 + 7 * 86400
TRACE = os.environ.get("ACCSYN_COMPAT_TRACE") == "1"
RANDOM = os.environ.get("ACCSYN_COMPAT_RANDOM", "") not in ("", "0")

# Generated values to number in order of appearance: 24-hex entity ids, uuids (ACL
# and session ids). Test-side normalisation only; the SDK's id codec is not involved.
_GENERATED = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<![0-9a-z])[0-9a-f]{24}(?![0-9a-z])"
)

ROLES = ("admin", "employee", "standard")
EMAILS = (
    "admin@example.com",
    "standard@example.com",
    "Lisa@Example.com",
    "john@example.com",
    "vendor@partner.example",
    "new1@example.com",
    "new2@example.com",
)
QUERIES = (
    "Transfer",
    "transfer WHERE status=failed",
    "Transfer WHERE status!=done AND size>1000",
    "transfer WHERE (status=running OR status=paused) AND size>0",
    "Transfer WHERE name contains BACKUP",
    "User",
    "user WHERE role=standard",
    "User WHERE code=Lisa@Example.com",
    "user WHERE code='vendor@partner.example'",
    "user WHERE code=new1@example.com",
    "Folder",
    "folder WHERE name='Shared Folder'",
    "volume",
    "queue WHERE priority>100",
    "site",
    "delivery",
    "Delivery WHERE status=waiting",
    "acl",
    "home",
    "client",
    "entitytypes",
    "attributes WHERE entitytype=transfer",
    "attributes WHERE entitytype=user",
    # Errors: the official client's own checks and the server's answers.
    "transfer where",
    "transfer status=failed",
)
PATHS = (
    "volume=projects/demo",
    "volume=projects",
    "volume=projects/demo/shot010",
    "volume=projects/nope",
    "share=shared_folder",
    "volume=projects/diff",
)
SETTINGS = ("notes", "color")


@dataclass(frozen=True)
class Ref:
    """An entity picked by position among those of a type, resolved per side."""

    entitytype: str
    index: int


@dataclass(frozen=True)
class Fmt:
    """A string with one entity id in it (``{}``), resolved per side."""

    template: str
    ref: Ref


@dataclass
class Side:
    """One client against its own workspace: sessions per role, ids seen, numbering."""

    name: str
    server: Served
    make: Callable[..., Any]
    sessions: dict[str, Any] = field(default_factory=dict)
    ids: dict[str, list[str]] = field(default_factory=dict)
    numbers: dict[str, str] = field(default_factory=dict)

    def session(self, role: str) -> Any:
        if role not in self.sessions:
            self.sessions[role] = self.make(
                workspace="demo",
                username=self.server.users[role],
                api_key=self.server.keys[role],
                proxy=self.server.proxy,
                timeout=30,
            )
        return self.sessions[role]

    def start(self) -> None:
        admin = self.session("admin")
        for et in ("user", "transfer", "folder", "delivery"):
            self.ids[et] = [r["id"] for r in admin.find(et, limit=8)]

    def resolve(self, value: Any) -> Any:
        if isinstance(value, Fmt):
            return value.template.format(self.resolve(value.ref))
        if isinstance(value, Ref):
            known = self.ids.get(value.entitytype) or ["0" * 24]
            return known[value.index % len(known)]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, tuple | list):
            return type(value)(self.resolve(v) for v in value)
        return value

    def number(self, text: str) -> str:
        def repl(m: re.Match[str]) -> str:
            return self.numbers.setdefault(m.group(0), f"<id{len(self.numbers)}>")

        return _GENERATED.sub(repl, text)

    def normalise(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {self.number(str(k)): self.normalise(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.normalise(v) for v in value]
        if isinstance(value, str):
            # Volumes report where their files are: each workspace has its own directory.
            return self.number(value.replace(self.server.root, "<files root>"))
        if isinstance(value, dt.datetime):
            # Both workspaces run on the same simulated clock: its dates must match
            # exactly, and the type (aware datetime, not str) is compared too. Files'
            # modification times come from the real disk (wall clock): type only.
            if value.timestamp() > WALL_CLOCK_AFTER:
                return ("datetime", "<wall clock>", value.utcoffset())
            return ("datetime", value.isoformat())
        return value

    def run(self, step: tuple[str, str, tuple[Any, ...], dict[str, Any]]) -> Any:
        op, role, args, kwargs = step
        if op == "advance":
            assert self.server.backend is not None
            self.server.backend.clock.advance(args[0])
            return None
        try:
            # Logging in is part of the step: an earlier step may have deactivated or
            # deleted the role's user, and both clients must then fail the same way.
            session = self.session(role)
            result = getattr(session, op)(*self.resolve(args), **self.resolve(kwargs))
        except (official.AccsynException, CompatException, AssertionError) as exc:
            return ("raised", type(exc).__name__, self.number(str(exc)))
        if op == "create" and isinstance(result, dict) and "id" in result:
            self.ids.setdefault(args[0], []).append(result["id"])
        return ("returned", type(result).__name__, self.normalise(result))

    def close(self) -> None:
        for s in self.sessions.values():
            getattr(s, "close", lambda: None)()
        self.sessions.clear()


# -- the workflow ------------------------------------------------------------------------

role = st.sampled_from(ROLES)


def ref(*types: str) -> st.SearchStrategy[Ref]:
    return st.builds(Ref, st.sampled_from(types), st.integers(0, 7))


def step(op: str, args: Any, kwargs: Any = None) -> st.SearchStrategy[Any]:
    return st.tuples(st.just(op), role, args, kwargs if kwargs is not None else st.just({}))


def _opt(*values: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from((None, *values))


def _kwargs(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


find = step(
    "find",
    st.tuples(st.sampled_from(QUERIES)),
    _kwargs(
        limit=_opt(1, 2, 5),
        skip=_opt(1, 3),
        finished=_opt(True, False),
        attributes=_opt(["code"], ["name", "status"]),
        archived=_opt(True),
    ),
)
find_one = step("find_one", st.tuples(st.sampled_from(QUERIES)), _kwargs(finished=_opt(True)))
get_entity = step(
    "get_entity",
    st.tuples(
        st.sampled_from(("transfer", "user", "folder", "delivery")),
        ref("transfer", "user", "folder", "delivery") | st.just("nope"),
    ),
)
create = step(
    "create",
    st.one_of(
        st.tuples(
            st.just("user"),
            st.fixed_dictionaries(
                {
                    "code": st.sampled_from(("new1@example.com", "new2@example.com")),
                    "role": st.sampled_from(ROLES),
                }
            ),
        ),
        st.tuples(
            st.just("transfer"),
            st.fixed_dictionaries(
                {
                    "source": st.sampled_from(("demo/README.txt", "demo/missing.mov")),
                    "destination": st.sampled_from(("standard@example.com:/tmp/", "hq:/tmp/x/")),
                }
            ),
        ),
        st.tuples(st.just("user"), st.just({})),
    ),
)
update = step(
    "update",
    st.one_of(
        st.tuples(st.just("user"), ref("user"), st.just({"description": "changed"})),
        st.tuples(
            st.just("transfer"),
            ref("transfer"),
            st.sampled_from(({"status": "paused"}, {"name": "x"})),
        ),
        st.tuples(st.just("acl"), ref("user"), st.just({"read": True})),
    ),
)
delete_one = step(
    "delete_one", st.tuples(st.sampled_from(("user", "transfer", "acl")), ref("user", "transfer"))
)
grant_data = st.sampled_from(
    (None, {"read": True}, {"read": True, "write": True}, {"invite": False})
)
grant = step(
    "grant",
    st.one_of(
        st.tuples(
            st.just("user"),
            st.sampled_from(EMAILS) | ref("user"),
            st.just("folder"),
            ref("folder") | st.sampled_from(("shared_folder", "outsource")),
        ),
        st.tuples(st.just("user"), st.sampled_from(EMAILS), st.just("delivery"), ref("delivery")),
    ).flatmap(lambda a: grant_data.map(lambda d: a if d is None else (*a, d))),
)
access = step(
    "access",
    st.one_of(
        st.tuples(st.just("folder"), ref("folder")),
        st.tuples(st.just("folder"), ref("folder"), st.just("user"), ref("user")),
        st.tuples(st.just("delivery"), ref("delivery")),
        st.tuples(st.just("volume"), st.just("projects")),
    ),
)
revoke = step(
    "revoke",
    st.one_of(
        st.tuples(
            st.just("user"), st.sampled_from(EMAILS) | ref("user"), st.just("folder"), ref("folder")
        ),
        st.tuples(st.just("user"), st.sampled_from(EMAILS), st.just("delivery"), ref("delivery")),
    ),
)
files = st.one_of(
    step(
        "ls",
        st.tuples(st.sampled_from(PATHS)),
        _kwargs(recursive=st.booleans(), files_only=st.booleans(), getsize=st.booleans()),
    ),
    step("exists", st.tuples(st.sampled_from(PATHS))),
    step("getsize", st.tuples(st.sampled_from(PATHS))),
    step("mkdir", st.tuples(st.sampled_from(("volume=projects/diff", "volume=projects/diff/a")))),
)
tasks = step(
    "find",
    ref("transfer").map(lambda r: (Fmt("task WHERE job={}", r),)),
    st.fixed_dictionaries({"entityid": ref("transfer")}),
)
lifecycle = st.one_of(
    step("deactivate_one", st.tuples(st.sampled_from(("user", "folder")), ref("user", "folder"))),
    step(
        "activate_one",
        st.tuples(st.just("user"), ref("user") | st.sampled_from(("lisa@example.com", "nobody"))),
    ),
    step("get_api_key", st.just(())),
)
file_writes = st.one_of(
    step(
        "rename",
        st.tuples(
            st.just("volume=projects/diff/a"), st.sampled_from(("volume=projects/diff/b", ""))
        ),
    ),
    step("mv", st.tuples(st.just("volume=projects/diff/b"), st.just("volume=projects/diff/a"))),
    step("delete", st.tuples(st.sampled_from(("volume=projects/diff", "volume=projects/diff/a")))),
)
settings_ops = st.one_of(
    step("get_setting", st.tuples(st.sampled_from(SETTINGS))),
    step("get_settings", st.just(())),
    step(
        "set_setting",
        st.tuples(st.just("workspace"), st.sampled_from(SETTINGS), st.sampled_from(("on", "blue"))),
    ),
    step("delete_setting", st.tuples(st.just("workspace"), st.sampled_from(SETTINGS))),
)
advance = st.tuples(
    st.just("advance"), st.just("admin"), st.tuples(st.sampled_from((30, 600))), st.just({})
)

workflow = st.lists(
    st.one_of(
        find,
        find_one,
        get_entity,
        create,
        update,
        delete_one,
        grant,
        access,
        revoke,
        files,
        settings_ops,
        advance,
        tasks,
        lifecycle,
        file_writes,
    ),
    min_size=3,
    max_size=18,
)


@pytest.fixture
def sides(official_server: Served, compat_server: Served) -> tuple[Side, Side]:
    return (
        Side("official", official_server, official.Session),
        Side("compat", compat_server, FastCompatSession),
    )


@settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOM,
    deadline=None,
    database=None,
    # Each example costs about a second here: shrinking a failure could take minutes,
    # and the failing step is already named. ACCSYN_COMPAT_SHRINK=1 turns it on.
    phases=[Phase.explicit, Phase.generate]
    + ([Phase.shrink] if os.environ.get("ACCSYN_COMPAT_SHRINK") == "1" else []),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=workflow)
def test_official_client_and_compat_agree(sides: tuple[Side, Side], steps: list[Any]) -> None:
    theirs, ours = sides
    for side in sides:
        side.server.reset()
        side.ids.clear()
        side.numbers.clear()
    try:
        theirs.start()
        ours.start()
        for i, s in enumerate(steps):
            a, b = theirs.run(s), ours.run(s)
            assert b == a, f"step {i} {s!r}:\n official: {a!r}\n   compat: {b!r}"
            if TRACE:
                print(s[0], s[1], repr(a)[:150])
    finally:
        theirs.close()
        ours.close()
