"""The emulator over real HTTP under concurrent writers loses no acknowledged write."""

from __future__ import annotations

import threading
import time
from collections import Counter

import accsyn

from .conftest import Served

THREADS = 8
SECONDS = 4.0


def test_concurrent_writers_lose_nothing(served: Served) -> None:
    username, key = served.users["admin"], served.keys["admin"]
    acked: dict[str, str] = {}  # name -> id
    described: dict[str, str] = {}  # id -> last acknowledged description
    failures: list[BaseException] = []
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS
    start = threading.Barrier(THREADS)

    def writer(t: int) -> None:
        try:
            with accsyn.Session(
                workspace=served.backend.code,
                username=username,
                api_key=key,
                base_url=served.base_url,
                rate_limit=None,
                timeout=20,
                connect_timeout=5,
            ) as session:
                start.wait()
                n = 0
                while time.monotonic() < deadline:
                    name = f"conc-{t}-{n}"
                    job = session.create("transfer", {"name": name, "source": "demo/README.txt"})
                    with lock:
                        acked[name] = job.id
                    if n % 2:
                        value = f"{t}/{n}"
                        updated = session.update("transfer", job.id, {"description": value})
                        assert updated.description == value
                        with lock:
                            described[job.id] = value
                    n += 1
        except BaseException as exc:  # surfaced below, with the thread's failure
            with lock:
                failures.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not any(th.is_alive() for th in threads)
    assert failures == []
    assert len(acked) >= THREADS, "every writer must have written"

    rows = served.backend.store.select(["transfer"], states=None)
    names = Counter(str(r.data.get("name")) for r in rows)
    by_id = {r.id: r for r in rows}
    for name, id_ in acked.items():
        assert names[name] == 1, name
        assert id_ in by_id and by_id[id_].data["name"] == name
    for id_, value in described.items():
        assert by_id[id_].data.get("description") == value
    # Nothing appeared that no writer created.
    assert {n for n in names if n.startswith("conc-")} == set(acked)
