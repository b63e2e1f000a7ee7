"""What ``Session`` and ``AsyncSession`` share: configuration, login, and the I/O-free surface.

:class:`_Core` holds one session's configuration and state (endpoint, login,
redaction, the rate limiter, the validation policy) and turns requests into
encoded HTTP; :class:`_SessionBase` is the part of the public surface that needs
no I/O. The operations themselves are plans in :mod:`accsyn._operations`.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import ssl
from collections.abc import Generator, Mapping
from pathlib import Path
from typing import Any

import httpx

from accsyn import _constants as const
from accsyn import _wire as wire
from accsyn._config import Config, resolve_config
from accsyn._events import EventEncoder
from accsyn._exceptions import APIError, ValidationError
from accsyn._http import Clock, RateLimit, Redactor, RetryPolicy, SystemClock, TokenBucket, transmit
from accsyn._plan import Plan
from accsyn._validation import Policy, resolve_policy
from accsyn._version import __version__
from accsyn._wire import EventRequest, ExplainedRequest, HttpRequest

__all__ = ["DEFAULT_RATE_LIMIT", "DEFAULT_RETRY", "read_payload"]

logger = logging.getLogger(const.LOGGER_NAME)

DEFAULT_RETRY = RetryPolicy()
DEFAULT_RATE_LIMIT = RateLimit()
#: Constructor arguments that resolve_config() takes.
_CONFIG_ARGUMENTS = (
    "workspace", "username", "api_key", "hostname", "port", "proxy", "timeout",
    "connect_timeout", "domain", "path_envfile", "base_url", "verify", "device",
)  # fmt: skip
_USER_AGENT = f"accsyn-python/{__version__} python-httpx/{httpx.__version__}"


class _Core:
    """Configuration and per-session state shared by the sync and async sessions."""

    def __init__(
        self,
        config: Config,
        retry: RetryPolicy | None,
        rate_limit: RateLimit | None,
        clock: Clock | None,
        validate: object = "error",
    ) -> None:
        self.config = config
        self.validate: Policy = resolve_policy(validate)
        self.retry = retry
        self.clock: Clock = clock or SystemClock()
        self.bucket = TokenBucket(rate_limit, self.clock.monotonic()) if rate_limit else None
        self.redact = Redactor()
        key = config.api_key.get_secret_value()
        auth = wire.auth_header(config.username, config.api_key)
        self.redact.add(key, auth, auth.split(" ", 1)[1], auth.rsplit(":", 1)[1])
        self.ctx = wire.WireContext(
            config.workspace,
            config.username,
            config.api_key,
            config.device,
            wire.client_hostname(),
        )
        self.endpoint: wire.Endpoint | None = (
            wire.api_endpoint(config) if not config.needs_master_lookup else None
        )
        self._encoder: EventEncoder | None = None
        self.role: str | None = None
        self.user_id: str | None = None
        self.last_message: str | None = None

    @classmethod
    def configure(cls, arguments: Mapping[str, Any]) -> _Core:
        """The core for a session constructor's arguments (its ``locals()``): the
        official switches, then arguments > environment > ``.env`` resolution."""
        configure_logging(arguments["verbose"], arguments["path_logfile"])
        config = resolve_config(**{k: arguments[k] for k in _CONFIG_ARGUMENTS})
        return cls(
            config,
            arguments["retry"],
            arguments["rate_limit"],
            arguments["clock"],
            arguments["validate"],
        )

    @property
    def logged_in(self) -> bool:
        return self.ctx.session_id is not None

    def transmit(self, req: HttpRequest) -> Generator[Any, Any, dict[str, Any]]:
        return transmit(
            req,
            workspace=self.config.workspace,
            retry=self.retry,
            bucket=self.bucket,
            clock=self.clock,
            redact=self.redact,
        )

    def login_flow(self) -> Plan[None]:
        """Master lookup (when needed), then login; records the session id."""
        endpoint = self.endpoint
        if endpoint is None:
            master = wire.master_endpoint(self.config)
            body = yield wire.master_lookup_request(
                master, self.config.workspace, self.config.device
            )
            host, port = wire.parse_lookup(body, self.config.workspace)
            endpoint = wire.api_endpoint(self.config, host, port)
        body = yield wire.login_request(endpoint, self.ctx)
        role, user_id, session_id = wire.parse_login(body)
        self.redact.add(session_id)
        self.endpoint = endpoint
        self.role, self.user_id = role, user_id
        self.ctx = dataclasses.replace(self.ctx, session_id=session_id)
        logger.debug(
            "logged in to %s as %s (role %s)", self.config.workspace, self.config.username, role
        )

    def encode(self, req: EventRequest | HttpRequest) -> HttpRequest:
        if isinstance(req, HttpRequest):
            return req
        if not isinstance(req, EventRequest):
            raise TypeError(f"expected an EventRequest, not {type(req).__name__}")
        assert self.endpoint is not None
        assert self.logged_in
        encoder = self._encoder
        if encoder is None or encoder.ctx is not self.ctx or encoder.endpoint is not self.endpoint:
            # A login changes the context: the encoder's fixed parts are made once per login.
            encoder = self._encoder = EventEncoder(self.ctx, self.endpoint)
        return encoder.encode(req)

    def explain(self, req: EventRequest) -> ExplainedRequest:
        return wire.explain(req, self.ctx, self.endpoint or wire.api_endpoint(self.config))

    def note_error(self, exc: APIError) -> None:
        self.last_message = exc.message

    def repr(self, cls: str) -> str:
        where = self.endpoint.base if self.endpoint else "(not resolved)"
        state = "logged in" if self.logged_in else "not logged in"
        return (
            f"<accsyn.{cls} workspace={self.config.workspace!r} "
            f"username={self.config.username!r} url={where!r} {state}>"
        )


@functools.lru_cache(maxsize=1)
def _default_ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~30 ms; one verifying context serves every session.
    return httpx.create_ssl_context()


def client_kwargs(config: Config) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "timeout": httpx.Timeout(config.timeout, connect=config.connect_timeout),
        "verify": _default_ssl_context() if config.verify is True else config.verify,
        "limits": httpx.Limits(
            max_connections=const.MAX_CONNECTIONS,
            max_keepalive_connections=const.MAX_KEEPALIVE_CONNECTIONS,
        ),
        "headers": {"User-Agent": _USER_AGENT},
        "follow_redirects": False,
    }
    if config.proxy is not None and config.proxy.kind == "socks5":
        kwargs["proxy"] = config.proxy.url
    return kwargs


def configure_logging(verbose: bool, path_logfile: str | None) -> None:
    """The official ``verbose`` / ``path_logfile`` switches, mapped onto the accsyn logger."""
    if not verbose and not path_logfile:
        return
    handler: logging.Handler = (
        logging.FileHandler(path_logfile) if path_logfile else logging.StreamHandler()
    )
    marker = f"accsyn-session:{path_logfile or 'stream'}"
    if any(getattr(h, "_accsyn_marker", None) == marker for h in logger.handlers):
        return
    handler._accsyn_marker = marker  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    if verbose:
        logger.setLevel(logging.DEBUG)


class _SessionBase:
    """What Session and AsyncSession share that needs no I/O: all of it reads the core."""

    _core: _Core

    def explain(self, req: EventRequest) -> ExplainedRequest:
        """The exact HTTP request ``req`` would become (secrets redacted), not sent."""
        return self._core.explain(req)

    # -- properties --------------------------------------------------------------------

    @property
    def username(self) -> str:
        """The API user (e-mail)."""
        return self._core.config.username

    @property
    def workspace(self) -> str:
        """The workspace code."""
        return self._core.config.workspace

    @property
    def timeout(self) -> float:
        """Read timeout in seconds."""
        return self._core.config.timeout

    @property
    def connect_timeout(self) -> float:
        """Connect timeout in seconds."""
        return self._core.config.connect_timeout

    @property
    def role(self) -> str | None:
        """The role the login returned (``admin``, ``employee``, …)."""
        return self._core.role

    @property
    def user_id(self) -> str | None:
        """The logged-in user's id."""
        return self._core.user_id

    def get_last_message(self) -> str | None:
        """The message of the last error the server answered (None if none yet)."""
        return self._core.last_message

    @staticmethod
    def get_hostname() -> str:
        """This computer's hostname."""
        return wire.client_hostname()

    @staticmethod
    def dump(d: Any, indent: int = 4) -> str:
        """JSON text of ``d`` with dates encoded as on the wire."""
        return json.dumps(d, indent=indent, default=wire.json_default) if d is not None else "None"

    @property
    def validation(self) -> Policy:
        """The session's validation policy: ``"error"``, ``"warn"`` or ``"off"``."""
        return self._core.validate

    @property
    def _validate(self) -> Policy:
        return self._core.validate

    def _policy(self, validate: bool | None) -> Policy:
        return "off" if validate is False else self._core.validate


def read_payload(data: object) -> Any:
    """A create payload given as text: JSON, or the path of a JSON file (read here,
    in the session layer, so the request builders stay free of I/O)."""
    if not isinstance(data, str):
        return data
    if not data.strip():
        raise ValidationError("You must provide the data to create!", field="data")
    try:
        return json.loads(data)
    except ValueError:
        pass
    path = Path(data)
    if not path.is_file():
        raise ValidationError(
            "Cannot build JSON payload data, not a valid JSON string or path to a JSON file!",
            field="data",
        ) from None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(
            f"Cannot read JSON payload data from {data!r}: {exc}", field="data"
        ) from None
