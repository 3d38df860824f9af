"""Image and text layers take their place in the show's order: one listed under a video layer is drawn
under it (hidden by an opaque full-canvas video, seen through a transparent one), one above on top."""

from fractions import Fraction

import numpy as np

from studio.media.compositor import Compositor, VideoLayer
from studio.media.overlay import Overlay, OverlayBoard
from tests.unit.media.test_compositor_opacity import Flat, _planes


def _white(w: int, h: int) -> np.ndarray:
    img = np.zeros((h, w, 4), np.uint8)
    img[...] = (255, 255, 255, 255)   # premultiplied BGRA, opaque white
    return img


def test_an_image_under_a_video_layer_is_drawn_under_it():
    w, h = 64, 32
    board = OverlayBoard()
    board.set("layer.0", Overlay(_white(w, h), 0, 0), z=10)           # the show's layer 0: an image
    video = VideoLayer(Flat(w, h, (40, 180, 220)), z=11)              # layer 1: the camera  # type: ignore[arg-type]
    comp = Compositor((w, h), Fraction(30), [video], board)
    assert _planes(comp.compose(0.0), w, h) == (40, 180, 220)         # hidden under the opaque camera
    comp.layers = [VideoLayer(video.source, opacity=0.5, z=11)]
    y, _, _ = _planes(comp.compose(0.0), w, h)
    assert 135 < y < 141                                              # seen through: (235 + 40) / 2
    board.set("layer.0", None)
    board.set("layer.2", Overlay(_white(w, h), 0, 0), z=12)           # an image above the camera
    comp.layers = [VideoLayer(video.source, z=11)]
    assert _planes(comp.compose(0.0), w, h)[0] == 235                 # white on top (limited range)


def test_a_canvas_of_only_images_under_a_small_video_starts_black():
    w, h = 64, 32
    board = OverlayBoard()
    small = np.zeros((8, 8, 4), np.uint8)
    small[...] = (255, 255, 255, 255)
    board.set("layer.0", Overlay(small, 0, 0), z=10)
    video = VideoLayer(Flat(16, 16, (100, 128, 128)), x=40, y=10, width=16, height=16, z=11)  # type: ignore[arg-type]
    comp = Compositor((w, h), Fraction(30), [video], board)
    canvas = comp.compose(0.0)
    assert canvas[2, 2] == 235 and canvas[20, 20] == 16 and canvas[12, 44] == 100
