"""Must-fail: values and operators a field cannot take."""

from accsyn.models import ClientState, Transfer, User, Volume


def values(session_where: object) -> None:
    Transfer.where(Transfer.status != "faild")  # expect-error
    Transfer.where(Transfer.status == "faild")  # expect-error
    Transfer.where(Transfer.status == ClientState.ONLINE)  # expect-error
    Transfer.where(Transfer.status.in_("failed"))  # expect-error
    Transfer.where(Transfer.status.in_(["failed", "faild"]))  # expect-error
    Transfer.where(Transfer.size > "big")  # expect-error
    Transfer.where(Transfer.size.contains("x"))  # expect-error
    Transfer.where(Transfer.status > "failed")  # expect-error
    Transfer.where(Transfer.created > "yesterday")  # expect-error
    Transfer.where(Transfer.name > 3)  # expect-error
    Transfer.where(Transfer.name == 3)  # expect-error
    Transfer.where(User.role == "superuser")  # expect-error
    Transfer.where(Transfer.metadata == "x")  # expect-error
    Transfer.stauts  # expect-error


def more_values() -> None:
    Transfer.where(Transfer.progress >= "50")  # expect-error
    Transfer.where(Transfer.speed < "fast")  # expect-error
    Transfer.where(Transfer.size.like("1*"))  # expect-error
    Transfer.where(Transfer.size.matches("^1"))  # expect-error
    User.where(User.role.contains("adm"))  # expect-error
    Transfer.where(Transfer.finished == "2026-01-01")  # expect-error
    Transfer.where(Transfer.type == "transfer")  # expect-error
    Volume.where(Volume.default == "yes")  # expect-error
    Transfer.where(Transfer.status.not_in("failed"))  # expect-error
    Transfer.where(Transfer.size.in_(["1", "2"]))  # expect-error
    Transfer.where(Transfer.name.contains(3))  # expect-error
    Transfer.where(~(Transfer.status == "faild"))  # expect-error
    Transfer.where((Transfer.status == "faild") & (Transfer.size > 0))  # expect-error
    Transfer.where(Transfer.size > 0 | Transfer.progress)  # expect-error
