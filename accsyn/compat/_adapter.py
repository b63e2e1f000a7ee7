"""Every call from the compatibility layer into the typed SDK, in one place.

The typed :class:`accsyn.Session` is being reorganised (flat methods may move into
namespaces such as ``session.files.ls``); compat code never calls it directly, only
the functions here, so a rename is a one-line change in this module. Reads ask for
``raw=True``: the wire dicts, which :mod:`accsyn.compat._shape` then dresses in the
official client's shapes.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from accsyn._config import reject_legacy_credentials
from accsyn._exceptions import AccsynError
from accsyn._requests import is_id
from accsyn._wire import decode_date, encode_date

if TYPE_CHECKING:
    from accsyn._http import RateLimit, RetryPolicy
    from accsyn.session import Session

__all__ = [
    "decode_date",
    "encode_date",
    "is_id",
    "reject_legacy_credentials",
    "translate_errors",
]

Path_ = str | Mapping[str, Any] | Sequence[str]


class Failure(Exception):
    """An SDK error, carried to the compat session to be re-raised as ``AccsynException``."""

    def __init__(self, message: str, error: AccsynError) -> None:
        super().__init__(message)
        self.message = message
        self.error = error


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """Turn any typed SDK error into a :class:`Failure` carrying its message text."""
    try:
        yield
    except AccsynError as exc:
        message = getattr(exc, "message", None) or str(exc)
        raise Failure(str(message), exc) from exc


def open_session(
    *,
    workspace: str | None,
    username: str | None,
    api_key: str | None,
    hostname: str | None,
    port: int | None,
    proxy: str | None,
    verbose: bool,
    path_logfile: str | None,
    timeout: float | None,
    connect_timeout: float | None,
    path_envfile: str | None,
    retry: RetryPolicy | None,
    rate_limit: RateLimit | None,
) -> Session:
    """A logged-in typed session (the compat layer has already loaded ``.env`` files)."""
    from accsyn.session import Session

    if path_envfile is not None and not os.path.exists(path_envfile):
        # The official client ignores a missing env file (and then skips ./.env);
        # the typed session refuses one, so hand it an empty file instead.
        path_envfile = os.devnull
    return Session(
        workspace=workspace,
        username=username,
        api_key=api_key,
        hostname=hostname,
        port=port,
        proxy=proxy,
        verbose=verbose,
        path_logfile=path_logfile,
        timeout=timeout,
        connect_timeout=connect_timeout,
        path_envfile=path_envfile,
        retry=retry,
        rate_limit=rate_limit,
        # The official client checks nothing against a schema: the server decides.
        validate="off",
    )


def identity(s: Session) -> tuple[str | None, str | None]:
    """``(role, user id)`` of the logged-in user."""
    return s.role, s.user_id


def last_message(s: Session) -> str | None:
    """The last error message the server answered."""
    return s.get_last_message()


def close(s: Session) -> None:
    """Close the connection pool."""
    s.close()


# -- reads ---------------------------------------------------------------------------------


def find(s: Session, query: str, **kwargs: Any) -> Any:
    """``find`` returning wire dicts."""
    return s.find(query, raw=True, validate=False, **kwargs)


def get_entity(s: Session, entitytype: str, entityid: str) -> Any:
    """``get_entity`` returning a wire dict."""
    return s.get_entity(entitytype, entityid, raw=True)


def report(s: Session, query: str) -> Any:
    """The backend's text report."""
    return s.report(query, validate=False)


def metrics(s: Session, query: str, attributes: Sequence[str] | None, time: str | None) -> Any:
    """Metrics of an entity."""
    return s.metrics(query, attributes, time, validate=False)


# -- writes --------------------------------------------------------------------------------


def create(s: Session, entitytype: str, data: Any, entityid: str | None, **kwargs: Any) -> Any:
    """``create`` returning wire dicts."""
    return s.create(entitytype, data, entityid, raw=True, validate=False, **kwargs)


def update(s: Session, entitytype: str, entityid: str, data: Mapping[str, Any]) -> Any:
    """``update`` returning a wire dict."""
    return s.update(entitytype, entityid, data, raw=True, validate=False)


def update_many(
    s: Session, entitytype: str, entityid: str, data: Sequence[Mapping[str, Any]]
) -> Any:
    """``update_many`` returning wire dicts."""
    return s.update_many(entitytype, entityid, data, raw=True, validate=False)


def delete_one(s: Session, entitytype: str, entityid: str, data: Mapping[str, Any] | None) -> Any:
    """Delete (archive) an entity."""
    return s.delete_one(entitytype, entityid, data)


def delete_many(s: Session, entitytype: str, entityid: str, data: Mapping[str, Any]) -> Any:
    """Remove files from a collection."""
    return s.delete_many(entitytype, entityid, data)


def deactivate_one(s: Session, entitytype: str, entityid: str) -> Any:
    """Deactivate an entity."""
    return s.deactivate_one(entitytype, entityid)


def activate_one(s: Session, entitytype: str, entityident: str) -> Any:
    """Activate an entity."""
    return s.activate_one(entitytype, entityident)


def assign(s: Session, parent: str, entitytype: str, data: Mapping[str, Any]) -> Any:
    """Assign a server to a volume or share."""
    return s.assign(parent, entitytype, data)


def deassign(s: Session, parent: str, entitytype: str, data: Mapping[str, Any]) -> Any:
    """Remove a server assignment."""
    return s.deassign(parent, entitytype, data)


def assignments(s: Session, entitytype: str, entityid: str) -> Any:
    """Servers assigned to a volume or share."""
    return s.assignments(entitytype, entityid)


# -- access ----------------------------------------------------------------------------------


def grant(s: Session, *args: Any) -> Any:
    """Grant a user access (3.4.0 semantics)."""
    return s.acl.grant(*args)


def access(
    s: Session,
    targettype: str,
    targetid: str,
    entitytype: str | None,
    entityid: str | None,
    recursive: bool,
) -> Any:
    """Who has access to a target."""
    return s.acl.access(targettype, targetid, entitytype, entityid, recursive=recursive)


def revoke(s: Session, *args: Any) -> Any:
    """Revoke a user's access."""
    return s.acl.revoke(*args)


# -- files ------------------------------------------------------------------------------------


def ls(s: Session, path: Path_, *args: Any) -> Any:
    """List files."""
    return s.files.ls(path, *args)


def getsize(s: Session, path: Path_, include: Any, exclude: Any) -> Any:
    """Size of a file or directory."""
    return s.files.getsize(path, include, exclude)


def exists(s: Session, path: Path_) -> Any:
    """Whether a path exists."""
    return s.files.exists(path)


def mkdir(s: Session, path: Path_) -> Any:
    """Create a directory."""
    return s.files.mkdir(path)


def rename(s: Session, path: Path_, path_to: Path_) -> Any:
    """Rename a file or directory."""
    return s.files.rename(path, path_to)


def mv(s: Session, path_src: Path_, path_dst: Path_) -> Any:
    """Move a file or directory."""
    return s.files.mv(path_src, path_dst)


def delete_path(s: Session, path: Path_, force: bool) -> Any:
    """Delete a file or directory."""
    return s.files.delete(path, force)


def prepublish(s: Session, data: Sequence[Mapping[str, Any]]) -> Any:
    """Pre-process a publish."""
    return s.files.prepublish(data)


# -- settings, logs, misc ----------------------------------------------------------------------


def get_setting(s: Session, *args: Any) -> Any:
    """One setting's value."""
    return s.settings.get(*args)


def get_settings(s: Session, *args: Any) -> Any:
    """All settings of a scope."""
    return s.settings.get_all(*args)


def set_setting(s: Session, *args: Any) -> bool:
    """Set a setting."""
    return s.settings.set(*args)


def delete_setting(s: Session, *args: Any) -> bool:
    """Delete a setting."""
    return s.settings.delete(*args)


def logs(s: Session, *args: Any) -> Any:
    """Backend logs: the whole answer."""
    return s.logs(*args)


def get_api_key(s: Session) -> Any:
    """The user's API key (if the backend allows it)."""
    return s.get_api_key()


def integration(s: Session, name: str, operation: str, data: Any) -> Any:
    """An integration utility call."""
    return s.integration(name, operation, data)


def app_is_running(s: Session) -> bool | None:
    """Whether the desktop app runs here as this user."""
    return s.app_is_running()


def daemon_is_running(s: Session) -> bool | None:
    """Whether a daemon runs here as this user."""
    return s.daemon_is_running()


def to_local(value: _dt.datetime) -> _dt.datetime:
    """An aware datetime in the local zone, as the official client hands them out."""
    return value.astimezone()
