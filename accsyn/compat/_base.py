"""The compat session's plumbing: its exception, error translation and shared checks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from accsyn._exceptions import AccsynError, ConfigurationError
from accsyn.compat import _adapter as sdk
from accsyn.compat._shape import decode

if TYPE_CHECKING:
    from accsyn.session import Session as TypedSession

__all__ = [
    "UNIQUE_ENTITY_TYPES",
    "AccsynException",
    "Base",
    "ConfigurationException",
    "id_like",
]

logger = logging.getLogger("accsyn.compat")
T = TypeVar("T")

#: Entity types whose code is unique, so an id argument may be a code (official list).
UNIQUE_ENTITY_TYPES = (
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

STR_TYPE = "Invalid entity type supplied, must be of string type!"
STR_ID = "Invalid entity ID supplied, must be of string type!"
STR_PATH = "No path supplied, or not a string/list/dict!"


class AccsynException(AccsynError):
    """The official client's one exception type (also an :class:`accsyn.AccsynError`).

    ``str(exc)`` is the official message text; the typed SDK error it came from, if
    any, is ``exc.error`` (also chained as ``__cause__``).
    """

    def __init__(self, message: str, error: AccsynError | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.error = error


class ConfigurationException(AccsynException, ConfigurationError):
    """A settings problem: an :class:`AccsynException` for old scripts, and an
    :class:`accsyn.ConfigurationError` for code that already uses the typed tree."""


def id_like(value: object) -> bool:
    """The official client's looser id test (24 of ``a-z0-9``), which decides when it
    looks an argument up by code; the SDK's id codec (24 hex digits) would send some of
    those ids to a code lookup instead."""
    return (
        isinstance(value, str)
        and len(value) == 24
        and all(c.isdigit() or "a" <= c <= "z" for c in value)
        and value.isascii()
    )


def is_str(value: object) -> bool:
    """The official ``_is_str``."""
    return isinstance(value, str)


def filled(value: Any) -> bool:
    """``0 < len(value or "")`` without a TypeError on values that have no length."""
    try:
        return len(value or "") > 0
    except TypeError:
        return True


class Base:
    """What every compat method uses: the typed session, translation and decoding."""

    _session: TypedSession
    _last_message: str | None
    _uid: str | None
    _role: str | None

    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one SDK call: typed errors become AccsynException with the same text."""
        try:
            with sdk.translate_errors():
                return fn(*args, **kwargs)
        except sdk.Failure as failure:
            self._last_message = failure.message
            cls = (
                ConfigurationException
                if isinstance(failure.error, ConfigurationError)
                else AccsynException
            )
            raise cls(failure.message, failure.error) from failure.error

    def _read(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """An SDK call on the typed session, its answer in the official client's shapes."""
        return decode(self._call(fn, self._session, *args, **kwargs))

    @staticmethod
    def _warning(message: str) -> str:
        logger.warning(message)
        return message

    def _code_to_id(self, entitytype: str, code: str) -> str | None:
        """The id of the ``entitytype`` whose code is ``code`` (the official lookup)."""
        rows = self._read(sdk.find, f"{entitytype} WHERE code='{code}'")
        return str(rows[0]["id"]) if rows else None
