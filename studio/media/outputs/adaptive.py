"""Dynamic bitrate: each destination's sustainable video bitrate, from what its server acknowledged.

Pure logic over plain numbers (the show's `studio: bitrate` thread feeds it twice a second):
- congested (`backlog_s`, seconds of stream waiting in our queue and the socket, past `lower_at_s`):
  the allowed bitrate drops to `headroom` × the measured throughput minus the audio, at most once
  per `lower_every_s` (the encoder needs about a second to follow), never below the floor;
- drained (backlog under `calm_s`): it climbs one step (`step` × the configured bitrate) every
  `raise_every_s` (OBS: 10 % every 4 s; we climb a little faster), twice as fast while below what the
  link was seen to carry, never above the configured bitrate. While the link carries all we send
  (the backlog drains) nothing is lowered.
Below the floor nothing more can be lowered: the drop-by-priority rule takes over (policy.admit).
Throughput is measured from acknowledged bytes, so a link that carries nothing reads as nothing, and
bytes parked in the kernel's send buffer are not counted as delivered.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import Enum


class BitrateMode(str, Enum):
    ADAPTIVE = "adaptive"   # follow each destination's link (the default)
    CBR = "cbr"             # the configured bitrate always; congestion drops frames by priority

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class AdaptivePolicy:
    floor_fraction: float = 0.25   # of the configured bitrate …
    floor_min_kbps: int = 300      # … and never below this (a floor above the configured one is it)
    lower_at_s: float = 0.35       # backlog that counts as congestion
    calm_s: float = 0.15           # backlog that counts as drained
    headroom: float = 0.85         # lower to this share of the measured throughput
    lower_every_s: float = 1.0
    raise_every_s: float = 3.0     # above what the link was seen to carry (half that below it)
    step: float = 0.10             # of the configured bitrate, per climb
    window_s: float = 4.0          # throughput is measured over this window (the child reports unevenly)
    max_cut: float = 0.5           # one lowering never goes below this share of the current bitrate

    def floor(self, configured_kbps: int) -> int:
        return min(configured_kbps, max(self.floor_min_kbps, round(configured_kbps * self.floor_fraction)))


class BitrateController:
    """One destination's allowed video bitrate (kbps)."""

    def __init__(self, configured_kbps: int, audio_kbps: int, policy: AdaptivePolicy | None = None) -> None:
        self.policy = policy or AdaptivePolicy()
        self.configured = configured_kbps
        self.audio_kbps = audio_kbps
        self.floor = self.policy.floor(configured_kbps)
        self.allowed = configured_kbps
        self._samples: deque[tuple[float, int]] = deque()
        self._last_change = -1e9
        self._last_lower = -1e9
        self._before_raise: int | None = None   # the calm bitrate before the last step up
        self._calm_since: float | None = None
        self._proven = configured_kbps                   # the highest rate the link has carried calmly

    def reset(self) -> None:
        """A new connection: its throughput is unknown; keep the allowed bitrate (the link is the same)."""
        self._samples.clear()
        self._calm_since = None

    def throughput_kbps(self, span_s: float | None = None) -> float | None:
        """Acknowledged kbps over the window (or its last `span_s` seconds); None before 1 s of samples."""
        if len(self._samples) < 2:
            return None
        t1, b1 = self._samples[-1]
        start = self._samples[0]
        if span_s is not None:
            start = next((s for s in self._samples if t1 - s[0] <= span_s), start)
        t0, b0 = start
        if t1 - t0 < 1.0:
            return None
        return max(0.0, (b1 - b0) * 8 / 1000 / (t1 - t0))

    @property
    def at_floor(self) -> bool:
        return self.allowed <= self.floor

    def update(self, now: float, backlog_s: float, acked_bytes: int) -> str | None:
        """Feed one sample; returns why the allowed bitrate changed ("congested …" / "recovered"), or None."""
        p = self.policy
        if self._samples and acked_bytes < self._samples[-1][1]:
            self._samples.clear()  # a new connection counts from zero
        self._samples.append((now, acked_bytes))
        while len(self._samples) > 2 and now - self._samples[1][0] >= p.window_s:
            self._samples.popleft()
        if backlog_s >= p.lower_at_s:
            self._calm_since = None
            if now - self._last_change < p.lower_every_s or self.at_floor:
                return None   # the last change is still taking effect, or cannot go lower
            # the lower of the long window (steady) and the short one (the link just got slower); the
            # short one swings with the sender's uneven reports, so a lowering soon after another cuts
            # less deep (below) and a noisy sample cannot take it to the floor
            estimates = (self.throughput_kbps(), self.throughput_kbps(p.window_s / 2))
            through = min((t for t in estimates if t is not None), default=None)
            if through is None or through >= (self.allowed + self.audio_kbps) * 0.97:
                return None   # the link carries what we send now: the backlog is draining
            video = through - self.audio_kbps
            target = video * p.headroom
            if target >= self.allowed:
                target = self.allowed * 0.9   # the backlog still grows: the measure lags, go lower anyway
            if self._before_raise is not None and now - self._last_change < 2 * p.raise_every_s:
                # the step up was one too many: back to where the link was calm
                new = max(self.floor, min(self._before_raise, self.allowed - 1))
                self.allowed, self._last_change, self._last_lower = new, now, now
                self._proven, self._before_raise = new, None
                return f"congested: the link carries about {through:.0f} kbps"
            cut = p.max_cut if now - self._last_lower >= 5.0 else (1 + p.max_cut) / 2
            target = max(target, self.allowed * cut)   # one noisy measure cannot crash it to the floor
            new = max(self.floor, min(self.configured, round(target)))
            if new >= self.allowed:
                return None
            self.allowed, self._last_change, self._last_lower = new, now, now
            self._before_raise = None
            self._proven = min(self._proven, max(self.floor, round(video)))
            return f"congested: the link carries about {through:.0f} kbps"
        if backlog_s <= p.calm_s:
            if self._calm_since is None:
                self._calm_since = now
            # up to what the link was seen to carry: quickly; beyond it, one step per raise_every_s
            wait = p.raise_every_s if self.allowed >= self._proven else p.raise_every_s / 2
            if (self.allowed < self.configured and now - self._calm_since >= wait
                    and now - self._last_change >= wait):
                self._proven = max(self._proven, self.allowed)   # calm at this rate: the link carries it
                self._before_raise = self.allowed
                self.allowed = min(self.configured, self.allowed + max(1, round(self.configured * p.step)))
                self._last_change = now
                return "recovered"
            return None
        self._calm_since = None
        return None


def shared_bitrate(configured_kbps: int, allowed: list[int]) -> int:
    """The bitrate of one encode feeding several destinations: the fastest live destination's allowed
    bitrate. A slower destination must not degrade the others: it drops frames by priority alone
    (a second encode for it would cost a second x264 on a laptop that may not have the CPU)."""
    return min(configured_kbps, max(allowed)) if allowed else configured_kbps
