"""A first show that cannot go wrong, in the real window on the real engine: recording only is REC,
never LIVE; a destination that is not ready never blocks the good one; Stop shows the summary with the
report one click away, and the files of one show are named alike; the Reports list finds it."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from studio.app.assemble import sessions_dir
from studio.app.profile.model import Destination, Recording
from studio.core.secrets import set_secret
from studio.live.events import LineItem, Order
from studio.ui.show_end import CANCEL, GO, ReportsDialog
from tests.ui.conftest import test_spec


def _start(qtbot, w) -> None:
    qtbot.mouseClick(w.go_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.controller.live and not w._busy, timeout=15000)


def _stop(qtbot, w) -> None:
    w.confirm_stop = lambda: True
    qtbot.mouseClick(w.go_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not w.controller.live and not w._busy, timeout=20000)


@pytest.mark.slow
def test_recording_only_says_rec_never_live(make_window, qtbot, tmp_path):
    w = make_window(test_spec(feeds=(), recording=Recording(enabled=True, folder=str(tmp_path))))
    assert w.go_button.text() == "Start recording"
    _start(qtbot, w)
    w.update_status()
    assert w.preview.live_text.startswith("REC ") and "LIVE" not in w.preview.live_text
    assert w.live_label.text().startswith("Recording only") and "On air" not in w.live_label.text()
    assert w.go_button.text() == "Stop recording"
    _stop(qtbot, w)
    assert w.go_button.text() == "Start recording" and w.preview.live_text == ""


@pytest.mark.slow
def test_a_destination_without_key_does_not_block_the_good_one(make_window, qtbot, rtmp_server, tmp_path):
    set_secret("destination:good", "first-show")
    spec = test_spec(feeds=(),
                     recording=Recording(enabled=True, folder=str(tmp_path)),
                     destinations=(Destination("Local", "custom",
                                               rtmp_server.base + "/${keyring:destination:good}"),
                                   Destination("YouTube", "youtube",
                                               "rtmp://a.rtmp.youtube.com/live2/${keyring:destination:none}")))
    w = make_window(spec)
    asked = []
    w.confirm_partial = lambda checks: asked.append(checks) or CANCEL
    qtbot.mouseClick(w.go_button, Qt.MouseButton.LeftButton)
    assert not w.controller.live and len(asked) == 1   # cancelled: nothing started
    [local, youtube] = asked[0]
    assert local.ready and not youtube.ready
    assert youtube.label == "YouTube" and youtube.problem.startswith("no stream key")
    assert youtube.key_link == "https://studio.youtube.com/"

    w.confirm_partial = lambda checks: GO   # "Go live with 1 ready destination"
    _start(qtbot, w)
    assert w.controller.destination_names == ["Local"]
    qtbot.waitUntil(lambda: any(o.state == "live" for o in w.controller.stats().outputs),
                    timeout=10000)
    w.update_status()
    assert w.preview.live_text.startswith("LIVE ")
    p = w.controller.products[0]
    w.controller.pin(p.sku)
    w.controller.feeds.session.handle(
        Order("shop", "o1", time.time(), p.currency, (LineItem(p.sku, 2, p.price, p.title),), p.price * 2))
    time.sleep(1.0)
    _stop(qtbot, w)

    qtbot.waitUntil(lambda: w.summary_dialog is not None and w.summary_dialog.isVisible(), timeout=5000)
    s = w.summary_dialog.summary
    assert s.orders == 1 and s.on_air_seconds > 0.5
    assert s.top_products == ((p.title, 1),)
    assert [d.name for d in s.destinations] == ["Local"]
    # one show, one name: recording, session log and report
    assert s.recording is not None and s.log_path is not None and s.report_path is not None
    assert s.recording.stem == s.log_path.stem == s.report_path.stem
    assert s.report_path.read_text(encoding="utf-8").count("<h1>Show report</h1>") == 1
    text = w.summary_dialog.text.text()
    assert "Orders 1" in text and "first-show" not in text
    opened = []
    w.summary_dialog.opener = opened.append
    qtbot.mouseClick(w.summary_dialog.open_report, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.summary_dialog.open_folder, Qt.MouseButton.LeftButton)
    assert opened == [s.report_path, s.recording.parent]

    # the preview goes on, and a second show has its own files
    assert len(list(sessions_dir().glob("*.sqlite"))) == 1
    reports = ReportsDialog(sessions_dir(), "en")
    qtbot.addWidget(reports)
    assert len(reports.shows) == 1 and reports.shows[0].orders == 1
    reports.opener = opened.append
    assert reports.open_selected() == s.report_path


def test_no_log_is_written_before_go_live(make_window, qtbot):
    w = make_window(test_spec())
    qtbot.waitUntil(lambda: w.chat.list.count() >= 2, timeout=5000)   # the demo feed counts on screen
    assert w.controller.feeds.log_path is None
    assert not sessions_dir().exists() or not list(sessions_dir().glob("*.sqlite"))
    w.rebuild()   # a settings change that rebuilds the show opens no log either
    assert not sessions_dir().exists() or not list(sessions_dir().glob("*.sqlite"))


def test_a_canvas_change_keeps_the_show(make_window, qtbot, tmp_path):
    from dataclasses import replace

    from studio.app.profile.model import Canvas, Layer
    from studio.ui.settings_dialog import scale_layer

    logo = tmp_path / "logo.png"
    from PySide6.QtGui import QColor, QImage

    img = QImage(80, 40, QImage.Format.Format_ARGB32)
    img.fill(QColor("red"))
    img.save(str(logo))
    spec = test_spec(feeds=())
    spec = replace(spec, layers=(*spec.layers, Layer(kind="image", name="Logo", path=str(logo), x=600, y=20)))
    w = make_window(spec)
    c = w.controller
    p = c.products[1]
    c.pin(p.sku)
    c.set_countdown(300)
    c.set_coupon("SAVE10")
    c.feeds.session.handle(Order("shop", "o1", time.time(), p.currency, (LineItem(p.sku, 2, p.price),),
                                 p.price * 2))
    assert c.sales()["orders"] == 1
    new = replace(c.spec, canvas=Canvas(360, 640),
                  layers=tuple(scale_layer(layer, (640, 360), (360, 640)) for layer in c.spec.layers))
    w.settings_applied(new, True)
    c2 = w.controller
    assert c2 is not c
    assert c2.pinned is not None and c2.pinned.sku == p.sku
    assert 290 < c2.countdown_remaining() <= 300
    assert c2.commerce.coupon == "SAVE10"
    assert c2.sales()["orders"] == 1                    # the sales so far are kept
    [_, kept_logo] = c2.layers
    assert kept_logo.kind == "image" and kept_logo.x == round(600 * 360 / 640)   # rescaled, not deleted
    assert c2.show.board.get("layer.1") is not None
    note = w.messages.texts()[-1]
    assert note.startswith("Canvas is now 360×640") and "the pinned product" in note


def test_the_stock_on_the_card_follows_the_orders_like_the_dock(make_window, qtbot):
    import numpy as np

    from studio.commerce.overlays.scene import render_kind

    w = make_window(test_spec(feeds=()))
    c = w.controller
    p = next(p for p in c.products if p.stock is not None and p.stock > 5)
    c.pin(p.sku)
    time.sleep(0.6)  # the entry animation
    c.feeds.session.handle(Order("shop", "o1", time.time(), p.currency, (LineItem(p.sku, 4, p.price),),
                                 p.price * 4))
    left = p.stock - 4
    card = c.show.board.get("commerce.price_card")
    from dataclasses import replace

    want = render_kind("price_card", c.commerce.layout, replace(p, stock=left), c.commerce._opts,
                       c.commerce._images.get(p.image))
    assert np.array_equal(card.image, want.image)          # the card says N - 4 left
    w.update_sales()
    assert w.products.cards[p.sku].counts.text() == f"Stock: {left} · Sold: 4"
    # going live starts the show's sales from zero, but what left the shelf stays gone
    c.feeds.session.begin(sessions_dir() / "s.sqlite")
    w.update_sales()
    assert w.products.cards[p.sku].counts.text() == f"Stock: {left} · Sold: 0"
    assert c.commerce._with_stock_left(p).stock == left
    c.feeds.session.end()
