"""Must-pass: built queries keep their model through find and repositories."""

from typing import Any

from typing_extensions import assert_type

import accsyn
from accsyn.models import Transfer, User


def reads(session: accsyn.Session) -> None:
    failed = session.find(Transfer.where(Transfer.status == "failed"))
    assert_type(failed, list[Transfer])
    assert_type(session.find_one(User.where(role="admin")), User | None)
    assert_type(session.find("transfer WHERE status=failed"), list[Any])
    for t in failed:
        print(t.name, t.size)
    assert_type(session.transfers.get("6645fbca9f8c4d3e7a3b678d"), Transfer | None)


async def async_reads(session: accsyn.AsyncSession) -> None:
    failed = await session.find(Transfer.where(Transfer.status == "failed"))
    assert_type(failed, list[Transfer])
    assert_type(await session.find_one(User.where(role="admin")), User | None)


def writes(session: accsyn.Session, t: Transfer) -> None:
    from accsyn.models import TransferUpdate

    assert_type(session.transfers.update(t, status="paused"), Transfer)
    assert_type(session.transfers.update(t, TransferUpdate(status="paused")), Transfer)
    assert_type(session.transfers.update(t.id, {"status": "paused"}), Transfer)
    session.transfers.where(status="failed").limit(5).where(size=10).first()
    session.queues.create(code="nightly", priority=10)
    session.transfers.create(source="volume=projects/a", destination="lisa@example.com:/in/")
