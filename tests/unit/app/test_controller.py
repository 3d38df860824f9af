"""The session controller without a window: preview frames, pin/unpin, countdown and coupon at run
time, destinations from the keyring, CPU, and a bad source falling back to the test pattern."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from studio.app.controller import StudioController
from studio.app.profile.model import AudioSource, Canvas, Commerce, Destination, Layer, Recording, ShowSpec
from studio.core.errors import UserError
from studio.core.paths import resources_dir


@pytest.fixture
def controller():
    made = []

    def make(camera: str = "testsrc", **kw):
        base = {"audio": (AudioSource("tone"),), "layers": (Layer(kind="video", source=camera),),
                "canvas": Canvas(320, 180), "recording": Recording(enabled=True),
                "commerce": Commerce(catalog=str(resources_dir() / "catalog" / "demo.json"))}
        base.update(kw)
        c = StudioController(ShowSpec(**base)).start()
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
    source = c.show.compositor.layers[0].source
    assert source.name.startswith("testsrc") or "test" in type(source).__name__.lower()
    assert any("test pattern" in m for m in c.messages)
    assert c.layers[0].source == "camera:No Such Camera 9000"  # the host's choice is kept in the profile


def test_destinations_need_a_server_and_use_the_keyring(controller, monkeypatch):
    c = controller()
    c.spec = replace(c.spec, destinations=(Destination(name="X", url=""),))
    with pytest.raises(UserError, match="X: no server address"):
        c.go_live()
    assert not c.live
    c.spec = replace(c.spec, destinations=(Destination(name="Y", url="rtmp://127.0.0.1:1935/live/${STUDIO_TEST_K}"),
                                           Destination(name="Off", url="", enabled=False)))
    monkeypatch.setenv("STUDIO_TEST_K", "k123")
    assert c.destination_urls() == [("Y", "rtmp://127.0.0.1:1935/live/k123")]


def test_nothing_to_go_live_to(controller):
    c = controller(recording=Recording(enabled=False))
    with pytest.raises(UserError, match="nothing to go live to"):
        c.go_live()


def test_stats_report_cpu(controller):
    c = controller()
    c.stats()
    time.sleep(0.4)
    s = c.stats()
    assert 0 <= s.cpu <= 100 and s.fps >= 0


def test_an_image_layer_keeps_its_aspect_and_fits_the_canvas(controller, tmp_path):
    from PySide6.QtGui import QColor, QImage

    from studio.app.profile.model import Layer

    c = controller()
    cw, ch = c.spec.canvas.size
    big = tmp_path / "big.png"
    img = QImage(cw * 3, cw * 3 // 2, QImage.Format.Format_ARGB32)   # 2:1, three canvases wide
    img.fill(QColor("red"))
    img.save(str(big))
    i = c.add_layer(Layer(kind="image", path=str(big)))
    layer = c.layers[i]
    assert layer.width <= cw and layer.height <= ch
    assert abs(layer.width / layer.height - 2.0) < 0.02            # not stretched
    j = c.add_layer(Layer(kind="image", path=str(big), width=200))
    assert (c.layers[j].width, c.layers[j].height) == (200, 100)    # one side given: the other follows
    small = tmp_path / "logo.png"
    QImage(64, 32, QImage.Format.Format_ARGB32).save(str(small))
    k = c.add_layer(Layer(kind="image", path=str(small)))
    assert (c.layers[k].width, c.layers[k].height) == (None, None)  # its own size
