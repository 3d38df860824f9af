"""Sources that fail in the middle of a show (issue 6): a camera that disappears and comes back, a
microphone whose audio path dies, a network camera that stalls without closing.

Each test runs a real `Show` (compositor, mixer, x264 + AAC encode, Matroska recording) and decodes
what was recorded: the slate while the source is gone, the picture or the tone when it is back,
constant frame rate and gap-free audio throughout. The only fake is the camera device (there is none
on this machine), injected through `CameraSource(capture_factory=…)`; the microphone is a real
PortAudio stream on a private PulseAudio daemon that is killed and restarted, and the network camera
is a real HTTP MPEG-TS stream whose server stops sending (socket open) and then resumes.
"""

from __future__ import annotations

import http.server
import logging
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from studio.core.backoff import Backoff
from studio.media.audio.base import ToneInput
from studio.media.audio.mic import MicInput
from studio.media.compositor import VideoLayer, slate_label
from studio.media.show import Show, ShowConfig
from studio.media.sources.base import SourceState, WatchdogPolicy
from studio.media.sources.camera import CameraSource
from studio.media.sources.media_file import URLSource
from studio.media.sources.testsrc import TestPatternSource
from tests.support.pull import wait_for

pytestmark = pytest.mark.slow

SIZE = (640, 360)
FPS = 30
SLATE_Y = 50  # the slate's grey, BGR (40, 40, 40), in limited-range BT.601 luma: 16 + 40 * 219 / 255


# -- reading the recording -------------------------------------------------------------------------
def classify(y: np.ndarray) -> str:
    """'slate' (flat grey with bright text), 'picture' (mostly not slate grey) or 'other'."""
    near = float(np.mean(np.abs(y.astype(np.int16) - SLATE_Y) <= 6))
    if near > 0.9:
        return "slate" if int(np.percentile(y, 99.9)) > 120 else "grey"
    return "picture" if near < 0.5 else "other"


@dataclass
class Recorded:
    video_pts: list[float]           # seconds, from the recording
    video_wall: list[float]          # monotonic time each frame was due on the show clock
    kinds: list[str]                 # classify() of each frame
    audio_pts: list[float]
    audio_samples: list[int]
    audio_wall: list[float]
    audio: list[np.ndarray]          # per decoded frame, mono (left channel)

    def kinds_between(self, t0: float, t1: float) -> list[str]:
        return [k for k, t in zip(self.kinds, self.video_wall, strict=True) if t0 <= t <= t1]

    def audio_between(self, t0: float, t1: float) -> np.ndarray:
        parts = [a for a, t in zip(self.audio, self.audio_wall, strict=True) if t0 <= t <= t1]
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def read_recording(path: Path, show_t0: float, first_index: int) -> Recorded:
    """Decode the recording; map each frame back to the show clock (frame index = pts, from t0)."""
    rec = Recorded([], [], [], [], [], [], [])
    first_sample = round(first_index / FPS * 48000)
    with av.open(str(path)) as c:
        for f in c.decode(c.streams.video[0]):
            t = float(f.pts * f.time_base)
            rec.video_pts.append(t)
            rec.video_wall.append(show_t0 + first_index / FPS + t)
            rec.kinds.append(classify(f.to_ndarray()[:f.height]))
    with av.open(str(path)) as c:
        for f in c.decode(c.streams.audio[0]):
            t = float(f.pts * f.time_base)
            rec.audio_pts.append(t)
            rec.audio_samples.append(f.samples)
            rec.audio_wall.append(show_t0 + first_sample / 48000 + t)
            rec.audio.append(f.to_ndarray()[0].copy())
    return rec


def assert_cfr(rec: Recorded, seconds_on_air: float) -> None:
    """Every frame 1/30 s after the previous one (the container stores milliseconds), none missing."""
    steps = np.diff(rec.video_pts)
    assert len(steps) > 0
    assert steps.min() >= 1 / FPS - 0.0011 and steps.max() <= 1 / FPS + 0.0011, \
        f"video timing not constant: steps {steps.min():.4f}..{steps.max():.4f} s"
    expected = seconds_on_air * FPS
    assert abs(len(rec.video_pts) - expected) <= 0.05 * expected + 10, (len(rec.video_pts), expected)


def assert_audio_gapless(rec: Recorded) -> None:
    """Audio frames follow each other sample for sample: no hole, no overlap."""
    ends = np.array(rec.audio_pts[:-1]) + np.array(rec.audio_samples[:-1]) / 48000
    jumps = np.abs(np.array(rec.audio_pts[1:]) - ends)
    assert jumps.max() <= 0.0011, f"audio gap of {jumps.max() * 1000:.1f} ms"


def dominant_frequency(signal: np.ndarray, rate: int = 48000) -> float:
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal))))
    k = int(np.argmax(spectrum[1:])) + 1
    a, b, c = np.log(spectrum[k - 1:k + 2] + 1e-12)
    return (k + 0.5 * (a - c) / (a - 2 * b + c)) * rate / len(signal)


def state_log(source, messages: list | None = None) -> list:
    states: list = []

    def listen(src, state, message) -> None:
        states.append(state)
        if messages is not None and message:
            messages.append(message)

    source.state_listeners.append(listen)
    return states


def follows(seq: list, pattern: list) -> bool:
    """`pattern` appears in `seq` in order (not necessarily adjacent)."""
    it = iter(seq)
    return all(any(x == p for x in it) for p in pattern)


@pytest.fixture
def errors_logged(caplog):
    """Records at ERROR or with a traceback: a fault must be handled, never crash a thread."""
    caplog.set_level(logging.INFO)
    return lambda: [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def run_show(show: Show) -> None:
    show.start()
    assert show.running and show.recording is not None and show.recording.state == "recording"


def stop_show(show: Show) -> tuple[float, int]:
    """Stop; returns (t0, first frame index) to map the recording back to the show clock."""
    enc = show.encoder
    assert enc is not None
    first = enc.first_index
    show.stop()
    assert enc.failure is None
    return show.t0, first


# -- 1. a camera disappears mid-show and comes back -------------------------------------------------
class FakeDevice:
    """The camera as plugged in, shared by every capture the factory makes.
    mode: 'ok' (a new picture each 1/30 s), 'dead' (read returns False), 'frozen' (the last picture
    forever, reopened or not), 'absent' (does not open). `stick()` makes the reads of the captures open
    now block for good, like a driver that never returns, and unplugs the device."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.opens = 0
        self.n = 0
        self.stuck = threading.Event()     # set at teardown: stuck reads finally return
        self.last: np.ndarray | None = None
        self._open_caps: list[FakeCapture] = []
        x = np.linspace(0, 1, SIZE[0], dtype=np.float32)
        self.ramp = (120 + 130 * x)[None, :, None]  # BGR 120..250: luma 119..231, never slate grey

    def factory(self, index: int, api: int) -> FakeCapture:
        self.opens += 1
        cap = FakeCapture(self)
        self._open_caps.append(cap)
        return cap

    def stick(self) -> None:
        for cap in self._open_caps:
            cap.stuck = True
        self.mode = "absent"

    def picture(self) -> np.ndarray:
        """A new picture, or (frozen) the last one again."""
        if self.mode == "frozen" and self.last is not None:
            return self.last.copy()
        self.n += 1
        img = np.repeat(np.repeat(self.ramp + self.n % 8, SIZE[1], axis=0), 3, axis=2).astype(np.uint8)
        x = (self.n * 8) % SIZE[0]
        img[:, x:x + 16] = 255  # a moving white bar, and the brightness steps: every picture differs
        self.last = img
        return img


class FakeCapture:
    def __init__(self, dev: FakeDevice) -> None:
        self.dev = dev
        self.stuck = False
        self.t0 = time.monotonic()
        self.k = 0

    def isOpened(self) -> bool:  # OpenCV's name
        return self.dev.mode != "absent"

    def set(self, prop: int, value: float) -> bool:
        return True

    def get(self, prop: int) -> float:
        return {3: SIZE[0], 4: SIZE[1], 5: FPS}.get(prop, 0.0)

    def read(self) -> tuple[bool, np.ndarray | None]:
        self.k += 1
        delay = self.t0 + self.k / FPS - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if self.stuck:
            self.dev.stuck.wait()  # blocked inside the "driver" until the test ends
            return False, None
        if self.dev.mode in ("dead", "absent"):
            return False, None
        return True, self.dev.picture()

    def release(self) -> None:
        pass


FAILURES = {
    # how the camera goes away: (device change, the reason the watchdog must give)
    "read_fails": ("dead", "no frame"),
    "frozen": ("frozen", "same frame"),
    "driver_stuck": ("stick", "read blocked"),
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_a_camera_that_disappears_mid_show_shows_the_slate_and_comes_back(failure, tmp_path, rtmp_server,
                                                                          errors_logged):
    dev = FakeDevice()
    policy = WatchdogPolicy(stale_after=1.0, repeats_before_lost=30, stuck_after=2.5,
                            reopen=Backoff(first=0.2, cap=1.0, jitter=0.0))
    cam = CameraSource(0, size=SIZE, fps=FPS, watchdog=policy, capture_factory=dev.factory, api=0)
    messages: list[str] = []
    states = state_log(cam, messages)
    rec_path = tmp_path / "show.mkv"
    show = Show(ShowConfig(size=SIZE, rate=Fraction(FPS), bitrate_kbps=1500, record=rec_path,
                           outputs=[rtmp_server.url(f"cam-{failure}")]),
                [VideoLayer(cam)], [ToneInput()])
    try:
        run_show(show)
        assert wait_for(lambda: cam.latest() is not None, timeout=10), cam.last_error
        t_live = time.monotonic()
        time.sleep(2.5)

        change, reason = FAILURES[failure]
        opens_before, reopens_before = dev.opens, cam.reopens
        t_gone = time.monotonic()
        if change == "stick":
            dev.stick()
        else:
            dev.mode = change
        assert wait_for(lambda: cam.latest() is None, timeout=3), "the picture did not go away"
        assert wait_for(lambda: cam.state is SourceState.LOST, timeout=5), cam.state
        assert any(reason in m for m in messages), messages
        assert slate_label(cam) == "camera:0: lost"
        time.sleep(max(0.0, t_gone + 3.5 - time.monotonic()))
        assert show.running and cam.latest() is None

        t_back = time.monotonic()
        dev.mode = "ok"
        assert wait_for(lambda: cam.state is SourceState.LIVE and cam.latest() is not None, timeout=5), \
            (cam.state, cam.last_error)
        t_seen = time.monotonic()
        time.sleep(2.0)
        frames_now = show.compositor.frames
        assert wait_for(lambda: show.compositor.frames > frames_now + 10, timeout=3)
        output = show.outputs[0]  # the stream went on too (its own faults are another test's business)
        assert wait_for(lambda: output.state == "live", timeout=10), (output.state, output.message)
        assert show.recording.state == "recording"
        t_end = time.monotonic()
    finally:
        t0, first = stop_show(show) if show.encoder else (show.t0, 0)
        dev.stuck.set()

    assert cam.reopens > reopens_before and dev.opens > opens_before
    assert follows(states, [SourceState.LIVE, SourceState.LOST, SourceState.LIVE]), states
    if failure == "driver_stuck":
        assert cam.abandoned == 1  # the blocked thread was given up once, not once per tick

    rec = read_recording(rec_path, t0, first)
    assert_cfr(rec, t_end - (t0 + first / FPS))
    before = rec.kinds_between(t_live + 0.3, t_gone - 0.1)
    assert before and set(before) == {"picture"}, sorted(set(before))
    # Gone: the slate from at most the stale timeout (+ one frame of latency) until it is back.
    gone = rec.kinds_between(t_gone + policy.stale_after + 0.3, t_back)
    assert gone and set(gone) == {"slate"}, sorted(set(gone))
    back = rec.kinds_between(t_seen + 0.2, t_end - 0.3)
    assert back and set(back) == {"picture"}, sorted(set(back))
    assert errors_logged() == []


# -- 2. the microphone's audio path dies and comes back ----------------------------------------------
def test_a_microphone_whose_audio_server_dies_gives_silence_then_the_tone_again(pulseaudio_server, tmp_path,
                                                                                errors_logged):
    pa = pulseaudio_server
    pa.play_tone(440)
    pa.set_default_source("virt.monitor")
    mic = MicInput("default", lost_after=1.0, reopen=Backoff(first=0.3, cap=1.0, jitter=0.0))
    mic_states = state_log(mic)
    rec_path = tmp_path / "show.mkv"
    show = Show(ShowConfig(size=SIZE, rate=Fraction(FPS), bitrate_kbps=800, record=rec_path),
                [VideoLayer(TestPatternSource(SIZE))], [mic])

    def mic_db() -> float:
        m = show.mixer.meters.get(mic.name) if show.mixer else None
        return m.peak_db if m else -999.0

    try:
        run_show(show)
        assert wait_for(lambda: mic.state == "live" and mic_db() > -30, timeout=10), (mic.state, mic_db())
        t_heard = time.monotonic()
        time.sleep(2.5)

        t_kill = time.monotonic()
        pa.kill()  # SIGKILL: the sound server crashes, every stream on it dies
        assert wait_for(lambda: mic.state == "lost", timeout=5), mic.state
        assert wait_for(lambda: mic_db() <= -60, timeout=3), mic_db()
        t_lost = time.monotonic()
        samples = show.mixer.samples
        time.sleep(2.0)
        # The mixer kept ticking on its own clock: ~2 s of blocks, the meter at silence all along.
        assert show.mixer.samples - samples >= 0.8 * 2.0 * 48000
        assert mic_db() <= -60 and mic.state == "lost"
        assert show.running

        t_restart = time.monotonic()
        pa.start()
        pa.play_tone(440)
        pa.set_default_source("virt.monitor")
        assert wait_for(lambda: mic.state == "live" and mic_db() > -30, timeout=10), \
            (mic.state, mic.last_error, mic_db())
        t_back = time.monotonic()
        time.sleep(2.5)
        t_end = time.monotonic()
    finally:
        t0, first = stop_show(show) if show.encoder else (show.t0, 0)

    assert mic.reopens >= 1
    assert follows(mic_states, ["live", "lost", "live"]), mic_states
    assert mic.callback_errors == 0

    rec = read_recording(rec_path, t0, first)
    assert_cfr(rec, t_end - (t0 + first / FPS))
    assert_audio_gapless(rec)
    on_air = t0 + first / FPS
    total = rec.audio_pts[-1] + rec.audio_samples[-1] / 48000
    assert total == pytest.approx(rec.video_pts[-1], abs=0.3)  # audio as long as the video: no hole
    # Mic latency (ring target + PortAudio's "high" latency) is a few hundred ms: keep margins.
    before = rec.audio_between(max(t_heard, on_air) + 0.5, t_kill - 0.3)
    silent = rec.audio_between(t_lost + 0.3, t_restart)
    after = rec.audio_between(t_back + 0.6, t_end - 0.3)
    for name, part in (("before", before), ("after", after)):
        assert len(part) > 48000, name
        assert np.sqrt(np.mean(part ** 2)) > 0.05, f"no tone {name} the outage"
        assert dominant_frequency(part) == pytest.approx(440, abs=5), name
    assert len(silent) > 48000
    assert np.abs(silent).max() < 1e-3, "the outage is not silent in the recording"
    assert errors_logged() == []


# -- 3. a network camera stalls without closing --------------------------------------------------
class LiveTSServer:
    """A network camera over HTTP: ffmpeg encodes a live test pattern to MPEG-TS, this server fans it
    out to every viewer. `stall()` stops sending (sockets stay open, new viewers are accepted and get
    nothing); `resume()` sends the live stream again from wherever it is now."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi",
             "-i", "testsrc=size=320x240:rate=30", "-c:v", "libx264", "-preset", "ultrafast",
             "-tune", "zerolatency", "-g", "15", "-f", "mpegts", "pipe:1"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        self.viewers: list[list] = []  # per viewer: [condition, chunks]
        self.lock = threading.Lock()
        self.stalled = threading.Event()
        self.closed = threading.Event()
        self.requests = 0
        threading.Thread(target=self._relay, name="test: ts relay", daemon=True).start()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "video/mp2t")
                self.end_headers()
                viewer = [threading.Condition(), []]
                with server.lock:
                    server.viewers.append(viewer)
                try:
                    while not server.closed.is_set():
                        with viewer[0]:
                            viewer[0].wait_for(lambda: viewer[1] or server.closed.is_set(), 0.5)
                            chunks, viewer[1] = viewer[1], []
                        for c in chunks:
                            self.wfile.write(c)
                        if chunks:
                            self.wfile.flush()
                except OSError:
                    pass  # the viewer hung up
                finally:
                    with server.lock:
                        server.viewers.remove(viewer)

        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        threading.Thread(target=self.http.serve_forever, name="test: ts http", daemon=True).start()
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/cam.ts"

    def _relay(self) -> None:
        out = self.proc.stdout
        while not self.closed.is_set():
            chunk = out.read(188 * 7)
            if not chunk:
                return
            if self.stalled.is_set():
                continue  # the camera's network is stuck: what it produces meanwhile never arrives
            with self.lock:
                viewers = list(self.viewers)
            for cond, chunks in viewers:
                with cond:
                    chunks.append(chunk)
                    cond.notify()

    def stall(self) -> None:
        self.stalled.set()

    def resume(self) -> None:
        self.stalled.clear()

    def close(self) -> None:
        self.closed.set()
        self.http.shutdown()
        self.http.server_close()
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


@pytest.fixture
def live_ts_camera():
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is not installed")
    server = LiveTSServer()
    yield server
    server.close()


def test_a_network_camera_that_stalls_shows_the_slate_and_the_picture_comes_back(live_ts_camera, tmp_path,
                                                                                  errors_logged):
    policy = WatchdogPolicy(stale_after=1.0, reopen=Backoff(first=0.3, cap=1.0, jitter=0.0))
    src = URLSource(live_ts_camera.url, name="netcam", watchdog=policy, open_timeout=3.0, read_timeout=2.0)
    states = state_log(src)
    rec_path = tmp_path / "show.mkv"
    show = Show(ShowConfig(size=SIZE, rate=Fraction(FPS), bitrate_kbps=1500, record=rec_path),
                [VideoLayer(src)], [ToneInput()])
    try:
        run_show(show)
        assert wait_for(lambda: src.latest() is not None, timeout=15), src.last_error
        t_live = time.monotonic()
        time.sleep(2.0)

        t_stall = time.monotonic()
        live_ts_camera.stall()
        assert wait_for(lambda: src.latest() is None, timeout=3), "the stalled picture is still shown"
        t_slate = time.monotonic()
        # The slate comes `stale_after` after the last frame; the decoder and the pacing still hold a
        # fraction of a second of stream when the network stops, hence the margin.
        assert t_slate - t_stall <= policy.stale_after + 1.0, t_slate - t_stall
        # The read timeout ends the dead connection; reconnects get nothing while it is stalled.
        assert wait_for(lambda: src.state is SourceState.LOST, timeout=6), src.state
        time.sleep(max(0.0, t_stall + 5.0 - time.monotonic()))
        assert src.latest() is None and show.running
        requests_stalled = live_ts_camera.requests

        t_resume = time.monotonic()
        live_ts_camera.resume()
        assert wait_for(lambda: src.state is SourceState.LIVE and src.latest() is not None, timeout=12), \
            (src.state, src.last_error)
        t_seen = time.monotonic()
        time.sleep(2.0)
        t_end = time.monotonic()
    finally:
        t0, first = stop_show(show) if show.encoder else (show.t0, 0)

    assert src.reopens >= 1 and requests_stalled >= 2
    assert follows(states, [SourceState.LIVE, SourceState.LOST, SourceState.LIVE]), states

    rec = read_recording(rec_path, t0, first)
    assert_cfr(rec, t_end - (t0 + first / FPS))
    before = rec.kinds_between(t_live + 0.3, t_stall - 0.1)
    assert before and set(before) == {"picture"}, sorted(set(before))
    gone = rec.kinds_between(t_slate + 0.2, t_resume)
    assert gone and set(gone) == {"slate"}, sorted(set(gone))
    back = rec.kinds_between(t_seen + 0.2, t_end - 0.3)
    assert back and set(back) == {"picture"}, sorted(set(back))
    assert errors_logged() == []
