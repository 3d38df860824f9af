import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from studio.media.blend import PreparedImage, blend_onto_i420, i420_planes, i420_to_bgr, premultiply
from studio.media.overlay import Animation, Overlay, OverlayBoard


def canvas(w=64, h=48, bgr=(0, 0, 255)):
    import cv2

    img = np.zeros((h, w, 3), np.uint8)
    img[:] = bgr
    return cv2.cvtColor(img, cv2.COLOR_BGR2YUV_I420)


def card(w, h, bgr, alpha):
    img = np.zeros((h, w, 4), np.uint8)
    img[..., :3] = bgr
    img[..., 3] = alpha
    return premultiply(img)


def test_opaque_card_replaces_exactly_its_rectangle():
    buf = canvas()
    planes = i420_planes(buf, 64, 48)
    blend_onto_i420(planes, PreparedImage(card(20, 10, (255, 0, 0), 255)), 10, 8)
    bgr = i420_to_bgr(buf)
    assert bgr[12, 20, 0] > 200 and bgr[12, 20, 2] < 60          # blue inside
    assert bgr[30, 40, 2] > 200 and bgr[30, 40, 0] < 60          # red outside
    assert bgr[4, 4, 2] > 200


def test_transparent_card_leaves_canvas_untouched():
    buf = canvas()
    before = buf.copy()
    blend_onto_i420(i420_planes(buf, 64, 48), PreparedImage(card(20, 10, (255, 255, 255), 0)), 10, 8)
    assert np.array_equal(buf, before)


def test_half_alpha_is_halfway():
    buf = canvas(bgr=(0, 0, 0))
    blend_onto_i420(i420_planes(buf, 64, 48), PreparedImage(card(20, 10, (255, 255, 255), 128)), 10, 8)
    y = i420_planes(buf, 64, 48)[0]
    assert 120 <= y[12, 20] <= 130  # limited range: 16 + (235-16)/2 ≈ 126


@settings(max_examples=60)
@given(st.integers(-80, 120), st.integers(-80, 120), st.integers(1, 50), st.integers(1, 50))
def test_blend_clips_at_any_position_without_error(x, y, w, h):
    buf = canvas()
    blend_onto_i420(i420_planes(buf, 64, 48), PreparedImage(card(w, h, (10, 200, 30), 200)), x, y)
    assert buf.shape == (72, 64)


def test_board_draws_in_z_order_and_drops_finished_exit_animations():
    board = OverlayBoard()
    a = Overlay(card(4, 4, (1, 1, 1), 255), 0, 0)
    b = Overlay(card(4, 4, (2, 2, 2), 255), 0, 0, animation=Animation(t0=0.0, duration=0.25, to_opacity=0.0,
                                                                       from_opacity=1.0, remove_at_end=True))
    board.set("top", a, z=10)
    board.set("bottom", b, z=1)
    assert board.snapshot(t=0.1) == (b, a)
    assert board.snapshot(t=1.0) == (a,)
    assert board.slots() == ["top"]


def test_enter_animation_slides_and_fades_in():
    anim = Animation(t0=10.0, duration=0.25, from_dx=-100, from_opacity=0.0)
    o = Overlay(card(4, 4, (1, 1, 1), 255), 50, 60, animation=anim)
    x0, _, op0 = o.placement(10.0)
    x1, y1, op1 = o.placement(10.5)
    assert (x0, op0) == (-50, 0.0)
    assert (x1, y1, op1) == (50, 60, 1.0)


def test_an_overlay_at_an_odd_position_lands_on_exactly_that_pixel():
    buf = canvas(bgr=(0, 0, 0))
    blend_onto_i420(i420_planes(buf, 64, 48), PreparedImage(card(10, 10, (255, 255, 255), 255)), 11, 7)
    y = i420_planes(buf, 64, 48)[0]
    assert y[7, 11] > 200 and y[16, 20] > 200       # first and last pixel of the card
    assert y[6, 11] < 30 and y[7, 10] < 30          # the row above and the column left stay black
    assert y[17, 20] < 30 and y[7, 21] < 30
