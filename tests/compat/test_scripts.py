"""A script written for ``accsyn_api`` runs unchanged through ``accsyn.compat``.

The script below is the kind found in real integrations (backup automation, ftrack
actions): it assigns into results, indexes nested dicts, splits party strings,
compares dates and ``json.dumps`` what it got. It runs once with the official module
against one workspace and once with ``accsyn.compat`` against an identical one; the
outputs must be the same.
"""

from __future__ import annotations

import datetime
import json
import types
from typing import Any

import accsyn_api
import accsyn_api.session

import accsyn.compat
import accsyn.compat.session

from .conftest import FastCompatSession, Served


def backup_report(accsyn_api: types.ModuleType, **credentials: Any) -> list[Any]:
    """Written against accsyn_api 3.4; only the module it is given changes."""
    session = accsyn_api.Session(**credentials)
    out: list[Any] = []

    transfers = session.find("Transfer WHERE status=paused", limit=5)
    assert isinstance(transfers, list)
    for t in transfers:
        assert isinstance(t, dict)
        t["_checked"] = True  # item assignment into a result
        kind, party_id = t["user"].split(":")  # party references are "user:<id>" strings
        out.append((t["name"], kind, len(party_id), t["_checked"]))
        assert isinstance(t["created"], datetime.datetime)
        out.append(t["created"] < datetime.datetime.now(datetime.timezone.utc))

    # Create a job with a task, read the task back and index its nested dicts.
    job = session.create(
        "transfer",
        {
            "name": "nightly backup",
            "source": "demo/README.txt",
            "destination": "standard@example.com:/tmp/",
        },
    )
    job["note"] = "assigned"
    tasks = session.find(f"task WHERE job={job['id']}", entityid=job["id"]) or []
    for task in tasks:
        out.append((task["source"]["path"], task["destination"]["path"], task["status"]))

    folder = session.find_one("Folder WHERE name='Shared Folder'")
    acl = session.grant("user", "lisa@example.com", "folder", folder["id"], {"read": True})
    out.append((acl["read"], acl["write"], acl["entity"].split(":")[0]))
    for row in session.access("folder", folder["id"]):
        out.append((row["user_hr"], row["read"], row["write"], row["path"]))
    out.append(session.revoke("user", "lisa@example.com", "folder", folder["id"]))

    listing = session.ls("volume=projects/demo")
    out.append(sorted((e["filename"], e["type"]) for e in listing))
    out.append(all(isinstance(e["modified"], datetime.datetime) for e in listing))

    users = session.find("User", attributes=["code", "role"])
    out.append(json.dumps(users))  # plain dicts, plain values
    out.append(json.dumps(transfers, default=str) != "")
    out.append(json.loads(session.dump(folder))["name"])

    try:
        session.update("acl", folder["id"], {"read": True})
    except accsyn_api.session.AccsynException as exc:
        out.append(("AccsynException", str(exc)))
    try:
        session.find_one("User WHERE code=nobody@example.com")["id"]
    except TypeError:
        out.append("find_one returned None")
    return out


def _credentials(server: Served, role: str = "admin") -> dict[str, Any]:
    return {
        "workspace": "demo",
        "username": server.users[role],
        "api_key": server.keys[role],
        "proxy": server.proxy,
    }


class _FastCompat(types.ModuleType):
    """``accsyn.compat`` with the rate limiter off (hundreds of local requests)."""

    Session = FastCompatSession
    session = accsyn.compat.session


def test_official_script_runs_unchanged(official_server: Served, compat_server: Served) -> None:
    official_server.reset()
    compat_server.reset()
    theirs = backup_report(accsyn_api, **_credentials(official_server))
    ours = backup_report(_FastCompat("accsyn.compat"), **_credentials(compat_server))

    assert ours == theirs
    assert any("AccsynException" in str(x) for x in ours)
    # The plain module works too (the limiter only paces requests).
    compat_server.reset()
    assert backup_report(accsyn.compat, **_credentials(compat_server))
