"""Session configuration: arguments, then the environment, then ``.env`` files.

Resolution follows the official client's precedence (protocol.md §1.8) but never
touches ``os.environ``: everything is resolved into one immutable :class:`Config`.

* A ``.env`` file (``path_envfile``, else ``ACCSYN_CREDENTIALS_PATH``, else ``./.env``)
  overrides the process environment, as the official client's override mode does.
* Constructor arguments beat both.
* ``AS_DEV`` (exactly ``true`` or ``1``) is read after the ``.env`` file, so it may live
  there.
"""

from __future__ import annotations

import os
import socket
import ssl
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from accsyn import _constants as const
from accsyn._exceptions import ConfigurationError

__all__ = [
    "Config",
    "ProxySpec",
    "Secret",
    "default_device",
    "parse_proxy",
    "read_env_file",
    "reject_legacy_credentials",
    "resolve_config",
]

#: Constructor arguments of the v1/v2 official client that v3 no longer accepts.
LEGACY_CREDENTIALS = ("pwd", "session_key")

#: Where a user gets the API key that replaces them.
API_KEY_HELP = (
    "accsyn v3 authenticates with API keys only: create one in the accsyn web app "
    "(your user profile, section API key; ask your workspace admin if API access is "
    "not enabled) and pass it as api_key=... or set ACCSYN_API_KEY"
)


class Secret:
    """A string that never shows itself in ``repr``, ``str`` or f-strings."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        """Return the wrapped secret (only the wire layer should call this)."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({const.REDACTED!r})"

    def __str__(self) -> str:
        return const.REDACTED

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would write the secret somewhere we do not control.
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True)
class ProxySpec:
    """A parsed ``ACCSYN_PROXY`` / ``proxy=`` setting (protocol.md §1.6).

    ``kind == "accsyn"`` is the accsyn relay: requests go over plain http to the relay's
    host and port instead of the workspace. ``kind == "socks5"`` tunnels the
    connection through a SOCKS5 proxy (httpx's own SOCKS support).
    """

    kind: Literal["accsyn", "socks5"]
    host: str
    port: int

    @property
    def url(self) -> str:
        """The proxy URL as httpx understands it (SOCKS only)."""
        return f"socks5://{self.host}:{self.port}"


def parse_proxy(setting: str) -> ProxySpec:
    """Parse a proxy setting: ``[type:]host[:port]`` with type ``accsyn``, ``socks`` or ``socks5``.

    Unlike the official client, a malformed setting raises instead of silently
    disabling TLS.
    """
    s = setting.strip()
    parts = s.split(":")
    kind: str
    if s.find(":") <= 0:
        # The official client: no colon (or a leading one) is a bare relay host, port 80.
        kind, host, port_text = "accsyn", s, str(const.DEFAULT_PROXY_PORT)
    elif len(parts) == 3:
        kind, host, port_text = parts
    elif len(parts) == 2:
        kind, host, port_text = "accsyn", parts[0], parts[1]
    else:
        raise ConfigurationError(
            f"Invalid proxy setting {setting!r}: use [accsyn|socks|socks5:]<host>[:<port>]"
        )
    kind = kind.strip().lower()
    if kind == "socks":
        kind = "socks5"
    if kind not in ("accsyn", "socks5"):
        raise ConfigurationError(
            f'Unknown proxy type "{kind}" in {setting!r} (supported: accsyn, socks, socks5)'
        )
    try:
        port = int(port_text)
    except ValueError:
        raise ConfigurationError(
            f"Invalid proxy port {port_text!r} in {setting!r}: must be an integer"
        ) from None
    if not host or not 0 < port < 65536:
        raise ConfigurationError(f"Invalid proxy setting {setting!r}: need a host and a port")
    return ProxySpec(kind, host, port)  # type: ignore[arg-type]


def read_env_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """Parse a ``.env`` file the way the official client does (missing file: empty).

    Lines are stripped; blank lines and ``#`` comments are skipped; ``KEY=VALUE`` is
    split on the first ``=``; one pair of matching surrounding quotes is removed.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigurationError(f"Cannot read the env file {str(p)!r}: {exc.strerror}") from None
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key, value = key.strip(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def reject_legacy_credentials(kwargs: Mapping[str, object], owner: str = "Session") -> None:
    """Refuse the pre-v3 ``pwd=`` / ``session_key=`` arguments with a way forward.

    Any other unknown keyword gets the ``TypeError`` Python itself would raise; the
    values are never shown (they are secrets).
    """
    for name in kwargs:
        if name in LEGACY_CREDENTIALS:
            what = "password" if name == "pwd" else "session key"
            raise ConfigurationError(
                f"{owner}({name}=...) is not supported: the {what} login of accsyn v1/v2 "
                f"is gone. {API_KEY_HELP}."
            )
    for name in kwargs:
        raise TypeError(f"{owner}.__init__() got an unexpected keyword argument {name!r}")


def default_device(version: str = const.DEVICE_CLIENT_VERSION) -> str:
    """The ``X-Accsyn-Device`` value, in the official client's exact format.

    ``PythonAPI v3.4.0 @ <sys.platform> <hostname>(<os.name>)``: the backend knows API
    devices by this header, so we present ourselves as the client version whose wire
    protocol we speak. Override it with ``Session(device=...)``.
    """
    return f"PythonAPI v{version} @ {sys.platform} {socket.gethostname()}({os.name})"


@dataclass(frozen=True)
class Config:
    """Everything a session needs to reach and authenticate with a workspace."""

    workspace: str
    username: str
    api_key: Secret = field(repr=False)
    hostname: str | None = None
    port: int | None = None
    proxy: ProxySpec | None = None
    dev: bool = False
    base_url: str | None = None
    timeout: float = const.DEFAULT_TIMEOUT
    connect_timeout: float = const.DEFAULT_CONNECT_TIMEOUT
    verify: bool | ssl.SSLContext = True
    device: str = ""

    @property
    def needs_master_lookup(self) -> bool:
        """Whether the workspace host must be asked of the master host first."""
        return self.base_url is None and self.hostname is None and not self.dev


def _positive(name: str, value: float | None, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigurationError(f"{name} must be a positive number of seconds, not {value!r}")
    return float(value)


def resolve_config(
    *,
    workspace: str | None = None,
    username: str | None = None,
    api_key: str | None = None,
    hostname: str | None = None,
    port: int | None = None,
    proxy: str | None = None,
    timeout: float | None = None,
    connect_timeout: float | None = None,
    domain: str | None = None,
    path_envfile: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
    verify: bool | ssl.SSLContext = True,
    device: str | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> Config:
    """Resolve a :class:`Config` from arguments, the environment and ``.env`` files."""
    env: dict[str, str] = dict(os.environ if environ is None else environ)
    env_file = path_envfile or env.get(const.ENV_CREDENTIALS_PATH)
    if path_envfile is not None and not Path(path_envfile).exists():
        raise ConfigurationError(f"The env file {str(path_envfile)!r} does not exist")
    if env_file:
        env.update(read_env_file(env_file))
    else:
        local = Path(cwd or os.getcwd()) / const.DEFAULT_ENV_FILE
        if local.is_file():
            env.update(read_env_file(local))

    ws: str | None = workspace or domain
    if not ws:
        for name in const.ENV_WORKSPACE:
            # The first key present wins even when empty (official precedence).
            if name in env:
                ws = env[name]
                break
    if not ws:
        raise ConfigurationError(
            "Please supply your accsyn workspace code or set ACCSYN_WORKSPACE environment!"
        )
    user = username or env.get(const.ENV_API_USER)
    if not user:
        raise ConfigurationError(
            "Please supply your accsyn user name (E-mail) or set ACCSYN_API_USER environment!"
        )
    key = api_key or env.get(const.ENV_API_KEY)
    if not key:
        raise ConfigurationError(
            "Please supply your accsyn API KEY or set ACCSYN_API_KEY environment!"
        )
    proxy_setting = proxy or env.get(const.ENV_PROXY)
    proxy_spec = parse_proxy(proxy_setting) if proxy_setting else None
    if port is not None and (
        isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536
    ):
        raise ConfigurationError(f"port must be an integer between 1 and 65535, not {port!r}")
    if base_url is not None:
        if not base_url.startswith(("http://", "https://")):
            raise ConfigurationError(
                f"base_url must start with http:// or https://, not {base_url!r}"
            )
        base_url = base_url.rstrip("/")
        if base_url.endswith(const.API_PREFIX):
            base_url = base_url[: -len(const.API_PREFIX)]
    return Config(
        workspace=ws,
        username=user,
        api_key=Secret(key),
        hostname=hostname or None,
        port=port,
        proxy=proxy_spec,
        dev=env.get(const.ENV_DEV, "false") in const.DEV_TRUE_VALUES,
        base_url=base_url,
        timeout=_positive("timeout", timeout, const.DEFAULT_TIMEOUT),
        connect_timeout=_positive(
            "connect_timeout", connect_timeout, const.DEFAULT_CONNECT_TIMEOUT
        ),
        verify=verify,
        device=device if device is not None else default_device(),
    )
