"""The guides never paste values into query text: they build queries (or quote values).

A value pasted into an f-string can change the query's structure (an injection); the
builder and `accsyn.query.render_value` cannot. Two pages are exempt on purpose:
`lint.md` shows what lint flags, and `migrating.md` shows official-client scripts as
they are before step 2.
"""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
_EXEMPT = {"lint.md", "migrating.md"}
_PASTED = re.compile(r"""\bf["'][A-Za-z]+ WHERE [^"']*\{""")


def test_no_guide_pastes_values_into_query_text() -> None:
    found = [
        f"{page.name}:{number}: {line.strip()}"
        for page in sorted(DOCS.rglob("*.md"))
        if page.name not in _EXEMPT
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1)
        if _PASTED.search(line)
    ]
    assert not found, "build these with Model.where(...) instead:\n" + "\n".join(found)
