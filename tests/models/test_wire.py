"""Models read the server's wire dicts and write them back unchanged."""

from __future__ import annotations

import copy
import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import accsyn
from accsyn.models import (
    Acl,
    ClientType,
    Folder,
    JobStatus,
    JobType,
    PartyRef,
    Task,
    TaskEndpoint,
    Transfer,
    User,
    model_for,
)

# Sample payloads per entity type, assembled from the attribute lists and example
# values of the protocol notes (§6), copied into this directory.
SAMPLES: dict[str, dict[str, Any]] = {
    k: v
    for k, v in json.loads((Path(__file__).parent / "samples.json").read_text()).items()
    if not k.startswith("_")
}


@pytest.fixture
def transfer_wire() -> dict[str, Any]:
    return copy.deepcopy(SAMPLES["transfer"])


@pytest.mark.parametrize("entitytype", sorted(SAMPLES))
def test_every_sample_round_trips(entitytype: str) -> None:
    wire = SAMPLES[entitytype]
    model = model_for(entitytype)
    entity = model.from_wire(copy.deepcopy(wire))
    assert isinstance(entity, model)
    assert entity.to_wire() == wire
    # And through JSON text, as a find result arrives.
    (again,) = model.list_from_json(json.dumps([wire]))
    assert again == entity


@pytest.mark.parametrize("entitytype", sorted(SAMPLES))
def test_every_sample_attribute_is_declared_or_kept(entitytype: str) -> None:
    wire = SAMPLES[entitytype]
    entity = model_for(entitytype).from_wire(wire)
    for key in wire:
        assert entity[key] == entity.get(key)
        assert key in entity


def test_transfer_values_are_typed(transfer_wire: dict[str, Any]) -> None:
    t = Transfer.from_wire(transfer_wire)
    assert t.status is JobStatus.WAITING
    assert t.type is JobType.TRANSFER
    assert t.created == datetime(2026, 1, 31, 12, 0, tzinfo=timezone.utc)
    assert t.created is not None and t.created.tzinfo is not None
    assert t.modified is not None and t.modified.microsecond == 250_000
    assert t.source == PartyRef("workspace", "6645fbca9f8c4d3e7a3b678d")
    assert t.source is not None and t.source.type == "workspace"
    assert t.destination == "user:6676f3e9c7ef4e27da254e57"
    assert t.speed == -1.0 and t.size == -1
    # Metadata is opaque: its date-like strings stay strings.
    assert t.metadata == {"project": "P001", "approved_at": "2026-01-30T09:00:00"}


def test_key_access_reads_like_the_official_dicts(transfer_wire: dict[str, Any]) -> None:
    transfer_wire["x_new_attribute"] = {"a": 1}
    t = Transfer.from_wire(transfer_wire)
    assert t["status"] == "waiting"
    assert t["name"] == "Daily backup"
    assert t["x_new_attribute"] == {"a": 1}
    assert t.x_new_attribute == {"a": 1}
    assert t.extra == {"x_new_attribute": {"a": 1}}
    with pytest.raises(KeyError):
        t["no_such_attribute"]
    assert t.get("no_such_attribute", 5) == 5
    assert "description" not in t
    assert t.get("description", "d") == "d"
    assert "x_new_attribute" in t.keys()  # noqa: SIM118 - keys() is API here


def test_unsent_attributes_are_left_out() -> None:
    t = Transfer.from_wire({"id": "614d660de50d45bb027c9bdd", "description": None})
    assert t.to_wire() == {"id": "614d660de50d45bb027c9bdd", "description": None}
    assert t.name is None


def test_dates_are_written_in_utc() -> None:
    t = Transfer.from_wire({"created": "2026-02-09T09:17:45+01:00"})
    assert t.created == datetime(2026, 2, 9, 8, 17, 45, tzinfo=timezone.utc)
    assert t.to_wire() == {"created": "2026-02-09T08:17:45"}


def test_object_id_tags_are_stripped() -> None:
    wire = {"id": "ObjectId:614d660de50d45bb027c9bdd", "user": "ObjectId:6676f3e9c7ef4e27da254e57"}
    for t in (Transfer.from_wire(wire), Transfer.list_from_json(json.dumps([wire]))[0]):
        assert t.id == "614d660de50d45bb027c9bdd"
        assert t.user == "6676f3e9c7ef4e27da254e57"


def test_unknown_enum_values_are_kept_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="accsyn")
    first = Transfer.from_wire({"status": "teleporting", "type": 42})
    second = Transfer.from_wire({"status": "teleporting"})
    assert first.status == "teleporting"
    assert isinstance(first.status, JobStatus)
    assert first.type == 42
    assert first.status not in list(JobStatus)
    assert first.to_wire() == {"status": "teleporting", "type": 42}
    assert second.status == first.status
    logged = [r for r in caplog.records if "teleporting" in r.getMessage()]
    assert len(logged) == 1
    assert logged[0].levelno == logging.DEBUG


def test_enum_values_are_case_insensitive() -> None:
    assert Transfer.from_wire({"status": "FAILED"}).status is JobStatus.FAILED


def test_client_kinds_share_the_client_attributes() -> None:
    lane = model_for("lane").from_wire(SAMPLES["lane"])
    assert lane["type"] == 4 and lane["type"] is ClientType.COMPUTE_LANE


def test_task_endpoints_are_typed_and_keep_legacy_keys() -> None:
    task = Task.from_wire(SAMPLES["task"])
    assert isinstance(task.source, TaskEndpoint)
    assert task.source.path == "/data/README.txt"
    assert task.destination is not None
    assert task.destination.model_extra == {"r_s": "legacy"}


def test_projection_raises_for_unselected_fields() -> None:
    t = Transfer.from_wire(
        {"id": "614d660de50d45bb027c9bdd", "source": "user:6676f3e9c7ef4e27da254e57"},
        attributes=["source", "destination"],
    )
    assert t.destination is None  # selected, not sent
    assert t.id == "614d660de50d45bb027c9bdd"  # sent anyway
    with pytest.raises(accsyn.UnselectedAttributeError, match="status"):
        t.status  # noqa: B018
    with pytest.raises(AttributeError):
        t["status"]
    assert t.get("status") is None
    assert t.to_wire() == {
        "id": "614d660de50d45bb027c9bdd",
        "source": "user:6676f3e9c7ef4e27da254e57",
    }
    assert "status" not in repr(t)
    t.status = JobStatus.PAUSED  # assigning makes it readable again
    assert t.status is JobStatus.PAUSED


def test_change_tracking() -> None:
    folder = Folder.from_wire(SAMPLES["folder"])
    assert folder._accsyn_changes() == {}
    folder.name = "Renamed"
    folder.status = "disabled"  # type: ignore[assignment]
    folder["x_custom"] = 1  # an attribute the SDK does not know: set by key
    assert folder._accsyn_changes() == {"name": "Renamed", "status": "disabled", "x_custom": 1}
    folder._accsyn_mark_clean()
    assert folder._accsyn_changes() == {}
    user = User.from_wire({"id": "6676f3e9c7ef4e27da254e57"})
    user.logged_in = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    assert user._accsyn_changes() == {"logged_in": "2026-03-01T12:00:00"}


def test_assignment_is_validated_with_a_field_error() -> None:
    t = Transfer()
    with pytest.raises(accsyn.ValidationError) as info:
        t.size = "big"  # type: ignore[assignment]
    assert info.value.field == "size"
    assert "size" in str(info.value)


def test_bad_wire_data_raises_a_typed_error() -> None:
    with pytest.raises(accsyn.ValidationError) as info:
        Transfer.from_wire({"created": "yesterday"})
    assert info.value.field == "created"
    with pytest.raises(accsyn.ValidationError):
        Transfer.from_wire(["not", "a", "dict"])  # type: ignore[arg-type]
    with pytest.raises(accsyn.ValidationError, match="JSON"):
        Transfer.list_from_json("[{")
    with pytest.raises(accsyn.ValidationError) as info:
        Transfer.list_from_json('[{"size": "big"}]')
    assert info.value.field == "0.size"


def test_list_from_json_reads_a_find_body() -> None:
    body = json.dumps({"result": [SAMPLES["transfer"]], "logs": []})
    (t,) = Transfer.list_from_json(body.encode(), envelope=True)
    assert t.to_wire() == SAMPLES["transfer"]


def test_party_refs_parse_and_render() -> None:
    ref = PartyRef.parse("share:664b1f6e2f1a4c0b9d8e7f6a")
    assert (ref.type, ref.id) == ("share", "664b1f6e2f1a4c0b9d8e7f6a")
    assert str(ref) == "share:664b1f6e2f1a4c0b9d8e7f6a"
    assert ref == PartyRef("share", "664b1f6e2f1a4c0b9d8e7f6a")
    assert len({ref, PartyRef.parse(str(ref))}) == 1
    legacy = PartyRef.parse("hq")
    assert str(legacy) == "hq"
    with pytest.raises(AttributeError):
        ref.id = "x"  # type: ignore[misc]
    acl = Acl(entity=PartyRef("user", "6676f3e9c7ef4e27da254e57"))
    assert acl.to_wire() == {"entity": "user:6676f3e9c7ef4e27da254e57"}


def test_list_from_wire() -> None:
    items = [SAMPLES["transfer"], {"id": "614d660de50d45bb027c9bde"}]
    models = Transfer.list_from_wire(items)
    assert [m.to_wire() for m in models] == items
    with pytest.raises(accsyn.ValidationError) as info:
        Transfer.list_from_wire([{"size": "x"}])
    assert info.value.field == "0.size"


def test_models_pickle_and_copy() -> None:
    import pickle

    t = Transfer.from_wire(SAMPLES["transfer"])
    for again in (pickle.loads(pickle.dumps(t)), copy.deepcopy(t), t.model_copy()):
        assert again == t
        assert again.to_wire() == SAMPLES["transfer"]
