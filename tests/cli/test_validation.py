"""The CLI checks names against the models before sending (issue 11.4); --no-validate bypasses."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from accsyn.cli._app import app

runner = CliRunner()

pytestmark = pytest.mark.usefixtures("accsyn_clean_env")


def _assert_refused(result: object, *needles: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    err: str = result.stderr
    assert err.startswith("error: ")
    for needle in needles:
        assert needle in err, err
    assert "--no-validate" in err
    assert "Traceback" not in err


def test_find_refuses_an_unknown_attribute_with_a_suggestion() -> None:
    result = runner.invoke(app, ["find", "transfer WHERE stauts=failed", "--local", "--json"])
    _assert_refused(result, "transfer has no attribute 'stauts'", "did you mean 'status'")


def test_find_no_validate_sends_it_anyway() -> None:
    result = runner.invoke(
        app, ["find", "transfer WHERE stauts=failed", "--local", "--json", "--no-validate"]
    )
    # The local workspace, like the server, answers what it makes of the name; the
    # CLI's part is to send it.
    assert "--no-validate" not in result.stderr
    assert "has no attribute" not in result.stderr


def test_find_validates_select() -> None:
    result = runner.invoke(app, ["find", "user", "--select", "id,email", "--local", "--json"])
    _assert_refused(result, "'email'")
    ok = runner.invoke(app, ["find", "user", "--select", "id,code", "--local", "--json"])
    assert ok.exit_code == 0, ok.output
    rows = [json.loads(line) for line in ok.stdout.splitlines()]
    assert rows and all(set(row) == {"id", "code"} for row in rows)


def test_find_refuses_an_unknown_entity_type() -> None:
    result = runner.invoke(app, ["find", "transferr WHERE status=failed", "--local"])
    _assert_refused(result, "unknown entity type 'transferr'", "did you mean 'transfer'")


@pytest.mark.parametrize(
    "args",
    [
        ["get", "transferr", "0123456789abcdef01234567"],
        ["create", "delivry", "--data", '{"name": "x"}'],
        ["update", "delivry", "0123456789abcdef01234567", "--data", '{"name": "x"}'],
    ],
)
def test_get_create_update_refuse_an_unknown_type(args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--local"])
    _assert_refused(result, "unknown entity type")


def test_explain_refuses_what_find_refuses() -> None:
    for args in (
        ["transfer WHERE stauts=failed"],
        ["user", "--select", "id,email"],
        ["transferr"],
    ):
        find = runner.invoke(app, ["find", *args, "--local"])
        explain = runner.invoke(app, ["query", "explain", *args])
        assert find.exit_code == explain.exit_code == 1
        assert find.stderr == explain.stderr


def test_explain_shows_what_find_sends() -> None:
    result = runner.invoke(app, ["query", "explain", "user", "--select", "code", "--limit", "3"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    envelope = json.loads(out[out.index("envelope:") + len("envelope:") :])
    assert envelope["uri"] == "user/find"
    assert envelope["data"] == {"limit": 3, "attributes": ["id", "code"]}


def _first_transfer_id() -> str:
    result = runner.invoke(app, ["find", "transfer", "--local", "--limit", "1", "--json"])
    return str(json.loads(result.stdout)["id"])


def test_create_refuses_an_unknown_field_naming_the_nearest() -> None:
    result = runner.invoke(app, ["create", "delivery", "--local", "--data", '{"nme": "x"}'])
    _assert_refused(result, "'nme'", "'name'")


def test_create_no_validate_sends_the_payload_as_written() -> None:
    result = runner.invoke(
        app, ["create", "delivery", "--local", "--json", "--no-validate", "--data", '{"nme": "x"}']
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"]


def test_update_refuses_an_unknown_field_naming_the_nearest() -> None:
    tid = _first_transfer_id()
    result = runner.invoke(
        app, ["update", "transfer", tid, "--local", "--data", '{"stauts": "paused"}']
    )
    _assert_refused(result, "'stauts'", "'status'")
