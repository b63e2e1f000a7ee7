"""Identifiers given to grant/revoke/access are literal: ``*`` names no one."""

from __future__ import annotations

import pytest

import accsyn
from accsyn._requests import acl_access_query, acl_revoke_query, code_query
from accsyn.emulator import LocalWorkspace
from accsyn.query import Op, parse


def test_a_star_in_an_identifier_is_matched_literally() -> None:
    for text in (
        code_query("*"),
        acl_revoke_query("*", "a" * 24),
        acl_access_query("a" * 24, "user", "*"),
    ):
        where = parse(text if " WHERE " in text else f"user WHERE {text}").where
        eq_values = [str(c.value) for c in _comparisons(where) if c.op is Op.EQ]
        assert not any("*" in v for v in eq_values), text


def _comparisons(expr: object) -> list[accsyn.query.Comparison]:
    children = getattr(expr, "children", None)
    if children is None:
        return [expr]  # type: ignore[list-item]
    return [c for child in children for c in _comparisons(child)]


def test_revoke_of_star_removes_nobodys_access() -> None:
    with LocalWorkspace.fresh() as ws:
        admin = ws.session()
        folder = admin.find_one("folder WHERE code=shared_folder", raw=True)
        before = admin.acl.access("folder", folder["id"])
        assert before
        with pytest.raises(accsyn.NotFoundError):
            admin.acl.revoke("user", "*", "folder", folder["id"])
        assert admin.acl.access("folder", folder["id"]) == before


def test_grant_to_star_grants_to_nobody() -> None:
    with LocalWorkspace.fresh() as ws:
        admin = ws.session()
        folder = admin.find_one("folder WHERE code=shared_folder", raw=True)
        before = admin.acl.access("folder", folder["id"])
        with pytest.raises(accsyn.AccsynError):
            admin.acl.grant("user", "*", "folder", folder["id"], {"invite": False})
        assert admin.acl.access("folder", folder["id"]) == before
