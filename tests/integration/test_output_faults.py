"""Destinations that fail: silent, restarted, refusing the key. Nothing freezes; the recording goes on."""

from __future__ import annotations

import itertools
import socket
import threading
import time
from pathlib import Path

import av
import pytest

from studio.app.bench.nginx import RtmpServer, free_port
from studio.core.events import StreamStateChanged
from studio.media.audio.base import ToneInput
from studio.media.compositor import VideoLayer
from studio.media.show import Show, ShowConfig
from studio.media.sources.testsrc import TestPatternSource
from tests.support.pull import pull, wait_for

pytestmark = pytest.mark.slow


class SilentServer:
    """Accepts TCP connections and never says a word (nor reads)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self._t = threading.Thread(target=self._accept, daemon=True)
        self._t.start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()


def make_show(outputs, record: Path | None, size=(640, 360)) -> Show:
    cfg = ShowConfig(size=size, outputs=outputs, record=record, bitrate_kbps=1500)
    return Show(cfg, [VideoLayer(TestPatternSource(size))], [ToneInput()])


def recorded_video_times(path: Path) -> list[float]:
    with av.open(str(path)) as c:
        return [float(f.pts * f.time_base) for f in c.decode(c.streams.video[0])]


def test_a_silent_destination_freezes_nothing(rtmp_server, tmp_path):
    silent = SilentServer()
    rec = tmp_path / "rec.mkv"
    destinations = [f"rtmp://127.0.0.1:{silent.port}/live/key", rtmp_server.url("key-beside-silent-8e5f")]
    show = make_show(destinations, rec)
    states: list[StreamStateChanged] = []
    show.bus.subscribe(StreamStateChanged, states.append)
    try:
        show.start()
        # The main thread stays responsive the whole time (what the UI thread would feel).
        worst = 0.0
        end = time.monotonic() + 13.0
        while time.monotonic() < end:
            t = time.monotonic()
            time.sleep(0.01)
            worst = max(worst, time.monotonic() - t - 0.01)
        silent_out, good_out = show.outputs
        assert worst < 0.1, f"the main thread stalled {worst * 1000:.0f} ms"
        assert good_out.state == "live" and good_out.stats.bytes_sent > 100_000
        assert silent_out.state == "reconnecting", silent_out.state
        assert "did not accept the stream" in silent_out.message
        assert show.compositor.frames >= 12 * 30
        t = time.monotonic()
        show.stop()
        assert time.monotonic() - t < 12, "stop took too long"
    finally:
        show.stop()
        silent.close()
    times = recorded_video_times(rec)
    assert len(times) >= 12 * 30


def test_stream_resumes_after_the_server_restarts_and_the_recording_has_no_gap(tmp_path):
    port = free_port()
    server = RtmpServer(tmp_path / "ngx", port=port).start()
    rec = tmp_path / "rec.mkv"
    show = make_show([server.url("key-restart-9f60")], rec)
    try:
        show.start()
        out = show.outputs[0]
        assert wait_for(lambda: out.state == "live", 10)
        time.sleep(2)
        server.stop()
        assert wait_for(lambda: out.state == "reconnecting", 10), out.state
        time.sleep(1)
        server.start()
        back = time.monotonic()
        assert wait_for(lambda: out.state == "live", 15), out.message
        resumed_after = time.monotonic() - back
        pulled = pull(server.url("key-restart-9f60"), 0.5)
        assert pulled.error is None and pulled.width == 640
        show.stop()
    finally:
        show.stop()
        server.stop()
    assert out.stats.reconnects >= 1
    assert resumed_after < 5.0
    times = recorded_video_times(rec)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert max(gaps) < 0.05, f"the recording has a gap of {max(gaps):.2f} s"


def test_a_refused_stream_key_says_so_and_a_right_key_goes_live(tmp_path):
    server = RtmpServer(tmp_path / "ngx", allowed_key="key-right-b182").start()
    show = make_show([server.url("key-wrong-a071"), server.url("key-right-b182")], None)
    try:
        show.start()
        wrong, right = show.outputs
        assert wait_for(lambda: right.state == "live", 10)
        assert wait_for(lambda: wrong.state == "reconnecting" and "stream key" in wrong.message, 10), \
            wrong.message
        assert "key-wrong-a071" not in wrong.message
        # backoff, not a retry storm: at most a couple of attempts in 4 s
        time.sleep(4)
        assert wrong.stats.reconnects <= 3
    finally:
        show.stop()
        server.stop()
