"""The audio mixer: one thread ticking every 1024 samples on deadlines computed from the sample count.

Each tick pulls one block from every input, applies gain and mute, sums, clips, measures peak/RMS
per input and for the mix, and hands the block with its first sample's index to `on_block`. Deadlines
come from t0 + n/48000, never from accumulated sleeps, so the mix runs exactly on the monotonic clock;
inputs absorb their device's drift (see mic.py). A late tick (the process was busy) catches up by
producing the missed blocks at once: audio is never dropped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from studio.core.log import get_logger
from studio.media.audio.base import AudioInput
from studio.media.clock import AUDIO_BLOCK, AUDIO_RATE

log = get_logger("media.audio")

SILENCE_DB = -120.0


@dataclass(frozen=True)
class Meter:
    peak_db: float
    rms_db: float


def measure(block: NDArray[Any]) -> Meter:
    if block.size == 0:
        return Meter(SILENCE_DB, SILENCE_DB)
    peak = float(np.max(np.abs(block)))
    rms = float(np.sqrt(np.mean(np.square(block, dtype=np.float64))))
    def to_db(v: float) -> float:
        return SILENCE_DB if v <= 1e-6 else max(SILENCE_DB, 20.0 * float(np.log10(v)))

    return Meter(to_db(peak), to_db(rms))


def mix(blocks: list[NDArray[Any]], gains: list[float]) -> NDArray[Any]:
    out = np.zeros_like(blocks[0]) if blocks else np.zeros((AUDIO_BLOCK, 2), np.float32)
    for b, g in zip(blocks, gains, strict=True):
        if g != 0.0:
            out += b * np.float32(g)
    np.clip(out, -1.0, 1.0, out=out)
    return out


class Mixer:
    def __init__(self, inputs: list[AudioInput], on_block: Callable[[int, NDArray[Any]], None],
                 block: int = AUDIO_BLOCK, rate: int = AUDIO_RATE) -> None:
        self.inputs = inputs
        self.on_block = on_block
        self.block = block
        self.rate = rate
        self.meters: dict[str, Meter] = {}
        self.late_blocks = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.t0 = 0.0

    def start(self, t0: float) -> None:
        if self._thread:
            return
        self.t0 = t0
        for i in self.inputs:
            i.start()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="studio: audio mixer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if not self._thread:
            return
        self._stop.set()
        self._thread.join(timeout=3.0)
        self._thread = None
        for i in self.inputs:
            i.stop()

    def tick(self) -> None:
        """Produce one block (also used directly by tests)."""
        blocks, gains = [], []
        for inp in self.inputs:
            b = inp.read(self.block)
            g = 0.0 if inp.muted else inp.gain
            self.meters[inp.name] = measure(b * np.float32(g)) if g != 1.0 else measure(b)
            blocks.append(b)
            gains.append(g)
        out = mix(blocks, gains)
        self.meters["mix"] = measure(out)
        start = self.samples
        self.samples += self.block
        self.on_block(start, out)

    def _run(self) -> None:
        while not self._stop.is_set():
            due = self.t0 + (self.samples + self.block) / self.rate
            delay = due - time.monotonic()
            if delay > 0:
                self._stop.wait(delay)
                if self._stop.is_set():
                    break
            elif delay < -self.block / self.rate:
                self.late_blocks += 1
            try:
                self.tick()
            except Exception:
                log.exception("audio tick failed; continuing with the next block")
                self.samples += self.block
