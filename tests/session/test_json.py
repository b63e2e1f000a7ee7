"""The fast JSON paths give exactly the standard library's values and errors.

Answers (``accsyn._answers``) and the emulator's envelopes are parsed by
pydantic-core when it can, by :mod:`json` otherwise; the emulator writes answers
with pydantic-core. A user must never see a different value, or a value where
:mod:`json` raised, because of that.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accsyn._answers import interpret_response
from accsyn._exceptions import ProtocolError
from accsyn._json import loads
from accsyn.emulator._protocol import ApiError, Reply, parse_envelope

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text()
)
values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _same(a: Any, b: Any) -> bool:
    # repr tells -0.0 from 0.0 and 1 from 1.0, which == does not.
    return repr(a) == repr(b)


def _outcome(fn: Any, data: Any) -> Any:
    try:
        return ("ok", fn(data))
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return ("error", type(exc))
    except RecursionError:
        return ("error", RecursionError)


@settings(max_examples=300)
@given(values, st.booleans(), st.sampled_from([None, 1]))
def test_loads_equals_json_loads_on_documents(value: Any, ascii_only: bool, indent: Any) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent)
    assert _same(loads(text), json.loads(text))
    assert _same(loads(text.encode("utf-8")), json.loads(text.encode("utf-8")))


@settings(max_examples=300)
@given(st.binary(max_size=40) | st.text(max_size=40).map(lambda t: t.encode("utf-8", "replace")))
def test_loads_equals_json_loads_on_any_bytes(data: bytes) -> None:
    assert _same(_outcome(loads, data), _outcome(json.loads, data))


@pytest.mark.parametrize(
    "text",
    [
        '{"a": "\\ud800"}',  # a lone surrogate: pydantic-core refuses, json keeps it
        '{"a": NaN, "b": Infinity, "c": -Infinity}',
        '{"a": 1E400}',
        '{"a": 123456789012345678901234567890}',
        '{"a": 1, "a": 2}',
        "[" * 500 + "]" * 500,  # deeper than pydantic-core's limit
        '\ufeff{"a": 1}',
        '{"a": 1} x',
        '{"a": "x\x01y"}',
    ],
)
def test_loads_edge_cases(text: str) -> None:
    for data in (text, text.encode("utf-8", "surrogatepass")):
        got, want = _outcome(loads, data), _outcome(json.loads, data)
        if (
            want[0] == "ok"
            and isinstance(want[1], dict)
            and any(isinstance(v, float) and math.isnan(v) for v in want[1].values())
        ):
            assert json.dumps(got[1]) == json.dumps(want[1])
        else:
            assert _same(got, want)


def test_an_answer_with_a_lone_surrogate_reads_as_before() -> None:
    content = b'{"result": [{"name": "\\ud800x"}]}'
    body = interpret_response(200, (), content, uri="user/find", workspace="acme")
    assert body["result"] == [{"name": "\ud800x"}]


def test_an_answer_that_is_not_json_is_still_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="not JSON"):
        interpret_response(200, (), b"<html>oops</html>", uri="user/find", workspace="acme")


@settings(max_examples=200)
@given(st.dictionaries(st.text(), values, max_size=5))
def test_emulator_answers_decode_to_the_body(body: dict[str, Any]) -> None:
    content = Reply(200, {"result": body}).content()
    assert _same(json.loads(content), {"result": body})
    content.decode("utf-8")  # UTF-8, whatever the strings hold


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_emulator_refuses_non_standard_json_in_an_envelope(constant: str) -> None:
    body = f'{{"uri": "user/find", "data": {{"limit": {constant}}}}}'.encode()
    with pytest.raises(ApiError) as info:
        parse_envelope("PUT", "", body)
    assert info.value.status == 400
    assert "not standard JSON" in info.value.message


def test_emulator_refuses_a_lone_surrogate_in_an_envelope() -> None:
    # Valid JSON, but no text: stored, it was a 500 (tests/emulator/test_fidelity_hostile.py).
    with pytest.raises(ApiError) as info:
        parse_envelope("PUT", "", b'{"uri": "user/find", "data": {"name": "\\ud800"}}')
    assert info.value.status == 400 and "surrogate" in info.value.message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"uri": "user/find", "data": {"name": "\\ud83d\\ude00"}}', {"name": "\U0001f600"}),
        (b'{"uri": "user/find", "data": {"n": 123456789012345678901234567890}}', None),
        (b'{"uri": "user/find", "data": ' + b"[" * 300 + b"]" * 300 + b"}", None),
    ],
)
def test_emulator_envelopes_parse_as_the_standard_library_does(
    body: bytes, expected: dict[str, Any] | None
) -> None:
    env = parse_envelope("PUT", "", body)
    want = json.loads(body)
    assert _same(env["data"], want["data"])
    if expected is not None:
        assert env["data"] == expected


def test_the_word_infinity_in_a_string_is_not_a_number_out_of_range() -> None:
    body = b'{"uri": "queue/create", "data": {"name": "Infinity and beyond", "n": 1.5e300}}'
    assert parse_envelope("POST", "", body)["data"] == {"name": "Infinity and beyond", "n": 1.5e300}
    deep = b'{"uri": "queue/create", "data": {"a": [{"b": [1, 2, {"c": 1e999}]}]}}'
    with pytest.raises(ApiError) as info:
        parse_envelope("POST", "", deep)
    assert info.value.status == 400 and "out of range" in info.value.message
