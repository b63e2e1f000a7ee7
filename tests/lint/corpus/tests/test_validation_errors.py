# accsyn: ignore-file  (these tests send broken queries on purpose)
import pytest


def test_unknown_attribute_is_refused(accsyn_session):
    with pytest.raises(Exception):
        accsyn_session.find("transfer WHERE stauts=failed")


def test_bad_enum_is_refused(accsyn_session):
    with pytest.raises(Exception):
        accsyn_session.find("transfer WHERE status=faild")
