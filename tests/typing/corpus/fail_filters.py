"""Must-fail: keyword filters are checked against the model's attributes and values."""

from accsyn.models import Transfer, User


def filters() -> None:
    Transfer.where(stauts="failed")  # expect-error
    Transfer.where(status="faild")  # expect-error
    Transfer.where(size="big")  # expect-error
    Transfer.where(status=["failed", "faild"])  # expect-error
    User.where(email="lisa@example.com")  # expect-error
    Transfer.where(metadata={"project": "x"})  # expect-error
    Transfer.where(created="yesterday")  # expect-error
    User.where(role="superuser")  # expect-error
