"""URLSource against real sockets: a clip served over HTTP, and a server that accepts and never answers."""

from __future__ import annotations

import functools
import http.server
import socket
import threading
import time

import av
import numpy as np
import pytest

from studio.core.backoff import Backoff
from studio.media.sources.base import SourceState, WatchdogPolicy
from studio.media.sources.media_file import URLSource


def reopening_after(first: float) -> WatchdogPolicy:
    """The default watchdog, its first reopen wait shortened to `first` seconds."""
    return WatchdogPolicy(reopen=Backoff(first=first, factor=2.0, cap=5.0, jitter=0.0))


@pytest.fixture(scope="module")
def served_clip(tmp_path_factory):
    d = tmp_path_factory.mktemp("www")
    with av.open(str(d / "cam.ts"), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = 320, 240, "yuv420p"
        for i in range(60):
            img = np.full((240, 320, 3), (i * 4) % 256, np.uint8)
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="bgr24")):
                c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(d))

    class Quiet(handler.func):  # type: ignore[name-defined, misc]
        def log_message(self, *args):  # noqa: ANN002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(d)))
    thread = threading.Thread(target=server.serve_forever, name="test: http", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/cam.ts"
    server.shutdown()
    server.server_close()


@pytest.fixture
def silent_server():
    """Accepts TCP connections and never sends a byte."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    stop = threading.Event()
    conns: list[socket.socket] = []

    def accept() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                conns.append(sock.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, name="test: silent server", daemon=True)
    t.start()
    yield sock.getsockname()[1]
    stop.set()
    t.join(2)
    for c in conns:
        c.close()
    sock.close()


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


def wait_until(cond, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return False


def test_a_network_stream_over_http_delivers_yuv420p_frames(served_clip, started):
    src = started(URLSource(served_clip, open_timeout=3, read_timeout=3))
    assert wait_until(lambda: src.latest() is not None and src.latest().seq > 5, timeout=5)
    frame = src.latest()
    assert frame.fmt == "yuv420p" and frame.size == (320, 240)


def test_a_stream_that_ends_is_lost_then_reconnected(served_clip, started):
    src = started(URLSource(served_clip, watchdog=reopening_after(0.1)))
    assert wait_until(lambda: src.state is SourceState.LOST, timeout=5)  # 2 s clip, then end of stream
    assert wait_until(lambda: src.state is SourceState.LIVE, timeout=3)  # opened again


def test_a_server_that_never_answers_times_out_and_the_source_is_lost(silent_server, started):
    src = started(URLSource(f"http://127.0.0.1:{silent_server}/cam.ts", open_timeout=1.0, read_timeout=1.0,
                            watchdog=reopening_after(0.2)))
    t0 = time.monotonic()
    assert wait_until(lambda: src.state is SourceState.LOST, timeout=4)
    assert time.monotonic() - t0 < 3.0
    assert "cannot open" in (src.last_error or "")
    t = time.monotonic()
    src.stop()
    assert time.monotonic() - t < 3.5  # stop waits at most for the open timeout in progress


@pytest.fixture
def rtmp_camera(rtmp_server):
    """A network camera: ffmpeg publishing a live test pattern to the session's nginx-rtmp server."""
    import shutil
    import subprocess

    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is not installed")
    url = rtmp_server.url("netcam")
    proc = subprocess.Popen(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
         "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30",
         "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "15", "-f", "flv", url],
        stdin=subprocess.DEVNULL)
    yield url
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def test_an_rtmp_network_camera_delivers_frames(rtmp_camera, started):
    time.sleep(0.5)  # let the publisher connect first
    src = started(URLSource(rtmp_camera, open_timeout=5, read_timeout=3,
                            watchdog=reopening_after(0.2)))
    assert wait_until(lambda: src.latest() is not None and src.latest().seq > 10, timeout=12), src.last_error
    assert src.latest().fmt == "yuv420p" and src.latest().size == (320, 240)
