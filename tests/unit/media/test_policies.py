import random

from hypothesis import given
from hypothesis import strategies as st

from studio.media.outputs.policy import (
    CongestionPolicy,
    ReconnectPolicy,
    admit,
    reconnect_delay,
    should_give_up,
)
from studio.media.packets import PRIORITY_DISPOSABLE, PRIORITY_KEYFRAME, PRIORITY_REFERENCE

P = ReconnectPolicy(first_delay=2.0, factor=1.5, max_delay=30.0, jitter=0.0)


def test_reconnect_waits_two_seconds_first_then_grows_by_half():
    assert [reconnect_delay(a, P) for a in range(4)] == [2.0, 3.0, 4.5, 6.75]


def test_reconnect_delay_is_capped():
    assert reconnect_delay(50, P) == 30.0


@given(st.integers(0, 200), st.integers(0, 2**32))
def test_jitter_stays_within_ten_percent(attempt, seed):
    p = ReconnectPolicy(jitter=0.1)
    base = reconnect_delay(attempt, ReconnectPolicy(jitter=0.0))
    d = reconnect_delay(attempt, p, random.Random(seed))
    assert base * 0.9 - 1e-9 <= d <= base * 1.1 + 1e-9


def test_unlimited_retries_never_give_up_and_limited_do():
    assert not should_give_up(10_000, ReconnectPolicy(max_retries=None))
    assert should_give_up(3, ReconnectPolicy(max_retries=3))


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
