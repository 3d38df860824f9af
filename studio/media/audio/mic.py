"""`mic:default` / `mic:NAME`: a microphone through sounddevice (PortAudio), as a non-blocking input.

Three parts, each with one job:
- the PortAudio callback only copies into a bounded ring (`MicBuffer.push`): drop-oldest on overflow,
  counted; its body never raises (an exception would silently stop the stream);
- `MicBuffer.pull(n)` gives the mixer exactly n frames at 48 kHz: linear-interpolation resampling when
  the device runs at another rate, silence on underrun (counted), and **drift correction** (below);
- a watchdog thread opens the stream, notices a device that stopped calling back (> 1 s: unplugged,
  driver died), reads silence meanwhile, and reopens the device by name + host API with backoff after
  re-scanning PortAudio (`sd._terminate(); sd._initialize()` — PortAudio lists devices only then).

Drift rule (`DriftCorrector`): the ring is kept around a target level (100 ms). The level seen at each
read is smoothed (EMA over ~20 reads, since it jitters by a callback block). When the smoothed level is
more than 20 ms off target, every read consumes up to `max_step` (2) device samples more (buffer too
full: the card is fast) or fewer (too empty: the card is slow) than it outputs, stretched over the
block by linear interpolation, until the level is back within 5 ms. 2 samples per 1024 corrects up to
0.2 % of clock error — ten times what real sound cards show — with no audible artefact.

sounddevice is imported lazily: PortAudio scans devices when it initializes, so importing it at
module import time would freeze the device list (and ignore a test's PulseAudio server).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from studio.core.backoff import Backoff
from studio.core.errors import UserError
from studio.core.log import get_logger
from studio.media.audio.base import AudioInput
from studio.media.clock import AUDIO_RATE

log = get_logger("media.audio.mic")

_pa_lock = threading.RLock()  # PortAudio (re)initialization and stream open/close

REOPEN = Backoff(first=0.5, factor=2.0, cap=5.0, jitter=0.0)  # a lost mic: 0.5 s doubling up to 5 s


def _sd() -> Any:
    import sounddevice as sd  # noqa: PLC0415 - lazy on purpose, see module docstring

    return sd


def rescan_portaudio() -> None:
    """Re-scan audio devices. Stops every open PortAudio stream of the process: close yours first."""
    sd = _sd()
    with _pa_lock:
        sd._terminate()
        sd._initialize()


# -- devices -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MicInfo:
    index: int
    name: str
    hostapi: str
    channels: int
    default_rate: float
    is_default: bool = False

    @property
    def label(self) -> str:
        return f"{self.name} ({self.hostapi})"


def list_microphones() -> list[MicInfo]:
    """Input devices PortAudio knows, default first within each host API's own order."""
    sd = _sd()
    with _pa_lock:
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
        default_in = sd.default.device[0] if sd.default.device[0] is not None else -1
    mics = []
    for d in devices:
        if d["max_input_channels"] <= 0:
            continue
        mics.append(MicInfo(d["index"], d["name"], hostapis[d["hostapi"]]["name"], d["max_input_channels"],
                            float(d["default_samplerate"]), d["index"] == default_in))
    return mics


def _preferred_hostapi() -> str:
    if sys.platform == "win32":
        return "Windows WASAPI"
    if sys.platform == "darwin":
        return "Core Audio"
    return "ALSA"


def resolve_microphone(name: str, mics: list[MicInfo] | None = None, hostapi: str | None = None) -> MicInfo:
    """A microphone by "default", exact name, or unique case-insensitive part of a name.

    Several host APIs list the same device (Windows: MME, DirectSound, WASAPI): `hostapi` picks one,
    else the platform's preferred one.
    """
    mics = list_microphones() if mics is None else mics
    if name == "default":
        found = [m for m in mics if m.is_default] or mics[:1]
        if not found:
            raise UserError("No microphone found; plug one in, or use --audio tone / --audio none.")
        return found[0]
    matches = [m for m in mics if m.name == name] or [m for m in mics if name.lower() in m.name.lower()]
    if hostapi:
        matches = [m for m in matches if m.hostapi == hostapi]
    if len({m.name for m in matches}) > 1:
        listed = "; ".join(m.label for m in matches)
        raise UserError(f"Microphone name {name!r} matches several devices ({listed}); use a longer name.")
    if not matches:
        listed = "; ".join(m.label for m in mics) or "none"
        raise UserError(f"No microphone named {name!r}; microphones found: {listed}.")
    preferred = [m for m in matches if m.hostapi == _preferred_hostapi()]
    return (preferred or matches)[0]


# -- buffering -----------------------------------------------------------------------------------
@dataclass
class DriftCorrector:
    """Decides, per read, how many device samples to drop (>0) or duplicate (<0). See module doc."""

    target: int          # device samples
    tolerance: int       # start correcting beyond this error
    settle: int          # stop correcting within this error
    max_step: int = 2    # samples per read
    smoothing: float = 0.05
    level: float | None = None
    correcting: bool = False

    def step(self, level: int) -> int:
        prev = float(level) if self.level is None else self.level
        self.level = prev + self.smoothing * (level - prev)
        err = self.level - self.target
        if abs(err) > self.tolerance:
            self.correcting = True
        elif abs(err) <= self.settle:
            self.correcting = False
        if not self.correcting:
            return 0
        return int(max(-self.max_step, min(self.max_step, round(err))))

    def reset(self) -> None:
        self.level = None
        self.correcting = False


class MicBuffer:
    """Bounded ring of device-rate stereo samples between the callback and the mixer."""

    def __init__(self, device_rate: float, target_s: float = 0.100, capacity_s: float = 1.0,
                 tolerance_s: float = 0.020, settle_s: float = 0.005, out_rate: int = AUDIO_RATE) -> None:
        self.device_rate = float(device_rate)
        self.out_rate = out_rate
        self.capacity = int(device_rate * capacity_s)
        self._buf = np.zeros((self.capacity, 2), np.float32)
        self._read = 0   # index of the oldest sample
        self._count = 0  # samples held
        self._lock = threading.Lock()
        self.base_target = int(device_rate * target_s)
        self.drift = DriftCorrector(self.base_target, int(device_rate * tolerance_s),
                                    int(device_rate * settle_s))
        self._primed = False
        self._frac = 0.0
        self._prev = np.zeros(2, np.float32)
        self._max_block = 0
        self.overflow_samples = 0   # dropped oldest because the ring was full
        self.underruns = 0          # reads answered with silence after having been primed
        self.dropped = 0            # drift correction: samples consumed but not output
        self.duplicated = 0         # drift correction: samples output twice (stretched)

    @property
    def level(self) -> int:
        return self._count

    def push(self, block: NDArray[Any]) -> None:
        """Copy one callback block ((n, 1) or (n, 2) float32) in; drop the oldest samples if full."""
        n = len(block)
        if n == 0:
            return
        with self._lock:
            self._max_block = max(self._max_block, n)
            if n > self.capacity:
                self.overflow_samples += n - self.capacity
                block, n = block[-self.capacity:], self.capacity
            over = self._count + n - self.capacity
            if over > 0:
                self._read = (self._read + over) % self.capacity
                self._count -= over
                self.overflow_samples += over
            start = (self._read + self._count) % self.capacity
            first = min(n, self.capacity - start)
            # (n, 1) broadcasts to both channels: a mono mic is heard in the middle.
            self._buf[start:start + first] = block[:first, :2] if block.shape[1] > 1 else block[:first]
            if first < n:
                self._buf[:n - first] = block[first:, :2] if block.shape[1] > 1 else block[first:]
            self._count += n

    def _take(self, m: int) -> NDArray[Any]:
        out = np.empty((m, 2), np.float32)
        first = min(m, self.capacity - self._read)
        out[:first] = self._buf[self._read:self._read + first]
        if first < m:
            out[first:] = self._buf[:m - first]
        self._read = (self._read + m) % self.capacity
        self._count -= m
        return out

    def clear(self) -> None:
        with self._lock:
            self._read = self._count = 0
            self._primed = False
            self._frac = 0.0
            self.drift.reset()

    def pull(self, n: int) -> NDArray[Any]:
        """Exactly n frames at the output rate; silence while priming or on underrun. Never blocks."""
        with self._lock:
            # A device delivering big blocks needs headroom of two blocks, whatever the target says.
            self.drift.target = max(self.base_target, 2 * self._max_block)
            if not self._primed:
                if self._count < self.drift.target:
                    return np.zeros((n, 2), np.float32)
                self._primed = True
                self.drift.reset()
            k = self.drift.step(self._count)
            want = n * self.device_rate / self.out_rate + k + self._frac
            m = int(want)
            if m > self._count:
                self.underruns += 1
                self._primed = False  # build the cushion back up rather than crackle
                return np.zeros((n, 2), np.float32)
            self._frac = want - m
            chunk = self._take(m)
        if k > 0:
            self.dropped += k
        elif k < 0:
            self.duplicated += -k
        if m == n:
            self._prev = chunk[-1].copy()
            return chunk
        out = _stretch(self._prev, chunk, n)
        if m:
            self._prev = chunk[-1].copy()
        return out


def _stretch(prev: NDArray[Any], chunk: NDArray[Any], n: int) -> NDArray[Any]:
    """Linear interpolation of `chunk` (continuing from `prev`) onto n evenly spaced samples."""
    m = len(chunk)
    out = np.empty((n, 2), np.float32)
    if m == 0:
        out[:] = prev
        return out
    xp = np.arange(m + 1, dtype=np.float64)
    x = np.arange(1, n + 1, dtype=np.float64) * (m / n)
    for c in range(2):
        fp = np.concatenate(([prev[c]], chunk[:, c]))
        out[:, c] = np.interp(x, xp, fp)
    return out


# -- the input -----------------------------------------------------------------------------------
class MicInput(AudioInput):
    """A microphone as an `AudioInput`. `start()` returns at once; the watchdog thread opens it."""

    kind = "mic"

    def __init__(self, device: str = "default", name: str | None = None, hostapi: str | None = None,
                 target_s: float = 0.100, lost_after: float = 1.0, reopen: Backoff = REOPEN,
                 latency: str | float = "high",
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(name or f"mic:{device}")
        self.device = device
        self.hostapi = hostapi
        self.target_s = target_s
        self.lost_after = lost_after
        self.reopen = reopen  # the wait before reopen attempt n; after a loss, `reopen.first`
        self.latency = latency
        self._clock = clock
        self.info: MicInfo | None = None
        self.buffer: MicBuffer | None = None
        self._stream: Any = None
        self._opened_at = 0.0
        self._last_callback = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.reopens = 0
        self.device_overflows = 0  # PortAudio's own input_overflow flags
        self.callback_errors = 0
        self.state_listeners: list[Callable[[MicInput, str, str | None], None]] = []

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._set_state("starting")
        self._thread = threading.Thread(target=self._run, name=f"studio: mic[{self.name}]", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout=3.0)
        self._thread = None
        self._close_stream()
        self._set_state("stopped")

    def read(self, n: int) -> NDArray[Any]:
        buf = self.buffer
        if self.state != "live" or buf is None:
            return np.zeros((n, 2), np.float32)
        return buf.pull(n)

    # -- device ----------------------------------------------------------------------------------
    def _callback(self, indata: NDArray[Any], frames: int, time_info: Any, status: Any) -> None:
        try:
            self._last_callback = self._clock()
            if status and getattr(status, "input_overflow", False):
                self.device_overflows += 1
            buf = self.buffer
            if buf is not None:
                buf.push(indata)
        except Exception:  # noqa: BLE001 - an exception here would silently end the stream
            self.callback_errors += 1

    def _open_stream(self) -> None:
        sd = _sd()
        if self.info is None:
            info = resolve_microphone(self.device, hostapi=self.hostapi)
        elif self.device == "default":
            info = resolve_microphone("default")
        else:  # a reopen: the same device by name and host API, whatever its index is now
            info = resolve_microphone(self.info.name, hostapi=self.info.hostapi)
        channels = min(2, info.channels)
        rate: float = AUDIO_RATE
        try:
            sd.check_input_settings(device=info.index, channels=channels, samplerate=rate, dtype="float32")
        except Exception:  # noqa: BLE001 - PortAudio says "invalid sample rate" in many ways
            rate = info.default_rate
        buffer = MicBuffer(rate, target_s=self.target_s)
        with _pa_lock:
            stream = sd.InputStream(device=info.index, channels=channels, samplerate=rate, dtype="float32",
                                    latency=self.latency, callback=self._callback)
            self.buffer = buffer
            self._opened_at = self._last_callback = self._clock()
            stream.start()
        self._stream = stream
        self.info = info
        log.info("%s: opened %s at %g Hz, %d channel(s)", self.name, info.label, rate, channels)

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        try:
            with _pa_lock:
                stream.abort()
                stream.close()
        except Exception:  # noqa: BLE001 - a dead device fails to close in its own ways
            log.debug("%s: close failed", self.name, exc_info=True)

    def _set_state(self, state: str, message: str | None = None) -> None:
        if state == self.state and message is None:
            return
        self.state = state
        if message:
            self.last_error = message
        for fn in list(self.state_listeners):
            try:
                fn(self, state, message)
            except Exception:  # noqa: BLE001 - a listener must never kill the watchdog
                log.exception("mic state listener failed")

    def is_stalled(self, now: float) -> bool:
        """No callback for `lost_after` seconds (counted from the open, too)."""
        return now - max(self._last_callback, self._opened_at) > self.lost_after

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            if self._stream is None:
                try:
                    if attempt:
                        rescan_portaudio()  # our stream is closed; find the device again
                    self._open_stream()
                except Exception as e:  # noqa: BLE001 - PortAudio and name lookup fail in many shapes
                    self._set_state("lost", f"{self.name}: cannot open ({e})")
                    log.warning("%s: open failed: %s", self.name, e)
                    self._stop.wait(self.reopen.delay(attempt))
                    attempt += 1
                    continue
                if attempt:
                    self.reopens += 1
                attempt = 0
                self._set_state("live")
            if self._stop.wait(0.1):
                break
            if self.is_stalled(self._clock()):
                self._set_state("lost", f"{self.name}: no audio for {self.lost_after:g} s (unplugged?)")
                log.warning("%s lost: no callback for %.1f s; reopening", self.name, self.lost_after)
                self._close_stream()
                if self.buffer is not None:
                    self.buffer.clear()
                self._stop.wait(self.reopen.first)
                attempt = 1
