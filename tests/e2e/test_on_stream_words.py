"""The words on air, pulled back from the RTMP server as a viewer sees them: a CNY catalog's countdown
and coupon cards say 限时秒杀 / 优惠券, laid out as the renderer fits them (compared with the same
cards composed here, in Chinese and in English, over the same flat picture)."""

from __future__ import annotations

import time
from fractions import Fraction

import cv2
import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from studio.app.show_commerce import CommerceShow
from studio.commerce.catalog import load_catalog
from studio.commerce.overlays.layout import layout_for
from studio.core.paths import resources_dir
from studio.media.blend import i420_to_bgr
from studio.media.compositor import Compositor, VideoLayer
from studio.media.overlay import OverlayBoard
from studio.media.sources.specs import parse_video_spec
from tests.support.pull import Puller
from tests.support.studio_proc import run_studio

SIZE = (1280, 720)
COUPON = "新客专享立减20元"


def _local(grey, lang: str) -> np.ndarray:
    """The frame the studio should send, composed here: RGB."""
    catalog = load_catalog(resources_dir() / "catalog" / "demo.json")
    board = OverlayBoard()
    commerce = CommerceShow(board, SIZE, None, catalog, 300, COUPON, locale=lang, qr="off")
    source = parse_video_spec(f"image:{grey}", SIZE, 30.0)
    source.start()
    try:
        deadline = time.monotonic() + 5
        while source.latest() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        comp = Compositor(SIZE, Fraction(30), [VideoLayer(source)], board)
        canvas = comp.compose(time.monotonic() + 5)   # every entry animation over
        return cv2.cvtColor(i420_to_bgr(canvas), cv2.COLOR_BGR2RGB)
    finally:
        source.stop()
        commerce.stop()


def _region(frame: np.ndarray, box, right_fraction: float = 1.0) -> np.ndarray:
    x, y = box.x, box.y
    w, h = box.size
    return frame[y:y + h, x:x + int(w * right_fraction)].astype(np.int16)


@pytest.mark.slow
def test_the_cards_on_air_speak_chinese_for_a_cny_catalog(rtmp_server, tmp_path):
    grey = tmp_path / "grey.png"
    img = QImage(*SIZE, QImage.Format.Format_RGB32)
    img.fill(QColor(90, 110, 130))
    img.save(str(grey))
    url = rtmp_server.url("words")
    puller = Puller(url, 2.0, keep_frames=2, open_timeout=20).start()
    res = run_studio("live", "--video", f"image:{grey}", "--audio", "tone", "--size", "1280x720",
                     "--catalog", str(resources_dir() / "catalog" / "demo.json"), "--countdown", "05:00",
                     "--coupon", COUPON, "--qr", "off", "--out", url, "--duration", "7", "--quiet")
    assert res.returncode == 0, res.stderr
    pulled = puller.join()
    assert pulled.error is None and pulled.frames, pulled.error
    frame = pulled.frames[-1]
    zh, en = _local(grey, "zh"), _local(grey, "en")
    layout = layout_for(SIZE)
    for kind, part in (("countdown", 0.45), ("coupon", 1.0)):   # the countdown's label, not its clock
        box = layout.box(kind)
        got = _region(frame, box, part)
        d_zh = float(np.abs(got - _region(zh, box, part)).mean())
        d_en = float(np.abs(got - _region(en, box, part)).mean())
        assert d_zh < 6, (kind, d_zh)              # what was sent is the Chinese card, up to H.264's loss
        assert d_en > 2 * d_zh, (kind, d_zh, d_en)  # and not the English one
