"""Contract testing: record a workspace, replay it offline, report drift, export schemas.

* **Record**: :class:`RecordingTransport` (in-process, any httpx transport) or the
  recording proxy (``accsyn record``, :func:`create_proxy_app`) write every
  request/response pair to a JSON-lines cassette, API keys, Authorization headers
  and session ids scrubbed.
* **Replay into state**: :func:`workspace_from_cassette` (also
  ``LocalWorkspace.from_cassette`` and ``accsyn serve --from-cassette``) stores
  every entity the cassette shows in a local workspace; :func:`replay_reads`
  proves the recorded reads answer the same.
* **Doctor**: :func:`diagnose` reports attributes the models do not declare,
  values they reject, and declared attributes never seen.
* **Schema**: :func:`export_schema` / :func:`diff_schema` (JSON Schema via pydantic).
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accsyn.contract._cassette import (
        SCRUBBED,
        Cassette,
        CassetteWriter,
        Interaction,
        Scrubber,
        read_cassette,
    )
    from accsyn.contract._doctor import (
        DriftReport,
        Finding,
        TypeReport,
        diagnose,
        entities_from_cassette,
        entities_from_session,
    )
    from accsyn.contract._record import (
        AsyncRecordingTransport,
        RecordingTransport,
        create_proxy_app,
        record,
    )
    from accsyn.contract._replay import (
        Mismatch,
        ReplayPlan,
        plan_replay,
        replay_reads,
        workspace_from_cassette,
    )
    from accsyn.contract._schema import (
        Change,
        SchemaDiff,
        diff_schema,
        export_schema,
        load_schema,
    )

# Loaded on first use: the pytest plugin imports this package for every test run.
_LAZY = {
    **dict.fromkeys(
        ("SCRUBBED", "Cassette", "CassetteWriter", "Interaction", "Scrubber", "read_cassette"),
        "_cassette",
    ),
    **dict.fromkeys(
        ("DriftReport", "Finding", "TypeReport", "diagnose"),
        "_doctor",
    ),
    "entities_from_cassette": "_doctor",
    "entities_from_session": "_doctor",
    **dict.fromkeys(
        ("AsyncRecordingTransport", "RecordingTransport", "create_proxy_app", "record"),
        "_record",
    ),
    **dict.fromkeys(
        ("Mismatch", "ReplayPlan", "plan_replay", "replay_reads", "workspace_from_cassette"),
        "_replay",
    ),
    **dict.fromkeys(
        ("Change", "SchemaDiff", "diff_schema", "export_schema", "load_schema"), "_schema"
    ),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'accsyn.contract' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"accsyn.contract.{module}"), name)
    if isinstance(value, type):
        value.__module__ = "accsyn.contract"
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "SCRUBBED",
    "AsyncRecordingTransport",
    "Cassette",
    "CassetteWriter",
    "Change",
    "DriftReport",
    "Finding",
    "Interaction",
    "Mismatch",
    "RecordingTransport",
    "ReplayPlan",
    "SchemaDiff",
    "Scrubber",
    "TypeReport",
    "create_proxy_app",
    "diagnose",
    "diff_schema",
    "entities_from_cassette",
    "entities_from_session",
    "export_schema",
    "load_schema",
    "plan_replay",
    "read_cassette",
    "record",
    "replay_reads",
    "workspace_from_cassette",
]
