"""Commands on the local emulated workspace: ``serve`` and ``demo``."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from accsyn.cli._base import app, command, fail, offline

__all__ = ["demo", "port_problem", "serve"]


def port_problem(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on (``None`` if it can), checked by binding it.

    ``serve`` asks before printing its banner and keys, so a busy port gives one clear
    error instead of a banner followed by the server's traceback.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return f"cannot resolve --host {host!r}: {exc.strerror}"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        # As the server will: a port left in TIME_WAIT by a previous run is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            return (
                f"cannot listen on {host}:{port} ({reason}); is another server running there? "
                "Pick another port with --port"
            )
    return None


@command(app)
@offline
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8181,
    db: Annotated[
        Path | None,
        typer.Option(help="SQLite file to keep the workspace in (default: in memory)."),
    ] = None,
    seed: Annotated[
        str, typer.Option(help="Seed data: 'demo', or 'none' for an empty workspace.")
    ] = "demo",
    write_env: Annotated[
        Path | None,
        typer.Option(
            "--write-env",
            help="Write .env files with working credentials for each role into this directory.",
        ),
    ] = None,
    from_cassette: Annotated[
        Path | None,
        typer.Option(
            "--from-cassette",
            help="Seed with every entity in this cassette (from accsyn record) instead.",
        ),
    ] = None,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Allow a non-loopback --host (every role then gets a random API key).",
        ),
    ] = False,
) -> None:
    """Run a local emulated accsyn workspace over HTTP (Ctrl-C to stop)."""
    import uvicorn  # noqa: F401  (first, so a missing extra is named before anything else)

    from accsyn.emulator._asgi import is_loopback

    if not is_loopback(host) and not allow_remote:
        fail(
            f"--host {host} is reachable from other machines and the demo keys are public; "
            "pass --allow-remote to serve it anyway (random keys are then used)"
        )
    problem = port_problem(host, port)
    if problem is not None:
        fail(problem)

    from accsyn.emulator import serve as run_server

    run_server(
        host=host,
        port=port,
        db=str(db) if db is not None else None,
        seed=None if seed.lower() == "none" else seed,
        write_env=str(write_env) if write_env is not None else None,
        from_cassette=str(from_cassette) if from_cassette is not None else None,
        allow_remote=allow_remote,
    )


@command(app)
@offline
def demo() -> None:
    """A guided tour of the SDK on an embedded local workspace (no network needed)."""
    from accsyn.cli._demo import run_demo

    run_demo(Console())
