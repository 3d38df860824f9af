"""Fault figures: a real show pushed through `FaultProxy` to nginx-rtmp while faults are injected.

Every scenario runs a 640x360 30 fps show (test pattern + tone, libx264 CBR 1500 kbps, AAC) that
streams to nginx through the proxy and records to Matroska, injects one fault, and measures:
- `resume_s`: seconds from the moment the network/server is back until the stream flows again
  (the output is live, the proxy forwards bytes after that moment, and the queue has drained);
- `frames_dropped`: video packets the output dropped by priority (congestion) or by its hard cap;
- `audio_dropped`: audio packets dropped by the output (must be 0 — audio is never dropped);
- `recording_gap_s`: the largest hole in the recording beyond one frame (video) or one AAC
  frame (audio); must be 0.

`run_fault_figures()` runs them all (about 4 minutes; `long=True` adds the 60 s cut). Tests call
`run_scenario` one by one and assert on the result; `python -m studio.app.bench.faults` prints the
table as JSON lines.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import av

from studio.app.bench.fault_proxy import FaultProxy
from studio.app.bench.nginx import RtmpServer, free_port
from studio.core.events import StreamStateChanged
from studio.media.audio.base import ToneInput
from studio.media.clock import AUDIO_RATE
from studio.media.compositor import VideoLayer
from studio.media.outputs.adaptive import BitrateMode
from studio.media.packets import AUDIO
from studio.media.show import Show, ShowConfig
from studio.media.sources.testsrc import TestPatternSource

FPS = 30
BITRATE_KBPS = 1500
SIZE = (640, 360)
AAC_FRAME = 1024


def wait_for(cond: Callable[[], bool], timeout: float, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(interval)
    return bool(cond())


def make_show(outputs: list[str], record: Path | None, bitrate_kbps: int = BITRATE_KBPS,
              bitrate_mode: BitrateMode = BitrateMode.ADAPTIVE) -> Show:
    cfg = ShowConfig(size=SIZE, rate=Fraction(FPS), outputs=outputs, record=record, bitrate_kbps=bitrate_kbps,
                     encoder="libx264", bitrate_mode=bitrate_mode)
    return Show(cfg, [VideoLayer(TestPatternSource(SIZE, fps=FPS))], [ToneInput()])


@dataclass
class RecordingCheck:
    video_frames: int
    video_gap_s: float   # largest step between consecutive video frames beyond 1/fps
    audio_gap_s: float   # largest step between consecutive AAC frames beyond 1024/48000
    decodable: bool
    error: str = ""

    @property
    def gap_s(self) -> float:
        return max(self.video_gap_s, self.audio_gap_s)


def check_recording(path: Path, fps: int = FPS, tolerance: float = 0.002) -> RecordingCheck:
    """Decode the whole recording; consecutive video frames must be exactly 1/fps apart and AAC
    frames 1024/48000 apart (Matroska stores milliseconds: within `tolerance`)."""
    vts: list[float] = []
    ats: list[float] = []
    error = ""
    try:
        with av.open(str(path)) as c:
            for f in c.decode(c.streams.video[0]):
                if f.pts is not None and f.time_base is not None:
                    vts.append(float(f.pts * f.time_base))
        with av.open(str(path)) as c:
            for p in c.demux(c.streams.audio[0]):
                if p.pts is not None:
                    ats.append(float(p.pts * p.time_base))
    except (av.error.FFmpegError, OSError, IndexError) as e:
        error = str(e)

    def gap(ts: list[float], step: float) -> float:
        worst = max((b - a for a, b in pairwise(ts)), default=step)
        return 0.0 if worst <= step + tolerance else round(worst - step, 3)

    return RecordingCheck(len(vts), gap(vts, 1 / fps), gap(sorted(ats), AAC_FRAME / AUDIO_RATE),
                          decodable=not error and len(vts) > 0, error=error)


@dataclass
class FaultResult:
    scenario: str
    resume_s: float | None
    frames_dropped: int
    audio_dropped: int
    recording_gap_s: float
    reconnects: int = 0
    audio_encoded: int = 0
    audio_sent: int = 0
    recorded_frames: int = 0
    states: list[tuple[float, str, str]] = field(default_factory=list)
    notes: str = ""
    bitrate_min_kbps: int | None = None   # the lowest video bitrate dynamic bitrate chose
    follow_s: float | None = None         # throttle start → the stream's bitrate fits the link
    recover_s: float | None = None        # link back → bitrate within 10 % of the configured one
    other_dropped: int | None = None      # two destinations: frames dropped for the unthrottled one
    other_kbps: float | None = None       # … and its mean rate during the throttle

    def row(self) -> dict:
        keys = ("scenario", "resume_s", "frames_dropped", "audio_dropped", "recording_gap_s", "reconnects",
                "bitrate_min_kbps", "follow_s", "recover_s", "other_dropped", "other_kbps")
        return {k: v for k, v in asdict(self).items() if k in keys and v is not None}


class ShowUnderFault:
    """One show pushing through a proxy to a private nginx, recording alongside; always cleaned up."""

    def __init__(self, workdir: Path, key: str = "faults", allowed_key: str | None = None,
                 bitrate_kbps: int = BITRATE_KBPS, via_proxy: bool = True,
                 bitrate_mode: BitrateMode = BitrateMode.ADAPTIVE, second_direct: bool = False) -> None:
        self.workdir = Path(workdir)
        self.server = RtmpServer(self.workdir / "nginx", allowed_key=allowed_key, port=free_port())
        self.proxy = FaultProxy(self.server.port)
        self.record = self.workdir / "rec.mkv"
        self.key = key
        self.via_proxy = via_proxy
        self.bitrate_kbps = bitrate_kbps
        self.bitrate_mode = bitrate_mode
        self.second_direct = second_direct   # a second destination straight to nginx, never throttled
        self.show: Show | None = None
        self.states: list[tuple[float, str, str]] = []
        self.audio_encoded = 0
        self._t0 = time.monotonic()

    def __enter__(self) -> ShowUnderFault:
        try:
            self.server.start()
            self.proxy.start()
            url = self.proxy.url(self.key) if self.via_proxy else self.server.url(self.key)
            urls = [url, self.server.url(self.key + "-direct")] if self.second_direct else [url]
            self.show = make_show(urls, self.record, self.bitrate_kbps, self.bitrate_mode)
            self.show.bus.subscribe(StreamStateChanged, self._on_state)
            self.show.start()
            assert self.show.encoder is not None
            self.show.encoder.sinks.append(self._count)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.show is not None:
            self.show.stop()
        self.proxy.stop()
        self.server.stop()

    def _on_state(self, ev: StreamStateChanged) -> None:
        self.states.append((round(time.monotonic() - self._t0, 3), ev.state, ev.message))

    def _count(self, packet) -> None:
        if packet.kind == AUDIO:
            self.audio_encoded += 1

    @property
    def out(self):
        assert self.show is not None
        return self.show.outputs[0]

    def wait_live(self, timeout: float = 20.0) -> None:
        if not wait_for(lambda: self.out.state == "live" and self.out.stats.audio_sent > 10, timeout):
            raise AssertionError(f"the stream did not go live: {self.out.state} {self.out.message}")

    def wait_resumed(self, since: float, timeout: float = 60.0) -> float | None:
        """Seconds from `since` until the output is live, has sent audio packets after `since` (the
        count spans connections) and its queue has drained."""
        sent = self.out.stats.audio_sent
        if wait_for(lambda: (self.out.state == "live" and self.out.stats.audio_sent > sent + 5
                             and self.out.queued_seconds < 0.5), timeout):
            return round(time.monotonic() - since, 2)
        return None

    def finish(self, scenario: str, resume_s: float | None, notes: str = "") -> FaultResult:
        out = self.out
        assert self.show is not None
        self.show.stop()
        rec = check_recording(self.record)
        return FaultResult(scenario, resume_s, out.stats.video_dropped + out.stats.queue_overflow,
                           out.stats.audio_dropped, rec.gap_s if rec.decodable else float("inf"),
                           reconnects=out.stats.reconnects, audio_encoded=self.audio_encoded,
                           audio_sent=out.stats.audio_sent, recorded_frames=rec.video_frames,
                           states=list(self.states), notes=notes or rec.error)


# -- scenarios --------------------------------------------------------------------------------------
def scenario_cut(workdir: Path, seconds: float, mode: str = "refuse") -> FaultResult:
    with ShowUnderFault(workdir) as s:
        s.wait_live()
        time.sleep(2.0)
        s.proxy.cut(seconds, mode)
        wait_for(lambda: not s.proxy.cut_active, seconds + 5)
        back = time.monotonic()
        resumed = s.wait_resumed(back, timeout=45.0)
        time.sleep(1.0)
        return s.finish(f"cut {seconds:g} s ({mode})", resumed)


def scenario_server_restart(workdir: Path, down_seconds: float = 3.0) -> FaultResult:
    """Straight to nginx (no proxy): while it is down, connects are refused, as with a real server."""
    with ShowUnderFault(workdir, via_proxy=False) as s:
        s.wait_live()
        time.sleep(2.0)
        s.server.stop()
        wait_for(lambda: s.out.state == "reconnecting", 15)
        time.sleep(down_seconds)
        s.server.start()
        back = time.monotonic()
        resumed = s.wait_resumed(back, timeout=45.0)
        time.sleep(1.0)
        return s.finish(f"server restarted ({down_seconds:g} s down)", resumed)


def scenario_stall(workdir: Path, seconds: float = 5.0) -> FaultResult:
    with ShowUnderFault(workdir) as s:
        s.wait_live()
        time.sleep(2.0)
        s.proxy.stall(seconds)
        time.sleep(seconds)
        back = time.monotonic()
        resumed = s.wait_resumed(back, timeout=45.0)
        time.sleep(1.0)
        return s.finish(f"proxy stalls {seconds:g} s", resumed)


def _bitrate_at(show: Show, t_air: float) -> int:
    """The encode's video bitrate at `t_air` seconds on air (from its bitrate_changed events)."""
    kbps = show.config.bitrate_kbps
    for c in show.bitrate_changes:
        if c.time <= t_air:
            kbps = c.kbps
    return kbps


def scenario_throttle(workdir: Path, seconds: float = 30.0, fraction: float = 0.5,
                      mode: BitrateMode = BitrateMode.ADAPTIVE, two: bool = False) -> FaultResult:
    """Client → server bandwidth at `fraction` of the stream's bitrate for `seconds`. With `two`, a
    second destination of the same encode goes straight to nginx and must not suffer for the first."""
    with ShowUnderFault(workdir, bitrate_mode=mode, second_direct=two) as s:
        s.wait_live()
        show = s.show
        assert show is not None
        if two:
            wait_for(lambda: show.outputs[1].state == "live", 20)
        b0, t0 = s.proxy.bytes_up, time.monotonic()
        time.sleep(3.0)
        measured = (s.proxy.bytes_up - b0) / (time.monotonic() - t0)  # the stream's real rate, bytes/s
        link_kbps = measured * fraction * 8 / 1000
        other = show.outputs[1] if two else None
        other_before = (other.stats.video_dropped + other.stats.queue_overflow, other.stats.bytes_sent) \
            if other else (0, 0)
        throttled_at = show.elapsed()
        s.proxy.throttle(measured * fraction, seconds)
        time.sleep(seconds)
        back = time.monotonic()
        back_at = show.elapsed()
        other_kbps = None
        if other is not None:
            other_kbps = round((other.stats.bytes_sent - other_before[1]) * 8 / 1000 / seconds)
        audio = show.config.audio_bitrate_kbps
        follow = next((round(c.time - throttled_at, 2) for c in show.bitrate_changes
                       if c.time >= throttled_at and c.kbps + audio <= link_kbps), None)
        resumed = s.wait_resumed(back, timeout=45.0)
        if mode == BitrateMode.ADAPTIVE:
            wait_for(lambda: _bitrate_at(show, show.elapsed()) >= 0.9 * show.config.bitrate_kbps, 40.0)
        recover = next((round(c.time - back_at, 2) for c in show.bitrate_changes
                        if c.time >= back_at and c.kbps >= 0.9 * show.config.bitrate_kbps), None)
        lowest = min((c.kbps for c in show.bitrate_changes), default=show.config.bitrate_kbps)
        other_dropped = None
        if other is not None:
            other_dropped = other.stats.video_dropped + other.stats.queue_overflow - other_before[0]
        time.sleep(1.0)
        name = f"throttled to {fraction:.0%} of the bitrate for {seconds:g} s"
        name += " (cbr)" if mode == BitrateMode.CBR else ""
        name += ", a second destination unthrottled" if two else ""
        notes = f"stream {measured * 8 / 1000:.0f} kbps, throttled to {link_kbps:.0f}"
        r = s.finish(name, resumed, notes=notes)
        r.bitrate_min_kbps = lowest if mode == BitrateMode.ADAPTIVE else None
        r.follow_s = follow if mode == BitrateMode.ADAPTIVE else None
        r.recover_s = recover if mode == BitrateMode.ADAPTIVE else None
        r.other_dropped, r.other_kbps = other_dropped, other_kbps
        return r


def scenario_refused_key(workdir: Path, observe_seconds: float = 25.0) -> FaultResult:
    with ShowUnderFault(workdir, key="wrong-key", allowed_key="right-key") as s:
        wait_for(lambda: s.out.state == "reconnecting", 20)
        time.sleep(observe_seconds)
        attempts = s.out.stats.reconnects + 1
        message = s.out.message
        r = s.finish("ingest refuses the key", None,
                     notes=f"{attempts} attempts in {observe_seconds:g} s; {message}")
        return r


def scenario_sender_killed(workdir: Path) -> FaultResult:
    with ShowUnderFault(workdir) as s:
        s.wait_live()
        time.sleep(2.0)
        proc = s.out._proc
        assert proc is not None
        os.kill(proc.pid, signal.SIGKILL)
        back = time.monotonic()
        resumed = s.wait_resumed(back, timeout=45.0)
        time.sleep(1.0)
        return s.finish("sender process killed", resumed)


def run_scenario(name: str, workdir: Path) -> FaultResult:
    scenarios: dict[str, Callable[[Path], FaultResult]] = {
        "cut_2": lambda d: scenario_cut(d, 2.0),
        "cut_10": lambda d: scenario_cut(d, 10.0),
        "cut_60": lambda d: scenario_cut(d, 60.0),
        "cut_10_blackhole": lambda d: scenario_cut(d, 10.0, "blackhole"),
        "server_restart": scenario_server_restart,
        "stall_5": scenario_stall,
        "throttle_30": scenario_throttle,
        "throttle_30_cbr": lambda d: scenario_throttle(d, mode=BitrateMode.CBR),
        "throttle_25": lambda d: scenario_throttle(d, fraction=0.25),
        "two_destinations": lambda d: scenario_throttle(d, fraction=0.3, two=True),
        "refused_key": scenario_refused_key,
        "sender_killed": scenario_sender_killed,
    }
    Path(workdir).mkdir(parents=True, exist_ok=True)
    return scenarios[name](Path(workdir))


DEFAULT = ["cut_2", "cut_10", "server_restart", "stall_5", "throttle_30", "throttle_30_cbr", "throttle_25",
           "two_destinations", "refused_key", "sender_killed"]


def run_fault_figures(long: bool = False, names: list[str] | None = None) -> list[dict]:
    """[{scenario, resume_s, frames_dropped, audio_dropped, recording_gap_s, reconnects}] per scenario."""
    names = names or DEFAULT + (["cut_60"] if long else [])
    rows = []
    with tempfile.TemporaryDirectory(prefix="studio-faults-") as tmp:
        for name in names:
            r = run_scenario(name, Path(tmp) / name)
            rows.append(r.row())
    return rows


if __name__ == "__main__":
    names = [a for a in sys.argv[1:] if a != "--long"] or None
    for row in run_fault_figures(long="--long" in sys.argv, names=names):
        print(json.dumps(row), flush=True)
