"""Encoder fallback: a hardware encoder that does not work is skipped at start, and one that fails
mid-show is replaced by libx264 without a hole in the frame count."""

from __future__ import annotations

import logging
import time
from fractions import Fraction

import av
import numpy as np
import pytest

from studio.media.encoder import Encoder
from studio.media.encoder_options import VideoSettings, _probe_one, choose_encoder
from studio.media.packets import VIDEO

S = VideoSettings(320, 180, Fraction(30), 800)


def _first_frame_fails(name: str, s: VideoSettings) -> str | None:
    """A probe where 'h264_fake' opens and then fails on its first frame (what NVENC does without a GPU)."""
    if name == "h264_fake":
        return "Function not implemented (failed on the first frame)"
    return _probe_one(name, s)


def test_auto_skips_an_encoder_that_fails_on_its_first_frame_and_logs_why(caplog):
    caplog.set_level(logging.INFO, logger="studio")
    chosen = choose_encoder("auto", S, candidates=["h264_fake", "libx264"], probe=_first_frame_fails)
    assert chosen == "libx264"
    assert "encoder h264_fake skipped: Function not implemented" in caplog.text


@pytest.mark.parametrize("name", ["h264_nvenc", "h264_qsv"])
def test_the_real_hardware_encoders_without_hardware_are_skipped_with_a_reason(name, caplog):
    why = _probe_one(name, S)
    if why is None:
        pytest.skip(f"{name} really works on this machine")
    caplog.set_level(logging.INFO, logger="studio")
    assert choose_encoder("auto", S, candidates=[name, "libx264"]) == "libx264"
    assert f"encoder {name} skipped: {why}" in caplog.text


class FailsAfter(Encoder):
    """libx264 standing in for a GPU encoder that raises after `n` frames (the device went away)."""

    def __init__(self, n: int) -> None:
        super().__init__("libx264", S, fallback="libx264")
        self.n = n
        self.calls = 0
        self._broken = self._vctx

    def _video_encode(self, frame):
        if self._vctx is self._broken and frame is not None:
            self.calls += 1
            if self.calls > self.n:
                raise av.error.ExternalError(-542398533, "Generic error in an external library")
        return super()._video_encode(frame)


def _run(encoder: Encoder, frames: int) -> list:
    packets = []
    encoder.sinks.append(packets.append)
    encoder.start()
    canvas = np.full((S.height * 3 // 2, S.width), 16, np.uint8)
    try:
        for i in range(frames):
            canvas[: S.height, :] = (i * 7) % 220 + 16  # each frame differs
            encoder.submit_video(i, canvas, None)
            deadline = time.monotonic() + 10
            while encoder.frames_encoded < i + 1 and encoder.failure is None and time.monotonic() < deadline:
                time.sleep(0.002)
    finally:
        encoder.stop()
    return [p for p in packets if p.kind == VIDEO]


def test_an_encoder_that_fails_mid_show_falls_back_to_libx264_and_logs_it(caplog):
    caplog.set_level(logging.WARNING, logger="studio")
    enc = FailsAfter(20)
    video = _run(enc, 60)
    assert enc.failure is None
    assert (enc.fallback_from, enc.name) == ("libx264", "libx264")
    assert "failed on frame 20" in caplog.text and "falling back to libx264" in caplog.text
    # every frame index encoded once, in order, and the first packet after the switch is a keyframe
    indices = [p.frame_index for p in video if p.frame_index is not None]
    assert indices == list(range(60))
    assert video[20].keyframe
    # the whole sequence decodes with the first encoder's headers plus the fallback's in-band ones
    dec = av.CodecContext.create("h264", "r")
    dec.extradata = enc.video_stream.codec_context.extradata
    decoded = 0
    for p in video:
        decoded += len(dec.decode(av.Packet(p.data)))
    decoded += len(dec.decode(None))
    assert decoded == 60


def test_without_a_fallback_the_failure_is_reported():
    enc = FailsAfter(5)
    enc.fallback = None
    _run(enc, 10)
    assert enc.failure is not None and "the encoder failed" in enc.failure


def test_a_failing_encoder_is_an_event_the_window_and_the_log_get():
    seen = []
    enc = FailsAfter(5)
    enc.on_event = lambda kind, message: seen.append((kind, message))
    _run(enc, 10)
    assert seen == [("fallback", seen[0][1])] and "the show goes on with libx264" in seen[0][1]
    fatal = FailsAfter(5)
    fatal.fallback = None
    fatal.on_event = lambda kind, message: seen.append((kind, message))
    _run(fatal, 10)
    assert seen[-1][0] == "failed" and "stop the show and go live again" in seen[-1][1]


def test_the_show_publishes_an_encoder_problem_on_its_bus():
    from studio.core.events import EncoderProblem, EventBus
    from studio.media.show import Show, ShowConfig

    bus = EventBus()
    got = []
    bus.subscribe(EncoderProblem, got.append)
    show = Show(ShowConfig(size=(S.width, S.height)), [], [], bus=bus)
    show._on_encoder_event("fallback", "the video encoder h264_nvenc failed (x): the show goes on with x")
    assert got[0].fatal is False and show.stats().encoder_problem.startswith("the video encoder")
