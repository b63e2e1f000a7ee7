"""Answers of pure reads, kept while nothing they depend on changes.

A ``<type>/find`` answer is a function of the stored rows, the entity tables (the
models' facts), the workspace code, the caller (id and role) and what the request
asks (uri, query, id, data) — nothing else: no clock, no file on disk, no request
log (``log/find`` has its own route and is never kept). Between two writes, the same
read by the same caller — a test polling, a fixture listing the same entities —
gets the same answer bytes without querying and serialising again.

Every write changes the store's :attr:`~accsyn.emulator._store.Store.generation`
(a request, the job simulation, a direct edit through the store's connection), and
the cache starts over, so a read after a write is always answered afresh
(``tests/emulator/test_caches.py``). Errors are never kept.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import to_json

from accsyn.emulator._protocol import Call
from accsyn.emulator._schema import Facts, facts
from accsyn.emulator._store import Store

__all__ = ["ReadCache"]

#: Most answers kept per generation, and the largest answer kept (bytes of JSON).
_ENTRIES = 128
_LARGEST = 1 << 20


class ReadCache:
    """Answer bytes of pure reads, per store generation."""

    __slots__ = ("_answers", "_at", "_facts", "store")

    def __init__(self, store: Store) -> None:
        self.store = store
        self._answers: dict[tuple[Any, ...], tuple[dict[str, Any], bytes]] = {}
        self._at = -1
        self._facts: Facts | None = None

    def key(self, call: Call, code: str) -> tuple[Any, ...]:
        """What the answer of ``call`` depends on, besides the stored rows."""
        env = call.envelope
        ctx = call.ctx
        # JSON of the data, not its items: a key must tell 1 from 1.0 and true.
        data = call.data
        if type(data) is dict and not data:
            data = b"{}"  # most finds: their JSON, without writing it
        elif data is not None:
            data = to_json(data)
        return (
            call.method,
            call.uri,
            env.get("query"),
            env.get("id"),
            data,
            ctx.user.id,
            ctx.role,
            code,
        )

    def get(self, key: tuple[Any, ...]) -> tuple[dict[str, Any], bytes] | None:
        """The kept answer and its JSON, if nothing changed since it was kept."""
        generation, current = self.store.generation, facts()
        if generation != self._at or current is not self._facts:
            self._answers.clear()
            self._at, self._facts = generation, current
            return None
        return self._answers.get(key)

    def put(self, key: tuple[Any, ...], answer: dict[str, Any]) -> bytes:
        """Keep ``answer`` (unless large); its JSON."""
        content = to_json(answer)
        if len(content) <= _LARGEST and self.store.generation == self._at:
            if len(self._answers) >= _ENTRIES:
                self._answers.clear()
            self._answers[key] = (answer, content)
        return content
