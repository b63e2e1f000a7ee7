"""Every tunable of the transport in one place.

Wire constants mirror the official ``accsyn-python-api`` client (protocol.md §1–§3);
the retry and rate-limit defaults follow the documented edge limits (§3.3).
"""

from __future__ import annotations

from typing import Any, Final

from accsyn._codec import OBJECT_ID_RE

# --- Hosts, ports and routes (protocol.md §1) --------------------------------------------

BACKEND_DOMAIN: Final = "accsyn.com"
MASTER_HOSTNAME: Final = f"master.{BACKEND_DOMAIN}"
DEFAULT_PORT: Final = 443
DEV_HOSTNAME: Final = "127.0.0.1"
DEV_PORT: Final = 8181
#: Port of an accsyn relay proxy given without one (``ACCSYN_PROXY=host``).
DEFAULT_PROXY_PORT: Final = 80

API_PREFIX: Final = "/api/v3"
#: The master host's workspace lookup route.
MASTER_LOOKUP_URI: Final = "/J3PKTtDvolDMBtTy6AFGA"
#: Login (the doubled ``api`` in ``/api/v3/api/login`` is real).
LOGIN_URI: Final = "/api/login"
EVENT_URI: Final = "/event"

# --- Envelope (protocol.md §2) -------------------------------------------------------------

AUDIENCE: Final = "api"
#: Payload size estimate above which ``data`` is sent gzip+base64 as ``gz_data``.
COMPRESS_THRESHOLD: Final = 100 * 1024
DATE_FORMAT: Final = "%Y-%m-%dT%H:%M:%S"

#: The official client version whose ``X-Accsyn-Device`` format we send. The backend
#: identifies API devices by this header; sending the official format keeps us
#: indistinguishable from the client it already knows (see ``device=``).
DEVICE_CLIENT_VERSION: Final = "3.4.0"

# --- Environment (protocol.md §1.8) ---------------------------------------------------------

ENV_WORKSPACE: Final = ("ACCSYN_WORKSPACE", "ACCSYN_DOMAIN", "ACCSYN_ORG")
ENV_API_USER: Final = "ACCSYN_API_USER"
ENV_API_KEY: Final = "ACCSYN_API_KEY"
ENV_PROXY: Final = "ACCSYN_PROXY"
ENV_CREDENTIALS_PATH: Final = "ACCSYN_CREDENTIALS_PATH"
ENV_DEV: Final = "AS_DEV"
#: Every variable the session reads: what a test must clear to be isolated from them.
ENV_SETTINGS: Final = (
    *ENV_WORKSPACE,
    ENV_API_USER,
    ENV_API_KEY,
    ENV_PROXY,
    ENV_CREDENTIALS_PATH,
    ENV_DEV,
)
DEV_TRUE_VALUES: Final = ("true", "1")
DEFAULT_ENV_FILE: Final = ".env"

# --- Timeouts (protocol.md §1.7) ----------------------------------------------------------------

DEFAULT_CONNECT_TIMEOUT: Final = 10.0
DEFAULT_TIMEOUT: Final = 120.0

# --- Connection pool --------------------------------------------------------------------------

#: The edge accepts at most 100 concurrent connections per IP; stay well below.
MAX_CONNECTIONS: Final = 50
MAX_KEEPALIVE_CONNECTIONS: Final = 50

# --- Retries ------------------------------------------------------------------------------------

DEFAULT_MAX_RETRIES: Final = 3
DEFAULT_BACKOFF_INITIAL: Final = 0.5
DEFAULT_BACKOFF_MAX: Final = 8.0
#: Never sleep longer than this for one ``Retry-After``; a longer wait is raised instead.
DEFAULT_RETRY_AFTER_MAX: Final = 60.0
RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})

# --- Client-side rate limit (protocol.md §3.3: 30 r/s, burst 60 on /api) ----------------------

DEFAULT_RATE: Final = 30.0
DEFAULT_BURST: Final = 60

# --- Polling: wait() and watch() (protocol.md §3.3 asks for intervals of several seconds) -------

#: The first pause of ``wait()``; each later one is ``POLL_FACTOR`` times longer.
POLL_INITIAL: Final = 2.0
POLL_FACTOR: Final = 1.5
#: ``wait()`` never pauses longer than this between two polls.
POLL_MAX: Final = 30.0
#: Each pause is stretched or shrunk by up to this fraction, so clients spread out.
POLL_JITTER: Final = 0.2
#: The default pause between two polls of ``watch()``.
WATCH_INTERVAL: Final = 5.0
#: ``watch()`` checks every followed id (to see deletions) once per this many polls.
WATCH_FULL_EVERY: Final = 10

# --- Misc -----------------------------------------------------------------------------------------

LOGGER_NAME: Final = "accsyn"
REDACTED: Final = "***"
CLIENT_RUNNING_STATES: Final = ("online", "disabled")

# --- Entity-type facts: derived; remove once callers use spec_of ---------------------------
# The models are the one spec of every entity type (accsyn.models.spec_of). These names
# are kept, computed from the specs on first use, until their callers read the specs.

#: derived from accsyn._codec (the one id pattern).
ID_PATTERN: Final = OBJECT_ID_RE.pattern


def _derived(name: str) -> Any:
    from accsyn.models import ClientType, specs

    every = specs()

    def with_aliases(uris: list[str]) -> tuple[str, ...]:
        return (*uris, *(a for u in uris for a in every[u].aliases))

    if name == "UNIQUE_ENTITY_TYPES":
        # Entity types whose ``code`` is unique, so a code can be resolved to an id.
        return with_aliases([u for u, s in every.items() if s.unique_code])
    if name == "JOB_ENTITY_TYPES":
        # Create payloads of these types take ``allow_duplicates`` / ``replace_duplicates``.
        return with_aliases([u for u, s in every.items() if s.family in ("job", "task")])
    if name == "SHARE_TARGET_TYPES":
        return with_aliases([u for u, s in every.items() if s.family == "share"])
    if name == "JOB_TARGET_TYPES":
        return tuple(u for u, s in every.items() if s.recipients)
    if name.startswith("CLIENT_TYPE_"):
        return int(ClientType[name.removeprefix("CLIENT_TYPE_")])
    raise AttributeError(f"module 'accsyn._constants' has no attribute {name!r}")


_DERIVED = frozenset(
    {
        "UNIQUE_ENTITY_TYPES",
        "JOB_ENTITY_TYPES",
        "SHARE_TARGET_TYPES",
        "JOB_TARGET_TYPES",
        "CLIENT_TYPE_APP",
        "CLIENT_TYPE_SERVER",
        "CLIENT_TYPE_USERSERVER",
    }
)


def __getattr__(name: str) -> Any:
    # derived; remove once callers use spec_of. Computed on first use: the models
    # import pydantic, which the transport's constants must not pull in.
    if name not in _DERIVED:
        raise AttributeError(f"module 'accsyn._constants' has no attribute {name!r}")
    value = _derived(name)
    globals()[name] = value
    return value
