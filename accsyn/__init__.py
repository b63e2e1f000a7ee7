"""accsyn — the typed Python SDK for the accsyn file-delivery platform.

The public API is small and flat: sessions, the error tree, and the subpackages
``accsyn.query`` (the query language) and ``accsyn.models`` (entity models).
"""

import importlib
from typing import TYPE_CHECKING, Any

from accsyn._exceptions import (
    AccsynError,
    APIError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    ConnectError,
    MultipleResultsFound,
    NoResultFound,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    QueryError,
    QueryRenderError,
    QuerySyntaxError,
    QueryValidationError,
    RateLimitError,
    RequestTimeout,
    ServerError,
    SessionClosedError,
    TransitionError,
    TransportError,
    UnselectedAttributeError,
    ValidationError,
    WaitError,
    WaitTimeoutError,
)
from accsyn._version import __version__

if TYPE_CHECKING:
    from accsyn._http import HttpxLogFilter, RateLimit, RetryPolicy
    from accsyn._watch import Changed, Created, Finished, Gone
    from accsyn.session import AsyncSession, Session

# Sessions pull in httpx, pydantic and every model; loading them on first use keeps
# `import accsyn.query` (the CLI's lint, CI checks) fast.
_LAZY = {
    "AsyncSession": "accsyn.session",
    "Session": "accsyn.session",
    "HttpxLogFilter": "accsyn._http",
    "RateLimit": "accsyn._http",
    "RetryPolicy": "accsyn._http",
    "Changed": "accsyn._watch",
    "Created": "accsyn._watch",
    "Finished": "accsyn._watch",
    "Gone": "accsyn._watch",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'accsyn' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    value.__module__ = "accsyn"
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "APIError",
    "AccsynError",
    "AsyncSession",
    "AuthenticationError",
    "BadRequestError",
    "Changed",
    "ConfigurationError",
    "ConflictError",
    "ConnectError",
    "Created",
    "Finished",
    "Gone",
    "HttpxLogFilter",
    "MultipleResultsFound",
    "NoResultFound",
    "NotFoundError",
    "PermissionDeniedError",
    "ProtocolError",
    "QueryError",
    "QueryRenderError",
    "QuerySyntaxError",
    "QueryValidationError",
    "RateLimit",
    "RateLimitError",
    "RequestTimeout",
    "RetryPolicy",
    "ServerError",
    "Session",
    "SessionClosedError",
    "TransitionError",
    "TransportError",
    "UnselectedAttributeError",
    "ValidationError",
    "WaitError",
    "WaitTimeoutError",
    "__version__",
]

# Public objects report the public module they are reached through.
for _name in __all__:
    if _name in _LAZY:
        continue
    _obj = globals()[_name]
    if hasattr(_obj, "__module__") and _name != "__version__":
        _obj.__module__ = "accsyn"
del _name, _obj
