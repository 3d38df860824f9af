"""Timestamp arithmetic, in one place, with exact fractions and integer counts.

The show clock starts at `t0 = time.monotonic()`. Video frame i is due at t0 + i/fps and carries
pts = i in time base 1/fps; audio sample n is due at t0 + n/48000 and carries pts = n in 1/48000.
Both tracks are counted from the same t0, so they stay aligned however long the show runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

AUDIO_RATE = 48000
AUDIO_BLOCK = 1024


def as_rate(fps: float | int | Fraction | str) -> Fraction:
    """30 → 30/1, 29.97 → 30000/1001, '25' → 25/1."""
    if isinstance(fps, Fraction):
        return fps
    if isinstance(fps, str):
        fps = float(Fraction(fps))
    if fps <= 0:
        raise ValueError("frame rate must be positive")
    for ntsc in (Fraction(24000, 1001), Fraction(30000, 1001), Fraction(60000, 1001)):
        if abs(float(ntsc) - fps) < 0.005:
            return ntsc
    return Fraction(fps).limit_denominator(1001)


def frame_due(t0: float, index: int, rate: Fraction) -> float:
    """Monotonic time at which frame `index` is due."""
    return t0 + float(index / rate)


def frame_index_at(t0: float, t: float, rate: Fraction) -> int:
    """Index of the frame slot that contains time t (floor), never negative."""
    return max(0, math.floor((t - t0) * float(rate) + 1e-9))


def samples_due(t0: float, t: float, rate: int = AUDIO_RATE) -> int:
    return max(0, math.floor((t - t0) * rate + 1e-9))


def pts_to_seconds(pts: int, time_base: Fraction) -> Fraction:
    return pts * time_base


def rescale(pts: int, src: Fraction, dst: Fraction) -> int:
    """Rescale a timestamp between time bases, rounding to nearest (exact, no float)."""
    v = Fraction(pts) * src / dst
    return math.floor(v + Fraction(1, 2))


@dataclass(frozen=True)
class CfrStep:
    """What the encoder does with the next composed frame to keep constant frame rate."""

    duplicates: int  # how many times to repeat the previous frame first
    drop: bool       # True: this frame is late/out of order, do not encode it


def cfr_step(last_index: int | None, index: int, max_duplicates: int = 30) -> CfrStep:
    """CFR rule: fill a gap by repeating the previous frame; never go back in time.

    A gap longer than `max_duplicates` frames (the process was frozen) is not filled frame by
    frame: the timestamps jump and the player holds the last picture, instead of a burst of
    duplicates the encoder cannot absorb in real time.
    """
    if last_index is None:
        return CfrStep(0, False)
    if index <= last_index:
        return CfrStep(0, True)
    gap = index - last_index - 1
    return CfrStep(min(gap, max_duplicates), False)
