"""Must-fail: a projected row has only the fields selected, and only in their types."""

import accsyn
from accsyn.models import JobStatus, Transfer, User


def sync_rows(session: accsyn.Session) -> None:
    for row in session.transfers.select(Transfer.name, Transfer.status):
        print(row.size)  # expect-error
        print(row[2])  # expect-error
        size: int = row[0]  # expect-error
        status: JobStatus = row[1]  # expect-error
        print(size, status)
    first = session.transfers.where(status="failed").select(Transfer.name).first()
    if first is not None:
        print(first.name)  # expect-error
    one = session.users.select(User.code).one()
    print(one.role)  # expect-error
    _a, _b, _c = session.transfers.select(Transfer.name, Transfer.status).one()  # expect-error


def mixed_and_typos(session: accsyn.Session) -> None:
    session.transfers.select(Transfer.name, "status")  # expect-error
    session.transfers.select()  # expect-error
    session.transfers.select(Transfer.name).where(stauts="failed")  # expect-error
    session.transfers.select(Transfer.name).limit("5")  # expect-error


async def async_rows(session: accsyn.AsyncSession) -> None:
    rows = await session.transfers.select(Transfer.name, Transfer.size).all()
    print(rows[0].status)  # expect-error
    print(rows[0][1] + "MB")  # expect-error
    async for row in session.transfers.select(Transfer.name):
        print(row.name)  # expect-error
