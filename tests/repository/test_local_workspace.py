"""End to end: repositories against the in-process emulated workspace (sync session)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import accsyn
from accsyn.emulator import LocalWorkspace
from accsyn.models import Delivery, File, JobStatus, Task, Transfer, TransferCreate, User
from accsyn.query import Expr, and_
from accsyn.query._evaluate import matches

# (name, destination, initial status) of the transfers each scenario creates.
E2E = (
    ("e2e alpha backup", "lisa@example.com:/in/", "paused"),
    ("e2e beta render", "hq:/in/", "waiting"),
    ("e2e gamma backup", "roaming:/in/", "init"),
    ("e2e delta", "lisa@example.com:/in/", "paused"),
    ("e2e epsilon.zip", "hq:/in/", "waiting"),
)

MINE = Transfer.name.like("e2e *")

# Every operator, nested AND/OR, and the names each query must select from E2E.
QUERIES: list[tuple[Expr, set[str]]] = [
    (
        (Transfer.status == "paused") | (Transfer.destination == "hq"),
        {"e2e alpha backup", "e2e delta", "e2e beta render", "e2e epsilon.zip"},
    ),
    (
        (Transfer.status.in_(["waiting", "init"]) & Transfer.name.contains("backup"))
        | (Transfer.name.matches(r"\.zip$") & (Transfer.destination != "lisa@example.com")),
        {"e2e gamma backup", "e2e epsilon.zip"},
    ),
    (
        Transfer.name.not_contains("backup")
        & Transfer.name.not_matches("^e2e [de]")
        & Transfer.status.not_in(["init"]),
        {"e2e beta render"},
    ),
    ((Transfer.name >= "e2e delta") & (Transfer.name < "e2e f"), {"e2e delta", "e2e epsilon.zip"}),
    ((Transfer.name > "e2e b") & (Transfer.name <= "e2e beta render"), {"e2e beta render"}),
    (Transfer.destination == "lisa@example.com", {"e2e alpha backup", "e2e delta"}),
    (Transfer.name.like("*backup"), {"e2e alpha backup", "e2e gamma backup"}),
    (
        ~((Transfer.status == "paused") | Transfer.name.contains("zip")),
        {"e2e beta render", "e2e gamma backup"},
    ),
]


@pytest.fixture
def ws() -> Iterator[LocalWorkspace]:
    with LocalWorkspace(seed="demo") as w:
        yield w


def create_e2e(s: accsyn.Session) -> list[Transfer]:
    made = []
    for name, dst, status in E2E:
        made.append(
            s.transfers.create(
                name=name, source="roaming:/media/clip.mov", destination=dst, status=status
            )
        )
    return made


def test_create_and_query_back_with_every_operator(ws: LocalWorkspace) -> None:
    s = ws.session(role="admin")
    made = create_e2e(s)
    assert all(isinstance(t, Transfer) and t.id for t in made)
    everything = s.transfers.where(MINE).all()
    assert {t.name for t in everything} == {name for name, _, _ in E2E}

    for expr, expected in QUERIES:
        got = s.transfers.where(MINE, expr).all()
        assert {t.name for t in got} == expected, expr
        # The server and the Python evaluator agree on the same entities.
        assert {t.id for t in got} == {t.id for t in everything if matches(expr, t)}
        # Chained where() is AND; text queries mean the same.
        chained = s.transfers.where(MINE).where(expr).all()
        assert [t.id for t in chained] == [t.id for t in got]
        text = s.transfers.where(accsyn.query.render(and_(MINE, expr))).all()
        assert [t.id for t in text] == [t.id for t in got]


def test_input_models_users_and_deliveries(ws: LocalWorkspace) -> None:
    s = ws.session(role="admin")
    t = s.transfers.create(
        TransferCreate(name="e2e model", source="roaming:/a.mov", destination="hq:/in/")
    )
    assert s.transfers.where(Transfer.name == "e2e model").one().id == t.id

    u = s.users.create(code="e2e.user@example.com", role="employee", name="E2E User")
    assert isinstance(u, User)
    found = s.users.where(User.code == "e2e.user@example.com", User.role.in_(["employee"])).one()
    assert found.id == u.id
    assert s.users.where(User.code.contains("e2e.user") | (User.role == "none")).count() == 1

    d = s.deliveries.create(name="e2e delivery", description="for the e2e test")
    assert isinstance(d, Delivery)
    assert s.deliveries.where(Delivery.name.contains("e2e deliv")).one().id == d.id


def test_select_of_names_raises_on_unselected_fields(ws: LocalWorkspace) -> None:
    s = ws.session(role="admin")
    create_e2e(s)
    t = s.transfers.where(Transfer.name == "e2e delta").select("name", "status").one()
    assert isinstance(t, Transfer)
    assert t.name == "e2e delta"
    assert t.status == "paused"
    with pytest.raises(accsyn.UnselectedAttributeError, match="destination"):
        _ = t.destination
    with pytest.raises(accsyn.ValidationError):
        s.transfers.select()  # type: ignore[call-overload]


def test_select_of_fields_yields_the_typed_tuples(ws: LocalWorkspace) -> None:
    # The static type is tuple[str | None, JobStatus | None, int | None] (the typing
    # corpus holds it to that); at run time the rows are exactly such tuples.
    s = ws.session(role="admin")
    made = create_e2e(s)
    delta = s.transfers.where(Transfer.name == "e2e delta")
    row = delta.select(Transfer.name, Transfer.status, Transfer.size).one()
    assert type(row) is tuple
    assert row[:2] == ("e2e delta", JobStatus.PAUSED)
    assert type(row[1]) is JobStatus
    assert row[2] is None or type(row[2]) is int
    ids = {i for (i,) in s.transfers.where(MINE).select(Transfer.id)}
    assert ids == {t.id for t in made}
    assert all(type(i) is str for i in ids)


async def test_async_select_of_fields_yields_the_typed_tuples(ws: LocalWorkspace) -> None:
    create_e2e(ws.session(role="admin"))
    async with ws.async_session(role="admin") as s:
        rows = s.transfers.where(MINE, Transfer.status == "paused").select(
            Transfer.name, Transfer.status
        )
        got = await rows.all()
        assert {type(r) for r in got} == {tuple}
        assert sorted(got) == [("e2e alpha backup", "paused"), ("e2e delta", "paused")]
        assert {type(status) for _, status in got} == {JobStatus}
        assert [r async for r in rows.page_size(1)] == got
        first = await rows.first()
        assert first in got


def test_one_raises_on_zero_and_on_two(ws: LocalWorkspace) -> None:
    s = ws.session(role="admin")
    create_e2e(s)
    with pytest.raises(accsyn.NoResultFound):
        s.transfers.where(Transfer.name == "e2e nothing").one()
    with pytest.raises(accsyn.MultipleResultsFound):
        s.transfers.where(Transfer.name.like("e2e *backup")).one()
    assert s.transfers.where(Transfer.name == "e2e beta render").one().status == "waiting"


def test_explain_shows_the_canonical_query_and_sends_nothing(ws: LocalWorkspace) -> None:
    s = ws.session(role="admin")
    select = (
        s.transfers.where(
            (Transfer.status == "failed") | (Transfer.name.contains("daily backup")),
            Transfer.size >= 1000,
        )
        .limit(10)
        .select("name")
    )
    before = s.transfers.count()
    ex = select.explain()
    assert ex.statement == (
        'transfer WHERE (status=failed OR name contains "daily backup") AND size>=1000'
    )
    assert ex.query == '(status=failed OR name contains "daily backup") AND size>=1000'
    assert (ex.method, ex.uri) == ("GET", "transfer/find")
    assert ex.data == {"limit": 10, "attributes": ["id", "name"]}
    http = str(ex)
    assert "transfer/find" in http
    _, _, api_key = ws.credentials("admin")
    assert api_key not in http
    assert s.transfers.count() == before


def test_get_update_save_refresh_delete(ws: LocalWorkspace) -> None:
    s = ws.session(role="admin")
    t = create_e2e(s)[0]
    assert s.transfers.get(t.id or "") is not None
    finished = s.transfers.finished().first()
    assert finished is not None and finished.id
    # get() finds an entity whatever its state, like get_entity.
    got = s.transfers.get(finished.id)
    assert got is not None and got.id == finished.id

    updated = s.transfers.update(t, name="e2e renamed")
    assert updated.name == "e2e renamed"
    fetched = s.transfers.where(Transfer.name == "e2e renamed").one()
    fetched.name = "e2e saved"
    saved = s.transfers.save(fetched)
    assert saved.name == "e2e saved"
    assert s.transfers.refresh(t).name == "e2e saved"
    fetched.name = "e2e saved again"
    assert s.save(fetched).name == "e2e saved again"
    assert s.refresh(t).name == "e2e saved again"
    assert s.transfers.delete(t)
    assert not s.transfers.where(Transfer.name.like("e2e saved*")).exists()


def test_tasks_of_a_transfer(ws: LocalWorkspace) -> None:
    s = ws.session(role="admin")
    t = s.transfers.create(
        name="e2e tasks",
        tasks=[
            {"source": "roaming:/media/a.mov", "destination": "hq:/in/"},
            {"source": "roaming:/media/b.mov", "destination": "hq:/in/"},
        ],
    )
    tasks = s.tasks.of(t).all()
    assert len(tasks) == 2
    assert all(isinstance(x, Task) for x in tasks)
    assert s.tasks.of(t).count() == 2
    second = tasks[1].id or ""
    got = s.tasks.of(t).get(second)
    assert got is not None and got.uri == tasks[1].uri
    assert [x.id for x in s.tasks.of(t).where(Task.uri == tasks[1].uri)] == [second]
    # Tasks pause as "onhold" (spec §6.2; "paused" is a job status and is refused).
    assert s.tasks.of(t).update(tasks[0], status="onhold").status == "onhold"
    # A fetched task knows its job: the session saves and refreshes it directly.
    task = tasks[1]
    task.priority = 900
    assert s.save(task).priority == 900
    assert s.refresh(task).priority == 900
    added = s.tasks.of(t).create(source="roaming:/media/c.mov", destination="hq:/in/")
    assert s.tasks.of(t).count() == 3 and added.id
    with pytest.raises(accsyn.ValidationError):
        s.tasks.create(source="/x")


def test_files_of_a_collection(ws: LocalWorkspace) -> None:
    s = ws.session(role="admin")
    c = s.collections.create(name="e2e collection")
    # A collection lists existing files (the workspace refuses a path on no volume).
    f = s.files.of(c).create(path="volume=projects/demo/README.txt")
    assert isinstance(f, File) and f.id
    assert [x.id for x in s.files.of(c)] == [f.id]
    assert s.files.of(c).delete(f)
    assert not s.files.of(c).exists()


def test_session_find_accepts_a_built_query(ws: LocalWorkspace) -> None:
    s = ws.session(role="admin")
    create_e2e(s)
    found = s.find(Transfer.where(Transfer.name.like("e2e *"), status="paused"))
    assert {t.name for t in found} == {"e2e alpha backup", "e2e delta"}


def test_paging_while_the_result_set_changes(ws: LocalWorkspace) -> None:
    s = ws.session(role="admin")
    other = ws.session(role="admin")
    initial = [t.id for t in s.transfers.select("id").page_size(500)]
    assert len(initial) > 100
    # Delete rows behind and ahead of the read position, and add new ones, while paging.
    doomed = set(initial[5:60:3]) | set(initial[-40::4])
    seen: list[str] = []
    for i, t in enumerate(s.transfers.select("name").page_size(25)):
        assert t.id is not None
        seen.append(t.id)
        if i % 25 == 10:
            for victim in list(doomed)[:4]:
                doomed.discard(victim)
                other.transfers.delete(victim)
                initial.remove(victim)
            other.transfers.create(name=f"e2e late {i}", source="roaming:/x", destination="hq:/")
    assert len(seen) == len(set(seen)), "an entity was yielded twice"
    missing = set(initial) - set(seen)
    assert not missing, f"{len(missing)} stable entities were skipped"
