"""Every ```python block in docs/*.md and README.md runs, so the documentation cannot rot.

Fence convention for docs/*.md:

* a block fenced with exactly ```` ```python ```` is executed;
* a block that is not meant to run (it needs a real workspace or credentials, or shows a
  fragment) is fenced ```` ```py ````, which renders the same but is skipped here;
* ```` ```console ````, ```` ```text ```` and ```` ```yaml ```` blocks are never run.

The blocks of one page run in order in one namespace (a later block may use what an
earlier one defined), in a temporary working directory, with no ``ACCSYN_*`` variables
set, so every example has to run against the local workspace.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
_FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```\s*$", re.MULTILINE | re.DOTALL)


def _blocks(page: Path) -> list[tuple[int, str]]:
    text = page.read_text(encoding="utf-8")
    blocks = []
    for match in _FENCE.finditer(text):
        if match.group("info").strip() == "python":
            line = text.count("\n", 0, match.start()) + 2
            blocks.append((line, match.group("body")))
    return blocks


README = DOCS.parent / "README.md"
PAGES = sorted(p for p in [*DOCS.rglob("*.md"), README] if _blocks(p))


def test_the_docs_have_runnable_examples() -> None:
    assert len(PAGES) >= 8
    assert sum(len(_blocks(p)) for p in PAGES) >= 20


def test_every_fence_follows_the_convention() -> None:
    # A typo such as ```pyhton would silently turn an example into untested text.
    allowed = {"python", "py", "console", "text", "yaml"}
    allowed_readme = allowed | {"bash"}
    for page in [*DOCS.rglob("*.md"), README]:
        text = page.read_text(encoding="utf-8")
        for match in _FENCE.finditer(text):
            info = match.group("info").strip().split(" ")[0]
            ok = allowed_readme if page == README else allowed
            assert info in ok, f"{page.name}: unexpected fence ```{info}"


@pytest.mark.parametrize(
    "page", PAGES, ids=[p.name if p == README else str(p.relative_to(DOCS)) for p in PAGES]
)
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("ACCSYN_") or key == "AS_DEV":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    for line, code in _blocks(page):
        out = io.StringIO()
        compiled = compile(code, f"{page.relative_to(DOCS.parent)}:{line}", "exec")
        with contextlib.redirect_stdout(out):
            exec(compiled, namespace)
        # An example that prints nothing teaches nothing; each one shows a result.
        assert out.getvalue().strip(), f"the example at {page.name}:{line} printed nothing"
