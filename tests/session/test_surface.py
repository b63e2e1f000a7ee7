"""The sync and async surfaces are held equal: same names, same parameters.

``AsyncSession`` is written beside ``Session`` (both only drive the same plans), so
this test is what stops them drifting: a method added to one and not the other, or
a parameter renamed on one side, fails here.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

import accsyn
from accsyn._namespaces import Access, AsyncAccess, AsyncFiles, AsyncSettings, Files, Settings
from accsyn._repository import accessor_names
from accsyn.repository import (
    AsyncRepository,
    AsyncRepositoryMixin,
    AsyncSelect,
    Repository,
    RepositoryMixin,
    Select,
)

#: Lifecycle differs by nature: a sync context manager with ``close`` vs an async one;
#: ``from_compat`` lifts a (sync) ``accsyn.compat`` session.
SYNC_ONLY = {"close", "__iter__", "from_compat"}
ASYNC_ONLY = {"aclose", "__aiter__"}


def _public(cls: type) -> dict[str, Any]:
    names = {n for n in dir(cls) if not n.startswith("_")} | {"__iter__", "__aiter__"}
    return {n: getattr(cls, n) for n in names if hasattr(cls, n)}


def _params(obj: Any) -> list[tuple[str, Any, Any]] | None:
    if not callable(obj) or isinstance(obj, type):
        return None
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    return [(p.name, p.kind, p.default) for p in sig.parameters.values()]


PAIRS = [
    (accsyn.Session, accsyn.AsyncSession),
    (Files, AsyncFiles),
    (Access, AsyncAccess),
    (Settings, AsyncSettings),
    (Select, AsyncSelect),
    (Repository, AsyncRepository),
    (RepositoryMixin, AsyncRepositoryMixin),
]


@pytest.mark.parametrize(("sync", "asynchronous"), PAIRS, ids=[p[0].__name__ for p in PAIRS])
def test_same_names_and_parameters(sync: type, asynchronous: type) -> None:
    ours, theirs = _public(sync), _public(asynchronous)
    assert set(ours) - SYNC_ONLY == set(theirs) - ASYNC_ONLY
    for name in set(ours) - SYNC_ONLY:
        if name == "__init__":
            continue
        assert _params(ours[name]) == _params(theirs[name]), name


def test_constructors_differ_only_in_the_transport_type_and_lazy_login() -> None:
    sync = inspect.signature(accsyn.Session.__init__).parameters
    asynchronous = inspect.signature(accsyn.AsyncSession.__init__).parameters
    assert [n for n in sync if n != "lazy"] == list(asynchronous)  # async always logs in lazily


def test_async_operations_are_coroutines() -> None:
    for name, member in _public(accsyn.AsyncSession).items():
        if name in ("repository", "query", "get_hostname", "dump", "explain", "get_last_message"):
            continue
        if callable(member) and not isinstance(member, type) and not name.startswith("__"):
            assert inspect.iscoroutinefunction(member), name


def test_the_official_names_the_async_session_lacked_exist() -> None:
    for name in ("dump", "update_one", "offline_one", "gui_is_running", "server_is_running"):
        assert hasattr(accsyn.AsyncSession, name), name


def test_accessors_come_from_the_models_and_are_typed() -> None:
    # One descriptor per entity type the models register; the typed declarations on
    # the mixins list exactly those names (add a model: add its line, or this fails).
    # Each is typed as the model's generated repository (``_TransferRepository``).
    derived = set(accessor_names())
    for mixin in (RepositoryMixin, AsyncRepositoryMixin):
        declared = {
            n
            for n, hint in mixin.__annotations__.items()
            if re.fullmatch(r"_\w+(Async)?Repository", str(hint))
        }
        assert declared == derived
        assert all(hasattr(mixin, n) for n in derived)
    assert {"transfers", "deliveries", "users", "tasks", "acls"} <= derived
    assert "files" not in derived  # the file system namespace; collection files: files.of(c)


def test_no_verb_means_two_things_on_the_session() -> None:
    names = set(_public(accsyn.Session))
    # File operations live in session.files, access in session.acl, settings in
    # session.settings: "delete" and "exists" on the session would mean a path.
    assert not names & {"delete", "exists", "ls", "mkdir", "mv", "rename", "getsize"}
    assert not names & {"grant", "revoke", "access", "get_setting", "set_setting"}
