"""What each destination got, for the line every show ends with.

`LiveRecord` follows an output's states as they happen (the output's own threads call `on_state`);
`DestinationSummary` is its frozen result: when it first went live, for how long, reconnects, the
bitrate range it was fed, frames dropped — or why it never went live.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from studio.media.outputs.base import OutputState


@dataclass(frozen=True)
class DestinationSummary:
    name: str
    first_live_at: float | None      # wall-clock epoch seconds
    live_s: float
    reconnects: int                  # times it went live again after having been live
    bitrate_min_kbps: int
    bitrate_max_kbps: int
    frames_dropped: int
    never_reason: str = ""           # why it never went live ("" when it did)

    @property
    def went_live(self) -> bool:
        return self.first_live_at is not None

    def line(self) -> str:
        if not self.went_live:
            return f"{self.name}: never went live: {self.never_reason or 'no connection was made'}"
        at = time.strftime("%H:%M:%S", time.localtime(self.first_live_at))
        m, s = divmod(int(round(self.live_s)), 60)
        h, m = divmod(m, 60)
        rate = (f"{self.bitrate_max_kbps} kbps" if self.bitrate_min_kbps == self.bitrate_max_kbps
                else f"{self.bitrate_min_kbps}–{self.bitrate_max_kbps} kbps")
        return (f"{self.name}: live from {at} for {h:d}:{m:02d}:{s:02d}, "
                f"{self.reconnects} reconnect{'s' if self.reconnects != 1 else ''}, {rate}, "
                f"{self.frames_dropped} frame{'s' if self.frames_dropped != 1 else ''} dropped")

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "went_live": self.went_live, "first_live_at": self.first_live_at,
                "live_s": round(self.live_s, 1), "reconnects": self.reconnects,
                "bitrate_min_kbps": self.bitrate_min_kbps, "bitrate_max_kbps": self.bitrate_max_kbps,
                "frames_dropped": self.frames_dropped, "never_reason": self.never_reason,
                "line": self.line()}


class LiveRecord:
    """Live time, first-live moment, reconnects and the bitrate range of one destination."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.first_live_at: float | None = None
        self._live_since: float | None = None
        self._live_s = 0.0
        self._stalled = False
        self.reconnects = 0
        self.last_problem = ""
        self._rate: tuple[int, int] | None = None

    def on_state(self, state: OutputState, message: str, bitrate_kbps: int) -> None:
        now = time.monotonic()
        with self._lock:
            live = state == OutputState.LIVE
            if live and self._live_since is None:
                if self.first_live_at is None:
                    self.first_live_at = time.time()
                elif not self._stalled:
                    self.reconnects += 1   # back from a stall is the same connection
                self._live_since = now
                self._note_rate(bitrate_kbps)
            elif not live and self._live_since is not None:
                self._live_s += now - self._live_since   # a stall is not time on air
                self._live_since = None
            self._stalled = state == OutputState.STALLED
            if state in (OutputState.RECONNECTING, OutputState.GAVE_UP, OutputState.ERROR) and message:
                self.last_problem = message.split("; retrying")[0]

    def on_bitrate(self, kbps: int) -> None:
        with self._lock:
            if self._live_since is not None:
                self._note_rate(kbps)

    def _note_rate(self, kbps: int) -> None:
        lo, hi = self._rate or (kbps, kbps)
        self._rate = (min(lo, kbps), max(hi, kbps))

    def summary(self, name: str, frames_dropped: int) -> DestinationSummary:
        with self._lock:
            live_s = self._live_s + (time.monotonic() - self._live_since if self._live_since else 0.0)
            lo, hi = self._rate or (0, 0)
            return DestinationSummary(name, self.first_live_at, live_s, self.reconnects, lo, hi,
                                      frames_dropped, "" if self.first_live_at else self.last_problem)
