"""Render farm bookkeeping: the farm's MongoDB, its job table, and its web monitor.

None of this is accsyn, though the method names look alike.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import requests
from pymongo import MongoClient
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from pipeline.farm.models import Job, Transfer

FARM = MongoClient("mongodb://farm:27017")["deadline10db"]


def stuck_jobs(name: str):
    jobs = FARM.Jobs.find({"Props.Name": name, "Stat": 2})  # lookalike
    first = FARM.Jobs.find_one({"_id": name})  # lookalike
    return list(jobs), first


def failed_rows(engine_url: str):
    with Session(create_engine(engine_url)) as session:
        rows = session.execute(select(Job).where(Job.status == "failed")).scalars()  # lookalike
        copies = session.scalars(select(Transfer).where(Transfer.status == "faild"))  # lookalike
        return list(rows), list(copies)


def legacy_orm(shot: str):
    return Transfer.objects.filter(status="faild", name__contains=shot)  # lookalike


def sizes(frame: pd.DataFrame):
    big = frame.where(frame["size"] > 10**9)  # lookalike
    flags = np.where(frame["size"].to_numpy() > 0, 1, 0)  # lookalike
    return big, flags


def monitor_state(url: str) -> str:
    http = requests.Session()
    page = http.get(url, timeout=10).text
    if page.find("Transfer WHERE") >= 0:  # lookalike
        return "query page"
    return re.sub(r"\s+", " ", page[page.find("<body>") :])  # lookalike


def manifest_files(xml_text: str):
    root = ET.fromstring(xml_text)
    failed = root.find(".//transfer[@status='failed']")  # lookalike
    users = root.findall("user")  # lookalike
    return failed, users
