"""accsyn schema export / diff: JSON Schema of the models, breaking vs compatible."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from accsyn import ValidationError
from accsyn.cli._app import app
from accsyn.contract import diff_schema, export_schema, load_schema
from accsyn.models import entity_types

runner = CliRunner()


def test_export_covers_every_entity_and_input_model() -> None:
    schema = export_schema()
    assert set(schema["entities"]) == set(entity_types())
    transfer = schema["entities"]["transfer"]
    assert "status" in transfer["properties"]
    assert transfer["additionalProperties"] is True  # unknown attributes are kept
    assert {"TransferCreate", "UserCreate", "UserUpdate"} <= set(schema["inputs"])
    json.dumps(schema)  # plain JSON all the way down


def _status_enum(schema: dict[str, Any]) -> list[str]:
    enum: list[str] = schema["entities"]["transfer"]["$defs"]["JobStatus"]["enum"]
    return enum


def test_diff_tells_breaking_from_compatible() -> None:
    old = export_schema()
    assert diff_schema(old, old).changes == []
    new = copy.deepcopy(old)
    del new["entities"]["transfer"]["properties"]["speed"]
    new["entities"]["transfer"]["properties"]["colour"] = {"type": "string"}
    _status_enum(new).remove("paused")
    _status_enum(new).append("hibernating")
    new["entities"]["user"]["properties"]["name"] = {"type": "integer"}
    user_create = new["inputs"]["UserCreate"]
    user_create["properties"]["team"] = {"type": "string"}
    user_create["required"] = [*user_create.get("required", []), "team"]
    del new["entities"]["log"]
    diff = diff_schema(old, new)
    found = {(c.severity, c.where, c.message.split(" ")[0]) for c in diff.changes}
    assert ("breaking", "entity transfer", "attribute") in found  # speed removed
    assert ("compatible", "entity transfer", "attribute") in found  # colour added
    messages = {str(c) for c in diff.changes}
    assert "breaking: entity transfer: 'status' lost enum values \"paused\"" in messages
    assert "compatible: entity transfer: 'status' gained enum values \"hibernating\"" in messages
    assert "breaking: entity user: 'name' changed kind: string|null -> integer" in messages
    assert "breaking: input UserCreate: new required field 'team'" in messages
    assert "breaking: entity log: removed" in messages
    assert diff.exit_code() == 1
    # Read in the other direction, the same edits are additions, not breaks.
    back = diff_schema(new, old)
    assert "compatible: entity log: added" in {str(c) for c in back.changes}


def test_cli_export_and_diff(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    result = runner.invoke(app, ["schema", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    same = runner.invoke(app, ["schema", "diff", str(out)])
    assert same.exit_code == 0 and "no changes" in same.stdout
    edited = json.loads(out.read_text())
    del edited["entities"]["queue"]["properties"]["priority"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(edited))
    # The old contract lacked 'priority': today's models add it (compatible).
    grew = runner.invoke(app, ["schema", "diff", str(old), str(out), "--format", "json"])
    assert grew.exit_code == 0
    assert json.loads(grew.stdout)["changes"][0]["message"] == "attribute 'priority' added"
    shrank = runner.invoke(app, ["schema", "diff", str(out), str(old)])
    assert shrank.exit_code == 1
    assert "breaking: entity queue: attribute 'priority' removed" in shrank.stdout
    bad = runner.invoke(app, ["schema", "diff", str(tmp_path / "nope.json")])
    assert bad.exit_code == 2 and "no schema file" in bad.stderr


def test_a_file_that_is_not_an_export_is_a_typed_error(tmp_path: Path) -> None:
    p = tmp_path / "x.json"
    p.write_text("[1, 2]")
    with pytest.raises(ValidationError, match="accsyn schema export"):
        load_schema(p)
