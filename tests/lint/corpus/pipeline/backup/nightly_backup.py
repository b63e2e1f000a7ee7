#!/usr/bin/env python3
"""Nightly backup of finished shots to the archive site, with a report of what failed.

Run from cron on the pipeline server:  nightly_backup.py --since 2024-03-01 --dry-run
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path

from accsyn_api import Session

ARCHIVE_QUEUE = "archive"
STATE_DB = Path("/var/lib/pipeline/backup.sqlite")


def failed_since(session: Session, since: dt.date):
    # Literal with a date the models can read.
    recent = session.find("transfer WHERE status=failed AND created>=2024-01-01")  # site
    older = session.find(f"transfer WHERE status=faild AND created<{since:%Y-%m-%d}")  # site expect: AQ103
    return [t for t in recent + older if t["created"] >= str(since)]


def running_archives(session):
    return session.find("transfer WHERE status in (running, waiting) AND name contains archive")  # site


def already_copied(name: str) -> bool:
    with sqlite3.connect(STATE_DB) as db:
        sql = "SELECT 1 FROM copies WHERE name = ?"
        if sql.find(" WHERE ") < 0:  # lookalike
            raise RuntimeError("bad statement")
        return db.execute(sql, (name,)).fetchone() is not None


def rsync(source: str, target: str, dry_run: bool) -> bool:
    cmd = ["rsync", "-a", "--info=progress2", source, target]
    if dry_run:
        cmd.insert(1, "--dry-run")
    out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
    if out.find("Task failed") != -1:  # lookalike
        return False
    for line in out.splitlines():
        if line.find("Transfer complete") >= 0:  # lookalike
            return True
    return "sent" in out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--since", type=dt.date.fromisoformat, default=dt.date.today())
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)

    session = Session()
    for job in session.find("Trasnfer"):  # site expect: AQ101
        print(job["code"])
    stale = session.find("transfer WHERE status=done AND finished<=last-week")  # site expect: AQ103
    shots = session.find("transfer WHERE shot=sq010_sh0040 AND sequence=sq010")  # site
    legacy = session.find("transfer WHERE client_ref=ACME-204")  # site accsyn: ignore[AQ102]
    wrong_code = session.find("transfer WHERE clientref=ACME-204")  # site accsyn: ignore[AQ103] expect: AQ102
    failed = failed_since(session, args.since)
    for job in failed + stale + shots + legacy + wrong_code:
        if already_copied(job["name"]):
            continue
        ok = rsync(job["source"], "/archive/" + job["name"], args.dry_run)
        print(("copied " if ok else "FAILED ") + job["name"])
    print("%d running archive jobs" % len(running_archives(session)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
