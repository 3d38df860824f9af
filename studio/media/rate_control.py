"""Changing an open encoder's VBV maximum rate, which PyAV does not expose.

Dynamic bitrate on x264 needs both the average (`bit_rate`, which PyAV sets) and the VBV maximum
(`rc_max_rate`, read-only in PyAV) to move together: FFmpeg's libx264 wrapper then calls
`x264_encoder_reconfig` before the next frame, and x264's filler keeps the stream constant-rate at
the new value. We reach the `AVCodecContext` behind PyAV's object and set `maxrate` with FFmpeg's own
`av_opt_set_int` — a documented, ABI-stable call — after checking that the pointer is one: its first
field must be `avcodec_get_class()`, and PyAV must read the new value back. If any check fails, the
encoder runs without filler and only its average moves (x264's VBV-capped ABR).
"""

from __future__ import annotations

import ctypes
import glob
import os
from typing import Any

from studio.core.log import get_logger

log = get_logger("media.rate_control")

_POINTER_OFFSET = 24   # PyObject_HEAD (16) + Cython's vtable pointer (8): PyAV's `ptr` comes first


class _Libs:
    def __init__(self) -> None:
        self.avutil: Any = None
        self.avcodec_class: int | None = None
        self.tried = False


_libs = _Libs()


def _load() -> bool:
    if _libs.tried:
        return _libs.avutil is not None
    _libs.tried = True
    try:
        import av

        here = os.path.dirname(av.__file__)
        folders = [os.path.join(here, "..", "av.libs"), os.path.join(here, ".dylibs"), here]
        avutil = avcodec = None
        for folder in folders:
            util, codec = (glob.glob(os.path.join(folder, f"{lib}*.so*"))
                           + glob.glob(os.path.join(folder, f"{lib}*.dylib"))
                           for lib in ("libavutil", "libavcodec"))
            if util and codec:
                avutil, avcodec = ctypes.CDLL(util[0]), ctypes.CDLL(codec[0])
                break
        if avutil is None or avcodec is None:
            return False
        avutil.av_opt_set_int.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int64, ctypes.c_int]
        avutil.av_opt_set_int.restype = ctypes.c_int
        avcodec.avcodec_get_class.restype = ctypes.c_void_p
        _libs.avcodec_class = avcodec.avcodec_get_class()
        _libs.avutil = avutil
        return True
    except (OSError, AttributeError, ImportError) as e:
        log.info("the VBV maximum rate cannot be changed mid-show here: %s", e)
        return False


def _context_pointer(ctx: Any) -> int | None:
    """The AVCodecContext* behind a PyAV codec context, or None when it cannot be verified."""
    if not _load() or type(ctx).__basicsize__ < _POINTER_OFFSET + 8:
        return None
    ptr = ctypes.c_void_p.from_address(id(ctx) + _POINTER_OFFSET).value
    if not ptr or ptr < 65536 or ptr % 8:
        return None
    if ctypes.c_void_p.from_address(ptr).value != _libs.avcodec_class:
        return None
    return int(ptr)


def set_max_rate(ctx: Any, kbps: int) -> bool:
    """Set an open encoder's VBV maximum rate; True when PyAV reads the new value back."""
    ptr = _context_pointer(ctx)
    if ptr is None:
        return False
    if _libs.avutil.av_opt_set_int(ptr, b"maxrate", int(kbps) * 1000, 0) < 0:
        return False
    return int(getattr(ctx, "max_bit_rate", -1)) == int(kbps) * 1000


def max_rate_reachable(ctx: Any) -> bool:
    """Can `set_max_rate` reach this context (open or not)?"""
    return _context_pointer(ctx) is not None
