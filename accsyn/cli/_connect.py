"""Connection options shared by every command that talks to a workspace.

Flags win over the environment and ``.env`` (the session itself reads those, exactly as
``accsyn.Session`` does). With ``--local`` commands run against an embedded, seeded local
workspace. With no credentials anywhere they stop with :class:`NotConfigured` (exit 2)
saying how to configure one: answering from demo data unasked would look real in a cron
job.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accsyn._config import read_env_file
from accsyn._constants import (
    DEFAULT_ENV_FILE,
    ENV_API_KEY,
    ENV_API_USER,
    ENV_CREDENTIALS_PATH,
    ENV_WORKSPACE,
)
from accsyn._exceptions import ConfigurationError

if TYPE_CHECKING:
    from accsyn.session import Session

__all__ = ["Connection", "NotConfigured", "has_credentials", "key_source", "open_session"]

_CREDENTIAL_KEYS = (*ENV_WORKSPACE, ENV_API_USER, ENV_API_KEY)


@dataclass(frozen=True)
class Connection:
    """Where and as whom to connect; ``None`` means "as the session resolves it"."""

    workspace: str | None = None
    user: str | None = None
    api_key: str | None = None
    hostname: str | None = None
    port: int | None = None
    base_url: str | None = None
    proxy: str | None = None
    env_file: str | None = None
    local: bool = False

    def __repr__(self) -> str:
        # The key must never reach a log line or a traceback.
        key = "***" if self.api_key else None
        return (
            f"Connection(workspace={self.workspace!r}, user={self.user!r}, api_key={key!r}, "
            f"hostname={self.hostname!r}, port={self.port!r}, base_url={self.base_url!r}, "
            f"local={self.local!r})"
        )

    def secrets(self) -> list[str]:
        """Every secret value this connection may use, to scrub from any output."""
        found = [
            self.api_key or "",
            os.environ.get(ENV_API_KEY, ""),
            _read_env_file(self._env_path()).get(ENV_API_KEY, ""),
        ]
        return [s for s in found if len(s) >= 4]

    def _env_path(self) -> Path | None:
        if self.env_file:
            return Path(self.env_file)
        if os.environ.get(ENV_CREDENTIALS_PATH):
            return Path(os.environ[ENV_CREDENTIALS_PATH])
        default = Path(DEFAULT_ENV_FILE)
        return default if default.is_file() else None


def _read_env_file(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        return read_env_file(path)
    except ConfigurationError:
        return {}


class NotConfigured(ConfigurationError):
    """No workspace is configured and ``--local`` was not given."""

    def __init__(self) -> None:
        super().__init__(
            "no accsyn workspace configured. Pass --workspace, --user and --api-key; "
            f"or set {ENV_WORKSPACE[0]}, {ENV_API_USER} and {ENV_API_KEY} (in the environment, "
            f"in ./{DEFAULT_ENV_FILE} or in a file given with --env-file or "
            f"{ENV_CREDENTIALS_PATH}); or pass --local to use the embedded demo workspace"
        )


def key_source(conn: Connection) -> str | None:
    """Where the API key comes from (``--api-key``, the variable, or a file), if anywhere."""
    if conn.local:
        return "the local workspace"
    if conn.api_key:
        return "--api-key"
    if os.environ.get(ENV_API_KEY):
        return ENV_API_KEY
    path = conn._env_path()
    if _read_env_file(path).get(ENV_API_KEY):
        return str(path)
    return None


def has_credentials(conn: Connection) -> bool:
    """Whether flags, the environment or a ``.env`` file name a workspace to connect to."""
    if conn.workspace or conn.user or conn.api_key or conn.base_url or conn.env_file:
        return True
    if any(os.environ.get(key) for key in _CREDENTIAL_KEYS):
        return True
    return any(_read_env_file(conn._env_path()).get(key) for key in _CREDENTIAL_KEYS)


@contextmanager
def open_session(conn: Connection, *, lazy: bool = True) -> Iterator[Session]:
    """Yield a session on the configured workspace, or on the embedded one with ``--local``.

    ``lazy`` (the default) logs in on the first request, so a command can check its
    arguments against the models before anything is sent.
    """
    if conn.local:
        from accsyn.emulator import LocalWorkspace

        with (
            LocalWorkspace(seed="demo") as workspace,
            workspace.session(role="admin", lazy=lazy) as session,
        ):
            yield session
        return
    if not has_credentials(conn):
        raise NotConfigured()

    from accsyn.session import Session

    kwargs: dict[str, Any] = {
        "workspace": conn.workspace,
        "username": conn.user,
        "api_key": conn.api_key,
        "hostname": conn.hostname,
        "port": conn.port,
        "proxy": conn.proxy,
        "path_envfile": conn.env_file,
        "lazy": lazy,
    }
    if conn.base_url:
        kwargs["base_url"] = conn.base_url
    with Session(**kwargs) as session:
        yield session
