"""``accsyn serve`` is safe to leave running: loopback unless asked, private files,
no leftovers, and the "answer lost after commit" fault exists."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import accsyn
from accsyn.emulator import LocalWorkspace
from accsyn.emulator._asgi import is_loopback, serve, write_env_files


def test_env_files_are_private(tmp_path: Path) -> None:
    (tmp_path / ".env.admin").write_text("old")
    (tmp_path / ".env.admin").chmod(0o644)
    files = write_env_files(tmp_path, "ws", {"admin": "k" * 32}, {"admin": "a@x"}, "127.0.0.1", 1)
    assert [stat.S_IMODE(p.stat().st_mode) for p in files] == [0o600]
    assert "k" * 32 in files[0].read_text()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.7", "example.com"])
def test_a_non_loopback_host_needs_allow_remote(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(accsyn.ConfigurationError, match="--allow-remote"):
        serve(host=host, port=1, seed=None)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


def test_allow_remote_uses_random_keys(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn

    served: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.append(kw))
    serve(host="0.0.0.0", port=8181, seed=None, allow_remote=True)
    assert served and served[0]["host"] == "0.0.0.0"
    with LocalWorkspace(seed=None) as ws:
        public = ws.credentials("admin")[2]
    banner = capsys.readouterr().err
    assert "api key" in banner
    assert public not in banner


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_temporary_files_are_removed_on_exit(tmp_path: Path, sig: signal.Signals) -> None:
    port = _free_port()
    env = dict(os.environ, TMPDIR=str(tmp_path))
    proc = subprocess.Popen(
        [sys.executable, "-m", "accsyn.emulator", "--port", str(port), "--seed", "none"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):  # up to ~30 s on a loaded machine
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        assert list(tmp_path.glob("accsyn-emulator-*")), "the server made no files root"
        proc.send_signal(sig)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert list(tmp_path.glob("accsyn-emulator-*")) == []


def test_drop_after_commit_stores_the_create_and_loses_the_answer() -> None:
    with LocalWorkspace.fresh() as ws:
        s = ws.session()
        ws.faults.script("drop-after-commit")
        with pytest.raises(accsyn.TransportError):
            s.create("queue", {"name": "lost-answer"})
        assert len(s.find("queue WHERE name=lost-answer", raw=True)) == 1
