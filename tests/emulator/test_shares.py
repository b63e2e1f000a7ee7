"""``share`` in the local workspace: the umbrella over volumes, folders, homes and collections.

protocol.md §6.1 and §6.6: ``share=`` paths and ``share:<id>`` references mean any of
the four share types, and legacy scripts query ``Share where type=root``. A ``share``
find answers with the member rows (each typed by its ``type``), each member under
its own read rule (§6.5).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import accsyn
from accsyn.emulator import LocalWorkspace
from accsyn.models import Share, ShareType

MEMBERS = ("volume", "folder", "home", "collection")
ROLES = ("admin", "employee", "standard")


@pytest.fixture(scope="module")
def ws() -> Iterator[LocalWorkspace]:
    with LocalWorkspace(seed="demo", transfers=5) as workspace:
        # A folder only admins (and employees, who read every folder) may read.
        workspace.session().create("folder", {"name": "Board minutes", "path": "board"})
        yield workspace


def _ids(rows: list[Any]) -> set[str]:
    return {str(row.id) for row in rows}


def test_share_rows_are_typed_share_models_of_every_member_type(ws: LocalWorkspace) -> None:
    rows = ws.session().find("share")
    assert rows and all(type(row) is Share for row in rows)
    assert {row.type for row in rows} == {ShareType(m) for m in MEMBERS}
    for member in MEMBERS:
        typed = {row.id for row in rows if row.type == member}
        assert typed == _ids(ws.session().find(member)), member


def test_share_where_default_is_the_default_volume(ws: LocalWorkspace) -> None:
    session = ws.session()
    (default,) = session.find("share WHERE default=true")
    assert default.type is ShareType.VOLUME
    assert default.id == session.find_one("volume WHERE default=true").id
    assert default.path  # the volume's own attributes come with the row


@pytest.mark.parametrize(
    ("query", "member"),
    [
        ("share WHERE type=folder", "folder"),
        ("share WHERE type=home", "home"),
        ("share WHERE type=collection", "collection"),
        # The legacy (v1/v2) share types name the same kinds.
        ("Share where type=root", "volume"),
        ("Share where type=standard", "folder"),
        ("Share where type=user", "home"),
        ("share WHERE type in root,collection", None),
    ],
)
def test_share_where_type_selects_one_kind(ws: LocalWorkspace, query: str, member: str) -> None:
    session = ws.session()
    rows = session.find(query)
    if member is None:
        expected = _ids(session.find("volume")) | _ids(session.find("collection"))
    else:
        expected = _ids(session.find(member))
    assert rows and _ids(rows) == expected


def test_share_where_type_and_name(ws: LocalWorkspace) -> None:
    rows = ws.session().find("share WHERE type=folder AND name='Shared Folder'")
    assert [(r.type, r.name) for r in rows] == [(ShareType.FOLDER, "Shared Folder")]
    assert ws.session().find("share WHERE type=volume AND name='Shared Folder'") == []


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_the_shares_it_may_read_as_each_member(
    ws: LocalWorkspace, role: str
) -> None:
    session = ws.session(role)
    shares = session.find("share")
    for member in MEMBERS:
        as_member = _ids(session.find(member))
        assert {r.id for r in shares if r.type == member} == as_member, (role, member)


def test_employees_see_no_volume_and_standard_users_no_folder_they_cannot_read(
    ws: LocalWorkspace,
) -> None:
    board = ws.session().find_one("folder WHERE name='Board minutes'")
    employee = ws.session("employee").find("share")
    assert employee and not [r for r in employee if r.type == "volume"]
    assert board.id in _ids(employee)  # employees read every folder (§6.5)
    standard = ws.session("standard").find("share")
    assert board.id not in _ids(standard)
    assert ws.session("standard").find("share WHERE name='Board minutes'") == []
    assert ws.session("standard").get_entity("share", board.id) is None


@pytest.mark.parametrize("member", MEMBERS)
def test_get_entity_share_finds_any_member_by_id(ws: LocalWorkspace, member: str) -> None:
    session = ws.session()
    entity = session.find(member)[0]
    got = session.get_entity("share", entity.id)
    assert type(got) is Share and got.id == entity.id and got.type == member
    one = session.find_one(f"share WHERE id={entity.id}")
    assert one.id == entity.id and one.type == member


def test_a_share_reference_resolves_by_code(ws: LocalWorkspace) -> None:
    # ``code`` is unique across shares: a code names one of any kind.
    rows = ws.session().find("share WHERE code=review_picks")
    assert [(r.type, r.code) for r in rows] == [(ShareType.COLLECTION, "review_picks")]


@pytest.mark.parametrize("role", ROLES)
def test_a_share_is_created_as_one_of_its_kinds(ws: LocalWorkspace, role: str) -> None:
    with pytest.raises(accsyn.BadRequestError, match="volume, folder, home, collection"):
        ws.session(role).create("share", {"name": "Anything"}, validate=False)


def test_share_finds_agree_with_the_official_client_shape(ws: LocalWorkspace) -> None:
    # Raw rows: what the wire carries is each member's own row, its type included.
    rows = ws.session().find("share", raw=True)
    kinds = {str(row["type"]) for row in rows}
    assert kinds == set(MEMBERS)
    volume = next(row for row in rows if row["type"] == "volume")
    assert "default" in volume and "user" not in volume
    home = next(row for row in rows if row["type"] == "home")
    assert "user" in home and "default" not in home


def test_changes_through_share_change_the_member() -> None:
    with LocalWorkspace(seed="demo", transfers=5) as fresh:
        session = fresh.session()
        folder = session.find_one("folder WHERE name='Outsource'")
        updated = session.update("share", folder.id, {"description": "via share"})
        assert type(updated) is Share and updated.type is ShareType.FOLDER
        assert session.get_entity("folder", folder.id).description == "via share"
        # A share fetched as a share saves like any entity.
        share = session.get_entity("share", folder.id)
        share.description = "saved"
        share.save()
        assert session.get_entity("folder", folder.id).description == "saved"
        # A share's default is the server's to keep: refused before sending. Sent
        # anyway, the row is a folder's: the server refuses it, naming the folder.
        with pytest.raises(accsyn.ValidationError, match="'default' is read-only"):
            session.update("share", folder.id, {"default": True})
        with pytest.raises(accsyn.APIError, match="folder has no attribute 'default'"):
            session.update("share", folder.id, {"default": True}, validate=False)
        # Lifecycle too: deactivated as a share, the folder leaves the active pool.
        session.deactivate_one("share", folder.id)
        assert folder.id not in _ids(session.find("share"))
        assert folder.id in _ids(session.find("folder", inactive=True))
        session.activate_one("share", folder.id)
        assert folder.id in _ids(session.find("share WHERE type=folder"))
