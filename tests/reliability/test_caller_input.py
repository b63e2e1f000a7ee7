"""Caller input never gets a 500 and never poisons the store.

Each of these answered ``500 Internal emulator error`` (or stored a row that broke
every later read) before: NaN/Infinity in a payload, ``limit``/``skip`` beyond
SQLite's integers, ``tasks: 5``, a task ``priority: "x"``, a 999-item ``in`` list
and a ~1,000-term OR chain (SQLite's "Expression tree is too large").
"""

from __future__ import annotations

import base64
import gzip
import json
import math
from collections.abc import Iterator

import httpx
import pytest

import accsyn
from accsyn._config import Secret
from accsyn._wire import auth_header
from accsyn.emulator import LocalWorkspace


@pytest.fixture(scope="module")
def ws() -> Iterator[LocalWorkspace]:
    with LocalWorkspace.fresh() as w:
        yield w


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_the_sdk_refuses_nan_and_infinity_naming_the_field(ws: LocalWorkspace, bad: float) -> None:
    s = ws.session()
    with pytest.raises(accsyn.ValidationError, match=r"metadata\.score") as info:
        s.create("queue", {"name": "q-nan", "metadata": {"score": bad}}, validate=False)
    assert info.value.field == "metadata.score"
    assert s.find("queue WHERE name=q-nan", raw=True) == []


def test_the_emulator_answers_400_for_nan(ws: LocalWorkspace) -> None:
    workspace, user, key = ws.credentials("admin")
    body = '{"uri": "queue/create", "data": {"name": "q-nan", "metadata": {"x": NaN}}}'
    with httpx.Client(transport=ws.transport(), base_url="http://ws.invalid") as c:
        r = c.post(
            "/api/v3/event",
            content=body,
            headers={
                "Authorization": auth_header(user, Secret(key)),
                "X-Accsyn-Workspace": workspace,
                "Content-Type": "application/json",
            },
        )
    assert r.status_code == 400, r.text
    assert "NaN" in r.json()["message"]
    # Every later read still decodes.
    assert ws.session().find("transfer", limit=1)


@pytest.mark.parametrize("arg", ["limit", "skip"])
def test_huge_limit_and_skip_are_a_400(ws: LocalWorkspace, arg: str) -> None:
    with pytest.raises(accsyn.BadRequestError, match=arg.capitalize()):
        ws.session().find("queue", raw=True, **{arg: 2**70})


def test_wrong_kinds_in_a_transfer_payload_are_a_400(ws: LocalWorkspace) -> None:
    s = ws.session()
    with pytest.raises(accsyn.BadRequestError, match="tasks"):
        s.create("transfer", {"source": "volume=projects/demo", "tasks": 5}, validate=False)
    job = s.find("transfer", raw=True, limit=1)[0]
    with pytest.raises(accsyn.BadRequestError, match="priority"):
        s.create(
            "task",
            {"tasks": [{"source": "volume=projects/demo", "priority": "x"}]},
            entityid=job["id"],
            validate=False,
        )


def test_a_999_item_in_list_answers(ws: LocalWorkspace) -> None:
    ids = ", ".join(f"{i:024x}" for i in range(999))
    assert ws.session().find(f"queue WHERE id in ({ids})", raw=True) == []


def test_a_thousand_or_terms_answer_or_get_a_400_stating_the_limit(ws: LocalWorkspace) -> None:
    query = "queue WHERE " + " OR ".join(f"name={i}" for i in range(1000))
    try:
        assert ws.session().find(query, raw=True) == []
    except accsyn.BadRequestError as exc:
        assert "too large" in str(exc)


def _post(ws: LocalWorkspace, body: str, *, authenticated: bool) -> httpx.Response:
    workspace, user, key = ws.credentials("admin")
    headers = {"X-Accsyn-Workspace": workspace, "Content-Type": "application/json"}
    if authenticated:
        headers["Authorization"] = auth_header(user, Secret(key))
    with httpx.Client(transport=ws.transport(), base_url="http://ws.invalid") as c:
        return c.post("/api/v3/event", content=body, headers=headers)


def _gz(data: bytes) -> str:
    return base64.b64encode(gzip.compress(data, compresslevel=9)).decode()


def test_gz_data_is_not_touched_before_authentication(ws: LocalWorkspace) -> None:
    body = json.dumps({"uri": "queue/create", "gz_data": "not gzip at all"})
    assert _post(ws, body, authenticated=False).status_code == 401


def test_a_small_gzip_bomb_is_refused_before_it_is_parsed(ws: LocalWorkspace) -> None:
    bomb = b"[" + b"{}," * 2_000_000 + b"{}]"  # ~6 MB inflated, ~6 KiB compressed
    body = json.dumps({"uri": "queue/create", "gz_data": _gz(bomb)})
    assert len(body) < 32 * 1024
    r = _post(ws, body, authenticated=True)
    assert r.status_code == 413 and "JSON objects" in r.json()["message"]
    # An ordinary compressed payload still works.
    ok = json.dumps({"uri": "queue/create", "gz_data": _gz(b'{"name": "q-gz"}')})
    assert _post(ws, ok, authenticated=True).status_code == 200


def test_an_edit_of_the_wrong_kind_is_refused_so_typed_reads_keep_working() -> None:
    with LocalWorkspace.fresh() as ws:
        s = ws.session()
        job = s.find("transfer", raw=True, limit=1)[0]
        with pytest.raises(accsyn.BadRequestError, match="size"):
            s.update("transfer", job["id"], {"size": "oops"}, raw=True, validate=False)
        with pytest.raises(accsyn.BadRequestError, match="finished"):
            s.update("transfer", job["id"], {"finished": "someday"}, raw=True, validate=False)
        assert s.find("transfer", limit=5)  # typed reads decode every row
