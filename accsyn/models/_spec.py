"""Every fact about an entity type, derived from its model: :class:`EntitySpec`.

The model class is the single spec of its entity type. Its class variables
(``__entitytype__``, ``__aliases__``, ``__family__``, ``__parent__``,
``__unique_code__``, ``__job_type__``, ``__client_type__``, ``__id_format__``,
``__members__``), its
fields and the input models that name it (``__entitytype__`` / ``__operation__``
on an :class:`~accsyn.models.InputModel`) are read here once; everything else
(the registry, the query schema, the session's type lists, the local workspace's
tables) reads :func:`spec_of` / :func:`specs`.
"""

from __future__ import annotations

import difflib
import functools
import sys
import types
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pydantic

from accsyn._exceptions import ValidationError
from accsyn.query._ast import Query
from accsyn.query._schema import AttributeInfo, IdFormat

if TYPE_CHECKING:
    from accsyn.models._base import Entity
    from accsyn.models._inputs import InputModel

__all__ = [
    "BYPASS",
    "READ_ONLY",
    "SCHEMA",
    "SERVER_KEPT",
    "SERVER_KEPT_BY",
    "EntitySpec",
    "Family",
    "ModelSchema",
    "nearest",
    "spec_of",
    "specs",
    "validate_query",
]

Family = Literal["job", "share", "client", "task", "file", "other"]

#: How to send something the SDK refuses (a newer server may know it).
BYPASS = (
    "(if the server knows it, pass validate=False, or use Session(validate='off'), "
    "to send it unchecked)"
)


def nearest(name: str, candidates: Collection[str]) -> str | None:
    """The candidate nearest to a misspelt ``name``, or None."""
    found = difflib.get_close_matches(name.lower(), list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


#: Attributes no update may change (``*_hr`` companions neither).
READ_ONLY = frozenset({"id", "created", "creator", "type"})
#: Attributes the server maintains itself (not offered as updatable).
SERVER_KEPT = READ_ONLY | {"modified", "modifier", "inactive"}
#: protocol.md §6.2-§6.3, for the types without an update model (whose fields would
#: say it): what a family's server measures or fixes at creation. A job's progress,
#: size, speed, parties and owner; what a client machine reports about itself; a
#: share's volume, owner and licence; a collection file's place. Per type: a
#: site's built-in flags, a volume's resolved server path (``paths`` is writable).
SERVER_KEPT_BY: dict[str, frozenset[str]] = {
    "job": frozenset(
        {"progress", "size", "speed", "etr", "finished", "source", "destination", "user", "uri"}
        | {"parent"}
    ),
    "client": frozenset(
        {"last_checkin", "benchmark", "metrics", "host_id", "host_ident", "os", "version"}
        | {"wan_ip", "username", "user", "parent"}
    ),
    "share": frozenset({"default", "licensed", "parent", "user"}),
    "file": frozenset({"filename", "parent", "path", "size"}),
    "site": frozenset({"main", "accsyn"}),
    "volume": frozenset({"path"}),
}


def _writable(model: type[Entity], attributes: Collection[str]) -> frozenset[str]:
    """What an update may change of a type without an update model: its attributes
    but the ones the server keeps (and every ``*_hr`` companion)."""
    empty: frozenset[str] = frozenset()
    kept = SERVER_KEPT | SERVER_KEPT_BY.get(model.__family__, empty)
    kept |= SERVER_KEPT_BY.get(model.__entitytype__, empty)
    return frozenset(a for a in attributes if a not in kept and not a.endswith("_hr"))


@dataclass(frozen=True, eq=False)
class EntitySpec:
    """What the SDK knows about one entity type, all of it read from the model.

    ``create_fields`` / ``update_fields`` are the keys the input models accept
    (empty when the type has no input model: then :meth:`validate_create` and
    :meth:`validate_update` check keys against the attributes, and values against
    the attribute's kind).
    """

    uri: str
    model: type[Entity]
    aliases: tuple[str, ...]
    family: Family
    #: The types a sub-entity lives under (``task`` → the job types), else None.
    parent_type: tuple[str, ...] | None
    unique_code: bool
    job_type: int | None
    client_type: int | None
    #: Whether the type has recipients (``job/recipient/*``: grant/access/revoke).
    recipients: bool
    #: An umbrella type's member types (``share`` → volume, folder, home, collection):
    #: its rows are theirs, each a member's own. Empty for every other type.
    members: tuple[str, ...]
    id_format: IdFormat
    attributes: Mapping[str, AttributeInfo]
    create_model: type[InputModel] | None
    update_model: type[InputModel] | None
    create_fields: frozenset[str] = field(default=frozenset())
    update_fields: frozenset[str] = field(default=frozenset())

    def __repr__(self) -> str:
        return f"EntitySpec({self.uri!r}, model={self.model.__name__})"

    def validate_create(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Check a create payload; return it as it will be sent.

        Without a create model, keys must be attributes of the type and values of
        the attribute's kind.

        Raises:
            accsyn.ValidationError: an unknown key (naming the nearest valid one) or
                a value of the wrong kind (naming the field).
        """
        return self._validate(data, self.create_model, self.create_fields, "create")

    def validate_update(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Check an update payload; return it as it will be sent.

        Without an update model, keys must be attributes of the type and values
        of the attribute's kind.

        Raises:
            accsyn.ValidationError: as :meth:`validate_create`.
        """
        return self._validate(data, self.update_model, self.update_fields, "update")

    def _validate(
        self,
        data: Mapping[str, Any],
        model: type[InputModel] | None,
        fields: frozenset[str],
        action: str,
    ) -> dict[str, Any]:
        items_key = model.__items_key__ if model is not None else None
        if items_key is not None and not isinstance(data, Mapping):
            # A bare list of items ({"tasks": [...]} without the wrapper).
            data = {items_key: data}
        if not isinstance(data, Mapping):
            raise ValidationError(
                f"a {self.uri} {action} payload is a mapping, not {type(data).__name__}"
            )
        if items_key is not None and items_key in data:
            self._check_keys(data, frozenset({items_key}), action)
            items = data[items_key]
            for item in items if isinstance(items, list) else [items]:
                if isinstance(item, Mapping):
                    self._validate(item, model, fields, action)
            return dict(data)
        # Without an input model, a create takes the attributes, an update those the
        # server does not keep itself.
        known = fields if model is not None or action == "update" else frozenset(self.attributes)
        self._check_keys(data, known, action)
        if model is not None:
            model.parse(data)
        elif data:
            _check_kinds(self.model, data, action)
        return dict(data)

    def read_only(self, key: object) -> ValidationError | None:
        """The error for updating ``key`` when it is an attribute the server keeps itself
        (as the server says it), else None."""
        if key not in self.attributes or key in self.update_fields:
            return None
        writable = ", ".join(sorted(self.update_fields)) or "nothing"
        return ValidationError(
            f"{self.uri} attribute {key!r} is read-only: the server keeps it "
            f"(an update may change: {writable})",
            field=str(key),
        )

    def _check_keys(self, data: Mapping[str, Any], known: frozenset[str], action: str) -> None:
        for key in data:
            kept = self.read_only(key) if action == "update" else None
            if kept is not None:
                raise ValidationError(f"{kept} {BYPASS}", field=kept.field)
            if not isinstance(key, str) or key not in known:
                near = nearest(str(key), known)
                hint = f"; did you mean {near!r}?" if near else ""
                raise ValidationError(
                    f"{self.uri} {action} has no field {key!r}{hint} {BYPASS}",
                    field=str(key),
                )


def _check_kinds(model: type[Entity], data: Mapping[str, Any], action: str) -> None:
    # Validate each value as the model's field would hold it (no input model).
    try:
        model.model_validate(dict(data))
    except pydantic.ValidationError as exc:
        from accsyn.models._base import convert_validation_error

        raise convert_validation_error(exc, f"{model.__name__} {action}") from None


def _fields_of(model: type[InputModel] | None) -> frozenset[str]:
    if model is None:
        return frozenset()
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(info.alias or name)
    return frozenset(names)


def build(model: type[Entity], attributes: Mapping[str, AttributeInfo]) -> EntitySpec:
    """The spec of one registered model (called by the registry)."""
    from accsyn.models._registry import input_model

    create = input_model(model.__entitytype__, "create")
    update = input_model(model.__entitytype__, "update")
    return EntitySpec(
        uri=model.__entitytype__,
        model=model,
        aliases=tuple(model.__aliases__),
        family=model.__family__,
        parent_type=None,  # filled in by specs(): needs every model registered
        unique_code=model.__unique_code__,
        job_type=None if model.__job_type__ is None else int(model.__job_type__),
        client_type=None if model.__client_type__ is None else int(model.__client_type__),
        recipients=model.__recipients__,
        members=tuple(model.__members__),
        id_format=model.__id_format__,
        attributes=attributes,
        create_model=create,
        update_model=update,
        create_fields=_fields_of(create),
        update_fields=_fields_of(update) if update is not None else _writable(model, attributes),
    )


@functools.lru_cache(maxsize=1)
def _all(generation: int) -> Mapping[str, EntitySpec]:
    from accsyn.models._registry import attributes_of, models

    registered = models()
    out: dict[str, EntitySpec] = {}
    for uri, model in sorted(registered.items()):
        spec = build(model, attributes_of(model))
        parent = model.__parent__
        if parent is not None:
            parents = tuple(sorted(u for u, m in registered.items() if parent in (u, m.__family__)))
            spec = _replace(spec, parent_type=parents)
        out[uri] = spec
    return types.MappingProxyType(out)


def _replace(spec: EntitySpec, **changes: Any) -> EntitySpec:
    import dataclasses

    return dataclasses.replace(spec, **changes)


def specs() -> Mapping[str, EntitySpec]:
    """Every entity type uri name → its :class:`EntitySpec` (aliases not included)."""
    # Asked several times per request (validation, the emulator's route and query
    # tables): sys.modules, not the import statement, once the registry is loaded.
    registry = sys.modules.get("accsyn.models._registry")
    if registry is None:
        from accsyn.models._registry import generation

        return _all(generation())
    return _all(registry.generation())


def spec_of(model_or_name: type[Entity] | str) -> EntitySpec:
    """The :class:`EntitySpec` of a model class or a type name (any case, aliases resolved).

    Raises:
        accsyn.ValidationError: unknown type; the message suggests the nearest one.
    """
    from accsyn.models._registry import model_for

    model = model_for(model_or_name) if isinstance(model_or_name, str) else model_or_name
    uri = getattr(model, "__entitytype__", "")
    if not uri:
        raise ValidationError(
            f"{getattr(model, '__name__', model)!r} is not an entity type model "
            "(it names no __entitytype__)"
        )
    found = specs().get(uri)
    if found is None or found.model is not model:
        # A model class that is not (or no longer) the registered one for its type.
        return build(model, _attributes(model))
    return found


def _attributes(model: type[Entity]) -> Mapping[str, AttributeInfo]:
    from accsyn.models._registry import attributes_of

    return attributes_of(model)


class ModelSchema:
    """The models as a :class:`accsyn.query.Schema` (the one in :data:`SCHEMA`)."""

    __slots__ = ()

    def resolve_type(self, name: str) -> str | None:
        """The uri name ``name`` means (any case, aliases resolved), or None."""
        from accsyn.models._registry import resolve_name

        return resolve_name(name)

    def entity_types(self) -> Collection[str]:
        """Every entity type uri name."""
        return tuple(specs())

    def attributes(self, entitytype: str) -> Mapping[str, AttributeInfo]:
        """Name → :class:`~accsyn.query.AttributeInfo` of a type's model."""
        return spec_of(entitytype).attributes

    def suggest_type(self, name: str) -> str | None:
        """The type name or alias nearest to ``name``."""
        from accsyn.models._registry import ALIASES

        return nearest(name.strip(), [*specs(), *ALIASES])

    def __repr__(self) -> str:
        return "accsyn.models.SCHEMA"


#: The models' :class:`accsyn.query.Schema`: pass it to ``accsyn.query.validate``
#: and ``accsyn.query.matches``.
SCHEMA = ModelSchema()


def validate_query(query: Query | str, *, entitytype: str | None = None) -> Query:
    """``accsyn.query.validate(query, SCHEMA, entitytype=...)``: check a query against the models.

    Raises:
        accsyn.QuerySyntaxError: the text does not parse.
        accsyn.QueryValidationError: every problem found, each with its column.
    """
    from accsyn.query._validate import validate

    return validate(query, SCHEMA, entitytype=entitytype)
