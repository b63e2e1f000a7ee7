"""Every tunable of the transport in one place.

Wire constants mirror the official ``accsyn-python-api`` client (protocol.md §1–§3);
the retry and rate-limit defaults follow the documented edge limits (§3.3).
"""

from __future__ import annotations

from typing import Final

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

# --- Misc -----------------------------------------------------------------------------------------

LOGGER_NAME: Final = "accsyn"
REDACTED: Final = "***"
ID_PATTERN: Final = r"^[a-z0-9]{24}$"
#: Entity types whose ``code`` is unique, so a code can be resolved to an id.
UNIQUE_ENTITY_TYPES: Final = (
    "user",
    "workspace",
    "share",
    "volume",
    "folder",
    "home",
    "collection",
    "site",
    "engine",
    "queue",
)
#: Create payloads of these types take ``allow_duplicates`` / ``replace_duplicates``.
JOB_ENTITY_TYPES: Final = ("transfer", "compute", "delivery", "request", "stream", "job", "task")
SHARE_TARGET_TYPES: Final = ("volume", "folder", "home", "collection", "share")
JOB_TARGET_TYPES: Final = ("delivery", "request", "stream")
CLIENT_TYPE_APP: Final = 0
CLIENT_TYPE_SERVER: Final = 1
CLIENT_TYPE_USERSERVER: Final = 2
CLIENT_RUNNING_STATES: Final = ("online", "disabled")
