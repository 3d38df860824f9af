"""Encoded packets as plain data, so one encode can feed several outputs.

PyAV rewrites a packet's stream and timestamps when it is muxed, so outputs never share `av.Packet`
objects: each rebuilds its own from this record.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av
from av.stream import Stream

VIDEO, AUDIO = "video", "audio"

# A connection's timeline starts this long before its first packet: audio stamped up to this much
# earlier (AAC priming at pts -1024, and the audio encoder's own delay, which makes the first audio
# packets leave the encoder after the first video frame) is sent, not cut off at the edge.
AUDIO_LEAD_S = 0.1

# Drop priorities, as OBS orders them: the lowest goes first under congestion.
PRIORITY_DISPOSABLE, PRIORITY_REFERENCE, PRIORITY_KEYFRAME = 1, 2, 3


@dataclass(frozen=True, slots=True)
class EncodedPacket:
    kind: str            # VIDEO or AUDIO
    data: bytes
    pts: int | None
    dts: int | None
    duration: int | None
    time_base: Fraction
    keyframe: bool
    disposable: bool = False
    frame_index: int | None = None  # video: the show's frame index, for latency accounting

    @property
    def priority(self) -> int:
        if self.kind == AUDIO or self.keyframe:
            return PRIORITY_KEYFRAME
        return PRIORITY_DISPOSABLE if self.disposable else PRIORITY_REFERENCE

    @property
    def dts_seconds(self) -> float:
        ts = self.dts if self.dts is not None else self.pts
        return float((ts or 0) * self.time_base)

    @classmethod
    def from_av(cls, kind: str, p: av.Packet[Any], time_base: Fraction,
                frame_index: int | None = None) -> EncodedPacket:
        tb = p.time_base or time_base  # the encoder stamps its packets with its own time base
        return cls(kind, bytes(p), p.pts, p.dts, p.duration, Fraction(tb.numerator, tb.denominator),
                   bool(p.is_keyframe),
                   bool(p.is_disposable), frame_index)

    def to_av(self, stream: Stream, shift_s: int = 0) -> av.Packet[Stream]:
        """A fresh packet for `stream`, its timestamps `shift_s` whole seconds later."""
        p = av.Packet(self.data)
        shift = int(shift_s / self.time_base) if shift_s else 0
        p.pts = None if self.pts is None else self.pts + shift
        p.dts = None if self.dts is None else self.dts + shift
        p.duration = self.duration
        p.time_base = self.time_base
        p.is_keyframe = self.keyframe
        p.stream = stream
        return p
