"""The entity types the emulator serves, derived from the models (never written again).

Every fact about an entity type — its uri name and aliases, attributes, family,
job or client type number, unique codes, what create and update accept, id
format — is read from :func:`accsyn.models.specs`. :func:`facts` rebuilds the
tables whenever the models change (a model registered later is served too), so
adding an entity type to the models is enough for the emulator to answer for it.

Only emulator-internal facts live here, and none of them reaches an answer:
:data:`EMAIL_RE` (what the emulator takes for an email address) and
:data:`HIDDEN_PREFIX` (the mark of bookkeeping keys kept beside the wire form).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from accsyn.models import SCHEMA, EntitySpec, specs
from accsyn.models._spec import READ_ONLY

__all__ = [
    "EMAIL_RE",
    "HIDDEN_PREFIX",
    "READ_ONLY",
    "SCHEMA",
    "Facts",
    "canonical",
    "facts",
]

#: What the emulator accepts as an email address (user codes, recipients, invites).
EMAIL_RE = re.compile(r"[^@\s:/]+@[^@\s:/]+\.[^@\s:/]+\Z")
#: Stored keys starting with this are the emulator's bookkeeping: never answered.
HIDDEN_PREFIX = "_"


@dataclass(frozen=True)
class Facts:
    """Every entity-type table the emulator uses, derived from one set of specs."""

    specs: Mapping[str, EntitySpec]
    #: Every entity type ``entitytypes`` lists (uri names, sorted).
    entity_types: tuple[str, ...]
    #: Every name a uri may use for a type (uri names and aliases) -> the uri name.
    names: Mapping[str, str]
    #: Uri name -> its model's attribute names, in a stable order.
    attributes: Mapping[str, tuple[str, ...]]
    #: Uri name -> what ``attributes`` answers with ``create``/``update``.
    create_attributes: Mapping[str, tuple[str, ...]]
    update_attributes: Mapping[str, tuple[str, ...]]
    #: Job uri names (and queues) -> their ``type`` number.
    job_types: Mapping[str, int]
    #: Client subtypes queryable as their own type -> their ``type`` number.
    client_subtypes: Mapping[str, int]
    #: Umbrella types -> the stored types whose rows they answer with (``share``).
    umbrellas: Mapping[str, tuple[str, ...]]
    #: Families (stored types only: an umbrella has no rows of its own).
    share_types: tuple[str, ...]
    job_entities: tuple[str, ...]
    delivery_like: tuple[str, ...]
    #: Types living under a parent (a ``find`` by id lists the parent's children),
    #: and the attribute of each that refers to its parent (task: ``job``).
    sub_entities: tuple[str, ...]
    parent_attribute: Mapping[str, str]
    unique_code: frozenset[str]
    uuid_ids: frozenset[str]


def _parent_attribute(spec: EntitySpec) -> str:
    # The reference named after the parent (a task's ``job``), else ``parent``.
    named = spec.model.__parent__
    return named if named is not None and named in spec.attributes else "parent"


def _build(current: Mapping[str, EntitySpec]) -> Facts:
    items = sorted(current.items())
    return Facts(
        specs=current,
        entity_types=tuple(uri for uri, _ in items),
        names={
            **{alias.lower(): uri for uri, s in items for alias in s.aliases},
            **{uri: uri for uri, _ in items},
        },
        attributes={uri: tuple(sorted(s.attributes)) for uri, s in items},
        create_attributes={
            uri: tuple(sorted(s.create_fields)) if s.create_fields else tuple(sorted(s.attributes))
            for uri, s in items
        },
        update_attributes={uri: tuple(sorted(s.update_fields)) for uri, s in items},
        job_types={uri: s.job_type for uri, s in items if s.job_type is not None},
        client_subtypes={
            uri: s.client_type
            for uri, s in items
            if s.client_type is not None and s.family == "client"
        },
        umbrellas={uri: s.members for uri, s in items if s.members},
        share_types=tuple(uri for uri, s in items if s.family == "share" and not s.members),
        job_entities=tuple(uri for uri, s in items if s.family == "job"),
        delivery_like=tuple(uri for uri, s in items if s.family == "job" and s.recipients),
        sub_entities=tuple(uri for uri, s in items if s.parent_type is not None),
        parent_attribute={uri: _parent_attribute(s) for uri, s in items if s.parent_type},
        unique_code=frozenset(uri for uri, s in items if s.unique_code),
        uuid_ids=frozenset(uri for uri, s in items if s.id_format == "uuid"),
    )


_cache: list[Facts] = []


def facts() -> Facts:
    """The tables for the models as registered now (rebuilt when they change)."""
    current = specs()
    if _cache and _cache[0].specs is current:
        return _cache[0]
    built = _build(current)
    _cache[:] = [built]
    return built


def canonical(name: str) -> str | None:
    """The stored entity type for a uri name (any case, aliases resolved), or None."""
    return facts().names.get(name.strip().lower())
