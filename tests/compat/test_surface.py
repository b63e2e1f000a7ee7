"""``accsyn.compat`` has the official client's surface: names, signatures, constructor."""

from __future__ import annotations

import inspect
import os
from pathlib import Path
from typing import Any

import accsyn_api
import accsyn_api.session as official
import pytest

import accsyn
import accsyn.compat
import accsyn.compat.session as compat

from .conftest import FastCompatSession, Served

#: Public names the compat session adds on purpose (docs/migrating.md lists them).
ADDED = {"close", "retry_policy", "rate_limit"}


def _public(cls: type) -> set[str]:
    return {n for n in dir(cls) if not n.startswith("_")}


def _shape(fn: Any) -> list[tuple[str, Any, Any]]:
    # Annotations are spelled differently (typing.Optional vs |); names, kinds and
    # defaults are what a caller depends on.
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


def test_every_official_method_exists_with_the_same_signature() -> None:
    names = _public(official.Session)
    assert names <= _public(compat.Session)
    assert _public(compat.Session) - names == ADDED
    for name in sorted(names):
        theirs, ours = getattr(official.Session, name), getattr(compat.Session, name)
        if isinstance(theirs, property):
            assert isinstance(ours, property), name
            continue
        assert callable(ours), name
        assert _shape(ours) == _shape(theirs), name
        static = isinstance(inspect.getattr_static(official.Session, name), staticmethod)
        assert isinstance(inspect.getattr_static(compat.Session, name), staticmethod) == static


def test_constructor_takes_the_official_arguments_in_order() -> None:
    theirs = _shape(official.Session.__init__)
    ours = _shape(compat.Session.__init__)
    # One addition: a trailing **legacy that turns pwd=/session_key= into a useful error.
    assert ours[:-1] == theirs
    assert ours[-1] == ("legacy", inspect.Parameter.VAR_KEYWORD, inspect.Parameter.empty)


def test_module_level_names_scripts_import() -> None:
    assert accsyn.compat.__version__ == accsyn_api.__version__ == "3.4.0"
    for name in ("Session", "AccsynException"):
        assert hasattr(compat, name) and hasattr(official, name)
    for name in dir(official):
        if name.isupper():
            assert getattr(compat, name, None) == getattr(official, name), name
    assert issubclass(compat.AccsynException, accsyn.AccsynError)
    assert accsyn.compat.AccsynException is compat.AccsynException


@pytest.mark.parametrize("legacy", ["pwd", "session_key"])
def test_legacy_credentials_say_v3_takes_api_keys(legacy: str) -> None:
    with pytest.raises(accsyn.ConfigurationError) as info:
        compat.Session(workspace="demo", username="me@example.com", **{legacy: "hunter2"})
    text = str(info.value)
    assert "API key" in text and "api_key=" in text and "ACCSYN_API_KEY" in text
    assert "hunter2" not in text
    # It is also an AccsynException, so `except AccsynException` in old scripts catches it.
    assert isinstance(info.value, compat.AccsynException)


def test_unknown_keyword_is_a_plain_type_error() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'pasword'"):
        compat.Session(workspace="demo", pasword="x")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "Please supply your accsyn workspace code or set ACCSYN_WORKSPACE environment!"),
        (
            {"ACCSYN_WORKSPACE": "w"},
            "Please supply your accsyn user name (E-mail) or set ACCSYN_API_USER environment!",
        ),
        (
            {"ACCSYN_WORKSPACE": "w", "ACCSYN_API_USER": "u"},
            "Please supply your accsyn API KEY or set ACCSYN_API_KEY environment!",
        ),
    ],
)
def test_missing_settings_raise_the_official_exception_and_text(
    environ: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k, v in environ.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(official.AccsynException) as theirs:
        official.Session()
    with pytest.raises(compat.AccsynException) as ours:
        compat.Session()
    assert str(ours.value) == str(theirs.value) == message


def test_env_file_sets_the_proxy_for_explicit_sessions_too(
    compat_server: Served, tmp_path: Path
) -> None:
    # The official client loads ./.env into os.environ (documented, override mode): a
    # session built from explicit arguments then still goes through ACCSYN_PROXY.
    (tmp_path / ".env").write_text(f"ACCSYN_PROXY={compat_server.proxy}\n")
    s = FastCompatSession(
        workspace="demo",
        username=compat_server.users["employee"],
        api_key=compat_server.keys["employee"],
    )
    assert os.environ["ACCSYN_PROXY"] == compat_server.proxy
    assert s.find_one("user WHERE code=employee@example.com")["role"] == "employee"
    # The typed Session reads the same ./.env (without touching os.environ).
    del os.environ["ACCSYN_PROXY"]
    with accsyn.Session(
        workspace="demo",
        username=compat_server.users["employee"],
        api_key=compat_server.keys["employee"],
        rate_limit=None,
    ) as typed:
        assert typed.role == "employee"
    assert "ACCSYN_PROXY" not in os.environ


def test_credentials_path_env_file_is_loaded_into_the_environment(
    compat_server: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    creds = tmp_path / "creds.env"
    creds.write_text(
        "ACCSYN_WORKSPACE=demo\n"
        f"ACCSYN_API_USER={compat_server.users['standard']}\n"
        f"ACCSYN_API_KEY='{compat_server.keys['standard']}'\n"
        f"ACCSYN_PROXY={compat_server.proxy}\n"
    )
    monkeypatch.setenv("ACCSYN_CREDENTIALS_PATH", str(creds))
    s = FastCompatSession()
    assert s.username == "standard@example.com"
    assert os.environ["ACCSYN_API_USER"] == "standard@example.com"
    assert s.timeout == 120 and s.connect_timeout == 10  # the official defaults, as ints


def test_missing_env_file_is_ignored_like_the_official_client(tmp_path: Path) -> None:
    with pytest.raises(compat.AccsynException, match="workspace code"):
        compat.Session(path_envfile=str(tmp_path / "nope.env"))


def test_bad_login_is_an_accsyn_exception(compat_server: Served) -> None:
    with pytest.raises(compat.AccsynException) as info:
        FastCompatSession(
            workspace="demo",
            username="admin@example.com",
            api_key="wrong",
            proxy=compat_server.proxy,
        )
    assert "wrong" not in str(info.value)


def test_from_session_and_to_session_share_one_login() -> None:
    from accsyn.emulator import LocalWorkspace

    with LocalWorkspace(seed="demo") as ws:
        typed = ws.session(role="employee")
        s = accsyn.compat.from_session(typed)
        assert s.username == "employee@example.com" and s._role == "employee"
        row = s.find_one("user WHERE code=Employee@Example.com")
        assert isinstance(row, dict) and row["role"] == "employee"
        assert accsyn.compat.to_session(s) is typed
        assert accsyn.Session.from_compat(s) is typed
        # get_last_message() really returns the last error (the official one: always None).
        assert s.get_last_message() is None
        standard = accsyn.compat.from_session(ws.session(role="standard"))
        with pytest.raises(compat.AccsynException, match="Permission denied") as info:
            standard.create("user", {"code": "sneaky@example.com"})
        assert standard.get_last_message() == str(info.value)
        assert isinstance(info.value.error, accsyn.PermissionDeniedError)
        with pytest.raises(accsyn.ConfigurationError, match=r"accsyn_api\.Session"):
            accsyn.compat.to_session(object())


def test_naive_datetimes_are_sent_as_local_time_like_the_official_client() -> None:
    import datetime as dt

    from accsyn.compat._shape import JSONEncoder, localise

    naive = dt.datetime(2026, 3, 1, 12, 0, 0)
    aware = localise({"when": [naive]})["when"][0]
    assert aware.tzinfo is not None and aware.replace(tzinfo=None) == naive
    # Session.dump writes what the official encoder writes (local → UTC).
    assert compat.Session.dump({"when": naive}) == official.Session.dump({"when": naive})
    assert isinstance(JSONEncoder().default(dt.date(2026, 3, 1)), str)
