"""Sans-IO skip/limit pagination over a result set that may change while we read it.

The protocol pages ``<type>/find`` with ``skip`` + ``limit`` and no cursor, so a plain
``skip += page`` loop duplicates rows when entities are inserted before the read
position and silently skips rows when entities ahead of it disappear (a transfer that
finishes leaves the active pool). :class:`Pager` decides which ``(skip, limit)`` to ask
for next and which received rows are new; it never performs I/O, so the sync and the
async drivers share it.

How it stays correct:

* **Overlap anchor.** After the first page every request starts one row early
  (``skip = position - 1``) and asks for one row more (``page_size + 1``): the first
  row returned should be the last row we already handed out. If it is, the rest of
  the page is new, so every page carries ``page_size`` new rows (166 entities at
  page size 10 take 17 requests). Keep the page size one below a server maximum.
* **Shift forward** (rows inserted before the position): the anchor shows up later in
  the page; the rows up to it were already handed out and are dropped.
* **Shift backward** (rows removed before the position): the anchor is not in the page.
  The pager rewinds a page at a time until it finds a row it already handed out, then
  resumes after it, so rows that slid back over the read position are not lost.
* **De-duplication** against the ids of the ``max(10,000, 4 × page_size)`` entities
  handed out or re-read most recently (about 1 MB), so memory stays bounded however
  long the result: rows and models are held one page at a time.
* **Give-up.** If rewinding reaches the offset without finding any remembered id (all
  of them were removed between two requests, or the server's order is not stable),
  paging carries on from the offset while every id handed out is still remembered,
  and otherwise resumes plainly where the anchor was lost: rows that slid back past
  it may be missed then, but none is repeated. :attr:`Pager.gave_up` says so, and the
  drivers log a warning naming the request: never a silently short result.
* **End.** A page shorter than requested is the end of the result set; a user
  ``limit`` is never exceeded and never over-fetched (each request asks only for what
  is still wanted, plus the one anchor row).
* Rows without an ``id`` can be neither anchors nor de-duplicated; they page plainly.

The guarantee, for a server returning rows in a stable order and a result set that
changes by fewer rows between two requests than the remembered window (10,000 by
default): every entity that matches for the whole iteration is yielded exactly once,
and no entity is yielded twice; entities created or removed during the iteration may
or may not appear.
It assumes the server honours ``limit`` up to ``page_size`` (a short page means the
end), so keep the page size within the server's maximum.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "PageRequest", "Pager"]

#: Rows per ``find`` request when iterating, unless ``page_size(n)`` says otherwise.
DEFAULT_PAGE_SIZE = 100
#: Largest page size accepted; bigger pages risk server caps and huge responses.
MAX_PAGE_SIZE = 10_000
#: Fewest recently handed-out ids remembered for anchoring and de-duplication.
MIN_WINDOW = 10_000
#: Rewinds tolerated beyond two per forward page before the order is deemed unstable.
_REWIND_SLACK = 16


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One page to fetch: ``skip`` rows, then at most ``limit`` rows."""

    skip: int
    limit: int


def _row_id(row: Mapping[str, Any]) -> str | None:
    value = row.get("id") if isinstance(row, Mapping) else None
    return value if isinstance(value, str) and value else None


class Pager:
    """Decide the next ``(skip, limit)`` and filter each received page to new rows.

    Drive it with ``while (req := pager.next_request()) is not None: rows = fetch(req);
    new = pager.feed(rows)``. ``feed`` must be called once after each ``next_request``.
    ``window`` is how many recently handed-out ids are remembered (default
    ``max(10,000, 4 × page_size)``).
    """

    __slots__ = (
        "_anchor",
        "_done",
        "_evicted",
        "_mode",
        "_origin",
        "_page_size",
        "_pending",
        "_pos",
        "_remaining",
        "_rewind_skip",
        "_rewinds",
        "_seen",
        "_start",
        "_unstable",
        "_window",
        "requests",
    )

    def __init__(
        self,
        *,
        offset: int = 0,
        limit: int | None = None,
        page_size: int,
        window: int | None = None,
    ) -> None:
        if offset < 0:
            raise ValueError("offset must be >= 0")
        if limit is not None and limit < 0:
            raise ValueError("limit must be >= 0")
        if page_size < 1:
            raise ValueError("page_size must be >= 1")
        if window is None:
            window = max(MIN_WINDOW, 4 * page_size)
        if window < 2 * page_size:
            raise ValueError("window must be >= 2 * page_size")
        self._start = offset
        self._pos = offset
        self._remaining = limit
        self._page_size = page_size
        # The ids handed out, least recently read first, at most ``window`` of them.
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._window = window
        self._evicted = False
        self._rewinds = 0
        self._anchor: str | None = None
        self._rewind_skip: int | None = None
        # Where the request that lost its anchor started, to resume from if rewinding
        # finds nothing we remember.
        self._origin: int | None = None
        self._pending: PageRequest | None = None
        self._mode = "plain"
        # Set once the server's order proved unstable: stop rewinding (which could
        # then cost a request per page read) and page plainly, still de-duplicating.
        self._unstable = False
        self._done = limit == 0
        #: Number of requests issued so far.
        self.requests = 0

    @property
    def gave_up(self) -> bool:
        """Whether the pager lost its place and paged on without rewinding.

        That happens only when every remembered row before the read position was
        removed while reading (or the server's order proved unstable): rows that
        slid back past the position may then have been missed, though none is
        yielded twice. Drivers log a warning; a caller that must not miss rows
        should re-run the query.
        """
        return self._unstable

    @property
    def done(self) -> bool:
        """Whether no further request is needed."""
        return self._done

    def next_request(self) -> PageRequest | None:
        """The next page to fetch, or ``None`` when the iteration is complete."""
        if self._pending is not None:
            raise RuntimeError("feed() the previous page before asking for the next one")
        if self._done:
            return None
        want = self._page_size
        if self._remaining is not None:
            want = min(want, self._remaining)
        if self._rewind_skip is not None:
            req = PageRequest(self._rewind_skip, self._page_size)
            self._mode = "rewind"
        elif self._anchor is not None and self._pos > self._start:
            # One row more than the page: the anchor, then ``want`` new rows, so a
            # page holds ``page_size`` new rows as users read "page size".
            req = PageRequest(self._pos - 1, want + 1)
            self._mode = "overlap"
        else:
            req = PageRequest(self._pos, want)
            self._mode = "plain"
        self._pending = req
        self.requests += 1
        return req

    def _remember(self, rid: str) -> None:
        self._seen[rid] = None
        if len(self._seen) > self._window:
            self._evicted = True
            self._seen.popitem(last=False)

    def feed(self, rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        """Take the rows returned for the pending request; return the new ones, in order."""
        req = self._pending
        if req is None:
            raise RuntimeError("feed() called without a pending request")
        self._pending = None
        n = len(rows)
        short = n < req.limit
        candidates: Sequence[Mapping[str, Any]] = rows
        last_known = -1
        for i, row in enumerate(rows):
            rid = _row_id(row)
            if rid is not None and rid in self._seen:
                last_known = i
                # Read again near the position: keep it remembered (it may be the
                # anchor of a later page) rather than let newer rows evict it.
                self._seen.move_to_end(rid)
        if self._mode != "plain":
            if last_known >= 0:
                candidates = rows[last_known + 1 :]
                self._rewind_skip = self._origin = None
            elif req.skip > self._start and not self._unstable:
                # Rows we handed out slid back before ``skip``: look further back so
                # the rows that slid over the read position are not lost.
                if self._origin is None:
                    self._origin = req.skip
                self._rewinds += 1
                # Rewinding should be rare (one per burst of removals); far more
                # rewinds than forward pages means the order itself is unstable.
                if self._rewinds > 2 * (self.requests - self._rewinds) + _REWIND_SLACK:
                    self._unstable = True
                self._rewind_skip = max(self._start, req.skip - self._page_size)
                return []
            elif self._origin is not None and self._evicted:
                # Nothing we remember is left, and rows from before the window would
                # look new: resume plainly where the anchor was lost instead.
                self._pos = self._origin
                self._rewind_skip = self._origin = self._anchor = None
                self._unstable = True
                return []
            else:
                # Every id handed out is still remembered, so whatever is unknown
                # here is new: carry on from this page.
                self._rewind_skip = self._origin = None
        new: list[Mapping[str, Any]] = []
        for row in candidates:
            if self._remaining is not None and len(new) >= self._remaining:
                self._done = True
                break
            rid = _row_id(row)
            if rid is not None:
                if rid in self._seen:
                    continue
                self._remember(rid)
            new.append(row)
        if self._remaining is not None:
            self._remaining -= len(new)
            if self._remaining == 0:
                self._done = True
        self._pos = req.skip + n
        self._anchor = _row_id(rows[-1]) if n else None
        if short:
            self._done = True
        return new
