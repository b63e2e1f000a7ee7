"""Parties and endpoints of protocol.md §6.6, and emulated machines that go on and off line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import accsyn
from accsyn.emulator import LocalWorkspace


@pytest.fixture
def ws() -> Iterator[LocalWorkspace]:
    with LocalWorkspace.fresh(seed="demo", transfers=20) as w:
        yield w


def _make(ws: LocalWorkspace, source: str, destination: str, role: str = "admin") -> dict:  # type: ignore[type-arg]
    return ws.session(role).create(  # type: ignore[no-any-return]
        "transfer", {"source": source, "destination": destination}, raw=True
    )


def _ids(ws: LocalWorkspace, et: str, code: str) -> str:
    rows = ws.session().find(f"{et} WHERE code={code}", raw=True)
    return str(rows[0]["id"])


@pytest.mark.parametrize(
    ("destination", "party_type"),
    [
        ("site=roaming", "site"),
        ("site=roaming:volume=projects/demo/", "site"),
        ("roaming:/mnt/cache/", "site"),
        ("vendor@partner.example", "user"),
        ("lisa@example.com:/Users/lisa/in/", "user"),
        ("lisa@example.com@lisa-mbp:D:/in/", "user"),
        ("demo:volume=projects/copies/", "workspace"),
        ("hq:/ingest/", "site"),
    ],
)
def test_every_party_form_resolves_and_moves_the_file(
    ws: LocalWorkspace, destination: str, party_type: str
) -> None:
    job = _make(ws, "demo/README.txt", destination)
    assert job["destination"].split(":")[0] == party_type
    ws.clock.advance(30)
    done = ws.session().get_entity("transfer", job["id"], raw=True)
    assert done["status"] == "done"
    # The file is somewhere new on disk, byte for byte (never silently the source).
    original = (ws.files_root / "projects" / "demo" / "README.txt").read_bytes()
    copies = [
        p
        for p in ws.files_root.rglob("README.txt")
        if p != ws.files_root / "projects" / "demo" / "README.txt"
    ]
    assert copies and all(p.read_bytes() == original for p in copies)


def test_a_site_party_without_a_path_mirrors_the_source_path(ws: LocalWorkspace) -> None:
    job = _make(ws, "volume=projects/demo/shot010", "site=roaming")
    ws.clock.advance(30)
    assert ws.session().get_entity("transfer", job["id"], raw=True)["status"] == "done"
    mirrored = ws.files_root / ".sites" / "roaming" / "projects" / "demo" / "shot010"
    assert sorted(p.name for p in mirrored.iterdir()) == ["plate.0001.exr", "plate.0002.exr"]


def test_a_client_party_names_that_machine(ws: LocalWorkspace) -> None:
    laptop = ws.add_client("lisa@example.com", hostname="lisa-laptop2", os="windows")
    job = _make(ws, "demo/README.txt", f"{laptop.party}:D:/drop/")
    assert job["destination"] == f"client:{laptop.id}"
    [task] = ws.session().find("task", entityid=job["id"], raw=True)
    assert task["destination"]["client"] == laptop.id
    assert task["destination"]["path"] == f"{laptop.party}:D:/drop/"
    ws.clock.advance(30)
    assert laptop.read("D:/drop/README.txt").startswith(b"")
    assert laptop.exists("d:\\drop\\README.txt")


def test_a_local_path_without_a_party_is_on_the_callers_machine(ws: LocalWorkspace) -> None:
    std = ws.client("standard@example.com")
    std.put("C:/Users/standard/Desktop/brief2.pdf", b"%PDF-1.4 brief")
    job = _make(ws, "C:/Users/standard/Desktop/brief2.pdf", "volume=projects/shared/", "standard")
    assert job["size"] == len(b"%PDF-1.4 brief")
    assert job["source"].startswith("user:")
    ws.clock.advance(30)
    s = ws.session("standard")
    assert s.get_entity("transfer", job["id"], raw=True)["status"] == "done"
    assert (ws.files_root / "projects" / "shared" / "brief2.pdf").read_bytes() == b"%PDF-1.4 brief"
    # And a download to /home/... of the caller lands on that machine, not the volume.
    job = _make(ws, "volume=projects/shared/brief2.pdf", "/home/standard/dl/", "standard")
    ws.clock.advance(30)
    assert std.read("/home/standard/dl/brief2.pdf") == b"%PDF-1.4 brief"
    assert not (ws.files_root / "projects" / "home").exists()


@pytest.mark.parametrize(
    ("destination", "named", "hint"),
    [
        ("site=roamng", "roamng", "roaming"),
        ("hqq:/x/", "hqq", "hq"),
        ("lisa@exmple.com:/x/", "lisa@exmple.com", "lisa@example.com"),
        ("lisa@example.com@lisa-mpb:/x/", "lisa-mpb", "lisa-mbp"),
        ("client=000000000000000000000000:/x/", "client=000000000000000000000000", "client"),
    ],
)
def test_an_unknown_party_is_a_clear_error(
    ws: LocalWorkspace, destination: str, named: str, hint: str
) -> None:
    with pytest.raises(accsyn.BadRequestError) as err:
        _make(ws, "demo/README.txt", destination)
    message = str(err.value)
    assert named in message and hint in message
    assert not ws.session().find("transfer WHERE name=README.txt", raw=True)


def test_an_offline_machine_makes_its_transfer_wait(ws: LocalWorkspace) -> None:
    lisa = ws.client("lisa@example.com")
    lisa.put("/Users/lisa/out/a.bin", b"a" * 1000)
    lisa.online = False
    job = _make(ws, "lisa@example.com:/Users/lisa/out/a.bin", "volume=projects/in/")
    s = ws.session()
    ws.clock.advance(120)
    assert s.get_entity("transfer", job["id"], raw=True)["status"] == "waiting"
    assert not (ws.files_root / "projects" / "in" / "a.bin").exists()
    lisa.online = True
    ws.clock.advance(30)
    assert s.get_entity("transfer", job["id"], raw=True)["status"] == "done"
    assert (ws.files_root / "projects" / "in" / "a.bin").read_bytes() == b"a" * 1000


def test_a_user_without_a_machine_waits_for_one(ws: LocalWorkspace) -> None:
    s = ws.session()
    s.create("user", {"code": "newbie@example.com", "role": "standard"})
    job = _make(ws, "demo/README.txt", "newbie@example.com:/home/newbie/")
    ws.clock.advance(60)
    assert s.get_entity("transfer", job["id"], raw=True)["status"] == "waiting"
    box = ws.add_client("newbie@example.com")
    ws.clock.advance(30)
    assert s.get_entity("transfer", job["id"], raw=True)["status"] == "done"
    assert box.exists("/home/newbie/README.txt")


def test_a_missing_source_fails_only_its_task(ws: LocalWorkspace) -> None:
    s = ws.session()
    job = s.create(
        "transfer",
        {
            "destination": "volume=projects/out/",
            "tasks": [{"source": "demo/README.txt"}, {"source": "demo/nope.mov"}],
        },
        raw=True,
    )
    ws.clock.advance(30)
    row = s.get_entity("transfer", job["id"], raw=True)
    tasks = {t["source"]["path"]: t["status"] for t in s.find("task", entityid=job["id"], raw=True)}
    assert tasks == {"demo/README.txt": "done", "demo/nope.mov": "failed"}
    assert row["status"] == "failed"
    assert (ws.files_root / "projects" / "out" / "README.txt").exists()
    # Put the file there and retry: the failed task runs, the job is done.
    (ws.files_root / "projects" / "demo" / "nope.mov").write_bytes(b"now here")
    s.update("transfer", job["id"], {"status": "waiting"})
    ws.clock.advance(30)
    assert s.get_entity("transfer", job["id"], raw=True)["status"] == "done"
    assert (ws.files_root / "projects" / "out" / "nope.mov").read_bytes() == b"now here"


def test_site_to_site_both_ways(ws: LocalWorkspace) -> None:
    s = ws.session()
    out = _make(ws, "volume=projects/demo/README.txt", "site=roaming:volume=projects/demo/")
    ws.clock.advance(30)
    assert s.get_entity("transfer", out["id"], raw=True)["status"] == "done"
    at_roaming = ws.files_root / ".sites" / "roaming" / "projects" / "demo" / "README.txt"
    at_roaming.write_bytes(b"edited at the roaming site")
    back = _make(ws, "site=roaming:volume=projects/demo/README.txt", "volume=projects/back/")
    assert back["source"].startswith("site:") and back["size"] == len(b"edited at the roaming site")
    ws.clock.advance(30)
    assert s.get_entity("transfer", back["id"], raw=True)["status"] == "done"
    assert s.files.ls("volume=projects/back")[0]["size"] == len(b"edited at the roaming site")


def test_a_client_disabled_through_the_api_holds_its_transfers(ws: LocalWorkspace) -> None:
    s = ws.session()
    lisa = ws.client("lisa@example.com")
    s.update("client", lisa.id, {"status": "disabled"})
    assert not lisa.online
    job = _make(ws, "demo/README.txt", "lisa@example.com:/Users/lisa/dl/")
    ws.clock.advance(60)
    assert s.get_entity("transfer", job["id"], raw=True)["status"] == "waiting"
    s.update("client", lisa.id, {"status": "online"})
    ws.clock.advance(30)
    assert s.get_entity("transfer", job["id"], raw=True)["status"] == "done"
    assert lisa.exists("/Users/lisa/dl/README.txt")


def test_a_sites_server_shares_the_sites_disk(ws: LocalWorkspace) -> None:
    server = ws.add_client(site="roaming", kind="server", hostname="roam-fs01")
    server.put("/mnt/cache/take.mov", b"cached")
    s = ws.session()
    job = _make(ws, "site=roaming:/mnt/cache/take.mov", f"{server.party}:/mnt/copy/")
    ws.clock.advance(30)
    assert s.get_entity("transfer", job["id"], raw=True)["status"] == "done"
    assert server.read("/mnt/copy/take.mov") == b"cached"
    assert (ws.files_root / ".sites" / "roaming" / "mnt" / "copy" / "take.mov").exists()


def test_file_operations_reach_a_machine_through_its_party(ws: LocalWorkspace) -> None:
    s = ws.session()
    job = _make(ws, "demo/shot010", "lisa@example.com:/Users/lisa/in/")
    ws.clock.advance(30)
    assert s.get_entity("transfer", job["id"], raw=True)["status"] == "done"
    listing = s.files.ls("lisa@example.com:/Users/lisa/in/shot010")
    assert [e["filename"] for e in listing] == ["plate.0001.exr", "plate.0002.exr"]
    assert s.files.getsize("lisa@example.com:/Users/lisa/in") == 2 * 4352
    assert s.files.exists("lisa@example.com@lisa-mbp:/Users/lisa/in/shot010/plate.0001.exr")
    # Only Lisa's machine's users (and admins) look into it; an offline machine answers nothing.
    with pytest.raises(accsyn.PermissionDeniedError):
        ws.session("standard").files.ls("lisa@example.com:/Users/lisa/in")
    ws.client("lisa@example.com").online = False
    with pytest.raises(accsyn.BadRequestError, match="offline"):
        s.files.ls("lisa@example.com:/Users/lisa/in")
    # The caller's own machine, and a site's copy of a volume path.
    std = ws.session("standard")
    ws.client("standard@example.com").put("C:/Users/standard/x.txt", b"x")
    assert [e["filename"] for e in std.files.ls("standard@example.com:C:/Users/standard")] == [
        "Desktop",
        "x.txt",
    ]
    with pytest.raises(accsyn.BadRequestError, match="roaming"):
        s.files.ls("site=roamin:volume=projects/demo")


def test_app_and_daemon_checks_see_an_emulated_machine_on_this_host(ws: LocalWorkspace) -> None:
    import socket

    s = ws.session()
    assert s.app_is_running() is None  # no app of the admin's on this host
    app = ws.add_client("admin@example.com", hostname=socket.gethostname(), kind="app")
    assert s.app_is_running() is True
    app.online = False
    assert s.app_is_running() is False
    assert s.daemon_is_running() is None
    ws.add_client("admin@example.com", hostname=socket.gethostname(), kind="userserver")
    assert s.daemon_is_running() is True


def test_a_relative_path_means_the_same_file_on_the_machine_and_in_a_transfer() -> None:
    """``put("shots/a.exr")`` and ``lisa@example.com:shots/a.exr`` name one file (the
    machine user's home), so a test that places a file and sends it gets it sent."""
    with LocalWorkspace() as ws:
        s = ws.session(clock=ws.clock)
        lisa = ws.client("lisa@example.com")
        lisa.put("shots/a.exr", b"exr" * 100)
        assert lisa.read("~/shots/a.exr") == b"exr" * 100
        t = s.create(
            "transfer",
            {
                "name": "rel",
                "source": "lisa@example.com:shots/a.exr",
                "destination": "volume=projects/rel/",
            },
        )
        assert t.wait(timeout=600).status == "done"
        assert s.files.exists("volume=projects/rel/a.exr")
