"""ftrack action: deliver the selected versions to a client through accsyn.

`self.session` is the ftrack session handed in by the event hub; accsyn is reached
through `self.accsyn`, created from the action's environment.
"""

import json
import logging
import os

import accsyn_api
import ftrack_api
from ftrack_action_handler.action import BaseAction

log = logging.getLogger(__name__)


class DeliverVersionAction(BaseAction):
    identifier = "com.studio.accsyn.deliver-version"
    label = "Deliver with accsyn"

    def __init__(self, session):
        super().__init__(session)
        self.accsyn = accsyn_api.Session(
            workspace=os.environ.get("ACCSYN_WORKSPACE"),
            username=os.environ.get("ACCSYN_API_USER"),
            api_key=os.environ.get("ACCSYN_API_KEY"),
        )

    def discover(self, session, entities, event):
        return bool(entities) and all(e["entityType"] == "assetversion" for e in entities)

    def _client_share(self, client_code):
        shares = self.accsyn.find('folder WHERE code="%s"' % client_code)  # site
        return shares[0] if shares else None

    def _recipient(self, email):
        return self.accsyn.find_one("user WHERE code=%s" % email)  # site

    def _running(self, name):
        return self.accsyn.find(  # site
            "delivery WHERE name=%s AND status!=done" % name  # expect: AQ200
        )

    def launch(self, session, entities, event):
        versions = [session.get("AssetVersion", e["entityId"]) for e in entities]
        project = versions[0]["project"]
        client = project["custom_attributes"].get("client_code", "")
        share = self._client_share(client)
        if share is None:
            return {"success": False, "message": "No accsyn share for client %s" % client}
        name = "%s_%s" % (project["name"], versions[0]["version"])
        if self._running(name):
            return {"success": False, "message": "A delivery named %s is running" % name}
        previous = self.accsyn.find(  # site
            'delivery WHERE name="%s" AND stauts=pending' % name  # expect: AQ102
        )
        paths = []
        for version in versions:
            for component in version["components"]:
                location = session.pick_location(component)
                paths.append(location.get_filesystem_path(component))
        job = self.accsyn.create(
            "delivery",
            {"name": name, "tasks": [{"source": p} for p in paths], "dest": share["id"]},
        )
        log.info("accsyn delivery %s created (previous: %d)", job["id"], len(previous))
        note = session.create("Note", {"content": json.dumps({"accsyn": job["id"]})})
        session.commit()
        return {"success": True, "message": "Delivery %s queued" % job["code"]}

    def _status_text(self, version):
        text = version["status"]["name"]
        if text.find("Approved") < 0:  # lookalike
            return None
        return self.session.query(  # lookalike
            'Task where parent.id is "{}" and status.name is "Approved"'.format(version["id"])
        ).first()


def register(session, **kw):
    if not isinstance(session, ftrack_api.Session):
        return
    DeliverVersionAction(session).register()
