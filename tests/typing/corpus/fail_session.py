"""Must-fail: a built query's rows are typed, so a ported typo is caught."""

import accsyn
from accsyn.models import Transfer, User


def reads(session: accsyn.Session) -> None:
    for job in session.find(Transfer.where(Transfer.status == "failed")):
        print(job.nmae)  # expect-error
    admin = session.find_one(User.where(role="admin"))
    print(admin.code)  # expect-error
    session.find(Transfer.where(Transfer.status != "faild"))  # expect-error
    session.transfers.where(Transfer.size > "big")  # expect-error


async def async_reads(session: accsyn.AsyncSession) -> None:
    rows = await session.find(Transfer.where(Transfer.status == "failed"))
    print(rows[0].stauts)  # expect-error


def writes(session: accsyn.Session, t: Transfer) -> None:
    session.transfers.update(t, stauts="paused")  # expect-error
    session.transfers.update(t, status="faild")  # expect-error
    session.transfers.where(stauts="failed")  # expect-error
    session.transfers.where(Transfer.size > 0).where(status="faild")  # expect-error
    session.transfers.limit(5).where(stauts="failed")  # expect-error
    session.queues.create(code="nightly", priority="high")  # expect-error
    session.users.where(email="lisa@example.com")  # expect-error
    session.transfers.update(t, {"status": "paused"}, nmae="x")  # expect-error


async def async_writes(session: accsyn.AsyncSession, t: Transfer) -> None:
    await session.transfers.update(t, stauts="paused")  # expect-error
    session.transfers.where(stauts="failed")  # expect-error
