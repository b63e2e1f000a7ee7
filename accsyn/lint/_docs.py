"""Queries in documentation: Markdown and reStructuredText, where stale examples live.

Read from a document:

* Python code blocks (```` ```python ````, ```` ```py ````, ``.. code-block:: python``,
  doctest ``>>>`` sessions), checked like a Python file (a fragment the parser refuses is
  read by tokens);
* shell blocks (```` ```console ````, ``bash``, ``sh``): ``accsyn find "…"`` and
  ``accsyn query explain|fmt "…"`` command lines;
* ```` ```accsyn ```` blocks: one query per line;
* inline code that is a call: ``session.find("transfer WHERE …")`` in a sentence.

Positions are the document's lines and columns.
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Callable, Collection, Iterator

from accsyn.lint._check import Problem, QueryChecker
from accsyn.lint._positions import Positions
from accsyn.lint._python import scan_python
from accsyn.lint._rules import FileResult
from accsyn.lint._tokens import scan_tokens
from accsyn.query._validate import SPECIAL_STATEMENTS, names_not_entities

__all__ = ["scan_markdown", "scan_query_lines", "scan_rst"]

_PYTHON = frozenset({"python", "py", "python3", "pycon", "ipython", "python-repl", "pyi"})
_SHELL = frozenset({"console", "bash", "sh", "shell", "shell-session", "zsh", "text"})
_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)\n"
    r"(?P<body>.*?)^[ \t]*(?P=fence)[`~]*[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_INLINE_MD = re.compile(r"(?<!`)`(?P<code>[^`\n]+)`(?!`)")
_INLINE_RST = re.compile(r"``(?P<code>[^`\n]+)``")
_CALL = re.compile(r"\.\s*[A-Za-z_]\w*\s*\(")
_RST_DIRECTIVE = re.compile(
    r"^(?P<indent>[ \t]*)\.\.[ \t]+(?:code-block|code|sourcecode)::[ \t]*(?P<lang>\S*)[ \t]*$",
    re.MULTILINE,
)
_PROMPT = re.compile(r"^(>>> |\.\.\. |>>>$|\.\.\.$)")
# CLI verbs whose first argument is a query, and whether only its syntax matters. Not
# ``query check``: its examples show the validator's errors on purpose.
_CLI_VERBS = {("find",): False, ("query", "explain"): False, ("query", "fmt"): True}

Scan = Callable[[str, int, int], None]


class _Doc:
    def __init__(
        self, text: str, checker: QueryChecker, session_names: Collection[str], result: FileResult
    ) -> None:
        self.text = text
        self.checker = checker
        self.session_names = session_names
        self.result = result

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset)

    def python(self, code: str, line_offset: int, column_offset: int) -> None:
        """A Python code block (doctest prompts allowed) starting at ``line_offset + 1``."""
        lines = code.split("\n")
        if any(_PROMPT.match(line) for line in lines):
            lines = [line[4:] if _PROMPT.match(line) else "" for line in lines]
            column_offset += 4
            code = "\n".join(lines)
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError):
            scan_tokens(code, self.checker, self.session_names, self.result, line_offset)
            return
        self._scan_tree(tree, code, line_offset, column_offset)

    def _scan_tree(self, tree: ast.Module, code: str, line_offset: int, column_offset: int) -> None:
        # Docs fragments often leave out their imports: model names are taken as the models.
        positions = Positions(code, line_offset, column_offset)
        scan_python(
            tree,
            positions,
            self.checker,
            self.session_names,
            self.result,
            assume_models=True,
            source=code,
        )

    def shell(self, code: str, line_offset: int, column_offset: int) -> None:
        """``accsyn find "…"`` command lines in a shell block."""
        for number, line in enumerate(code.split("\n")):
            command = line.strip()
            if command.startswith("$ "):
                command = command[2:]
            if not command.startswith("accsyn "):
                continue
            try:
                argv = shlex.split(command)
            except ValueError:
                continue
            # The query is the argument right after the verb, as the docs write it; an
            # example that bypasses validation (--no-validate) shows an unchecked query.
            if "--no-validate" in argv:
                continue
            for verb, syntax_only in _CLI_VERBS.items():
                n = len(verb)
                if tuple(argv[1 : 1 + n]) == verb and len(argv) > 1 + n:
                    if not argv[1 + n].startswith("-"):
                        self._cli_query(
                            argv[1 + n], line, line_offset + number, column_offset, syntax_only
                        )
                    break

    def _cli_query(
        self, query: str, line: str, line_index: int, column_offset: int, syntax: bool = False
    ) -> None:
        start = line.find(query)
        start = start if start >= 0 else 0
        problems = self.checker.check_text(query)
        if syntax:
            problems = [p for p in problems if p.code == "AQ100"]
        elif not problems and query.split(None, 1)[0].lower() in SPECIAL_STATEMENTS:
            # `accsyn find entitytypes` refuses it (names, not entities): as the CLI says.
            problems = [Problem("AQ105", 0, names_not_entities(query.strip(), cli=True))]
        for problem in problems:
            column = start + (problem.offset or 0) + 1 + column_offset
            self.result.add(
                line_index + 1, column, problem.code, problem.message, problem.suggestion
            )
        self.result.check("string", line_index + 1)

    def inline(self, pattern: re.Pattern[str], outside: list[tuple[int, int]]) -> None:
        """Inline code spans that are calls: ``session.find("…")``."""
        for match in pattern.finditer(self.text):
            if any(s <= match.start() < e for s, e in outside):
                continue
            code = match.group("code").strip()
            if not _CALL.search(code):
                continue
            try:
                tree = ast.parse(code)
            except (SyntaxError, ValueError):
                continue
            start = match.start("code") + (
                len(match.group("code")) - len(match.group("code").lstrip())
            )
            column = start - (self.text.rfind("\n", 0, start) + 1)
            self._scan_tree(tree, code, self.line_of(start), column)


def scan_query_lines(
    text: str,
    checker: QueryChecker,
    result: FileResult,
    line_offset: int = 0,
    column_offset: int = 0,
) -> None:
    """One query per line; blank lines and lines starting with ``#`` are skipped."""
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        for problem in checker.check_text(line):
            result.add(
                number + line_offset,
                (problem.offset or 0) + 1 + column_offset,
                problem.code,
                problem.message,
                problem.suggestion,
            )
        result.check("string", number + line_offset)


def _dispatch(doc: _Doc, info: str) -> Scan | None:
    lang = info.strip().lstrip("{.").split()[0].lower() if info.strip() else ""
    if lang in _PYTHON:
        return doc.python
    if lang in _SHELL:
        return doc.shell
    if lang == "accsyn":
        return lambda code, line, column: scan_query_lines(
            code, doc.checker, doc.result, line, column
        )
    return None


def scan_markdown(
    text: str, checker: QueryChecker, session_names: Collection[str], result: FileResult
) -> None:
    """Check the queries in a Markdown document."""
    doc = _Doc(text, checker, session_names, result)
    blocks: list[tuple[int, int]] = []
    for match in _FENCE.finditer(text):
        blocks.append(match.span())
        scan = _dispatch(doc, match.group("info"))
        if scan is None:
            continue
        indent = len(match.group("indent"))
        body = match.group("body")
        if indent:
            body = "\n".join(line[indent:] for line in body.split("\n"))
        scan(body, doc.line_of(match.start("body")), indent)
    doc.inline(_INLINE_MD, blocks)


def _rst_blocks(text: str) -> Iterator[tuple[str, str, int, int, int, int]]:
    """``(lang, body, first line index, indent, start, end)`` of directive and ``::`` blocks."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    i = 0
    while i < len(lines):
        line = lines[i]
        directive = _RST_DIRECTIVE.match(line)
        literal = line.rstrip().endswith("::") and not directive
        if directive is None and not literal and not line.lstrip().startswith(">>>"):
            i += 1
            continue
        if line.lstrip().startswith(">>>"):  # a doctest block: until a blank line
            j = i
            while j < len(lines) and lines[j].strip():
                j += 1
            indent = len(line) - len(line.lstrip())
            body = "\n".join(x[indent:] for x in lines[i:j])
            yield "pycon", body, i, indent, offsets[i], offsets[j]
            i = j
            continue
        lang = directive.group("lang") if directive else "python"
        j = i + 1
        while j < len(lines) and (not lines[j].strip() or lines[j].lstrip().startswith(":")):
            j += 1
        first = j
        if first >= len(lines):
            break
        indent = len(lines[first]) - len(lines[first].lstrip())
        base = len(line) - len(line.lstrip())
        if indent <= base:
            i += 1
            continue
        while j < len(lines) and (
            not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) >= indent
        ):
            j += 1
        body = "\n".join(x[indent:] for x in lines[first:j]).rstrip("\n")
        yield lang or "python", body, first, indent, offsets[i], offsets[j]
        i = j


def scan_rst(
    text: str, checker: QueryChecker, session_names: Collection[str], result: FileResult
) -> None:
    """Check the queries in a reStructuredText document."""
    doc = _Doc(text, checker, session_names, result)
    blocks: list[tuple[int, int]] = []
    for lang, body, first, indent, start, end in _rst_blocks(text):
        blocks.append((start, end))
        scan = _dispatch(doc, lang)
        if scan is not None:
            scan(body, first, indent)
    doc.inline(_INLINE_RST, blocks)
