"""accsyn — the typed Python SDK for the accsyn file-delivery platform.

The public API is small and flat: sessions, the error tree, and the subpackages
``accsyn.query`` (the query language) and ``accsyn.models`` (entity models).
"""

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
    TransportError,
    UnselectedAttributeError,
    ValidationError,
)
from accsyn._http import RateLimit, RetryPolicy
from accsyn._version import __version__
from accsyn.session import AsyncSession, Session

__all__ = [
    "APIError",
    "AccsynError",
    "AsyncSession",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "ConnectError",
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
    "TransportError",
    "UnselectedAttributeError",
    "ValidationError",
    "__version__",
]

# Public objects report the public module they are reached through.
for _name in __all__:
    _obj = globals()[_name]
    if hasattr(_obj, "__module__") and _name != "__version__":
        _obj.__module__ = "accsyn"
del _name, _obj
