"""`accsyn serve` in a subprocess, driven end to end by the `accsyn` script."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accsyn.cli._app import app

SCRIPT = str(Path(sys.executable).with_name("accsyn"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ACCSYN_") and k != "AS_DEV"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A running `accsyn serve`; yields the directory holding its .env files."""
    env_dir = tmp_path_factory.mktemp("env")
    port = _free_port()
    proc = subprocess.Popen(
        [SCRIPT, "serve", "--host", "127.0.0.1", "--port", str(port), "--write-env", str(env_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_clean_env(),
        cwd=env_dir,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                _out, err = proc.communicate()
                pytest.fail(f"accsyn serve exited with {proc.returncode}:\n{err.decode()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    pass
                if (env_dir / ".env.admin").is_file():
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("accsyn serve did not start listening within 30 s")
            time.sleep(0.1)
        yield env_dir
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        proc.stderr.close()


@pytest.fixture(autouse=True)
def _no_ambient_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in [k for k in os.environ if k.startswith("ACCSYN_") or k == "AS_DEV"]:
        monkeypatch.delenv(key)


class _Result:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def _accsyn(*args: str, env_dir: Path) -> _Result:
    """Run a command in-process (CliRunner) against the server; fast, same code path."""
    result = CliRunner().invoke(app, [*args, "--env-file", str(env_dir / ".env.admin")])
    return _Result(result.exit_code, result.stdout, result.stderr)


def _accsyn_script(*args: str, env_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed `accsyn` script in a subprocess."""
    return subprocess.run(
        [SCRIPT, *args, "--env-file", str(env_dir / ".env.admin")],
        capture_output=True,
        text=True,
        env=_clean_env(),
        cwd=env_dir,
        timeout=60,
    )


def test_find_json_against_the_server(server: Path) -> None:
    result = _accsyn_script("find", "transfer", "--json", "--page-size", "7", env_dir=server)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) > 7  # more than one page was fetched
    assert len({row["id"] for row in rows}) == len(rows)
    assert all(len(row["id"]) == 24 for row in rows)
    # The server's key is in the .env file; the CLI never echoes it.
    key = next(
        line.split("=", 1)[1]
        for line in (server / ".env.admin").read_text().splitlines()
        if line.startswith("ACCSYN_API_KEY=")
    )
    assert key not in result.stdout + result.stderr


def test_find_filters_selects_and_limits(server: Path) -> None:
    result = _accsyn(
        "find",
        "user WHERE role=admin",
        "--select",
        "id,code,role",
        "--json",
        "--limit",
        "1",
        env_dir=server,
    )
    assert result.returncode == 0, result.stderr
    [row] = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["role"] == "admin"
    assert set(row) == {"id", "code", "role"}


def test_create_get_update_delete_round_trip(server: Path) -> None:
    created = _accsyn(
        "create", "queue", "--data", '{"code": "cli-test", "priority": 10}', "--json",
        env_dir=server,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    queue = json.loads(created.stdout)
    assert queue["code"] == "cli-test"
    qid = queue["id"]

    got = _accsyn("get", "queue", qid, "--json", env_dir=server)
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["id"] == qid
    shown = _accsyn("get", "queue", qid, env_dir=server)  # a table for people
    assert shown.returncode == 0, shown.stderr
    assert "priority" in shown.stdout and "cli-test" in shown.stdout

    updated = _accsyn(
        "update", "queue", qid, "--data", '{"priority": 20}', "--json", env_dir=server
    )
    assert updated.returncode == 0, updated.stderr
    assert json.loads(updated.stdout)["priority"] == 20

    deleted = _accsyn("delete", "queue", qid, env_dir=server)
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout.strip() == f"deleted queue {qid}"


def test_entitytypes_and_attributes(server: Path) -> None:
    types = _accsyn("entitytypes", "--json", env_dir=server)
    assert types.returncode == 0, types.stderr
    assert "transfer" in json.loads(types.stdout)
    attrs = _accsyn("attributes", "transfer", "--json", env_dir=server)
    assert attrs.returncode == 0, attrs.stderr
    assert "status" in json.loads(attrs.stdout)


def test_server_errors_are_one_line(server: Path) -> None:
    result = _accsyn("get", "transfer", "0123456789abcdef01234567", env_dir=server)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr


def test_whoami_against_the_server(server: Path) -> None:
    result = _accsyn("whoami", "--json", env_dir=server)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["user"] == "admin@example.com"
    assert info["role"] == "admin"
    assert info["endpoint"].startswith("http://127.0.0.1:")
    # Where the key came from, never the key.
    assert info["api_key"] == f"*** (from {server / '.env.admin'})"
    key = next(
        line.split("=", 1)[1]
        for line in (server / ".env.admin").read_text().splitlines()
        if line.startswith("ACCSYN_API_KEY=")
    )
    assert key not in result.stdout + result.stderr
