# Maya 2018 (Python 2.7) shelf tool: publish the selected Alembic caches and send them
# to the lighting vendor with accsyn.
import os
import maya.cmds as cmds
from accsyn_api import Session as AccsynSession

api = AccsynSession()
VENDOR = u"lightbox"


def cache_paths():
    paths = []
    for node in cmds.ls(type="AlembicNode"):
        path = cmds.getAttr(node + ".abc_File")
        if path.find("/publish/") < 0:  # lookalike
            print "skipping unpublished cache", path
            continue
        paths.append(path)
    return paths


def vendor_share():
    return api.find_one(ur"folder WHERE code=%s" % VENDOR)  # site


def previous_deliveries(shot):
    return api.find("Trasnfer WHERE name=%s" % shot)  # site expect: AQ101


def pending_for(shot, limit):
    return api.find("delivery WHERE name={0} AND progress<{1:d} AND nmae=x".format(shot, limit))  # site expect: AQ200, AQ102


def tagged(tag):
    return api.find(tag)  # skip


def publish():
    shot = os.environ.get("SHOT", "sq010_sh0010")
    if previous_deliveries(shot):
        print "already delivered:", shot
        return
    share = vendor_share()
    job = api.create("delivery", {"name": shot, "tasks": [{"source": p} for p in cache_paths()]})
    print "delivery", job["code"], "->", share["code"]
