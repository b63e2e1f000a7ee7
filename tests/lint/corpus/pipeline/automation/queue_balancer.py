"""Rebalance accsyn queues during the night: pause big transfers, resume urgent ones.

Written against the typed SDK (models, repositories and builder expressions).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from accsyn import Session
from accsyn.models import Delivery, Queue, Transfer, User
from accsyn.query import and_
from sqlalchemy import Column, Integer, String, select
from sqlalchemy.orm import declarative_base

Base = declarative_base()
GIB = 1024**3


class Job(Base):
    """The render farm's own job table (SQLAlchemy), not accsyn's."""

    __tablename__ = "jobs"
    id = Column(Integer, primary_key=True)
    status = Column(String)
    size = Column(Integer)


def farm_jobs_failed(db):
    return db.execute(select(Job).where(Job.status == "faild")).scalars().all()  # lookalike


def big_running(session: Session):
    big = session.transfers.where(Transfer.size > 50 * GIB, status="running")  # site
    return big.select("name", "size", "status").limit(100).all()  # site


def urgent(session: Session):
    wanted = and_(Transfer.status == "paused", Transfer.name.contains("urgent"))  # site
    return session.transfers.where(wanted).all()


def mistakes(session: Session):
    a = session.transfers.where(Transfer.status == "faild")  # site expect: AQ103
    b = session.transfers.where(status="runing")  # site expect: AQ103
    c = session.deliveries.where(Delivery.public == True).select("nmae")  # site expect: AQ102
    d = User.role.in_(["admin", "artist"])  # site expect: AQ103
    e = Transfer.size > "big"  # site expect: AQ103
    f = session.repository("trasnfer")  # site expect: AQ101
    g = Transfer.stauts != "done"  # site expect: AQ102
    h = Queue.where(priority=10, status="paused")  # site
    return a, b, c, d, e, f, g, h


def paused_names(session: Session):
    paused = session.query("transfer WHERE status=pausd").page_size(50)  # site expect: AQ103
    return [t.name for t in paused.select("name", "size")]  # site


def filters_from(session: Session, filters: dict):
    return session.transfers.where(**filters)  # skip


def recent(session: Session, hours: int = 12):
    since = datetime.now(timezone.utc) - timedelta(hours=hours)
    return session.transfers.where(Transfer.created >= since).first()  # site


def main():
    session = Session()
    for transfer in big_running(session):
        session.transfers.update(transfer, status="paused")
    for transfer in urgent(session):
        session.transfers.update(transfer, status="running")
    print(len(session.find(Transfer.where(Transfer.status == "paused"))))  # site


if __name__ == "__main__":
    main()
