"""Shared machinery of the benchmark suite: timing, machine facts, servers, seeded files.

Every benchmark module exposes ``run(quick: bool = False) -> dict`` and
``table(result) -> str`` (the shape of ``bench/query.py``); a result may carry a
``"claims"`` list, the rows of the headline table (see :func:`claim`).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import platform
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
CACHE = RESULTS / "cache"


# --------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(
    contenders: Mapping[str, Callable[[], object]], repeats: int, *, warmup: bool = True
) -> dict[str, list[float]]:
    """Time each contender ``repeats`` times, round-robin so machine noise hits all alike."""
    if warmup:
        for fn in contenders.values():
            fn()
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            samples[name].append(timed(fn))
    return samples


def median(samples: list[float]) -> float:
    """The median of a non-empty list."""
    return statistics.median(samples)


def claim(
    benchmark: str,
    measure: str,
    *,
    ours: str,
    baseline: str,
    baseline_value: str,
    ratio: float | None,
    target: str | None = None,
    met: bool | None = None,
    goal: float | None = None,
) -> dict[str, Any]:
    """One row of the headline table.

    ``ours`` and ``baseline_value`` are the measured figures as text; ``ratio`` is
    how many times better ours is than the baseline (higher is better), or None
    when the claim is an absolute bound; ``goal`` is the ratio the target asks for
    (drawn on the plot).
    """
    return {
        "benchmark": benchmark,
        "measure": measure,
        "ours": ours,
        "baseline": baseline,
        "baseline_value": baseline_value,
        "ratio": ratio,
        "target": target,
        "met": met,
        "goal": goal,
    }


def peak_rss_mb() -> float:
    """Peak resident set size of this process, in MB.

    On Linux this is ``VmHWM`` from ``/proc/self/status``: ``getrusage``'s
    ``ru_maxrss`` survives ``execve``, so a child started from a big parent would
    report the parent's peak.
    """
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 if sys.platform != "darwin" else rss / 1024 / 1024


# --------------------------------------------------------------------------------------
# The machine
# --------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        load = os.getloadavg()
    except OSError:
        load = (0.0, 0.0, 0.0)
    versions: dict[str, str] = {}
    for dist in ("accsyn", "accsyn-python-api", "httpx", "pydantic", "requests", "uvicorn"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[dist] = version(dist)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "loadavg_at_start": [round(x, 2) for x in load],
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "versions": versions,
    }


# --------------------------------------------------------------------------------------
# Seeded workspace files (cached under bench/results/cache)
# --------------------------------------------------------------------------------------


def _emulator_fingerprint() -> str:
    """Changes whenever the emulator's code does, so a stale cached file is never reused."""
    h = hashlib.sha256()
    for p in sorted((ROOT / "accsyn" / "emulator").glob("*.py")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def seeded_file(transfers: int, *, all_active: bool = False) -> Path:
    """A SQLite workspace file with the demo seed plus ``transfers`` transfers.

    The rows come from the emulator's own bulk generator (``generate_transfers``)
    through its store, so hot columns and indexes are exactly the emulator's. Big
    files are built fast: one block of generated rows is inserted, then copied in
    SQL with fresh ids, with the store's indexes dropped during the copy and
    rebuilt once at the end. ``all_active`` puts every transfer in the active pool
    (the default scope of ``find``) whatever its status.
    """
    CACHE.mkdir(parents=True, exist_ok=True)
    tag = f"ws-{transfers}-{'active' if all_active else 'mixed'}-{_emulator_fingerprint()}"
    path = CACHE / f"{tag}.sqlite"
    if path.exists():
        return path
    for stale in CACHE.glob(f"ws-{transfers}-{'active' if all_active else 'mixed'}-*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
    tmp = CACHE / f"{tag}.partial.sqlite"
    for leftover in CACHE.glob(f"{tag}.partial.sqlite*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink()
    _build(tmp, transfers, all_active=all_active)
    files = Path(str(tmp) + ".files")
    tmp.rename(path)
    if files.exists():
        files.rename(Path(str(path) + ".files"))
    return path


def _build(path: Path, transfers: int, *, all_active: bool) -> None:
    from accsyn.emulator import Clock, open_backend
    from accsyn.emulator._seed import generate_transfers
    from accsyn.emulator._sql import hot_columns

    backend, _, _ = open_backend(
        path,
        seed="demo",
        files_root=Path(str(path) + ".files"),
        clock=Clock(realtime=True),
        transfers=0,
    )
    store = backend.store
    conn = store.conn
    try:
        parties = store.select(["workspace", "site", "user"], states=None)
        owners = store.select(["user"], states=None)
        queue = store.select(["queue"], states=None, extra=("h_code = 'medium'", []))[0]
        block = min(transfers, 10_000)
        rows = generate_transfers(
            random.Random(transfers),
            block,
            parties=parties,
            owners=owners,
            queue=queue,
            start=datetime(2026, 1, 1, tzinfo=timezone.utc),
        )
        if all_active:
            rows = ((et, data, "active") for et, data, _ in rows)
        store.insert_rows(rows)
        remaining = transfers - block
        if remaining > 0:
            _copy_block(conn, block, remaining, hot_columns())
    finally:
        store.close()


def _copy_block(conn: Any, block: int, remaining: int, hot: list[str]) -> None:
    """Append ``remaining`` copies of the generated transfers, each with a new id."""
    indexes = [
        (name, sql)
        for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type='index' AND tbl_name='entity' AND sql IS NOT NULL"
        )
    ]
    for name, _ in indexes:
        conn.execute(f"DROP INDEX IF EXISTS {name}")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA cache_size=-262144")
    conn.execute("PRAGMA temp_store=MEMORY")
    lo, hi = conn.execute("SELECT min(seq), max(seq) FROM entity WHERE et='transfer'").fetchone()
    cols = ", ".join(["id", "et", "state", "data", "t_next", *hot])
    copy = (
        f"INSERT INTO entity ({cols}) "
        f"SELECT nid, et, state, replace(data, id, nid), t_next, {', '.join(hot)} FROM ("
        "SELECT printf('%08x%016x', ?, seq) AS nid, * FROM entity "
        "WHERE et='transfer' AND seq BETWEEN ? AND ? ORDER BY seq LIMIT ?)"
    )
    conn.execute("BEGIN")
    for k in itertools.count(1):
        if remaining <= 0:
            break
        n = min(block, remaining)
        # Copies keep every attribute but the id, which is new and unique.
        conn.execute(copy, (k, lo, hi, n))
        remaining -= n
    conn.execute("COMMIT")
    for _, sql in indexes:
        conn.execute(sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode=WAL")


# --------------------------------------------------------------------------------------
# `accsyn serve` in a subprocess
# --------------------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env() -> dict[str, str]:
    """This process's environment without accsyn settings (they would redirect clients)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ACCSYN_") and k != "AS_DEV"}


@dataclass
class Server:
    """A running emulator server: where it listens and the ``.env`` files it wrote."""

    port: int
    env_dir: Path
    process: subprocess.Popen[bytes]

    def envfile(self, role: str = "admin") -> str:
        """The ``.env`` file of ``role``'s user (workspace, user, key, ``ACCSYN_PROXY``)."""
        return str(self.env_dir / f".env.{role}")

    def credentials(self, role: str = "admin") -> dict[str, str]:
        """The key/value pairs of ``role``'s ``.env`` file."""
        out = {}
        for line in Path(self.envfile(role)).read_text().splitlines():
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                out[k.strip()] = v.strip()
        return out


@contextlib.contextmanager
def served(db: Path | None = None, *, latency: float = 0.0) -> Iterator[Server]:
    """Run ``accsyn.emulator.serve`` in a subprocess on a free loopback port."""
    work = Path(tempfile.mkdtemp(prefix="accsyn-bench-serve-"))
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "bench._server",
        "--port",
        str(port),
        "--write-env",
        str(work),
        "--latency",
        str(latency),
    ]
    if db is not None:
        cmd += ["--db", str(db)]
    else:
        cmd += ["--files-root", str(work / "files")]
    log = (work / "server.log").open("wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=clean_env(), stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"the emulator server exited ({proc.returncode}):\n"
                    + (work / "server.log").read_text(errors="replace")[-2000:]
                )
            if (work / ".env.admin").is_file():
                with (
                    contextlib.suppress(OSError),
                    socket.create_connection(("127.0.0.1", port), timeout=0.5),
                ):
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the emulator server did not start within 120 s")
            time.sleep(0.05)
        yield Server(port, work, proc)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def isolated_environ() -> Iterator[None]:
    """Restore ``os.environ`` afterwards: the official client writes ``.env`` values into it."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def import_official() -> Any:
    """``accsyn_api`` imported, with the root-logging side effect of its import undone.

    Importing it calls ``logging.basicConfig(level=INFO)``, which makes httpx log
    every request our clients send; a user would silence that, and so do we.
    """
    import logging

    import accsyn_api

    logging.getLogger().setLevel(logging.WARNING)
    return accsyn_api


def fmt_ratio(x: float) -> str:
    """A ratio as ``12.3x`` (two significant decimals below 10)."""
    return f"{x:.2f}x" if x < 10 else f"{x:.1f}x"


def touch(store: Any) -> None:
    """Write one row of ``store`` (a local workspace's): every cache the emulator derives
    from the data (kept answers, remembered callers, selects) starts over, so the next
    request does the whole work, as after a test's create or update."""
    store.conn.execute("UPDATE meta SET value=value WHERE key='workspace'")
