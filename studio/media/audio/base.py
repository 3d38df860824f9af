"""Audio inputs: 48 kHz stereo float32 blocks, pulled by the mixer; `read` never blocks."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from studio.media.clock import AUDIO_RATE


class AudioInput:
    kind = "base"
    rate = AUDIO_RATE
    channels = 2

    def __init__(self, name: str) -> None:
        self.name = name
        self.gain = 1.0
        self.muted = False
        self.state = "stopped"
        self.last_error: str | None = None

    def start(self) -> None:
        self.state = "live"

    def stop(self) -> None:
        self.state = "stopped"

    def read(self, n: int) -> NDArray[Any]:
        """Exactly n frames, shape (n, 2) float32 in [-1, 1]; silence when nothing is there."""
        raise NotImplementedError  # abstract hook


class ToneInput(AudioInput):
    """A sine test tone (default 440 Hz, -12 dBFS), phase-continuous across reads."""

    kind = "tone"

    def __init__(self, freq: float = 440.0, level: float = 0.25, name: str = "tone") -> None:
        super().__init__(name)
        self.freq = freq
        self.level = level
        self._n = 0

    def read(self, n: int) -> NDArray[Any]:
        idx = np.arange(self._n, self._n + n, dtype=np.float64)
        self._n += n
        mono = (self.level * np.sin(2 * np.pi * self.freq * idx / self.rate)).astype(np.float32)
        return np.repeat(mono[:, None], 2, axis=1)


class SilenceInput(AudioInput):
    kind = "none"

    def read(self, n: int) -> NDArray[Any]:
        return np.zeros((n, 2), np.float32)
