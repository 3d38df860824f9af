"""FileSource and ImageSource against files generated here (PyAV encodes the clips)."""

from __future__ import annotations

import time
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from studio.media.sources.base import SourceState, WatchdogPolicy
from studio.media.sources.image import ImageSource
from studio.media.sources.media_file import FileSource, redact_url
from studio.media.yuv import I420Converter

W, H, FPS = 320, 240, 30


def bgr_frame(i: int) -> np.ndarray:
    img = np.zeros((H, W, 3), np.uint8)
    img[:, :, 1] = 40 + (i * 4) % 200          # a green level that encodes the frame number
    img[H // 4:H // 2, (i * 4) % (W - 16):(i * 4) % (W - 16) + 16] = 255
    return img


def make_clip(path: Path, codec: str, pix_fmt: str, seconds: float = 2.0) -> Path:
    with av.open(str(path), "w") as c:
        s = c.add_stream(codec, rate=FPS)
        s.width, s.height, s.pix_fmt = W, H, pix_fmt
        for i in range(int(FPS * seconds)):
            for p in s.encode(av.VideoFrame.from_ndarray(bgr_frame(i), format="bgr24")):
                c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    return path


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("clips")
    return {"mjpeg": make_clip(d / "a.mkv", "mjpeg", "yuvj422p"),
            "h264": make_clip(d / "b.mp4", "libx264", "yuv420p")}


@pytest.fixture
def started():
    sources = []

    def start(src):
        sources.append(src)
        src.start()
        return src

    yield start
    for s in sources:
        s.stop()


def wait_until(cond, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.01)
    return False


def test_a_yuv420p_frame_becomes_the_opencv_i420_layout():
    bgr = bgr_frame(7)
    frame = av.VideoFrame.from_ndarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420), format="yuv420p")
    i420 = I420Converter()(frame)
    assert i420.shape == (H * 3 // 2, W) and i420.dtype == np.uint8
    assert np.array_equal(i420, cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420))


def test_full_range_422_from_a_webcam_becomes_limited_range_420_with_true_colours():
    bgr = bgr_frame(3)
    # What a webcam's MJPEG decodes to: full-range ("JPEG") 4:2:2, black at Y=0 and white at Y=255.
    i444 = cv2.cvtColor(bgr, cv2.COLOR_BGR2YCrCb)  # full-range BT.601, as JPEG stores it
    y, cr, cb = i444[..., 0], i444[..., 1], i444[..., 2]
    frame = av.VideoFrame(W, H, "yuvj422p")
    for plane, data in zip(frame.planes, (y, cb[:, ::2], cr[:, ::2]), strict=True):
        rows = np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)
        rows[:data.shape[0], :data.shape[1]] = data
    i420 = I420Converter()(frame)
    assert i420[:H].min() >= 16 and i420[:H].max() <= 235, "luma is not limited range"
    back = cv2.cvtColor(i420, cv2.COLOR_YUV2BGR_I420)
    assert np.abs(back.astype(int) - bgr.astype(int)).mean() < 4


def test_other_formats_go_through_swscale_once():
    bgr = bgr_frame(5)
    frame = av.VideoFrame.from_ndarray(bgr, format="bgr24")
    back = cv2.cvtColor(I420Converter()(frame), cv2.COLOR_YUV2BGR_I420)
    assert np.abs(back.astype(int) - bgr.astype(int)).mean() < 4


@pytest.mark.parametrize("codec", ["mjpeg", "h264"])
def test_a_file_plays_in_real_time_as_yuv420p(clips, started, codec):
    src = started(FileSource(clips[codec]))
    assert wait_until(lambda: src.latest() is not None)
    t0, seq0 = time.monotonic(), src.latest().seq
    time.sleep(1.0)
    frame = src.latest()
    rate = (frame.seq - seq0) / (time.monotonic() - t0)
    assert rate == pytest.approx(FPS, rel=0.15)
    assert frame.fmt == "yuv420p" and frame.size == (W, H)
    assert src.stream_info[2] == ("yuvj422p" if codec == "mjpeg" else "yuv420p")


def test_a_file_loops_seamlessly_on_the_same_clock(clips, started):
    src = started(FileSource(clips["h264"]))
    assert wait_until(lambda: src.loops >= 1, timeout=4)
    t_loop = time.monotonic()
    seq = src.latest().seq
    assert wait_until(lambda: src.latest().seq >= seq + 15, timeout=1.5)
    # 2 s clip: the frame after the loop comes out on time, not after a reopen or a burst
    assert time.monotonic() - t_loop < 0.5 + 15 / FPS
    assert src.state is SourceState.LIVE and src.reopens == 0 and src.resyncs == 0
    assert src.latest().seq < 2.5 * FPS + 20  # never faster than real time


def test_a_file_source_stops_promptly(clips, started):
    src = started(FileSource(clips["mjpeg"]))
    assert wait_until(lambda: src.latest() is not None)
    t = time.monotonic()
    src.stop()
    assert time.monotonic() - t < 0.5 and src.state is SourceState.STOPPED


def test_a_still_image_stays_live_however_often_it_repeats(tmp_path, started):
    path = tmp_path / "slide.png"
    cv2.imwrite(str(path), bgr_frame(1)[:, :317])  # odd width: cropped to even for I420
    src = started(ImageSource(path, refresh_hz=50, watchdog=WatchdogPolicy(repeats_before_lost=3)))
    assert wait_until(lambda: src.latest() is not None and src.latest().seq > 10)
    frame = src.latest()
    assert src.state is SourceState.LIVE
    assert frame.fmt == "yuv420p" and frame.size == (316, H)


def test_credentials_in_urls_are_redacted():
    assert redact_url("rtsp://admin:hunter2@10.0.0.5:554/stream1") == "rtsp://****@10.0.0.5:554/stream1"
    assert redact_url("http://cam.local/mjpeg") == "http://cam.local/mjpeg"
