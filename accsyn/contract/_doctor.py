"""``accsyn doctor``: where a workspace's data has drifted from the SDK's models.

The models accept what they do not know (``extra="allow"``, enums tolerant of
new values), which keeps integrations running against a newer server but hides
the drift. The doctor looks at real entities and reports, per entity type:

* **undeclared** attributes: sent by the server, unknown to the model (with
  counts and a few sample values; secrets masked);
* **invalid** values: an enum value the model has never seen, or a value of the
  wrong kind (text where the model expects a number, …);
* **unseen** attributes: declared by the model, never present in the data
  (information, not drift: a projection or an unused feature also explains it).

Every fact comes from the models (attributes, kinds, enums); nothing here lists
attributes of its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

import pydantic

from accsyn._exceptions import AccsynError
from accsyn.contract._cassette import Cassette, is_secret_key

if TYPE_CHECKING:
    from accsyn.models import Entity
    from accsyn.session import Session

__all__ = ["DriftReport", "Finding", "TypeReport", "diagnose", "entities_from_session"]

_MASK = "<masked>"
_SAMPLES = 3
# Result markers the protocol adds next to an entity's attributes (protocol.md §5.4):
# where the entity lives, not what it is.
_MARKERS = frozenset({"inactive"})


@dataclass
class Finding:
    """One drift finding: an attribute, what is wrong, how often, a few sample values."""

    attribute: str
    problem: str
    count: int = 0
    samples: list[Any] = field(default_factory=list)

    def add(self, value: Any) -> None:
        """Count one more occurrence (keeping the first distinct samples)."""
        self.count += 1
        shown = _sample(self.attribute, value)
        if len(self.samples) < _SAMPLES and shown not in self.samples:
            self.samples.append(shown)

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "attribute": self.attribute,
            "problem": self.problem,
            "count": self.count,
            "samples": self.samples,
        }


@dataclass
class TypeReport:
    """The doctor's findings for one entity type."""

    entitytype: str
    entities: int = 0
    undeclared: dict[str, Finding] = field(default_factory=dict)
    invalid: dict[tuple[str, str], Finding] = field(default_factory=dict)
    unseen: list[str] = field(default_factory=list)

    @property
    def drift(self) -> list[Finding]:
        """Undeclared attributes and invalid values (what fails CI)."""
        return [*self.undeclared.values(), *self.invalid.values()]

    def to_json(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "entitytype": self.entitytype,
            "entities": self.entities,
            "undeclared": [f.to_json() for f in self.undeclared.values()],
            "invalid": [f.to_json() for f in self.invalid.values()],
            "unseen": self.unseen,
        }


@dataclass
class DriftReport:
    """The doctor's report over every entity type it saw."""

    source: str
    types: dict[str, TypeReport] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def findings(self) -> list[tuple[str, Finding]]:
        """Every ``(entity type, finding)`` of drift, in report order."""
        return [(t.entitytype, f) for t in self.types.values() for f in t.drift]

    @property
    def clean(self) -> bool:
        """No undeclared attribute and no invalid value."""
        return not self.findings

    def exit_code(self, *, strict: bool = False) -> int:
        """0 clean, 1 drift; with ``strict``, unseen declared attributes count as drift too."""
        if not self.clean:
            return 1
        if strict and any(t.unseen for t in self.types.values()):
            return 1
        return 0

    def to_json(self) -> dict[str, Any]:
        """JSON form (``accsyn doctor --format json``)."""
        return {
            "source": self.source,
            "clean": self.clean,
            "types": [t.to_json() for t in self.types.values()],
            "notes": self.notes,
        }

    def to_text(self, *, unseen: bool = False) -> str:
        """Plain text, one line per finding."""
        lines = [f"accsyn doctor: {self.source}"]
        for t in self.types.values():
            if not t.drift and not (unseen and t.unseen):
                continue
            lines.append(f"{t.entitytype} ({t.entities} entities)")
            for f in t.drift:
                lines.append(f"  {f.attribute}: {f.problem} ({f.count}x, e.g. {_show(f.samples)})")
            if unseen and t.unseen:
                lines.append(f"  never seen: {', '.join(t.unseen)}")
        lines.extend(f"note: {n}" for n in self.notes)
        total = sum(t.entities for t in self.types.values())
        verdict = "no drift" if self.clean else f"{len(self.findings)} findings"
        lines.append(f"{verdict} in {total} entities of {len(self.types)} types")
        return "\n".join(lines)

    def to_markdown(self, *, unseen: bool = False) -> str:
        """A Markdown table (for a CI summary or a pull-request comment)."""
        out = [f"## accsyn doctor: {self.source}", ""]
        if self.clean:
            out.append("No drift from the models.")
        else:
            out += [
                "| entity type | attribute | problem | count | samples |",
                "|---|---|---|---|---|",
            ]
            for et, f in self.findings:
                samples = _show(f.samples).replace("|", "\\|")
                out.append(f"| {et} | `{f.attribute}` | {f.problem} | {f.count} | {samples} |")
        if unseen:
            rows = [t for t in self.types.values() if t.unseen]
            if rows:
                out += ["", "Declared but never seen:", ""]
                out += [f"- **{t.entitytype}**: {', '.join(t.unseen)}" for t in rows]
        if self.notes:
            out += ["", *[f"> {n}" for n in self.notes]]
        return "\n".join(out) + "\n"


def _sample(name: str, value: Any) -> Any:
    if is_secret_key(name):
        return _MASK
    if isinstance(value, str) and len(value) > 60:
        return value[:57] + "..."
    if isinstance(value, dict | list):
        text = json.dumps(value, default=str)
        return text if len(text) <= 60 else text[:57] + "..."
    return value


def _show(samples: Iterable[Any]) -> str:
    return ", ".join(json.dumps(s, default=str) for s in samples)


def _enum_values(enum: type[Enum]) -> set[Any]:
    # Members only: tolerant enums also create pseudo-members for unknown values.
    return {m.value for m in enum.__members__.values()}


def _known_enum(enum: type[Enum], value: Any) -> bool:
    values = _enum_values(enum)
    if isinstance(value, str):
        return value in values or value.lower() in values
    return value in values


def _kind_errors(model: type[Entity], data: Mapping[str, Any]) -> dict[str, str]:
    """Attribute → pydantic's complaint, for values of the wrong kind."""
    try:
        model.model_validate(data)
    except pydantic.ValidationError as exc:
        out: dict[str, str] = {}
        for err in exc.errors(include_url=False, include_input=False, include_context=False):
            loc = err["loc"]
            if loc and isinstance(loc[0], str):
                out.setdefault(loc[0], err["msg"])
        return out
    return {}


def diagnose(entities: Iterable[tuple[str, Mapping[str, Any]]], source: str) -> DriftReport:
    """Check ``(entity type, wire dict)`` pairs against the models."""
    from accsyn._exceptions import ValidationError
    from accsyn.models import attributes_of, model_for

    report = DriftReport(source)
    seen_attrs: dict[str, set[str]] = {}
    for et, data in entities:
        try:
            model = model_for(et)
        except ValidationError:
            report.notes.append(f"entity type {et!r} has no model: not checked")
            continue
        name = model.__entitytype__
        tr = report.types.setdefault(name, TypeReport(name))
        tr.entities += 1
        declared = attributes_of(model)
        seen = seen_attrs.setdefault(name, set())
        errors = _kind_errors(model, data)
        for attr, value in data.items():
            seen.add(attr)
            info = declared.get(attr)
            if info is None:
                if attr not in _MARKERS:
                    tr.undeclared.setdefault(attr, Finding(attr, "undeclared attribute")).add(value)
                continue
            if attr in errors:
                problem = f"wrong kind (model: {info.kind}): {errors[attr]}"
            elif info.enum is not None and value is not None and not _known_enum(info.enum, value):
                problem = f"unknown {info.enum.__name__} value"
            else:
                continue
            tr.invalid.setdefault((attr, problem), Finding(attr, problem)).add(value)
    for name, tr in report.types.items():
        declared_names = attributes_of(model_for(name))
        tr.unseen = sorted(set(declared_names) - seen_attrs.get(name, set()))
    report.types = dict(sorted(report.types.items()))
    return report


def scanned_types() -> list[str]:
    """Entity types a live scan asks for: every model type that is no other's subtype.

    Client subtypes (``app``, ``server``, …) are rows of ``client``, and an umbrella's
    rows (``share``) are its members' rows: asking for them too would count each
    client, volume, folder, … twice.
    """
    from accsyn.contract._replay import base_model
    from accsyn.models import specs

    out = []
    for name, spec in specs().items():
        if base_model(spec.model) is spec.model and not spec.members:
            out.append(name)
    return sorted(out)


def entities_from_session(
    session: Session, *, limit: int = 500, types: Iterable[str] | None = None
) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """Fetch up to ``limit`` entities of each type (active and finished); returns notes too.

    Types the workspace refuses to list on their own (``task`` and ``file`` need a
    parent) become notes, not failures.
    """
    out: list[tuple[str, dict[str, Any]]] = []
    notes: list[str] = []
    for et in types if types is not None else scanned_types():
        seen: set[str] = set()
        for finished in (False, True):
            try:
                rows = session.find(et, limit=limit, finished=finished or None, raw=True)
            except AccsynError as exc:
                if not finished:
                    notes.append(f"{et}: not listed ({type(exc).__name__})")
                break
            for row in rows:
                if isinstance(row, dict) and str(row.get("id")) not in seen:
                    seen.add(str(row.get("id")))
                    out.append((et, row))
    return out, notes


def entities_from_cassette(cassette: Cassette) -> list[tuple[str, dict[str, Any]]]:
    """Every entity a cassette shows, as replay would store it."""
    from accsyn.contract._replay import plan_replay

    return [(et, data) for et, data, _ in plan_replay(cassette).entities]
