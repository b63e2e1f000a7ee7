"""End-to-end workflows on a local workspace: files on emulated machines move for real.

Lisa (a standard user of the demo workspace) has a desktop app, ``lisa-mbp``; what
she has on its disk is uploaded to a volume, shows up there once the transfer is
``done``, and arrives byte for byte wherever it is sent next.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from accsyn.emulator import LocalWorkspace


@pytest.fixture
def ws() -> Iterator[LocalWorkspace]:
    with LocalWorkspace.fresh(seed="demo", transfers=20) as w:
        yield w


def _status(s, et: str, job_id: str) -> str:  # type: ignore[no-untyped-def]
    return str(s.get_entity(et, job_id, raw=True)["status"])


def test_from_lisas_machine_to_a_volume_to_a_delivery_to_another_machine(
    ws: LocalWorkspace,
) -> None:
    lisa = ws.client("lisa@example.com")
    assert lisa.online and lisa.hostname == "lisa-mbp"
    plate = os.urandom(300_000)
    lisa.put("/Users/lisa/plates/sh010/plate.0001.exr", plate)
    lisa.put("/Users/lisa/plates/sh010/plate.0002.exr", plate[::-1])

    s = ws.session("standard")  # the recipient, later
    admin = ws.session("admin")
    job = admin.create(
        "transfer",
        {
            "name": "plates from lisa",
            "source": "lisa@example.com:/Users/lisa/plates/sh010",
            "destination": "volume=projects/incoming/",
        },
        raw=True,
    )
    assert job["status"] == "init"
    assert job["size"] == 2 * len(plate)  # measured on Lisa's disk
    assert job["source"].startswith("user:") and job["destination"].startswith("workspace:")
    assert not admin.files.exists("volume=projects/incoming/sh010")

    ws.clock.advance(60)
    done = admin.get_entity("transfer", job["id"], raw=True)
    assert done["status"] == "done" and done["progress"] == 100 and done["finished"]

    names = [e["filename"] for e in admin.files.ls("volume=projects/incoming/sh010")]
    assert names == ["plate.0001.exr", "plate.0002.exr"]
    assert admin.files.getsize("volume=projects/incoming/sh010") == 2 * len(plate)
    on_volume = ws.files_root / "projects" / "incoming" / "sh010" / "plate.0002.exr"
    assert on_volume.read_bytes() == plate[::-1]
    # The standard user is no party to the job: it stays out of their reads.
    assert s.find(f"transfer WHERE id={job['id']}", finished=True, raw=True) == []

    # Shared through a delivery to the standard user...
    delivery = admin.create(
        "delivery",
        {
            "name": "Plates sh010",
            "tasks": ["volume=projects/incoming/sh010/plate.0002.exr"],
            "recipients": ["standard@example.com"],
        },
        raw=True,
    )
    ws.clock.advance(2)
    assert admin.get_entity("delivery", delivery["id"], raw=True)["status"] == "waiting"
    assert [e["filename"] for e in s.files.ls(f"delivery={delivery['id']}")] == ["plate.0002.exr"]
    # ...who downloads it to their own machine (a local path: the caller's computer).
    down = s.create(
        "transfer",
        {"parent": delivery["id"], "destination": "C:/Users/standard/Downloads/sh010/"},
        raw=True,
    )
    assert down["parent"] == delivery["id"] and down["size"] == len(plate)
    ws.clock.advance(60)
    assert s.get_entity("transfer", down["id"], raw=True)["status"] == "done"
    desktop = ws.client("standard@example.com")
    assert desktop.hostname == "standard-pc"
    assert desktop.read("C:/Users/standard/Downloads/sh010/plate.0002.exr") == plate[::-1]


def test_download_to_a_users_machine_and_back_to_another(ws: LocalWorkspace) -> None:
    admin = ws.session("admin")
    job = admin.create(
        "transfer",
        {"source": "demo/shot020/comp_v003.mov", "destination": "lisa@example.com:/Users/lisa/in/"},
        raw=True,
    )
    ws.clock.advance(30)
    assert _status(admin, "transfer", job["id"]) == "done"
    original = (ws.files_root / "projects" / "demo" / "shot020" / "comp_v003.mov").read_bytes()
    lisa = ws.client("lisa@example.com")
    assert lisa.read("/Users/lisa/in/comp_v003.mov") == original

    # From Lisa's machine straight to John's (a machine-to-machine transfer).
    hop = admin.create(
        "transfer",
        {
            "source": "lisa@example.com@lisa-mbp:/Users/lisa/in/comp_v003.mov",
            "destination": "john@example.com:/home/john/review/cut.mov",
        },
        raw=True,
    )
    ws.clock.advance(30)
    assert _status(admin, "transfer", hop["id"]) == "done"
    assert ws.client("john@example.com").read("/home/john/review/cut.mov") == original


def test_the_pytest_plugin_hands_out_desktops(  # type: ignore[no-untyped-def]
    accsyn_workspace, accsyn_desktop, accsyn_session
) -> None:
    lisa = accsyn_desktop("lisa@example.com")
    assert lisa.hostname == "lisa-mbp"
    spare = accsyn_desktop("lisa@example.com", hostname="lisa-spare", online=False)
    assert not spare.online and spare.user == "lisa@example.com"
    lisa.put("~/Desktop/shot.mov", b"frames")
    job = accsyn_session.create(
        "transfer",
        {"source": "lisa@example.com:~/Desktop/shot.mov", "destination": "volume=projects/in/"},
        raw=True,
    )
    accsyn_workspace.clock.advance(30)
    assert accsyn_session.get_entity("transfer", job["id"], raw=True)["status"] == "done"
    assert accsyn_session.files.exists("volume=projects/in/shot.mov")


def test_the_official_client_uploads_from_lisas_machine(  # type: ignore[no-untyped-def]
    dev_server, accsyn_clean_env, monkeypatch
) -> None:
    from accsyn_api.session import Session as Official

    from accsyn.emulator._clients import find_client

    monkeypatch.setenv("AS_DEV", "1")
    s = Official(
        workspace="demo",
        username=dev_server.users["admin"],
        api_key=dev_server.keys["admin"],
        timeout=30,
        connect_timeout=10,
    )
    lisa = find_client(dev_server.backend, "lisa@example.com")
    payload = os.urandom(50_000)
    lisa.put("/Users/lisa/official/take.mov", payload)
    job = s.create(
        "transfer",
        {
            "source": "lisa@example.com:/Users/lisa/official/take.mov",
            "destination": "volume=projects/official/",
        },
    )
    assert job["size"] == len(payload)
    dev_server.backend.clock.advance(60)
    assert s.get_entity("transfer", job["id"])["status"] == "done"
    assert [e["filename"] for e in s.ls("volume=projects/official")] == ["take.mov"]
    assert s.getsize("volume=projects/official/take.mov") == len(payload)
    # And down to John's machine, byte for byte.
    down = s.create(
        "transfer",
        {"source": "volume=projects/official/take.mov", "destination": "john@example.com:/in/"},
    )
    dev_server.backend.clock.advance(60)
    assert s.get_entity("transfer", down["id"])["status"] == "done"
    assert find_client(dev_server.backend, "john@example.com").read("/in/take.mov") == payload
    # Shared through a delivery; the recipient downloads it with their own official session.
    delivery = s.create(
        "delivery",
        {
            "name": "Take for review",
            "tasks": ["volume=projects/official/take.mov"],
            "recipients": ["standard@example.com"],
        },
    )
    dev_server.backend.clock.advance(5)
    std = Official(
        workspace="demo",
        username=dev_server.users["standard"],
        api_key=dev_server.keys["standard"],
        timeout=30,
        connect_timeout=10,
    )
    assert [e["filename"] for e in std.ls(f"delivery={delivery['id']}")] == ["take.mov"]
    got = std.create("transfer", {"parent": delivery["id"], "destination": "D:/review/"})
    dev_server.backend.clock.advance(60)
    assert std.get_entity("transfer", got["id"])["status"] == "done"
    desktop = find_client(dev_server.backend, "standard@example.com")
    assert desktop.read("D:/review/take.mov") == payload


def test_upload_from_a_machine_straight_into_a_delivery(ws: LocalWorkspace) -> None:
    admin = ws.session("admin")
    std = ws.session("standard")
    cut = os.urandom(80_000)
    ws.client("lisa@example.com").put("/Users/lisa/cut/v012.mov", cut)
    d = admin.create("delivery", {"name": "Cut v012"}, raw=True)
    admin.acl.grant("user", "standard@example.com", "delivery", d["id"])
    up = admin.create(
        "transfer",
        {"parent": d["id"], "source": "lisa@example.com:/Users/lisa/cut/v012.mov"},
        raw=True,
    )
    assert up["size"] == len(cut)
    ws.clock.advance(30)
    assert admin.get_entity("transfer", up["id"], raw=True)["status"] == "done"
    admin.update("delivery", d["id"], {"status": "pending"})
    ws.clock.advance(2)
    assert [e["filename"] for e in std.files.ls(f"delivery={d['id']}")] == ["v012.mov"]
    down = std.create("transfer", {"parent": d["id"], "destination": "D:/review/"}, raw=True)
    ws.clock.advance(30)
    assert std.get_entity("transfer", down["id"], raw=True)["status"] == "done"
    assert ws.client("standard@example.com").read("D:/review/v012.mov") == cut
