"""Create payloads of the types that had no input model are checked, and documented ones pass.

Stream, compute and file creates used to be checked against the entity's attributes
only, so documented keys (a stream's ``recipients``, a compute job's ``dependencies``,
``filters``, ``parameters``, ``envs``) were refused as unknown. They now have input
models (protocol.md §6.3); a typo still names the nearest field.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import accsyn
from accsyn.emulator import LocalWorkspace


@pytest.fixture(scope="module")
def ws() -> Iterator[LocalWorkspace]:
    with LocalWorkspace(seed="demo", transfers=5) as workspace:
        yield workspace


def test_a_stream_is_created_with_recipients(ws: LocalWorkspace) -> None:
    created = ws.session().create(
        "stream",
        {"name": "Dailies", "tasks": ["demo/README.txt"], "recipients": ["lisa@example.com"]},
    )
    assert created.name == "Dailies"


def test_documented_compute_keys_pass_validation(ws: LocalWorkspace) -> None:
    engine = ws.session().find("engine")[0].code
    payload = {
        "name": "Render",
        "source": "demo/README.txt",
        "destination": "site=hq:render/",
        "engine": engine,
        "range": "1001-1100",
        "dependencies": ["demo/README.txt"],
        "filters": "ram:>32g",
        "parameters": {"input_conversion": "auto"},
        "settings": {"task_bucketsize": "10"},
        "envs": {"common": {"A": "1"}},
    }
    created = ws.session().create("compute", payload)
    assert created.name == "Render"


@pytest.mark.parametrize(
    ("entitytype", "payload", "near"),
    [
        ("compute", {"name": "x", "dependancies": ["a"]}, "dependencies"),
        ("stream", {"name": "x", "recipents": ["lisa@example.com"]}, "recipients"),
        ("engine", {"nme": "Nuke"}, "name"),
        ("share", {"defualt": True}, "default"),
    ],
)
def test_typos_in_creates_name_the_nearest_field(
    ws: LocalWorkspace, entitytype: str, payload: dict[str, object], near: str
) -> None:
    with pytest.raises(accsyn.ValidationError, match=f"did you mean '{near}'") as info:
        ws.session().create(entitytype, payload)
    assert str(info.value).startswith(f"{entitytype} create has no field")
