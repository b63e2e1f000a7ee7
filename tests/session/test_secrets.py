"""No secret reaches a log line, a repr or an exception message.

A full workflow runs against the recording server (real HTTP, so httpx and httpcore
log too) with every logger at DEBUG; then the captured log text, every exception's
str and repr, and the reprs of the session and its configuration are searched for
the API key, the Authorization value (and its parts) and the session id.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import accsyn
from accsyn import _wire as wire
from accsyn._requests import find_request

from .conftest import (
    API_KEY,
    FOLDER_ID,
    SESSION_ID,
    TRANSFER_ID,
    USERNAME,
    WORKSPACE,
    FakeClock,
    Recorder,
    Scripted,
)

SECRETS = {
    "api key": API_KEY,
    "b64 api key": base64.b64encode(API_KEY.encode()).decode(),
    "authorization": wire.auth_header(USERNAME, accsyn._config.Secret(API_KEY)),
    "session id": SESSION_ID,
}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def httpx_log_filter() -> Iterator[None]:
    """The documented opt-in for applications that show httpx's INFO request lines."""
    installed = accsyn.HttpxLogFilter()
    logging.getLogger("httpx").addFilter(installed)
    try:
        yield
    finally:
        logging.getLogger("httpx").removeFilter(installed)


def test_nothing_secret_is_logged_shown_or_raised(
    recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    # No filter installed: on the default transports the envelope never reaches the
    # URL httpx logs (it travels beside it, see accsyn._http._transports.RAW_QUERY).
    caplog.set_level(logging.DEBUG)  # the root: every logger, ours and httpx's
    texts: list[str] = []

    def expect(exc_type: type[Exception], call: Any) -> None:
        with pytest.raises(exc_type) as info:
            call()
        texts.extend([str(info.value), repr(info.value), repr(getattr(info.value, "body", ""))])

    clock = FakeClock()
    with accsyn.Session(
        workspace=WORKSPACE,
        username=USERNAME,
        api_key=API_KEY,
        proxy=f"accsyn:127.0.0.1:{recorder.port}",
        clock=clock,
        verbose=False,
    ) as session:
        texts.append(repr(session))
        texts.append(repr(session._core.config))
        texts.append(repr(session._core.ctx))
        session.find("transfer WHERE status!=failed")
        session.find_one("user WHERE code=lisa@example.com", raw=True)
        session.create("transfer", {"name": "big", "tasks": ["x" * 200] * 600})
        session.update("transfer", TRANSFER_ID, {"status": "paused"})
        session.delete_one("transfer", TRANSFER_ID)
        session.acl.grant("user", "lisa@example.com", "folder", "projects")
        session.acl.access("folder", FOLDER_ID)
        session.acl.revoke("user", "lisa@example.com", "folder", FOLDER_ID)
        session.files.ls("share=projects", recursive=True)
        # A password-protected delivery (the shape of `public` is undocumented: sent as is).
        session.create(
            "delivery", {"name": "d", "public": {"password": "hunter2-pass"}}, validate=False
        )
        texts.append(str(session.explain(find_request("transfer", "status=failed"))))

        # Errors, including ones that echo what we sent back at us.
        echo = json.dumps({"message": f"bad session {SESSION_ID} for key {API_KEY}"}).encode()
        recorder.script = [
            Scripted(401, json.dumps({"message": "invalid api key"}).encode()),
            Scripted(500, json.dumps({"exception": f"KeyError {API_KEY}"}).encode()),
            Scripted(429, b"<html>slow down</html>", {"Retry-After": "1"}),
            Scripted(200, b'{"result": []}'),
            Scripted(400, echo),
            Scripted(200, b"<html>not json</html>"),
        ]
        expect(accsyn.AuthenticationError, lambda: session.find("transfer"))
        expect(accsyn.ServerError, lambda: session.create("transfer", {"name": "x"}))
        session.find("transfer")  # 429 then retried
        expect(accsyn.BadRequestError, lambda: session.find("transfer"))
        expect(accsyn.ProtocolError, lambda: session.find("transfer"))
        texts.append(str(session.get_last_message()))
        texts.append(repr(session))

    # A wrong key at login, and a backend that cannot be reached.
    recorder.login_answer = Scripted(
        401, json.dumps({"message": f"no such key {API_KEY}"}).encode()
    )
    expect(
        accsyn.AuthenticationError,
        lambda: accsyn.Session(
            workspace=WORKSPACE,
            username=USERNAME,
            api_key=API_KEY,
            base_url=f"http://127.0.0.1:{recorder.port}",
        ),
    )
    expect(
        accsyn.ConnectError,
        lambda: accsyn.Session(
            workspace=WORKSPACE,
            username=USERNAME,
            api_key=API_KEY,
            base_url=f"http://127.0.0.1:{_closed_port()}",
            clock=FakeClock(),
        ),
    )

    log = caplog.text
    # The log is worth searching: it records what was sent and what came back.
    assert "uri=transfer/find" in log and "status=200" in log and "status=429" in log
    assert "HTTP Request: GET http://127.0.0.1" in log  # httpx's own line, query hidden
    assert '/api/v3/event "HTTP/1.1 200' in log and "/api/v3/event?" not in log
    assert "hunter2-pass" not in log  # credential-like payload fields are masked in logs
    haystack = "\n".join([log, *texts])
    for name, secret in SECRETS.items():
        assert secret not in haystack, f"the {name} leaked"


def test_with_a_custom_transport_the_documented_filter_hides_the_envelope(
    recorder: Recorder, caplog: pytest.LogCaptureFixture, httpx_log_filter: None
) -> None:
    caplog.set_level(logging.INFO)
    with accsyn.Session(
        workspace=WORKSPACE,
        username=USERNAME,
        api_key=API_KEY,
        base_url=f"http://127.0.0.1:{recorder.port}",
        transport=httpx.HTTPTransport(),
        rate_limit=None,
    ) as session:
        session.find("transfer")
    assert "/api/v3/event?***" in caplog.text
    assert SESSION_ID not in caplog.text


def test_the_sdk_leaves_other_packages_loggers_alone(recorder: Recorder) -> None:
    # Importing accsyn (and using a session) adds no filter or handler to httpx's
    # logger: what an application logs from httpx is the application's choice.
    import subprocess
    import sys

    code = (
        "import logging, accsyn, accsyn.session, accsyn._http\n"
        f"s = accsyn.Session(workspace={WORKSPACE!r}, username={USERNAME!r}, "
        f"api_key={API_KEY!r}, base_url='http://127.0.0.1:{recorder.port}', rate_limit=None)\n"
        "s.find('transfer')\n"
        "s.close()\n"
        f"a = accsyn.AsyncSession(workspace={WORKSPACE!r}, username={USERNAME!r}, "
        f"api_key={API_KEY!r}, base_url='http://127.0.0.1:{recorder.port}')\n"
        "for name in ('httpx', 'httpcore'):\n"
        "    log = logging.getLogger(name)\n"
        "    assert not log.filters and not log.handlers, (name, log.filters, log.handlers)\n"
        "assert sys.modules.get('sniffio', 0) is not None\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import sys\n" + code], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


# -- redaction happens before anything is cut --------------------------------------------


def _redactor() -> accsyn._http.Redactor:
    from accsyn._http import Redactor

    redact = Redactor()
    auth = wire.auth_header(USERNAME, accsyn._config.Secret(API_KEY))
    redact.add(API_KEY, auth, auth.split(" ", 1)[1], auth.rsplit(":", 1)[1], SESSION_ID)
    return redact


@pytest.mark.parametrize("secret", sorted(SECRETS.values()))
def test_no_cut_leaves_eight_characters_of_a_secret(secret: str) -> None:
    redact = _redactor()
    text = f"error: the server echoed {secret} back"
    for cut in range(len(text) + 1):
        for piece in (text[:cut], text[cut:]):
            shown = redact(piece)
            for i in range(len(secret) - 7):
                assert secret[i : i + 8] not in shown, (cut, piece, shown)


def test_redaction_keeps_ordinary_text() -> None:
    redact = _redactor()
    assert redact("no secrets here, just a sentence") == "no secrets here, just a sentence"
    assert redact(f"key={API_KEY}; session={SESSION_ID}") == "key=***; session=***"


@pytest.mark.parametrize("offset", range(0, 60))
def test_a_snippet_cut_inside_the_key_shows_none_of_it(recorder: Recorder, offset: int) -> None:
    # The error snippet of a non-JSON answer is its first 200 characters; put the key
    # (and its base64 form) across that cut, at every offset.
    b64 = SECRETS["b64 api key"]
    filler = "x" * (200 - offset)
    page = f"{filler}{API_KEY} {b64} and more"
    recorder.script = [Scripted(502, page.encode())]
    with (
        accsyn.Session(
            workspace=WORKSPACE,
            username=USERNAME,
            api_key=API_KEY,
            base_url=f"http://127.0.0.1:{recorder.port}",
            retry=None,
            rate_limit=None,
        ) as session,
        pytest.raises(accsyn.ServerError) as info,
    ):
        session.find("transfer")
    shown = f"{info.value} {info.value!r} {getattr(info.value, 'body', '')!r}"
    for secret in (API_KEY, b64):
        for i in range(len(secret) - 7):
            assert secret[i : i + 8] not in shown
