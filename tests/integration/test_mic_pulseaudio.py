"""A real microphone path: PulseAudio null sink monitor → ALSA pulse plugin → PortAudio → MicInput → Mixer."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from studio.media.audio.mic import MicInput, list_microphones
from studio.media.audio.mixer import Mixer


def dominant_frequency(signal: np.ndarray, rate: int = 48000) -> float:
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal))))
    k = int(np.argmax(spectrum[1:])) + 1
    a, b, c = np.log(spectrum[k - 1:k + 2] + 1e-12)
    shift = 0.5 * (a - c) / (a - 2 * b + c)  # parabolic peak interpolation: sub-bin accuracy
    return (k + shift) * rate / len(signal)


def wait_until(cond, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def test_portaudio_lists_the_pulse_devices(pulseaudio_server):
    names = {m.name for m in list_microphones()}
    assert {"pulse", "default"} <= names


def test_a_tone_played_into_pulseaudio_is_heard_through_the_mic_and_the_mixer(tone_mic):
    mic = MicInput("default")
    blocks: list[np.ndarray] = []
    lock = threading.Lock()

    def on_block(start: int, block: np.ndarray) -> None:
        with lock:
            blocks.append(block.copy())

    mixer = Mixer([mic], on_block)
    mixer.start(time.monotonic())
    try:
        hearing = lambda: (mic.state == "live" and mic.buffer is not None  # noqa: E731
                           and len(blocks) > 40 and float(np.abs(blocks[-1]).max()) > 0.1)
        assert wait_until(hearing, timeout=8), mic.state
        time.sleep(0.5)
    finally:
        mixer.stop()
    with lock:
        audio = np.concatenate(blocks[-16:])[:, 0]
    assert mic.callback_errors == 0
    assert np.abs(audio).max() > 0.1, "the tone is not in the mix"
    assert dominant_frequency(audio) == pytest.approx(tone_mic, abs=5)


def test_unknown_microphone_names_the_ones_found(pulseaudio_server):
    from studio.core.errors import UserError
    from studio.media.audio.mic import resolve_microphone

    with pytest.raises(UserError, match=r"No microphone named 'Blue Yeti'.*pulse"):
        resolve_microphone("Blue Yeti")
