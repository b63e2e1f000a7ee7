"""Must-pass: selecting model fields types the rows as tuples of those fields' values."""

from datetime import datetime
from typing import Any

from typing_extensions import assert_type

import accsyn
from accsyn.models import JobStatus, Transfer, User
from accsyn.query import Column


def sync_rows(session: accsyn.Session) -> None:
    rows = session.transfers.select(Transfer.name, Transfer.status)
    for name, status in rows:
        assert_type(name, str | None)
        assert_type(status, JobStatus | None)
    assert_type(rows.all(), list[tuple[str | None, JobStatus | None]])
    assert_type(rows.first(), tuple[str | None, JobStatus | None] | None)
    assert_type(session.users.select(User.id).one(), tuple[str])
    # Chaining keeps the row type, and the model's own keyword filters.
    failed = session.transfers.select(Transfer.size).where(status="failed").limit(5)
    assert_type(failed.one_or_none(), tuple[int | None] | None)
    for page in failed.pages():
        assert_type(page, list[tuple[int | None]])
    # Built queries, then a projection.
    built = session.transfers.where(Transfer.where(Transfer.status == "failed"))
    assert_type(built.select(Transfer.created).all()[0][0], datetime | None)
    text = session.query(Transfer.where(Transfer.size > 0)).select(Transfer.name, Transfer.size)
    assert_type(text.first(), tuple[str | None, int | None] | None)


def positions_and_widths(session: accsyn.Session) -> None:
    six = session.transfers.select(
        Transfer.id, Transfer.name, Transfer.status, Transfer.size, Transfer.speed, Transfer.user
    ).first()
    if six is not None:
        assert_type(six[5], str | None)
    seven = session.transfers.select(
        Transfer.id,
        Transfer.name,
        Transfer.status,
        Transfer.size,
        Transfer.speed,
        Transfer.user,
        Transfer.progress,
    )
    assert_type(seven.all(), list[tuple[Any, ...]])


def names_keep_models(session: accsyn.Session) -> None:
    # Attribute names (known only at run time) keep model rows.
    t = session.transfers.select("name", "status").first()
    assert_type(t, Transfer | None)
    back = session.transfers.select(Transfer.name).select("name")
    assert_type(back.all(), list[Transfer])
    generic = session.repository(Transfer).select(Transfer.name)
    assert_type(generic.all(), list[tuple[str | None]])


def dynamic(session: accsyn.Session, fields: list[Column[Any]], names: list[str]) -> None:
    # Fields or names known only at run time: untyped tuples, or models.
    assert_type(session.transfers.select(*fields).all(), list[tuple[Any, ...]])
    assert_type(session.transfers.select(*names).all(), list[Transfer])


async def async_rows(session: accsyn.AsyncSession) -> None:
    rows = session.transfers.where(status="failed").select(Transfer.name, Transfer.status)
    async for name, status in rows:
        assert_type(name, str | None)
        assert_type(status, JobStatus | None)
    assert_type(await rows.all(), list[tuple[str | None, JobStatus | None]])
    assert_type(await rows.first(), tuple[str | None, JobStatus | None] | None)
    assert_type(await session.users.select(User.code).one(), tuple[str | None])
