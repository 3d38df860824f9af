"""H.264 encoders: per-encoder option maps, and probing by really opening and encoding.

`av.Codec("h264_nvenc", "w")` succeeds on machines without an NVIDIA GPU; only opening the context
and encoding a frame tells whether an encoder works. Probing runs once before the show (codec open
holds the GIL), in the order hardware first, libx264 last.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
from av.video.codeccontext import VideoCodecContext

from studio.core.errors import UserError
from studio.core.log import get_logger

log = get_logger("media.encoders")

CANDIDATES = ["h264_nvenc", "h264_qsv", "h264_amf", "h264_videotoolbox", "h264_mf", "libx264"]


@dataclass(frozen=True)
class VideoSettings:
    width: int
    height: int
    rate: Fraction
    bitrate_kbps: int = 3500
    keyint_seconds: int = 2
    profile: str = "high"  # Twitch prefers main; YouTube/Facebook accept high

    @property
    def gop(self) -> int:
        return max(1, round(self.keyint_seconds * float(self.rate)))


def encoder_options(name: str, s: VideoSettings) -> dict[str, str]:
    """CBR, a fixed keyframe interval, no scene-cut keyframes, no B-frames (low latency), the profile."""
    kbps = s.bitrate_kbps
    common = {"g": str(s.gop), "bf": "0"}
    if name == "libx264":
        return {**common, "preset": "veryfast", "tune": "zerolatency", "profile": s.profile,
                "keyint_min": str(s.gop), "sc_threshold": "0",
                "maxrate": f"{kbps}k", "minrate": f"{kbps}k", "bufsize": f"{kbps * 2}k",
                "x264-params": "nal-hrd=cbr:force-cfr=1:scenecut=0"}
    if name == "h264_nvenc":
        return {**common, "preset": "p4", "tune": "ll", "rc": "cbr", "profile": s.profile,
                "maxrate": f"{kbps}k", "bufsize": f"{kbps * 2}k", "no-scenecut": "1", "forced-idr": "1"}
    if name == "h264_qsv":
        return {**common, "preset": "veryfast", "profile": s.profile, "maxrate": f"{kbps}k",
                "bufsize": f"{kbps * 2}k", "look_ahead": "0"}
    if name == "h264_amf":
        return {**common, "usage": "lowlatency", "rc": "cbr", "profile": s.profile,
                "maxrate": f"{kbps}k", "bufsize": f"{kbps * 2}k"}
    if name == "h264_videotoolbox":
        return {**common, "realtime": "1", "allow_sw": "0", "profile": s.profile, "maxrate": f"{kbps}k",
                "bufsize": f"{kbps * 2}k"}
    if name == "h264_mf":
        return {**common, "rate_control": "cbr", "scenario": "live_streaming", "hw_encoding": "1"}
    return common


def configure(ctx: VideoCodecContext, name: str, s: VideoSettings) -> None:
    """Set the common fields of a video codec context (stream-attached or standalone)."""
    ctx.width = s.width
    ctx.height = s.height
    ctx.pix_fmt = "nv12" if name in ("h264_qsv", "h264_videotoolbox", "h264_mf", "h264_amf") else "yuv420p"
    ctx.time_base = Fraction(1, 1) / s.rate
    ctx.framerate = s.rate
    ctx.bit_rate = s.bitrate_kbps * 1000
    ctx.options = encoder_options(name, s)


def _probe_one(name: str, s: VideoSettings) -> str | None:
    """None when `name` opens and encodes a frame here; otherwise why not."""
    try:
        codec = av.Codec(name, "w")
    except Exception as e:  # not compiled into this FFmpeg
        return f"not available ({e})"
    try:
        ctx = av.CodecContext.create(codec)
        if not isinstance(ctx, VideoCodecContext):
            return "not a video encoder"
        configure(ctx, name, s)
        ctx.open()
        black = np.full((s.height * 3 // 2, s.width), 16, np.uint8)
        frame = av.VideoFrame.from_ndarray(black, format="yuv420p")
        if ctx.pix_fmt is not None and ctx.pix_fmt != "yuv420p":
            frame = frame.reformat(format=ctx.pix_fmt)
        frame.pts = 0
        packets = list(ctx.encode(frame)) + list(ctx.encode(None))
        if not packets:
            return "opened but produced no packet"
        return None
    except Exception as e:
        # FFmpeg's message repeats the whole option dict; the errno text is what a person needs.
        return getattr(e, "strerror", None) or type(e).__name__


def probe_encoders(width: int = 1280, height: int = 720, fps: float = 30,
                   names: list[str] | None = None) -> list[tuple[str, bool, str]]:
    """[(name, works, reason)] for every candidate, in preference order."""
    s = VideoSettings(width, height, Fraction(fps).limit_denominator(1001), 2500)
    out = []
    for name in names or CANDIDATES:
        why = _probe_one(name, s)
        out.append((name, why is None, why or "ok"))
        log.info("encoder %s: %s", name, why or "ok")
    return out


def choose_encoder(requested: str, s: VideoSettings, candidates: list[str] | None = None,
                   probe: Callable[[str, VideoSettings], str | None] | None = None) -> str:
    """'auto': the first of `candidates` (default: hardware first, libx264 last) that really opens and
    encodes a frame here — an encoder that opens and fails on its first frame is skipped, with the
    reason logged; otherwise the named one, checked. `probe` is the check (tests inject failures)."""
    probe = probe or _probe_one
    if requested == "auto":
        for name in candidates or CANDIDATES:
            why = probe(name, s)
            if why is None:
                log.info("encoder %s chosen", name)
                return name
            log.info("encoder %s skipped: %s", name, why)
        raise UserError("no H.264 encoder works on this machine, not even libx264: "
                        "reinstall the 'av' package")
    if requested not in CANDIDATES and requested != "libx264":
        raise UserError(f"unknown encoder '{requested}': use auto or one of {', '.join(CANDIDATES)}")
    why = probe(requested, s)
    if why is not None:
        raise UserError(f"encoder {requested} does not work here ({why}): use --encoder auto")
    return requested
