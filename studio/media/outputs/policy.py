"""Output policies as pure functions over plain data: reconnect waits and drop-by-priority."""

from __future__ import annotations

from dataclasses import dataclass, field

from studio.core.backoff import Backoff
from studio.media.outputs.base import Outcome, StopCode
from studio.media.packets import PRIORITY_KEYFRAME, PRIORITY_REFERENCE


@dataclass(frozen=True)
class ReconnectPolicy:
    backoff: Backoff = field(default_factory=lambda: Backoff(first=2.0, factor=1.5, cap=30.0, jitter=0.1))
    rejected_first_delay: float = 10.0  # the server refused to publish (a wrong key): no retry storm
    stable_after_s: float = 10.0        # a connection live this long resets the series
    max_retries: int | None = None      # None: keep trying until Stop (a live show should not give up)


@dataclass(frozen=True)
class RetryPlan:
    delay: float        # seconds to wait before the next attempt
    probe: bool         # meanwhile, try the server's TCP port and go as soon as it is back
    attempt: int        # the attempt counter after this failure


def plan_retry(outcome: Outcome, attempt: int, policy: ReconnectPolicy,
               rnd: float | None = None) -> RetryPlan:
    """What the supervisor does after an attempt ended with `outcome`, `attempt` failures in a row before.

    - live long enough (`stable_after_s`): the series starts again;
    - the sender process died while the connection was fine (killed, crashed): the first retry is at
      once — the server did nothing wrong;
    - a refused key: the series starts at `rejected_first_delay` (10, 15, 22.5, 30 s);
    - a lost connection, a refused port or key: the server's port is probed while waiting."""
    if outcome.connected and outcome.lasted_s >= policy.stable_after_s:
        attempt = 0
    backoff = policy.backoff
    if outcome.code == StopCode.KEY_REJECTED:
        backoff = backoff.starting_at(policy.rejected_first_delay)
    delay = backoff.delay(attempt) if rnd is None else backoff.delay(attempt, lambda: rnd)
    if outcome.code == StopCode.SENDER_DIED and attempt == 0:
        delay = 0.0
    # a refused key may also be a server that went down just after the publish: probing costs nothing
    # there (`server_is_back` needs the port seen refusing first, which a live server never does)
    probe = outcome.code in (StopCode.LOST, StopCode.REFUSED, StopCode.SENDER_DIED, StopCode.STALLED,
                             StopCode.KEY_REJECTED)
    return RetryPlan(delay, probe, attempt + 1)


def reconnect_delay(attempt: int, policy: ReconnectPolicy, rejected: bool = False) -> float:
    """The wait before retry `attempt` (0-based) of an ordinary failure, or of a refused key."""
    code = StopCode.KEY_REJECTED if rejected else StopCode.TIMEOUT
    return plan_retry(Outcome(code), attempt, policy).delay


def should_give_up(attempt: int, policy: ReconnectPolicy) -> bool:
    return policy.max_retries is not None and attempt >= policy.max_retries


def server_is_back(seen_refusing: bool, accepts_now: bool) -> bool:
    """Cut a reconnect wait short? Only when the server's port, seen refusing connections during
    the wait, accepts one again: a server that always accepts TCP (and then rejects the stream, or
    says nothing) keeps the full backoff."""
    return seen_refusing and accepts_now


@dataclass(frozen=True)
class CongestionPolicy:
    drop_nonref_after: float = 0.7   # seconds of queued video: drop disposable frames
    keyframes_only_after: float = 0.9  # seconds of queued video: drop all but keyframes until a keyframe


# While the bitrate is adapting (above its floor) the encoder needs a second or two to follow the link:
# the queue may grow that much before anything is dropped (OBS drops nothing while dynamic bitrate is on).
ADAPTING = CongestionPolicy(drop_nonref_after=2.0, keyframes_only_after=2.5)


def admit(priority: int, queued_video_seconds: float, waiting_for_keyframe: bool,
          policy: CongestionPolicy) -> tuple[bool, bool]:
    """Should an incoming video packet of `priority` be queued? Returns (admit, waiting_for_keyframe).

    Audio always has keyframe priority and is never dropped. Once anything referenced has been
    dropped, every following video packet is dropped until the next keyframe (the decoder could not
    use them anyway).
    """
    if priority >= PRIORITY_KEYFRAME:
        return True, False
    if waiting_for_keyframe:
        return False, True
    if queued_video_seconds >= policy.keyframes_only_after:
        return False, True
    if queued_video_seconds >= policy.drop_nonref_after and priority < PRIORITY_REFERENCE:
        return False, False
    return True, False
