"""Report data: the session log replayed into counters, plus per-minute series for the charts.

Only the time on air counts. A session log holds one or more shows, each from its `start` mark (Go
live; a restarted kiosk show appends a new one) to its `stop` mark. Orders, chat and viewers whose own
time falls inside a show are the show's; those before the first show are *pre-live* and those between
two shows *off air*: both are reported apart and never added to the show's totals. Inside a show,
the stream events say when no destination (nor the recording) was up — connecting, reconnecting —
and that time is reported as off air too. Pins are clipped to the shows.

Every logged order, chat line, viewer count and refund is judged again by `studio.live.validate`
(against the moment it was logged), so a log written before those rules, or by another program,
cannot put an impossible number in the report: what fails is counted as rejected with its reason,
beside the `rejected` rows the show itself wrote. Refunds and cancellations are reported apart, for
the whole log, and never subtracted from GMV.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from studio.core.events import ProductPinned, ProductUnpinned
from studio.live.counters import Counters, from_money_mark, money_json
from studio.live.events import Cancellation, ChatMessage, FeedState, Order, Refund, ViewerCount
from studio.live.session_log import apply, decode, read_rows
from studio.live.validate import event_kind, rejection_key, validate

UP = ("live", "recording")                                   # an output carrying the show
DOWN = ("connecting", "stalled", "reconnecting", "gave_up", "error", "stopped")   # stalled: nothing through
MAX_MINUTES = 48 * 60  # a timeline longer than two days is a clock problem, not a show


@dataclass
class Apart:
    """Orders and chat outside the show (before it, or between two shows of one log)."""

    orders: int = 0
    gmv: dict[str, Decimal] = field(default_factory=dict)
    chat_messages: int = 0

    def add(self, event: Any) -> None:
        if isinstance(event, Order):
            self.orders += 1
            self.gmv[event.currency] = self.gmv.get(event.currency, Decimal(0)) + event.total
        elif isinstance(event, ChatMessage):
            self.chat_messages += 1

    def json(self) -> dict[str, Any]:
        return {"orders": self.orders, "gmv": money_json(self.gmv), "chat_messages": self.chat_messages}


@dataclass
class ReportData:
    path: Path
    counters: Counters
    start: float
    end: float
    pins: list[tuple[str, float, float]]        # (sku, start, end), clipped to the shows
    windows: list[tuple[float, float]] = field(default_factory=list)   # each show: Go live … Stop
    off_air: list[tuple[float, float]] = field(default_factory=list)   # inside the shows: nothing up
    orders_per_minute: list[int] = field(default_factory=list)
    chat_per_minute: list[int] = field(default_factory=list)
    reconnects: int = 0                          # a destination that was live went live again
    feed_reconnects: int = 0
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)   # name → reconnects, seconds up
    pre_live: Apart = field(default_factory=Apart)
    between: Apart = field(default_factory=Apart)
    demo: bool = False    # a session of it ran the simulated demo feed: its numbers are not real

    @property
    def sessions(self) -> int:
        return len(self.windows)

    @property
    def minutes(self) -> int:
        return len(self.orders_per_minute)

    @property
    def show_seconds(self) -> float:
        return sum(e - s for s, e in self.windows)

    @property
    def off_air_seconds(self) -> float:
        return sum(e - s for s, e in self.off_air)

    @property
    def on_air_seconds(self) -> float:
        return max(0.0, self.show_seconds - self.off_air_seconds)

    def pinned_seconds(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for sku, s, e in self.pins:
            out[sku] = out.get(sku, 0.0) + (e - s)
        return out

    def totals(self) -> dict[str, Any]:
        t = self.counters.totals(self.end, pinned=self.pinned_seconds())
        t.update({
            "shows": self.sessions, "show_seconds": round(self.show_seconds, 3),
            "on_air_seconds": round(self.on_air_seconds, 3),
            "off_air_seconds": round(self.off_air_seconds, 3),
            "reconnects": self.reconnects, "feed_reconnects": self.feed_reconnects,
            "outputs": self.outputs, "pre_live": self.pre_live.json(), "between_shows": self.between.json(),
        })
        return t


def _bins(times: list[float], start: float, n: int) -> list[int]:
    out = [0] * n
    for t in times:
        i = int((t - start) // 60)
        if 0 <= i < n:
            out[i] += 1
    return out


def _windows(rows: list[tuple[int, float, str, str, float, dict[str, Any]]]) -> list[tuple[float, float]]:
    """Each show's (start, stop) from the session marks; a show left open by a crash ends at the last
    row written; a log with no marks is one show over all its rows."""
    out: list[tuple[float, float]] = []
    opened: float | None = None
    last = max((r[1] for r in rows), default=0.0)
    for _seq, logged_at, kind, _source, _at, data in rows:
        if kind != "session":
            continue
        if data.get("what") == "start":
            if opened is not None:
                out.append((opened, logged_at))
            opened = logged_at
        elif data.get("what") == "stop" and opened is not None:
            out.append((opened, max(opened, logged_at)))
            opened = None
    if opened is not None:
        out.append((opened, max(opened, last)))
    if not out and rows:
        times = [r[4] for r in rows]
        out.append((min(times), max(times)))
    return out


def _inside(t: float, windows: list[tuple[float, float]]) -> bool:
    return any(s <= t <= e for s, e in windows)


def _clip(intervals: list[tuple[str, float, float]], windows: list[tuple[float, float]]
          ) -> list[tuple[str, float, float]]:
    out = []
    for sku, s, e in intervals:
        for ws, we in windows:
            a, b = max(s, ws), min(e, we)
            if b > a:
                out.append((sku, a, b))
    return out


Row = tuple[int, float, str, str, float, dict[str, Any]]


def _streams(rows: list[Row], windows: list[tuple[float, float]]
             ) -> tuple[list[tuple[float, float]], int, dict[str, dict[str, Any]]]:
    """(off-air gaps inside the shows, reconnects, per output) from the stream events."""
    gaps: list[tuple[float, float]] = []
    reconnects = 0
    outputs: dict[str, dict[str, Any]] = {}
    for ws, we in windows:
        events = sorted((r[4], r[3], str(r[5].get("state", ""))) for r in rows
                        if r[2] == "stream" and ws <= r[4] <= we)
        if not events:
            continue  # no output reported anything (a log of feeds only): the whole show counts
        up: set[str] = set()
        ever_live: set[str] = set()
        since: dict[str, float] = {}
        down_from: float | None = ws
        for at, name, state in events:
            o = outputs.setdefault(name, {"reconnects": 0, "seconds_up": 0.0})
            if state in UP:
                if name in ever_live and name not in up:
                    o["reconnects"] += 1
                    reconnects += 1
                ever_live.add(name)
                if name not in up:
                    up.add(name)
                    since[name] = at
            elif state in DOWN and name in up:
                up.discard(name)
                o["seconds_up"] += at - since.pop(name)
            if up and down_from is not None:
                if at > down_from:
                    gaps.append((down_from, at))
                down_from = None
            elif not up and down_from is None:
                down_from = at
        for name in up:
            outputs[name]["seconds_up"] += we - since[name]
        if down_from is not None and we > down_from:
            gaps.append((down_from, we))
    for at, name, data in ((r[4], r[3], r[5]) for r in rows if r[2] == "bitrate"):
        if any(ws <= at <= we for ws, we in windows) and name in outputs:
            o = outputs[name]
            rates = [v for v in (data.get("kbps"), data.get("previous_kbps")) if isinstance(v, int)]
            if rates:
                o["bitrate_min_kbps"] = min([*rates, o.get("bitrate_min_kbps", rates[0])])
                o["bitrate_max_kbps"] = max([*rates, o.get("bitrate_max_kbps", rates[0])])
                o["bitrate_changes"] = o.get("bitrate_changes", 0) + 1
    for o in outputs.values():
        o["seconds_up"] = round(o["seconds_up"], 3)
    return gaps, reconnects, outputs


def _money_back(c: Counters, data: dict[str, Any], logged_at: float) -> None:
    """Count a `refund` or `cancel` row, judged like the show judged it; a damaged row is skipped."""
    event = from_money_mark(data)
    if event is None:
        return
    verdict = validate(event, logged_at)
    if verdict.event is None:
        c.add_rejected(event_kind(event), event.source, rejection_key(event, verdict.detail), verdict.reason)
        return
    c.clamped += verdict.clamped_from is not None
    if isinstance(verdict.event, Refund):
        c.add_refund(verdict.event)
    elif isinstance(verdict.event, Cancellation):
        c.add_cancellation(verdict.event)


def build_report(path: str | Path) -> ReportData:
    rows = list(read_rows(path))
    windows = _windows(rows)
    first = windows[0][0] if windows else 0.0
    c = Counters()
    c.keep_times = True
    pre, between = Apart(), Apart()
    apart_seen: set[tuple[str, str, str]] = set()
    feed_reconnects = 0
    demo = False
    for _seq, logged_at, kind, source, at, data in rows:
        if kind == "session":
            what = data.get("what")
            if what == "start":
                demo = demo or data.get("demo") is True
                if isinstance(data.get("catalog"), dict):
                    for sku, title in data["catalog"].items():
                        if isinstance(sku, str) and isinstance(title, str) and title:
                            c.catalog.setdefault(sku, title)
            elif what in ("rejected", "clamped"):
                c.apply_mark(data)
            elif what in ("refund", "cancel"):
                _money_back(c, data, logged_at)
            continue
        if kind == "connector" and data.get("state") == FeedState.RECONNECTED.value:
            feed_reconnects += 1
        event = decode(kind, source, at, data)
        if isinstance(event, (Order, ChatMessage, ViewerCount)):
            verdict = validate(event, logged_at)
            if verdict.event is None:
                refused = rejection_key(event, verdict.detail)
                c.add_rejected(event_kind(event), source, refused, verdict.reason)
                continue
            event = verdict.event
            c.clamped += verdict.clamped_from is not None
            at = event.created_at if isinstance(event, Order) else event.at
        if isinstance(event, (Order, ChatMessage, ViewerCount)) and not _inside(at, windows):
            key = (kind, source, getattr(event, "id", ""))
            if key[2] and key in apart_seen:
                continue  # a replay of an order or a line already set apart
            apart_seen.add(key)
            (pre if at < first else between).add(event)
            continue
        if isinstance(event, (Order, ChatMessage, ViewerCount, ProductPinned, ProductUnpinned)):
            apply(c, event)
    start = windows[0][0] if windows else 0.0
    end = windows[-1][1] if windows else 0.0
    start = max(start, end - MAX_MINUTES * 60)
    gaps, reconnects, outputs = _streams(rows, windows)
    n = max(1, math.ceil((end - start) / 60)) if end > start else 1
    return ReportData(
        path=Path(path), counters=c, start=start, end=end, pins=_clip(c.pins.intervals(end), windows),
        windows=windows, off_air=gaps,
        orders_per_minute=_bins([t for t, _ in c.order_times], start, n),
        chat_per_minute=_bins(c.chat_times, start, n), reconnects=reconnects,
        feed_reconnects=feed_reconnects, outputs=outputs, pre_live=pre, between=between, demo=demo,
    )
