"""The session controller without a window: preview frames, pin/unpin, countdown and coupon at run
time, destinations from the keyring, CPU, and a bad source falling back to the test pattern."""

from __future__ import annotations

import threading
import time

import pytest

from studio.app.controller import StudioController
from studio.app.settings import AudioSettings, Destination, Settings
from studio.core.errors import UserError


@pytest.fixture
def controller():
    made = []

    def make(**kw):
        base = {"feeds": ["none"], "audio": [AudioSettings(source="tone")], "camera": "testsrc", "width": 320,
                "height": 180}
        base.update(kw)
        c = StudioController(Settings(**base)).start()
        made.append(c)
        return c

    yield make
    for c in made:
        c.shutdown()


def test_preview_frames_arrive_downscaled(controller):
    c = controller()
    got, done = [], threading.Event()

    def deliver(index, bgr):
        got.append(bgr.shape)
        done.set()

    c.add_preview(deliver, (160, 90))
    assert done.wait(3)
    assert got[0] == (90, 160, 3)


def test_countdown_and_coupon_change_at_run_time(controller):
    c = controller()
    board = c.show.board
    c.set_coupon("SAVE10")
    assert board.get("commerce.coupon") is not None
    c.set_coupon(None)
    assert board.get("commerce.coupon") is None
    c.set_countdown(90)
    assert 88 < c.countdown_remaining() <= 90
    c.set_countdown(30)
    assert c.countdown_remaining() <= 30
    c.set_countdown(None)
    assert c.countdown_remaining() is None and board.get("commerce.countdown") is None


def test_pin_keys_follow_the_catalog_order(controller):
    c = controller()
    p = c.pin_index(3)
    assert p is c.products[2] and c.pinned is p
    assert c.pin_index(99) is None and c.pinned is p
    c.unpin()
    assert c.pinned is None


def test_a_bad_camera_falls_back_to_the_test_pattern(controller):
    c = controller(camera="camera:No Such Camera 9000")
    assert c.layers[0].source.name.startswith("testsrc") or "test" in type(c.layers[0].source).__name__.lower()
    assert any("test pattern" in m for m in c.messages)


def test_destinations_need_a_server_and_use_the_keyring(controller, monkeypatch):
    c = controller()
    c.settings.destinations = [Destination(name="X", server="")]
    with pytest.raises(UserError, match="no server URL"):
        c.go_live()
    d = Destination(name="Y", server="rtmp://127.0.0.1:1935/live")
    c.settings.destinations = [d]
    monkeypatch.setattr("studio.app.controller.get_secret", lambda name: "k123" if name == d.key_name else None)
    assert c.destination_urls() == [("Y", "rtmp://127.0.0.1:1935/live/k123")]


def test_nothing_to_go_live_to(controller):
    c = controller(record=False)
    with pytest.raises(UserError, match="nothing to go live to"):
        c.go_live()


def test_stats_report_cpu(controller):
    c = controller()
    c.stats()
    time.sleep(0.4)
    s = c.stats()
    assert 0 <= s["cpu"] <= 100 and s["fps"] >= 0
