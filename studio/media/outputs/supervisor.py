"""The generic layer every reconnecting output runs under: attempts, waits, probing, Reconnect now.

An output plugin gives the supervisor one callable, `attempt() -> Outcome` (one connection, from
spawn to its end), and optionally `probe() -> bool` (does the server's port accept TCP now?). The
supervisor owns the loop: it asks `policy.plan_retry` what the outcome means, says `reconnecting`
with the plugin's sentence and the wait, probes meanwhile, and starts the next attempt when the wait
is over, the server is back, or the host pressed Reconnect now.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from studio.core.log import get_logger
from studio.media.outputs.base import Outcome, OutputState, StopCode
from studio.media.outputs.policy import ReconnectPolicy, plan_retry, server_is_back, should_give_up

log = get_logger("media.supervisor")

PROBE_INTERVAL = 0.5  # while waiting to reconnect: how often to check whether the server is back
TICK = 0.1            # how soon a wait notices Stop or Reconnect now


class Supervisor:
    def __init__(self, name: str, attempt: Callable[[], Outcome],
                 set_state: Callable[[OutputState, str], None],
                 policy: ReconnectPolicy, stop: threading.Event,
                 probe: Callable[[], bool] | None = None) -> None:
        self.name = name
        self._attempt = attempt
        self._set_state = set_state
        self.policy = policy
        self._stop = stop
        self._probe = probe
        self._now = threading.Event()
        self.reconnects = 0
        self.wait_until: float | None = None   # monotonic end of the current backoff, None when not waiting

    def reconnect_now(self) -> bool:
        """Cut the current wait short (the host's Reconnect now). False when not waiting."""
        if self.wait_until is None:
            return False
        self._now.set()
        return True

    @property
    def waiting_s(self) -> float:
        until = self.wait_until
        return 0.0 if until is None else max(0.0, until - time.monotonic())

    def run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            outcome = self._attempt()
            if self._stop.is_set() or outcome.code == StopCode.STOPPED:
                return
            if should_give_up(attempt, self.policy):
                self._set_state(OutputState.GAVE_UP, outcome.message or "too many failed attempts")
                return
            plan = plan_retry(outcome, attempt, self.policy)
            attempt = plan.attempt
            self.reconnects += 1
            why = outcome.message or "connection lost"
            if plan.delay > 0:
                self._set_state(OutputState.RECONNECTING, f"{why}; retrying in {plan.delay:.1f} s")
            else:
                self._set_state(OutputState.RECONNECTING, f"{why}; retrying now")
            if not self._wait(plan.delay, plan.probe, refused=outcome.code == StopCode.REFUSED):
                return

    def _wait(self, delay: float, probe: bool, refused: bool) -> bool:
        """Wait `delay` seconds, or until the server is back (probing its TCP port: once seen refusing,
        an accept means it restarted; probing stops at the first accept, so a server that accepts TCP
        and rejects the stream keeps its full backoff), or until Reconnect now. False when stopped."""
        self._now.clear()
        self.wait_until = time.monotonic() + delay
        seen_refusing = refused
        next_probe = time.monotonic() + PROBE_INTERVAL
        try:
            while True:
                remaining = self.wait_until - time.monotonic()
                if remaining <= 0 or self._now.is_set():
                    return not self._stop.is_set()
                if self._stop.wait(min(TICK, remaining)):
                    return False
                if self._now.is_set():
                    log.info("%s: reconnecting now (asked by the host)", self.name)
                    return True
                if not probe or self._probe is None or time.monotonic() < next_probe:
                    continue
                next_probe = time.monotonic() + PROBE_INTERVAL
                accepts = self._probe()
                if server_is_back(seen_refusing, accepts):
                    log.info("%s: the server accepts connections again; reconnecting now", self.name)
                    return True
                seen_refusing = seen_refusing or not accepts
                probe = not accepts
        finally:
            self.wait_until = None
