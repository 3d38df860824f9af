"""The show: sources → compositor → one encode → every output, on one clock.

`Show` wires the engine's threads together and owns their order of start and stop. It is the API the
headless command and the desktop controller both drive; it never touches Qt.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from numpy.typing import NDArray

from studio.core.events import BitrateChanged, EncoderProblem, EventBus, StreamStateChanged
from studio.core.log import get_logger
from studio.media.audio.base import AudioInput
from studio.media.audio.mixer import Mixer
from studio.media.compositor import Compositor, VideoLayer
from studio.media.encoder import Encoder
from studio.media.encoder_options import VideoSettings, choose_encoder, software_fallback
from studio.media.outputs.adaptive import BitrateController, BitrateMode, shared_bitrate
from studio.media.outputs.base import OutputState
from studio.media.outputs.network import NetworkOutput
from studio.media.outputs.recording import RecordingOutput
from studio.media.outputs.summary import DestinationSummary
from studio.media.overlay import OverlayBoard
from studio.media.stats import BitrateChange, RecordingStats, ShowStats

log = get_logger("media.pipeline")


@dataclass
class ShowConfig:
    size: tuple[int, int] = (1280, 720)
    rate: Fraction = Fraction(30)
    bitrate_kbps: int = 3500
    audio_bitrate_kbps: int = 128
    encoder: str = "auto"
    outputs: list[str] = field(default_factory=list)
    codecs: dict[str, str] = field(default_factory=dict)   # url → "hevc"; the others are H.264
    record: Path | None = None
    keyint_seconds: int = 2
    profile: str = "high"
    bitrate_mode: BitrateMode = BitrateMode.ADAPTIVE

GOVERN_EVERY_S = 0.5   # how often the dynamic bitrate looks at the destinations


class Show:
    def __init__(self, config: ShowConfig, layers: list[VideoLayer], audio: list[AudioInput],
                 board: OverlayBoard | None = None, bus: EventBus | None = None) -> None:
        self.config = config
        self.board = board or OverlayBoard()
        self.bus = bus or EventBus()
        self.layers = layers
        self.audio_inputs = audio
        self.compositor = Compositor(config.size, config.rate, layers, self.board)
        self.encoder: Encoder | None = None
        self.mixer: Mixer | None = None
        self.outputs: list[NetworkOutput] = []
        self.recording: RecordingOutput | None = None
        self.t0: float | None = None
        self.live_since: float | None = None
        self._last_encoder: Encoder | None = None
        self.preview_sinks: list[Callable[[int, NDArray[Any]], None]] = []  # (index, canvas): copy it
        self.running = False
        self.bitrate_changes: deque[BitrateChange] = deque(maxlen=200)
        self.encoder_problem = ""
        self._controllers: dict[str, BitrateController] = {}
        self._governors: list[threading.Thread] = []
        self.encoders: list[Encoder] = []
        self._governing = threading.Event()

    def _on_output_state(self, name: str, state: str, message: str) -> None:
        self.bus.publish(StreamStateChanged(name, state, message))

    def _capture_time_of(self, video_seconds: float) -> float | None:
        if self.encoder is None:
            return None
        return self.encoder.capture_times.get(round(video_seconds * float(self.config.rate)))

    def start_preview(self) -> None:
        """Capture, compose and mix (meters, preview) without encoding: the studio before Go live."""
        if self.t0 is not None:
            return
        for layer in self.layers:
            layer.source.start()
        self.mixer = Mixer(self.audio_inputs, self._on_audio)
        self.t0 = time.monotonic()
        self.compositor.start(self.t0, self._on_frame)
        self.mixer.start(self.t0)

    def start(self) -> None:
        """Preview and go live at once (the headless show)."""
        self.start_preview()
        self.go_live()

    def go_live(self) -> None:
        """Open the encoders (before the first frame is due) and every output; frames from the next
        compositor tick on are encoded, with pts counted from zero. One encode per video codec: H.264
        feeds the recording and every H.264 destination; HEVC destinations get their own."""
        if self.running:
            return
        c = self.config
        adaptive = c.bitrate_mode == BitrateMode.ADAPTIVE and bool(c.outputs)
        settings = VideoSettings(c.size[0], c.size[1], c.rate, c.bitrate_kbps, c.keyint_seconds, c.profile,
                                 adaptive=adaptive)
        groups: dict[str, list[str]] = {}
        for url in c.outputs:
            groups.setdefault(c.codecs.get(url, "h264"), []).append(url)
        codecs = sorted(groups or {"h264": []}, key=lambda k: k != "h264")  # the main encode first
        encoders: dict[str, Encoder] = {}
        for codec in codecs:
            # --encoder names an H.264 encoder; another codec takes its best one here
            name = choose_encoder(c.encoder if codec == "h264" else "auto", settings, codec=codec)
            # Opening an encoder holds the GIL for a while: headless, it happens before the preview
            # starts ticking; from the desktop (preview running) it costs a lagged frame or two.
            soft = software_fallback(codec)
            fallback = None if name == soft else soft
            encoders[codec] = Encoder(name, settings, c.audio_bitrate_kbps, fallback=fallback,
                                      on_event=self._on_encoder_event)
        encoder = encoders[codecs[0]]
        self.encoder_problem = ""
        self.bitrate_changes.clear()
        self.start_preview()
        first = self.compositor.next_index() + 1
        for e in encoders.values():
            e.set_first_index(first)
        self.outputs = []
        self.recording = None
        if c.record:
            self.recording = RecordingOutput(c.record, encoder.video_template, encoder.audio_template,
                                             on_state=self._on_output_state)
            self.recording.start()
            encoder.sinks.append(self.recording.push)
        fed: dict[str, list[NetworkOutput]] = {}
        for url in c.outputs:
            e = encoders[c.codecs.get(url, "h264")]
            out = NetworkOutput(url, e.video_template, e.audio_template, on_state=self._on_output_state,
                                capture_time_of=self._capture_time_of, name=self._unique_name(url),
                                bitrate_kbps=c.bitrate_kbps)
            self.outputs.append(out)
            fed.setdefault(e.name, []).append(out)
            e.sinks.append(out.push)
            out.start()
        self._controllers = {o.name: BitrateController(c.bitrate_kbps, c.audio_bitrate_kbps)
                             for o in self.outputs}
        for e in encoders.values():
            e.start()
        self.live_since = time.monotonic()
        self.encoders = list(encoders.values())
        self.encoder = encoder   # after the list: frames go to every encoder from the same one on
        self.running = True
        self._governing.clear()
        self._governors = []
        for e in self.encoders:
            outs = fed.get(e.name, [])
            if adaptive and outs and not e.can_adapt:
                log.warning("encoder %s cannot change its bitrate mid-show: on a slow link frames are "
                            "dropped by priority instead", e.name)
            if outs and e.can_adapt:
                t = threading.Thread(target=self._govern, args=(e, outs), name="studio: bitrate", daemon=True)
                self._governors.append(t)
                t.start()
        log.info("live with %s", ", ".join(f"{e.name} ({'dynamic' if e.can_adapt else 'constant'} bitrate)"
                                           for e in self.encoders))

    # -- dynamic bitrate ----------------------------------------------------------------------------
    def _govern(self, encoder: Encoder, outputs: list[NetworkOutput]) -> None:
        """Twice a second: each live destination's allowed bitrate from its link, the shared encode at
        the fastest one's; a slower destination drops frames by priority for itself alone."""
        while not self._governing.wait(GOVERN_EVERY_S):
            if not encoder.can_adapt:
                return   # fell back to an encoder that cannot change its bitrate
            now = time.monotonic()
            reasons: dict[str, str] = {}
            for o in outputs:
                ctl = self._controllers[o.name]
                if o.state == OutputState.LIVE or o.state == OutputState.STALLED:
                    why = ctl.update(now, o.backlog_seconds, o.counters.bytes_acked)
                    if why:
                        reasons[o.name] = why
                else:
                    ctl.reset()
            live = [o for o in outputs if o.state in (OutputState.LIVE, OutputState.STALLED)]
            if not live:
                continue
            allowed = [self._controllers[o.name].allowed for o in live]
            target = shared_bitrate(self.config.bitrate_kbps, allowed)
            previous = encoder.bitrate_kbps
            if target != previous:
                setter = min(live, key=lambda o: abs(self._controllers[o.name].allowed - target))
                reason = reasons.get(setter.name) or ("recovered" if target > previous else "congested")
                encoder.set_bitrate(target)
                change = BitrateChange(round(self.elapsed(), 2), target, previous, setter.name, reason)
                self.bitrate_changes.append(change)
                log.info("bitrate %d → %d kbps (%s: %s)", previous, target, setter.name, reason)
                self.bus.publish(BitrateChanged(target, previous, setter.name, reason))
            for o in outputs:
                ctl = self._controllers[o.name]
                o.bitrate_kbps = target
                o.record.on_bitrate(target)
                # served by the encode and still above the floor: room for the encoder to follow
                o.adapting = ctl.allowed >= target and not ctl.at_floor

    def _on_encoder_event(self, kind: str, message: str) -> None:
        self.encoder_problem = message
        self.bus.publish(EncoderProblem(message, fatal=kind == "failed"))

    # -- one destination at a time ------------------------------------------------------------------
    def find_output(self, name: str) -> NetworkOutput | None:
        return next((o for o in self.outputs if o.name == name), None)

    def reconnect_now(self, name: str) -> bool:
        """End a destination's backoff wait at once. False when it is not waiting."""
        out = self.find_output(name)
        return out is not None and out.reconnect_now()

    def switch_output(self, name: str, on: bool) -> bool:
        """Stop or start one destination while the show goes on (its stop runs on its own thread)."""
        out = self.find_output(name)
        if out is None or not self.running:
            return False
        if on:
            if out.state != OutputState.OFF:
                return False
            out.start()
            return True
        if out.state == OutputState.OFF:
            return False
        threading.Thread(target=out.stop, kwargs={"state": OutputState.OFF}, name=f"stop[{name}]",
                         daemon=True).start()
        return True

    def summaries(self) -> list[DestinationSummary]:
        """One per destination of the last show on air: what it got, or why it never went live."""
        return [o.summary() for o in self.outputs]

    def _unique_name(self, url: str) -> str:
        from studio.media.outputs.network import output_name

        base = output_name(url)
        taken = {o.name for o in self.outputs}
        name, n = base, 2
        while name in taken:
            name, n = f"{base}#{n}", n + 1
        return name

    def _on_frame(self, index: int, canvas: NDArray[Any], capture_t: float | None) -> None:
        if self.encoder is not None:
            for e in self.encoders:
                e.submit_video(index, canvas, capture_t)
        for sink in self.preview_sinks:
            sink(index, canvas)

    def _on_audio(self, start_sample: int, block: NDArray[Any]) -> None:
        if self.encoder is not None:
            for e in self.encoders:
                e.submit_audio(start_sample, block)

    def end_live(self) -> None:
        """Flush the encoder, send and record what is left, close every output; the preview goes on."""
        if not self.running:
            return
        self.running = False
        self._governing.set()
        for t in self._governors:
            t.join(timeout=2.0)
        self._governors = []
        encoder, self.encoder = self.encoder, None
        self._last_encoder = encoder
        for e in self.encoders:
            e.stop()
        for out in self.outputs:
            out.request_stop()
        for out in self.outputs:
            out.stop()
        if self.recording:
            self.recording.stop()

    def stop(self) -> None:
        """End everything: the live part first (clean flush), then capture and compositing."""
        if self.running:
            # Stop drawing first so the last frames encoded are the last frames drawn.
            self.compositor.stop()
            self.end_live()
        self.compositor.stop()
        if self.mixer:
            self.mixer.stop()
        for layer in self.layers:
            layer.source.stop()

    def elapsed(self) -> float:
        """Seconds on air (0 before Go live)."""
        return 0.0 if self.live_since is None else time.monotonic() - self.live_since

    def stats(self) -> ShowStats:
        enc = self.encoder or self._last_encoder
        c = self.compositor
        rec = None
        if self.recording:
            r = self.recording
            rec = RecordingStats(r.state, str(r.path), r.stats.bytes_sent)
        return ShowStats(
            time=round(self.elapsed(), 2), live=self.running, fps=round(c.fps, 2),
            frames=enc.frames_encoded if enc else 0, render_ms=round(c.render_ms, 3),
            encode_ms=round(enc.encode_ms, 3) if enc else 0.0, lagged=c.lagged,
            duplicated=enc.frames_duplicated if enc else 0, encoder=enc.name if enc else None,
            bitrate_kbps=enc.bitrate_kbps if enc else self.config.bitrate_kbps,
            configured_kbps=self.config.bitrate_kbps,
            bitrate_mode=("adaptive" if enc.can_adapt else "cbr") if enc else "",
            outputs=tuple(o.snapshot() for o in self.outputs), recording=rec,
            audio={k: round(float(v.peak_db), 1) for k, v in self.mixer.meters.items()} if self.mixer else {},
            bitrate_changes=tuple(list(self.bitrate_changes)[-20:]), encoder_problem=self.encoder_problem)
