"""Must-fail: base classes have no field expressions; instances hold typed values."""

from accsyn.models import Described, Entity, Job, Share, ShareBase, Transfer


def bases() -> None:
    Job.status  # expect-error
    Described.name  # expect-error
    ShareBase.status  # expect-error
    Share.where(Share.type == "roo")  # expect-error
    Transfer.where(Entity.id == "6645fbca9f8c4d3e7a3b678d")  # expect-error


def instances(t: Transfer) -> None:
    t.status = "faild"  # expect-error
    t.size = "big"  # expect-error
    t.nmae  # expect-error
    size: int = t.size  # expect-error
    del size


def typo_assignment(t: Transfer) -> None:
    t.prioriti = 20  # expect-error
