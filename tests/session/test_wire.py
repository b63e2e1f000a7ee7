"""The sans-IO wire layer: envelopes, encodings, the date codec, error mapping, explain."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

import accsyn
from accsyn import _requests as rq
from accsyn import _wire as wire
from accsyn._codec import decode_datetime
from accsyn._config import Secret
from accsyn._session_base import read_payload
from accsyn.models import JobStatus
from accsyn.query import parse

CTX = wire.WireContext(
    workspace="Acme",
    username="john@user.com",
    api_key=Secret("k3y-value-secret"),
    device="PythonAPI v3.4.0 @ linux vm(posix)",
    client_hostname="vm",
    session_id="sess-123456",
)
ENDPOINT = wire.Endpoint.of("https", "acme.accsyn.com", 443)
NOW = dt.datetime(2026, 11, 23, 0, 7, 23, tzinfo=dt.timezone.utc)


def test_auth_header_encodes_user_and_key_separately() -> None:
    header = wire.auth_header("john@user.com", Secret("k3y"))
    assert header == "basic am9obkB1c2VyLmNvbQ==:azN5"


def test_envelope_fields_in_official_order() -> None:
    req = rq.find_request("user", "role=employee", attributes=["id"], limit=5)
    envelope = wire.build_envelope(req, CTX, eid="e-1", created=NOW)
    assert list(envelope) == [
        "audience", "workspace", "eid", "session", "uri", "ident", "created", "hostname",
        "data", "query",
    ]  # fmt: skip
    assert envelope["created"] == "2026-11-23T00:07:23"
    assert envelope["workspace"] == "Acme"  # case preserved
    assert envelope["data"] == {"limit": 5, "attributes": ["id"]}


def test_get_is_the_quoted_json_raw_query_string() -> None:
    req = rq.find_request("user", "code=john@user.com")
    http = wire.encode_event(req, CTX, ENDPOINT, eid="e-1", created=NOW)
    assert http.method == "GET"
    assert http.content is None
    url, query = http.url.split("?", 1)
    assert url == "https://acme.accsyn.com:443/api/v3/event"
    assert "%7B%22audience%22%3A%20%22api%22%2C%20" in query
    assert "%40" in query and "+" not in query and "=" not in query
    assert json.loads(unquote(query)) == wire.build_envelope(req, CTX, eid="e-1", created=NOW)
    assert dict(http.headers)["Authorization"].startswith("basic ")
    assert "Content-Type" not in dict(http.headers)


def test_delete_sends_an_empty_body_and_put_a_json_body() -> None:
    delete = wire.encode_event(rq.delete_one_request("transfer", "x" * 24), CTX, ENDPOINT)
    assert dict(delete.headers)["Content-Length"] == "0"
    assert delete.content is None
    put = wire.encode_event(
        rq.update_request("transfer", "x" * 24, {"name": "J\u00f6"}), CTX, ENDPOINT
    )
    assert b'"data": {"name": "J\\u00f6"}' in (put.content or b"")
    assert not put.idempotent and not delete.idempotent


def test_large_payloads_become_gz_data() -> None:
    data = {"tasks": [{"source": "s" * 1000} for _ in range(120)]}
    req = rq.create_request("transfer", data)
    envelope = wire.build_envelope(req, CTX)
    assert "data" not in envelope
    assert envelope["gz_data"].startswith("H4sI")
    assert wire.decompress(envelope["gz_data"]) == data
    small = wire.build_envelope(rq.create_request("transfer", {"name": "x"}), CTX)
    assert "gz_data" not in small


def test_threshold_is_strictly_greater_than_100k() -> None:
    at = {"k": "x" * (100 * 1024 - 1)}  # key (1) + value: exactly 102400
    assert wire.estimate_size(at) == 102400
    assert "data" in wire.build_envelope(wire.EventRequest("PUT", "x/edit", at), CTX)
    over = {"k": "x" * (100 * 1024)}
    assert "gz_data" in wire.build_envelope(wire.EventRequest("PUT", "x/edit", over), CTX)


def test_dates_go_through_the_one_codec() -> None:
    aware = dt.datetime(2026, 1, 1, 12, 0, 0, 999, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert wire.encode_date(aware) == "2026-01-01T10:00:00"
    assert wire.encode_date(dt.date(2026, 1, 1)) == "2026-01-01T00:00:00"
    # The documented rule (accsyn._codec): a naive datetime is UTC.
    assert wire.encode_date(dt.datetime(2026, 6, 1, 12, 0, 0)) == "2026-06-01T12:00:00"
    body = wire.dumps({"when": aware, "status": JobStatus.DONE})
    assert body == '{"when": "2026-01-01T10:00:00", "status": "done"}'


@given(st.datetimes(timezones=st.just(dt.timezone.utc)))
def test_dates_round_trip_to_the_second(value: dt.datetime) -> None:
    decoded = decode_datetime(wire.encode_date(value))
    assert decoded == value.replace(microsecond=0)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(st.sampled_from(["GET", "PUT", "POST", "DELETE"]), st.dictionaries(st.text(), json_values))
def test_every_method_round_trips_the_envelope(method: str, data: dict[str, Any]) -> None:
    req = wire.EventRequest(method, "thing/op", data, query="a=b", entityid="x" * 24)
    http = wire.encode_event(req, CTX, ENDPOINT, eid="e", created=NOW)
    raw = http.url.split("?", 1)[1] if "?" in http.url else ""
    decoded = wire.decode_event(method, raw, http.content or b"")
    assert decoded == http.envelope
    assert decoded.get("data", data) == data


def test_find_request_matches_the_official_data_rules() -> None:
    req = rq.find_request(
        "Transfer",
        rq.statement(parse("transfer WHERE status<>failed"))[1],
        attributes=[" name "],
        finished=True,
        limit=0,
        skip=0,
        parent="p" * 24,
        single_entity_query=True,
    )
    assert req.uri == "transfer/find"
    assert req.query == "status!=failed"
    assert req.data == {
        "parent": "p" * 24,
        "finished": True,
        "attributes": ["name"],
        "single_entity_query": True,
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"attributes": ["ok", 3]}, "Attributes must be a list of strings!"),
        ({"attributes": ["ok", " "]}, "Attributes must be a list of non-empty strings!"),
        ({"finished": "yes"}, "Finished must be a boolean!"),
        ({"limit": "10"}, "Limit must be an integer!"),
        ({"skip": True}, "Skip must be an integer!"),
    ],
)
def test_find_request_rejects_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(accsyn.ValidationError, match=message):
        rq.find_request("transfer", **kwargs)


def test_queries_are_rendered_canonically_not_lowercased() -> None:
    assert rq.statement(parse("User WHERE name matches \"\\D\" and Code='X'")) == (
        "user",
        'name matches "\\D" AND code=X',
    )
    with pytest.raises(accsyn.QuerySyntaxError):
        parse("transfer WHERE (status=")


def test_create_normalisation() -> None:
    assert rq.create_request("task", {"source": "a"}, "j" * 24).data == {"tasks": {"source": "a"}}
    assert rq.create_request("transfer", [{"source": "a"}]).data == {"tasks": [{"source": "a"}]}
    assert rq.create_request("file", {"files": []}, "c" * 24).uri == "file/add"
    user = rq.create_request("user", {"code": "a"}, allow_duplicates=True)
    assert user.data == {"code": "a"}  # duplicates flags only for jobs and tasks
    with pytest.raises(accsyn.ValidationError, match="Empty create data"):
        rq.create_request("transfer", {})
    with pytest.raises(accsyn.ValidationError, match="not a valid JSON string"):
        read_payload("{not json")


def test_create_data_from_a_json_file(tmp_path: Any) -> None:
    path = tmp_path / "job.json"
    path.write_text('{"name": "from file"}')
    # Files are read by the session (the caller), never by the sans-IO builders.
    assert rq.create_request("transfer", read_payload(str(path))).data == {"name": "from file"}


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: rq.update_request("acl", "x", {"a": 1}), "ACLs cannot be updated"),
        (lambda: rq.delete_one_request("acl", "x"), "ACLs cannot be deleted"),
        (lambda: rq.update_many_request("transfer", "j" * 24, [{}]), "Only multiple 'task'"),
        (lambda: rq.update_many_request("task", "nope", [{}]), "parent entity ID"),
        (lambda: rq.delete_many_request("volume", "c" * 24, {"f": 1}), "Unsupported entity type"),
        (lambda: rq.get_entity_request("transfer", "123"), "not a 24-character id"),
        (lambda: rq.assign_request("delivery", "user", {"a": 1}), "Unsupported assignment"),
        (lambda: rq.deassign_request("volume", "client", {"a": 1}), "de-assignment"),
        (lambda: rq.set_setting_request("queue", "n", 3), "must be of string type"),  # type: ignore[arg-type]
        (lambda: rq.logs_request(pagination_page="1"), "pagination_page must be an integer"),  # type: ignore[arg-type]
        (lambda: rq.ls_request(""), "No path supplied"),
    ],
)
def test_builders_reject_bad_input_with_typed_errors(build: Any, message: str) -> None:
    with pytest.raises(accsyn.ValidationError, match=message):
        build()


def test_activate_by_id_or_by_identifier() -> None:
    assert rq.activate_request("User", "a" * 24).entityid == "a" * 24
    by_code = rq.activate_request("User", " Lisa@Example.com ")
    assert (by_code.uri, by_code.query, by_code.entityid) == (
        "user/activate",
        "lisa@example.com",
        None,
    )


def test_internal_queries_are_safe() -> None:
    assert rq.code_query("lisa@example.com") == "code='lisa@example.com'"
    assert rq.code_query("o'brien@x.com") == 'code="o\'brien@x.com"'
    assert rq.acl_access_query("f" * 24, "user", None) == (
        f"acl WHERE target=share:{'f' * 24} AND entity=user:*"
    )


# -- responses ----------------------------------------------------------------------------


def _interpret(status: int, body: Any, headers: dict[str, str] | None = None) -> Any:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return wire.interpret_response(
        status, headers or {}, content, uri="transfer/find", workspace="acme"
    )


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, accsyn.BadRequestError),
        (422, accsyn.BadRequestError),
        (401, accsyn.AuthenticationError),
        (403, accsyn.PermissionDeniedError),
        (404, accsyn.NotFoundError),
        (409, accsyn.ConflictError),
        (429, accsyn.RateLimitError),
        (500, accsyn.ServerError),
        (503, accsyn.ServerError),
        (418, accsyn.APIError),
        (200, accsyn.APIError),
    ],
)
def test_status_and_message_map_to_typed_errors(status: int, cls: type[Exception]) -> None:
    with pytest.raises(cls) as info:
        _interpret(status, {"message": "machine text", "message_hr": "Human text"})
    assert type(info.value) is cls
    assert str(info.value) == "Human text"
    assert info.value.status_code == status  # type: ignore[attr-defined]
    assert info.value.uri == "transfer/find"  # type: ignore[attr-defined]


def test_message_without_message_hr() -> None:
    with pytest.raises(accsyn.NotFoundError, match=r"^No such transfer$"):
        _interpret(404, {"message": "No such transfer"})


@pytest.mark.parametrize(
    ("text", "cls"),
    [
        ("Too many requests, please try again later.", accsyn.RateLimitError),
        ("Authentication failed, invalid API key", accsyn.AuthenticationError),
        ("Permission denied!", accsyn.PermissionDeniedError),
        ("Cannot delete non-empty directory 'x'!", accsyn.APIError),
    ],
)
def test_a_200_with_a_message_is_inferred_conservatively(text: str, cls: type[Exception]) -> None:
    with pytest.raises(cls) as info:
        _interpret(200, {"message": text, "result": []})
    assert type(info.value) is cls


def test_retry_after_from_header_or_body() -> None:
    with pytest.raises(accsyn.RateLimitError) as info:
        _interpret(429, {"message": "slow down", "retry_after": 120}, {"Retry-After": "7"})
    assert info.value.retry_after == 7.0
    with pytest.raises(accsyn.RateLimitError) as info:
        _interpret(429, {"message": "slow down", "retry_after": 120})
    assert info.value.retry_after == 120.0
    with pytest.raises(accsyn.RateLimitError) as info:
        _interpret(429, b"<html>429 Too Many Requests</html>", {"retry-after": "2"})
    assert info.value.retry_after == 2.0
    later = NOW + dt.timedelta(seconds=30)
    http_date = later.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert wire.parse_retry_after(http_date, now=NOW) == 30.0


def test_exception_key_is_a_server_error_without_the_trace() -> None:
    with pytest.raises(accsyn.ServerError) as info:
        _interpret(200, {"exception": "Traceback ... KeyError"})
    assert str(info.value) == (
        "transfer/find caused an exception! Please contact acme admin for further support."
    )


def test_non_json_is_a_protocol_error() -> None:
    with pytest.raises(accsyn.ProtocolError, match="not JSON") as info:
        _interpret(200, b"<html>oops</html>")
    assert info.value.status_code == 200
    with pytest.raises(accsyn.ProtocolError, match="not an object"):
        _interpret(200, [1, 2])
    with pytest.raises(accsyn.ServerError, match="HTTP 502"):
        _interpret(502, b"<html>Bad Gateway</html>")


def test_success_strips_object_id_tags() -> None:
    body = _interpret(200, {"result": [{"id": "ObjectId:abc", "tags": ["ObjectId:x"]}]})
    assert body == {"result": [{"id": "abc", "tags": ["x"]}]}


# -- explain ---------------------------------------------------------------------------------


def test_explain_shows_the_request_with_secrets_redacted() -> None:
    req = rq.find_request("transfer", "status=failed", limit=10)
    shown = wire.explain(req, CTX, ENDPOINT)
    assert shown.method == "GET"
    assert shown.url == "https://acme.accsyn.com:443/api/v3/event"
    assert shown.headers["Authorization"] == "***"
    assert shown.envelope["session"] == "***"
    assert shown.envelope["query"] == "status=failed"
    assert json.loads(unquote(shown.query_string or "")) == dict(shown.envelope)
    text = str(shown)
    assert "k3y-value-secret" not in text
    assert "sess-123456" not in text
    assert wire.auth_header(CTX.username, CTX.api_key).split(" ")[1] not in text
    post = wire.explain(rq.create_request("transfer", {"name": "x"}), CTX, ENDPOINT)
    assert post.query_string is None
    assert json.loads(post.body or "")["data"] == {"name": "x"}


def test_a_compressed_payload_does_not_depend_on_the_clock() -> None:
    """gzip stamps the current second unless told not to: a retry or a cassette
    replayed a second later would send different bytes for the same payload."""
    from unittest import mock

    payload = {"tasks": ["x" * 40] * 4000}
    first = wire.compress(payload)
    with mock.patch("time.time", return_value=4_000_000_000.0):
        later = wire.compress(payload)
    assert later == first
    assert wire.decompress(first) == payload
