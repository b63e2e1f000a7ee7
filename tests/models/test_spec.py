"""Every fact about an entity type is derived from its model: walk the specs and check them."""

from __future__ import annotations

from typing import Any

import pytest

import accsyn
import accsyn._constants as const
from accsyn.models import (
    SCHEMA,
    ClientType,
    Entity,
    Job,
    JobType,
    Task,
    Transfer,
    User,
    model_for,
    spec_of,
    specs,
    validate_query,
)
from accsyn.query import Schema, validate

# The entity types the local workspace serves (protocol.md §6.1); each needs a model.
SERVED = [
    "user",
    "workspace",
    "queue",
    "transfer",
    "compute",
    "delivery",
    "request",
    "stream",
    "task",
    "volume",
    "folder",
    "home",
    "collection",
    "file",
    "site",
    "engine",
    "acl",
    "client",
    "app",
    "server",
    "userserver",
    "browser",
    "lane",
    "log",
    "share",
]
# Job and client type numbers (protocol.md §6.1, §6.2).
JOB_TYPES = {"transfer": 1, "queue": 2, "compute": 3, "delivery": 7, "request": 8, "stream": 10}
CLIENT_TYPES = {"app": 0, "server": 1, "userserver": 2, "browser": 3, "lane": 4}
UNIQUE_CODE = [
    "user",
    "workspace",
    "volume",
    "folder",
    "home",
    "collection",
    "site",
    "engine",
    "queue",
    "share",
]
ALIASES = {"job": "transfer", "organization": "workspace"}


def test_every_served_type_has_a_model() -> None:
    missing = set(SERVED) - set(specs())
    assert not missing


def test_specs_walk() -> None:
    every = specs()
    for uri, spec in every.items():
        assert spec.uri == uri == spec.model.__entitytype__
        assert spec_of(uri) is spec
        assert spec_of(spec.model) is spec
        assert spec_of(uri.upper()) is spec
        # Aliases resolve to the type, and name no other type.
        for alias in spec.aliases:
            assert alias not in every
            assert spec_of(alias) is spec
            assert SCHEMA.resolve_type(alias) == uri
        # Parents exist.
        for parent in spec.parent_type or ():
            assert parent in every, (uri, parent)
        # Create/update fields are attributes, or keys the input model documents as
        # inputs only; an input-only key that is an attribute would be a stale listing.
        for model, fields in (
            (spec.create_model, spec.create_fields),
            (spec.update_model, spec.update_fields),
        ):
            if model is None:
                if fields is spec.update_fields:
                    # No update model: what the server does not keep itself.
                    kept = {"id", "created", "creator", "modified", "modifier"}
                    assert fields <= set(spec.attributes) - kept, uri
                    assert not any(f.endswith("_hr") for f in fields), uri
                else:
                    assert fields == frozenset()
                continue
            assert model.__entitytype__ == uri
            only = model.__input_only__
            assert not (only & set(spec.attributes)), (uri, only & set(spec.attributes))
            assert fields <= set(spec.attributes) | only, (uri, fields - set(spec.attributes))
        # The id format is what the id attribute says.
        assert spec.attributes["id"].id_format == spec.id_format
        assert spec.attributes is SCHEMA.attributes(uri)


def test_derived_facts() -> None:
    every = specs()
    assert {u: s.job_type for u, s in every.items() if s.job_type is not None} == JOB_TYPES
    assert {u: s.client_type for u, s in every.items() if s.client_type is not None} == (
        CLIENT_TYPES
    )
    for uri, number in JOB_TYPES.items():
        assert JobType(number).name.lower() == uri
    assert {ClientType(n).name for n in CLIENT_TYPES.values()} == {
        "APP",
        "SERVER",
        "USERSERVER",
        "BROWSER",
        "COMPUTE_LANE",
    }
    assert sorted(u for u, s in every.items() if s.unique_code) == sorted(UNIQUE_CODE)
    assert {a: s.uri for s in every.values() for a in s.aliases} == ALIASES
    assert every["task"].parent_type == ("compute", "delivery", "request", "stream", "transfer")
    assert every["file"].parent_type == ("collection",)
    assert {u for u, s in every.items() if s.family == "share"} == {
        "volume",
        "folder",
        "home",
        "collection",
        "share",
    }
    # protocol.md §6.1/§6.6: ``share`` is the umbrella over the four share types.
    assert {u: s.members for u, s in every.items() if s.members} == {
        "share": ("volume", "folder", "home", "collection")
    }
    assert {u for u, s in every.items() if s.recipients} == {"delivery", "request", "stream"}
    assert {u for u, s in every.items() if s.id_format == "uuid"} == {"task", "file"}


def test_legacy_constants_are_the_derived_facts() -> None:
    # derived; remove once callers use spec_of
    assert set(const.UNIQUE_ENTITY_TYPES) == {*UNIQUE_CODE, "organization"}
    assert set(const.JOB_ENTITY_TYPES) == {
        "transfer",
        "compute",
        "delivery",
        "request",
        "stream",
        "job",
        "task",
    }
    assert set(const.SHARE_TARGET_TYPES) == {"volume", "folder", "home", "collection", "share"}
    assert set(const.JOB_TARGET_TYPES) == {"delivery", "request", "stream"}
    assert (const.CLIENT_TYPE_APP, const.CLIENT_TYPE_SERVER, const.CLIENT_TYPE_USERSERVER) == (
        0,
        1,
        2,
    )


def test_the_models_are_a_schema() -> None:
    assert isinstance(SCHEMA, Schema)
    assert set(SCHEMA.entity_types()) == set(specs())
    assert SCHEMA.suggest_type("transfr") == "transfer"
    assert SCHEMA.suggest_type("organisation") == "organization"


# --- enumerated attributes -----------------------------------------------------------


def test_enumerated_attributes_are_enums_that_tolerate_new_values() -> None:
    for uri, attribute in (
        ("volume", "type"),
        ("folder", "type"),
        ("engine", "type"),
        ("client", "os"),
        ("user", "phase"),
    ):
        info = SCHEMA.attributes(uri)[attribute]
        assert info.kind == "enum", (uri, attribute)
        model = model_for(uri)
        entity = model.from_wire({attribute: "from-a-newer-server"})
        assert entity.to_wire() == {attribute: "from-a-newer-server"}
    with pytest.raises(accsyn.QueryValidationError, match="did you mean 'compute'"):
        validate_query("engine where type=compte")


# --- model mistakes surface at once ------------------------------------------------


def test_misspelt_class_attribute_suggests_the_field() -> None:
    with pytest.raises(AttributeError, match="did you mean 'status'"):
        Transfer.stauts  # noqa: B018
    with pytest.raises(AttributeError):
        Transfer._private_thing  # noqa: B018


def test_assigning_an_unknown_attribute_is_refused_with_a_suggestion() -> None:
    task = Task.from_wire({"id": "26468234-c9ee-48d6-8d28-e900b5957129", "priority": 500})
    with pytest.raises(accsyn.ValidationError, match="did you mean 'priority'") as info:
        task.prioriti = 20  # type: ignore[attr-defined]
    assert info.value.field == "prioriti"
    assert "entity['prioriti']" in str(info.value)  # how to bypass
    assert task._accsyn_changes() == {}


def test_server_extras_stay_readable_and_assignable() -> None:
    t = Transfer.from_wire({"id": "614d660de50d45bb027c9bdd", "x_new": 1})
    assert t.x_new == 1  # type: ignore[attr-defined]
    t.x_new = 2  # type: ignore[attr-defined]
    t["x_newer"] = 3
    assert t._accsyn_changes() == {"x_new": 2, "x_newer": 3}


def test_wrong_kind_assignment_names_the_field() -> None:
    t = Transfer.from_wire({"id": "614d660de50d45bb027c9bdd"})
    with pytest.raises(accsyn.ValidationError, match="progress") as info:
        t.progress = "most"  # type: ignore[assignment]
    assert info.value.field == "progress"


def test_base_class_fields_are_usable_expressions() -> None:
    # Job.status and Entity.id are typed as expressions: they must work at run time.
    query = Transfer.where(Job.status == "failed", Entity.id == "614d660de50d45bb027c9bdd")
    assert str(validate(query, SCHEMA)) == (
        "transfer WHERE status=failed AND id=614d660de50d45bb027c9bdd"
    )


# --- builder expressions carry their model -------------------------------------------


def test_builder_values_are_checked_against_the_model() -> None:
    with pytest.raises(accsyn.QueryValidationError, match="did you mean 'failed'"):
        validate(Transfer.where(Transfer.status != "faild"), SCHEMA)
    with pytest.raises(accsyn.QueryValidationError, match="not an integer"):
        validate(Transfer.where(Transfer.progress > "half"), SCHEMA)


def test_a_field_of_another_model_is_refused() -> None:
    with pytest.raises(accsyn.QueryValidationError, match="field of user, not of transfer"):
        validate(Transfer.where(User.role == "admin"), SCHEMA)
    # Negation keeps the origin.
    with pytest.raises(accsyn.QueryValidationError, match="field of user"):
        validate(Transfer.where(~(User.role == "admin")), SCHEMA)
    # A subtype's own model, or the aliased name, is the same type.
    validate(model_for("job").where(Transfer.status == "failed"), SCHEMA)


# --- create and update payloads ------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "action", "payload", "field", "near"),
    [
        ("delivery", "create", {"nme": "x"}, "nme", "name"),
        ("transfer", "update", {"stauts": "paused"}, "stauts", "status"),
        ("user", "create", {"code": "a@b.c", "rol": "admin"}, "rol", "role"),
        ("volume", "update", {"descriptoin": "x"}, "descriptoin", "description"),
    ],
)
def test_unknown_payload_keys_name_the_nearest_field(
    uri: str, action: str, payload: dict[str, Any], field: str, near: str
) -> None:
    spec = spec_of(uri)
    check = spec.validate_create if action == "create" else spec.validate_update
    with pytest.raises(accsyn.ValidationError, match=f"did you mean '{near}'") as info:
        check(payload)
    assert info.value.field == field
    assert "validate=False" in str(info.value)


def test_wrong_value_kinds_name_the_field() -> None:
    with pytest.raises(accsyn.ValidationError, match="recipients") as info:
        spec_of("delivery").validate_create({"name": "x", "recipients": "lisa"})
    assert info.value.field is not None and info.value.field.startswith("recipients")
    with pytest.raises(accsyn.ValidationError, match="default"):
        spec_of("volume").validate_update({"default": "sometimes"})


def test_valid_payloads_pass_unchanged() -> None:
    payload = {"name": "x", "recipients": ["lisa@example.com"], "tasks": ["a.txt"]}
    assert spec_of("delivery").validate_create(payload) == payload
    assert spec_of("task").validate_create({"tasks": [{"source": "a", "priority": 10}]})
    assert spec_of("task").validate_create([{"source": "a"}, "b.txt"]) == {
        "tasks": [{"source": "a"}, "b.txt"]
    }
    with pytest.raises(accsyn.ValidationError, match="did you mean 'priority'"):
        spec_of("task").validate_create({"tasks": [{"source": "a", "prority": 10}]})
    # Compute's documented inputs (protocol.md §6.3) pass; their inner keys are open.
    compute = {"range": "1-10", "dependencies": ["a"], "envs": {"linux": {"A": "1"}}}
    assert spec_of("compute").validate_create(compute) == compute
    with pytest.raises(accsyn.ValidationError, match="did you mean 'envs'"):
        spec_of("compute").validate_create({"range": "1-10", "env": {}})


#: Documented create payloads of types that had no input model (protocol.md §6.3).
DOCUMENTED_CREATES: dict[str, dict[str, Any]] = {
    "stream": {"name": "Dailies", "tasks": ["a.mov"], "recipients": ["lisa@example.com"]},
    "compute": {
        "name": "Render",
        "engine": "nuke",
        "input": "share=projects/comp.nk",
        "output": "share=projects/out/",
        "range": "1001-1100",
        "dependencies": ["share=projects/plates"],
        "filters": "ram:>32g,site:sthlm",
        "parameters": {"input_conversion": "auto", "arguments": "-x"},
        "settings": {"task_bucketsize": "10"},
        "envs": {"common": {"A": "1"}},
    },
    "file": {"files": ["volume=assets/templates/x.doc"]},
}


@pytest.mark.parametrize("uri", sorted(DOCUMENTED_CREATES))
def test_documented_creates_pass_and_typos_do_not(uri: str) -> None:
    payload = DOCUMENTED_CREATES[uri]
    assert spec_of(uri).validate_create(payload) == payload
    key = next(iter(payload))
    with pytest.raises(accsyn.ValidationError, match=f"did you mean '{key}'"):
        spec_of(uri).validate_create({key + "x": payload[key]})


@pytest.mark.parametrize("uri", sorted(u for u, s in specs().items() if s.create_model is None))
def test_types_without_input_models_check_keys_against_their_attributes(uri: str) -> None:
    spec = spec_of(uri)
    for action, check in (("create", spec.validate_create), ("update", spec.validate_update)):
        with pytest.raises(accsyn.ValidationError, match="did you mean 'description'") as info:
            check({"descripton": "x"})
        assert str(info.value).startswith(f"{uri} {action} has no field 'descripton'")
        assert info.value.field == "descripton" and "validate=False" in str(info.value)
        assert check({"description": "x"}) == {"description": "x"}
        with pytest.raises(accsyn.ValidationError, match="description"):
            check({"description": 5})
