# -*- coding: utf-8 -*-
# A Python 2 Nuke tool written for the official client (read by tokens: not valid Python 3).
import accsyn_api
import nuke

session = accsyn_api.Session()


def failed_jobs(user):
    print "looking up", user
    try:
        return session.find("job WHERE user=%s AND status=faild" % user)  # expect: AQ200, AQ103
    except accsyn_api.AccsynException, e:
        print "error: %s" % e
        return []


def stale():
    return session.find("transfer WHERE status>failed")  # expect: AQ104


def regex_bomb():
    return session.find('transfer WHERE name matches "[a-z]{99999999999}"')  # expect: AQ103


def fine():
    return session.find_one(u"Transfer WHERE Status=ABORTED AND user=lisa@example.com")


print failed_jobs(u"lisa@example.com")
