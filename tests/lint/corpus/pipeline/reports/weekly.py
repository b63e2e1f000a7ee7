"""Weekly production report: deliveries per client and the transfers that failed."""

import collections
import csv
import datetime
import sys

import accsyn
from bs4 import BeautifulSoup
import xml.etree.ElementTree as ET

FIELDS = ("code", "name", "status", "size", "user")


def deliveries_by_client(session: accsyn.Session, clients):
    counts = collections.Counter()
    for client in clients:
        rows = session.find(f'delivery WHERE user="{client}" AND status=done')  # site
        counts[client] = len(rows)
    return counts


def failed_transfers(session: accsyn.Session, field, value, extra=""):
    by_field = session.find("transfer WHERE {}={}".format(field, value))  # site expect: AQ200
    since = session.find("transfer WHERE status=failed AND " + extra)  # site expect: AQ200
    big = session.find("transfer WHERE size contains 5")  # site expect: AQ104
    small = session.find("transfer WHERE size<%d AND status=failed" % 1024)  # site
    return by_field + since + big + small


def largest(session: accsyn.Session, limit: int):
    return session.find(f"transfer WHERE size>{limit} AND status=done")  # site


def by_type(session: accsyn.Session, entitytype, entity_id):
    return session.find("%s WHERE id=%s" % (entitytype, entity_id))  # skip: dynamic


def vendor_portal_status(html: str, manifest_xml: str):
    soup = BeautifulSoup(html, "html.parser")
    rows = soup.find_all("tr", limit=50)  # lookalike
    table = soup.find("table", {"class": "transfers"})  # lookalike
    cells = soup.select("table.deliveries td.status")  # lookalike
    root = ET.fromstring(manifest_xml)
    files = root.find("file/path")  # lookalike
    user = root.find("user")  # lookalike
    jobs = root.findall("./transfer")  # lookalike
    return rows, table, cells, files, user, jobs


def write_csv(rows, out=sys.stdout):
    writer = csv.DictWriter(out, fieldnames=FIELDS, extrasaction="ignore")
    writer.writeheader()
    stamp = datetime.date.today().isoformat()
    for row in rows:
        if str(row.get("name", "")).find(stamp) >= 0:  # lookalike
            writer.writerow(row)


def main():
    session = accsyn.Session()
    clients = [u["code"] for u in session.find("user WHERE role=client")]  # site
    write_csv(failed_transfers(session, "status", "failed"))
    print(deliveries_by_client(session, clients))


if __name__ == "__main__":
    main()
