"""Operation plans: every accsyn operation once, as a sans-IO generator.

Each function here returns a :mod:`plan <accsyn._plan>` (it yields requests built by
:mod:`accsyn._requests`, receives the decoded answers, returns the result) that
``Session`` and ``AsyncSession`` drive alike. The read path lives here too:
:func:`decode` turns the rows of every read (``find``, ``find_one``,
``get_entity``, create/update answers and repository pages) into models bound to
the session that fetched them, so ``entity.save()`` works however it was fetched.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from accsyn import _constants as const
from accsyn import _requests as rq
from accsyn import _validation as check
from accsyn._exceptions import NotFoundError, ProtocolError, ValidationError
from accsyn._paging import Pager
from accsyn._plan import Page, Plan
from accsyn._validation import Policy
from accsyn._wire import EventRequest
from accsyn.models import _registry
from accsyn.query import Comparison, Op, Query

if TYPE_CHECKING:
    from accsyn._select import QueryState

__all__ = ["decode", "decode_one", "find", "get_entity", "model_class"]

logger = logging.getLogger(const.LOGGER_NAME)


# --------------------------------------------------------------------------------------
# The read path
# --------------------------------------------------------------------------------------


#: entity type -> (model registry generation, model): a read looks its model up once.
_MODELS: dict[str, tuple[int, Any]] = {}


def model_class(entitytype: str) -> Any:
    """The model of ``entitytype`` (unknown types: the base ``Entity``)."""
    hit = _MODELS.get(entitytype)
    now = _registry.generation()
    if hit is not None and hit[0] == now:
        return hit[1]
    from accsyn.models import Entity  # the models import this module's siblings

    try:
        model: Any = _registry.model_for(entitytype)
    except ValidationError:
        model = Entity
    if len(_MODELS) >= 256:
        _MODELS.clear()
    _MODELS[entitytype] = (now, model)
    return model


def decode(
    entitytype: str,
    rows: Any,
    *,
    attributes: Sequence[str] | None = None,
    raw: bool = False,
    session: object = None,
    body: Any = None,
) -> Any:
    """Wire rows → models of ``entitytype``, each bound to ``session``.

    The one decoder of every read. ``body``, the whole answer the rows are the
    ``result`` of: when it kept its JSON text, the models are validated from that
    text in one pass (much faster for big results); any validation error is then
    raised by the row-by-row path, as usual.
    """
    if raw or not isinstance(rows, list):
        return rows
    cls = model_class(entitytype)
    attrs = list(attributes) if attributes else None
    models: list[Any] = []
    content = getattr(body, "raw", None)
    if content is not None and rows and all(type(r) is dict for r in rows):
        try:
            models = cls.list_from_json(content, envelope=True)
        except ValidationError:
            models = []
        if len(models) != len(rows):
            models = []
        elif attrs is not None:
            for model in models:
                model._accsyn_project(attrs)
    if not models:
        models = [_row_model(cls, r, attrs) if isinstance(r, dict) else r for r in rows]
    if session is not None:
        for model in models:
            bind = getattr(model, "_accsyn_bind", None)
            if bind is not None:
                bind(session)
    return models


def _row_model(cls: Any, row: dict[str, Any], attributes: list[str] | None) -> Any:
    """One wire row as a model; a row the model cannot read names itself and the way out."""
    try:
        return cls.from_wire(row, attributes=attributes)
    except ValidationError as exc:
        ident = row.get("id")
        raise ValidationError(
            f"{cls.__entitytype__} {ident!r} from the server does not fit the model: {exc} "
            f"(read it as the server sent it with raw=True)",
            field=exc.field,
        ) from None


def decode_one(entitytype: str, row: Any, *, raw: bool = False, session: object = None) -> Any:
    """One wire row → a bound model (None and non-dicts pass through)."""
    if row is None or raw or not isinstance(row, dict):
        return row
    return decode(entitytype, [row], session=session)[0]


def _result(body: Mapping[str, Any]) -> Any:
    return body.get("result")


# --------------------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------------------


def _special(q: Query, create: bool, update: bool) -> EventRequest:
    if q.entitytype == "entitytypes":
        return rq.entitytypes_request()
    where = q.where
    if where is None:
        raise ValidationError(
            'Please query which entity to obtain attributes for (i.e. "attributes WHERE '
            'entitytype=job")'
        )
    if not (
        isinstance(where, Comparison)
        and where.attribute == "entitytype"
        and where.op is Op.EQ
        and isinstance(where.value, str)
    ):
        raise ValidationError(
            'Please query attributes by expressions on the form "attributes WHERE entitytype=job"'
        )
    return rq.attributes_request(where.value, create=create, update=update)


def find(
    query: str | Query,
    *,
    entityid: str | None = None,
    attributes: Sequence[str] | None = None,
    finished: bool | None = None,
    inactive: bool | None = None,
    offline: bool | None = None,
    archived: bool | None = None,
    limit: int | None = None,
    skip: int | None = None,
    create: bool = False,
    update: bool = False,
    single_entity_query: bool = False,
    raw: bool = False,
    policy: Policy = "error",
    session: object = None,
) -> Plan[Any]:
    """``find`` / ``find_one``: the query is parsed and checked once, rendered once."""
    q = check.check_query(query, "off")
    if q.entitytype is None:
        raise ValidationError(
            "The query must name an entity type, e.g. 'transfer WHERE status=running'",
            field="query",
        )
    check.check_query(q, policy)
    retval: Any
    if q.entitytype in ("entitytypes", "attributes"):
        retval = _result((yield _special(q, create, update)))
    else:
        if inactive is None and offline is not None:
            warnings.warn(
                "the 'offline' argument is deprecated, use 'inactive'",
                DeprecationWarning,
                stacklevel=4,
            )
            inactive = offline
        check.check_attributes(q.entitytype, attributes, policy)
        if limit == 0 and type(limit) is int:
            # Sent as the official client sends it (not at all), 0 means every row:
            # the opposite of .limit(0). Ambiguous, so said rather than guessed.
            check.fail(
                policy,
                ValidationError(
                    "limit=0 is not sent, so the server returns every row; pass limit=None "
                    "for every row (or use .limit(n) on a query for at most n)",
                    field="limit",
                ),
            )
        entitytype, expression = rq.statement(q)
        assert entitytype is not None
        req = rq.find_request(
            entitytype,
            expression,
            attributes=attributes,
            finished=finished,
            inactive=inactive,
            archived=archived,
            limit=limit,
            skip=skip,
            parent=entityid,
            single_entity_query=single_entity_query,
        )
        body = yield req
        rows = _result(body) or []
        retval = decode(
            entitytype, rows, attributes=req.data.get("attributes"), raw=raw, session=session,
            body=body,
        )  # fmt: skip
    if single_entity_query:
        if retval:
            if len(retval) > 1:
                logger.warning(
                    "Multiple entities retrieved (%d), returning the first one.", len(retval)
                )
            return retval[0]
        return None
    return retval


def get_entity(
    entitytype: str, entityid: str, *, raw: bool, policy: Policy, session: object
) -> Plan[Any]:
    """One entity by type and id, in any state."""
    req = rq.get_entity_request(entitytype, entityid)
    check.check_entitytype(req.uri.split("/")[0], policy)
    rows = _result((yield req))
    if not rows:
        return None
    if len(rows) > 1:
        logger.warning("Multiple entities retrieved (%d), returning the first one.", len(rows))
    return decode_one(req.uri.split("/")[0], rows[0], raw=raw, session=session)


def _statement(query: str | Query, policy: Policy) -> tuple[str, str | None]:
    q = check.check_query(query, "off")
    if q.entitytype is None:
        raise ValidationError("The query must name an entity type", field="query")
    entitytype, expression = rq.statement(check.check_query(q, policy))
    assert entitytype is not None
    return entitytype, expression


def report(query: str | Query, policy: Policy) -> Plan[Any]:
    """(Support) the backend's text report."""
    return (yield rq.report_request(*_statement(query, policy))).get("report")


def metrics(
    query: str | Query, attributes: Sequence[str] | None, time: str | None, policy: Policy
) -> Plan[Any]:
    """Metrics of a job."""
    entitytype, expression = _statement(query, policy)
    return _result((yield rq.metrics_request(entitytype, expression, attributes, time)))


# --------------------------------------------------------------------------------------
# Selects (repositories): paged reads of a QueryState
# --------------------------------------------------------------------------------------


def _checked(body: Mapping[str, Any], uri: str) -> Any:
    if not isinstance(body, Mapping) or "result" not in body:
        raise ProtocolError(f"{uri}: the response has no 'result'")
    return body["result"]


def _rows(body: Mapping[str, Any], uri: str) -> list[Mapping[str, Any]]:
    result = _checked(body, uri)
    if result is None:
        return []
    if not isinstance(result, list) or not all(isinstance(r, Mapping) for r in result):
        raise ProtocolError(f"{uri}: expected a list of entities in 'result'")
    return result


def pages(
    state: QueryState, *, attributes: Sequence[str] | None = None, count: bool = False
) -> Plan[int]:
    """Page through a select (overlap-safe, see :mod:`accsyn._paging`), yielding each
    page's new rows; with ``count``, yield nothing and return how many there were."""
    pager = Pager(offset=state.offset, limit=state.limit, page_size=state.page_size)
    total = 0
    while (step := pager.next_request()) is not None:
        req = state.find(skip=step.skip, limit=step.limit, attributes=attributes)
        body = yield req
        lost = pager.gave_up
        new = pager.feed(_rows(body, req.uri))
        if pager.gave_up and not lost:
            # Not silent: rows may have been missed (see Pager.gave_up).
            logger.warning(
                "%s: the result changed faster than it was read (or its order is not "
                "stable), so some entities may have been missed; re-run the query, or "
                "use a larger page_size",
                req.uri,
            )
        total += len(new)
        if new and not count:
            yield Page(list(new))
    return total


def head(
    state: QueryState, n: int, *, attributes: Sequence[str] | None = None
) -> Plan[list[Mapping[str, Any]]]:
    """At most ``n`` rows from the start of the result (after the offset)."""
    if state.limit is not None:
        n = min(n, state.limit)
    if n <= 0:
        return []
    req = state.find(skip=state.offset, limit=n, attributes=attributes)
    body = yield req
    return _rows(body, req.uri)[:n]


def count(state: QueryState) -> Plan[int]:
    """How many entities match (the protocol has no count: pages through ids only)."""
    return (yield from pages(state, attributes=(), count=True))


def single(req: EventRequest) -> Plan[Mapping[str, Any] | None]:
    """The one entity a get/create/update answers with (None when there is none)."""
    body = yield req
    result = _checked(body, req.uri)
    if isinstance(result, list):
        result = result[0] if result else None
    if result is None or isinstance(result, Mapping):
        return result
    raise ProtocolError(f"{req.uri}: expected an entity in 'result'")


def value(req: EventRequest) -> Plan[Any]:
    """The ``result`` of an answer, which must have one."""
    body = yield req
    return _checked(body, req.uri)


# --------------------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------------------


def create(
    entitytype: str,
    data: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    entityid: str | None,
    allow_duplicates: bool | None,
    replace_duplicates: bool | None,
    *,
    raw: bool,
    policy: Policy,
    session: object,
) -> Plan[Any]:
    """Create entities; the payload is checked against the models first."""
    et = rq.entity_type(entitytype)
    check.check_payload(et, data, "create", policy)
    req = rq.create_request(et, data, entityid, allow_duplicates, replace_duplicates)
    body = yield req
    if "result" not in body:
        return body
    result = body["result"]
    if isinstance(result, list):
        models = decode(et, result, raw=raw, session=session)
        return models[0] if len(models) == 1 else models
    return result


def update(
    entitytype: str,
    entityid: str,
    data: Mapping[str, Any],
    *,
    raw: bool,
    policy: Policy,
    session: object,
) -> Plan[Any]:
    """Update one entity; returns it."""
    et = rq.entity_type(entitytype)
    check.check_payload(et, data, "update", policy)
    result = _result((yield rq.update_request(et, entityid, data)))
    if isinstance(result, list):
        return decode_one(et, result[0], raw=raw, session=session) if result else None
    return result


def update_many(
    entitytype: str,
    entityid: str,
    data: Sequence[Mapping[str, Any]],
    *,
    raw: bool,
    policy: Policy,
    session: object,
) -> Plan[Any]:
    """Update several tasks of a job."""
    check.check_payload("task", data, "update", policy)
    req = rq.update_many_request(entitytype, entityid, data)
    return decode("task", _result((yield req)), raw=raw, session=session)


# --------------------------------------------------------------------------------------
# Everything else
# --------------------------------------------------------------------------------------


def simple(req: EventRequest) -> Plan[Any]:
    return _result((yield req))


def _lookup_id(entitytype: str, ident: str) -> Plan[str | None]:
    rows = _result((yield rq.code_lookup_request(entitytype, ident))) or []
    return str(rows[0]["id"]) if rows and isinstance(rows[0], dict) and rows[0].get("id") else None


def grant(
    entitytype: str,
    entityid: str,
    targettype: str,
    targetid: str,
    data: Mapping[str, Any] | None,
) -> Plan[Any]:
    et = rq.entity_type(entitytype)
    tt = rq.entity_type(targettype, "target entity type")
    eid = rq.require_str(entityid, "entity ID").lower().strip()
    tid = rq.require_str(targetid, "target ID").lower().strip()
    if data is not None and not isinstance(data, Mapping):
        raise ValidationError("Invalid grant access data supplied, must be a dict!", field="data")
    if et != "user":
        raise ValidationError("Unsupported grant entity type (supported: user)!")
    if tt not in (*const.JOB_TARGET_TYPES, "volume", "folder", "home", "collection"):
        raise ValidationError(
            "Unsupported grant target type for user (supported: delivery, request, stream, "
            "volume, folder, home, collection)!"
        )
    if not rq.is_id(eid):
        if et not in const.UNIQUE_ENTITY_TYPES:
            raise ValidationError(f"Please supply a valid {et} ID!")
        found = yield from _lookup_id(et, eid)
        if found is not None:
            eid = found
        elif (data or {}).get("invite", True) is False:
            raise NotFoundError(f"No {et} found with code '{eid}', and invite is not allowed!")
        else:
            logger.warning("No %s found with code '%s', will be invited!", et, eid)
    if not rq.is_id(tid):
        if tt not in const.UNIQUE_ENTITY_TYPES:
            raise ValidationError(f"Please supply a valid {tt} ID!")
        found = yield from _lookup_id(tt, tid)
        if found is None:
            raise NotFoundError(f"No {tt} found with code '{tid}'!")
        tid = found
    if tt in const.JOB_TARGET_TYPES:
        invite = (data or {}).get("invite", True)
        return _result((yield rq.recipient_add_request(tid, eid, invite)))
    result = _result((yield rq.acl_create_request(eid, tid, data)))
    return result[0] if isinstance(result, list) and result else result


def _acl_row(acl: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "user": str(acl.get("entity", "")).split(":", 1)[-1],
        "user_hr": acl.get("entity_hr", ""),
        "share": str(acl.get("target", "")).split(":", 1)[-1],
        "share_hr": acl.get("target_hr", ""),
        "read": acl.get("read"),
        "write": acl.get("write"),
        "acknowledged": acl.get("acknowledged", False),
        "path": acl.get("path", "/"),
    }


def access(
    targettype: str,
    targetid: str,
    entitytype: str | None,
    entityid: str | None,
    recursive: bool,
) -> Plan[list[dict[str, Any]]]:
    tt = rq.entity_type(targettype, "target type")
    tid = rq.require_id(rq.require_str(targetid, "target id").lower().strip(), "target ID")
    if tt in const.JOB_TARGET_TYPES:
        return list(_result((yield rq.recipients_request(tid))) or [])
    if tt in const.SHARE_TARGET_TYPES:
        query = rq.acl_access_query(tid, entitytype, entityid)
        rows = _result((yield rq.acl_find_request(query, {"recursive": recursive}))) or []
        return [_acl_row(acl) for acl in rows]
    raise ValidationError("Unsupported access operation!")


def revoke(entitytype: str, entityid: str, targettype: str, targetid: str) -> Plan[Any]:
    et = rq.entity_type(entitytype)
    tt = rq.entity_type(targettype, "target entity type")
    eid = rq.require_str(entityid, "entity id").lower().strip()
    tid = rq.require_id(rq.require_str(targetid, "target entity id").lower().strip(), "target ID")
    if et != "user":
        raise ValidationError("Unsupported revoke access entity type!")
    if tt not in (*const.JOB_TARGET_TYPES, "job", *const.SHARE_TARGET_TYPES):
        raise ValidationError("Unsupported revoke access target type!")
    if not rq.is_id(eid):
        if et not in const.UNIQUE_ENTITY_TYPES:
            raise ValidationError(
                f"Please supply a valid {et} ID! Hint: {et} does not support unique API code "
                "attribute lookup!"
            )
        found = yield from _lookup_id(et, eid)
        if found is not None:
            eid = found
        elif tt not in (*const.JOB_TARGET_TYPES, "job"):
            raise NotFoundError(f"No {et} found with code '{eid}'!")
    if tt in (*const.JOB_TARGET_TYPES, "job"):
        recipients = (yield rq.recipients_request(tid)).get("result") or []
        if not any(
            isinstance(r, dict) and eid in (r.get("user"), r.get("user_hr")) for r in recipients
        ):
            return False
        return _result((yield rq.recipient_remove_request(tid, eid)))
    query = rq.acl_revoke_query(eid, tid)
    acls = _result((yield rq.acl_find_request(query, {}))) or []
    if not acls:
        return False
    return _result((yield rq.acl_delete_request(str(acls[0]["id"]))))


def logs(req: EventRequest) -> Plan[Any]:
    body = yield req
    return body or {"result": []}


def get_settings(req: EventRequest) -> Plan[Any]:
    return _result((yield req)) or {}


def truth(req: EventRequest) -> Plan[bool]:
    return bool(_result((yield req)))


def api_key() -> Plan[Any]:
    return (yield rq.api_key_request()).get("api_key")


def running(user_id: str, hostname: str, daemon: bool) -> Plan[bool | None]:
    clients = _result((yield rq.running_clients_request(user_id, hostname, daemon=daemon))) or []
    retval: bool | None = None
    for c in clients:
        retval = isinstance(c, dict) and c.get("status") in const.CLIENT_RUNNING_STATES
        if retval:
            break
    return retval
