"""The way up: from a compat session (or an official one) to the typed ``accsyn.Session``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accsyn._exceptions import ConfigurationError

if TYPE_CHECKING:
    from accsyn.compat.session import Session as CompatSession
    from accsyn.session import Session as TypedSession

__all__ = ["from_session", "to_session"]


def to_session(s: Any) -> TypedSession:
    """The typed :class:`accsyn.Session` for the same credentials as ``s``.

    For an :class:`accsyn.compat.Session` this is the session already behind it (same
    login, same connection pool: closing either closes both), so migrated and not yet
    migrated call sites share one connection. For an official ``accsyn_api.Session``
    it is a new typed session logged in with the same workspace, user, API key,
    host, port and proxy.
    """
    from accsyn.compat.session import Session as CompatSession

    if isinstance(s, CompatSession):
        return s._session
    needed = ("_workspace", "_username", "_api_key")
    if not all(isinstance(getattr(s, name, None), str) for name in needed):
        raise ConfigurationError(
            f"from_compat() needs an accsyn.compat.Session or an accsyn_api.Session, "
            f"not {type(s).__name__}"
        )
    from accsyn.session import Session

    proxy = getattr(s, "_proxy", None)
    return Session(
        workspace=s._workspace,
        username=s._username,
        api_key=s._api_key,
        hostname=getattr(s, "_hostname", None),
        port=getattr(s, "_port", None),
        proxy=proxy if isinstance(proxy, str) else None,
        timeout=getattr(s, "_timeout", None),
        connect_timeout=getattr(s, "_connect_timeout", None),
    )


def from_session(session: TypedSession) -> CompatSession:
    """An :class:`accsyn.compat.Session` over an already logged-in typed session.

    For code that is handed a typed session (the ``accsyn_session`` pytest fixture,
    ``LocalWorkspace.session()``) but still calls the official interface. Nothing is
    copied: both share one login and one connection pool.
    """
    from accsyn.compat.session import Session as CompatSession

    return CompatSession._over(session)
