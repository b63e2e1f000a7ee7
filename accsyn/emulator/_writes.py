"""What a create or an update may say: keys and values checked against the models.

The keys a payload may hold and the kinds of their values are read from the
models (:func:`accsyn.models.specs`: the input models where a type has one, else
its attributes; :data:`accsyn.emulator._schema.READ_ONLY` and the server-kept
attributes of ``_schema`` are what ``attributes WHERE entitytype=X`` with
``update=True`` leaves out). Only what the models cannot say lives here, and
it comes from protocol.md:

* :data:`STATUS_WRITES`: which statuses a user may write, per family (§6.2),
  where no update model lists them; and :func:`client_status` (§6.2 client states).

Where the spec is silent the emulator chooses (docs/testing.md lists the choices):
an **update** naming a key the type does not take is a 400 naming the nearest valid
key (an edit writes what it is given: a typo would be stored as a new attribute);
a **create** reads the keys it knows and ignores the others (as a create handler
picking its inputs does; the SDK refuses unknown keys before sending, and
``validate=False`` passes them through). Values are checked in both: a value the
type cannot hold is a 400, never a row no client can read back.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from accsyn._codec import decode_datetime
from accsyn._exceptions import ValidationError
from accsyn._validation import _kind_problem
from accsyn.emulator._protocol import ApiError
from accsyn.emulator._schema import READ_ONLY, SCHEMA, facts

__all__ = [
    "STATUS_WRITES",
    "check_create",
    "check_update",
    "client_status",
    "unknown_key",
]

#: protocol.md §6.2: the statuses a user writes, per family, for types whose
#: update model does not list them (volume/folder/home: ``offline`` and
#: ``disabled-offline`` are system-set; site and engine: enabled or disabled).
#: Clients follow :func:`client_status`; jobs the simulation (``set_status``).
STATUS_WRITES: dict[str, tuple[str, ...]] = {
    "share": ("enabled", "disabled"),
    "site": ("enabled", "disabled"),
    "engine": ("enabled", "disabled"),
}


def unknown_key(et: str, name: str, valid: tuple[str, ...] | frozenset[str], what: str) -> ApiError:
    """400 for a key ``et`` does not take in ``what``, naming the nearest valid one."""
    near = difflib.get_close_matches(name, sorted(valid), n=1, cutoff=0.6)
    hint = f"; did you mean '{near[0]}'?" if near else "!"
    return ApiError(400, f"A {et}{what} has no attribute '{name[:100]}'{hint}")


def _invalid(et: str, what: str, exc: ValidationError) -> ApiError:
    # "invalid TransferUpdate: status: Input should be ..." -> the part after the class.
    detail = str(exc).split(": ", 1)[-1]
    return ApiError(400, f"Invalid {et} {what}: {detail[:300]}")


_KINDS: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "bool": (bool,),
    "object": (dict,),
    "list": (list,),
    "datetime": (str,),
    "reference": (str,),
    "id": (str,),
}


def check_kind(et: str, name: str, value: Any) -> None:
    """Refuse a value the model could not decode: a stored row must always read back.

    Enum attributes take only the enum's known values (reading tolerates values a
    newer server sends; writing, like the input models, only known ones).
    """
    info = SCHEMA.attributes(et).get(name)
    if info is None or value is None:
        return
    if info.kind == "enum" and info.enum is not None:
        known = [str(m.value) for m in info.enum]
        if isinstance(value, bool) or str(value) not in known:
            raise ApiError(
                400,
                f"Attribute '{name}' of a {et} must be one of {', '.join(known)}, "
                f"got {value!r:.60}!",
            )
        return
    if info.kind not in _KINDS:
        return
    is_bool = isinstance(value, bool)
    ok = isinstance(value, _KINDS[info.kind]) and (info.kind == "bool" or not is_bool)
    if ok and info.kind == "datetime":
        try:
            decode_datetime(value)
        except ValidationError:
            ok = False
    if not ok:
        raise ApiError(
            400, f"Attribute '{name}' of a {et} must be of kind {info.kind}, got {value!r:.60}!"
        )


def check_update(et: str, data: Mapping[str, Any]) -> None:
    """400 unless every key of ``data`` is writable for ``et`` and every value fits.

    Writable = what ``attributes WHERE entitytype=<et>`` answers with ``update=True``
    (the update model's fields, else the attributes the server does not keep itself).
    An attribute that is not writable is *read-only*; anything else is unknown.
    """
    f = facts()
    writable = f.update_attributes.get(et, ())
    attributes = f.attributes.get(et, ())
    for key in data:
        k = str(key)
        if k in writable:
            continue
        if k in attributes or k in READ_ONLY or k.startswith("_") or k.endswith("_hr"):
            raise ApiError(400, f"Attribute '{k[:100]}' of a {et} is read-only!")
        raise unknown_key(et, k, writable, "")
    spec = f.specs.get(et)
    model = spec.update_model if spec is not None else None
    covered = spec.update_fields if model is not None and spec is not None else frozenset()
    if model is not None:
        try:
            model.parse({k: v for k, v in data.items() if k in covered})
        except ValidationError as exc:
            raise _invalid(et, "update", exc) from None
    for key, value in data.items():
        if key not in covered:
            check_kind(et, str(key), value)
    status = data.get("status")
    family = spec.family if spec is not None else "other"
    allowed = STATUS_WRITES.get(family) or STATUS_WRITES.get(et)
    unchecked = "status" not in covered and status is not None and allowed is not None
    if unchecked and status not in (allowed or ()):
        raise ApiError(
            400,
            f"Attribute 'status' of a {et} cannot be set to '{str(status)[:30]}' "
            f"(writable: {', '.join(allowed or ())})!",
        )


def client_status(current: str, wanted: Any) -> str:
    """The status a client gets when a user writes ``wanted`` (protocol.md §6.2).

    ``online`` (or ``enabled``) only from disabled: a ``disabled-offline`` client
    becomes ``offline``; ``disabled`` only from a non-disabled state: an
    ``offline`` client becomes ``disabled-offline``. Other values are system-set.
    """
    if wanted in ("online", "enabled"):
        if current == "disabled":
            return "online"
        if current == "disabled-offline":
            return "offline"
        raise ApiError(400, f"Only a disabled client can be enabled (it is {current})!")
    if wanted == "disabled":
        if current in ("disabled", "disabled-offline"):
            raise ApiError(400, "The client is already disabled!")
        return "disabled-offline" if current == "offline" else "disabled"
    raise ApiError(
        400,
        f"Status '{str(wanted)[:30]}' of a client is not writable (online, enabled or disabled)!",
    )


def check_create(et: str, item: Mapping[str, Any]) -> None:
    """400 if a value of a create payload is of a kind the type cannot hold.

    Each value is checked as the SDK checks it before sending (the create model's
    field, else the entity attribute's; ``accsyn._validation``): a create from a
    client that checks nothing (the official one) must not store what no client
    can read back (``metadata: "x"``, ``name: 5``, ``settings: {"a": 1}``). Keys the
    type does not know are left alone: see the module docstring.
    """
    spec = facts().specs.get(et)
    if spec is None:
        return
    for key, value in item.items():
        problem = _kind_problem(spec, "create", key, value) if isinstance(key, str) else None
        if problem is not None:
            raise ApiError(400, f"Invalid {et} create payload: {key[:100]}: {problem[:200]}")
    model = spec.create_model
    items = item.get(model.__items_key__) if model is not None and model.__items_key__ else None
    for one in items if isinstance(items, list) else [items] if items is not None else []:
        if isinstance(one, Mapping):
            check_create(et, one)
