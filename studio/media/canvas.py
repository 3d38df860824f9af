"""The canvas's size and frame rate as the command line and profiles give them: checked in one place."""

from __future__ import annotations

from fractions import Fraction

from studio.core.errors import UserError
from studio.media.clock import as_rate

MAX_SIDE = 4096


def parse_size(text: str, what: str = "--size") -> tuple[int, int]:
    try:
        w_s, h_s = text.lower().split("x")
        w, h = int(w_s), int(h_s)
    except ValueError:
        raise UserError(f"{what} '{text}' is not WIDTHxHEIGHT: use e.g. 1280x720 or 720x1280") from None
    check_size(w, h, what)
    return w, h


def check_size(w: int, h: int, what: str) -> None:
    if not (16 <= w <= MAX_SIDE and 16 <= h <= MAX_SIDE) or w % 2 or h % 2:
        raise UserError(f"{what} {w}x{h} is not supported: width and height must be even numbers "
                        f"between 16 and {MAX_SIDE}, e.g. 1280x720, 1920x1080, 720x1280")


def check_fps(fps: float, what: str = "--fps") -> Fraction:
    if not (1 <= fps <= 120):
        raise UserError(f"{what} {fps} is not supported: use a frame rate from 1 to 120, e.g. 30")
    return as_rate(fps)
