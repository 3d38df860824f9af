"""A host connects real chat and orders from the window alone: Settings → Feeds, a YouTube live chat and
a Shopify shop (the YouTube- and Shopify-shaped servers of tests/integration), tokens typed into the
form. The docks show their chat and sales, the servers saw the tokens — read from the keyring, not the
environment — and the saved profile holds only references."""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import Qt

from studio.app.host_profile import host_profile_path
from studio.app.profile.load import load_profile
from tests.integration.live.servers.shopify import TOKEN as SHOP_TOKEN
from tests.integration.live.servers.shopify import FakeShopify, sample_order
from tests.integration.live.servers.youtube import FakeYouTube, text_item
from tests.support.secrets import TEST_API_KEY
from tests.ui.conftest import test_spec


def _add(qtbot, page, kind):
    page.add_kind.setCurrentIndex(page.add_kind.findData(kind))
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    form = page.current_form()
    form.show_advanced(True)
    return form


def _type(qtbot, widget, text):
    widget.clear()
    qtbot.keyClicks(widget, text)


def test_feeds_set_up_in_the_window_bring_chat_and_sales(make_window, qtbot, monkeypatch, memory_keyring):
    for var in ("STUDIO_YOUTUBE_API_KEY", "STUDIO_YOUTUBE_TOKEN", "STUDIO_SHOPIFY_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    order = sample_order(9001, created_at=now, sku="TEA-LJ-250", qty=2, price="99.00", total="198.00",
                         currency="CNY")
    pages = [[text_item(1, "这个多少钱 how much?", name="小美")], [text_item(2, "link please")]]
    with FakeYouTube(pages, interval_ms=100, api_key=TEST_API_KEY) as yt, FakeShopify([order]) as shop:
        w = make_window(test_spec(feeds=()))
        assert not w.controller.demo and w.demo_badge.isHidden()
        w.open_settings()
        dialog = w.settings_dialog
        page = dialog.feeds_page
        dialog.tabs.setCurrentWidget(page)
        youtube = _add(qtbot, page, "youtube")
        _type(qtbot, youtube.fields["live_chat_id"], "CHAT1")
        _type(qtbot, youtube.fields["api_key"].edit, TEST_API_KEY)
        _type(qtbot, youtube.fields["api_base"], yt.base)
        shopify = _add(qtbot, page, "shopify")
        _type(qtbot, shopify.fields["shop"], "teashop")
        _type(qtbot, shopify.fields["token"].edit, SHOP_TOKEN)
        _type(qtbot, shopify.fields["api_base"], shop.base)
        _type(qtbot, shopify.fields["interval"], "0.5")
        dialog.accept_settings()   # OK: secrets to the keyring, the show rebuilt with the feeds
        assert not dialog.isVisible()

        qtbot.waitUntil(lambda: w.chat.list.count() >= 2, timeout=15000)
        texts = [w.chat.list.item(i).text() for i in range(w.chat.list.count())]
        assert "小美: 这个多少钱 how much?" in texts
        qtbot.waitUntil(lambda: w.sales.values["orders"].text() == "1", timeout=15000)
        assert w.sales.values["units"].text() == "2"
        qtbot.waitUntil(lambda: "youtube: connected" in w.chat.feed_status.text()
                        and "shopify: connected" in w.sales.feed_status.text(), timeout=10000)

        assert any(r.query.get("key") == TEST_API_KEY for r in yt.requests)
        assert any(r.headers.get("x-shopify-access-token") == SHOP_TOKEN for r in shop.requests)
        assert not w.controller.demo and w.demo_badge.isHidden()

    text = host_profile_path().read_text(encoding="utf-8")
    assert TEST_API_KEY not in text and SHOP_TOKEN not in text and "${keyring:" in text
    saved = load_profile(host_profile_path())
    assert saved.problems == []
    assert [f.kind for f in saved.spec.feeds] == ["youtube", "shopify"]


def test_the_demo_badge_shows_only_while_the_demo_feed_runs(make_window, qtbot):
    w = make_window()          # the test show runs the demo feed
    assert w.controller.demo
    assert w.demo_badge.isVisibleTo(w) and "DEMO DATA" in w.demo_badge.text()
    assert w.chat.feed_status.demo_badge.isVisibleTo(w) and w.sales.feed_status.demo_badge.isVisibleTo(w)
    from dataclasses import replace

    w.settings_applied(replace(w.controller.spec, feeds=()), True)
    assert not w.controller.demo and not w.demo_badge.isVisibleTo(w)
    assert not w.chat.feed_status.demo_badge.isVisibleTo(w)


def test_gifts_and_paid_lines_from_the_rooms_show_their_amount(make_window, qtbot):
    from decimal import Decimal

    from studio.live.events import ChatMessage
    from tests.ui.conftest import test_spec

    w = make_window(test_spec(feeds=()))
    w.controller.bus.publish(ChatMessage("bilibili", "g1", "小明", "sent 小电视飞船 ×1", kind="gift",
                                         amount=Decimal("1245.000"), currency="CNY"))
    w.controller.bus.publish(ChatMessage("tiktok", "g2", "Ana", "sent Rose ×5 (5 diamonds)", kind="gift"))
    qtbot.waitUntil(lambda: w.chat.list.count() == 2, timeout=2000)
    assert w.chat.list.item(0).text() == "小明: 🎁 [1245.000 CNY] sent 小电视飞船 ×1"
    assert w.chat.list.item(1).text() == "Ana: 🎁 sent Rose ×5 (5 diamonds)"
