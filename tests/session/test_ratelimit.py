"""The client-side token bucket: bursts, then an even pace; shared by a session."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import accsyn
from accsyn._http import TokenBucket

from .conftest import API_KEY, USERNAME, WORKSPACE, FakeClock, MockBackend


def test_burst_then_paced() -> None:
    bucket = TokenBucket(accsyn.RateLimit(rate=10, burst=3), now=0.0)
    waits = [bucket.reserve(0.0) for _ in range(6)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert [round(w, 6) for w in waits[3:]] == [0.1, 0.2, 0.3]
    # Tokens come back with time, never above the burst size.
    assert bucket.reserve(100.0) == 0.0
    assert [bucket.reserve(100.0) for _ in range(2)] == [0.0, 0.0]
    assert bucket.reserve(100.0) > 0


@given(
    st.floats(min_value=1, max_value=100),
    st.integers(min_value=1, max_value=20),
    st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=200),
)
def test_no_window_exceeds_burst_plus_rate(rate: float, burst: int, gaps: list[float]) -> None:
    bucket = TokenBucket(accsyn.RateLimit(rate=rate, burst=burst), now=0.0)
    now, starts = 0.0, []
    for gap in gaps:
        now += gap
        starts.append(now + bucket.reserve(now))
    starts.sort()
    for i, first in enumerate(starts):
        for j in range(i, len(starts)):
            window = starts[j] - first
            assert j - i + 1 <= burst + rate * window + 1e-6


def test_a_session_shares_one_bucket(clock: FakeClock, backend: MockBackend) -> None:
    with accsyn.Session(
        workspace=WORKSPACE,
        username=USERNAME,
        api_key=API_KEY,
        base_url="https://acme.test",
        transport=backend.transport(),
        clock=clock,
        rate_limit=accsyn.RateLimit(rate=10, burst=2),
    ) as session:
        for _ in range(5):
            session.files.exists("share=x")
    # Login and the first find use the burst; the other four wait a tenth each.
    assert [round(s, 6) for s in clock.sleeps] == [0.1] * 4
    assert len(backend.requests) == 6


def test_rate_limit_none_turns_it_off(clock: FakeClock, backend: MockBackend) -> None:
    with accsyn.Session(
        workspace=WORKSPACE,
        username=USERNAME,
        api_key=API_KEY,
        base_url="https://acme.test",
        transport=backend.transport(),
        clock=clock,
        rate_limit=None,
    ) as session:
        for _ in range(100):
            session.files.exists("share=x")
    assert clock.sleeps == []
