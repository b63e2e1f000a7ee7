"""Two connections to one workspace file: each sees the other's writes at once.

A workspace kept in a file can be opened twice (``accsyn serve --db FILE`` in one
process and a ``LocalWorkspace(path=FILE)`` in a test, say). The emulator caches
what it derives from the data (callers, selects, whole answers) per generation of
the database; a write committed by the other connection must start them over.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from accsyn.emulator import LocalWorkspace


@pytest.fixture
def path(tmp_path: Path) -> Path:
    db = tmp_path / "shared.db"
    with LocalWorkspace(seed="demo", path=db):
        pass
    return db


def test_a_write_through_another_connection_is_seen_by_the_next_find(path: Path) -> None:
    with LocalWorkspace(seed=None, path=path) as one, LocalWorkspace(seed=None, path=path) as two:
        s1, s2 = one.session("admin"), two.session("admin")
        query = "queue WHERE code=high"
        (queue,) = s1.find(query)
        s1.find(query)  # kept
        s2.update("queue", str(queue.id), {"description": "written by the other one"})
        assert [q.description for q in s1.find(query)] == ["written by the other one"]
        s2.create("queue", {"code": "second"})
        assert len(s1.find("queue WHERE code=second")) == 1


def test_a_write_from_another_process_is_seen_by_the_next_find(path: Path) -> None:
    with LocalWorkspace(seed=None, path=path) as ws:
        s = ws.session("admin")
        query = "queue WHERE code=high"
        (queue,) = s.find(query)
        s.find(query)
        script = (
            "import sys\n"
            "from accsyn.emulator import LocalWorkspace\n"
            "with LocalWorkspace(seed=None, path=sys.argv[1]) as ws:\n"
            "    ws.session('admin').update('queue', sys.argv[2], {'description': 'elsewhere'})\n"
        )
        subprocess.run([sys.executable, "-c", script, str(path), str(queue.id)], check=True)
        assert [q.description for q in s.find(query)] == ["elsewhere"]


def test_an_employee_deactivated_by_another_connection_is_refused(path: Path) -> None:
    from accsyn import AuthenticationError

    with LocalWorkspace(seed=None, path=path) as one, LocalWorkspace(seed=None, path=path) as two:
        employee = one.session("employee")
        employee.find("queue")
        _, email, _ = two.credentials("employee")
        admin = two.session("admin")
        user = admin.find_one(f"user WHERE code={email}")
        assert user is not None
        admin.deactivate_one("user", str(user.id))
        with pytest.raises(AuthenticationError):
            employee.find("queue")
