"""``[tool.accsyn.lint]`` in ``pyproject.toml``, and which files a run reads.

The nearest ``pyproject.toml`` with a ``[tool.accsyn.lint]`` table, from the working
directory up, configures the run (``--config`` names one). Patterns in ``exclude`` are
relative to that file's directory; a pattern without ``/`` matches any path component.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from accsyn._exceptions import ConfigurationError
from accsyn.lint._rules import RULES, Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["DEFAULT_SESSION_NAMES", "LintConfig", "file_kind", "iter_files", "load_config"]

#: Receivers taken as accsyn sessions when nothing in the file says what they are.
DEFAULT_SESSION_NAMES = (
    "session",
    "self.session",
    "self._session",
    "accsyn_session",
    "self.accsyn_session",
    "accsyn_async_session",
)
#: Directories never walked into (they hold tooling, not the project's code).
DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    "node_modules",
    ".mypy_cache",
    ".ruff_cache",
    "build",
    "dist",
    "site",
)
_SUFFIXES = {
    ".py": "python",
    ".pyw": "python",
    ".accsyn": "accsyn",
    ".md": "markdown",
    ".markdown": "markdown",
    ".rst": "rst",
}
_DOCS = frozenset({"markdown", "rst"})
_KEYS = ("include", "exclude", "docs", "strict", "session-names", "severity", "extra-attributes")


@dataclass
class LintConfig:
    """Settings of a lint run; :func:`load_config` reads them from ``pyproject.toml``."""

    include: tuple[str, ...] = (".",)
    exclude: tuple[str, ...] = ()
    docs: bool = True
    strict: bool = False
    session_names: tuple[str, ...] = DEFAULT_SESSION_NAMES
    severity: dict[str, Severity] = field(default_factory=dict)
    extra_attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    root: Path = field(default_factory=Path.cwd)
    source: Path | None = None

    def severity_of(self, code: str) -> Severity:
        """The configured severity of a rule, else its default."""
        return self.severity.get(code, RULES[code].severity)

    def excluded(self, path: Path) -> bool:
        """Whether ``path`` matches an ``exclude`` pattern (or a default excluded directory)."""
        # abspath, not resolve(): no system call per file.
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(self.root))
        rel = Path(rel).as_posix() if not rel.startswith("..") else path.as_posix()
        parts = rel.split("/")
        if any(part in DEFAULT_EXCLUDE for part in parts[:-1]):
            return True
        for pattern in self.exclude:
            pat = pattern.strip("/")
            if pat.startswith("./"):
                pat = pat[2:]
            if "/" in pat:
                if fnmatchcase(rel, pat) or fnmatchcase(rel, pat + "/*"):
                    return True
            elif any(fnmatchcase(part, pat) for part in parts):
                return True
        return False


def _nearest(name: str, choices: Iterable[str]) -> str:
    found = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.5)
    return f"; did you mean {found[0]!r}?" if found else ""


def _strings(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table[key]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigurationError(f"{where}: {key} must be a list of strings")
    return tuple(value)


def _from_table(table: Mapping[str, Any], source: Path) -> LintConfig:
    where = f"{source} [tool.accsyn.lint]"
    config = LintConfig(root=source.parent, source=source)
    for raw_key in table:
        key = raw_key.replace("_", "-")
        if key not in _KEYS:
            raise ConfigurationError(f"{where}: unknown key {raw_key!r}{_nearest(key, _KEYS)}")
    values = {k.replace("_", "-"): v for k, v in table.items()}
    for flag in ("docs", "strict"):
        if flag in values:
            if not isinstance(values[flag], bool):
                raise ConfigurationError(f"{where}: {flag} must be true or false")
            setattr(config, flag, values[flag])
    if "include" in values:
        config.include = _strings(values, "include", where)
    if "exclude" in values:
        config.exclude = _strings(values, "exclude", where)
    if "session-names" in values:
        config.session_names = _strings(values, "session-names", where)
    severity = values.get("severity", {})
    if not isinstance(severity, dict):
        raise ConfigurationError(f'{where}: severity must be a table of CODE = "level"')
    levels = [s.value for s in Severity]
    for code, level in severity.items():
        if code.upper() not in RULES:
            raise ConfigurationError(
                f"{where}: unknown rule {code!r}{_nearest(code.upper(), RULES)}"
            )
        if level not in levels:
            raise ConfigurationError(
                f"{where}: severity of {code} is {level!r}; use one of {', '.join(levels)}"
                + _nearest(str(level), levels)
            )
        config.severity[code.upper()] = Severity(level)
    extras = values.get("extra-attributes", {})
    if not isinstance(extras, dict):
        raise ConfigurationError(f"{where}: extra-attributes must be a table of type = [names]")
    for entitytype in extras:
        config.extra_attributes[entitytype] = _strings(
            extras, entitytype, f"{where} extra-attributes"
        )
    return config


def load_config(path: Path | str | None = None, start: Path | str | None = None) -> LintConfig:
    """Read ``[tool.accsyn.lint]`` from ``path``, or from the nearest ``pyproject.toml`` with
    that table above ``start`` (the working directory); defaults when there is none.

    Raises:
        accsyn.ConfigurationError: the file is missing, not TOML, or a setting is invalid
            (the message names it and the nearest valid one).
    """
    candidates: list[Path]
    if path is not None:
        candidates = [Path(path)]
        if not candidates[0].is_file():
            raise ConfigurationError(f"no such configuration file: {path}")
    else:
        here = Path(start or Path.cwd()).resolve()
        candidates = [d / "pyproject.toml" for d in (here, *here.parents)]
    for candidate in candidates:
        if not candidate.is_file():
            continue
        try:
            data = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigurationError(f"cannot read {candidate}: {exc}") from None
        table = data.get("tool", {}).get("accsyn", {}).get("lint")
        if table is None and path is None:
            continue
        if table is not None and not isinstance(table, dict):
            raise ConfigurationError(f"{candidate}: [tool.accsyn.lint] must be a table")
        return _from_table(table or {}, candidate)
    return LintConfig()


def file_kind(path: Path) -> str | None:
    """``python``, ``accsyn``, ``markdown`` or ``rst`` by suffix, else None."""
    return _SUFFIXES.get(path.suffix.lower())


def iter_files(
    paths: Iterable[str | Path], config: LintConfig
) -> Iterator[tuple[Path, str | None, bool]]:
    """Yield ``(path, kind, excluded)`` for every file named or found under a directory.

    Directories are walked in sorted order; hidden and default-excluded directories are
    not entered; documents are left out when ``config.docs`` is off. A file named
    explicitly is yielded even if it is of no known kind (``kind`` is then None).
    """
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            kind = file_kind(path)
            if kind in _DOCS and not config.docs:
                continue
            yield path, kind, config.excluded(path)
            continue
        for directory, subdirs, files in os.walk(path):
            subdirs[:] = sorted(
                d for d in subdirs if not d.startswith(".") and d not in DEFAULT_EXCLUDE
            )
            for name in sorted(files):
                child = Path(directory, name)
                kind = file_kind(child)
                if kind is None or (kind in _DOCS and not config.docs):
                    continue
                yield child, kind, config.excluded(child)
