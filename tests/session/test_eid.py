"""Event ids: random version-4 UUIDs, unique, and never repeated by a forked process."""

from __future__ import annotations

import os
import sys
import uuid

import pytest

from accsyn._codec import new_uuid4


def test_eids_are_version_4_uuids_written_as_uuid_writes_them() -> None:
    seen = set()
    for _ in range(5000):
        eid = new_uuid4()
        parsed = uuid.UUID(eid)
        assert str(parsed) == eid
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
        seen.add(eid)
    assert len(seen) == 5000


@pytest.mark.skipif(sys.platform == "win32", reason="os.fork")
def test_a_forked_process_draws_other_eids() -> None:
    new_uuid4()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next eids, to the parent
        os.close(read)
        os.write(write, " ".join(new_uuid4() for _ in range(3)).encode())
        os._exit(0)
    os.close(write)
    mine = [new_uuid4() for _ in range(3)]
    with os.fdopen(read, "rb") as pipe:
        child = pipe.read().decode().split()
    os.waitpid(pid, 0)
    assert len(child) == 3 and not set(child) & set(mine)
