"""Authentication: ``basic <b64 user>:<b64 API key>`` plus the workspace header.

A caller that authenticated once is remembered, with their user row, until any
stored data changes (the store's generation: every insert, update or delete,
an API key, a role or a state included), so polling clients skip the key check
and the row read; a deactivated user or a changed role applies to the very
next request. After a write, a remembered caller is checked again by primary
keys (their account's key, their user row) rather than by searching the users.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping

from accsyn.emulator._entities import user_by_email
from accsyn.emulator._protocol import ApiError
from accsyn.emulator._store import Row, Store

__all__ = ["Authenticator"]

_CACHE_SIZE = 256


def _copy(row: Row) -> Row:
    # Each request gets its own row (a handler may change its data before
    # writing it back), so the remembered one stays as stored.
    return Row(row.seq, row.id, row.et, row.state, dict(row.data), row.t_next)


class Authenticator:
    """Checks request credentials against the accounts of one workspace."""

    def __init__(self, store: Store, code: str) -> None:
        self.store = store
        self.code = code
        # (Authorization, workspace header) -> (store generation, user row, username,
        # key): a caller that authenticated successfully is the same user, unchanged,
        # until any data changes.
        self._cache: dict[tuple[str, str], tuple[int, Row, str, str]] = {}

    def user(self, headers: Mapping[str, str]) -> Row:
        """The active user the (lower-cased) ``headers`` authenticate, else 401."""
        auth = headers.get("authorization", "")
        ws = headers.get("x-accsyn-workspace", "")
        generation = self.store.generation
        hit = self._cache.get((auth, ws))
        if hit is not None:
            if hit[0] == generation:
                return _copy(hit[1])
            user = self._recheck(hit, ws)
            if user is not None:
                self._cache[(auth, ws)] = (generation, _copy(user), hit[2], hit[3])
                return user
        user, username, key = self._check(auth, ws)
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[(auth, ws)] = (generation, _copy(user), username, key)
        return user

    def _recheck(self, hit: tuple[int, Row, str, str], ws: str) -> Row | None:
        """The remembered user as stored now, if the credentials still lead to them.

        After a write, what a full check reads is read by primary key instead of by
        searching the users: the account's key, and the user's row (still an active
        user with the same code, i.e. what the search by email finds: codes are
        unique). Anything else (None) and the full check decides, with its errors.
        """
        _, remembered, username, key = hit
        if not self._workspace_is(ws) or not self._key_is(username, key):
            return None
        row = self.store.get(remembered.id)
        if (
            row is None
            or row.et != "user"
            or row.state != "active"
            or row.data.get("code") != remembered.data.get("code")
        ):
            return None
        return row

    def _check(self, auth: str, ws: str) -> tuple[Row, str, str]:
        scheme, _, cred = auth.strip().partition(" ")
        if scheme.lower() != "basic" or ":" not in cred:
            raise ApiError(401, "Authentication required (basic <b64 user>:<b64 API key>).")
        u64, _, k64 = cred.strip().partition(":")
        try:
            username = base64.b64decode(u64, validate=True).decode("utf-8").strip()
            key = base64.b64decode(k64, validate=True).decode("utf-8").strip()
        except (binascii.Error, ValueError):
            raise ApiError(401, "Malformed Authorization header.") from None
        if not self._workspace_is(ws):
            raise ApiError(401, "Unknown workspace.")
        if not self._key_is(username, key):
            raise ApiError(401, "Invalid username or API key.")
        user = user_by_email(self.store, username, states=("active",))
        if user is None:
            raise ApiError(401, "User is not a member of this workspace, or disabled.")
        return user, username, key

    def _workspace_is(self, ws: str) -> bool:
        return ws.strip().casefold() == self.code.casefold()

    def _key_is(self, username: str, key: str) -> bool:
        expected = self.store.api_key(username)
        return expected is not None and hmac.compare_digest(expected.encode(), key.encode())
