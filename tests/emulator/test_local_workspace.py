"""LocalWorkspace: our Session and AsyncSession against the in-process emulator."""

from __future__ import annotations

import base64

import httpx
import pytest

import accsyn
from accsyn.emulator import Faults, LocalWorkspace
from accsyn.emulator._faults import RateLimiter
from accsyn.query import Comparison, Op, Query


@pytest.fixture
def ws():  # type: ignore[no-untyped-def]
    with LocalWorkspace(seed="demo", transfers=40) as w:
        yield w


def test_sessions_per_role(ws: LocalWorkspace) -> None:
    admin = ws.session(role="admin")
    std = ws.session(role="standard")
    assert admin.role == "admin" and std.role == "standard"
    all_users = admin.find("user", raw=True)
    assert {u["code"] for u in all_users} >= {
        "admin@example.com",
        "employee@example.com",
        "standard@example.com",
    }
    assert [u["code"] for u in std.find("user", raw=True)] == ["standard@example.com"]
    me = std.user_id
    for t in std.find("transfer", raw=True):
        assert me in t["user"] + t["source"] + t["destination"]
    # Employees see themselves and standard users, never admins.
    emp = ws.session(role="employee")
    roles = {u["role"] for u in emp.find("user", raw=True)}
    assert "admin" not in roles and "standard" in roles


def test_models_and_human_identifiers(ws: LocalWorkspace) -> None:
    s = ws.session()
    lisa = s.find_one("user WHERE code=lisa@example.com", raw=True)
    by_email = s.find("transfer WHERE user=LISA@example.com", raw=True)
    by_id = s.find(f"transfer WHERE user={lisa['id']}", raw=True)
    assert by_email and {t["id"] for t in by_email} == {t["id"] for t in by_id}
    q = Query("transfer", Comparison("destination", Op.EQ, "hq"))
    for t in s.find(q, raw=True):
        assert t["destination_hr"].startswith("hq(")


def test_find_scopes_limit_skip_attributes(ws: LocalWorkspace) -> None:
    s = ws.session()
    active = s.find("transfer", raw=True)
    finished = s.find("transfer", finished=True, raw=True)
    assert active and finished
    assert all(t["status"] not in ("done", "aborted") for t in active)
    assert all(t["status"] in ("done", "aborted") for t in finished)
    page1 = s.find("transfer", limit=5, raw=True)
    page2 = s.find("transfer", limit=5, skip=5, raw=True)
    assert [t["id"] for t in page1 + page2] == [t["id"] for t in active[:10]]
    slim = s.find("transfer", attributes=["status"], limit=3, raw=True)
    assert all(set(t) <= {"id", "status"} for t in slim)
    done_id = finished[0]["id"]
    assert s.find_one(f"transfer WHERE id={done_id}", raw=True)["id"] == done_id


def test_transfer_lifecycle_follows_the_clock(ws: LocalWorkspace) -> None:
    s = ws.session()
    ok = s.create("transfer", {"source": "demo/shot010", "destination": "hq:/ingest/"}, raw=True)
    bad = s.create("transfer", {"source": "demo/nope.mov", "destination": "hq:/x/"}, raw=True)
    tasks = s.find("task", entityid=ok["id"], raw=True)
    assert [t["status"] for t in tasks] == ["queued"]
    assert ok["status"] == "init" and ok["size"] == 2 * 4352
    ws.clock.advance(1)
    assert s.get_entity("transfer", ok["id"], raw=True)["status"] == "waiting"
    assert s.get_entity("transfer", bad["id"], raw=True)["status"] == "failed"
    ws.clock.advance(1)
    assert s.get_entity("transfer", ok["id"], raw=True)["status"] == "running"
    ws.clock.advance(5)
    done = s.get_entity("transfer", ok["id"], raw=True)
    assert done["status"] == "done" and done["progress"] == 100 and done["finished"]
    assert s.find(f"transfer WHERE id={ok['id']}", raw=True) == []
    assert s.find(f"transfer WHERE id={bad['id']}", raw=True)  # failed stays active


def test_delivery_lifecycle(ws: LocalWorkspace) -> None:
    s = ws.session()
    d = s.create("delivery", {"name": "Refs"}, raw=True)
    assert d["status"] == "init"
    with pytest.raises(accsyn.BadRequestError):
        s.update("delivery", d["id"], {"status": "pending"})
    assert s.acl.grant("user", "lisa@example.com", "delivery", d["id"]) is True
    task = s.create("task", {"tasks": ["demo/README.txt"]}, d["id"], raw=True)
    # A delivery's file waits for each receiver to choose a path (protocol §6.2: pending).
    assert task["status"] == "pending"
    assert s.update("delivery", d["id"], {"status": "pending"}, raw=True)["status"] == "pending"
    ws.clock.advance(2)
    assert s.get_entity("delivery", d["id"], raw=True)["status"] == "waiting"
    recipients = s.acl.access("delivery", d["id"])
    assert [r["user_hr"] for r in recipients] == ["lisa@example.com"]
    # The recipient now sees the delivery; other standard users do not, nor does an
    # employee without access to its files (protocol §6.5: reads come back empty).
    lisa = ws.backend.store.select(["user"], where=Comparison("code", Op.EQ, "lisa@example.com"))
    seen_by = {
        role: {x["id"] for x in ws.session(role=role).find("delivery", raw=True)}
        for role in ("standard", "employee")
    }
    assert d["id"] not in seen_by["standard"] and d["id"] not in seen_by["employee"]
    assert lisa and lisa[0].data["role"] == "standard"


def test_errors_are_typed(ws: LocalWorkspace) -> None:
    s = ws.session(role="standard")
    with pytest.raises(accsyn.PermissionDeniedError):
        s.create("user", {"code": "x@example.com"})
    admin = ws.session()
    with pytest.raises(accsyn.ConflictError):
        admin.create("user", {"code": "admin@example.com"})
    with pytest.raises(accsyn.NotFoundError):
        admin.update("transfer", "0" * 24, {"status": "paused"})
    with pytest.raises(accsyn.ConflictError, match="non-empty"):
        admin.files.delete("volume=projects/demo")  # non-empty without force
    with pytest.raises(accsyn.AuthenticationError):
        accsyn.Session(
            workspace="demo",
            username="admin@example.com",
            api_key="wrong",
            base_url="http://emulator.invalid",
            transport=ws.transport(),
            rate_limit=None,
        )


def test_file_operations(ws: LocalWorkspace) -> None:
    s = ws.session()
    assert s.files.mkdir("volume=projects/t/a") is True
    assert s.files.rename("volume=projects/t/a", "b") is True
    assert s.files.mv("volume=projects/t/b", "volume=projects/t2") is True
    assert s.files.exists("volume=projects/t2") is True  # like mv(1): b is now t2
    assert s.files.exists("volume=projects/t/b") is False
    assert s.files.getsize("volume=projects/demo/shot010") == 2 * 4352
    tree = s.files.ls("volume=projects/demo", recursive=True)
    shot = next(e for e in tree if e["filename"] == "shot010")
    assert sorted(f["filename"] for f in shot["files"]) == ["plate.0001.exr", "plate.0002.exr"]
    only_exr = s.files.ls("volume=projects/demo/shot010", include="*.0001.exr")
    assert [e["filename"] for e in only_exr] == ["plate.0001.exr"]
    assert s.files.delete("volume=projects/t2", force=True) is True
    assert s.files.exists("volume=projects/t2") is False
    std = ws.session(role="standard")
    with pytest.raises(accsyn.PermissionDeniedError):
        std.files.ls("volume=projects/demo")
    assert [e["filename"] for e in std.files.ls("folder=shared_folder")] == ["brief.pdf"]


def test_faults_are_injected_and_off_by_default() -> None:
    faults = Faults(latency=0.0)
    with LocalWorkspace(seed=None, faults=faults) as w:
        s = w.session(retry=None)
        assert s.find("queue", raw=True)
        faults.script(429, 503, "drop")
        with pytest.raises(accsyn.RateLimitError) as info:
            s.find("queue", raw=True)
        assert info.value.retry_after is not None
        with pytest.raises(accsyn.ServerError):
            s.find("queue", raw=True)
        with pytest.raises(accsyn.TransportError):
            s.find("queue", raw=True)
        assert s.find("queue", raw=True)  # back to normal


def test_plain_httpx_request(ws: LocalWorkspace) -> None:
    with httpx.Client(transport=ws.transport(), base_url="http://x") as c:
        r = c.get("/api/v3/J3PKTtDvolDMBtTy6AFGA?%7B%22ident%22%3A%20%22demo%22%7D")
        assert r.json() == {"result": {"hostname": "127.0.0.1", "port": 443}}
        r = c.get("/api/v3/event")  # no credentials: refused before the envelope is read
        assert r.status_code == 401 and "message" in r.json()


async def test_async_session(ws: LocalWorkspace) -> None:
    async with ws.async_session(role="standard") as s:
        users = await s.find("user", raw=True)
        assert [u["code"] for u in users] == ["standard@example.com"]


def test_plugin_fixtures(accsyn_workspace, accsyn_session) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(accsyn_workspace, LocalWorkspace)
    assert accsyn_session.role == "admin"
    assert accsyn_session.find("site WHERE code=hq", raw=True)[0]["main"] is True


async def test_plugin_async_fixture(accsyn_async_session) -> None:  # type: ignore[no-untyped-def]
    queues = await accsyn_async_session.find("queue", raw=True)
    assert {q["code"] for q in queues} == {"high", "medium", "low"}


def test_documented_rate_limits() -> None:
    with (
        LocalWorkspace(seed=None, faults=Faults(rate_limits=True)) as w,
        httpx.Client(transport=w.transport(), base_url="http://x") as c,
    ):
        w.backend.limiter = RateLimiter(clock=lambda: 0.0)  # frozen time: no refill
        statuses = [c.get("/api/v3/nope").status_code for _ in range(80)]
        assert statuses[:60] == [404] * 60  # the burst of 60 passes
        limited = c.get("/api/v3/nope")
        assert limited.status_code == 429
        assert float(limited.headers["Retry-After"]) >= 1
        assert limited.json()["message"] == "Too many requests, please try again later."
    with LocalWorkspace(seed=None, faults=Faults(rate_limits=True)) as w:
        w.backend.limiter = RateLimiter(clock=lambda: 0.0)
        _, user, key = w.credentials("admin")
        u64 = base64.b64encode(user.encode()).decode()
        k64 = base64.b64encode(key.encode()).decode()
        headers = {"Authorization": f"basic {u64}:{k64}", "X-Accsyn-Workspace": "demo"}
        with httpx.Client(transport=w.transport(), base_url="http://x") as c:
            logins = [c.put("/api/v3/api/auth", content=b"{}", headers=headers) for _ in range(51)]
        assert [r.status_code for r in logins] == [200] * 50 + [429]
        assert "Retry-After" in logins[-1].headers


def test_sqlite_file_persists(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "ws.sqlite"
    with LocalWorkspace(seed="demo", path=db, transfers=10) as w:
        s = w.session()
        s.create("user", {"code": "kept@example.com"})
        s.files.mkdir("volume=projects/kept")
        creds = w.credentials("standard")
    with LocalWorkspace(seed="demo", path=db) as w:
        assert w.credentials("standard") == creds
        s = w.session()
        assert s.find("user WHERE code=kept@example.com", raw=True)
        assert s.files.exists("volume=projects/kept") is True


def test_deactivate_activate_and_inactive_scope(ws: LocalWorkspace) -> None:
    s = ws.session()
    folder = s.find_one("folder WHERE code=shared_folder", raw=True)
    assert len(s.acl.access("folder", folder["id"])) == 2
    assert s.deactivate_one("folder", folder["id"]) is True
    assert s.find("folder WHERE code=shared_folder", raw=True) == []
    inactive = s.find("folder WHERE code=shared_folder", inactive=True, raw=True)
    assert inactive[0]["inactive"] is True
    assert s.activate_one("folder", folder["id"]) is True
    assert len(s.acl.access("folder", folder["id"])) == 2
    lisa = s.find_one("user WHERE code=lisa@example.com", raw=True)
    s.deactivate_one("user", lisa["id"])
    assert s.find("user WHERE code=lisa@example.com", raw=True) == []
    assert s.activate_one("user", "lisa@example.com") is True  # by code, not id
    assert s.find("user WHERE code=lisa@example.com", raw=True)


def test_tasks_by_parent_and_dotted_job_id(ws: LocalWorkspace) -> None:
    s = ws.session()
    job = s.create(
        "transfer",
        {"tasks": ["demo/README.txt", "demo/shot020/comp_v003.mov"], "destination": "hq:/in/"},
        raw=True,
    )
    by_parent = s.find("task", entityid=job["id"], raw=True)
    by_query = s.find(f"task WHERE job.id={job['id']}", raw=True)
    assert [t["uri"] for t in by_parent] == ["0", "1"]
    assert {t["id"] for t in by_query} == {t["id"] for t in by_parent}
    updated = s.update_many("task", job["id"], [{"uri": "1", "status": "onhold"}])
    assert updated[0]["status"] == "onhold"


def test_duplicates_and_list_creates(ws: LocalWorkspace) -> None:
    s = ws.session()
    spec = {"name": "nightly", "source": "demo/README.txt", "destination": "hq:/in/"}
    first = s.create("transfer", dict(spec), raw=True)
    with pytest.raises(accsyn.ConflictError):
        s.create("transfer", dict(spec), allow_duplicates=False)
    again = s.create("transfer", dict(spec, append=True), raw=True)
    assert again["id"] == first["id"]
    # A JSON array of entities creates each of them, in order.
    _, user, key = ws.credentials("admin")
    u64 = base64.b64encode(user.encode()).decode()
    k64 = base64.b64encode(key.encode()).decode()
    envelope = {
        "workspace": "demo",
        "uri": "site/create",
        "data": [{"name": "Stockholm"}, {"name": "Oslo"}],
    }
    with httpx.Client(transport=ws.transport(), base_url="http://x") as c:
        r = c.post(
            "/api/v3/event",
            json=envelope,
            headers={"Authorization": f"basic {u64}:{k64}", "X-Accsyn-Workspace": "demo"},
        )
    assert r.status_code == 200
    assert [x["code"] for x in r.json()["result"]] == ["stockholm", "oslo"]
    assert s.find("transfer WHERE destination=hq AND name=nightly", raw=True)


def test_settings_round_trip(ws: LocalWorkspace) -> None:
    s = ws.session()
    queue = s.find_one("queue WHERE code=high", raw=True)
    assert s.settings.set("workspace", "transfer_speedlimit", "100") is True
    assert s.settings.set("queue", "job_max_retries", "3", entityid=queue["id"]) is True
    assert s.settings.get("transfer_speedlimit") == "100"
    assert s.settings.get_all() == {"transfer_speedlimit": "100"}
    assert s.settings.get_all("queue", queue["id"]) == {"job_max_retries": "3"}
    assert s.settings.delete("workspace", "transfer_speedlimit") is True
    assert s.settings.get("transfer_speedlimit") is None
    with pytest.raises(accsyn.PermissionDeniedError):
        ws.session(role="standard").settings.set("workspace", "x", "1")


def test_a_renamed_workspace_answers_under_its_new_code() -> None:
    # Replaying a recording renames the workspace; logins and parties follow.
    with LocalWorkspace(seed=None) as w:
        w.backend.code = "seagull"
        _, username, api_key = w.credentials("admin")
        assert w.workspace == "seagull"
        with accsyn.Session(
            workspace="seagull",
            username=username,
            api_key=api_key,
            base_url="http://accsyn-emulator.invalid",
            transport=w.transport(),
            rate_limit=None,
        ) as s:
            assert [u["code"] for u in s.find("user WHERE code=admin@example.com", raw=True)] == [
                "admin@example.com"
            ]
            s.create("transfer", {"source": "seagull:demo", "destination": "site=hq:in/"})
        (stored,) = w.backend.store.select(["transfer"])
        assert stored.data["source"].startswith("workspace:"), stored.data
