"""The generic reconnect loop: waits from the stop code, Reconnect now, giving up, Stop."""

import threading
import time

from studio.core.backoff import Backoff
from studio.media.outputs.base import Outcome, OutputState, StopCode
from studio.media.outputs.policy import ReconnectPolicy
from studio.media.outputs.supervisor import Supervisor


def run_supervisor(outcomes, policy=None, probe=None):
    stop = threading.Event()
    states = []
    calls = []

    def attempt():
        calls.append(time.monotonic())
        if outcomes:
            return outcomes.pop(0)
        stop.set()
        return Outcome(StopCode.STOPPED)

    sup = Supervisor("x", attempt, lambda s, m: states.append((s, m)),
                     policy or ReconnectPolicy(backoff=Backoff(0.05, 2.0, 0.2, 0.0)), stop, probe=probe)
    t = threading.Thread(target=sup.run, daemon=True)
    t.start()
    return sup, t, stop, states, calls


def test_each_failure_is_said_with_its_sentence_and_the_wait():
    failed = Outcome(StopCode.TIMEOUT, "the server did not answer in time")
    sup, t, _, states, calls = run_supervisor([failed])
    t.join(5)
    assert states[0] == (OutputState.RECONNECTING, "the server did not answer in time; retrying in 0.1 s")
    assert len(calls) == 2 and sup.reconnects == 1


def test_reconnect_now_ends_a_long_wait_at_once():
    policy = ReconnectPolicy(backoff=Backoff(30.0, 1.5, 30.0, 0.0))
    sup, t, stop, states, calls = run_supervisor([Outcome(StopCode.TIMEOUT, "no answer")], policy)
    deadline = time.monotonic() + 5
    while sup.waiting_s == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert 25 < sup.waiting_s <= 30
    asked = time.monotonic()
    assert sup.reconnect_now()
    t.join(5)
    assert not t.is_alive() and calls[1] - asked < 0.5
    assert not sup.reconnect_now()  # not waiting any more


def test_it_gives_up_after_max_retries_with_the_last_reason():
    policy = ReconnectPolicy(backoff=Backoff(0.01, 1.0, 0.01, 0.0), max_retries=2)
    outcomes = [Outcome(StopCode.REFUSED, "refused")] * 5
    sup, t, _, states, calls = run_supervisor(list(outcomes), policy)
    t.join(5)
    assert states[-1] == (OutputState.GAVE_UP, "refused")
    assert len(calls) == 3


def test_stop_during_a_wait_ends_the_loop():
    policy = ReconnectPolicy(backoff=Backoff(30.0, 1.5, 30.0, 0.0))
    sup, t, stop, _, calls = run_supervisor([Outcome(StopCode.TIMEOUT, "x")], policy)
    time.sleep(0.2)
    stop.set()
    t.join(2)
    assert not t.is_alive() and len(calls) == 1


def test_a_server_seen_refusing_and_then_accepting_is_retried_at_once():
    answers = iter([False, False, True])
    policy = ReconnectPolicy(backoff=Backoff(30.0, 1.5, 30.0, 0.0))
    sup, t, _, _, calls = run_supervisor([Outcome(StopCode.REFUSED, "down")], policy,
                                         probe=lambda: next(answers, True))
    t.join(5)
    assert not t.is_alive() and calls[1] - calls[0] < 3.0
