"""No API key, Authorization value or session id in logs, reprs, errors or CLI output.

A full workflow runs with every logger at DEBUG (caplog on the root, so httpx and
httpcore are included, and on ``accsyn``), with the documented
:class:`accsyn.HttpxLogFilter` on httpx's logger as an application showing httpx's
request lines installs it; every exception it provokes is
rendered every way a user might see it (``str``, ``repr``, traceback, error body).
The CLI then runs against a served workspace, with right and wrong keys.
"""

from __future__ import annotations

import base64
import logging
import traceback
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import accsyn
from accsyn.emulator import Backend, LocalWorkspace, Reply

from .conftest import IN_PROCESS_URL, InstantClock, Served

WRONG_KEY = "wrong-key-0123456789abcdef"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _record_session_ids(backend: Backend) -> list[str]:
    """Wrap the backend so every session id it hands out at login is remembered."""
    ids: list[str] = []
    handle = backend.handle

    def recording(*args: Any, **kwargs: Any) -> Reply:
        reply = handle(*args, **kwargs)
        result = reply.body.get("result") if isinstance(reply.body, dict) else None
        if isinstance(result, dict) and isinstance(result.get("session_id"), str):
            ids.append(result["session_id"])
        return reply

    backend.handle = recording  # type: ignore[method-assign]
    return ids


def _secrets(username: str, keys: Iterable[str], session_ids: list[str]) -> list[str]:
    out = list(session_ids)
    for key in keys:
        out += [key, _b64(key), f"basic {_b64(username)}:{_b64(key)}"]
    assert all(len(s) >= 8 for s in out)
    return out


def _error_texts(exc: BaseException) -> list[str]:
    texts = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    for attr in ("body", "message", "response", "request"):
        value = getattr(exc, attr, None)
        if value is not None:
            texts.append(repr(value))
    return texts


def _assert_clean(texts: Iterable[str], secrets: list[str]) -> None:
    blob = "\n".join(texts)
    leaked = [s for s in secrets if s in blob]
    assert not leaked, f"{len(leaked)} secret value(s) leaked"


def _expect_error(texts: list[str], kind: type[BaseException], fn: Any) -> None:
    with pytest.raises(kind) as info:
        fn()
    texts += _error_texts(info.value)


@pytest.fixture
def httpx_log_filter() -> Iterator[None]:
    installed = accsyn.HttpxLogFilter()
    logging.getLogger("httpx").addFilter(installed)
    try:
        yield
    finally:
        logging.getLogger("httpx").removeFilter(installed)


def test_a_full_workflow_at_debug_leaks_no_secret(
    caplog: pytest.LogCaptureFixture, httpx_log_filter: None
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="accsyn")
    texts: list[str] = []
    with LocalWorkspace(seed="demo", transfers=20) as ws:
        session_ids = _record_session_ids(ws.backend)
        workspace, username, key = ws.credentials("admin")
        _, std_user, std_key = ws.credentials("standard")

        def open_session(user: str, api_key: str, **kw: Any) -> accsyn.Session:
            return accsyn.Session(
                workspace=workspace,
                username=user,
                api_key=api_key,
                base_url=IN_PROCESS_URL,
                transport=ws.transport(),
                rate_limit=None,
                clock=InstantClock(),
                **kw,
            )

        with open_session(
            username, key, retry=accsyn.RetryPolicy(max_retries=2, backoff_initial=0.01)
        ) as s:
            texts += [repr(s), str(s)]
            jobs = s.find("transfer WHERE status!=failed", limit=5)
            texts += [repr(j) for j in jobs]
            job = s.create(
                "transfer",
                {"name": "secret check", "source": "demo/README.txt", "destination": std_user},
            )
            texts += [repr(job), str(job.to_wire())]
            texts.append(repr(s.update("transfer", job.id, {"description": "x"})))
            texts.append(repr(s.get_entity("transfer", job.id)))
            texts.append(repr(s.find_one(f"user WHERE code={username}")))
            from accsyn._requests import find_request

            texts.append(str(s.explain(find_request("transfer", "status=failed"))))

            _expect_error(texts, accsyn.QuerySyntaxError, lambda: s.find("transfer WHERE ("))
            _expect_error(
                texts,
                accsyn.NotFoundError,
                lambda: s.update("transfer", "0" * 24, {"description": "y"}),
            )
            ws.faults.script(429, 429, 429, 429)
            _expect_error(texts, accsyn.RateLimitError, lambda: s.find("transfer"))
            ws.faults.script(500)
            _expect_error(texts, accsyn.ServerError, lambda: s.find("transfer"))
            ws.faults.script("drop")
            _expect_error(
                texts,
                accsyn.TransportError,
                lambda: s.create("transfer", {"name": "dropped", "source": "demo/README.txt"}),
            )
            assert s.delete_one("transfer", job.id) is True

        with open_session(username, key, retry=None) as admin:
            (queue,) = admin.find("queue WHERE code=high")
        with open_session(std_user, std_key, retry=None) as std:
            texts.append(repr(std))
            # A standard user may not touch a queue: denied (or not even visible).
            _expect_error(
                texts,
                accsyn.APIError,
                lambda: std.update("queue", queue.id, {"description": "no"}),
            )

        _expect_error(texts, accsyn.AuthenticationError, lambda: open_session(username, WRONG_KEY))

    assert session_ids, "the workflow must have logged in"
    assert any(r.name.startswith("accsyn") for r in caplog.records), "accsyn logged nothing"
    texts += [caplog.text]
    texts += [r.getMessage() for r in caplog.records]
    texts += [repr(r.args) for r in caplog.records]
    _assert_clean(texts, _secrets(username, [key, std_key, WRONG_KEY], session_ids))


def test_cli_output_leaks_no_secret(served: Served) -> None:
    from typer.testing import CliRunner

    from accsyn.cli._app import app

    session_ids = _record_session_ids(served.backend)
    username, key = served.users["admin"], served.keys["admin"]
    runner = CliRunner()
    base = ["--base-url", served.base_url, "--workspace", served.backend.code, "--user", username]
    texts: list[str] = []

    def cli(*args: str, api_key: str = key) -> Any:
        result = runner.invoke(app, [*args, *base, "--api-key", api_key])
        texts.append(result.output)
        texts.append(getattr(result, "stderr", "") or "")
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            texts.extend(_error_texts(result.exception))
        return result

    found = cli("find", "transfer WHERE status!=failed", "--limit", "3", "--json")
    assert found.exit_code == 0, found.output
    created = cli(
        "create",
        "transfer",
        "--data",
        '{"name": "cli secret check", "source": "demo/README.txt"}',
        "--json",
    )
    assert created.exit_code == 0, created.output
    cli("find", "transfer WHERE (")  # a syntax error
    cli("get", "transfer", "0" * 24)  # not found
    cli("update", "transfer", "0" * 24, "--data", '{"description": "x"}')
    wrong = cli("find", "transfer", api_key=WRONG_KEY)
    assert wrong.exit_code != 0
    assert cli("--debug", "find", "transfer", api_key=WRONG_KEY).exit_code != 0
    assert session_ids
    _assert_clean(texts, _secrets(username, [key, WRONG_KEY], session_ids))


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


@given(
    secrets=st.lists(st.text(_B64, min_size=8, max_size=64), min_size=1, max_size=4),
    before=st.text(max_size=40),
    after=st.text(max_size=40),
    data=st.data(),
)
def test_no_cut_of_a_text_shows_eight_characters_of_a_secret(
    secrets: list[str], before: str, after: str, data: st.DataObject
) -> None:
    from accsyn._http import Redactor

    redact = Redactor()
    redact.add(*secrets)
    text = before + " ".join(secrets) + after
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    shown = redact(text[start:end])
    for secret in secrets:
        for i in range(len(secret) - 7):
            assert secret[i : i + 8] not in shown
