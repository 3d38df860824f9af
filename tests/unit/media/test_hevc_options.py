"""HEVC encoders: option maps, choosing one (hardware first, libx265 last), the mid-show fallback to libx265,
and why libx265 is not among the encoders whose bitrate can change mid-show."""

from __future__ import annotations

import logging
import time
from fractions import Fraction

import av
import numpy as np
import pytest
from av.video.codeccontext import VideoCodecContext

from studio.core.errors import UserError
from studio.media.encoder import Encoder
from studio.media.encoder_options import (
    ADAPTIVE_ENCODERS,
    CANDIDATES,
    CODECS,
    HEVC_CANDIDATES,
    VideoSettings,
    _probe_one,
    candidates_for,
    choose_encoder,
    codec_of,
    configure,
    encoder_options,
    software_fallback,
)
from studio.media.packets import VIDEO

S = VideoSettings(320, 180, Fraction(30), 800)
HARDWARE = [n for n in HEVC_CANDIDATES if n != "libx265"]


def _x265_params(opts: dict[str, str]) -> dict[str, str]:
    return dict(kv.split("=", 1) for kv in opts["x265-params"].split(":"))


# -- option maps --------------------------------------------------------------------------------------
def test_the_hevc_candidates_are_hardware_first_libx265_last():
    assert CODECS == ("h264", "hevc")
    assert HEVC_CANDIDATES == ["hevc_nvenc", "hevc_qsv", "hevc_amf", "hevc_videotoolbox", "libx265"]
    assert candidates_for("hevc") == HEVC_CANDIDATES
    assert candidates_for("h264") == CANDIDATES
    assert (software_fallback("h264"), software_fallback("hevc")) == ("libx264", "libx265")
    assert {codec_of(n) for n in HEVC_CANDIDATES} == {"hevc"}
    assert {codec_of(n) for n in CANDIDATES} == {"h264"}


def test_an_unknown_codec_is_refused():
    with pytest.raises(UserError, match="unknown video codec 'av1': use h264 or hevc"):
        candidates_for("av1")
    with pytest.raises(UserError):
        software_fallback("vp9")


@pytest.mark.parametrize("name", HEVC_CANDIDATES)
def test_every_hevc_encoder_gets_a_fixed_keyframe_interval_no_b_frames_and_a_capped_rate(name):
    s = VideoSettings(1280, 720, Fraction(30), 2500, keyint_seconds=2)
    opts = encoder_options(name, s)
    assert opts["g"] == "60" and opts["bf"] == "0"
    assert opts["maxrate"] == "2500k" and opts["bufsize"] == "5000k"
    assert opts["profile"] == "main"      # the settings' "high" is an H.264 profile


def test_libx265_options_keyframes_every_gop_in_band_headers_and_cbr():
    s = VideoSettings(1280, 720, Fraction(30), 2500, keyint_seconds=2)
    opts = encoder_options("libx265", s)
    assert (opts["preset"], opts["tune"]) == ("ultrafast", "zerolatency")
    x265 = _x265_params(opts)
    assert x265["keyint"] == x265["min-keyint"] == "60"
    assert x265["scenecut"] == "0" and x265["bframes"] == "0"
    assert x265["repeat-headers"] == "1" and x265["info"] == "0" and x265["log-level"] == "error"
    assert x265["strict-cbr"] == "1" and x265["hrd"] == "1"


def test_libx265_in_adaptive_mode_is_vbv_capped_abr_without_hrd():
    s = VideoSettings(1280, 720, Fraction(30), 2500, adaptive=True)
    opts = encoder_options("libx265", s)
    x265 = _x265_params(opts)
    assert "strict-cbr" not in x265 and "hrd" not in x265 and "filler" not in x265
    assert opts["maxrate"] == "2500k" and "minrate" not in opts
    assert x265["keyint"] == "60" and x265["scenecut"] == "0"


def test_hardware_hevc_options():
    s = VideoSettings(1280, 720, Fraction(30), 2500)
    nvenc = encoder_options("hevc_nvenc", s)
    assert nvenc["rc"] == "cbr" and nvenc["no-scenecut"] == "1" and nvenc["forced-idr"] == "1"
    assert encoder_options("hevc_amf", s)["rc"] == "cbr"
    assert encoder_options("hevc_videotoolbox", s)["realtime"] == "1"
    assert encoder_options("hevc_qsv", s)["preset"] == "veryfast"


@pytest.mark.parametrize(("name", "pix_fmt"), [("libx265", "yuv420p"), ("hevc_nvenc", "yuv420p"),
                                               ("hevc_qsv", "nv12"), ("hevc_amf", "nv12")])
def test_configure_sets_the_pixel_format_each_encoder_takes(name, pix_fmt):
    ctx = av.CodecContext.create(name, "w")
    assert isinstance(ctx, VideoCodecContext)
    filler = configure(ctx, name, VideoSettings(640, 360, Fraction(30), 1000, adaptive=True))
    assert ctx.pix_fmt == pix_fmt
    assert (ctx.width, ctx.height, ctx.bit_rate) == (640, 360, 1_000_000)
    assert filler is False    # filler (and a moving VBV maximum) is libx264's alone


# -- choosing -----------------------------------------------------------------------------------------
def _hardware_fails(name: str, s: VideoSettings) -> str | None:
    return "Operation not permitted" if name in HARDWARE else None


def test_auto_hevc_skips_the_hardware_that_fails_and_takes_libx265(caplog):
    caplog.set_level(logging.INFO, logger="studio")
    tried: list[str] = []

    def probe(name, s):
        tried.append(name)
        return _hardware_fails(name, s)

    assert choose_encoder("auto", S, probe=probe, codec="hevc") == "libx265"
    assert tried == HEVC_CANDIDATES
    assert "encoder hevc_nvenc skipped: Operation not permitted" in caplog.text
    assert "encoder libx265 chosen" in caplog.text


def test_auto_hevc_takes_working_hardware_first():
    assert choose_encoder("auto", S, probe=lambda n, s: None if n == "hevc_qsv" else "no",
                          codec="hevc") == "hevc_qsv"


def test_no_hevc_encoder_at_all_says_what_to_do():
    with pytest.raises(UserError) as e:
        choose_encoder("auto", S, probe=lambda n, s: "broken", codec="hevc")
    message = str(e.value)
    assert "\n" not in message
    assert "no HEVC (H.265) encoder works on this machine, not even libx265" in message
    assert "h264" in message and "reinstall" in message


def test_a_named_hevc_encoder_is_checked():
    assert choose_encoder("libx265", S, probe=lambda n, s: None, codec="hevc") == "libx265"
    with pytest.raises(UserError, match="encoder hevc_nvenc does not work here .*: use --encoder auto"):
        choose_encoder("hevc_nvenc", S, probe=_hardware_fails, codec="hevc")


@pytest.mark.parametrize("name", ["h265_magic", "libx265-10bit", "hevc_vaapi"])
def test_an_unknown_hevc_encoder_name_is_refused(name):
    expected = f"unknown encoder '{name}': use auto or one of hevc_nvenc, .*, libx265$"
    with pytest.raises(UserError, match=expected):
        choose_encoder(name, S, probe=lambda n, s: None, codec="hevc")


def test_an_encoder_of_the_other_codec_is_refused_with_the_reason():
    with pytest.raises(UserError, match="encoder 'libx264' makes H.264, not HEVC"):
        choose_encoder("libx264", S, probe=lambda n, s: None, codec="hevc")
    with pytest.raises(UserError, match="encoder 'libx265' makes HEVC .*, not H.264"):
        choose_encoder("libx265", S, probe=lambda n, s: None)


def test_h264_stays_the_default():
    tried: list[str] = []

    def probe(name, s):
        tried.append(name)
        return None if name == "libx264" else "no"

    assert choose_encoder("auto", S, probe=probe) == "libx264"
    assert tried == CANDIDATES
    with pytest.raises(UserError, match="no H.264 encoder works on this machine"):
        choose_encoder("auto", S, probe=lambda n, s: "broken")


# -- libx265 for real ---------------------------------------------------------------------------------
def test_libx265_really_opens_and_encodes_here():
    assert _probe_one("libx265", S) is None


@pytest.mark.parametrize("name", HARDWARE)
def test_hardware_hevc_without_hardware_is_skipped_with_a_reason(name, caplog):
    why = _probe_one(name, S)
    if why is None:
        pytest.skip(f"{name} really works on this machine")
    caplog.set_level(logging.INFO, logger="studio")
    assert choose_encoder("auto", S, candidates=[name, "libx265"], codec="hevc") == "libx265"
    assert f"encoder {name} skipped: {why}" in caplog.text


def _bytes_per_second(change_at: int | None, open_kbps: int = 600) -> list[int]:
    """libx265 on a noisy moving gradient, opened at `open_kbps`; at frame `change_at` ctx.bit_rate becomes
    200 kbit/s. The bytes of each second."""
    s = VideoSettings(320, 180, Fraction(30), open_kbps, adaptive=True)
    ctx = av.CodecContext.create("libx265", "w")
    assert isinstance(ctx, VideoCodecContext)
    configure(ctx, "libx265", s)
    ctx.open()
    rng = np.random.default_rng(0)
    grad = np.add.outer(np.arange(270), np.arange(320)) % 200
    base = (grad + rng.integers(0, 24, grad.shape)).astype(np.uint8)
    per, acc = [], 0
    for i in range(120):
        if i == change_at:
            ctx.bit_rate = 200_000
        f = av.VideoFrame.from_ndarray(np.roll(base, i * 3, axis=1), format="yuv420p")
        f.pts = i
        acc += sum(p.size for p in ctx.encode(f))
        if i % 30 == 29:
            per.append(acc)
            acc = 0
    return per


def test_libx265_ignores_a_bitrate_changed_mid_stream_so_it_is_not_adaptive():
    # FFmpeg's libx265 wrapper reads bit_rate once, at open (no x265_encoder_reconfig): the output is
    # byte for byte the same. If a newer FFmpeg follows the change, add libx265 to ADAPTIVE_ENCODERS.
    unchanged = _bytes_per_second(change_at=None)
    assert _bytes_per_second(change_at=30) == unchanged
    # ... while opened at 200 kbit/s it does make about a third of the bytes
    assert sum(_bytes_per_second(change_at=None, open_kbps=200)[1:]) < 0.6 * sum(unchanged[1:])
    assert "libx265" not in ADAPTIVE_ENCODERS


# -- the mid-show fallback --------------------------------------------------------------------------
class FailsAfter(Encoder):
    """libx265 standing in for a GPU HEVC encoder that raises after `n` frames (the device went away)."""

    def __init__(self, n: int) -> None:
        super().__init__("libx265", S, fallback=software_fallback("hevc"))
        self.n = n
        self.calls = 0
        self._broken = self._vctx

    def _video_encode(self, frame):
        if self._vctx is self._broken and frame is not None:
            self.calls += 1
            if self.calls > self.n:
                raise av.error.ExternalError(-542398533, "Generic error in an external library")
        return super()._video_encode(frame)


def test_an_hevc_encoder_failing_mid_show_falls_back_to_libx265_and_the_stream_decodes(caplog):
    caplog.set_level(logging.WARNING, logger="studio")
    enc = FailsAfter(20)
    packets = []
    enc.sinks.append(packets.append)
    enc.start()
    canvas = np.full((S.height * 3 // 2, S.width), 128, np.uint8)
    try:
        for i in range(60):
            canvas[: S.height, :] = (np.arange(S.width)[None, :] + i * 5) % 200 + 16
            enc.submit_video(i, canvas, None)
            deadline = time.monotonic() + 10
            while enc.frames_encoded < i + 1 and enc.failure is None and time.monotonic() < deadline:
                time.sleep(0.002)
    finally:
        enc.stop()
    assert enc.failure is None
    assert (enc.fallback_from, enc.name) == ("libx265", "libx265")
    assert "falling back to libx265" in caplog.text
    video = [p for p in packets if p.kind == VIDEO]
    assert [p.frame_index for p in video if p.frame_index is not None] == list(range(60))
    assert video[20].keyframe
    dec = av.CodecContext.create("hevc", "r")
    dec.extradata = enc.video_stream.codec_context.extradata
    decoded = sum(len(dec.decode(av.Packet(p.data))) for p in video) + len(dec.decode(None))
    assert decoded == 60
