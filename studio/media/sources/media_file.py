"""Video files and network cameras decoded with PyAV, delivered as yuv420p (no BGR round trip).

`FileSource` plays a file in real time and loops it seamlessly, like a camera that happens to show a
clip: each frame is due at an absolute deadline `t_start + loop_offset + (pts - first_pts)`, so the
rate never drifts however long it loops. `URLSource` reads a network camera (RTSP, RTMP, HTTP) with
open and read timeouts; when the stream ends or stalls, the base watchdog reopens it with backoff.

Frames come out of the decoder in its own format (yuvj422p for most MJPEG, yuv420p for most H.264);
only a different format goes through `reformat`. `to_ndarray()` of a yuv420p frame is the I420 layout
the compositor wants: an (H*3/2)xW uint8 array, Y plane then U then V.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
from numpy.typing import NDArray

from studio.core.errors import SourceError
from studio.core.log import get_logger
from studio.media.sources.base import VideoSource, WatchdogPolicy
from studio.media.yuv import I420Converter

log = get_logger("media.sources.media")

#: behind schedule by more than this (a slow decoder, a network burst): restart the clock, don't race
RESYNC_AFTER = 0.5

_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


def redact_url(url: str) -> str:
    """`rtsp://user:pass@cam/stream` → `rtsp://****@cam/stream` (for logs and messages)."""
    return _USERINFO.sub("****@", url)


class _PyAVSource(VideoSource):
    """Shared decode loop: open a container, decode the first video stream, pace on pts."""

    frame_format = "yuv420p"
    #: decoded frames of a still scene are byte-identical: the repeat check would call a slide "frozen".
    #: A stall shows up as no frame (read timeout / end of stream) instead.
    static_content = True
    paced = True
    loop = False

    def __init__(self, target: str, name: str, watchdog: WatchdogPolicy | None = None) -> None:
        super().__init__(name, watchdog)
        self.target = target
        self._to_i420 = I420Converter()
        self._container: av.container.InputContainer | None = None
        self._frames: Iterator[av.VideoFrame] | None = None
        self._t_start = 0.0
        self._loop_offset = 0.0
        self._first_pts: float | None = None
        self._last_pts = 0.0
        self._frame_dur = 1 / 30
        self.loops = 0
        self.resyncs = 0
        #: (width, height, decoder pixel format, frame rate) of the open stream
        self.stream_info: tuple[int, int, str, float] | None = None

    # -- container -------------------------------------------------------------------------------
    def _open_container(self) -> av.container.InputContainer:
        raise NotImplementedError  # hook

    def _open(self) -> None:
        container = self._open_container()
        try:
            if not container.streams.video:
                raise SourceError(f"{self.name}: no video stream")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            rate = stream.average_rate or stream.guessed_rate
            self._frame_dur = float(1 / rate) if rate else 1 / 30
            cc = stream.codec_context
            pix_fmt = cc.format.name if cc.format else "?"
            self.stream_info = (cc.width, cc.height, pix_fmt, 1 / self._frame_dur)
            log.info("%s: %s %dx%d %s @ %.3g fps", self.name, cc.name, cc.width, cc.height,
                     self.stream_info[2], self.stream_info[3])
        except Exception:
            container.close()
            raise
        self._container = container
        self._frames = container.decode(stream)
        self._t_start = time.monotonic()
        self._loop_offset = 0.0
        self._first_pts = None

    def _close(self) -> None:
        container, self._container, self._frames = self._container, None, None
        if container is not None:
            container.close()

    # -- reading ---------------------------------------------------------------------------------
    def _next_frame(self) -> av.VideoFrame | None:
        assert self._container is not None and self._frames is not None
        try:
            return next(self._frames)
        except StopIteration:
            pass
        if not self.loop:
            return None
        # Seamless loop: the next pass starts one frame after the last one, on the same clock.
        self._loop_offset += self._last_pts - (self._first_pts or 0.0) + self._frame_dur
        self.loops += 1
        stream = self._container.streams.video[0]
        self._container.seek(0)
        self._frames = self._container.decode(stream)
        self._first_pts = None
        try:
            return next(self._frames)
        except StopIteration:
            return None

    def _read(self) -> NDArray[Any] | None:
        if self._frames is None:
            return None
        frame = self._next_frame()
        if frame is None:
            return None
        pts = float(frame.pts * frame.time_base) if frame.pts is not None and frame.time_base else None
        if pts is None:
            pts = (self._last_pts + self._frame_dur) if self._first_pts is not None else 0.0
        if self._first_pts is None:
            self._first_pts = pts
        self._last_pts = pts
        image = self._to_i420(frame)
        if self.paced:
            due = self._t_start + self._loop_offset + (pts - self._first_pts)
            delay = due - time.monotonic()
            if delay > 0:
                if self._stop.wait(delay):
                    return None
            elif delay < -RESYNC_AFTER:
                self._t_start -= delay  # behind: this frame becomes "now", later ones follow it
                self.resyncs += 1
        return image


class FileSource(_PyAVSource):
    """`file:PATH`: a clip played in real time and looped forever."""

    kind = "file"
    loop = True

    def __init__(self, path: str | Path, name: str | None = None, watchdog: WatchdogPolicy | None = None,
                 loop: bool = True) -> None:
        self.path = Path(path)
        super().__init__(str(self.path), name or f"file:{self.path.name}", watchdog)
        self.loop = loop

    def _open_container(self) -> av.container.InputContainer:
        return av.open(str(self.path), "r")


LIVE_SCHEMES = ("rtsp", "rtsps", "rtmp", "rtmps", "srt", "udp", "tcp")


class URLSource(_PyAVSource):
    """`url:rtsp://…` / `url:rtmp://…` / `url:http(s)://…`: a network camera or stream, live."""

    kind = "url"

    def __init__(self, url: str, name: str | None = None, watchdog: WatchdogPolicy | None = None,
                 open_timeout: float = 5.0, read_timeout: float = 3.0) -> None:
        super().__init__(url, name or f"url:{redact_url(url)}", watchdog)
        self.url = url
        self.open_timeout = open_timeout
        self.read_timeout = read_timeout
        # A camera pushing RTSP/RTMP/SRT/UDP delivers in real time by itself: pacing its frames by
        # their timestamps would turn whatever was buffered at connect into lasting delay. HTTP may
        # be a file or a bursty segment stream, so it stays paced. (fflags=nobuffer made RTMP opens
        # fail now and then with EIO, measured: not used.)
        self.live_protocol = self.url.lower().split(":", 1)[0] in LIVE_SCHEMES
        self.paced = not self.live_protocol

    def _open_container(self) -> av.container.InputContainer:
        options = {"rtsp_transport": "tcp"} if self.url.lower().startswith("rtsp") else {}
        try:
            return av.open(self.url, "r", options=options, timeout=(self.open_timeout, self.read_timeout))
        except av.error.FFmpegError as e:
            # The exception text carries the URL: keep credentials out of the message.
            raise SourceError(redact_url(f"{type(e).__name__}: {e}")) from None

    def _read(self) -> NDArray[Any] | None:
        try:
            return super()._read()
        except av.error.FFmpegError as e:
            raise SourceError(redact_url(f"{type(e).__name__}: {e}")) from None

