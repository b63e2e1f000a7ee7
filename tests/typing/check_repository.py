"""Static typing checks for repositories: run with ``mypy --strict tests/typing``.

Nothing here runs as a test (tests/repository/test_typing.py runs mypy on it):
mypy proves that repositories return the model type they are for, on the sync and
the async session, and each ``type: ignore`` below is proven necessary by
``warn_unused_ignores`` — so a result typed ``Any`` would fail the check.
"""

from __future__ import annotations

from typing_extensions import assert_type

import accsyn
from accsyn.models import Entity, Task, Transfer, User
from accsyn.repository import (
    AsyncRepository,
    AsyncSelect,
    Explanation,
    Repository,
    Select,
)


def check_sync(session: accsyn.Session) -> None:
    # Accessors are typed per model (their keyword filters and fields are the model's);
    # each is a Repository / Select of that model.
    repository: Repository[Transfer] = session.transfers
    failed = session.transfers.where(Transfer.status == "failed")
    selected: Select[Transfer] = failed
    assert_type(session.transfers.where(Transfer.status == "failed").first(), Transfer | None)
    assert_type(session.transfers.where(Transfer.status == "failed").all(), list[Transfer])
    selected = failed.select("name").limit(5).offset(2).page_size(10)
    selected = failed.finished().archived().inactive()
    del repository, selected
    assert_type(failed.one(), Transfer)
    assert_type(failed.one_or_none(), Transfer | None)
    assert_type(failed.count(), int)
    assert_type(failed.exists(), bool)
    assert_type(failed.explain(), Explanation)
    for transfer in failed:
        assert_type(transfer, Transfer)
    for page in failed.pages():
        assert_type(page, list[Transfer])

    assert_type(session.users.where(User.role == "admin").first(), User | None)
    assert_type(session.repository(User), Repository[User])
    assert_type(session.repository("user"), Repository[Entity])
    assert_type(session.tasks.of("6676f3e9c7ef4e27da254e57"), Repository[Task])
    assert_type(session.transfers.get("6676f3e9c7ef4e27da254e57"), Transfer | None)
    assert_type(session.transfers.create(name="x"), Transfer)
    assert_type(session.transfers.update("6676f3e9c7ef4e27da254e57", name="y"), Transfer)
    assert_type(session.transfers.delete("6676f3e9c7ef4e27da254e57"), bool)
    fetched = failed.one()
    assert_type(session.save(fetched), Transfer)
    assert_type(session.refresh(fetched), Transfer)

    # Mistakes are type errors.
    wrong: Transfer = failed.first()  # type: ignore[assignment]
    users: list[User] = failed.all()  # type: ignore[assignment]
    del wrong, users


async def check_async(session: accsyn.AsyncSession) -> None:
    repository: AsyncRepository[Transfer] = session.transfers
    failed = session.transfers.where(Transfer.status == "failed")
    selected: AsyncSelect[Transfer] = failed
    del repository, selected
    assert_type(await session.transfers.where(Transfer.size > 0).first(), Transfer | None)
    assert_type(await session.transfers.where(Transfer.size > 0).all(), list[Transfer])
    assert_type(await failed.one(), Transfer)
    assert_type(await failed.count(), int)
    assert_type(await failed.exists(), bool)
    assert_type(failed.explain(), Explanation)
    async for transfer in failed:
        assert_type(transfer, Transfer)
    async for page in failed.pages():
        assert_type(page, list[Transfer])
    assert_type(await session.repository(User).get("6676f3e9c7ef4e27da254e57"), User | None)
    assert_type(await session.transfers.create(name="x"), Transfer)
    assert_type(await session.save(await failed.one()), Transfer)

    # Forgetting ``await`` is a type error, not a silent coroutine.
    wrong: Transfer | None = failed.first()  # type: ignore[assignment]
    del wrong
