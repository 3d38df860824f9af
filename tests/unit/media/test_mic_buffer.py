"""MicBuffer and MicInput without a sound card: the callback is driven directly, time is simulated."""

from __future__ import annotations

import numpy as np
import pytest

from studio.media.audio.mic import DriftCorrector, MicBuffer, MicInput

OUT = 48000


def simulate(device_rate_true: float, nominal_rate: float = 48000, seconds: float = 120.0,
             callback_frames: int = 480) -> tuple[MicBuffer, list[float]]:
    """A producer whose crystal runs at `device_rate_true` against a consumer reading 1024 at 48 kHz."""
    buf = MicBuffer(nominal_rate)
    produced = 0.0
    levels = []
    block = np.zeros((callback_frames, 2), np.float32)
    reads = int(seconds * OUT / 1024)
    for i in range(1, reads + 1):
        t = i * 1024 / OUT
        while produced + callback_frames <= t * device_rate_true:
            buf.push(block)
            produced += callback_frames
        if t > 1.0:
            levels.append(buf.level / nominal_rate)  # what the mixer finds when it comes to read
        out = buf.pull(1024)
        assert out.shape == (1024, 2)
    return buf, levels


@pytest.mark.parametrize("drift", [+0.001, -0.001])
def test_drift_of_a_tenth_of_a_percent_is_absorbed_around_the_target(drift):
    buf, levels = simulate(48000 * (1 + drift))
    # without correction the level would walk 120 ms in 120 s; with it, it stays near 100 ms
    assert min(levels) > 0.065 and max(levels) < 0.135, (min(levels), max(levels))
    assert buf.underruns == 0 and buf.overflow_samples == 0
    if drift > 0:
        assert buf.dropped > 0 and buf.duplicated == 0
    else:
        assert buf.duplicated > 0 and buf.dropped == 0
    # the correction is what the drift needs (48 samples/s), not more
    assert (buf.dropped + buf.duplicated) == pytest.approx(abs(drift) * 48000 * 119, rel=0.35)


def test_an_exact_clock_is_never_corrected():
    buf, levels = simulate(48000.0, seconds=30)
    assert buf.dropped == buf.duplicated == 0 and buf.underruns == 0


def test_the_rule_corrects_past_20ms_and_stops_within_5ms():
    d = DriftCorrector(target=4800, tolerance=960, settle=240, smoothing=1.0)
    assert d.step(4800 + 900) == 0          # inside the tolerance: leave it
    assert d.step(4800 + 1000) == 2         # too full: drop up to 2 a read
    assert d.step(4800 + 500) == 2          # keeps correcting until settled …
    assert d.step(4800 + 200) == 0          # … within 5 ms
    assert d.step(4800 - 1000) == -2        # too empty: duplicate


def test_reads_are_silence_until_the_cushion_is_built_then_underrun_is_counted():
    buf = MicBuffer(48000)
    for _ in range(2):
        buf.push(np.full((500, 2), 0.5, np.float32))
    assert not buf.pull(1024).any()          # priming: 1000 < 4800 target
    for _ in range(8):
        buf.push(np.full((500, 2), 0.5, np.float32))
    assert np.all(buf.pull(1024) == 0.5)
    for _ in range(4):
        buf.pull(1024)
    assert buf.underruns == 1 and not buf.pull(1024).any()


def test_overflow_drops_the_oldest_and_counts_it():
    buf = MicBuffer(48000, capacity_s=0.1)   # 4800 samples
    for _ in range(4):
        buf.push(np.zeros((1000, 1), np.float32))
    buf.push(np.ones((1000, 1), np.float32))  # mono: heard on both channels
    buf.push(np.ones((1000, 1), np.float32))
    assert buf.overflow_samples == 1200 and buf.level == 4800
    buf.base_target, buf.drift.tolerance = 0, 10**9  # look at the ring alone, no drift correction
    out = buf.pull(4800)
    assert np.all(out[-2000:] == 1.0) and np.all(out[:2800] == 0.0)


def test_a_44100_hz_device_is_resampled_to_48000_keeping_the_pitch():
    buf = MicBuffer(44100)
    t = np.arange(44100 * 3) / 44100
    tone = np.repeat((0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)[:, None], 2, axis=1)
    outs = []
    pos = 0
    for _ in range(int(2.5 * OUT / 1024)):
        want = pos + 941  # ≈ 1024 * 44100/48000 per read, in callback-sized pieces
        buf.push(tone[pos:want])
        pos = want
        outs.append(buf.pull(1024))
    sig = np.concatenate(outs)[-32768:, 0]
    spectrum = np.abs(np.fft.rfft(sig * np.hanning(len(sig))))
    assert np.argmax(spectrum) * OUT / len(sig) == pytest.approx(1000, abs=3)
    assert np.max(np.abs(np.diff(sig))) < 0.1  # continuous across reads: no clicks


def test_a_failing_callback_never_raises_and_is_counted():
    mic = MicInput("default")
    mic.buffer = MicBuffer(48000)
    mic._callback(np.zeros((480, 2), np.float32), 480, None, None)
    mic._callback("not audio", 480, None, None)  # type: ignore[arg-type]
    assert mic.callback_errors == 1 and mic.buffer.level == 480


def test_a_mic_that_stops_calling_back_is_stalled_after_one_second():
    now = [100.0]
    mic = MicInput("default", clock=lambda: now[0])
    mic._opened_at = 100.0
    mic._callback(np.zeros((480, 2), np.float32), 480, None, None)
    now[0] = 100.9
    assert not mic.is_stalled(now[0])
    now[0] = 101.1
    assert mic.is_stalled(now[0])


def test_a_mic_that_is_not_live_reads_silence_of_the_right_shape():
    mic = MicInput("default")
    out = mic.read(1024)
    assert out.shape == (1024, 2) and out.dtype == np.float32 and not out.any()
