"""Seed data: the default contents of every workspace, a demo workspace, bulk generators.

API keys are derived from the seed and the email, so a given seed always yields the
same keys. They are for local use only: anyone who knows the seed knows the keys.

Seeded rows hold exactly their model's attributes (plus ``_…`` bookkeeping), with
type numbers read from the models; the demo seed has at least one entity of every
entity type the models define (a test holds it to that).
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from accsyn._codec import encode_datetime
from accsyn.emulator._backend import Backend
from accsyn.emulator._entities import home_fields, hr, party
from accsyn.emulator._schema import facts
from accsyn.emulator._store import Row, Store

__all__ = ["ROLE_USERS", "demo_key", "generate_transfers", "seed_workspace"]

#: The seeded user of each role.
ROLE_USERS = {
    "admin": "admin@example.com",
    "employee": "employee@example.com",
    "standard": "standard@example.com",
}
_EXTRA_USERS = [
    ("lisa@example.com", "standard", "Lisa Lind"),
    ("john@example.com", "employee", "John Berg"),
    ("vendor@partner.example", "standard", "Vendor Post"),
]
_STATUSES = ["init", "waiting", "running", "paused", "failed", "done", "done", "done", "aborted"]
_NAMES = ["plates", "dailies", "conform", "grade", "backup", "delivery", "audio", "vfx", "edit"]


def demo_key(seed: str, email: str) -> str:
    """The deterministic API key of a seeded account (local use only)."""
    return hashlib.sha256(f"accsyn-emulator:{seed}:{email}".encode()).hexdigest()[:40]


def _oid(rng: random.Random) -> str:
    return f"{rng.getrandbits(96):024x}"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _stamp(dt: datetime) -> str:
    return encode_datetime(dt)


def seed_workspace(
    backend: Backend, seed: str | None = "demo", *, transfers: int = 300
) -> dict[str, str]:
    """Fill an empty store; returns ``{role: api_key}`` of the role users.

    Every workspace gets the defaults of protocol.md §7.1 (queues high/medium/low,
    sites hq/roaming/accsyn, a default volume, the built-in engines) and one user per
    role. ``seed="demo"`` (or any other string) adds demo content: more users, homes,
    shared folders with ACLs, files on disk, ``transfers`` transfers and deliveries.
    """
    store = backend.store
    key_seed = seed or "empty"
    rng = random.Random(key_seed)
    base = datetime.fromtimestamp(backend.clock.time(), tz=timezone.utc) - timedelta(days=30)
    created = _stamp(base)
    code = backend.code
    store.set_meta("workspace", code)
    store.set_meta("seed", key_seed)

    def common(name: str, **kw: Any) -> dict[str, Any]:
        d: dict[str, Any] = {"id": _oid(rng), "name": name, "created": created}
        d.update(creator="accsyn", modified=created, modifier="accsyn", description="")
        d["metadata"] = {}
        d.update(kw)
        return d

    ws = store.insert("workspace", common(code.title(), code=code, status="enabled"))
    for name, prio in (("High", 999), ("Medium", 500), ("Low", 1)):
        store.insert(
            "queue",
            common(
                name,
                code=name.lower(),
                priority=prio,
                default=name == "Medium",
                compute_default=False,
                status="waiting",
                type=facts().job_types["queue"],
                uri=f"{code}/{name.lower()}",
            ),
        )
    sites = {}
    for scode, main, acc in (
        ("hq", True, False),
        ("roaming", False, False),
        ("accsyn", False, True),
    ):
        sites[scode] = store.insert(
            "site", common(scode.title(), code=scode, main=main, accsyn=acc, status="enabled")
        )
    for ecode in ("builtin-accsyn-transfer", "builtin-accsyn-utility"):
        store.insert("engine", common(ecode, code=ecode, type="compute", status="enabled"))
    vol_dir = backend.files_root / "projects"
    vol_dir.mkdir(parents=True, exist_ok=True)
    vol = store.insert(
        "volume",
        common(
            "Projects",
            code="projects",
            type="volume",
            default=True,
            licensed=True,
            status="enabled",
            status_hr="Enabled",
            path=str(vol_dir),
            paths={"linux": str(vol_dir), "mac": str(vol_dir), "windows": str(vol_dir)},
            queue=None,
            email=None,
        ),
    )
    keys: dict[str, str] = {}
    users: dict[str, Row] = {}
    people = [(email, role, role.title() + " User") for role, email in ROLE_USERS.items()]
    if seed is not None:
        people += _EXTRA_USERS
    for email, role, name in people:
        u = store.insert(
            "user",
            common(name, code=email, role=role, status="enabled", logged_in=None, queue=None),
        )
        users[email] = u
        store.set_account(email, demo_key(key_seed, email))
        if role in ROLE_USERS and ROLE_USERS[role] == email:
            keys[role] = demo_key(key_seed, email)
    if seed is None:
        return keys

    # Files on disk, so listings, sizes and transfer outcomes are real.
    for rel, size in (
        ("demo/shot010/plate.0001.exr", 4096),
        ("demo/shot010/plate.0002.exr", 4096),
        ("demo/shot020/comp_v003.mov", 20000),
        ("demo/README.txt", 120),
        ("shared/brief.pdf", 3000),
        ("outsource/refs/ref_01.jpg", 1500),
    ):
        f = vol_dir / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(bytes(rng.getrandbits(8) for _ in range(min(size, 256))) * (size // 256 + 1))

    homes: dict[str, Row] = {}
    for email, u in users.items():
        if u.data["role"] == "standard":
            (vol_dir / "homes" / email).mkdir(parents=True, exist_ok=True)
            homes[email] = store.insert("home", {**common(email), **home_fields(vol, u)})
    folders = {}
    for name, rel in (("Shared Folder", "shared"), ("Outsource", "outsource")):
        folders[rel] = store.insert(
            "folder",
            common(
                name,
                code=rel if rel != "shared" else "shared_folder",
                type="folder",
                status="enabled",
                status_hr="Enabled",
                parent=vol.id,
                parent_hr=hr(vol),
                path=rel,
                queue=None,
                email=None,
            ),
        )
    admin = users[ROLE_USERS["admin"]]
    for email, folder, write in (
        (ROLE_USERS["standard"], "shared", True),
        ("lisa@example.com", "shared", False),
        ("vendor@partner.example", "outsource", True),
        (ROLE_USERS["standard"], "outsource", False),
    ):
        u = users[email]
        share = folders[folder]
        store.insert(
            "acl",
            {
                "id": _oid(rng),
                "created": created,
                "creator": admin.id,
                "description": "",
                "entity": f"user:{u.id}",
                "entity_hr": hr(u),
                "target": f"share:{share.id}",
                "target_hr": hr(share),
                "read": True,
                "write": write,
                "path": "/",
                "acknowledged": rng.random() < 0.5,
                "role": None,
                "status": "enabled",
                "token": None,
            },
        )
    server = store.insert(
        "client",
        common(
            "fileserver01",
            code="fileserver01",
            type=facts().client_subtypes["server"],
            type_hr="server",
            os="linux",
            roles="storage,site",
            site=f"site:{sites['hq'].id}",
            site_hr=hr(sites["hq"]),
            status="online",
            user=f"user:{admin.id}",
            user_hr=hr(admin),
            version="3.6.5",
            last_checkin=created,
        ),
    )
    vol.data["_servers"] = [server.id]  # the default volume is served by fileserver01
    store.update(vol)
    employee = users[ROLE_USERS["employee"]]
    store.insert(
        "client",
        common(
            "workstation-7",
            code="workstation-7",
            type=facts().client_subtypes["app"],
            type_hr="app",
            os="mac",
            roles="",
            site=f"site:{sites['hq'].id}",
            site_hr=hr(sites["hq"]),
            status="offline",
            user=f"user:{employee.id}",
            user_hr=hr(employee),
            version="3.6.5",
            last_checkin=created,
        ),
    )
    _seed_desktops(backend, common, users, rng)
    parties = [ws, sites["hq"], sites["roaming"], *users.values()]
    medium = store.select(["queue"], states=None, extra=("h_code = 'medium'", []))[0]
    store.insert_rows(
        generate_transfers(
            rng, transfers, parties=parties, owners=list(users.values()), queue=medium, start=base
        )
    )
    for i in range(12):
        owner = rng.choice([admin, employee])
        recipients = rng.sample([u for u in users.values() if u.data["role"] == "standard"], 2)
        status = rng.choice(["init", "waiting", "waiting", "done"])
        d = common(
            f"Delivery {i + 1:02d} - {rng.choice(_NAMES)}",
            type=facts().job_types["delivery"],
            status=status,
            public=rng.random() < 0.3,
            user=f"user:{owner.id}",
            user_hr=hr(owner),
            finished=_stamp(base + timedelta(days=i + 1)) if status == "done" else None,
            _recipients=[
                {"user": r.id, "user_hr": r.data["code"], "actioned": rng.random() < 0.5}
                for r in recipients
            ]
            if status != "init"
            else [],
        )
        d["code"] = d["name"]
        delivery = store.insert("delivery", d, state="finished" if status == "done" else "active")
        _delivery_file(store, delivery, vol, "demo/README.txt", 120, created)
    _seed_every_other_type(store, rng, common, admin=admin, hq=sites["hq"], volume=vol)
    return keys


def _delivery_file(store: Store, job: Row, volume: Row, rel: str, size: int, created: str) -> None:
    """A file of a seeded delivery: a task recording where it is (see ``_virtual``)."""
    # Not drawn from the seed's random stream, so adding files moves no other seeded id.
    tid = str(uuid.uuid5(uuid.NAMESPACE_OID, f"{job.id}/{rel}"))
    d: dict[str, Any] = {"id": tid, "created": created}
    d.update(job=f"{job.et}:{job.id}", job_hr=hr(job), uri="0", priority=500, size=size)
    d.update(status="pending", metadata={}, finished=None, description="")
    d["source"] = {"path": rel, "s": volume.id, "v": volume.id}
    d["destination"] = {"path": None}
    d["_at"] = [volume.id, rel]
    store.insert("task", d)


#: The demo users' desktop apps: ``(email, hostname, os, online, home directory)``.
DESKTOPS = (
    ("admin@example.com", "admin-mac", "mac", True, "/Users/admin"),
    ("standard@example.com", "standard-pc", "windows", True, "C:/Users/standard"),
    ("lisa@example.com", "lisa-mbp", "mac", True, "/Users/lisa"),
    ("john@example.com", "john-linux", "linux", True, "/home/john"),
    ("vendor@partner.example", "vendor-ws", "linux", True, "/home/vendor"),
)


def _seed_desktops(
    backend: Backend, common: Any, users: dict[str, Row], rng: random.Random
) -> None:
    """An online desktop app for each demo user (the employee's stays offline), with a disk."""
    from accsyn.emulator._clients import client_root, local_rel

    for email, host, os_, online, home in DESKTOPS:
        user = users.get(email)
        if user is None:
            continue
        row = backend.store.insert(
            "client",
            common(
                host,
                code=host,
                type=facts().client_subtypes["app"],
                type_hr="app",
                os=os_,
                roles="",
                status="online" if online else "offline",
                user=f"user:{user.id}",
                user_hr=hr(user),
                username=email,
                version="3.6.5",
                last_checkin=user.data["created"],
            ),
        )
        notes = client_root(backend.files_root, row) / local_rel(home) / "Desktop" / "notes.txt"
        notes.parent.mkdir(parents=True, exist_ok=True)
        notes.write_text(f"Notes on {host}: {rng.getrandbits(32):08x}\n")


def _task(rng: random.Random, job: Row, index: int, created: str, **kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"id": _uuid(rng), "created": created}
    d.update(job=f"{job.et}:{job.id}", job_hr=hr(job), uri=str(index), priority=500)
    d.update(size=0, status="queued", metadata={}, finished=None, description="")
    d.update(kw)
    return d


def _seed_every_other_type(
    store: Store,
    rng: random.Random,
    common: Any,
    *,
    admin: Row,
    hq: Row,
    volume: Row,
) -> None:
    """One entity of each type the rest of the demo seed leaves out, and some tasks."""
    f = facts()
    created = volume.data["created"]
    owner = {"user": f"user:{admin.id}", "user_hr": hr(admin)}
    # Tasks on a few transfers: one file each, as the transfer's own source.
    for job in store.select(["transfer"], limit=5):
        path = f"demo/{job.data['name']}"
        store.insert(
            "task",
            _task(
                rng,
                job,
                0,
                created,
                size=job.data.get("size") or 0,
                source={"path": path},
                destination={"path": path},
                status="done" if job.data.get("status") == "done" else "queued",
            ),
        )
    compute = store.insert(
        "compute",
        common(
            "Render shot010",
            code="render_shot010",
            type=f.job_types["compute"],
            status="waiting",
            progress=0,
            size=0,
            speed=-1.0,
            etr="",
            finished=None,
            engine="builtin-accsyn-utility",
            input="demo/shot010",
            output="demo/shot010/render",
            range="1-10",
            **owner,
        ),
    )
    for i in range(2):
        store.insert("task", _task(rng, compute, i, created, source={"frame": i + 1}))
    for et, name in (("request", "Upload request - plates"), ("stream", "Dailies stream")):
        store.insert(
            et,
            common(
                name,
                code=name,
                type=f.job_types[et],
                status="init",
                public=False,
                finished=None,
                _recipients=[],
                **owner,
            ),
        )
    collection = store.insert(
        "collection",
        common(
            "Review picks",
            code="review_picks",
            type="collection",
            status="enabled",
            status_hr="Enabled",
            queue=None,
            email=None,
        ),
    )
    store.insert(
        "file",
        {
            "id": _uuid(rng),
            "created": created,
            "parent": collection.id,
            "path": "demo/shot020/comp_v003.mov",
            "filename": "comp_v003.mov",
            "size": 20000,
            "_at": [volume.id, "demo/shot020/comp_v003.mov"],
        },
    )
    # The client subtypes the defaults leave out (servers and apps exist already).
    for subtype, name in (("userserver", "lisa-laptop"), ("browser", "web"), ("lane", "lane-1")):
        store.insert(
            "client",
            common(
                name,
                code=name,
                type=f.client_subtypes[subtype],
                type_hr=subtype,
                os="linux",
                roles="",
                site=f"site:{hq.id}",
                site_hr=hr(hq),
                status="offline",
                version="3.6.5",
                last_checkin=created,
                **owner,
            ),
        )


def generate_transfers(
    rng: random.Random,
    count: int,
    *,
    parties: list[Row],
    owners: list[Row],
    queue: Row,
    start: datetime,
) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Yield ``count`` realistic transfers as ``(et, data, state)`` for bulk insert."""
    span = max(1, count)
    # Precomputed strings keep generation at a few microseconds per transfer.
    refs = [(party(p), hr(p)) for p in parties]
    who = [(o.id, f"user:{o.id}", hr(o)) for o in owners]
    queue_hr = hr(queue)
    queue_uri = queue.data.get("uri", "")
    t0 = start.timestamp()
    month = 30 * 86400
    job_type = facts().job_types["transfer"]

    def stamp(ts: float) -> str:
        return encode_datetime(datetime.fromtimestamp(ts, timezone.utc))

    for i in range(count):
        (src, src_hr), (dst, dst_hr) = rng.sample(refs, 2)
        owner_id, owner_ref, owner_hr = rng.choice(who)
        status = rng.choice(_STATUSES)
        when = t0 + month * i // span
        name = f"{rng.choice(_NAMES)}_{i:06d}"
        if rng.random() < 0.1:
            name = f"Daily {rng.choice(_NAMES)} backup"
        finished = status in ("done", "aborted")
        data = {
            "id": f"{rng.getrandbits(96):024x}",
            "name": name,
            "code": name,
            "type": job_type,
            "status": status,
            "progress": 100 if status == "done" else rng.randrange(0, 100),
            "size": rng.randrange(1_000, 50_000_000_000),
            "speed": round(rng.uniform(1, 900), 1) if status == "running" else -1.0,
            "etr": "",
            "created": stamp(when),
            "creator": owner_id,
            "modified": stamp(when + 300),
            "modifier": owner_id,
            "finished": stamp(when + 60 * rng.randrange(1, 600)) if finished else None,
            "source": src,
            "source_hr": src_hr,
            "destination": dst,
            "destination_hr": dst_hr,
            "user": owner_ref,
            "user_hr": owner_hr,
            "parent": queue.id,
            "parent_hr": queue_hr,
            "uri": queue_uri,
            "metadata": {"project": rng.choice(("seagull", "falcon", "heron"))},
        }
        yield "transfer", data, "finished" if finished else "active"
