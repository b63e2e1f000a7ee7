"""accsyn-python-api 3.4, unchanged, on the typed SDK's transport.

``import accsyn.compat as accsyn_api`` runs a script written for the official client
as it is: the same ``Session`` constructor, environment and ``.env`` behaviour,
method names, signatures, return shapes (plain dicts and lists, ``user:<id>``
strings, datetimes) and ``AccsynException`` texts — with pooled connections, TLS
verification, retries, rate limiting and secret redaction underneath.

The way up is :func:`to_session` (``accsyn.Session.from_compat(s)``): the typed
session behind a compat one, for moving call sites to typed repositories one by one.
See ``docs/migrating.md``.
"""

from __future__ import annotations

from accsyn.compat._base import AccsynException
from accsyn.compat._convert import from_session, to_session
from accsyn.compat.session import Session

__all__ = ["AccsynException", "Session", "__version__", "from_session", "to_session"]

#: The official client version whose interface this package reproduces.
__version__ = "3.4.0"
