"""Resource namespaces of a session: ``session.files``, ``session.acl``, ``session.settings``.

Each verb means one thing: ``session.files.delete(path)`` deletes a file, while
``session.transfers.delete(t)`` deletes an entity. The official client's flat
names (``ls``, ``grant``, ``get_setting``, …) map onto these one to one:

======================  ===========================================
official client         here
======================  ===========================================
``ls``                  ``session.files.ls``
``getsize``             ``session.files.getsize``
``exists``              ``session.files.exists``
``mkdir``               ``session.files.mkdir``
``rename``              ``session.files.rename``
``mv``                  ``session.files.mv``
``delete``              ``session.files.delete``
``prepublish``          ``session.files.prepublish``
``grant``               ``session.acl.grant``
``revoke``              ``session.acl.revoke``
``access``              ``session.acl.access``
``get_setting``         ``session.settings.get``
``get_settings``        ``session.settings.get_all``
``set_setting``         ``session.settings.set``
``delete_setting``      ``session.settings.delete``
======================  ===========================================

Results are what the server answers (lists and dicts), as with the official client.
The async namespaces are the same methods, awaited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

from accsyn import _operations as ops
from accsyn import _requests as rq

if TYPE_CHECKING:
    from accsyn._async_session import AsyncSession
    from accsyn._repository import AsyncRepository, Repository
    from accsyn.models import File
    from accsyn.session import Session

__all__ = ["Access", "AsyncAccess", "AsyncFiles", "AsyncSettings", "Files", "Settings"]

#: An accsyn path: ``"volume=projects/demo"``, a ``{"volume": …, "path": …}`` dict or parts.
PathArg: TypeAlias = "str | Mapping[str, Any] | Sequence[str]"
Patterns: TypeAlias = "str | Sequence[str] | None"


class _Namespace:
    __slots__ = ("_session",)

    def __init__(self, session: Any) -> None:
        self._session = session

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._session!r}>"


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------


class Files(_Namespace):
    """The workspace file system (``session.files``); ``of(collection)`` its files."""

    __slots__ = ()
    _session: Session

    def of(self, collection: object) -> Repository[File]:
        """The files of a collection, as a repository (``where``, ``create``, ``delete``…)."""
        from accsyn.models import File

        return self._session.repository(File).of(collection)

    def ls(
        self,
        path: PathArg,
        recursive: bool = False,
        maxdepth: int | None = None,
        getsize: bool = False,
        files_only: bool = False,
        directories_only: bool = False,
        include: Patterns = None,
        exclude: Patterns = None,
    ) -> Any:
        """List files at an accsyn path."""
        return self._session._run(
            ops.simple(
                rq.ls_request(
                    path, recursive, maxdepth, getsize, files_only, directories_only,
                    include, exclude,
                )
            )
        )  # fmt: skip

    def getsize(self, path: PathArg, include: Patterns = None, exclude: Patterns = None) -> Any:
        """Size in bytes of a file or directory."""
        return self._session._run(ops.simple(rq.getsize_request(path, include, exclude)))

    def exists(self, path: PathArg) -> Any:
        """Whether a file or directory exists."""
        return self._session._run(ops.simple(rq.exists_request(path)))

    def mkdir(self, path: PathArg) -> Any:
        """Create a directory."""
        return self._session._run(ops.simple(rq.mkdir_request(path)))

    def rename(self, path: PathArg, path_to: PathArg) -> Any:
        """Rename a file or directory."""
        return self._session._run(ops.simple(rq.rename_request(path, path_to)))

    def mv(self, path_src: PathArg, path_dst: PathArg) -> Any:
        """Move a file or directory."""
        return self._session._run(ops.simple(rq.mv_request(path_src, path_dst)))

    def delete(self, path: PathArg, force: bool = False) -> Any:
        """Delete a file or directory (``force`` for a non-empty directory)."""
        return self._session._run(ops.simple(rq.delete_path_request(path, force)))

    def prepublish(self, data: Sequence[Mapping[str, Any]]) -> Any:
        """Pre-process a publish (sizes are filled in; the caller's entries are not modified)."""
        return self._session._run(ops.simple(rq.prepublish_request(data)))


class AsyncFiles(_Namespace):
    """:class:`Files` of an ``AsyncSession``."""

    __slots__ = ()
    _session: AsyncSession

    def of(self, collection: object) -> AsyncRepository[File]:
        """The files of a collection, as a repository (``where``, ``create``, ``delete``…)."""
        from accsyn.models import File

        return self._session.repository(File).of(collection)

    async def ls(
        self,
        path: PathArg,
        recursive: bool = False,
        maxdepth: int | None = None,
        getsize: bool = False,
        files_only: bool = False,
        directories_only: bool = False,
        include: Patterns = None,
        exclude: Patterns = None,
    ) -> Any:
        """List files at an accsyn path."""
        return await self._session._run(
            ops.simple(
                rq.ls_request(
                    path, recursive, maxdepth, getsize, files_only, directories_only,
                    include, exclude,
                )
            )
        )  # fmt: skip

    async def getsize(
        self, path: PathArg, include: Patterns = None, exclude: Patterns = None
    ) -> Any:
        """Size in bytes of a file or directory."""
        return await self._session._run(ops.simple(rq.getsize_request(path, include, exclude)))

    async def exists(self, path: PathArg) -> Any:
        """Whether a file or directory exists."""
        return await self._session._run(ops.simple(rq.exists_request(path)))

    async def mkdir(self, path: PathArg) -> Any:
        """Create a directory."""
        return await self._session._run(ops.simple(rq.mkdir_request(path)))

    async def rename(self, path: PathArg, path_to: PathArg) -> Any:
        """Rename a file or directory."""
        return await self._session._run(ops.simple(rq.rename_request(path, path_to)))

    async def mv(self, path_src: PathArg, path_dst: PathArg) -> Any:
        """Move a file or directory."""
        return await self._session._run(ops.simple(rq.mv_request(path_src, path_dst)))

    async def delete(self, path: PathArg, force: bool = False) -> Any:
        """Delete a file or directory (``force`` for a non-empty directory)."""
        return await self._session._run(ops.simple(rq.delete_path_request(path, force)))

    async def prepublish(self, data: Sequence[Mapping[str, Any]]) -> Any:
        """Pre-process a publish (sizes are filled in; the caller's entries are not modified)."""
        return await self._session._run(ops.simple(rq.prepublish_request(data)))


# --------------------------------------------------------------------------------------
# Access
# --------------------------------------------------------------------------------------


class Access(_Namespace):
    """Who may reach deliveries and shares (``session.acl``); the ACL entities
    themselves are read through ``session.acls``."""

    __slots__ = ()
    _session: Session

    def grant(
        self,
        entitytype: str,
        entityid: str,
        targettype: str,
        targetid: str,
        data: Mapping[str, Any] | None = None,
    ) -> Any:
        """Give a user access to a delivery/request/stream or a share (3.4.0 semantics)."""
        return self._session._run(ops.grant(entitytype, entityid, targettype, targetid, data))

    def revoke(self, entitytype: str, entityid: str, targettype: str, targetid: str) -> Any:
        """Remove a user's access; False if there was none (3.4.0 semantics)."""
        return self._session._run(ops.revoke(entitytype, entityid, targettype, targetid))

    def access(
        self,
        targettype: str,
        targetid: str,
        entitytype: str | None = None,
        entityid: str | None = None,
        *,
        recursive: bool = False,
    ) -> list[dict[str, Any]]:
        """Who has access to a delivery/request/stream (recipients) or a share (ACLs)."""
        return self._session._run(ops.access(targettype, targetid, entitytype, entityid, recursive))


class AsyncAccess(_Namespace):
    """:class:`Access` of an ``AsyncSession``."""

    __slots__ = ()
    _session: AsyncSession

    async def grant(
        self,
        entitytype: str,
        entityid: str,
        targettype: str,
        targetid: str,
        data: Mapping[str, Any] | None = None,
    ) -> Any:
        """Give a user access to a delivery/request/stream or a share (3.4.0 semantics)."""
        return await self._session._run(ops.grant(entitytype, entityid, targettype, targetid, data))

    async def revoke(self, entitytype: str, entityid: str, targettype: str, targetid: str) -> Any:
        """Remove a user's access; False if there was none (3.4.0 semantics)."""
        return await self._session._run(ops.revoke(entitytype, entityid, targettype, targetid))

    async def access(
        self,
        targettype: str,
        targetid: str,
        entitytype: str | None = None,
        entityid: str | None = None,
        *,
        recursive: bool = False,
    ) -> list[dict[str, Any]]:
        """Who has access to a delivery/request/stream (recipients) or a share (ACLs)."""
        return await self._session._run(
            ops.access(targettype, targetid, entitytype, entityid, recursive)
        )


# --------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------


class Settings(_Namespace):
    """Settings of the workspace and its entities (``session.settings``)."""

    __slots__ = ()
    _session: Session

    def get(
        self,
        name: str | None = None,
        entitytype: str = "workspace",
        entityid: str | None = None,
        integration: str | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> Any:
        """One setting's value."""
        req = rq.get_setting_request(name, entitytype, entityid, integration, data)
        return self._session._run(ops.simple(req))

    def get_all(
        self,
        entitytype: str | None = None,
        entityid: str | None = None,
        recursive: bool = False,
        upstream: bool = False,
        omit_defaults: bool = True,
        share: str | None = None,
    ) -> Any:
        """All settings of a scope, as a dict."""
        req = rq.get_settings_request(
            entitytype, entityid, recursive, upstream, omit_defaults, share
        )
        return self._session._run(ops.get_settings(req))

    def set(self, entitytype: str, name: str, value: str, entityid: str | None = None) -> bool:
        """Set a setting (values are strings)."""
        req = rq.set_setting_request(entitytype, name, value, entityid)
        return self._session._run(ops.truth(req))

    def delete(self, entitytype: str, name: str, entityid: str | None = None) -> bool:
        """Delete a setting."""
        return self._session._run(ops.truth(rq.delete_setting_request(entitytype, name, entityid)))


class AsyncSettings(_Namespace):
    """:class:`Settings` of an ``AsyncSession``."""

    __slots__ = ()
    _session: AsyncSession

    async def get(
        self,
        name: str | None = None,
        entitytype: str = "workspace",
        entityid: str | None = None,
        integration: str | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> Any:
        """One setting's value."""
        req = rq.get_setting_request(name, entitytype, entityid, integration, data)
        return await self._session._run(ops.simple(req))

    async def get_all(
        self,
        entitytype: str | None = None,
        entityid: str | None = None,
        recursive: bool = False,
        upstream: bool = False,
        omit_defaults: bool = True,
        share: str | None = None,
    ) -> Any:
        """All settings of a scope, as a dict."""
        req = rq.get_settings_request(
            entitytype, entityid, recursive, upstream, omit_defaults, share
        )
        return await self._session._run(ops.get_settings(req))

    async def set(
        self, entitytype: str, name: str, value: str, entityid: str | None = None
    ) -> bool:
        """Set a setting (values are strings)."""
        req = rq.set_setting_request(entitytype, name, value, entityid)
        return await self._session._run(ops.truth(req))

    async def delete(self, entitytype: str, name: str, entityid: str | None = None) -> bool:
        """Delete a setting."""
        req = rq.delete_setting_request(entitytype, name, entityid)
        return await self._session._run(ops.truth(req))
