"""The compat session's assignment, access, file, settings and misc methods (3.4.0)."""

from __future__ import annotations

from typing import Any

from accsyn.compat import _adapter as sdk
from accsyn.compat._base import (
    STR_ID,
    STR_PATH,
    STR_TYPE,
    UNIQUE_ENTITY_TYPES,
    AccsynException,
    Base,
    filled,
    id_like,
    is_str,
)
from accsyn.compat._shape import check

__all__ = ["Surface"]

_JOB_TARGETS = ("delivery", "request", "stream")
_SHARE_TARGETS = ("volume", "folder", "home", "collection")
_PARENT_STR = "Invalid parent entity type supplied, must be of string type!"


def _path(path: Any, message: str = STR_PATH) -> None:
    check(filled(path) and isinstance(path, str | dict | list), message)


class Surface(Base):
    """Everything but the constructor, find/create/update and the static helpers."""

    # -- assignment ----------------------------------------------------------------------

    def _assignment(self, entitytype_parent: str, entitytype: str, data: Any, what: str) -> str:
        check(filled(entitytype_parent) and is_str(entitytype_parent), _PARENT_STR)
        check(filled(entitytype) and is_str(entitytype), STR_TYPE)
        check(
            data is not None and isinstance(data, dict) and len(data) > 0,
            f"Invalid {what} data supplied, must be a dict with values!",
        )
        return entitytype_parent.lower().strip()

    def assign(self, entitytype_parent: str, entitytype: str, data: dict[str, Any]) -> bool:
        """Assign a server to a volume (or share); True on success."""
        parent = self._assignment(entitytype_parent, entitytype, data, "assignment")
        if parent not in ("volume", "share") or entitytype.lower().strip() not in (
            "server",
            "client",
        ):
            raise AccsynException("Unsupported assignment operation!")
        check(
            id_like(data.get("volume", data.get("share")) or ""),
            "Please supply parent entity ID as 'volume' with assignment data!",
        )
        check(
            id_like(data.get("server", data.get("client")) or ""),
            "Please supply entity ID as 'server' with assignment data!",
        )
        return self._read(sdk.assign, parent, entitytype.lower().strip(), data)  # type: ignore[no-any-return]

    def assignments(self, entitytype: str, entityid: str) -> list[dict[str, Any]]:
        """Servers assigned to a volume (or share)."""
        check(filled(entitytype) and is_str(entitytype), _PARENT_STR)
        if entitytype.lower() not in ("volume", "share"):
            raise AccsynException("Unsupported assignment operation!")
        return self._read(sdk.assignments, entitytype, entityid)  # type: ignore[no-any-return]

    def deassign(self, entitytype_parent: str, entitytype: str, data: dict[str, Any]) -> bool:
        """Remove a server's assignment from a volume (or share); True on success."""
        parent = self._assignment(entitytype_parent, entitytype, data, "de-assignment")
        if parent not in ("volume", "share") or entitytype.lower().strip() != "server":
            raise AccsynException("Unsupported de-assignment operation!")
        check(
            id_like(data.get("volume", data.get("share")) or ""),
            "Please supply parent entity ID as 'volume' with de-assignment data!",
        )
        check(
            id_like(data.get("server", data.get("client")) or ""),
            "Please supply entity ID as 'server' with de-assignment data!",
        )
        return self._read(sdk.deassign, parent, "server", data)  # type: ignore[no-any-return]

    # -- access --------------------------------------------------------------------------

    def grant(
        self,
        entitytype: str,
        entityid: str,
        targettype: str,
        targetid: str,
        data: dict[str, Any] | None = None,
    ) -> bool | dict[str, Any]:
        """Give a user access to a delivery/request/stream (True, or the recipient) or to
        a share (the ACL)."""
        check(filled(entitytype) and is_str(entitytype), STR_TYPE)
        entitytype = entitytype.lower().strip()
        check(filled(entityid) and is_str(entityid), STR_ID)
        entityid = entityid.lower().strip()
        if not id_like(entityid):
            if entitytype not in UNIQUE_ENTITY_TYPES:
                raise AccsynException(f"Please supply a valid {entitytype} ID!")
            found = self._code_to_id(entitytype, entityid)
            if found is not None:
                entityid = found
            elif (data or {}).get("invite", True) is False:
                raise AccsynException(
                    f"No {entitytype} found with code '{entityid}', and invite is not allowed!"
                )
            else:
                self._warning(f"No {entitytype} found with code '{entityid}', will be invited!")
        check(
            filled(targettype) and is_str(targettype),
            "Invalid target entity type supplied, must be of string type!",
        )
        targettype = targettype.lower().strip()
        check(filled(targetid) and is_str(targetid), STR_TYPE)
        targetid = targetid.lower().strip()
        if not id_like(targetid):
            if targettype not in UNIQUE_ENTITY_TYPES:
                raise AccsynException(f"Please supply a valid {targettype} ID!")
            found = self._code_to_id(targettype, targetid)
            if found is None:
                raise AccsynException(f"No {targettype} found with code '{targetid}'!")
            targetid = found
        check(
            data is None or isinstance(data, dict),
            "Invalid grant access data supplied, must be a dict!",
        )
        if entitytype != "user":
            raise AccsynException("Unsupported grant entity type (supported: user)!")
        if targettype not in (*_JOB_TARGETS, *_SHARE_TARGETS):
            raise AccsynException(
                "Unsupported grant target type for user (supported: delivery, request, stream, "
                "job, volume, folder, home, collection, share)!"
            )
        if targettype in _SHARE_TARGETS and not data:
            data = {"read": True, "write": True}
        return self._read(sdk.grant, "user", entityid, targettype, targetid, data)  # type: ignore[no-any-return]

    def access(
        self,
        targettype: str,
        targetid: str,
        entitytype: str | None = None,
        entityid: str | None = None,
        recursive: bool = False,
    ) -> list[dict[str, Any]]:
        """Recipients of a delivery/request/stream, or the ACLs of a share."""
        check(
            filled(targettype) and is_str(targettype),
            "Invalid parent target type supplied, must be of string type!",
        )
        targettype = targettype.lower().strip()
        check(
            filled(targetid) and is_str(targetid),
            "Invalid target id supplied, must be of string type!",
        )
        targetid = targetid.lower().strip()
        check(id_like(targetid), "Please supply a valid entity ID!")
        if targettype not in (*_JOB_TARGETS, *_SHARE_TARGETS, "share"):
            raise AccsynException("Unsupported access operation!")
        return self._read(  # type: ignore[no-any-return]
            sdk.access, targettype, targetid, entitytype, entityid, recursive
        )

    def revoke(self, entitytype: str, entityid: str, targettype: str, targetid: str) -> bool:
        """Remove a user's access; False if there was none."""
        check(filled(entitytype) and is_str(entitytype), STR_TYPE)
        entitytype = entitytype.lower().strip()
        check(
            filled(entityid) and is_str(entityid),
            "Invalid entity id supplied, must be of string type!",
        )
        entityid = (entityid or "").lower().strip()
        if not id_like(entityid):
            if entitytype not in UNIQUE_ENTITY_TYPES:
                raise AccsynException(
                    f"Please supply a valid {entitytype} ID! Hint: {entitytype} does not support "
                    "unique API code attribute lookup!"
                )
            found = self._code_to_id(entitytype, entityid)
            if found is not None:
                entityid = found
            elif str(targettype).lower() not in (*_JOB_TARGETS, "job"):
                raise AccsynException(f"No {entitytype} found with code '{entityid}' found!")
        check(
            filled(targettype) and is_str(targettype),
            "Invalid target entity type supplied, must be of string type!",
        )
        targettype = targettype.lower().strip()
        check(
            filled(targetid) and is_str(targetid),
            "Invalid target entity id supplied, must be of string type!",
        )
        targetid = targetid.lower().strip()
        check(id_like(targetid), "Please supply a valid entity ID!")
        if entitytype != "user":
            raise AccsynException("Unsupported revoke access entity type!")
        if targettype not in (*_JOB_TARGETS, "job", *_SHARE_TARGETS, "share"):
            raise AccsynException("Unsupported revoke access target type!")
        return self._read(sdk.revoke, "user", entityid, targettype, targetid)  # type: ignore[no-any-return]

    # -- deactivate, delete, activate ----------------------------------------------------

    def offline_one(self, entitytype: str, entityid: str) -> Any:
        """Deprecated since 3.2.0: use :meth:`deactivate_one`."""
        return self.deactivate_one(entitytype, entityid)

    def deactivate_one(self, entitytype: str, entityid: str) -> Any:
        """Deactivate an entity (kept for audit and later activation); True."""
        check(filled(entitytype) and is_str(entitytype), STR_TYPE)
        check(filled(entityid) and is_str(entityid), STR_ID)
        return self._read(sdk.deactivate_one, entitytype.lower().strip(), entityid)

    def delete_one(self, entitytype: str, entityid: str, data: dict[str, Any] | None = None) -> Any:
        """Delete (archive) an entity; True."""
        check(filled(entitytype) and is_str(entitytype), STR_TYPE)
        entitytype = entitytype.lower().strip()
        if entitytype == "acl":
            raise AccsynException(
                "ACLs cannot be deleted, use the revoke function to revoke access."
            )
        check(filled(entityid) and is_str(entityid), STR_ID)
        return self._read(sdk.delete_one, entitytype, entityid, data)

    def delete_many(self, entitytype: str, entityid: str, data: dict[str, Any]) -> Any:
        """Remove files from the collection ``entityid``."""
        check(filled(entitytype) and is_str(entitytype), STR_TYPE)
        entitytype = entitytype.lower().strip()
        check(filled(entityid) and is_str(entityid), STR_ID)
        if not id_like(entityid):
            raise AccsynException("Invalid parent entity ID supplied!")
        check(
            filled(data) and isinstance(data, dict),
            "Invalid data supplied, must be dict and have content!",
        )
        if entitytype != "collection":
            raise AccsynException(f"Unsupported entity type for deletion: {entitytype}")
        return self._read(sdk.delete_many, entitytype, entityid, data)

    def activate_one(self, entitytype: str, entityident: str) -> Any:
        """Bring a deactivated entity back, by id or by code."""
        check(filled(entitytype) and is_str(entitytype), STR_TYPE)
        check(
            filled(entityident) and is_str(entityident),
            "Invalid entity identification supplied, must be of string type!",
        )
        return self._read(sdk.activate_one, entitytype.lower().strip(), entityident.lower().strip())

    # -- files ---------------------------------------------------------------------------

    def ls(
        self,
        path: str | dict[str, Any] | list[str],
        recursive: bool = False,
        maxdepth: int | None = None,
        getsize: bool = False,
        files_only: bool = False,
        directories_only: bool = False,
        include: str | list[str] | None = None,
        exclude: str | list[str] | None = None,
    ) -> Any:
        """List files at an accsyn path (``share=<share>/<path>``)."""
        _path(path)
        return self._read(
            sdk.ls,
            path,
            recursive,
            maxdepth,
            getsize,
            files_only,
            directories_only,
            include,
            exclude,
        )

    def getsize(
        self,
        path: str | dict[str, Any] | list[str],
        include: str | list[str] | None = None,
        exclude: str | list[str] | None = None,
    ) -> Any:
        """Size of a file or directory."""
        _path(path)
        return self._read(sdk.getsize, path, include, exclude)

    def exists(self, path: str | dict[str, Any] | list[str]) -> bool | None:
        """Whether a file or directory exists."""
        _path(path)
        return self._read(sdk.exists, path)  # type: ignore[no-any-return]

    def mkdir(self, path: str | dict[str, Any] | list[str]) -> Any:
        """Create a directory."""
        _path(path)
        return self._read(sdk.mkdir, path)

    def rename(
        self, path: str | dict[str, Any] | list[str], path_to: str | dict[str, Any] | list[str]
    ) -> Any:
        """Rename a file or directory (within its directory)."""
        _path(path)
        _path(path_to, "No destination path supplied, or not a string/list/dict!")
        return self._read(sdk.rename, path, path_to)

    def mv(
        self, path_src: str | dict[str, Any] | list[str], path_dst: str | dict[str, Any] | list[str]
    ) -> Any:
        """Move a file or directory."""
        _path(path_src, "No source path supplied, or not a string/list/dict!")
        _path(path_dst, "No destination path supplied, or not a string/list/dict!")
        return self._read(sdk.mv, path_src, path_dst)

    def delete(self, path: str | dict[str, Any] | list[str], force: bool = False) -> Any:
        """Delete a file or directory (``force`` for a non-empty directory)."""
        _path(path)
        return self._read(sdk.delete_path, path, force)

    def prepublish(self, data: list[dict[str, Any]]) -> dict[str, Any]:
        """Pre-process a publish."""
        if data is None or not isinstance(data, list):
            raise AccsynException("None or empty data supplied!")
        return self._read(sdk.prepublish, data)  # type: ignore[no-any-return]

    # -- settings --------------------------------------------------------------------------

    def get_setting(
        self,
        name: str | None = None,
        entitytype: str = "workspace",
        entityid: str | None = None,
        integration: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> Any:
        """One setting's value."""
        return self._read(sdk.get_setting, name, entitytype, entityid, integration, data)

    def get_settings(
        self,
        entitytype: str | None = None,
        entityid: str | None = None,
        recursive: bool = False,
        upstream: bool = False,
        omit_defaults: bool = True,
        share: str | None = None,
    ) -> dict[str, Any]:
        """All settings of an entity, as a dict."""
        return self._read(  # type: ignore[no-any-return]
            sdk.get_settings, entitytype, entityid, recursive, upstream, omit_defaults, share
        )

    def set_setting(
        self, entitytype: str, name: str, value: Any, entityid: str | None = None
    ) -> bool:
        """Set a setting (values are strings); True if it was updated."""
        check(filled(entitytype) and is_str(entitytype), STR_TYPE)
        check(filled(name) and is_str(name), "Invalid name supplied, must be of string type!")
        check(
            value is not None and isinstance(value, str),
            "Invalid value supplied, must be of string type!",
        )
        return self._call(
            sdk.set_setting, self._session, entitytype.lower().strip(), name, value, entityid
        )

    def delete_setting(self, entitytype: str, name: str, entityid: str | None = None) -> bool:
        """Delete a setting; True if it was deleted."""
        check(filled(entitytype) and is_str(entitytype), STR_TYPE)
        check(filled(name) and is_str(name), "Invalid name supplied, must be of string type!")
        return self._call(
            sdk.delete_setting, self._session, entitytype.lower().strip(), name, entityid
        )

    # -- logs and misc ---------------------------------------------------------------------

    def logs(
        self,
        entitytype: str | None = None,
        entityid: str | None = None,
        search: str | None = None,
        sort: str = "date",
        sort_reverse: bool = False,
        pagination_page: int | None = None,
        pagination_limit: int | None = None,
        pagination_skip: int | None = None,
    ) -> dict[str, Any]:
        """Backend logs of a scope: the whole answer (``result`` and metadata)."""
        for name, value in (
            ("pagination_page", pagination_page),
            ("pagination_limit", pagination_limit),
            ("pagination_skip", pagination_skip),
        ):
            if value is not None and not isinstance(value, int):
                raise AccsynException(f"{name} must be an integer!")
        return self._read(  # type: ignore[no-any-return]
            sdk.logs,
            entitytype,
            entityid,
            search,
            sort,
            sort_reverse,
            pagination_page,
            pagination_limit,
            pagination_skip,
        )

    def get_api_key(self) -> str:
        """The user's API key (disabled by default in the backend)."""
        return self._read(sdk.get_api_key)  # type: ignore[no-any-return]

    def app_is_running(self) -> bool | None:
        """Whether the desktop app runs on this machine as this user (None: not found)."""
        return self._call(sdk.app_is_running, self._session)

    def daemon_is_running(self) -> bool | None:
        """Whether a daemon runs on this machine as this user (None: not found)."""
        return self._call(sdk.daemon_is_running, self._session)

    gui_is_running = app_is_running
    server_is_running = daemon_is_running

    def integration(self, name: str, operation: str, data: dict[str, Any]) -> Any:
        """An integration utility call (e.g. ftrack)."""
        check(len(name) > 0, "No name provided")
        check(len(operation) > 0, "No operation provided")
        return self._read(sdk.integration, name, operation, data)
