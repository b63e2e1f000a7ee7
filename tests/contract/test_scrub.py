"""Scrubbing: no API key, Authorization header or session id reaches a cassette."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote

import pytest

from accsyn import ValidationError
from accsyn._wire import compress
from accsyn.contract import SCRUBBED, CassetteWriter, Interaction, Scrubber, read_cassette

KEY = "k3y-0123456789abcdef"
SESSION = "sess-9f8e7d6c5b4a"


def _auth(user: str = "ann@example.com", key: str = KEY) -> str:
    b64 = base64.b64encode
    return f"basic {b64(user.encode()).decode()}:{b64(key.encode()).decode()}"


def _capture(scrubber: Scrubber, **kw: object) -> Interaction:
    args: dict[str, object] = {
        "method": "PUT",
        "path": "/api/v3/event",
        "raw_query": "",
        "request_headers": [("Authorization", _auth()), ("X-Accsyn-Workspace", "acme")],
        "body": b"",
        "status": 200,
        "response_headers": [("Content-Type", "application/json")],
        "response_body": b'{"result": []}',
    }
    args.update(kw)
    return Interaction.capture(scrubber, **args)  # type: ignore[arg-type]


def test_authorization_header_is_scrubbed_and_its_key_learnt() -> None:
    scrubber = Scrubber()
    i = _capture(scrubber)
    assert i.request_headers["authorization"] == SCRUBBED
    assert i.request_headers["x-accsyn-workspace"] == "acme"
    # The key inside the header is now hidden wherever else it turns up.
    assert scrubber.text(f"echo {KEY} back") == f"echo {SCRUBBED} back"


def test_login_session_id_is_scrubbed_in_the_answer_and_every_later_envelope() -> None:
    scrubber = Scrubber()
    login = _capture(
        scrubber,
        path="/api/v3/api/login",
        body=b"{}",
        response_body=json.dumps(
            {"result": {"role": "admin", "id": "a" * 24, "session_id": SESSION}}
        ).encode(),
    )
    assert login.response_json["result"]["session_id"] == SCRUBBED
    assert login.response_json["result"]["id"] == "a" * 24  # entity data kept
    envelope = {"uri": "transfer/find", "session": SESSION, "query": f"name={SESSION}"}
    event = _capture(scrubber, method="GET", raw_query=quote(json.dumps(envelope), safe="/"))
    assert event.envelope["session"] == SCRUBBED
    assert event.envelope["query"] == f"name={SCRUBBED}"
    assert event.uri == "transfer/find"


def test_secret_keys_are_scrubbed_inside_gz_data_payloads() -> None:
    payload = {"name": "x" * 10, "settings": {"api_key": "nested-secret-value", "keep": 1}}
    envelope = {"uri": "transfer/create", "session": SESSION, "gz_data": compress(payload)}
    i = _capture(Scrubber(), body=json.dumps(envelope).encode())
    assert i.compressed
    assert i.envelope["data"]["settings"] == {"api_key": SCRUBBED, "keep": 1}
    assert i.envelope["data"]["name"] == "x" * 10
    assert "gz_data" not in i.envelope


def test_api_key_answer_and_non_json_bodies_are_scrubbed(tmp_path: Path) -> None:
    scrubber = Scrubber()
    i = _capture(scrubber, response_body=json.dumps({"api_key": "fresh-key-123456"}).encode())
    assert i.response_json == {"api_key": SCRUBBED}
    html = _capture(scrubber, response_body=f"<html>{KEY}</html>".encode(), status=502)
    assert html.response_text == f"<html>{SCRUBBED}</html>"
    with CassetteWriter(tmp_path / "c.jsonl", scrubber=scrubber) as w:
        w.write(i)
        w.write(html)
    text = (tmp_path / "c.jsonl").read_text()
    assert KEY not in text and "fresh-key-123456" not in text
    assert len(read_cassette(tmp_path / "c.jsonl")) == 2


def test_a_broken_cassette_is_a_typed_error_naming_the_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.jsonl"
    p.write_text('{"accsyn_cassette": 1}\n{"request": 1}\n')
    with pytest.raises(ValidationError, match="line 2"):
        read_cassette(p)
    with pytest.raises(ValidationError, match="no cassette"):
        read_cassette(tmp_path / "missing.jsonl")
