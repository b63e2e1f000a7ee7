"""Repository behaviour against a fake backend: what is sent, and what comes back."""

from __future__ import annotations

from typing import Any

import pytest

import accsyn
from accsyn._repository import Repository, Select
from accsyn.models import JobStatus, Transfer, User
from accsyn.query import parse

from .conftest import FakeBackend, FakeSession


def finds(backend: FakeBackend) -> list[Any]:
    return [r for r in backend.sent if r.uri.endswith("/find")]


def test_repository_builds_nothing_until_executed(session: FakeSession) -> None:
    select = session.transfers.where(Transfer.status == "failed").limit(3)
    assert isinstance(select, Select)
    assert session.backend.sent == []


def test_where_chains_with_and(session: FakeSession) -> None:
    select = session.transfers.where(Transfer.status == "failed").where(Transfer.size > 500)
    assert select.explain().query == "status=failed AND size>500"
    names = [t.name for t in select]
    assert names == ["backup 07", "backup 12", "backup 17", "backup 22", "backup 27"]
    assert all(t.status == "failed" and (t.size or 0) > 500 for t in select)


def test_where_accepts_text_queries_and_equalities(session: FakeSession) -> None:
    a = session.transfers.where("status=failed AND size>500")
    b = session.transfers.where(Transfer.where(status="failed"), Transfer.size > 500)
    c = session.transfers.where(status="failed").where(parse("transfer WHERE size>500"))
    assert a.query == b.query == c.query
    assert [t.id for t in a] == [t.id for t in b] == [t.id for t in c]


def test_where_rejects_a_query_for_another_entity_type(session: FakeSession) -> None:
    with pytest.raises(accsyn.ValidationError, match="user"):
        session.transfers.where(User.where(code="a@b.com"))


def test_where_rejects_a_plain_bool(session: FakeSession) -> None:
    with pytest.raises(accsyn.ValidationError):
        session.transfers.where(True)  # type: ignore[arg-type]


def test_unknown_attribute_is_reported_before_sending(session: FakeSession) -> None:
    with pytest.raises(accsyn.QueryError, match="stauts"):
        session.transfers.where("stauts=failed")
    assert session.backend.sent == []


def test_explain_shows_the_canonical_request_without_sending(session: FakeSession) -> None:
    select = (
        session.transfers.where(
            (Transfer.status == "failed") | (Transfer.name.contains("x y")),
            Transfer.size >= 10,
        )
        .select("name", "status")
        .finished()
        .offset(5)
        .limit(20)
        .page_size(7)
    )
    ex = select.explain()
    assert session.backend.sent == []
    assert ex.method == "GET"
    assert ex.uri == "transfer/find"
    assert ex.query == '(status=failed OR name contains "x y") AND size>=10'
    assert ex.statement == 'transfer WHERE (status=failed OR name contains "x y") AND size>=10'
    assert ex.data == {
        "finished": True,
        "limit": 7,
        "skip": 5,
        "attributes": ["id", "name", "status"],
    }
    assert "transfer/find" in str(ex)


def test_limit_and_offset_page_across_requests(session: FakeSession) -> None:
    got = session.transfers.offset(3).limit(11).page_size(4).all()
    assert [t.name for t in got] == [f"backup {i:02d}" for i in range(3, 14)]
    sent = [(r.data.get("skip", 0), r.data["limit"]) for r in finds(session.backend)]
    # Follow-up requests re-read one anchor row (see accsyn._paging).
    assert sent == [(3, 4), (6, 5), (10, 4)]


def test_iteration_is_lazy(session: FakeSession) -> None:
    it = iter(session.transfers.page_size(5))
    first = next(it)
    assert first.name == "backup 00"
    assert len(finds(session.backend)) == 1


def test_pages_yield_page_sized_lists(session: FakeSession) -> None:
    sizes = [len(p) for p in session.transfers.page_size(8).pages()]
    # Every page holds page_size new rows; the last one holds the rest.
    assert sizes == [8, 8, 8, 6]


def test_scopes_select_other_pools(session: FakeSession) -> None:
    assert [t.name for t in session.transfers.finished()] == [f"old {i}" for i in range(4)]
    assert session.transfers.finished().count() == 4
    assert session.transfers.archived().all() == []


def test_select_of_names_projects_models_whose_unselected_fields_raise(
    session: FakeSession,
) -> None:
    t = session.transfers.select("name").first()
    assert t is not None
    assert t.name == "backup 00"
    assert t.id is not None  # id always comes along, so paging can de-duplicate
    with pytest.raises(accsyn.UnselectedAttributeError, match="status"):
        _ = t.status
    assert finds(session.backend)[-1].data["attributes"] == ["id", "name"]


def test_select_of_fields_yields_tuples_in_the_order_given(session: FakeSession) -> None:
    rows = session.transfers.select(Transfer.status, Transfer.name).limit(3).all()
    assert [type(r) for r in rows] == [tuple] * 3
    assert rows[0] == (JobStatus.WAITING, "backup 00")
    assert type(rows[0][0]) is JobStatus
    assert finds(session.backend)[-1].data["attributes"] == ["id", "status", "name"]
    # id is only in the row when selected; a repeated field repeats its value.
    first = session.transfers.select(Transfer.id, Transfer.name, Transfer.name).first()
    assert first is not None and len(first) == 3 and first[1] == first[2] == "backup 00"
    assert isinstance(first[0], str) and first[0]
    # Beyond six fields (or fields chosen at run time) rows are still tuples.
    fields = [Transfer.name, Transfer.size, Transfer.status, Transfer.id, Transfer.user]
    wide = session.transfers.select(*fields, Transfer.speed, Transfer.progress).first()
    assert type(wide) is tuple and len(wide) == 7
    # Selecting names again makes the rows models again.
    back = session.transfers.select(Transfer.name).select("name").first()
    assert isinstance(back, Transfer)


def test_select_refuses_mixed_forms_and_fields_of_other_models(session: FakeSession) -> None:
    with pytest.raises(accsyn.ValidationError, match="not both"):
        session.transfers.select(Transfer.name, "status")  # type: ignore[call-overload]
    with pytest.raises(accsyn.ValidationError, match=r"User\.code"):
        session.transfers.select(User.code)
    with pytest.raises(accsyn.ValidationError, match="at least one"):
        session.transfers.select()  # type: ignore[call-overload]


def test_first_one_count_exists(session: FakeSession) -> None:
    failed = session.transfers.where(status="failed")
    assert failed.count() == 6
    assert failed.exists()
    first = failed.first()
    assert first is not None and first.name == "backup 02"
    assert session.transfers.where(name="backup 04").one().status == "paused"
    assert session.transfers.where(name="nothing").first() is None
    assert not session.transfers.where(name="nothing").exists()


def test_one_raises_on_none_and_on_several(session: FakeSession) -> None:
    with pytest.raises(accsyn.NoResultFound):
        session.transfers.where(name="nothing").one()
    with pytest.raises(accsyn.MultipleResultsFound):
        session.transfers.where(status="failed").one()
    assert session.transfers.where(name="nothing").one_or_none() is None
    # one() asks for two rows, never more.
    assert finds(session.backend)[-1].data["limit"] == 2


def test_zero_limit_sends_nothing(session: FakeSession) -> None:
    assert session.transfers.limit(0).all() == []
    assert session.transfers.limit(0).first() is None
    assert session.backend.sent == []


@pytest.mark.parametrize(
    ("method", "arg"),
    [("limit", -1), ("offset", -2), ("page_size", 0), ("page_size", 10**6), ("limit", "3")],
)
def test_bad_paging_arguments(session: FakeSession, method: str, arg: Any) -> None:
    with pytest.raises(accsyn.ValidationError):
        getattr(session.transfers, method)(arg)


def test_get_finds_any_state(session: FakeSession, backend: FakeBackend) -> None:
    old = backend.tables["transfer"][-1]
    got = session.transfers.get(old["id"])
    assert got is not None and got.name == old["name"]
    assert backend.sent[-1].entityid == old["id"]
    assert session.transfers.get("f" * 24) is None


def test_create_update_delete(session: FakeSession, backend: FakeBackend) -> None:
    t = session.transfers.create(name="new one", status="paused")
    assert isinstance(t, Transfer) and t.id
    assert backend.sent[-1].uri == "transfer/create"
    t2 = session.transfers.update(t, status="waiting")
    assert t2.status == "waiting"
    assert backend.sent[-1].data == {"status": "waiting"}
    assert session.transfers.delete(t.id)
    assert session.transfers.get(t.id) is None


def test_save_sends_only_changed_fields(session: FakeSession, backend: FakeBackend) -> None:
    t = session.transfers.where(name="backup 03").one()
    n = len(backend.sent)
    assert session.transfers.save(t) is t  # nothing changed: nothing sent
    assert len(backend.sent) == n
    t.name = "renamed"
    saved = session.transfers.save(t)
    assert backend.sent[-1].method == "PUT"
    assert backend.sent[-1].data == {"name": "renamed"}
    assert saved.name == "renamed"
    assert session.transfers.save(t) is t  # clean again after saving
    fresh = session.transfers.refresh(t)
    assert fresh.name == "renamed"


def test_repository_by_model_or_name(session: FakeSession) -> None:
    repo = session.repository(Transfer)
    assert isinstance(repo, Repository)
    assert [t.id for t in repo] == [t.id for t in session.repository("job")]
    with pytest.raises(accsyn.ValidationError):
        session.repository("transferz")


def test_sub_entities_need_a_parent(session: FakeSession, backend: FakeBackend) -> None:
    job = backend.tables["transfer"][0]
    backend.add("task", parent=job["id"], uri="0", status="queued")
    backend.add("task", parent=job["id"], uri="1", status="done")
    backend.add("task", parent="f" * 24, uri="0", status="queued")
    tasks = session.tasks.of(job["id"]).all()
    assert [t.uri for t in tasks] == ["0", "1"]
    assert finds(backend)[-1].data["parent"] == job["id"]
    with pytest.raises(accsyn.ValidationError, match=r"of\(parent\)"):
        session.tasks.create(source="/a", destination="hq:/b")


def test_repr_shows_the_query(session: FakeSession) -> None:
    assert "transfer WHERE status=failed" in repr(session.transfers.where(status="failed"))


def test_select_rejects_unknown_attributes_with_a_suggestion(session: FakeSession) -> None:
    with pytest.raises(accsyn.QueryValidationError, match="did you mean 'status'"):
        session.transfers.select("name", "stauts")
    with pytest.raises(accsyn.ValidationError):
        session.transfers.select(42)


def test_write_values_are_sent_in_wire_form(session: FakeSession, backend: FakeBackend) -> None:
    import datetime as dt

    from accsyn.models import JobStatus, Queue

    t = session.transfers.where(name="backup 01").one()
    queue = Queue.from_wire({"id": "a" * 24, "code": "high"})
    when = dt.datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=dt.timezone.utc)
    session.transfers.update(
        t, status=JobStatus.PAUSED, queue=queue, metadata={"due": when, "tags": ("a", "b")}
    )
    assert backend.sent[-1].data == {
        "status": "paused",
        "queue": "a" * 24,
        "metadata": {"due": "2026-01-02T03:04:05", "tags": ["a", "b"]},
    }
    with pytest.raises(accsyn.ValidationError):
        session.transfers.update(t)  # nothing to change
    with pytest.raises(accsyn.ValidationError):
        session.transfers.create(42)


def test_a_query_has_no_truth_value(session: FakeSession) -> None:
    with pytest.raises(TypeError, match="exists"):
        bool(session.transfers.where(status="failed"))
    assert session.backend.sent == []


def test_session_save_and_refresh_take_fetched_models(session: FakeSession) -> None:
    t = session.transfers.where(name="backup 05").one()
    t.name = "renamed 05"
    assert session.save(t).name == "renamed 05"
    assert session.backend.sent[-1].data == {"name": "renamed 05"}
    assert session.refresh(t).name == "renamed 05"
    with pytest.raises(accsyn.ValidationError):
        session.save({"id": "x"})  # type: ignore[type-var]
