"""The encode thread: one encode (video + AAC) that feeds every output.

Video pts is the show's frame index (time base 1/fps), audio pts the sample count (1/48000), both
counted from the same t0. A gap in frame indices (the compositor skipped a late tick) is filled by
repeating the previous frame, so the output is constant frame rate and time never shifts.

The codec contexts belong to streams of a header-only NUT container in memory: it opens the encoders
and fills their codec parameters, which every output copies (`add_stream_from_template`).
"""

from __future__ import annotations

import io
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import replace
from fractions import Fraction
from typing import Any

import av
import numpy as np
from av.audio.stream import AudioStream
from av.video.codeccontext import VideoCodecContext
from av.video.stream import VideoStream
from numpy.typing import NDArray

from studio.core.errors import EncoderError
from studio.core.log import get_logger
from studio.media.clock import AUDIO_RATE, cfr_step
from studio.media.encoder_options import ADAPTIVE_ENCODERS, VideoSettings, configure
from studio.media.packets import AUDIO, VIDEO, EncodedPacket
from studio.media.rate_control import set_max_rate

log = get_logger("media.encode")

PacketSink = Callable[[EncodedPacket], None]


class Encoder:
    def __init__(self, encoder_name: str, video: VideoSettings, audio_bitrate_kbps: int = 128,
                 fallback: str | None = None, on_event: Callable[[str, str], None] | None = None) -> None:
        self.name = encoder_name
        self.on_event = on_event          # ("fallback" | "failed", the host's sentence)
        self.fallback = fallback          # the encoder to switch to if this one fails mid-show
        self.fallback_from: str | None = None  # set once we have switched: the encoder that failed
        self.settings = video
        self._params = av.open(io.BytesIO(), "w", format="nut")
        video_stream = self._params.add_stream(encoder_name, rate=video.rate)
        if not isinstance(video_stream, VideoStream):
            raise EncoderError(f"{encoder_name} is not a video encoder")
        self.video_stream: VideoStream = video_stream
        self._filler = configure(self.video_stream.codec_context, encoder_name, video)
        self.audio_stream = self._params.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
        self.audio_stream.codec_context.bit_rate = audio_bitrate_kbps * 1000
        self.audio_stream.time_base = Fraction(1, AUDIO_RATE)
        try:
            # Opens both encoders (the slow part of x264 start-up) before the show clock starts.
            self._params.start_encoding()
        except av.error.FFmpegError as e:
            raise EncoderError(f"cannot open encoder {encoder_name}: {getattr(e, 'strerror', e)}") from e
        self._vctx: VideoCodecContext = self.video_stream.codec_context
        self.video_tb = Fraction(1, 1) / video.rate
        self.audio_tb = Fraction(1, AUDIO_RATE)
        self.first_index = 0
        self.first_sample = 0
        self.sinks: list[PacketSink] = []
        self.frames_encoded = 0
        self.frames_duplicated = 0
        self.frames_dropped = 0
        self.encode_ms = 0.0
        self.video_bytes = 0
        self.capture_times: dict[int, float] = {}
        self._vslot: tuple[int, av.VideoFrame, float | None] | None = None
        self._audio: deque[tuple[int, NDArray[Any]]] = deque(maxlen=512)  # ~11 s of blocks
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_index: int | None = None
        self._last_frame: av.VideoFrame | None = None
        self.failure: str | None = None
        self.bitrate_kbps = video.bitrate_kbps
        self._pending_kbps: int | None = None
        self._adapt_failed = False

    @property
    def can_adapt(self) -> bool:
        """Can this encoder's bitrate be lowered mid-show?"""
        return self.settings.adaptive and self.name in ADAPTIVE_ENCODERS and not self._adapt_failed

    def set_bitrate(self, kbps: int) -> None:
        """Ask for a new video bitrate; the encode thread applies it before its next frame."""
        self._pending_kbps = max(1, min(int(kbps), self.settings.bitrate_kbps))

    def _apply_bitrate(self) -> None:
        kbps, self._pending_kbps = self._pending_kbps, None
        if kbps is None or kbps == self.bitrate_kbps or not self.can_adapt:
            return
        if not set_max_rate(self._vctx, kbps) and self._filler:
            # x264 would pad to the old maximum whatever the average: stay where we are
            log.warning("the encoder's maximum rate cannot be changed: dynamic bitrate is off")
            self._adapt_failed = True
            return
        self._vctx.bit_rate = kbps * 1000
        self.bitrate_kbps = kbps

    def _say(self, kind: str, message: str) -> None:
        if self.on_event is not None:
            try:
                self.on_event(kind, message)
            except Exception:  # noqa: BLE001 - a listener must not stop the encode
                log.exception("encoder event listener failed")

    def set_first_index(self, first_index: int) -> None:
        """Going live while the preview runs: the show's frame `first_index` becomes pts 0, and the
        audio sample due at the same instant becomes audio pts 0."""
        self.first_index = first_index
        self.first_sample = round(first_index / self.settings.rate * AUDIO_RATE)

    # -- inputs (called from the compositor and mixer threads) --------------------------------------
    def submit_video(self, index: int, canvas: NDArray[Any], capture_t: float | None) -> None:
        """Hand over the composed canvas (copied here). A frame not yet taken is replaced: 1-deep slot."""
        index -= self.first_index
        if index < 0:
            return
        frame = av.VideoFrame.from_ndarray(canvas, format="yuv420p")
        with self._cond:
            if self._vslot is not None:
                self.frames_dropped += 1
            self._vslot = (index, frame, capture_t)
            self._cond.notify()

    def submit_audio(self, start_sample: int, block: NDArray[Any]) -> None:
        start_sample -= self.first_sample
        if start_sample + len(block) <= 0:
            return
        if start_sample < 0:
            block, start_sample = block[-start_sample:], 0
        with self._cond:
            self._audio.append((start_sample, block))
            self._cond.notify()

    # -- thread ---------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="studio: encode", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Encode what is pending, flush both encoders, and end."""
        self._stop.set()
        with self._cond:
            self._cond.notify()
        if self._thread:
            self._thread.join(timeout=10.0)
            self._thread = None

    def _emit(self, kind: str, packets: Iterable[av.Packet[Any]], tb: Fraction,
              index: int | None = None) -> None:
        for p in packets:
            ep = EncodedPacket.from_av(kind, p, tb, index)
            if kind == VIDEO:
                self.video_bytes += len(ep.data)
            for sink in self.sinks:
                sink(ep)

    def _video_encode(self, frame: av.VideoFrame | None) -> list[av.Packet[Any]]:
        """The one call into the video encoder (tests substitute a failing one here)."""
        return self._vctx.encode(frame)

    def _fall_back(self, error: Exception) -> bool:
        """The video encoder failed mid-show (a GPU encoder lost its device, a driver crashed): open the
        fallback (libx264) and carry on. Its SPS/PPS travel in-band with every keyframe (no global
        header), so decoders and servers that got the first encoder's headers pick up the new ones."""
        if self.fallback is None or self.fallback_from is not None:
            return False
        ctx = av.CodecContext.create(self.fallback, "w")
        if not isinstance(ctx, VideoCodecContext):
            log.error("encoder %s failed (%s) and the fallback %s is not a video encoder", self.name, error,
                      self.fallback)
            return False
        filler = configure(ctx, self.fallback, replace(self.settings, bitrate_kbps=self.bitrate_kbps))
        try:
            ctx.open()
        except av.error.FFmpegError as e:
            log.error("encoder %s failed (%s) and the fallback %s does not open: %s", self.name, error,
                      self.fallback, e)
            return False
        why = getattr(error, "strerror", None) or error
        log.warning("encoder %s failed on frame %d (%s): falling back to %s", self.name,
                    self.frames_encoded, why, self.fallback)
        self._say("fallback", f"the video encoder {self.name} failed ({why}): the show goes on with "
                              f"{self.fallback}")
        self.fallback_from, self.name, self._vctx, self._filler = self.name, self.fallback, ctx, filler
        return True

    def _encode_video(self, index: int, frame: av.VideoFrame) -> None:
        if self._pending_kbps is not None:
            self._apply_bitrate()
        frame.pts = index
        frame.time_base = self.video_tb
        start = time.perf_counter()
        try:
            packets = self._video_encode(self._in_format(frame))
        except (av.error.FFmpegError, OSError) as e:
            if not self._fall_back(e):
                raise
            packets = self._video_encode(self._in_format(frame))
        self.encode_ms = 0.9 * self.encode_ms + 0.1 * (time.perf_counter() - start) * 1000.0
        self.frames_encoded += 1
        self._emit(VIDEO, packets, self._video_time_base(), index)

    def _in_format(self, frame: av.VideoFrame) -> av.VideoFrame:
        if self._vctx.pix_fmt is None or self._vctx.pix_fmt == "yuv420p":
            return frame
        out = frame.reformat(format=self._vctx.pix_fmt)
        out.pts, out.time_base = frame.pts, frame.time_base
        return out

    def _video_time_base(self) -> Fraction:
        if self.fallback_from is None:
            return self.video_stream.time_base or self.video_tb
        return self.video_tb

    def _encode_audio(self, start_sample: int, block: NDArray[Any]) -> None:
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(block.T), format="fltp", layout="stereo")
        frame.sample_rate = AUDIO_RATE
        frame.pts = start_sample
        frame.time_base = self.audio_tb
        self._emit(AUDIO, self.audio_stream.encode(frame), self.audio_stream.time_base or self.audio_tb)

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    while self._vslot is None and not self._audio and not self._stop.is_set():
                        self._cond.wait(0.5)
                    vslot, self._vslot = self._vslot, None
                    audio = list(self._audio)
                    self._audio.clear()
                    stopping = self._stop.is_set()
                for start_sample, block in audio:
                    self._encode_audio(start_sample, block)
                if vslot is not None:
                    index, frame, capture_t = vslot
                    step = cfr_step(self._last_index, index)
                    if not step.drop:
                        if self._last_index is not None and self._last_frame is not None and step.duplicates:
                            for k in range(step.duplicates):
                                self._encode_video(self._last_index + 1 + k, self._last_frame)
                            self.frames_duplicated += step.duplicates
                        if capture_t is not None:
                            self.capture_times[index] = capture_t
                            if len(self.capture_times) > 600:
                                for old in list(self.capture_times)[:300]:
                                    del self.capture_times[old]
                        self._encode_video(index, frame)
                        self._last_index, self._last_frame = index, frame
                if stopping:
                    break
            self._emit(VIDEO, self._video_encode(None), self._video_time_base())
            self._emit(AUDIO, self.audio_stream.encode(None), self.audio_stream.time_base or self.audio_tb)
        except Exception as e:
            self.failure = f"the encoder failed: {e}"
            log.exception("encode thread failed")
            self._say("failed", f"{self.failure}: nothing more is streamed or recorded; "
                                "stop the show and go live again")

    @property
    def video_template(self) -> VideoStream:
        return self.video_stream

    @property
    def audio_template(self) -> AudioStream:
        return self.audio_stream
