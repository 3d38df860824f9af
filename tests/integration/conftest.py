"""Integration fixtures: a private PulseAudio server, the machine's real PortAudio on top of it.

`pulseaudio_server` (session) starts `pulseaudio -D -n` with its own runtime folder and a null sink
`virt`, points this process's PulseAudio clients at it (env vars) and re-initializes PortAudio so that
sounddevice lists `pulse` and `default` (the ALSA pulse plugin from libasound2-plugins).
`tone_mic` (per test) plays a sine into `virt` with `module-sine` and makes `virt.monitor` the default
source: `MicInput("default")` then hears a real-time, sound-card-clocked tone. (`module-sine-source`
is not used: here it delivers two seconds of samples in one burst, then nothing — not a microphone.)
`PulseServer.kill()` / `start()` crash and bring back the daemon (the audio path dies for real, the way
a crashed sound server or a pulled USB interface kills every client's stream).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

DAEMON_ARGS = ["pulseaudio", "-D", "-n", "--exit-idle-time=-1", "--use-pid-file=yes",
               "--load=module-native-protocol-unix auth-anonymous=1",
               "--load=module-null-sink sink_name=virt"]


@dataclass
class PulseServer:
    runtime: Path
    env: dict[str, str]
    modules: list[int] = field(default_factory=list)

    def pactl(self, *args: str, timeout: float = 5.0) -> str:
        return subprocess.run(["pactl", *args], env=self.env, check=True, capture_output=True, text=True,
                              timeout=timeout).stdout.strip()

    def load_module(self, name: str, *args: str) -> int:
        module = int(self.pactl("load-module", name, *args))
        self.modules.append(module)
        return module

    def unload_module(self, module: int) -> None:
        if module in self.modules:
            self.modules.remove(module)
            self.pactl("unload-module", str(module))

    def play_tone(self, freq: float = 440.0, sink: str = "virt") -> int:
        """Start an endless sine into `sink`; returns the module id (unload it to stop)."""
        return self.load_module("module-sine", f"sink={sink}", f"frequency={int(freq)}")

    def set_default_source(self, name: str) -> None:
        self.pactl("set-default-source", name)

    # -- the daemon itself ----------------------------------------------------------------------
    def pid(self) -> int | None:
        try:
            return int((self.runtime / "pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def start(self, timeout: float = 10.0) -> None:
        """Start the daemon (with the null sink `virt`) and wait until it answers."""
        subprocess.run(DAEMON_ARGS, env=self.env, check=True, timeout=15, capture_output=True)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.pactl("info", timeout=2)
                return
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                if time.monotonic() > deadline:
                    raise RuntimeError("the private PulseAudio server did not come up") from None
                time.sleep(0.1)

    def kill(self, sig: int = signal.SIGKILL, timeout: float = 5.0) -> None:
        """Kill the daemon (SIGKILL: a crash, no goodbye to its clients) and wait until it is gone.
        Every module loaded into it is gone with it."""
        pid = self.pid()
        self.modules.clear()
        if pid is None:
            return
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        raise RuntimeError(f"pulseaudio {pid} did not die")


def _reinit_portaudio() -> None:
    import sounddevice as sd  # noqa: PLC0415 - after the env vars, on purpose

    sd._terminate()
    sd._initialize()


@pytest.fixture(scope="session")
def pulseaudio_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    if not shutil.which("pulseaudio") or not shutil.which("pactl"):
        pytest.skip("pulseaudio is not installed (scripts/system-deps.sh installs it)")
    # A short path: the unix socket path must stay under 108 bytes.
    root = Path(tmp_path_factory.mktemp("pa"))
    runtime = root / "pulse"
    runtime.mkdir()
    overrides = {
        "XDG_RUNTIME_DIR": str(root),
        "PULSE_RUNTIME_PATH": str(runtime),
        "PULSE_STATE_PATH": str(root / "state"),
        "PULSE_SERVER": f"unix:{runtime / 'native'}",
        "PULSE_COOKIE": str(root / "cookie"),
    }
    env = {**os.environ, **overrides}
    server = PulseServer(runtime, env)
    try:
        server.start()
    except RuntimeError as e:
        pytest.fail(str(e))
    saved = {k: os.environ.get(k) for k in overrides}
    os.environ.update(overrides)
    _reinit_portaudio()
    try:
        yield server
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        try:
            server.kill(signal.SIGTERM)
        except RuntimeError:
            server.kill(signal.SIGKILL)
        _reinit_portaudio()


@pytest.fixture
def tone_mic(pulseaudio_server: PulseServer) -> Iterator[float]:
    """A 440 Hz tone as the default microphone (the null sink's monitor). Yields the frequency."""
    freq = 440.0
    module = pulseaudio_server.play_tone(freq)
    pulseaudio_server.set_default_source("virt.monitor")
    try:
        yield freq
    finally:
        pulseaudio_server.unload_module(module)
