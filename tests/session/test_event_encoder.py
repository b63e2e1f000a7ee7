"""A session's cached event encoder writes exactly what ``encode_event`` defines."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accsyn import _wire as wire
from accsyn._config import Secret
from accsyn._events import EventEncoder
from accsyn._exceptions import ValidationError
from accsyn._http._drivers import PLAIN_QUERY

EID = "0b9c6a52-5d0e-4a8e-9a44-25d2ad8e3f7e"
CREATED = dt.datetime(2026, 11, 30, 12, 0, 1, tzinfo=dt.timezone.utc)

texts = st.text(max_size=12)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)
contexts = st.builds(
    wire.WireContext,
    workspace=texts,
    username=texts,
    api_key=texts.map(Secret),
    device=st.just("PythonAPI v3.4.0 @ linux host(posix)"),
    client_hostname=texts,
    session_id=st.none() | st.text(alphabet="0123456789abcdef", min_size=1, max_size=32),
)
requests = st.builds(
    wire.EventRequest,
    method=st.sampled_from(["GET", "PUT", "POST", "DELETE"]),
    uri=st.sampled_from(["transfer/find", "queue/create", "user/update", "ls", "Ä/x y"]),
    data=json_values | st.dictionaries(texts, json_values, max_size=6),
    query=st.none() | texts,
    entityid=st.none() | texts,
)


def _same(req: wire.EventRequest, ctx: wire.WireContext, base: str) -> None:
    endpoint = wire.Endpoint(base)
    expected = wire.encode_event(req, ctx, endpoint, eid=EID, created=CREATED)
    ours = EventEncoder(ctx, endpoint).encode(req, eid=EID, created=CREATED)
    assert ours == expected
    assert ours.envelope == expected.envelope
    # Transports trust plain_query and skip their own check of the query string.
    base, sep, query = ours.url.partition("?")
    assert ours.plain_query == bool(sep)
    assert not sep or PLAIN_QUERY.fullmatch(query)


@settings(max_examples=300, deadline=None)
@given(requests, contexts)
def test_the_encoder_writes_what_encode_event_defines(
    req: wire.EventRequest, ctx: wire.WireContext
) -> None:
    _same(req, ctx, "https://acme.accsyn.io:443")


def test_a_large_payload_is_compressed_the_same_way() -> None:
    ctx = wire.WireContext("acme", "me@acme.com", Secret("k"), "dev", "host", "s1")
    req = wire.EventRequest("POST", "transfer/create", {"tasks": ["x" * 40] * 4000})
    _same(req, ctx, "http://127.0.0.1:8181")
    assert "gz_data" in EventEncoder(ctx, wire.Endpoint("http://h:1")).encode(req).envelope


@pytest.mark.parametrize(
    "data", [{"size": math.nan}, {"a": [1, math.inf]}, {"when": object()}, {"s": Secret("x")}]
)
@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_an_unsendable_payload_fails_with_the_same_error(data: Any, method: str) -> None:
    ctx = wire.WireContext("acme", "me@acme.com", Secret("k"), "dev", "host", "s1")
    endpoint = wire.Endpoint("http://h:1")
    req = wire.EventRequest(method, "transfer/update", data)
    with pytest.raises(ValidationError) as expected:
        wire.encode_event(req, ctx, endpoint)
    with pytest.raises(ValidationError) as ours:
        EventEncoder(ctx, endpoint).encode(req)
    assert (str(ours.value), ours.value.field) == (str(expected.value), expected.value.field)


def test_each_event_gets_a_fresh_uuid4_and_the_current_second() -> None:
    ctx = wire.WireContext("acme", "me@acme.com", Secret("k"), "dev", "host", "s1")
    encoder = EventEncoder(ctx, wire.Endpoint("http://h:1"))
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    envelopes = [encoder.encode(wire.EventRequest("GET", "user/find")).envelope for _ in range(50)]
    after = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    eids = [uuid.UUID(e["eid"]) for e in envelopes]
    assert len(set(eids)) == 50
    assert all(u.version == 4 and u.variant == uuid.RFC_4122 for u in eids)
    assert all(str(u) == e["eid"] for u, e in zip(eids, envelopes, strict=True))
    for e in envelopes:
        assert before <= dt.datetime.fromisoformat(e["created"]) <= after


@settings(max_examples=100, deadline=None)
@given(
    requests.map(lambda r: wire.EventRequest(r.method, r.uri, None, r.query, r.entityid))
    | requests.map(lambda r: wire.EventRequest(r.method, r.uri, {}, r.query, r.entityid)),
    contexts,
    st.lists(st.uuids(version=4).map(str) | texts.filter(bool), min_size=2, max_size=4),
)
def test_repeated_events_with_empty_data_differ_only_in_eid_and_created(
    req: wire.EventRequest, ctx: wire.WireContext, eids: list[str]
) -> None:
    # The encoder writes such events from a template made once: each one must
    # still be exactly what encode_event writes for its own eid and time.
    endpoint = wire.Endpoint("http://127.0.0.1:8181")
    encoder = EventEncoder(ctx, endpoint)
    for i, eid in enumerate(eids):
        created = CREATED + dt.timedelta(seconds=i * 3601)
        expected = wire.encode_event(req, ctx, endpoint, eid=eid, created=created)
        assert encoder.encode(req, eid=eid, created=created) == expected
