"""Report data: the session log replayed into counters, plus per-minute series for the charts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.live.counters import Counters
from studio.live.session_log import read_rows, replay


@dataclass
class ReportData:
    path: Path
    counters: Counters
    start: float
    end: float
    pins: list[tuple[str, float, float]]        # (sku, start, end)
    orders_per_minute: list[int] = field(default_factory=list)
    chat_per_minute: list[int] = field(default_factory=list)
    reconnects: int = 0
    sessions: int = 0
    demo: bool = False    # a session of it ran the simulated demo feed: its numbers are not real

    @property
    def minutes(self) -> int:
        return len(self.orders_per_minute)

    def totals(self) -> dict[str, Any]:
        return self.counters.totals(self.end)


def _bins(times: list[float], start: float, n: int) -> list[int]:
    out = [0] * n
    for t in times:
        i = int((t - start) // 60)
        if 0 <= i < n:
            out[i] += 1
    return out


MAX_MINUTES = 48 * 60  # a timeline longer than two days is a clock problem, not a show


def build_report(path: str | Path) -> ReportData:
    c = replay(path, keep_times=True)
    show_times, all_times = [], []
    reconnects = sessions = 0
    demo = False
    for _seq, _logged_at, kind, _source, at, data in read_rows(path):
        all_times.append(at)
        if kind in ("chat", "order", "viewers", "pin", "unpin"):
            show_times.append(at)
        if kind == "connector" and data.get("state") == "reconnected":
            reconnects += 1
        if kind == "session" and data.get("what") == "start":
            sessions += 1
            demo = demo or data.get("demo") is True
    # The show runs from its first event to its last row (a "stop" mark closes a pin left open).
    start = min(show_times or all_times) if all_times else 0.0
    end = max(all_times) if all_times else 0.0
    start = max(start, end - MAX_MINUTES * 60)
    n = max(1, math.ceil((end - start) / 60)) if end > start else 1
    return ReportData(
        path=Path(path), counters=c, start=start, end=end, pins=c.pins.intervals(end),
        orders_per_minute=_bins([t for t, _ in c.order_times], start, n),
        chat_per_minute=_bins(c.chat_times, start, n), reconnects=reconnects, sessions=sessions, demo=demo,
    )
