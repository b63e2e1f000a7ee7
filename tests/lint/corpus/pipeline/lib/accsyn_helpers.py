"""Small helpers shared by the pipeline tools (Python 3)."""

from __future__ import annotations

import functools
import os
import re
from typing import Optional

import accsyn
from accsyn.compat import Session as CompatSession

NAME_RE = re.compile(r"^(?P<show>[a-z]+)_(?P<shot>sq\d+_sh\d+)_v(?P<version>\d+)$")


@functools.lru_cache(maxsize=1)
def api() -> accsyn.Session:
    return accsyn.Session(workspace=os.environ.get("ACCSYN_WORKSPACE"))


def compat_session() -> CompatSession:
    return CompatSession()


class Context:
    """What a tool runs with: the accsyn session and the current show."""

    def __init__(self, show: str):
        self.show = show
        self.accsyn = api()

    def jobs(self, status: str):
        return self.accsyn.find(f'transfer WHERE status={status} AND name contains "{self.show}"')  # site expect: AQ200


def run_query(session, query):
    return session.find(query)  # skip


def find_by(session: Optional[accsyn.Session], entitytype: str, **attrs):
    where = " AND ".join("%s=%s" % kv for kv in attrs.items())
    return session.find(entitytype + " WHERE " + where)  # skip: dynamic, expect: AQ200


def failed_for(ctx: Context, shot: str):
    query = "transfer WHERE status=failed AND name=" + shot
    return ctx.accsyn.find(query)  # site


def stale(session: accsyn.Session, days: int = 7):
    template = "transfer WHERE status=paused AND modified<%s"
    return session.find(template % days)  # site


def old_api_queues(compat: CompatSession):
    return compat.find("queue WHERE priority>high")  # site expect: AQ103


def version_of(name: str) -> Optional[int]:
    match = NAME_RE.match(name)
    if match is None or name.find("_v") < 0:  # lookalike
        return None
    return int(match.group("version"))


def shot_folder(path: str) -> str:
    return path[: path.find("/shots/")]  # lookalike
