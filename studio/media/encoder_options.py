"""H.264 and HEVC encoders: per-encoder option maps, and probing by really opening and encoding.

`av.Codec("h264_nvenc", "w")` succeeds on machines without an NVIDIA GPU; only opening the context
and encoding a frame tells whether an encoder works. Probing runs once before the show (codec open
holds the GIL), in the order hardware first, the software encoder (libx264, libx265) last.

HEVC goes out over RTMP as Enhanced RTMP (FourCC hvc1), which FFmpeg's FLV muxer writes by itself;
libx265 costs about three times libx264's CPU at the same size (ultrafast against veryfast).
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
from studio.media.rate_control import max_rate_reachable

log = get_logger("media.encoders")

# Encoders whose FFmpeg wrapper follows a new bit_rate between frames (x264_encoder_reconfig, NVENC's and
# QSV's reconfigure, shared by their H.264 and HEVC encoders): dynamic bitrate lowers them in place; the
# others keep CBR and drop by priority. Not libx265: FFmpeg's wrapper never calls x265_encoder_reconfig,
# and a bit_rate changed on the open context leaves the output byte for byte the same.
ADAPTIVE_ENCODERS = frozenset({"libx264", "h264_nvenc", "h264_qsv", "hevc_nvenc", "hevc_qsv"})

CODECS = ("h264", "hevc")
CANDIDATES = ["h264_nvenc", "h264_qsv", "h264_amf", "h264_videotoolbox", "h264_mf", "libx264"]
HEVC_CANDIDATES = ["hevc_nvenc", "hevc_qsv", "hevc_amf", "hevc_videotoolbox", "libx265"]
_SOFTWARE = {"h264": "libx264", "hevc": "libx265"}
_CODEC_NAMES = {"h264": "H.264", "hevc": "HEVC (H.265)"}
# these take NV12, not planar yuv420p: the encode thread converts each frame
_NV12 = frozenset({"h264_qsv", "h264_videotoolbox", "h264_mf", "h264_amf",
                   "hevc_qsv", "hevc_videotoolbox", "hevc_amf"})


@dataclass(frozen=True)
class VideoSettings:
    width: int
    height: int
    rate: Fraction
    bitrate_kbps: int = 3500
    keyint_seconds: int = 2
    profile: str = "high"  # Twitch prefers main; YouTube/Facebook accept high
    adaptive: bool = False  # the bitrate may be lowered mid-show (dynamic bitrate)

    @property
    def gop(self) -> int:
        return max(1, round(self.keyint_seconds * float(self.rate)))


def _codec_or_refuse(codec: str) -> str:
    if codec not in CODECS:
        raise UserError(f"unknown video codec '{codec}': use {' or '.join(CODECS)}")
    return codec


def candidates_for(codec: str) -> list[str]:
    """The encoders of `codec` ("h264" or "hevc"), in preference order: hardware first, software last."""
    return list(HEVC_CANDIDATES if _codec_or_refuse(codec) == "hevc" else CANDIDATES)


def software_fallback(codec: str) -> str:
    """The encoder a hardware one falls back to mid-show: libx264 for H.264, libx265 for HEVC."""
    return _SOFTWARE[_codec_or_refuse(codec)]


def codec_of(name: str) -> str:
    """The codec an encoder name makes ("hevc" for the HEVC candidates, "h264" otherwise)."""
    return "hevc" if name in HEVC_CANDIDATES else "h264"


def encoder_options(name: str, s: VideoSettings, filler: bool = False) -> dict[str, str]:
    """CBR, a fixed keyframe interval, no scene-cut keyframes, no B-frames (low latency), the profile."""
    kbps = s.bitrate_kbps
    common = {"g": str(s.gop), "bf": "0"}
    if name == "libx264":
        x264 = {**common, "preset": "veryfast", "tune": "zerolatency", "profile": s.profile,
                "keyint_min": str(s.gop), "sc_threshold": "0",
                "maxrate": f"{kbps}k", "bufsize": f"{kbps * 2}k"}
        if s.adaptive:
            # x264 refuses VBV changes while NAL HRD is on: dynamic bitrate keeps the rate constant
            # with filler instead, when the VBV maximum can follow (media/rate_control.py); otherwise
            # VBV-capped ABR, whose average follows bit_rate alone
            return {**x264, "x264-params": "force-cfr=1:scenecut=0" + (":filler=1" if filler else "")}
        return {**x264, "minrate": f"{kbps}k", "x264-params": "nal-hrd=cbr:force-cfr=1:scenecut=0"}
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
    if name in HEVC_CANDIDATES:
        return _hevc_options(name, s, common)
    return common


def _hevc_options(name: str, s: VideoSettings, common: dict[str, str]) -> dict[str, str]:
    """As for H.264, in profile main (8-bit 4:2:0: what every HEVC decoder and platform takes; the
    settings' profile names an H.264 one)."""
    kbps = s.bitrate_kbps
    vbv = {"maxrate": f"{kbps}k", "bufsize": f"{kbps * 2}k"}
    if name == "libx265":
        # the keyframe rules again in x265-params (they win over FFmpeg's mapping of g/keyint_min/bf);
        # parameter sets before every keyframe (a server or player joining mid-stream, the mid-show
        # fallback), no x265 version SEI, x265's console output off
        x265 = (f"keyint={s.gop}:min-keyint={s.gop}:scenecut=0:bframes=0:"
                "repeat-headers=1:info=0:log-level=error")
        if not s.adaptive:
            # x265 has no filler: strict-cbr keeps the rate at the VBV maximum, hrd signals it
            x265 += ":strict-cbr=1:hrd=1"
        # adaptive: VBV-capped ABR, no HRD (the bitrate is not constant then)
        return {**common, "preset": "ultrafast", "tune": "zerolatency", "profile": "main",
                "keyint_min": str(s.gop), **vbv, "x265-params": x265}
    if name == "hevc_nvenc":
        return {**common, "preset": "p4", "tune": "ll", "rc": "cbr", "profile": "main", **vbv,
                "no-scenecut": "1", "forced-idr": "1"}
    if name == "hevc_qsv":
        return {**common, "preset": "veryfast", "profile": "main", **vbv}  # maxrate = bit_rate: CBR
    if name == "hevc_amf":
        return {**common, "usage": "lowlatency", "rc": "cbr", "profile": "main", **vbv}
    # hevc_videotoolbox
    return {**common, "realtime": "1", "allow_sw": "0", "profile": "main", **vbv}


def configure(ctx: VideoCodecContext, name: str, s: VideoSettings) -> bool:
    """Set the common fields of a video codec context (stream-attached or standalone). True when x264's
    filler keeps the rate constant and the VBV maximum must follow every bitrate change."""
    ctx.width = s.width
    ctx.height = s.height
    ctx.pix_fmt = "nv12" if name in _NV12 else "yuv420p"
    ctx.time_base = Fraction(1, 1) / s.rate
    ctx.framerate = s.rate
    ctx.bit_rate = s.bitrate_kbps * 1000
    filler = name == "libx264" and s.adaptive and max_rate_reachable(ctx)
    ctx.options = encoder_options(name, s, filler=filler)
    return filler


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
                   names: list[str] | None = None, codec: str = "h264") -> list[tuple[str, bool, str]]:
    """[(name, works, reason)] for every candidate of `codec`, in preference order."""
    s = VideoSettings(width, height, Fraction(fps).limit_denominator(1001), 2500)
    out = []
    for name in names or candidates_for(codec):
        why = _probe_one(name, s)
        out.append((name, why is None, why or "ok"))
        log.info("encoder %s: %s", name, why or "ok")
    return out


def choose_encoder(requested: str, s: VideoSettings, candidates: list[str] | None = None,
                   probe: Callable[[str, VideoSettings], str | None] | None = None,
                   codec: str = "h264") -> str:
    """'auto': the first of `candidates` (default: `codec`'s encoders, hardware first, libx264 or libx265
    last) that really opens and encodes a frame here — an encoder that opens and fails on its first
    frame is skipped, with the reason logged; otherwise the named one, checked (it must make `codec`).
    `probe` is the check (tests inject failures)."""
    probe = probe or _probe_one
    known = candidates_for(codec)
    if requested == "auto":
        for name in candidates or known:
            why = probe(name, s)
            if why is None:
                log.info("encoder %s chosen", name)
                return name
            log.info("encoder %s skipped: %s", name, why)
        if codec == "hevc":
            raise UserError("no HEVC (H.265) encoder works on this machine, not even libx265: "
                            "stream H.264 instead (video codec h264), or reinstall the 'av' package")
        raise UserError("no H.264 encoder works on this machine, not even libx264: "
                        "reinstall the 'av' package")
    if requested not in known:
        other = next((c for c in CODECS if c != codec and requested in candidates_for(c)), None)
        if other is not None:
            raise UserError(f"encoder '{requested}' makes {_CODEC_NAMES[other]}, not {_CODEC_NAMES[codec]}: "
                            f"use auto or one of {', '.join(known)}")
        raise UserError(f"unknown encoder '{requested}': use auto or one of {', '.join(known)}")
    why = probe(requested, s)
    if why is not None:
        raise UserError(f"encoder {requested} does not work here ({why}): use --encoder auto")
    return requested
