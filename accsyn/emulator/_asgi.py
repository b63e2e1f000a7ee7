"""The emulator as an ASGI application (starlette), and ``serve`` under uvicorn."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import secrets
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from accsyn._exceptions import ConfigurationError
from accsyn.emulator._backend import MAX_BODY, Backend
from accsyn.emulator._clock import Clock
from accsyn.emulator._faults import Faults

__all__ = ["create_app", "serve", "write_env_files"]


#: Requests with a body up to this size are answered on the event loop thread;
#: larger ones (bulk creates) go to a worker thread so the loop stays responsive.
INLINE_BODY = 64 * 1024
_JSON_TYPE = (b"content-type", b"application/json")


async def _read_body(receive: Any) -> bytes | None:
    """The request body (cut short past MAX_BODY), or None if the client went away."""
    message = await receive()
    if message["type"] != "http.request":
        return None
    body: bytes = message.get("body", b"")
    if not message.get("more_body", False):
        return body
    chunks = [body]
    size = len(body)
    while size <= MAX_BODY:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    # Past MAX_BODY this is enough to know it is too large: the backend answers 413.
    return b"".join(chunks)


def create_app(backend: Backend) -> Any:
    """The ASGI app serving ``backend`` (every path, every method).

    The raw query string is passed through untouched: the envelope of GET and
    DELETE events is URL-quoted JSON, not ``key=value`` pairs.

    A plain ASGI callable, no framework objects per request: the emulator's own
    time per small request is what clients benchmarked against it pay on top of
    their own. Small requests are answered on the event loop thread (the backend
    serializes requests on one lock anyway, and a thread hop costs more than a
    small find); injected latency is an ``asyncio.sleep``, so concurrent requests
    overlap their waits.
    """

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        if body is None:
            return
        client = scope.get("client") or ("127.0.0.1", 0)
        args = (
            scope["method"],
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
            {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]},
            body,
            str(client[0]),
        )
        if len(body) <= INLINE_BODY:
            reply = backend.handle(*args)
        else:
            reply = await asyncio.get_running_loop().run_in_executor(None, backend.handle, *args)
        if reply.latency:
            await asyncio.sleep(reply.latency)
        if reply.drop:
            # Start a response that promises a body, then stop: the client sees a
            # connection dropped mid-answer.
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-length", b"100")],
                }
            )
            raise ConnectionAbortedError("injected dropped connection")
        content = reply.content()
        headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()
        ]
        headers.append((b"content-length", str(len(content)).encode("latin-1")))
        headers.append(_JSON_TYPE)
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    return app


def write_env_files(
    directory: str | os.PathLike[str],
    workspace: str,
    keys: dict[str, str],
    users: dict[str, str],
    host: str,
    port: int,
) -> list[Path]:
    """Write ``.env.<role>`` files for the official client and our Session."""
    out = []
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    for role, key in keys.items():
        p = d / f".env.{role}"
        text = (
            "# accsyn emulator credentials - for local use only\n"
            f"ACCSYN_WORKSPACE={workspace}\n"
            f"ACCSYN_API_USER={users[role]}\n"
            f"ACCSYN_API_KEY={key}\n"
            f"ACCSYN_PROXY=accsyn:{host}:{port}\n"
        )
        # Credentials: readable by the owner only, from the moment the file exists.
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        out.append(p)
    return out


def serve(
    host: str = "127.0.0.1",
    port: int = 8181,
    db: str | os.PathLike[str] | None = None,
    seed: str | None = "demo",
    write_env: str | os.PathLike[str] | None = None,
    *,
    files_root: str | os.PathLike[str] | None = None,
    faults: Faults | None = None,
    log_level: str = "warning",
    from_cassette: str | os.PathLike[str] | None = None,
    allow_remote: bool = False,
) -> None:
    """Run an emulated workspace over HTTP under uvicorn (blocking).

    ``from_cassette`` seeds the workspace with every entity a recorded cassette
    shows instead (see :func:`accsyn.contract.workspace_from_cassette`).

    ``seed`` is ``"demo"`` (or any other string) for demo content, ``None`` (or
    ``"none"``) for only the defaults and one user per role; an existing ``db``
    file is reopened as is. Prints the API key of each role's user at start-up
    (deterministic for a seed: local use only) and with ``write_env`` writes
    ``.env.admin``, ``.env.employee`` and ``.env.standard`` there. Point the
    official client at it with ``AS_DEV=1`` (port 8181) or the written
    ``ACCSYN_PROXY`` (``path_envfile=``).

    A non-loopback ``host`` exposes the workspace to the network: it is refused
    unless ``allow_remote`` is true, and then every role gets a random API key
    instead of the seed's predictable one. A temporary files root is removed when
    the server stops (Ctrl-C / SIGINT, SIGTERM).

    The ``server`` extra installs ``httptools``, uvicorn's C HTTP parser: a small
    find over loopback takes about 1.0 ms instead of 1.8 ms on h11 (``python -m
    bench --only calls``); ``uvloop``, when installed, is used too. Same answers.
    """
    import uvicorn  # noqa: F401  (first: a missing extra is named before anything else)

    if isinstance(seed, str) and seed.strip().lower() in ("", "none"):
        seed = None
    if not is_loopback(host) and not allow_remote:
        raise ConfigurationError(
            f"--host {host} is reachable from other machines and the demo keys are public; "
            "pass --allow-remote to serve it anyway (random keys are then used), "
            "or use --host 127.0.0.1"
        )
    scratch = None if files_root or db else tempfile.mkdtemp(prefix="accsyn-emulator-")
    # uvicorn shuts down on SIGTERM, then re-raises it under the previous handler;
    # the default one would end the process before the cleanup below runs.
    previous = _exit_on_sigterm()
    try:
        _serve(host, port, db, seed, write_env, files_root, scratch, faults, log_level,
               from_cassette, allow_remote)  # fmt: skip
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm() -> Any:
    """Make SIGTERM raise SystemExit (in the main thread); the previous handler."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def _exit(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    return signal.signal(signal.SIGTERM, _exit)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names only this machine (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _serve(
    host: str,
    port: int,
    db: str | os.PathLike[str] | None,
    seed: str | None,
    write_env: str | os.PathLike[str] | None,
    files_root: str | os.PathLike[str] | None,
    scratch: str | None,
    faults: Faults | None,
    log_level: str,
    from_cassette: str | os.PathLike[str] | None,
    allow_remote: bool,
) -> None:
    import uvicorn

    from accsyn.emulator._workspace import open_backend

    root = Path(files_root or scratch or (str(db) + ".files"))
    backend, keys, users = open_backend(
        db,
        seed=None if from_cassette is not None else seed,
        files_root=root,
        clock=Clock(realtime=True),
        faults=faults,
    )
    if from_cassette is not None:
        from accsyn.contract._replay import seed_from_cassette

        keys, users = seed_from_cassette(backend, from_cassette)
    if allow_remote and not is_loopback(host):
        keys = {role: secrets.token_hex(16) for role in keys}
        for role, key in keys.items():
            backend.store.set_account(users[role], key)
    print(f"accsyn emulator: workspace '{backend.code}' on http://{host}:{port}", file=sys.stderr)
    for role, key in keys.items():
        print(f"  {role:9s} {users[role]:24s} api key {key}", file=sys.stderr)
    print("  (keys are for local use only)", file=sys.stderr)
    if write_env is not None:
        for p in write_env_files(write_env, backend.code, keys, users, host, port):
            print(f"  wrote {p}", file=sys.stderr)
    uvicorn.run(
        create_app(backend),
        host=host,
        port=port,
        log_level=log_level,
        # Access lines are info-level: below that, skip building them per request.
        access_log=log_level.lower() in ("trace", "debug", "info"),
        lifespan="off",
    )
