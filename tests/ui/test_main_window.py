"""The main window drives the real engine offscreen: preview, pin keys, chat as plain text, sales,
Go live to a real RTMP server and Stop, and a responsive event loop while a destination stalls."""

from __future__ import annotations

import socket
import threading
import time

import numpy as np
import pytest
from PySide6.QtCore import QElapsedTimer, Qt, QTimer

from studio.app.profile.model import Destination, Feed, Recording
from studio.core.secrets import set_secret
from studio.live.events import ChatMessage, LineItem, Order
from studio.ui.show_end import destination_line
from tests.ui.conftest import test_spec


def wait_frame_after(qtbot, window, index: int, timeout=3000) -> int:
    qtbot.waitUntil(lambda: window.preview.frame_index > index, timeout=timeout)
    return window.preview.frame_index


def test_window_opens_with_a_live_preview(make_window, qtbot):
    w = make_window()
    assert w.windowTitle() == "Anchor Studio"
    wait_frame_after(qtbot, w, 5)
    img = w.preview.image
    assert img is not None and not img.isNull()
    # the preview follows the encoder's canvas aspect (16:9 here)
    assert abs(img.width() / img.height() - 16 / 9) < 0.02
    # the frame is at most two canvas frames behind the compositor
    assert w.controller.show.compositor.next_index() - w.preview.frame_index <= 3


def test_key_pins_a_product_and_the_card_is_in_the_next_frame(make_window, qtbot):
    w = make_window()
    before_index = wait_frame_after(qtbot, w, 3)
    board = w.controller.show.board
    assert board.get("commerce.price_card") is None
    qtbot.keyClick(w, Qt.Key.Key_2)
    product = w.controller.products[1]
    assert w.controller.pinned is not None and w.controller.pinned.sku == product.sku
    card = board.get("commerce.price_card")
    assert card is not None
    # the next composed frames carry the card: the card's area changes against a frame from before the pin
    # frames arrive at the preview's size once the tap has been told it (the window has laid out)
    qtbot.waitUntil(lambda: w.preview._frame_ref.shape[1] == w.preview.wanted_frame_size()[0], timeout=3000)
    before = w.preview._frame_ref.copy()
    idx = wait_frame_after(qtbot, w, w.controller.show.compositor.next_index())
    time.sleep(0.5)  # let the entry animation finish
    wait_frame_after(qtbot, w, idx)
    after = w.preview._frame_ref
    s = after.shape[1] / 640
    x, y = int(card.x * s), int(card.y * s)
    hh, ww = (int(d * s) for d in card.image.shape[:2])
    region = (slice(y, y + hh), slice(x, x + ww))
    diff = np.abs(after[region].astype(int) - before[region].astype(int)).mean()
    assert diff > 10, diff
    assert w.products.cards[product.sku].property("pinned") is True
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    assert w.controller.pinned is None
    assert before_index >= 0


def test_chat_markup_is_shown_literally(make_window, qtbot):
    w = make_window(test_spec(feeds=()))
    bus = w.controller.bus
    bus.publish(ChatMessage("test", "m1", "<b>Eve</b>", "<img src=x onerror=alert(1)> how much?"))
    qtbot.waitUntil(lambda: w.chat.list.count() == 1, timeout=2000)
    item = w.chat.list.item(0)
    assert item.text() == "<b>Eve</b>: <img src=x onerror=alert(1)> how much?"
    assert item.data(Qt.ItemDataRole.UserRole + 1) == "intent"  # highlighted as purchase intent
    bus.publish(ChatMessage("test", "m2", "Lily", "多少钱？"))
    qtbot.waitUntil(lambda: w.chat.list.count() == 2, timeout=2000)
    assert w.chat.list.item(1).data(Qt.ItemDataRole.UserRole + 1) == "intent"
    # one click shows it on stream (plain text through the overlay renderer)
    rect = w.chat.list.visualItemRect(item)
    qtbot.mouseClick(w.chat.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert w.controller.show.board.get("chat.featured") is not None


def test_blocked_words_are_masked(make_window, qtbot):
    w = make_window(test_spec(feeds=(), blocked_words=("scam",)))
    w.controller.bus.publish(ChatMessage("test", "m1", "Bob", "this is a scam"))
    qtbot.waitUntil(lambda: w.chat.list.count() == 1, timeout=2000)
    assert "scam" not in w.chat.list.item(0).text()


def test_sales_dock_counts_orders_as_they_arrive(make_window, qtbot):
    w = make_window(test_spec(feeds=(Feed("demo", options=(("rate", "0.001"), ("limit", "1"))),)))
    p = w.controller.products[0]
    order = Order("test", "o1", time.time(), p.currency, (LineItem(p.sku, 3, p.price, p.title),), p.price * 3)
    w.controller.feeds.session.handle(order)  # as a connector would: log, count, publish
    qtbot.waitUntil(lambda: w.sales.values["orders"].text() == "1", timeout=2000)
    assert w.sales.values["units"].text() == "3"
    assert w.sales.table.rowCount() == 1
    assert w.products.cards[p.sku].counts.text().endswith("3")


def test_demo_feed_fills_chat_and_sales(make_window, qtbot):
    w = make_window()
    qtbot.waitUntil(lambda: w.chat.list.count() >= 3, timeout=5000)
    qtbot.waitUntil(lambda: w.sales.values["viewers"].text() != "0", timeout=5000)


def _destination(url_base: str, key: str) -> Destination:
    set_secret("destination:test", key)
    return Destination(name="Test server", preset="custom",
                       url=url_base.rstrip("/") + "/${keyring:destination:test}")


@pytest.mark.slow
def test_go_live_to_the_rtmp_server_and_stop(make_window, qtbot, rtmp_server, tmp_path):
    spec = test_spec(feeds=(), recording=Recording(enabled=True, folder=str(tmp_path)),
                     destinations=(_destination(rtmp_server.base, "studio-ui"),))
    w = make_window(spec)
    w.confirm_stop = lambda: True
    qtbot.mouseClick(w.go_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.controller.live and not w._busy, timeout=10000)
    qtbot.waitUntil(lambda: any(o.state == "live" for o in w.controller.stats().outputs),
                    timeout=10000)
    time.sleep(1.0)
    w.update_status()
    texts = [lb.text() for lb in w.status_labels if not lb.isHidden()]
    assert any("Test server" in t for t in texts), texts
    assert any(t.startswith("REC ") for t in texts), texts
    assert "studio-ui" not in " ".join(texts)  # the key never shows
    assert w.preview.live_text.startswith("LIVE")
    qtbot.mouseClick(w.go_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not w.controller.live and not w._busy, timeout=15000)
    rec = list(tmp_path.glob("*.mkv"))
    assert rec and rec[0].stat().st_size > 10000
    assert w.go_button.text() == "Go live"


@pytest.mark.slow
def test_a_destination_chip_stops_and_starts_it_alone_and_reconnects_now(make_window, qtbot, rtmp_server,
                                                                         tmp_path):
    refused = socket.socket()
    refused.bind(("127.0.0.1", 0))
    dead_port = refused.getsockname()[1]
    refused.close()  # nothing listens: every connect is refused, the destination waits out a backoff
    set_secret("destination:dead", "dead-key")
    dead = Destination(name="Dead server", preset="custom",
                       url=f"rtmp://127.0.0.1:{dead_port}/live/" + "${keyring:destination:dead}")
    spec = test_spec(feeds=(), destinations=(_destination(rtmp_server.base, "studio-chip"), dead))
    w = make_window(spec)
    w.confirm_stop = lambda: True
    qtbot.mouseClick(w.go_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.controller.live and not w._busy, timeout=10000)
    c = w.controller
    good, bad = (o.name for o in c.stats().outputs)
    qtbot.waitUntil(lambda: c.stats().output(good).state == "live", timeout=10000)
    qtbot.waitUntil(lambda: c.stats().output(bad).waiting_s > 0.5, timeout=15000)
    w.update_status()
    chips = {w._chip_outputs[id(lb)]: lb for lb in w.status_labels if id(lb) in w._chip_outputs}
    assert "retry in" in chips[bad].text() and "Dead server" in chips[bad].text()
    menu = w.destination_menu(bad)
    actions = {a.text(): a for a in menu.actions()}
    assert actions["Reconnect now"].isEnabled()
    before = c.show.find_output(bad).counters.reconnects
    actions["Reconnect now"].trigger()
    qtbot.waitUntil(lambda: c.show.find_output(bad).counters.reconnects > before, timeout=3000)
    # the good one: no Reconnect now (it is live), and it stops and starts alone
    actions = {a.text(): a for a in w.destination_menu(good).actions()}
    assert not actions["Reconnect now"].isEnabled()
    actions["Stop this destination (the show goes on)"].trigger()
    qtbot.waitUntil(lambda: c.stats().output(good).state == "off", timeout=10000)
    assert c.live
    w.update_status()
    assert "off" in chips[good].text()
    {a.text(): a for a in w.destination_menu(good).actions()}["Start this destination"].trigger()
    qtbot.waitUntil(lambda: c.stats().output(good).state == "live", timeout=10000)
    qtbot.mouseClick(w.go_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not w.controller.live and not w._busy, timeout=15000)
    lines = "\n".join(destination_line(d) for d in w.ctl.last_summary.destinations)
    assert "Test server: live from" in lines and "Dead server: never went live" in lines, lines


class StalledServer:
    """Accepts TCP connections and never answers (an RTMP server that hangs)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self._stop = threading.Event()
        self.sock.settimeout(0.2)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                c, _ = self.sock.accept()
                self.conns.append(c)
            except OSError:
                pass

    def close(self):
        self._stop.set()
        self.thread.join(2)
        for c in self.conns:
            c.close()
        self.sock.close()


@pytest.mark.slow
def test_stalled_destination_never_freezes_the_ui(make_window, qtbot, tmp_path):
    server = StalledServer()
    try:
        spec = test_spec(feeds=(Feed("demo", options=(("rate", "8"),)),),
                         recording=Recording(enabled=True, folder=str(tmp_path)),
                         destinations=(_destination(f"rtmp://127.0.0.1:{server.port}/live", "stalled"),))
        w = make_window(spec)
        w.confirm_stop = lambda: True
        gaps = []
        clock = QElapsedTimer()
        clock.start()
        last = [clock.elapsed()]

        probe = QTimer()
        probe.setInterval(10)

        def on_tick():
            now = clock.elapsed()
            gaps.append(now - last[0])
            last[0] = now

        probe.timeout.connect(on_tick)
        probe.start()
        qtbot.mouseClick(w.go_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: w.controller.live and not w._busy, timeout=10000)
        qtbot.wait(3000)
        qtbot.mouseClick(w.go_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not w.controller.live and not w._busy, timeout=20000)
        probe.stop()
        assert len(gaps) > 100
        assert max(gaps) < 100, f"event loop stalled {max(gaps)} ms"
    finally:
        server.close()


def test_long_titles_end_at_a_word_with_the_whole_title_on_hover(qtbot):
    from PySide6.QtGui import QFont

    from studio.ui.products import TitleLabel, elide_lines

    title = "Eco Yoga Mat 6 mm, non-slip natural rubber with carrying strap and a free <b>towel</b>"
    text = elide_lines(title, QFont(), 140, 2)
    lines = text.split("\n")
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert title.startswith(" ".join(" ".join(lines)[:-1].split()))   # only whole words, in order
    assert elide_lines("西湖龙井", QFont(), 400, 2) == "西湖龙井"
    label = TitleLabel(title)
    qtbot.addWidget(label)
    label.resize(140, label.height())
    label.show()
    assert label.text().count("\n") <= 1 and label.text().endswith("…")
    assert label.toolTip() == "<p>" + title.replace("<", "&lt;").replace(">", "&gt;") + "</p>"


def test_rejected_catalog_rows_are_listed_with_their_line_and_reason(make_window, qtbot, tmp_path):
    from studio.app.profile.model import Commerce

    csv = tmp_path / "catalog.csv"
    csv.write_text("sku,title,price,currency\nA,Tea,9.90,CNY\nB,,5.00,CNY\nC,Mug,-3,CNY\n", encoding="utf-8")
    w = make_window(test_spec(feeds=(), commerce=Commerce(catalog=str(csv))))
    assert list(w.products.cards) == ["A"]
    assert w.products.rejected_btn.isVisible()
    assert w.products.rejected_btn.text().startswith("2 catalog row(s) not imported")
    dialog = w.products.show_rejected()
    qtbot.addWidget(dialog)
    from PySide6.QtWidgets import QListWidget

    rows = [dialog.findChild(QListWidget).item(i).text() for i in range(2)]
    assert rows[0].startswith("line 3: ") and rows[1].startswith("line 4: ")


def test_shopify_variants_are_one_card_with_a_variant_picker(make_window, qtbot):
    from studio.app.profile.model import Commerce
    from studio.core.paths import resources_dir

    w = make_window(test_spec(feeds=(), commerce=Commerce(
        catalog=str(resources_dir() / "catalog" / "shopify_sample.csv"))))
    tee = w.products.cards["TEE-ORG-S-WHT"]
    assert tee is w.products.cards["TEE-ORG-M-WHT"] is w.products.cards["TEE-ORG-L-BLK"]
    assert len(set(w.products.cards.values())) == 3             # tee, dripper, gift card
    assert tee.variant.isVisibleTo(tee) and tee.variant.count() == 3
    assert not w.products.cards["POUR-OVER-01"].variant.isVisibleTo(w.products.cards["POUR-OVER-01"])
    tee.variant.setCurrentIndex(2)
    assert tee.price.text().startswith("$31.00") or "31.00" in tee.price.text()
    assert tee.counts.text().startswith("Stock: 0")
    qtbot.keyClick(w, Qt.Key.Key_1)                              # key 1: the first card, its chosen variant
    assert w.controller.pinned.sku == "TEE-ORG-L-BLK" and tee.property("pinned") is True
    qtbot.keyClick(w, Qt.Key.Key_2)
    assert w.controller.pinned.sku == "POUR-OVER-01" and tee.property("pinned") is False
    w.controller.pin("TEE-ORG-M-WHT")                             # pinned elsewhere (a remote, a profile)
    w.products.refresh_pinned()
    assert tee.variant.currentData() == "TEE-ORG-M-WHT" and tee.property("pinned") is True
