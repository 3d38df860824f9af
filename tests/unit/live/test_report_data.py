"""The report adds up: rebuilt from a session log, every number is checked against the raw events,
computed here the slow, obvious way (brute force over the event list)."""

from __future__ import annotations

import random
import time
from decimal import Decimal

import pytest

from studio.core.events import EventBus, ProductPinned, ProductUnpinned, StreamStateChanged
from studio.live.events import ChatMessage, LineItem, Order, ViewerCount
from studio.live.report import build_report
from studio.live.session import LiveSession

SKUS = ["TEA", "MUG", "SCARF"]


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def _show(rng: random.Random, bus: EventBus, session: LiveSession, clock: Clock, t0: float, length: float,
          raw: dict) -> None:
    """One show from t0 (its start mark) to t0 + length: stream states, pins, orders, chat."""
    events = []
    for name in ("a", "b"):
        t = t0 + rng.uniform(0.5, 5)
        events.append((t, StreamStateChanged(name, "connecting", "", at=t)))
        t += rng.uniform(1, 4)
        events.append((t, StreamStateChanged(name, "live", "", at=t)))
        while True:
            t += rng.uniform(40, 200)
            if t > t0 + length - 20:
                break
            events.append((t, StreamStateChanged(name, "reconnecting", "", at=t)))
            t += rng.uniform(2, 15)
            events.append((t, StreamStateChanged(name, "live", "", at=t)))
    for _ in range(rng.randint(2, 6)):
        t = t0 + rng.uniform(0, length)
        sku = rng.choice(SKUS + [None])
        events.append((t, ProductPinned(sku, sku.title(), at=t) if sku else ProductUnpinned(None, at=t)))
    for i in range(rng.randint(5, 40)):
        created = t0 + rng.uniform(-120, length)        # some were placed before Go live
        items = tuple(LineItem(s, rng.randint(1, 3), Decimal(rng.randint(100, 9999)) / 100)
                      for s in rng.sample(SKUS, rng.randint(1, 2)))
        order = Order("shop", f"{t0:.0f}-{i}", created, "CNY", items, sum((li.price * li.qty for li in items),
                                                                            Decimal(0)))
        arrives = max(created, t0) + rng.uniform(0, 30)  # a polling connector sees it late
        events.append((arrives, order))
        if rng.random() < 0.3:
            events.append((arrives + 1, order))          # replayed by the platform
    for i in range(rng.randint(0, 30)):
        t = t0 + rng.uniform(0, length)
        events.append((t, ChatMessage("yt", f"{t0:.0f}-c{i}", "viewer", "多少钱", at=t)))
    for _ in range(5):
        t = t0 + rng.uniform(0, length)
        events.append((t, ViewerCount("yt", rng.randint(0, 500), at=t)))
    for arrives, event in sorted((e for e in events if e[0] <= t0 + length), key=lambda e: e[0]):
        clock.t = arrives
        if isinstance(event, (ProductPinned, ProductUnpinned, StreamStateChanged)):
            bus.publish(event)
        else:
            session.handle(event, republish=False)
        raw["events"].append((arrives, event))
    clock.t = t0 + length
    raw["windows"].append((t0, t0 + length))


def _expected(raw: dict) -> dict:
    windows = raw["windows"]

    def inside(t: float) -> bool:
        return any(s <= t <= e for s, e in windows)

    seen: set = set()
    orders = []
    for _arr, e in raw["events"]:
        if isinstance(e, Order) and (e.source, e.id) not in seen:
            seen.add((e.source, e.id))
            orders.append(e)
    show = [o for o in orders if inside(o.created_at)]
    pins = [(arr, e) for arr, e in raw["events"] if isinstance(e, (ProductPinned, ProductUnpinned))]

    def pinned_at(t: float) -> str | None:
        current = None
        for _arr, e in sorted(pins, key=lambda p: p[1].at):
            if e.at > t:
                break
            current = e.sku if isinstance(e, ProductPinned) else None
        return current

    per = {}
    for sku in SKUS:
        own = [o for o in show if pinned_at(o.created_at) == sku and any(li.sku == sku for li in o.items)]
        per[sku] = {"orders": sum(1 for o in show if any(li.sku == sku for li in o.items)),
                    "own": len(own), "all": sum(1 for o in show if pinned_at(o.created_at) == sku)}
        # pinned seconds by sampling every 0.05 s inside the shows
        step = 0.05
        per[sku]["pinned"] = sum(step for s, e in windows for k in range(int((e - s) / step))
                                 if pinned_at(s + (k + 0.5) * step) == sku)
    streams = [e for _a, e in raw["events"] if isinstance(e, StreamStateChanged)]
    reconnects = 0
    off = 0.0
    for s, e in windows:
        mine = sorted((x for x in streams if s <= x.at <= e), key=lambda x: x.at)
        lived: set = set()
        for x in mine:
            if x.state == "live":
                reconnects += x.output in lived
                lived.add(x.output)
        step = 0.05
        for k in range(int((e - s) / step)):
            t = s + (k + 0.5) * step
            state = {}
            for x in mine:
                if x.at <= t:
                    state[x.output] = x.state
            off += step * (not any(v == "live" for v in state.values()))
    return {"orders": len(show), "gmv": sum((o.total for o in show), Decimal(0)),
            "units": sum(li.qty for o in show for li in o.items),
            "pre_live": sum(1 for o in orders if o.created_at < windows[0][0]),
            "between": sum(1 for o in orders if not inside(o.created_at) and o.created_at >= windows[0][0]),
            "chat": sum(1 for _a, e in raw["events"] if isinstance(e, ChatMessage) and inside(e.at)),
            "per": per, "reconnects": reconnects, "off": off,
            "show_seconds": sum(e - s for s, e in windows)}


@pytest.mark.parametrize("seed", range(8))
def test_every_number_of_the_report_matches_the_raw_events(tmp_path, monkeypatch, seed):
    rng = random.Random(seed)
    clock = Clock(1_700_000_000.0)
    monkeypatch.setattr(time, "time", clock)
    path = tmp_path / "show.sqlite"
    raw: dict = {"events": [], "windows": []}
    bus = EventBus()
    # two shows in one log (a kiosk restarted), with orders placed before, between and during them
    for t0, length in ((clock.t, rng.uniform(300, 900)), (clock.t + 2000, rng.uniform(200, 600))):
        clock.t = t0
        session = LiveSession(path, bus)
        _show(rng, bus, session, clock, t0, length, raw)
        session.close()
    want = _expected(raw)
    rep = build_report(path)
    t = rep.totals()
    assert t["orders"] == want["orders"]
    assert Decimal(t["gmv"].get("CNY", "0")) == want["gmv"]
    assert t["units"] == want["units"]
    assert t["chat_messages"] == want["chat"]
    assert t["pre_live"]["orders"] == want["pre_live"]
    assert t["between_shows"]["orders"] == want["between"]
    assert t["shows"] == 2 and t["show_seconds"] == pytest.approx(want["show_seconds"], abs=0.01)
    assert t["reconnects"] == want["reconnects"]
    assert t["off_air_seconds"] == pytest.approx(want["off"], abs=0.2)
    assert t["on_air_seconds"] == pytest.approx(want["show_seconds"] - want["off"], abs=0.2)
    products = {p["sku"]: p for p in t["products"]}
    for sku, w in want["per"].items():
        p = products.get(sku, {"orders": 0, "orders_while_pinned": 0, "all_orders_while_pinned": 0,
                               "pinned_seconds": 0.0})
        assert p["orders"] == w["orders"], sku
        assert p["orders_while_pinned"] == w["own"], sku
        assert p["all_orders_while_pinned"] == w["all"], sku
        assert p["pinned_seconds"] == pytest.approx(w["pinned"], abs=0.2), sku
        assert p["orders_while_pinned"] <= p["orders"]   # never "0 orders, 10 while pinned"
    assert sum(rep.orders_per_minute) == want["orders"]
    assert len(rep.orders_per_minute) * 60 >= rep.end - rep.start > (len(rep.orders_per_minute) - 1) * 60


def test_the_window_logs_only_from_go_live_and_carries_the_pin(tmp_path, monkeypatch):
    clock = Clock(1_700_000_000.0)
    monkeypatch.setattr(time, "time", clock)
    bus = EventBus()
    s = LiveSession(None, bus, catalog={"TEA": "Longjing tea"})
    bus.publish(ProductPinned("TEA", "Longjing tea", at=clock.t))
    s.handle(Order("shop", "early", clock.t + 1, "CNY", (LineItem("TEA", 1, Decimal("10")),), Decimal("10")))
    assert s.counters.orders == 1 and s.log_path is None      # counted on screen, logged nowhere
    clock.t += 60
    s.begin(tmp_path / "show-1.sqlite")
    assert s.counters.orders == 0
    s.handle(Order("shop", "early", clock.t - 59, "CNY", (LineItem("TEA", 1, Decimal("10")),), Decimal("10")))
    assert s.counters.orders == 0                              # a replay of a pre-live order is not new
    clock.t += 30
    s.handle(Order("shop", "o1", clock.t, "CNY", (LineItem("TEA", 2, Decimal("10")),), Decimal("20")))
    clock.t += 30
    assert s.end() == tmp_path / "show-1.sqlite"
    s.handle(Order("shop", "after", clock.t + 5, "CNY", (LineItem("TEA", 1, Decimal("10")),), Decimal("10")))
    s.close()
    t = build_report(tmp_path / "show-1.sqlite").totals()
    tea = t["products"][0]
    assert t["orders"] == 1 and tea["title"] == "Longjing tea"
    assert tea["pinned_seconds"] == pytest.approx(60.0) and tea["orders_while_pinned"] == 1
    assert t["show_seconds"] == pytest.approx(60.0)


def test_the_timeline_stays_inside_its_frame_and_speaks_chinese(tmp_path, monkeypatch):
    from PySide6.QtGui import QImage

    from studio.live.report.charts import timeline_png
    from studio.live.report.html import render_html

    clock = Clock(1_700_000_000.0)
    monkeypatch.setattr(time, "time", clock)
    s = LiveSession(tmp_path / "s.sqlite")
    for i in range(150):  # 2.5 minutes of orders and chat, up to the last second
        clock.t += 1
        s.handle(Order("shop", str(i), clock.t, "CNY", (LineItem("TEA", 1, Decimal("1")),), Decimal("1")))
        s.handle(ChatMessage("yt", str(i), "v", "hi", clock.t))
    s.close()
    rep = build_report(tmp_path / "s.sqlite")
    img = QImage.fromData(timeline_png(rep))
    right = img.width() - 56   # the plot's right edge (charts.timeline_png's margins)
    dark = [(x, y) for x in range(right + 2, right + 5) for y in range(40, img.height() - 48)
            if QImage.pixelColor(img, x, y).lightness() < 200]
    assert not dark, f"drawn outside the frame at {dark[:3]}"
    page = render_html(rep, "zh_CN")
    assert "直播报告" in page and "讲解期间本品订单" in page and 'lang="zh-CN"' in page
    assert "Show report" not in page


def test_the_report_says_how_far_dynamic_bitrate_lowered_a_destination(tmp_path, monkeypatch):
    from studio.core.events import BitrateChanged
    from studio.live.report.html import render_html

    clock = Clock(1_700_000_000.0)
    monkeypatch.setattr(time, "time", clock)
    bus = EventBus()
    s = LiveSession(tmp_path / "s.sqlite", bus)
    clock.t += 1
    bus.publish(StreamStateChanged("youtube", "live", "", at=clock.t))
    for kbps, previous in ((2100, 3500), (1400, 2100), (1750, 1400)):
        clock.t += 5
        bus.publish(BitrateChanged(kbps, previous, "youtube", "congested", at=clock.t))
    clock.t += 5
    s.close()
    rep = build_report(tmp_path / "s.sqlite")
    o = rep.outputs["youtube"]
    assert (o["bitrate_min_kbps"], o["bitrate_max_kbps"], o["bitrate_changes"]) == (1400, 3500, 3)
    assert "bitrate 1400–3500 kbps (3 bitrate change(s) on a slow link)" in render_html(rep, "en")
    assert "码率 1400–3500 kbps" in render_html(rep, "zh_CN")
