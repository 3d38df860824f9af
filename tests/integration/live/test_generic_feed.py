"""Generic feed connector (docs/feed.md) against a local bridge: polling with cursors, and SSE."""

from __future__ import annotations

from decimal import Decimal

from studio.live.connectors.generic import GenericFeed
from studio.live.counters import Counters
from studio.live.events import FeedState, ViewerCount

from .conftest import run_connector
from .servers.generic import FakeFeed

EVENTS = [
    {"type": "chat", "id": "c1", "author": "小美", "text": "这个多少钱？", "at": "2030-01-01T02:00:00Z"},
    {"type": "viewers", "count": 1520, "at": 1893463200},
    {"type": "order", "id": "DY-1001", "created_at": "2030-01-01T10:00:05+08:00", "currency": "CNY",
     "total": "198.00", "items": [{"sku": "TEA-LJ-250", "qty": 2, "price": "99.00"}]},
    {"type": "chat", "id": "c2", "author": "Tom", "text": "super!", "amount": 5, "currency": "USD"},
    {"type": "bogus"},
    {"type": "order", "id": "DY-1002", "created_at": 1893463210000, "currency": "CNY", "total": 59.9,
     "items": [{"sku": "PANDA-PLUSH", "qty": 1, "price": 59.9}]},
    {"type": "order", "id": "DY-1001", "created_at": "2030-01-01T10:00:05+08:00", "currency": "CNY",
     "total": "198.00", "items": [{"sku": "TEA-LJ-250", "qty": 2, "price": "99.00"}]},
]


def total(ev) -> Counters:
    c = Counters()
    for o in ev.orders:
        c.add_order(o)
    return c


def test_polling_follows_the_cursor_and_parses_every_type():
    with FakeFeed(EVENTS, page=3) as feed:
        ev = run_connector(GenericFeed({"url": feed.base + "/feed", "interval": "0.02"}),
                           lambda e: len(e.orders) >= 3)
        cursors = [r.query.get("cursor") for r in feed.server.requests]
    assert cursors[:3] == [None, "3", "6"]
    assert [m.text for m in ev.chat] == ["这个多少钱？", "super!"]
    assert ev.chat[1].amount == Decimal("5") and ev.chat[1].kind == "superchat"
    assert ev.of(ViewerCount)[0].count == 1520
    c = total(ev)
    assert c.orders == 2 and c.gmv == {"CNY": Decimal("257.90")}  # 59.9 parsed exactly, duplicate not counted


def test_sse_resumes_with_last_event_id_after_a_drop():
    with FakeFeed(EVENTS, drop_after=2) as feed:
        ev = run_connector(GenericFeed({"url": feed.base + "/stream", "mode": "sse"}),
                           lambda e: len(e.orders) >= 3)
        assert feed.last_event_ids[:2] == [None, "1"]
    assert [m.id for m in ev.chat] == ["c1", "c2"]
    assert total(ev).orders == 2


def test_sse_with_a_truncated_event_backs_off_and_resumes():
    with FakeFeed(EVENTS, bad_sse_at=3) as feed:
        ev = run_connector(GenericFeed({"url": feed.base + "/stream", "mode": "sse", "retry": "0.02"}),
                           lambda e: len(e.orders) >= 3)
    assert any("not valid JSON" in s.message for s in ev.states if s.state == FeedState.BACKOFF)
    assert total(ev).orders == 2 and [m.id for m in ev.chat] == ["c1", "c2"]


def test_api_base_replaces_only_scheme_and_host():
    with FakeFeed(EVENTS) as feed:
        g = GenericFeed({"url": "https://bridge.example.com/feed", "api_base": feed.base, "interval": "0.02"})
        ev = run_connector(g, lambda e: len(e.chat) >= 1)
        assert feed.server.requests[0].path == "/feed"
    assert ev.chat


def test_not_a_feed_is_an_error_not_a_crash():
    with FakeFeed(EVENTS) as feed:
        ev = run_connector(GenericFeed({"url": feed.base + "/nothing-here", "interval": "0.02"}),
                           lambda e: False, timeout=3)
    assert "failed" in ev.state_names()
