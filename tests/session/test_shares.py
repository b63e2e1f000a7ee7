"""``share`` queries validate as the umbrella type, on every path (issue 11.3).

``share where default=true`` is a pattern in real integration scripts; it used to be
refused as "folder has no attribute 'default'", a type the user never wrote. Now
``share`` is its own type (protocol.md §6.1, §6.6), its attributes the union of the
volume, folder, home and collection attributes, and every message names ``share``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

import accsyn
from accsyn.cli._app import app
from accsyn.emulator import LocalWorkspace
from accsyn.models import Share, ShareType, validate_query

#: Share queries as scripts write them (protocol.md §5.6, legacy docs), plus the
#: attributes of every member (a share row is one of them).
DOCUMENTED = [
    "Share where type=root",
    "Share where type=standard",
    "Share where type=user",
    "share WHERE default=true",
    "share where default=True",
    "Share WHERE default=true",
    "share WHERE type=folder AND name=x",
    "share WHERE type=volume AND paths.linux='/mnt/projects'",
    "share WHERE code=projects",
    "share WHERE parent=664b2e9a1f2c3d4e5f6a7b8c",
    "share WHERE user=lisa@example.com",
    "share WHERE status=enabled AND inactive=false",
]


@pytest.fixture(scope="module")
def ws() -> Iterator[LocalWorkspace]:
    with LocalWorkspace(seed="demo", transfers=5) as workspace:
        yield workspace


@pytest.fixture
def s(ws: LocalWorkspace) -> Iterator[accsyn.Session]:
    with ws.session() as session:
        yield session


@pytest.fixture
async def a(ws: LocalWorkspace) -> AsyncIterator[accsyn.AsyncSession]:
    async with ws.async_session() as session:
        yield session


@pytest.mark.parametrize("query", DOCUMENTED)
def test_documented_share_queries_validate_and_run(s: accsyn.Session, query: str) -> None:
    assert validate_query(query).entitytype == "share"
    rows = s.find(query)
    assert all(type(row) is Share for row in rows)


def _assert_names_share(error: object, bypass: str = "validate=False") -> None:
    text = str(error)
    assert "share has no attribute 'defualt'" in text.lower(), text
    assert "did you mean 'default'" in text
    assert "folder" not in text.lower()  # never a type the user did not write
    assert bypass in text  # and says how to send it anyway


def _typo_query() -> Any:
    # A Query whose attribute is misspelt (built without the model's checks).
    from accsyn.query import Comparison, Op, Query

    return Query("share", Comparison("defualt", Op.EQ, "true"))


SYNC_PATHS = {
    "find string": lambda s: s.find("share WHERE defualt=true"),
    "find Query": lambda s: s.find(_typo_query()),
    "find_one string": lambda s: s.find_one("Share where defualt=true"),
    "repository where text": lambda s: s.shares.where("defualt=true"),
    "repository equality": lambda s: s.shares.where(defualt=True),
    "repository where Query": lambda s: s.shares.where(_typo_query()),
    "session.query": lambda s: s.query("share WHERE defualt=true"),
}


@pytest.mark.parametrize("path", SYNC_PATHS)
def test_a_misspelt_share_attribute_names_share(s: accsyn.Session, path: str) -> None:
    with pytest.raises(accsyn.QueryValidationError) as info:
        SYNC_PATHS[path](s)
    _assert_names_share(info.value)


def test_the_model_suggests_too() -> None:
    with pytest.raises(AttributeError, match="did you mean 'default'"):
        Share.defualt  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(accsyn.QueryValidationError) as info:
        Share.where(defualt=True)  # type: ignore[call-arg]
    assert "'default'" in str(info.value) and "folder" not in str(info.value).lower()


def test_a_misspelt_share_type_value_suggests_the_type() -> None:
    with pytest.raises(accsyn.QueryValidationError, match="did you mean 'root'"):
        validate_query("Share where type=roo")


def test_validation_off_sends_it(ws: LocalWorkspace) -> None:
    with ws.session(validate="off") as session:
        session.find("share WHERE defualt=true")
    with ws.session() as session:
        session.find("share WHERE defualt=true", validate=False)


def test_typed_queries_and_the_repository_answer_shares(s: accsyn.Session) -> None:
    volumes = s.find(Share.where(Share.type == "root"))
    assert volumes and all(row.type is ShareType.VOLUME for row in volumes)
    default = s.shares.where(default=True).first()
    assert default is not None and default.type is ShareType.VOLUME
    folders = s.shares.where(Share.type == ShareType.FOLDER).all()
    assert {row.id for row in folders} == {row.id for row in s.folders.all()}


async def test_async_paths(a: accsyn.AsyncSession) -> None:
    with pytest.raises(accsyn.QueryValidationError) as info:
        await a.find("share WHERE defualt=true")
    _assert_names_share(info.value)
    with pytest.raises(accsyn.QueryValidationError) as info:
        a.shares.where(defualt=True)
    _assert_names_share(info.value)
    rows = await a.find("share WHERE default=true")
    assert [row.type for row in rows] == [ShareType.VOLUME]
    first = await a.shares.where(Share.type == "home").first()
    assert first is not None and first.type is ShareType.HOME


@pytest.mark.usefixtures("accsyn_clean_env")
def test_cli_find_share() -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["find", "share WHERE defualt=true", "--local"])
    assert bad.exit_code == 1, bad.output
    _assert_names_share(bad.stderr, "--no-validate")
    ok = runner.invoke(app, ["find", "share WHERE default=true", "--local", "--json"])
    assert ok.exit_code == 0, ok.output
    rows = [json.loads(line) for line in ok.stdout.splitlines()]
    assert [row["type"] for row in rows] == ["volume"]
