"""The live-show glue: pinning animates cards on the board, publishes events, ticks the countdown."""

import argparse
import threading
import time
from pathlib import Path

import pytest

from studio.app.commands.live import add_commerce_arguments as add_live_arguments
from studio.app.show_commerce import attach, chat_overlay_image
from studio.core.errors import UserError
from studio.core.events import EventBus, ProductPinned, ProductUnpinned
from studio.media.overlay import OverlayBoard

DEMO = str(Path(__file__).resolve().parents[3] / "resources" / "catalog" / "demo.json")


def args(*argv):
    p = argparse.ArgumentParser()
    add_live_arguments(p)
    return p.parse_args(list(argv))


@pytest.fixture
def bus_events():
    bus = EventBus()
    events = []
    bus.subscribe(None, events.append)
    return bus, events


def test_no_commerce_arguments_attach_nothing(bus_events):
    assert attach(args(), OverlayBoard(), (1280, 720), bus_events[0]) is None


def test_pin_places_animated_cards_and_publishes(gui, bus_events):
    bus, events = bus_events
    board = OverlayBoard()
    show = attach(args("--catalog", DEMO, "--pin", "TEA-LJ-250"), board, (1280, 720), bus)
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
        show.stop()


def test_countdown_rerenders_once_a_second_on_its_own_thread(gui):
    board = OverlayBoard()
    show = attach(args("--countdown", "00:02", "--coupon", "SAVE10"), board, (720, 1280), None)
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
        show.stop()
    assert "studio: overlays" not in [t.name for t in threading.enumerate()]


def test_bad_arguments_are_user_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,title,price\n,x,abc\n")
    with pytest.raises(UserError, match="no product imported"):
        attach(args("--catalog", str(bad)), OverlayBoard(), (1280, 720), None)
    with pytest.raises(UserError, match="no product with SKU"):
        attach(args("--catalog", DEMO, "--pin", "NOPE"), OverlayBoard(), (1280, 720), None)
    with pytest.raises(UserError, match="mm:ss"):
        attach(args("--countdown", "soon"), OverlayBoard(), (1280, 720), None)
    with pytest.raises(UserError, match="--catalog"):
        attach(args("--pin", "X"), OverlayBoard(), (1280, 720), None)


def test_chat_overlay_image_is_placed_in_the_layout(gui):
    img, x, y = chat_overlay_image([("小美", "好看 🥰"), ("Al", "hi")], (1920, 1080))
    assert img.shape[2] == 4 and x + img.shape[1] <= 1920 and y >= 0
