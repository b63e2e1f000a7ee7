"""Our Session sends what the official client (accsyn_api 3.4.0) sends, byte for byte.

Both clients talk to the same recording server: the official one through
``ACCSYN_PROXY=accsyn:127.0.0.1:<port>`` in a ``.env`` file, ours through our own
accsyn-relay proxy support. For every operation the recorded requests are compared:
method, path, the accsyn headers, and the raw query string or body with only the
per-call ``eid`` and ``created`` values masked.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import warnings
from base64 import b64decode
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import accsyn_api
import pytest

import accsyn
from accsyn.models import Transfer

from .conftest import (
    API_KEY,
    COLLECTION_ID,
    DELIVERY_ID,
    FOLDER_ID,
    JOB_ID,
    QUEUE_ID,
    SERVER_ID,
    TASK_ID,
    TRANSFER_ID,
    USER_ID,
    USERNAME,
    VOLUME_ID,
    WORKSPACE,
    Recorded,
    Recorder,
)

BIG = [
    {"source": f"/volume/path/file_{i:05d}.exr", "destination": f"/dst/{i}"} for i in range(3000)
]

# (method name, args, kwargs). Queries are ones the official client's lowercasing
# leaves unchanged, so both must send the same bytes.
CALLS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("find", ("transfer WHERE status!=failed",), {}),
    ("find", ("Transfer WHERE status!=failed",), {}),
    (
        "find",
        ("user WHERE role=employee",),
        {"attributes": ["id", " code"], "limit": 5, "skip": 0, "finished": False},
    ),
    ("find", ("transfer",), {"limit": 50, "skip": 100}),
    ("find", ("task",), {"entityid": JOB_ID}),
    ("find", ("task WHERE status=onhold",), {"entityid": JOB_ID}),
    ("find", ("client WHERE type in 0,2",), {}),
    ("find", ("transfer WHERE name contains backup",), {"archived": True}),
    ("find", ("user",), {"inactive": True}),
    ("find", ("user",), {"offline": True}),
    ("find", ("transfer WHERE user=lisa@example.com",), {"finished": True}),
    ("find", ("entitytypes",), {}),
    ("find", ("attributes WHERE entitytype=delivery",), {"create": True}),
    ("find", ("attributes WHERE entitytype=folder",), {"update": True}),
    ("find_one", ("user WHERE code=lisa@example.com",), {}),
    (
        "find_one",
        (f"transfer WHERE id={TRANSFER_ID}",),
        {"inactive": False, "attributes": ["name"]},
    ),
    ("get_entity", ("transfer", TRANSFER_ID), {}),
    ("report", (f"transfer WHERE id={TRANSFER_ID}",), {}),
    ("metrics", (f"transfer WHERE id={TRANSFER_ID}",), {"attributes": ["speed"], "time": "1h"}),
    ("metrics", ("transfer",), {}),
    (
        "create",
        ("transfer", {"name": "x", "source": "hq:/a", "destination": "lisa@example.com:/b"}),
        {"allow_duplicates": True, "replace_duplicates": False},
    ),
    ("create", ("task", {"source": "/a", "destination": "/b"}), {"entityid": JOB_ID}),
    ("create", ("task", [{"source": "/a"}, {"source": "/b"}]), {"entityid": JOB_ID}),
    ("create", ("file", {"files": ["volume=assets/x.doc"]}), {"entityid": COLLECTION_ID}),
    ("create", ("user", '{"code": "new@example.com", "role": "standard"}'), {}),
    ("create", ("delivery", {"name": "J\u00f6nsson \u2603", "recipients": ["a@b.com"]}), {}),
    ("create", ("queue", {"name": "q", "allow_duplicates": 1}), {"allow_duplicates": True}),
    ("create", ("transfer", {"name": "big", "tasks": BIG}), {}),
    ("update", ("transfer", TRANSFER_ID, {"status": "paused"}), {}),
    (
        "update_many",
        ("task", JOB_ID, [{"id": TASK_ID, "status": "onhold"}, {"uri": "1", "priority": 5}]),
        {},
    ),
    ("delete_one", ("transfer", TRANSFER_ID), {}),
    ("delete_one", ("folder", FOLDER_ID, {"force": True}), {}),
    ("delete_many", ("collection", COLLECTION_ID, {"files": [TASK_ID]}), {}),
    ("deactivate_one", ("user", USER_ID), {}),
    ("activate_one", ("user", USER_ID), {}),
    ("activate_one", ("user", "Lisa@Example.com"), {}),
    ("assign", ("volume", "server", {"volume": VOLUME_ID, "server": SERVER_ID}), {}),
    ("assign", ("share", "client", {"share": FOLDER_ID, "client": SERVER_ID}), {}),
    ("deassign", ("volume", "server", {"volume": VOLUME_ID, "server": SERVER_ID}), {}),
    ("assignments", ("volume", VOLUME_ID), {}),
    ("grant", ("user", USER_ID, "delivery", DELIVERY_ID), {}),
    ("grant", ("user", "Lisa@Example.com", "folder", "projects"), {}),
    ("grant", ("user", USER_ID, "volume", VOLUME_ID, {"read": True, "notify": True}), {}),
    ("grant", ("user", USER_ID, "collection", COLLECTION_ID), {}),
    ("access", ("delivery", DELIVERY_ID), {}),
    ("access", ("folder", FOLDER_ID), {}),
    ("access", ("folder", FOLDER_ID, "user", USER_ID), {"recursive": True}),
    ("access", ("volume", VOLUME_ID, "user"), {}),
    ("revoke", ("user", USER_ID, "delivery", DELIVERY_ID), {}),
    ("revoke", ("user", "lisa@example.com", "folder", FOLDER_ID), {}),
    ("ls", ("share=projects/x",), {"recursive": True, "maxdepth": 2, "include": "*.mov"}),
    (
        "ls",
        (["share=a", "share=b"],),
        {"files_only": True, "directories_only": False, "getsize": True},
    ),
    ("getsize", ("share=projects",), {"exclude": ["re('_Draft.*')"]}),
    ("exists", ("share=projects/x",), {}),
    ("mkdir", ("share=projects/new",), {}),
    ("rename", ("share=projects/a", "b"), {}),
    ("mv", ("share=projects/a", "share=projects/b"), {}),
    ("delete", ("share=projects/a",), {"force": True}),
    (
        "prepublish",
        (
            [
                {
                    "id": TASK_ID,
                    "filename": "dir",
                    "is_dir": True,
                    "files": [{"filename": "f", "size": 3}],
                }
            ],
        ),
        {},
    ),
    ("get_setting", ("transfer_speedlimit", "queue", QUEUE_ID), {}),
    ("get_setting", ("project",), {"integration": "ftrack", "data": {"a": 1}}),
    ("get_settings", (), {}),
    ("get_settings", ("volume", VOLUME_ID), {"recursive": True, "upstream": True, "share": "x"}),
    ("set_setting", ("queue", "job_max_retries", "3", QUEUE_ID), {}),
    ("delete_setting", ("queue", "job_max_retries", QUEUE_ID), {}),
    ("logs", (), {}),
    (
        "logs",
        ("user", USER_ID),
        {
            "search": "x",
            "sort_reverse": True,
            "pagination_page": 1,
            "pagination_limit": 10,
            "pagination_skip": 0,
        },
    ),
    ("get_api_key", (), {}),
    ("app_is_running", (), {}),
    ("daemon_is_running", (), {}),
    ("integration", ("ftrack", "sync", {"a": [1, 2]}), {}),
]

_MASKS = [
    # eid and created differ per call; everything else must match exactly.
    (re.compile(r'("eid": ")[0-9a-f-]{36}(")'), r"\1EID\2"),
    (re.compile(r'("created": ")\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(")'), r"\1CREATED\2"),
    (re.compile(r'("gz_data": ")[A-Za-z0-9+/=]+(")'), r"\1GZ\2"),
]


_RAW_MASKS = [
    # The same, in the percent-encoded raw query string.
    (re.compile(r"(%22eid%22%3A%20%22)[0-9a-f-]{36}(%22)"), r"\1EID\2"),
    (re.compile(r"(%22created%22%3A%20%22)[0-9TA-F%-]+?(%22)"), r"\1CREATED\2"),
    (re.compile(r"(%22gz_data%22%3A%20%22)[A-Za-z0-9%]+?(%22)"), r"\1GZ\2"),
]


def _mask(text: str, masks: list[tuple[re.Pattern[str], str]] = _MASKS) -> str:
    for pattern, repl in masks:
        text = pattern.sub(repl, text)
    return text


def _gz(rec: Recorded) -> Any:
    data = rec.envelope.get("gz_data")
    return json.loads(gzip.decompress(b64decode(data))) if data else None


def _normalise(rec: Recorded) -> dict[str, Any]:
    if rec.method in ("GET", "DELETE"):
        payload = _mask(unquote(rec.query or ""))
        raw = rec.query or ""
    else:
        payload = _mask(rec.body.decode("ascii"))
        raw = None
    return {
        "method": rec.method,
        "path": rec.path,
        "host": rec.headers.get("host"),
        "authorization": rec.headers.get("authorization"),
        "workspace": rec.headers.get("x-accsyn-workspace"),
        "device": rec.headers.get("x-accsyn-device"),
        "content-type": rec.headers.get("content-type"),
        "content-length": rec.headers.get("content-length") if rec.method == "DELETE" else None,
        "payload": payload,
        # The percent-encoding itself must match too.
        "raw": _mask(raw, _RAW_MASKS) if raw is not None else None,
        "gz": _gz(rec),
    }


@pytest.fixture
def official(recorder: Recorder, tmp_path: Path) -> Iterator[Any]:
    env = tmp_path / "official.env"
    env.write_text(
        f"ACCSYN_WORKSPACE={WORKSPACE}\nACCSYN_API_USER={USERNAME}\nACCSYN_API_KEY={API_KEY}\n"
        f"ACCSYN_PROXY=accsyn:127.0.0.1:{recorder.port}\n"
    )
    # The official client writes the .env values into os.environ; put it back after.
    saved = dict(os.environ)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the official client logs warnings loudly
    try:
        yield accsyn_api.Session(path_envfile=str(env), timeout=10, connect_timeout=5)
    finally:
        root.setLevel(level)
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def ours(recorder: Recorder) -> Any:
    with accsyn.Session(
        workspace=WORKSPACE,
        username=USERNAME,
        api_key=API_KEY,
        proxy=f"accsyn:127.0.0.1:{recorder.port}",
        rate_limit=None,
    ) as session:
        yield session


#: Where the official client's flat methods live on our Session (resource namespaces).
MOVED = {
    **{n: f"files.{n}" for n in ("ls", "getsize", "exists", "mkdir", "rename", "mv", "delete")},
    "prepublish": "files.prepublish",
    **{n: f"acl.{n}" for n in ("grant", "revoke", "access")},
    "get_setting": "settings.get",
    "get_settings": "settings.get_all",
    "set_setting": "settings.set",
    "delete_setting": "settings.delete",
}


def method(session: Any, name: str) -> Any:
    """The official client's method ``name``, or where it lives on our sessions."""
    if isinstance(session, accsyn.Session | accsyn.AsyncSession):
        target = session
        for part in MOVED.get(name, name).split("."):
            target = getattr(target, part)
        return target
    return getattr(session, name)


def _call(session: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return method(session, name)(*args, **kwargs)


def test_connect_sequence_matches(recorder: Recorder, official: Any) -> None:
    theirs = [_connect_view(r) for r in recorder.requests]
    recorder.clear()
    with accsyn.Session(
        workspace=WORKSPACE,
        username=USERNAME,
        api_key=API_KEY,
        proxy=f"127.0.0.1:{recorder.port}",
        rate_limit=None,
    ):
        pass
    mine = [_connect_view(r) for r in recorder.requests]
    assert mine == theirs
    # Lookup: GET with the quoted {"ident": ...} raw query and no credentials.
    lookup, login = theirs
    assert lookup["method"] == "GET"
    assert lookup["query"] == "%7B%22ident%22%3A%20%22acme%22%7D"
    assert lookup["authorization"] is None
    assert login["path"] == "/api/v3/api/login"
    assert login["body"] == b"{}"


def _connect_view(r: Recorded) -> dict[str, Any]:
    return {
        "method": r.method,
        "path": r.path,
        "query": r.query,
        "body": r.body,
        "authorization": r.headers.get("authorization"),
        "workspace": r.headers.get("x-accsyn-workspace"),
        "device": r.headers.get("x-accsyn-device"),
        "content-type": r.headers.get("content-type"),
    }


@pytest.mark.parametrize(
    ("name", "args", "kwargs"), CALLS, ids=[f"{i}-{c[0]}" for i, c in enumerate(CALLS)]
)
def test_operation_sends_what_the_official_client_sends(
    recorder: Recorder,
    official: Any,
    ours: Any,
    name: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    recorder.clear()
    _call(official, name, args, kwargs)
    theirs = [_normalise(r) for r in recorder.events()]
    recorder.clear()
    _call(ours, name, args, kwargs)
    mine = [_normalise(r) for r in recorder.events()]
    assert theirs, "the official client sent nothing"
    assert mine == theirs


def test_results_match_the_official_client_for_raw_reads(
    recorder: Recorder, official: Any, ours: Any
) -> None:
    assert ours.find("entitytypes") == official.find("entitytypes")
    assert ours.acl.access("folder", FOLDER_ID) == official.access("folder", FOLDER_ID)
    assert ours.acl.revoke("user", USER_ID, "delivery", DELIVERY_ID) == official.revoke(
        "user", USER_ID, "delivery", DELIVERY_ID
    )
    assert ours.get_api_key() == official.get_api_key() == "server-issued-key"
    assert ours.app_is_running() is official.app_is_running() is True
    row = ours.find("transfer", raw=True)[0]
    assert row["id"] == TRANSFER_ID
    assert row["created"] == "2026-01-02T03:04:05"  # raw keeps the wire string


def test_reads_return_models(ours: Any) -> None:
    transfer = ours.find_one("transfer WHERE status!=failed")
    assert isinstance(transfer, Transfer)
    assert transfer.id == TRANSFER_ID
    assert transfer.created.year == 2026
    created = ours.create("transfer", {"name": "x"})
    assert isinstance(created, Transfer)
    assert ours.get_entity("transfer", TRANSFER_ID).id == TRANSFER_ID


def test_caller_data_is_not_modified(ours: Any) -> None:
    data = {"name": "x"}
    entries = [{"filename": "a", "is_dir": False}]
    ours.create("transfer", data, allow_duplicates=True)
    ours.files.prepublish(entries)
    assert data == {"name": "x"}
    assert entries == [{"filename": "a", "is_dir": False}]


def test_entity_type_in_uris_is_lowercased(recorder: Recorder, ours: Any) -> None:
    recorder.clear()
    ours.get_entity("Transfer", TRANSFER_ID)
    ours.assignments("Volume", VOLUME_ID)
    assert [r.envelope["uri"] for r in recorder.events()] == ["transfer/find", "volume/servers"]


def test_queries_are_not_lowercased(recorder: Recorder, ours: Any) -> None:
    recorder.clear()
    ours.find('user WHERE name matches "\\D+"')
    ours.find("user WHERE code='John@User.com' AND name=\"A  B\"")
    sent = [r.envelope["query"] for r in recorder.events()]
    assert sent == ['name matches "\\D+"', 'code=John@User.com AND name="A  B"']


def test_find_accepts_a_built_query(recorder: Recorder, ours: Any) -> None:
    from accsyn.models import Transfer

    recorder.clear()
    ours.find(Transfer.where(Transfer.status != "failed"), raw=True)
    (event,) = recorder.events()
    assert event.envelope["uri"] == "transfer/find"
    assert event.envelope["query"] == "status!=failed"


def test_default_device_has_the_official_format(
    recorder: Recorder, official: Any, ours: Any
) -> None:
    devices = {r.headers["x-accsyn-device"] for r in recorder.requests}
    assert len(devices) == 1
    assert re.fullmatch(r"PythonAPI v3\.4\.0 @ \S+ .+\(\w+\)", devices.pop())


def test_device_can_be_overridden(recorder: Recorder) -> None:
    with accsyn.Session(
        workspace=WORKSPACE,
        username=USERNAME,
        api_key=API_KEY,
        base_url=f"http://127.0.0.1:{recorder.port}",
        device="my-integration/1.0",
    ) as session:
        session.files.exists("share=x")
    assert {r.headers["x-accsyn-device"] for r in recorder.requests} == {"my-integration/1.0"}
