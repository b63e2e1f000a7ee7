"""``python -m bench._server``: ``accsyn.emulator.serve`` with fault-injected latency.

The benchmark suite runs the emulator in its own process, like a real backend, so
the client being measured shares nothing with it but the loopback interface.
"""

from __future__ import annotations

import argparse

from accsyn.emulator import Faults, serve


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and serve until interrupted."""
    p = argparse.ArgumentParser(prog="python -m bench._server")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--db", default=None)
    p.add_argument("--files-root", default=None)
    p.add_argument("--write-env", required=True)
    p.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    a = p.parse_args(argv)
    faults = Faults(latency=a.latency) if a.latency else None
    serve(
        host="127.0.0.1",
        port=a.port,
        db=a.db,
        seed="demo",
        write_env=a.write_env,
        files_root=a.files_root,
        faults=faults,
        log_level="error",
    )


if __name__ == "__main__":
    main()
