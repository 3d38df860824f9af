"""The show's figures at one moment, frozen: what the status line, the status bar and `--stats` show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from studio.media.outputs.base import OutputState, OutputStats
from studio.media.outputs.summary import DestinationSummary


@dataclass(frozen=True)
class RecordingStats:
    state: OutputState
    path: str
    bytes: int


@dataclass(frozen=True)
class BitrateChange:
    time: float          # seconds on air
    kbps: int
    previous_kbps: int
    output: str
    reason: str


@dataclass(frozen=True)
class ShowStats:
    time: float = 0.0
    live: bool = False
    fps: float = 0.0
    frames: int = 0
    render_ms: float = 0.0
    encode_ms: float = 0.0
    lagged: int = 0
    duplicated: int = 0
    encoder: str | None = None
    bitrate_kbps: int = 0        # the encode's video bitrate now
    configured_kbps: int = 0     # the show's setting: dynamic bitrate never goes above it
    bitrate_mode: str = ""
    outputs: tuple[OutputStats, ...] = ()
    recording: RecordingStats | None = None
    audio: Mapping[str, float] = field(default_factory=dict)
    bitrate_changes: tuple[BitrateChange, ...] = ()   # the most recent ones, oldest first
    encoder_problem: str = ""
    # filled in by the window's controller
    cpu: float = 0.0
    demo: bool = False
    names: Mapping[str, str] = field(default_factory=dict)   # output name → the host's name for it

    @property
    def dropped(self) -> int:
        return self.lagged + sum(o.dropped for o in self.outputs)

    def output(self, name: str) -> OutputStats | None:
        return next((o for o in self.outputs if o.name == name), None)

    def display_name(self, name: str) -> str:
        return self.names.get(name, name)

    def as_dict(self) -> dict[str, Any]:
        """The `--stats` JSON line."""
        d: dict[str, Any] = {
            "time": self.time, "live": self.live, "fps": self.fps, "frames": self.frames,
            "render_ms": self.render_ms, "encode_ms": self.encode_ms, "lagged": self.lagged,
            "duplicated": self.duplicated, "encoder": self.encoder, "bitrate_kbps": self.bitrate_kbps,
            "configured_kbps": self.configured_kbps, "bitrate_mode": self.bitrate_mode,
            "outputs": {o.name: o.as_dict() for o in self.outputs},
            "bitrate_changes": [vars(c) for c in self.bitrate_changes[-5:]],
            "demo": self.demo,
        }
        if self.recording is not None:
            r = self.recording
            d["recording"] = {"state": r.state.value, "path": r.path, "bytes": r.bytes}
        if self.audio:
            d["audio"] = dict(self.audio)
        if self.encoder_problem:
            d["encoder_problem"] = self.encoder_problem
        return d


def summary_dict(summaries: list[DestinationSummary]) -> dict[str, Any]:
    """The last `--stats` line's `summary`: one entry per destination."""
    return {"destinations": [s.as_dict() for s in summaries],
            "all_went_live": all(s.went_live for s in summaries)}
