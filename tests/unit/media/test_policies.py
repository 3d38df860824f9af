import pytest
from hypothesis import given
from hypothesis import strategies as st

from studio.core.backoff import Backoff
from studio.media.outputs.base import Outcome, StopCode
from studio.media.outputs.policy import (
    CongestionPolicy,
    ReconnectPolicy,
    admit,
    plan_retry,
    reconnect_delay,
    should_give_up,
)
from studio.media.packets import PRIORITY_DISPOSABLE, PRIORITY_KEYFRAME, PRIORITY_REFERENCE

P = ReconnectPolicy(backoff=Backoff(first=2.0, factor=1.5, cap=30.0, jitter=0.0))


def test_reconnect_waits_two_seconds_first_then_grows_by_half():
    assert [reconnect_delay(a, P) for a in range(4)] == [2.0, 3.0, 4.5, 6.75]


def test_reconnect_delay_is_capped():
    assert reconnect_delay(50, P) == 30.0


def test_a_refused_key_backs_off_from_ten_seconds():
    assert [reconnect_delay(a, P, rejected=True) for a in range(5)] == [10.0, 15.0, 22.5, 30.0, 30.0]


@given(st.integers(0, 200), st.floats(0, 1))
def test_jitter_stays_within_ten_percent(attempt, r):
    base = ReconnectPolicy(backoff=Backoff(2.0, 1.5, 30.0, jitter=0.0)).backoff.delay(attempt)
    d = ReconnectPolicy().backoff.delay(attempt, lambda: r)
    assert base * 0.9 - 1e-9 <= d <= base * 1.1 + 1e-9


def test_unlimited_retries_never_give_up_and_limited_do():
    assert not should_give_up(10_000, ReconnectPolicy(max_retries=None))
    assert should_give_up(3, ReconnectPolicy(max_retries=3))


@pytest.mark.parametrize("code,probe", [(StopCode.LOST, True), (StopCode.REFUSED, True),
                                        (StopCode.KEY_REJECTED, True), (StopCode.TIMEOUT, False),
                                        (StopCode.UNRESOLVED, False), (StopCode.TLS_REJECTED, False)])
def test_the_supervisor_probes_only_when_the_server_may_come_back(code, probe):
    assert plan_retry(Outcome(code), 0, P).probe is probe


def test_a_killed_sender_is_restarted_at_once_then_backs_off():
    died = Outcome(StopCode.SENDER_DIED, connected=True, lasted_s=3.0)
    first = plan_retry(died, 0, P)
    assert first.delay == 0.0
    assert plan_retry(died, first.attempt, P).delay == 3.0


def test_a_connection_live_long_enough_starts_the_series_again():
    lost = Outcome(StopCode.LOST, connected=True, lasted_s=60.0)
    assert plan_retry(lost, 7, P).delay == 2.0
    assert plan_retry(Outcome(StopCode.LOST, connected=True, lasted_s=1.0), 3, P).delay == 6.75


C = CongestionPolicy()


def test_uncongested_queue_admits_everything():
    for prio in (PRIORITY_DISPOSABLE, PRIORITY_REFERENCE, PRIORITY_KEYFRAME):
        assert admit(prio, 0.1, False, C) == (True, False)


def test_past_700ms_disposable_frames_go_first():
    assert admit(PRIORITY_DISPOSABLE, 0.75, False, C) == (False, False)
    assert admit(PRIORITY_REFERENCE, 0.75, False, C) == (True, False)


def test_past_900ms_only_keyframes_and_then_wait_for_the_next_keyframe():
    assert admit(PRIORITY_REFERENCE, 0.95, False, C) == (False, True)
    # even once the queue drains, a P-frame cannot be decoded without what was dropped
    assert admit(PRIORITY_REFERENCE, 0.0, True, C) == (False, True)
    assert admit(PRIORITY_KEYFRAME, 0.0, True, C) == (True, False)


@given(st.lists(st.tuples(st.sampled_from([PRIORITY_DISPOSABLE, PRIORITY_REFERENCE, PRIORITY_KEYFRAME]),
                          st.floats(0, 5)), max_size=200))
def test_keyframes_and_audio_are_never_dropped(seq):
    waiting = False
    for prio, queued in seq:
        ok, waiting = admit(prio, queued, waiting, C)
        if prio == PRIORITY_KEYFRAME:
            assert ok
