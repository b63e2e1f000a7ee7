"""A weekly report: queries built with f-strings, .format, % and +, and module constants."""

import datetime

import accsyn
from accsyn.models import Task, Transfer, User

session = accsyn.Session()
STATUS = "faild"
NOT_SET = None
ROLE = "none"


def recent(days: int):
    since = datetime.datetime(2026, 1, 1) - datetime.timedelta(days=days)
    stamp = since.strftime("%Y-%m-%dT%H:%M:%S")
    return session.find(f'transfer WHERE created>"{stamp}" AND status={STATUS}')  # expect: AQ103


def unfinished():
    return session.find(f"transfer WHERE finished>{NOT_SET}")  # expect: AQ103


def none_literal():
    return session.find("transfer WHERE name=%s" % None)  # expect: AQ103


def by_role():
    return session.find("user WHERE role={}".format(ROLE))


def named():
    return session.find("transfer WHERE stauts={s}".format(s="failed"))  # expect: AQ102


def pasted():
    return session.find("transfer WHERE name=\u201cbackup\u201d")  # expect: AQ103


def numbers():
    return session.find("transfer WHERE size matches 5")  # expect: AQ104


def bare():
    return session.find("status=failed")  # expect: AQ105


def names():
    return session.query("entitytypes").all()  # expect: AQ105


def projections():
    one = session.find("transfer", attributes="name")  # expect: AQ105
    two = session.find("transfer", attributes=["name,status"])  # expect: AQ102
    return one, two


def builder():
    a = session.transfers.where(Transfer.status > "failed")  # expect: AQ104
    b = session.transfers.where(Transfer.name == None)  # noqa: E711  # expect: AQ103
    c = session.transfers.where("name=None")  # expect: AQ103
    d = session.users.where(User.role == "none")
    e = session.transfers.where(Transfer.name != "*")
    f = session.transfers.where(Task.status == "failed")  # expect: AQ102
    g = session.transfers.where("transfer")  # expect: AQ105
    h = session.repository("job").where(Transfer.status == "failed")
    return a, b, c, d, e, f, g, h


async def asynchronous(asession: accsyn.AsyncSession):
    rows = await asession.find("transfer WHERE status>failed")  # expect: AQ104
    one = await asession.find_one("transfer WHERE name=None")  # expect: AQ103
    return rows, one
