"""Pure policies of the live layer: feed specs, backoff, Retry-After, times, blocklist, parsing."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from studio.core.backoff import Backoff
from studio.core.errors import UserError
from studio.live.blocklist import Blocklist, plain, screen_line
from studio.live.connectors import build, build_all
from studio.live.connectors.base import parse_feed_spec, parse_retry_after, parse_time
from studio.live.connectors.generic import parse_event
from studio.live.connectors.shopify import bucket_wait, parse_call_limit, parse_link_next, parse_order
from studio.live.connectors.youtube import parse_message


def test_feed_specs_parse_with_commas_inside_urls():
    assert parse_feed_spec("demo") == ("demo", {})
    assert parse_feed_spec("youtube:live_chat_id=ID,api_base=http://127.0.0.1:9") == (
        "youtube", {"live_chat_id": "ID", "api_base": "http://127.0.0.1:9"})
    assert parse_feed_spec("generic:url=http://h/f?a=1,2&b=3,mode=sse") == (
        "generic", {"url": "http://h/f?a=1,2&b=3", "mode": "sse"})
    with pytest.raises(UserError):
        build("myspace:x=1")
    with pytest.raises(UserError):
        build("shopify:api_base=http://x")  # no shop


def test_no_feed_by_default_and_names_are_unique():
    assert build_all(None) == [] and build_all([]) == []
    assert [c.name for c in build_all(["demo", "demo"])] == ["demo", "demo#2"]


def test_api_base_accepts_scheme_and_host_only(monkeypatch):
    monkeypatch.setenv("STUDIO_YOUTUBE_API_KEY", "k" * 20)
    assert build("youtube:live_chat_id=X,api_base=http://127.0.0.1:8080/").base == "http://127.0.0.1:8080"
    for bad in ("ftp://h", "http://h/youtube", "http://user:pw@h"):
        with pytest.raises(UserError):
            build(f"youtube:live_chat_id=X,api_base={bad}")


def test_backoff_doubles_and_caps():
    p = Backoff(first=1, factor=2, cap=10, jitter=0)
    assert [p.delay(i) for i in range(6)] == [1, 2, 4, 8, 10, 10]
    assert 0.9 <= Backoff(jitter=0.1).delay(0, rnd=lambda: 0.0) <= 1.1


def test_retry_after_seconds_or_http_date():
    assert parse_retry_after("2.0") == 2.0 and parse_retry_after("0") == 0.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
    assert parse_retry_after("-1") is None


def test_times_in_every_format_the_platforms_use():
    assert parse_time("2020-07-10T14:00:30.645000Z") == parse_time("2020-07-10T14:00:30.645+00:00")
    assert parse_time("2021-06-09T15:40:52.765983+00:00") == 1623253252.765983
    assert parse_time("2008-01-10T11:00:00-05:00") == 1199980800.0
    assert parse_time(1642786203573) == 1642786203.573 and parse_time(1642786203) == 1642786203.0
    for bad in ("", "yesterday", None, True):
        with pytest.raises(ValueError):
            parse_time(bad)


def test_shopify_helpers():
    link = ('<https://s.myshopify.com/admin/api/2024-10/orders.json?page_info=abc&limit=3>; rel="previous", '
            '<https://s.myshopify.com/admin/api/2024-10/orders.json?page_info=def&limit=3>; rel=next')
    assert parse_link_next(link).endswith("page_info=def&limit=3")
    assert parse_link_next('<https://x/a?page_info=abc>; rel="previous"') is None
    assert parse_call_limit("32/40") == (32, 40) and parse_call_limit("junk") is None
    assert bucket_wait(10, 40) == 0 and bucket_wait(39, 40) == 9.5
    with pytest.raises(ValueError):
        parse_order({"id": 1, "currency": "USD", "total_price": "1",
                     "line_items": [{"price": "x", "quantity": 1}]})


def test_youtube_items_that_show_nothing_are_skipped():
    assert parse_message({"id": "x", "snippet": {"type": "tombstone"}}) is None
    assert parse_message({"id": "x", "snippet": {"type": "chatEndedEvent"}}) is None
    assert parse_message("garbage") is None
    sticker = {"amountMicros": "1500000", "currency": "JPY", "superStickerMetadata": {"altText": "Hi"}}
    m = parse_message({"id": "x", "snippet": {"type": "superStickerEvent", "publishedAt": "bad",
                                              "superStickerDetails": sticker},
                       "authorDetails": {"displayName": "A"}})
    assert m.amount == Decimal("1.5") and m.text == "Hi"


def test_generic_events_are_validated():
    for bad in ({"type": "order", "id": "1", "currency": "usd", "created_at": 1, "items": []},
                {"type": "viewers", "count": -1}, {"type": "chat", "text": ""}, {"type": "x"}, [],
                {"type": "order", "id": "1", "currency": "USD", "created_at": 1,
                 "items": [{"qty": 1.5, "price": "1"}]}):
        with pytest.raises((ValueError, KeyError)):
            parse_event(bad, "g")
    o = parse_event({"type": "order", "id": 7, "currency": "USD", "created_at": 1,
                     "items": [{"sku": "A", "qty": 3, "price": "0.10"}]}, "g")
    assert o.total == Decimal("0.30") and o.id == "7"


def test_blocklist_masks_before_capping_and_dodges_nothing():
    bl = Blocklist(["scam", "垃圾", "buy followers"])
    line = "this is a ＳＣＡＭ 垃圾产品, buy  followers now! " + "x" * 200
    name, text = screen_line("SCAM\u202e king", line, bl)
    assert "scam" not in (name + text).lower() and "垃圾" not in text and "followers" not in text
    assert len(text) <= 90 and text.endswith("…") and "\u202e" not in name
    assert Blocklist(["ass"]).mask("class assignment ass") == "class assignment ***"


def test_plain_text_has_no_control_characters_or_markup_interpretation():
    assert plain("a\nb\r\tc\x00d", 50) == "a b c d"
    assert plain("<b>bold</b>", 50) == "<b>bold</b>"  # kept literally; the overlay draws plain text


def test_blocklist_file(tmp_path):
    f = tmp_path / "words.txt"
    f.write_text("\ufeff# comment\nspam\n  \n广告 # ads\n", encoding="utf-8")
    assert Blocklist.load(f).words == ["spam", "广告"]
    with pytest.raises(UserError):
        Blocklist.load(tmp_path / "missing.txt")


def test_live_layer_imports_only_core_and_qtgui_only_in_the_report():
    root = Path(__file__).resolve().parents[3] / "studio" / "live"
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
            for n in names:
                if n.startswith("studio."):
                    assert n.startswith(("studio.core", "studio.live")), f"{path}: {n}"
                if n.startswith("PySide6"):
                    assert "report" in path.parts and n in ("PySide6", "PySide6.QtGui", "PySide6.QtCore"), \
                        f"{path}: {n}"
