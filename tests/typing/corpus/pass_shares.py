"""Must-pass: share queries as scripts write them (``share`` is the umbrella type)."""

from accsyn.models import Share, ShareType
from accsyn.session import Session


def ok(session: Session) -> None:
    Share.where(Share.type == "root")
    Share.where(Share.type == ShareType.FOLDER, name="Shared Folder")
    Share.where(default=True)
    first = session.shares.where(default=True).first()
    kind: ShareType | None = first.type if first is not None else None
    del kind
