"""The one backoff every retry in the studio uses: outputs, connectors, cameras, microphones.

`Backoff(first, factor, cap, jitter)`: the wait before retry `attempt` (0-based) is
first·factor^attempt, capped at `cap` (never below `first`), ± `jitter` (a fraction). Every loop that
retries takes its waits from here, so each has a floor (`first`) and a ceiling (`cap`), and none spins.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

Rnd = Callable[[], float]


@dataclass(frozen=True)
class Backoff:
    first: float = 1.0
    factor: float = 2.0
    cap: float = 60.0
    jitter: float = 0.1   # ± fraction of the delay

    def __post_init__(self) -> None:
        if not (math.isfinite(self.first) and self.first >= 0 and math.isfinite(self.cap)
                and math.isfinite(self.factor) and self.factor >= 1 and 0 <= self.jitter < 1):
            raise ValueError(f"invalid backoff {self!r}")

    def delay(self, attempt: int, rnd: Rnd = random.random) -> float:
        """Seconds to wait before retry `attempt` (0-based)."""
        ceiling = max(self.cap, self.first)
        try:
            base = min(self.first * self.factor ** min(max(attempt, 0), 64), ceiling)
        except OverflowError:  # a factor so large that factor^attempt is past any float: the ceiling
            base = ceiling
        if not self.jitter:
            return base
        return max(0.0, base * (1 + self.jitter * (2 * rnd() - 1)))

    def starting_at(self, first: float) -> Backoff:
        """The same series started later (a refused stream key: no retry storm), never below ours."""
        return Backoff(max(first, self.first), self.factor, max(self.cap, first), self.jitter)


def retry_wait(attempt: int, policy: Backoff, retry_after: float | None = None,
               hold: float | None = None, rnd: Rnd = random.random) -> float:
    """Seconds before the next try after the `attempt`-th failure in a row (0-based).

    Our own backoff is the floor: a server's `retry_after` can lengthen the wait, never shorten it (a
    `Retry-After: 0` answered at once is a request storm), and counts only up to `policy.cap` (a
    `Retry-After` of a day would look like a dead feed; one request per cap costs nothing). A `hold` is
    the caller's own setting and is used as it is, but never below `policy.first`."""
    if hold is not None and math.isfinite(hold):
        return max(hold, policy.first, 0.0)
    wait = policy.delay(attempt, rnd)
    if retry_after is not None and math.isfinite(retry_after):
        wait = max(wait, min(retry_after, policy.cap))
    return wait
