"""The registry maps type names to models, and models describe their attributes."""

from __future__ import annotations

from enum import Enum

import pytest

import accsyn
from accsyn.models import (
    Acl,
    App,
    Browser,
    Client,
    Collection,
    Compute,
    Delivery,
    Engine,
    Entity,
    File,
    Folder,
    Home,
    JobStatus,
    JobType,
    Lane,
    Log,
    Queue,
    Request,
    Server,
    Share,
    ShareBase,
    Site,
    Stream,
    Task,
    Transfer,
    User,
    UserServer,
    Volume,
    Workspace,
    attributes_of,
    entity_types,
    model_for,
)

EXPECTED = {
    "workspace": Workspace,
    "user": User,
    "queue": Queue,
    "transfer": Transfer,
    "compute": Compute,
    "delivery": Delivery,
    "request": Request,
    "stream": Stream,
    "task": Task,
    "volume": Volume,
    "folder": Folder,
    "home": Home,
    "collection": Collection,
    "file": File,
    "site": Site,
    "engine": Engine,
    "acl": Acl,
    "client": Client,
    "app": App,
    "server": Server,
    "userserver": UserServer,
    "browser": Browser,
    "lane": Lane,
    "log": Log,
    "share": Share,
}


@pytest.mark.parametrize(("name", "model"), sorted(EXPECTED.items()))
def test_model_for_every_type(name: str, model: type[Entity]) -> None:
    assert model_for(name) is model
    assert model_for(name.upper()) is model
    assert model.__entitytype__ == name
    assert name in entity_types()


def test_aliases() -> None:
    assert model_for("job") is Transfer
    assert model_for("Job") is Transfer
    assert model_for("Share") is Share  # its own type now, the umbrella (not folder)
    assert model_for("organization") is Workspace
    assert model_for("UserServer") is UserServer


def test_every_share_kind_is_a_share() -> None:
    for model in (Volume, Folder, Home, Collection):
        assert issubclass(model, ShareBase)
        assert not issubclass(model, Share)
        # The umbrella has every attribute of every member, typed alike.
        for name, field in model.model_fields.items():
            assert Share.model_fields[name].annotation == field.annotation, name
    for model in (App, Server, UserServer, Browser, Lane):
        assert issubclass(model, Client)


def test_unknown_type_suggests_the_nearest() -> None:
    with pytest.raises(accsyn.ValidationError, match="'transfer'") as info:
        model_for("transfr")
    assert info.value.field == "entitytype"
    with pytest.raises(accsyn.ValidationError, match="unknown entity type"):
        model_for("zzzzzz")


def test_attribute_kinds() -> None:
    attrs = attributes_of("transfer")
    assert attrs["status"].kind == "enum"
    assert attrs["status"].enum is JobStatus
    assert attrs["type"].enum is JobType
    assert attrs["created"].kind == "datetime"
    assert attrs["source"].kind == "reference"
    assert attrs["user"].kind == "reference"
    assert attrs["id"].kind == "id"
    assert attrs["id"].id_format == "objectid"
    assert attrs["size"].kind == "int"
    assert attrs["speed"].kind == "float"
    assert attrs["name"].kind == "str"
    assert attrs["metadata"].kind == "object"
    assert attrs["status"].nullable
    assert attributes_of(Volume)["default"].kind == "bool"
    assert attributes_of("task")["id"].id_format == "uuid"
    assert attributes_of("file")["id"].id_format == "uuid"
    assert attributes_of("client")["host_id"].kind == "str"
    assert attributes_of("job") is attrs


@pytest.mark.parametrize("name", entity_types())
def test_every_attribute_is_described(name: str) -> None:
    attrs = attributes_of(name)
    assert "id" in attrs
    for attribute, info in attrs.items():
        assert info.name == attribute
        assert (info.kind == "enum") == (info.enum is not None)
        if info.enum is not None:
            assert issubclass(info.enum, Enum)


def test_documented_attributes_are_declared() -> None:
    # Attribute lists from the protocol notes (§6.3), per type.
    documented = {
        "transfer": "code created destination destination_hr etr finished id name progress size "
        "source source_hr speed status user user_hr uri metadata parent parent_hr modified "
        "modifier",
        "user": "code created creator description id logged_in metadata modified modifier name "
        "queue role status",
        "volume": "code created creator default description email id licensed metadata modified "
        "modifier name path paths queue status type inactive",
        "folder": "code created creator description email id metadata modified modifier name "
        "parent path queue status_hr status parent_hr",
        "acl": "acknowledged created creator description entity id path read role status target "
        "token write entity_hr target_hr",
        "queue": "code compute_default created creator default description id metadata modified "
        "modifier name priority status uri",
        "site": "accsyn code created creator description id main name status metadata modified "
        "modifier",
        "client": "benchmark code created description host_ident host_id id last_checkin metrics "
        "metadata modified modifier name os parent roles site site_hr status type type_hr user "
        "user_hr username version wan_ip",
        "task": "created destination finished id job job_hr priority size source status time uri "
        "metadata description",
        "delivery": "code name public status user",
        "engine": "code name type status description vendor metadata",
    }
    for name, listed in documented.items():
        missing = set(listed.split()) - set(attributes_of(name))
        assert not missing, (name, missing)
