"""A video layer's opacity blends it over what is under it, on every plane; 1 copies, 0 hides."""

from fractions import Fraction

import numpy as np

from studio.media.compositor import Compositor, VideoLayer
from studio.media.sources.base import CapturedFrame


class Flat:
    """A source whose latest frame is one flat I420 colour."""

    name = "flat"

    def __init__(self, w: int, h: int, yuv: tuple[int, int, int]) -> None:
        img = np.empty((h * 3 // 2, w), np.uint8)
        img[:h] = yuv[0]
        img[h:h + h // 4] = yuv[1]
        img[h + h // 4:] = yuv[2]
        self.frame = CapturedFrame(img, 0.0, 1, "yuv420p")

    def latest(self) -> CapturedFrame:
        return self.frame


def _planes(canvas: np.ndarray, w: int, h: int) -> tuple[int, int, int]:
    return int(canvas[h // 2, w // 2]), int(canvas[h + 1, 1]), int(canvas[h + h // 4 + 1, 1])


def test_a_half_transparent_layer_is_blended_over_the_one_below():
    w, h = 64, 32
    bottom = VideoLayer(Flat(w, h, (200, 100, 60)))   # type: ignore[arg-type]
    top = VideoLayer(Flat(w, h, (40, 180, 220)), opacity=0.5)  # type: ignore[arg-type]
    comp = Compositor((w, h), Fraction(30), [bottom, top])
    assert _planes(comp.compose(0.0), w, h) == (120, 140, 140)
    comp.layers = [bottom, VideoLayer(top.source, opacity=1.0)]
    assert _planes(comp.compose(0.0), w, h) == (40, 180, 220)
    comp.layers = [bottom, VideoLayer(top.source, opacity=0.0)]
    assert _planes(comp.compose(0.0), w, h) == (200, 100, 60)


def test_a_translucent_layer_alone_is_blended_over_black_not_over_the_last_frame():
    w, h = 32, 32
    layer = VideoLayer(Flat(w, h, (216, 128, 128)), opacity=0.5)  # type: ignore[arg-type]
    comp = Compositor((w, h), Fraction(30), [layer])
    first = _planes(comp.compose(0.0), w, h)
    second = _planes(comp.compose(0.1), w, h)
    assert first == second == (116, 128, 128)
