"""``wait``: polls on the session's clock with a growing, jittered pause, until a
wanted status; a typed timeout otherwise. The workspace clock stands in for time, so
nothing here really sleeps."""

from __future__ import annotations

import itertools

import pytest

import accsyn
from accsyn.emulator import LocalWorkspace
from accsyn.emulator._faults import Fault
from accsyn.models import Transfer

from .conftest import DESTINATION, SOURCE, Recorder

#: The pauses of wait() without jitter: 2 s, then 1.5 times longer each time, up to 30 s.
SCHEDULE = [2.0, 3.0, 4.5, 6.75, 10.125, 15.1875, 22.78125, 30.0, 30.0]


def _poll_times() -> list[float]:
    return [0.0, *itertools.accumulate(SCHEDULE)]


def _done_after() -> float:
    """Seconds after creation at which the transfer the tests create is done, found on
    a probe workspace stepped a tenth of a second at a time."""
    with LocalWorkspace.fresh() as probe:
        s = probe.session()
        t = s.transfers.create(name="probe", source=SOURCE, destination=DESTINATION)
        elapsed = 0.0
        while s.transfers.get(t.id).status != "done":  # type: ignore[union-attr]
            probe.clock.advance(0.1)
            elapsed += 0.1
            assert elapsed < 600, "the probe transfer never finished"
        return elapsed


def test_wait_returns_at_done_after_the_expected_number_of_polls(
    recorder: Recorder, ws: LocalWorkspace
) -> None:
    done_at = _done_after()
    expected = next(i for i, t in enumerate(_poll_times(), 1) if t >= done_at - 1e-9)
    with recorder.session() as s:
        t = s.transfers.create(name="waited", source=SOURCE, destination=DESTINATION)
        start = ws.clock.time()
        before = len(recorder.events())
        got = t.wait(timeout=600, jitter=False)
        polls = recorder.events()[before:]
    assert got is t and t.status == "done" and t.progress == 100
    assert [e.uri for e in polls] == ["transfer/find"] * expected
    assert all(e.envelope["id"] == t.id for e in polls)
    # Every pause took simulated time, exactly the schedule up to the last poll.
    assert ws.clock.time() - start == pytest.approx(_poll_times()[expected - 1])


def test_wait_times_out_with_the_last_state(session: accsyn.Session, ws: LocalWorkspace) -> None:
    t = session.transfers.create(
        name="held", source=SOURCE, destination=DESTINATION, status="paused"
    )
    start = ws.clock.time()
    with pytest.raises(accsyn.WaitTimeoutError) as info:
        t.wait(until="done", timeout=10, jitter=False)
    err = info.value
    assert isinstance(err, TimeoutError) and isinstance(err, accsyn.WaitError)
    assert err.timeout == 10 and err.until == ("done",)
    assert isinstance(err.entity, Transfer) and err.entity.status == "paused"
    assert "did not reach done within 10s" in str(err) and "'paused' after 5 polls" in str(err)
    # Polls at 0, 2, 5, 9.5 and at the deadline; never a pause past it.
    assert ws.clock.time() - start == pytest.approx(10)


def test_wait_stops_when_the_job_finished_otherwise(session: accsyn.Session) -> None:
    t = session.transfers.create(name="x", source=SOURCE, destination=DESTINATION).abort()
    with pytest.raises(accsyn.WaitError, match="finished as 'aborted'; it will not reach done"):
        t.wait(until="done", timeout=60)
    assert t.wait(until=("done", "aborted")).status == "aborted"


def test_wait_until_must_name_real_statuses(session: accsyn.Session) -> None:
    t = session.transfers.create(name="x", source=SOURCE, destination=DESTINATION)
    with pytest.raises(accsyn.ValidationError, match="never has status 'don'; did you mean 'done'"):
        t.wait(until="don")


class _Recorded:
    """A session clock that records each pause (and lets time pass on the workspace)."""

    def __init__(self, ws: LocalWorkspace) -> None:
        self.ws = ws
        self.pauses: list[float] = []

    def monotonic(self) -> float:
        return self.ws.clock.time()

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.ws.clock.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def test_pauses_grow_with_jitter_up_to_the_ceiling(
    session: accsyn.Session, ws: LocalWorkspace
) -> None:
    clock = _Recorded(ws)
    t = session.transfers.create(
        name="held", source=SOURCE, destination=DESTINATION, status="paused"
    )
    with pytest.raises(accsyn.WaitTimeoutError):
        t.wait(timeout=200, clock=clock, max_interval=20)
    pauses = clock.pauses[:-1]  # the last one is cut at the deadline
    assert len(pauses) >= 8
    ceilings = [min(20.0, 2.0 * 1.5**i) for i in range(len(pauses))]
    for pause, ceiling in zip(pauses, ceilings, strict=True):
        assert 0.8 * ceiling <= pause <= 1.2 * ceiling
    assert len(set(pauses)) == len(pauses)  # jittered: no two alike
    assert sum(clock.pauses) == pytest.approx(200)


def test_a_429_beyond_the_retries_pauses_the_wait_for_retry_after(
    session: accsyn.Session, ws: LocalWorkspace
) -> None:
    t = session.transfers.create(name="x", source=SOURCE, destination=DESTINATION)
    clock = _Recorded(ws)
    # Longer than the session's retries will sleep: the read raises RateLimitError.
    ws.faults.script(Fault(status=429, retry_after=120))
    got = t.wait(timeout=600, clock=clock, jitter=False)
    assert got.status == "done"
    assert clock.pauses[0] == 120  # the server's wait, not the first 2 s


async def test_await_polls_on_the_async_session(recorder: Recorder, ws: LocalWorkspace) -> None:
    async with recorder.async_session() as s:
        t = await s.transfers.create(name="awaited", source=SOURCE, destination=DESTINATION)
        got = await t.await_(until="done", timeout=600, jitter=False)
        assert got.status == "done"
        with pytest.raises(accsyn.AccsynError, match=r"use await entity.await_\(\)"):
            t.wait()
    assert len(recorder.events("transfer/find")) >= 2


def test_polls_share_the_sessions_rate_limiter(ws: LocalWorkspace) -> None:
    # One request per 10 s, no burst: the limiter, not wait()'s own schedule, spaces
    # the polls, and it waits on the same clock.
    clock = _Recorded(ws)
    limited = ws.session(clock=clock, rate_limit=accsyn.RateLimit(rate=0.1, burst=1))
    t = limited.transfers.create(
        name="limited", source=SOURCE, destination=DESTINATION, status="paused"
    )
    clock.pauses.clear()
    with pytest.raises(accsyn.WaitTimeoutError):
        t.wait(timeout=30, jitter=False)
    # wait()'s pauses (2, 3, 4.5, …) interleave with the limiter's (the rest of 10 s).
    assert clock.pauses[:4] == pytest.approx([10.0, 2.0, 8.0, 3.0], abs=0.01)
