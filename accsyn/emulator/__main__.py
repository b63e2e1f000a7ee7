"""``python -m accsyn.emulator [--host H] [--port P] [--db PATH] [--seed S] [--write-env DIR]``."""

from __future__ import annotations

import argparse

from accsyn.emulator._asgi import serve


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and run the server (blocking)."""
    p = argparse.ArgumentParser(prog="python -m accsyn.emulator", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8181)
    p.add_argument("--db", default=None, help="SQLite file (default: in memory)")
    p.add_argument("--seed", default="demo", help="'demo' (default) or 'none'")
    p.add_argument("--write-env", default=None, help="write .env.<role> files here")
    p.add_argument(
        "--allow-remote", action="store_true", help="allow a non-loopback --host (random keys)"
    )
    a = p.parse_args(argv)
    seed = None if a.seed.lower() == "none" else a.seed
    serve(
        host=a.host,
        port=a.port,
        db=a.db,
        seed=seed,
        write_env=a.write_env,
        allow_remote=a.allow_remote,
    )


if __name__ == "__main__":
    main()
