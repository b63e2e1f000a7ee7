"""LocalWorkspace.fresh(): a seeded workspace per test, copied from a template."""

from __future__ import annotations

from accsyn.emulator import LocalWorkspace


def test_a_fresh_workspace_holds_what_seeding_gives() -> None:
    with (
        LocalWorkspace(seed="demo", transfers=25) as seeded,
        LocalWorkspace.fresh(seed="demo", transfers=25) as fresh,
    ):
        a, b = seeded.session(), fresh.session()
        assert [t.id for t in a.find("transfer")] == [t.id for t in b.find("transfer")]
        assert [u.code for u in a.find("user")] == [u.code for u in b.find("user")]
        assert fresh.credentials("standard") == seeded.credentials("standard")
        # The demo volume's files are there, under this workspace's own directory.
        listing = b.files.ls("volume=projects/demo")
        assert "README.txt" in str(listing)
        (volume,) = b.find("volume", raw=True)
        assert volume["path"].startswith(str(fresh.files_root))


def test_fresh_workspaces_are_independent_of_each_other_and_the_template() -> None:
    with LocalWorkspace.fresh(transfers=25) as one, LocalWorkspace.fresh(transfers=25) as two:
        one.session().create("user", {"code": "only-here@example.com", "role": "standard"})
        readme = one.files_root / "projects" / "demo" / "README.txt"
        readme.write_bytes(b"changed")
        codes = [u.code for u in two.session().find("user")]
        assert "only-here@example.com" not in codes
        assert (two.files_root / "projects" / "demo" / "README.txt").read_bytes() != b"changed"
        root = one.files_root
    assert not root.exists()  # removed on close
    with LocalWorkspace.fresh(transfers=25) as three:
        assert "only-here@example.com" not in [u.code for u in three.session().find("user")]
        assert (three.files_root / "projects" / "demo" / "README.txt").read_bytes() != b"changed"


def test_fresh_workspaces_start_at_the_same_instant_with_their_own_clocks() -> None:
    with LocalWorkspace.fresh(transfers=25) as a, LocalWorkspace.fresh(transfers=25) as b:
        assert a.clock.time() == b.clock.time()
        a.clock.advance(60)
        assert a.clock.time() == b.clock.time() + 60
