"""JSON Schema export of the models, and a diff that tells breaking from compatible.

``export_schema()`` asks pydantic for the JSON Schema of every entity model
(what the SDK reads) and every input model (what it sends): contracts for
consumers in other languages. ``diff_schema(old, new)`` compares two exports.

What counts as breaking depends on the direction the data flows:

* entities are *read*: removing a type, an attribute or an enum value, or
  changing an attribute's kind, breaks readers; additions are compatible;
* inputs are *written*: removing a field, a newly required field, a kind change
  or a removed enum value break writers; new optional fields, dropped
  requirements and new enum values are compatible.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from accsyn._exceptions import ValidationError
from accsyn._version import __version__

__all__ = ["Change", "SchemaDiff", "diff_schema", "export_schema", "load_schema"]

_DRAFT = "https://json-schema.org/draft/2020-12/schema"
# Keys that document a schema without constraining it.
_DOC_KEYS = frozenset({"title", "description", "default", "examples", "$comment"})


def _input_models() -> dict[str, type[Any]]:
    import accsyn.models as models

    out: dict[str, type[Any]] = {}
    for name in models.__all__:
        obj = getattr(models, name)
        is_input = isinstance(obj, type) and issubclass(obj, models.InputModel)
        if is_input and obj is not models.InputModel:
            out[name] = obj
    return out


def export_schema() -> dict[str, Any]:
    """JSON Schema of every entity model (by uri name) and input model (by class name)."""
    from accsyn.models import entity_types, model_for

    return {
        "$schema": _DRAFT,
        "accsyn_sdk": __version__,
        "entities": {name: model_for(name).model_json_schema() for name in entity_types()},
        "inputs": {
            name: model.model_json_schema() for name, model in sorted(_input_models().items())
        },
    }


def load_schema(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a schema export written by :func:`export_schema` (``accsyn schema export``)."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationError(f"no schema file at {str(p)!r}", field="schema") from None
    except (OSError, ValueError) as exc:
        raise ValidationError(f"{p.name} is not a JSON schema export: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("entities"), dict):
        raise ValidationError(
            f"{p.name} is not an accsyn schema export (no 'entities'); "
            "write one with `accsyn schema export`",
            field="schema",
        )
    data.setdefault("inputs", {})
    return data


@dataclass(frozen=True)
class Change:
    """One difference between two schema exports."""

    severity: Literal["breaking", "compatible"]
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.message}"


@dataclass
class SchemaDiff:
    """Every change from an old export to a new one."""

    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> list[Change]:
        """The changes that break readers or writers."""
        return [c for c in self.changes if c.severity == "breaking"]

    def exit_code(self) -> int:
        """1 when anything breaks, else 0."""
        return 1 if self.breaking else 0

    def to_text(self) -> str:
        """One line per change, then a summary."""
        lines = [str(c) for c in self.changes]
        n = len(self.breaking)
        lines.append(f"{len(self.changes)} changes, {n} breaking" if self.changes else "no changes")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "breaking": len(self.breaking),
            "changes": [
                {"severity": c.severity, "where": c.where, "message": c.message}
                for c in self.changes
            ],
        }


def _resolve(node: Any, defs: Mapping[str, Any], depth: int = 0) -> Any:
    """A schema with ``$ref``s inlined and documentation keys dropped, for comparison."""
    if depth > 20:
        return node
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            target = defs.get(ref.rsplit("/", 1)[1], {})
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return _resolve({**target, **rest}, defs, depth + 1)
        return {
            k: _resolve(v, defs, depth + 1)
            for k, v in node.items()
            if k not in _DOC_KEYS and k != "$defs"
        }
    if isinstance(node, list):
        return [_resolve(v, defs, depth + 1) for v in node]
    return node


def _enums(node: Any) -> set[Any] | None:
    """Every enum value a (resolved) property allows, or None if it is not an enum."""
    found: set[Any] = set()
    is_enum = False

    def walk(n: Any) -> None:
        nonlocal is_enum
        if isinstance(n, Mapping):
            if isinstance(n.get("enum"), list):
                is_enum = True
                found.update(json.dumps(v) for v in n["enum"])
            for k, v in n.items():
                if k != "enum":
                    walk(v)
        elif isinstance(n, list):
            for v in n:
                walk(v)

    walk(node)
    return found if is_enum else None


def _without_enums(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {k: _without_enums(v) for k, v in node.items() if k != "enum"}
    if isinstance(node, list):
        return [_without_enums(v) for v in node]
    return node


def _kinds(node: Any) -> str:
    """A short human form of a property's type, e.g. ``string|null``."""
    if isinstance(node, Mapping):
        if "anyOf" in node:
            return "|".join(_kinds(n) for n in node["anyOf"])
        t = node.get("type")
        if isinstance(t, list):
            return "|".join(map(str, t))
        if t == "string" and node.get("format"):
            return f"string({node['format']})"
        return str(t or "any")
    return "any"


def _compare_model(
    where: str, old: Mapping[str, Any], new: Mapping[str, Any], *, written: bool
) -> list[Change]:
    changes: list[Change] = []
    old_props = old.get("properties", {})
    new_props = new.get("properties", {})
    old_req = set(old.get("required", []))
    new_req = set(new.get("required", []))
    old_defs = old.get("$defs", {})
    new_defs = new.get("$defs", {})
    for name in sorted(set(old_props) - set(new_props)):
        changes.append(Change("breaking", where, f"attribute {name!r} removed"))
    for name in sorted(set(new_props) - set(old_props)):
        if written and name in new_req:
            changes.append(Change("breaking", where, f"new required field {name!r}"))
        else:
            changes.append(Change("compatible", where, f"attribute {name!r} added"))
    for name in sorted(set(old_props) & set(new_props)):
        a = _resolve(old_props[name], old_defs)
        b = _resolve(new_props[name], new_defs)
        if _without_enums(a) != _without_enums(b):
            changes.append(
                Change("breaking", where, f"{name!r} changed kind: {_kinds(a)} -> {_kinds(b)}")
            )
            continue
        ea, eb = _enums(a), _enums(b)
        if ea is not None and eb is not None and ea != eb:
            removed, added = sorted(ea - eb), sorted(eb - ea)
            if removed:
                changes.append(
                    Change("breaking", where, f"{name!r} lost enum values {', '.join(removed)}")
                )
            if added:
                changes.append(
                    Change("compatible", where, f"{name!r} gained enum values {', '.join(added)}")
                )
        if written and name in new_req and name not in old_req:
            changes.append(Change("breaking", where, f"{name!r} is now required"))
        elif written and name in old_req and name not in new_req:
            changes.append(Change("compatible", where, f"{name!r} is no longer required"))
    return changes


def diff_schema(old: Mapping[str, Any], new: Mapping[str, Any]) -> SchemaDiff:
    """Changes from the ``old`` export to the ``new`` one, each breaking or compatible."""
    diff = SchemaDiff()
    for section, written in (("entities", False), ("inputs", True)):
        a: Mapping[str, Any] = old.get(section) or {}
        b: Mapping[str, Any] = new.get(section) or {}
        label = "entity" if section == "entities" else "input"
        for name in sorted(set(a) - set(b)):
            diff.changes.append(Change("breaking", f"{label} {name}", "removed"))
        for name in sorted(set(b) - set(a)):
            diff.changes.append(Change("compatible", f"{label} {name}", "added"))
        for name in sorted(set(a) & set(b)):
            diff.changes += _compare_model(f"{label} {name}", a[name], b[name], written=written)
    return diff
