# -*- coding: utf-8 -*-
# Nuke 11 (Python 2.7): render the selected Write node and send the frames to a client.
# Menu: Pipeline > Send to client...
import os
import sys

import nuke
import accsyn_api

SESSION = None


def get_session():
    global SESSION
    if SESSION is None:
        SESSION = accsyn_api.Session()
    return SESSION


def pick_client():
    session = get_session()
    clients = session.find("user WHERE role=client AND status=enabled")  # site
    names = [c["code"] for c in clients]
    p = nuke.Panel("Send to client")
    p.addEnumerationPulldown("client", " ".join(names))
    if not p.show():
        return None
    return p.value("client")


def busy_transfers(session):
    print "checking running transfers..."
    jobs = session.find("transfer WHERE status=runing")  # site expect: AQ103
    print "%d running" % len(jobs)
    return jobs


def queue_for(session, name):
    queues = session.find('Queue WHERE name="%s" AND status=stopped' % name)  # site expect: AQ103
    return queues and queues[0] or None


def send(node, client):
    session = get_session()
    path = nuke.filename(node)
    folder = os.path.dirname(path)
    if path.find("%04d") == -1:  # lookalike
        print "not a sequence:", path
    recipient = session.find_one("user WHERE code=%s" % client)  # site
    try:
        job = session.create("transfer", {"source": folder, "destination": "user:" + recipient["id"]})
    except Exception, e:
        nuke.message("accsyn failed: %s" % e)
        return
    print "queued", job["code"], `job["size"]`
    return job


def history(session, client):
    return session.find("transfer WHERE user=" + client + " AND status=done")  # site expect: AQ200


if __name__ == "__main__":
    node = nuke.selectedNode()
    client = pick_client()
    if client:
        session = get_session()
        busy_transfers(session)
        send(node, client)
        print history(session, client)
