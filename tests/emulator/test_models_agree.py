"""The local workspace serves every entity type of the models, exactly as the models say.

The models are the single spec of each entity type (``accsyn.models.specs()``); the
emulator derives its tables from them. These tests walk every type: what the local
workspace stores and answers has exactly the model's attributes and validates as the
model, and a type added to the models is served without touching the emulator.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from accsyn.emulator import LocalWorkspace
from accsyn.models import specs

TYPES = sorted(specs())


class Caller:
    """Raw events to a workspace's backend as one seeded user (no SDK decoding)."""

    def __init__(self, ws: LocalWorkspace, role: str = "admin") -> None:
        workspace, user, key = ws.credentials(role)
        b64 = [base64.b64encode(s.encode()).decode() for s in (user, key)]
        self.headers = {
            "Authorization": f"basic {b64[0]}:{b64[1]}",
            "X-Accsyn-Workspace": workspace,
        }
        self.ws = ws

    def __call__(self, method: str, uri: str, data: Any = None, **envelope: Any) -> tuple[int, Any]:
        env = {"workspace": self.ws.workspace, "uri": uri, "data": data, **envelope}
        raw, body = "", b""
        if method in ("GET", "DELETE"):
            raw = quote(json.dumps(env))
        else:
            body = json.dumps(env).encode()
        reply = self.ws.backend.handle(method, "/api/v3/event", raw, self.headers, body)
        return reply.status, reply.body


@pytest.fixture(scope="module")
def workspace() -> Iterator[LocalWorkspace]:
    with LocalWorkspace(seed="demo", transfers=20) as ws:
        yield ws


@pytest.fixture(scope="module")
def admin(workspace: LocalWorkspace) -> Caller:
    return Caller(workspace)


def _find_all(admin: Caller, et: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for scope in ({}, {"finished": True}, {"inactive": True}):
        status, body = admin("GET", f"{et}/find", scope)
        assert status == 200, body
        rows += body["result"]
    return rows


@pytest.mark.parametrize("et", TYPES)
def test_every_type_is_answered_with_exactly_its_models_attributes(admin: Caller, et: str) -> None:
    spec = specs()[et]
    if et == "log":
        status, body = admin("GET", "log/find", {})
        assert status == 200, body
        rows = body["result"]
    else:
        rows = _find_all(admin, et)
    assert rows, f"the demo seed has no {et}: seed one so the emulator can be held to its model"
    for row in rows:
        # An umbrella's (share's) rows are its members' rows: each has exactly the
        # attributes of the member its ``type`` names, and validates as the umbrella.
        held = specs()[row["type"]] if spec.members else spec
        assert set(row) == set(held.attributes), (
            f"{et}: extra {sorted(set(row) - set(held.attributes))}, "
            f"missing {sorted(set(held.attributes) - set(row))}"
        )
        spec.model.from_wire(row)  # and the values are what the model accepts
    if spec.members:
        assert {row["type"] for row in rows} == set(spec.members), et


def test_nothing_beyond_the_models_attributes_is_stored(workspace: LocalWorkspace) -> None:
    # Bookkeeping lives in "_" keys; every other stored key is a model attribute.
    for et in TYPES:
        allowed = set(specs()[et].attributes)
        for row in workspace.backend.store.iter_all(et):
            extra = {k for k in row.data if not k.startswith("_")} - allowed
            assert not extra, f"{et} {row.id} stores {sorted(extra)}, which its model lacks"


def test_entitytypes_and_attributes_are_the_models(admin: Caller) -> None:
    status, body = admin("GET", "entitytypes")
    assert status == 200 and sorted(body["result"]) == TYPES
    for et in TYPES:
        spec = specs()[et]
        _, body = admin("GET", "attributes", {"entitytype": et})
        assert set(body["result"]) == set(spec.attributes), et
        if spec.create_fields:
            _, body = admin("GET", "attributes", {"entitytype": et, "create": True})
            assert set(body["result"]) == set(spec.create_fields), et
        if spec.update_fields:
            _, body = admin("GET", "attributes", {"entitytype": et, "update": True})
            assert set(body["result"]) == set(spec.update_fields), et
    for alias_of in (s for s in specs().values() if s.aliases):
        for alias in alias_of.aliases:
            _, body = admin("GET", "attributes", {"entitytype": alias})
            assert set(body["result"]) == set(alias_of.attributes), alias


#: A minimal create payload per type the API can create (test data, not schema).
CREATES: dict[str, dict[str, Any]] = {
    "user": {"code": "newcomer@example.com", "role": "standard"},
    "transfer": {"source": "demo/README.txt", "destination": "site=hq:incoming/"},
    "compute": {"source": "demo/README.txt", "destination": "site=hq:render/"},
    "delivery": {"name": "Fresh delivery"},
    "request": {"name": "Fresh request"},
    "stream": {"name": "Fresh stream"},
    "volume": {"name": "Archive", "code": "archive"},
    "folder": {"name": "Incoming", "path": "incoming"},
    "collection": {"name": "Selects"},
    "queue": {"name": "Urgent", "priority": 900},
    "site": {"name": "Paris"},
    "engine": {"name": "Nuke"},
}


@pytest.mark.parametrize("et", sorted(CREATES))
def test_created_entities_are_stored_and_answered_as_their_model(admin: Caller, et: str) -> None:
    spec = specs()[et]
    status, body = admin("POST", f"{et}/create", CREATES[et])
    assert status == 200, body
    (created,) = body["result"]
    assert set(created) == set(spec.attributes), et
    status, body = admin("GET", f"{et}/find", {}, id=created["id"])
    assert status == 200 and [r["id"] for r in body["result"]] == [created["id"]], body
    assert set(body["result"][0]) == set(spec.attributes), et
    spec.model.from_wire(body["result"][0])


def test_every_type_is_created_by_the_api_or_seeded() -> None:
    # The creatable ones are created above; the rest must come from the seed (the
    # first test fails for a type with neither, naming it).
    from accsyn.emulator._ops.create import creator_of

    creatable = {et for et in TYPES if creator_of(et) is not None}
    assert creatable <= set(CREATES) | {"home"}, sorted(creatable - set(CREATES))


NEW_TYPE_SCRIPT = textwrap.dedent(
    """
    import base64, json
    from urllib.parse import quote
    from accsyn.emulator import LocalWorkspace
    from accsyn.models import Described, specs

    class Gadget(Described):
        __entitytype__ = "gadget"  # a throwaway entity type, registered by subclassing

    assert "gadget" in specs()
    with LocalWorkspace(seed=None) as ws:
        workspace, user, key = ws.credentials("admin")
        b64 = [base64.b64encode(s.encode()).decode() for s in (user, key)]
        headers = {"Authorization": f"basic {b64[0]}:{b64[1]}", "X-Accsyn-Workspace": workspace}

        def call(uri, data=None, query=None):
            env = {"workspace": workspace, "uri": uri, "data": data, "query": query}
            raw = quote(json.dumps(env))
            reply = ws.backend.handle("GET", "/api/v3/event", raw, headers, b"")
            assert reply.status == 200, reply.body
            return reply.body["result"]

        ws.backend.store.insert("gadget", {"id": "ab" * 12, "name": "Widget", "code": "w1"})
        print(json.dumps({
            "types": call("entitytypes"),
            "attributes": call("attributes", {"entitytype": "gadget"}),
            "found": call("gadget/find", {}, "name=widget"),
            "model": sorted(specs()["gadget"].attributes),
        }))
    """
)


def test_an_entity_type_added_to_the_models_is_served() -> None:
    # A fresh interpreter: registering a model is process-wide.
    done = subprocess.run(
        [sys.executable, "-c", NEW_TYPE_SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert "gadget" in got["types"], "the emulator does not list a type the models define"
    assert sorted(got["attributes"]) == got["model"]
    assert [sorted(row) for row in got["found"]] == [got["model"]], (
        "the emulator does not answer a type the models define, as the model has it"
    )


def test_edit_refuses_an_attribute_the_model_lacks(admin: Caller) -> None:
    # Stored unchecked, a typo would be answered back as if the type had it.
    _, body = admin("GET", "transfer/find", {"limit": 1})
    tid = body["result"][0]["id"]
    status, body = admin("PUT", "transfer/edit", {"stauts": "paused"}, id=tid)
    assert status == 400
    assert "stauts" in body["message"] and "did you mean 'status'" in body["message"]
    status, body = admin("PUT", "transfer/edit", {"description": "checked"}, id=tid)
    assert status == 200, body
    assert set(body["result"][0]) == set(specs()["transfer"].attributes)
