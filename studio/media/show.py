"""The show: sources → compositor → one encode → every output, on one clock.

`Show` wires the engine's threads together and owns their order of start and stop. It is the API the
headless command and the desktop controller both drive; it never touches Qt.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from numpy.typing import NDArray

from studio.core.events import EventBus, StreamStateChanged
from studio.core.log import get_logger
from studio.media.audio.base import AudioInput
from studio.media.audio.mixer import Mixer
from studio.media.compositor import Compositor, VideoLayer
from studio.media.encoder import Encoder
from studio.media.encoder_options import VideoSettings, choose_encoder
from studio.media.outputs.network import NetworkOutput
from studio.media.outputs.recording import RecordingOutput
from studio.media.overlay import OverlayBoard

log = get_logger("media.pipeline")


@dataclass
class ShowConfig:
    size: tuple[int, int] = (1280, 720)
    rate: Fraction = Fraction(30)
    bitrate_kbps: int = 3500
    audio_bitrate_kbps: int = 128
    encoder: str = "auto"
    outputs: list[str] = field(default_factory=list)
    record: Path | None = None
    keyint_seconds: int = 2
    profile: str = "high"


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
        """Open the encoder (before the first frame is due) and every output; frames from the next
        compositor tick on are encoded, with pts counted from zero."""
        if self.running:
            return
        c = self.config
        settings = VideoSettings(c.size[0], c.size[1], c.rate, c.bitrate_kbps, c.keyint_seconds, c.profile)
        name = choose_encoder(c.encoder, settings)
        # Opening an encoder holds the GIL for a while: headless, it happens before the preview
        # starts ticking; from the desktop (preview running) it costs a lagged frame or two.
        fallback = None if name == "libx264" else "libx264"
        encoder = Encoder(name, settings, c.audio_bitrate_kbps, fallback=fallback)
        self.start_preview()
        encoder.set_first_index(self.compositor.next_index() + 1)
        self.outputs = []
        self.recording = None
        vt, at = encoder.video_template, encoder.audio_template
        if c.record:
            self.recording = RecordingOutput(c.record, vt, at, on_state=self._on_output_state)
            self.recording.start()
            encoder.sinks.append(self.recording.push)
        for url in c.outputs:
            out = NetworkOutput(url, vt, at, on_state=self._on_output_state,
                                capture_time_of=self._capture_time_of, name=self._unique_name(url))
            self.outputs.append(out)
            encoder.sinks.append(out.push)
            out.start()
        encoder.start()
        self.live_since = time.monotonic()
        self.encoder = encoder
        self.running = True
        log.info("live with encoder %s", name)

    def _unique_name(self, url: str) -> str:
        from studio.media.outputs.network import output_name

        base = output_name(url)
        taken = {o.name for o in self.outputs}
        name, n = base, 2
        while name in taken:
            name, n = f"{base}#{n}", n + 1
        return name

    def _on_frame(self, index: int, canvas: NDArray[Any], capture_t: float | None) -> None:
        encoder = self.encoder
        if encoder is not None:
            encoder.submit_video(index, canvas, capture_t)
        for sink in self.preview_sinks:
            sink(index, canvas)

    def _on_audio(self, start_sample: int, block: NDArray[Any]) -> None:
        encoder = self.encoder
        if encoder is not None:
            encoder.submit_audio(start_sample, block)

    def end_live(self) -> None:
        """Flush the encoder, send and record what is left, close every output; the preview goes on."""
        if not self.running:
            return
        self.running = False
        encoder, self.encoder = self.encoder, None
        self._last_encoder = encoder
        if encoder:
            encoder.stop()
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

    def stats(self) -> dict[str, Any]:
        enc = self.encoder or self._last_encoder
        c = self.compositor
        outputs: dict[str, dict[str, Any]] = {}
        out: dict[str, Any] = {
            "time": round(self.elapsed(), 2),
            "live": self.running,
            "fps": round(c.fps, 2),
            "frames": enc.frames_encoded if enc else 0,
            "render_ms": round(c.render_ms, 3),
            "encode_ms": round(enc.encode_ms, 3) if enc else 0.0,
            "lagged": c.lagged,
            "duplicated": enc.frames_duplicated if enc else 0,
            "encoder": enc.name if enc else None,
            "outputs": outputs,
        }
        for o in self.outputs:
            p = o.latency_percentiles()
            outputs[o.name] = {
                "state": o.state, "kbps": round(o.stats.kbps, 1), "dropped": o.stats.video_dropped,
                "reconnects": o.stats.reconnects, "queued_s": round(o.queued_seconds, 3),
                "latency_p50_ms": round(p[0] * 1000, 1) if p else None,
                "latency_p95_ms": round(p[1] * 1000, 1) if p else None,
            }
        if self.recording:
            r = self.recording
            out["recording"] = {"state": r.state, "path": str(r.path), "bytes": r.stats.bytes_sent}
        if self.mixer:
            out["audio"] = {k: round(float(v.peak_db), 1) for k, v in self.mixer.meters.items()}
        return out
