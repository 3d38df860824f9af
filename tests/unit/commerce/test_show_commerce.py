"""The live-show glue, as the assembler wires it from `studio live` flags: pinning animates cards on the
board, publishes events, ticks the countdown; bad commerce flags are one sentence."""

import argparse
import threading
import time
from pathlib import Path

import pytest

from studio.app.assemble import build_show
from studio.app.commands.live import register, spec_from_args
from studio.app.show_commerce import chat_overlay_image
from studio.core.errors import UserError
from studio.core.events import EventBus, ProductPinned, ProductUnpinned

DEMO = str(Path(__file__).resolve().parents[3] / "resources" / "catalog" / "demo.json")


class Attached:
    """The commerce part of a show built from flags, and the board it draws on."""

    def __init__(self, argv, size, bus):
        p = argparse.ArgumentParser()
        register(p.add_subparsers())
        spec = spec_from_args(p.parse_args(["live", "--size", f"{size[0]}x{size[1]}", *argv]))
        self.built = build_show(spec, bus, strict=True)
        self.board = self.built.show.board
        self.commerce = self.built.commerce

    def stop(self):
        self.built.stop()


def attach(argv, size=(1280, 720), bus=None):
    return Attached(argv, size, bus)


@pytest.fixture
def bus_events():
    bus = EventBus()
    events = []
    bus.subscribe(None, events.append)
    return bus, events


def test_no_commerce_arguments_attach_nothing(bus_events):
    a = attach([], bus=bus_events[0])
    try:
        assert a.commerce is None
    finally:
        a.stop()


def test_pin_places_animated_cards_and_publishes(gui, bus_events):
    bus, events = bus_events
    a = attach(["--catalog", DEMO, "--pin", "TEA-LJ-250"], bus=bus)
    board, show = a.board, a.commerce
    try:
        assert {"commerce.price_card", "commerce.qr", "commerce.badge"} <= set(board.slots())
        card = board.get("commerce.price_card")
        assert card.animation is not None and card.animation.duration == pytest.approx(0.25)
        x, y, opacity = card.placement(card.animation.t0)
        assert opacity == 0 and y > card.y  # starts below, transparent
        assert card.placement(card.animation.t0 + 0.3) == (card.x, card.y, 1.0)
        assert [type(e) for e in events] == [ProductPinned] and events[0].sku == "TEA-LJ-250"

        show.pin("EARBUDS-PRO")
        leaving = board.get("commerce.price_card.leaving")
        assert leaving.animation.remove_at_end
        assert [type(e) for e in events] == [ProductPinned, ProductUnpinned, ProductPinned]
        board.snapshot(leaving.animation.t0 + 1)  # exit finished: dropped from the board
        assert "commerce.price_card.leaving" not in board.slots()

        show.unpin()
        board.snapshot(time.monotonic() + 1)
        assert not [s for s in board.slots() if s.startswith("commerce.price_card")]
        assert isinstance(events[-1], ProductUnpinned) and events[-1].sku == "EARBUDS-PRO"
        with pytest.raises(UserError, match="NOPE"):
            show.pin("NOPE")
    finally:
        a.stop()


def test_countdown_rerenders_once_a_second_on_its_own_thread(gui):
    a = attach(["--countdown", "00:02", "--coupon", "SAVE10"], (720, 1280))
    board = a.board
    try:
        assert "studio: overlays" in [t.name for t in threading.enumerate()]
        assert {"commerce.countdown", "commerce.coupon"} <= set(board.slots())
        first = board.get("commerce.countdown")
        time.sleep(1.3)
        second = board.get("commerce.countdown")
        assert second is not first and second.animation is None  # re-rendered, not re-animated
        versions = board.version
        time.sleep(0.5)
        assert board.version == versions  # nothing between seconds
    finally:
        a.stop()
    assert "studio: overlays" not in [t.name for t in threading.enumerate()]


def test_bad_arguments_are_user_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,title,price\n,x,abc\n")
    with pytest.raises(UserError, match="no product imported"):
        attach(["--catalog", str(bad)])
    with pytest.raises(UserError, match="no product with SKU"):
        attach(["--catalog", DEMO, "--pin", "NOPE"])
    with pytest.raises(UserError, match="mm:ss"):
        attach(["--countdown", "soon"])
    with pytest.raises(UserError, match="--catalog"):
        attach(["--pin", "X"])


def test_a_fixed_qr_link_stays_while_products_change(gui):
    a = attach(["--catalog", DEMO, "--qr", "https://shop.example.com/live"])
    try:
        qr = a.board.get("commerce.qr")
        assert qr is not None
        a.commerce.pin("TEA-LJ-250")
        assert a.board.get("commerce.qr") is qr  # not replaced by the product's own link
    finally:
        a.stop()
    off = attach(["--catalog", DEMO, "--qr", "off", "--pin", "TEA-LJ-250"])
    try:
        assert off.board.get("commerce.qr") is None and off.board.get("commerce.price_card") is not None
    finally:
        off.stop()


def test_chat_overlay_image_is_placed_in_the_layout(gui):
    img, x, y = chat_overlay_image([("小美", "好看 🥰"), ("Al", "hi")], (1920, 1080))
    assert img.shape[2] == 4 and x + img.shape[1] <= 1920 and y >= 0


def test_the_coupon_closes_the_gap_a_finished_countdown_leaves(monkeypatch):
    import studio.app.show_commerce as sc
    from studio.commerce.overlays.layout import layout_for

    monkeypatch.setattr(sc, "COUNTDOWN_LINGER_S", 0.1)
    layout = layout_for((1280, 720))
    a = attach(["--catalog", DEMO, "--coupon", "SAVE10", "--countdown", "00:01"])
    try:
        coupon = lambda: a.board.get("commerce.coupon")  # noqa: E731
        assert coupon().x == layout.box("coupon").x           # beside the countdown
        deadline = time.monotonic() + 5
        while coupon().x != layout.box("countdown").x and time.monotonic() < deadline:
            time.sleep(0.05)
        assert a.board.get("commerce.countdown") is None
        assert coupon().x == layout.box("countdown").x        # moved into its place: no hole
        a.commerce.set_countdown(60)
        assert coupon().x == layout.box("coupon").x           # a new countdown: back beside it
        a.commerce.set_countdown(None)
        assert coupon().x == layout.box("countdown").x
    finally:
        a.stop()
