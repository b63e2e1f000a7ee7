"""Repositories: typed, chainable, lazily paged queries that return models.

>>> failed = session.transfers.where(Transfer.status == "failed").limit(50)
>>> failed.explain().statement
'transfer WHERE status=failed'
>>> for transfer in failed:          # pages lazily, each entity exactly once
...     print(transfer.name)

Every session has a repository per entity type (``session.transfers``,
``session.users``, ``session.tasks.of(job)``, …) and ``session.repository(Model)``.
A :class:`Select` is immutable; nothing is sent until it is executed with
``all()``, ``first()``, ``one()``, ``count()``, ``exists()``, ``pages()`` or
iteration. :class:`AsyncSelect` is the same on an ``AsyncSession``, with awaitables
and ``async for``. Paging guarantees are described in :class:`Pager`.
"""

from accsyn._paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Pager, PageRequest
from accsyn._repository import (
    AsyncRepository,
    AsyncRepositoryMixin,
    Repository,
    RepositoryMixin,
)
from accsyn._select import AsyncSelect, Explanation, QueryState, Select

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "AsyncRepository",
    "AsyncRepositoryMixin",
    "AsyncSelect",
    "Explanation",
    "PageRequest",
    "Pager",
    "QueryState",
    "Repository",
    "RepositoryMixin",
    "Select",
]

# Public objects report the public module they are reached through.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type):
        _obj.__module__ = "accsyn.repository"
del _name, _obj
