"""Output policies as pure functions over plain data: reconnect delay and drop-by-priority."""

from __future__ import annotations

import random
from dataclasses import dataclass

from studio.media.packets import PRIORITY_KEYFRAME, PRIORITY_REFERENCE


@dataclass(frozen=True)
class ReconnectPolicy:
    first_delay: float = 2.0
    factor: float = 1.5
    max_delay: float = 30.0
    jitter: float = 0.1          # ± fraction of the delay
    max_retries: int | None = None  # None: keep trying until Stop (a live show should not give up)
    rejected_first_delay: float = 10.0  # the server refused to publish (a wrong key): no retry storm


def reconnect_delay(attempt: int, policy: ReconnectPolicy, rng: random.Random | None = None,
                    rejected: bool = False) -> float:
    """Seconds to wait before reconnect attempt `attempt` (0-based): 2 s, ×1.5 each time, capped, ± jitter.

    After a rejection (the server answered and refused to publish, as with a wrong stream key)
    retrying soon cannot help: the series starts at `rejected_first_delay` instead (10, 15, 22.5,
    30 s: four attempts in the first minute, two a minute after)."""
    first = max(policy.first_delay, policy.rejected_first_delay) if rejected else policy.first_delay
    base = min(first * policy.factor ** attempt, policy.max_delay)
    j = (rng or random).uniform(-policy.jitter, policy.jitter) if policy.jitter else 0.0
    return max(0.0, base * (1.0 + j))


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
