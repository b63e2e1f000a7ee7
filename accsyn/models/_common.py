"""Attributes common to most entity types (accsyn's metadata block)."""

from __future__ import annotations

from typing import Any

from accsyn.models._base import Entity
from accsyn.models._types import Attr, Ref, UTCDateTime, attr

__all__ = ["Described"]


class Described(Entity):
    """Base of entities carrying the common metadata attributes.

    ``code``, ``name``, ``description``, ``metadata`` and the audit fields
    ``created``/``creator``/``modified``/``modifier``.
    """

    code: Attr[str | None] = attr()
    name: Attr[str | None] = attr()
    description: Attr[str | None] = attr()
    metadata: Attr[dict[str, Any] | None] = attr()
    created: Attr[UTCDateTime | None] = attr()
    creator: Attr[Ref | None] = attr()
    modified: Attr[UTCDateTime | None] = attr()
    modifier: Attr[Ref | None] = attr()
