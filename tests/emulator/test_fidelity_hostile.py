"""Hostile envelopes get a 4xx JSON answer naming what was wrong, never a 500 (§3.2, §7).

Each case is valid JSON (or a valid-looking ``gz_data``) that a hand-written client
may send; the emulator used to answer some of them with "Internal emulator error"
(a traceback in its log) or to accept them and store what no client could read back.
Every case runs in-process and over HTTP.
"""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import pytest

from ._raw import Raw


def _refused(status: int, body: Any, *words: str) -> None:
    assert 400 <= status < 500, body
    assert isinstance(body, dict) and "result" not in body, body
    message = body["message"]
    assert isinstance(message, str) and "Internal" not in message
    for word in words:
        assert word in message, (word, message)


def _gz(payload: bytes) -> str:
    return base64.b64encode(payload).decode()


@pytest.mark.parametrize(
    ("method", "uri", "data", "fields"),
    [
        ("POST", "queue/create", {"name": "\ud800"}, {}),
        ("GET", "queue/find", {}, {"query": "name='\udfff'"}),
        ("GET", "transfer/find", {}, {"id": "\ud800" * 24}),
        ("PUT", "setting", {"entitytype": "workspace", "name": "x", "value": "\ud834"}, {}),
        ("GET", "workspace/file", {"op": "ls", "path": "volume=projects/\ud800"}, {}),
        ("POST", "queue/create", {"name": "ok", "metadata": {"\udc00": 1}}, {}),
    ],
)
def test_a_lone_surrogate_is_a_400(
    raw: Raw, method: str, uri: str, data: Any, fields: dict[str, str]
) -> None:
    # json.dumps writes "\ud800" (valid JSON); no UTF-8 text can hold it.
    status, body = raw(method, uri, data, **fields)
    _refused(status, body, "surrogate")


def test_a_surrogate_pair_is_text(raw: Raw) -> None:
    status, body = raw("POST", "queue/create", {"name": f"emoji \U0001f600 {id(raw)}"})
    assert status == 200 and "\U0001f600" in body["result"][0]["name"], body


@pytest.mark.parametrize("number", ["1e999", "-1e999", "1E400"])
def test_a_number_out_of_range_is_refused_like_infinity(raw: Raw, number: str) -> None:
    # Python reads 1e999 as inf: stored, every later answer would carry "Infinity".
    text = '{"workspace": "demo", "uri": "queue/create", "data": {"name": "inf", '
    text += f'"metadata": {{"a": {number}}}}}}}'
    status, body = raw.send("POST", text)
    _refused(status, body, "out of range")
    status, body = raw("GET", "queue/find", {}, query="code=inf")
    assert body == {"result": []}


@pytest.mark.parametrize(
    ("gz_data", "said"),
    [
        (_gz(gzip.compress(b'{"limit": 1}')[:-4]), "truncated"),  # no CRC/size trailer
        (_gz(gzip.compress(b'{"limit": 1}') + b"junk"), "extra"),
        (_gz(gzip.compress(b'{"limit": 1}') * 2), "extra"),  # two members: '{..}{..}'
    ],
)
def test_gz_data_must_be_one_whole_gzip_stream(raw: Raw, gz_data: str, said: str) -> None:
    env = raw.envelope("queue/find")
    del env["data"]
    env["gz_data"] = gz_data
    status, body = raw.send("GET", json.dumps(env))
    _refused(status, body, said)


def test_a_whole_gzip_stream_is_still_read(raw: Raw) -> None:
    env = raw.envelope("queue/find")
    del env["data"]
    env["gz_data"] = _gz(gzip.compress(b'{"limit": 1}'))
    status, body = raw.send("GET", json.dumps(env))
    assert status == 200 and len(body["result"]) == 1, body


@pytest.mark.parametrize("bad", [5, -1, 1.5, {"a": 1}, True])
@pytest.mark.parametrize("key", ["include", "exclude"])
def test_ls_filters_of_the_wrong_type_are_a_400(raw: Raw, key: str, bad: Any) -> None:
    data = {"op": "ls", "path": "volume=projects", key: bad}
    status, body = raw("GET", "workspace/file", data)
    _refused(status, body, key)


def test_a_path_list_does_not_nest(raw: Raw) -> None:
    nested: Any = "volume=projects"
    for _ in range(400):  # as deep as the JSON may nest: no recursion on it
        nested = [nested]
    status, body = raw("GET", "workspace/file", {"op": "exists", "path": nested})
    _refused(status, body, "list")
    status, body = raw("GET", "workspace/file", {"op": "exists", "path": ["volume=projects"]})
    assert status == 200 and body["result"] == [{"path": "volume=projects", "result": True}]
