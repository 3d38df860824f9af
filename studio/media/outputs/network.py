"""A network destination (RTMP/RTMPS): a bounded packet queue in this process, the socket in a child.

Threads per destination: `sender[NAME]` feeds the child a NUT stream and (re)starts it with backoff;
`sender-io[NAME]` reads the child's progress lines; `sender-watch[NAME]` kills a child that does not
connect, or stops accepting data, within its deadline. Nothing here can block the compositor, the
encoder or the UI: `push` only appends to a bounded queue under congestion rules.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from urllib.parse import urlsplit

import av
from av.audio.stream import AudioStream
from av.container import OutputContainer
from av.video.stream import VideoStream

from studio.core.errors import UserError
from studio.core.log import get_logger
from studio.core.secrets import mask_url, register_secret, stream_key_of
from studio.media.outputs.base import Output, OutputStats
from studio.media.outputs.policy import (
    CongestionPolicy,
    ReconnectPolicy,
    admit,
    reconnect_delay,
    server_is_back,
    should_give_up,
)
from studio.media.outputs.tls_tunnel import tunnel_for
from studio.media.packets import VIDEO, EncodedPacket

log = get_logger("media.network")

QUEUE_CAP = 2000  # hard cap on queued packets whatever the congestion rules say
STABLE_AFTER_S = 10.0     # a connection that lasted this long resets the backoff series
REJECTED_WITHIN_S = 3.0   # dropped sooner than this after publishing: treated as a refused key
STALLED_AFTER_S = 2.0     # connected but no byte through for this long: shown as stalled, not live
PROBE_INTERVAL = 0.5  # while waiting to reconnect: how often to check whether the server is back


def validate_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("rtmp", "rtmps"):
        raise UserError(f"destination '{mask_url(url)}' is not an rtmp:// or rtmps:// URL: "
                        "use the server URL and stream key your platform shows, e.g. rtmp://host/app/KEY")
    if not parts.hostname:
        raise UserError(f"destination '{mask_url(url)}' has no host: use rtmp://host/app/KEY")
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) < 2:
        raise UserError(f"destination '{mask_url(url)}' needs an application and a stream key: "
                        "rtmp://host/app/KEY")
    register_secret(stream_key_of(url))
    return url


def output_name(url: str) -> str:
    return urlsplit(url).hostname or "rtmp"


def sender_command() -> list[str]:
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: the app itself dispatches --sender
        return [sys.executable, "--sender"]
    return [sys.executable, "-m", "studio.media.outputs.sender_main"]


class NetworkOutput(Output):
    def __init__(self, url: str, video_template: VideoStream, audio_template: AudioStream, *,
                 name: str | None = None,
                 reconnect: ReconnectPolicy | None = None, congestion: CongestionPolicy | None = None,
                 connect_timeout: float = 10.0, stall_timeout: float = 5.0,
                 on_state: Callable[[str, str, str], None] | None = None,
                 capture_time_of: Callable[[float], float | None] | None = None) -> None:
        self.url = validate_url(url)
        self.name = name or output_name(url)
        self.display_url = mask_url(url)
        self.reconnect = reconnect or ReconnectPolicy()
        self.congestion = congestion or CongestionPolicy()
        self.connect_timeout = connect_timeout
        self.stall_timeout = stall_timeout
        self.stats = OutputStats()
        self.state = "idle"
        self.message = ""
        self._templates = (video_template, audio_template)
        self._on_state = on_state
        self._capture_time_of = capture_time_of
        self._lock = threading.Condition()
        self._queue: deque[EncodedPacket] = deque()
        self._gop: list[EncodedPacket] = []
        self._accepting = False
        self._waiting_key = False
        self._stop = threading.Event()
        self._proc: subprocess.Popen[bytes] | None = None
        self._proc_started = 0.0
        self._connected = False
        self._last_progress = 0.0
        self._kill_reason: str | None = None
        self._writing_since: float | None = None  # set while the pump is handing a batch to the child
        self._child_error: str | None = None
        self._rejected = False  # the last attempt was refused at publish (a wrong key): back off longer
        self._connected_at = 0.0
        self._error_stage: str | None = None  # the stage the child named when it failed (connect, send…)
        self._refused = False   # the last attempt's TCP connect was refused (the server is down)
        self._rate_window: deque[tuple[float, int]] = deque(maxlen=50)
        self._thread: threading.Thread | None = None

    # -- state --------------------------------------------------------------------------------------
    def _set_state(self, state: str, message: str = "") -> None:
        self.state, self.message = state, message
        log.info("%s: %s %s", self.name, state, message)
        if self._on_state:
            self._on_state(self.name, state, message)

    # -- producer side ------------------------------------------------------------------------------
    def push(self, packet: EncodedPacket) -> None:
        with self._lock:
            if packet.kind == VIDEO and packet.keyframe:
                self._gop = [packet]
            elif self._gop:
                self._gop.append(packet)
            if not self._accepting:
                return
            if packet.kind == VIDEO:
                ok, self._waiting_key = admit(packet.priority, self._queued_video_seconds(),
                                              self._waiting_key, self.congestion)
                if not ok:
                    self.stats.video_dropped += 1
                    return
            if len(self._queue) >= QUEUE_CAP:
                self._overflow()
            self._queue.append(packet)
            self._lock.notify()

    def _overflow(self) -> None:
        """The hard cap is hit: discard the oldest video packet (audio only if there is no video)."""
        for i, p in enumerate(self._queue):
            if p.kind == VIDEO:
                del self._queue[i]
                self.stats.queue_overflow += 1
                self._waiting_key = True  # what follows cannot be decoded without a new keyframe
                return
        self._queue.popleft()
        self.stats.queue_overflow += 1
        self.stats.audio_dropped += 1

    def _queued_video_seconds(self) -> float:
        first = last = None
        for p in self._queue:
            if p.kind == VIDEO:
                first = p.dts_seconds
                break
        for p in reversed(self._queue):
            if p.kind == VIDEO:
                last = p.dts_seconds
                break
        return 0.0 if first is None or last is None else max(0.0, last - first)

    @property
    def queued_seconds(self) -> float:
        with self._lock:
            return self._queued_video_seconds()

    # -- lifecycle ----------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"sender[{self.name}]", daemon=True)
        self._thread.start()
        threading.Thread(target=self._watch, name=f"sender-watch[{self.name}]", daemon=True).start()

    def request_stop(self) -> None:
        """Begin stopping without waiting (so several outputs stop in parallel)."""
        self._stop.set()
        with self._lock:
            self._lock.notify_all()
        if not self._connected:
            self._kill("stopping")  # nothing to close cleanly on a connection that never opened

    def stop(self, timeout: float = 5.0) -> None:
        """Send what is queued (up to `timeout`), close the stream cleanly, end the child."""
        self.request_stop()
        if self._thread:
            self._thread.join(timeout=timeout + 3.0)
            if self._thread.is_alive():
                self._kill("stopping")
                self._thread.join(timeout=3.0)
            self._thread = None
        self._set_state("stopped")

    # -- the sender thread --------------------------------------------------------------------------
    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            if attempt == 0:
                self._set_state("connecting", self.display_url)
            outcome = self._one_connection()
            if self._stop.is_set():
                break
            if outcome == "connected-then-lost":
                lasted = time.monotonic() - self._connected_at
                if lasted >= STABLE_AFTER_S:
                    attempt = 0
                elif lasted < REJECTED_WITHIN_S and self._error_stage == "send":
                    # Accepted, then the server dropped us at once: servers that check the key after
                    # the publish (nginx-rtmp's on_publish, some platforms) answer a wrong key this way.
                    self._rejected = True
                    self._child_error = explain_error("connect", "end of file")
            if should_give_up(attempt, self.reconnect):
                self._set_state("gave_up", self._child_error or "too many failed attempts")
                return
            delay = reconnect_delay(attempt, self.reconnect, rejected=self._rejected)
            why = self._child_error or "connection lost"
            self._set_state("reconnecting", f"{why}; retrying in {delay:.1f} s")
            attempt += 1
            self.stats.reconnects += 1
            probe = outcome == "connected-then-lost" or self._refused
            if not self._wait_retry(delay, probe=probe, refused=self._refused):
                break

    def _wait_retry(self, delay: float, probe: bool, refused: bool) -> bool:
        """Wait `delay` seconds before the next attempt. After a lost connection or a refused connect,
        probe the server's TCP port meanwhile: once it has refused and accepts again, the server is
        back and we go at once rather than at the end of a long backoff. Probing stops at the first
        accept (a server that accepts TCP and rejects the stream is never probed in a loop).
        False when stopped."""
        deadline = time.monotonic() + delay
        seen_refusing = refused
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True
            if self._stop.wait(min(PROBE_INTERVAL, remaining)):
                return False
            if not probe:
                continue
            accepts = tcp_accepts(self.url)
            if server_is_back(seen_refusing, accepts):
                log.info("%s: the server accepts connections again; reconnecting now", self.name)
                return True
            seen_refusing = seen_refusing or not accepts
            probe = not accepts

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env.setdefault("PYTHONUNBUFFERED", "1")
        proc = subprocess.Popen(sender_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, bufsize=0, env=env)
        threading.Thread(target=self._log_child_stderr, args=(proc,), name=f"sender-err[{self.name}]",
                         daemon=True).start()
        return proc

    def _log_child_stderr(self, proc: subprocess.Popen[bytes]) -> None:
        """Whatever the child prints on stderr (a crash) goes to our log, masked by the log filter."""
        assert proc.stderr is not None  # spawned with PIPE
        for raw in proc.stderr:
            log.warning("%s sender: %s", self.name, raw.decode("utf-8", "replace").rstrip())

    def _send_buffer_bytes(self) -> int:
        """About one second of stream (at least 128 KiB): enough for the bitrate over a 1 s round trip,
        little enough that congestion shows up in our queue instead of the kernel's."""
        bps = sum(getattr(t.codec_context, "bit_rate", 0) or 0 for t in self._templates)
        return max(128 * 1024, bps // 8)

    def _one_connection(self) -> str:
        """Run one child until it fails or we stop. Returns 'connected-then-lost', 'failed' or 'stopped'."""
        self._connected = False
        self._kill_reason = None
        self._child_error = None
        self._rejected = self._refused = False
        self._error_stage = None
        unresolved = unresolvable(self.url)
        if unresolved:
            # FFmpeg says "Input/output error" for a name it cannot resolve, as for a refused key:
            # the name is looked up here first, so each failure gets its own sentence
            self._child_error = unresolved
            return "failed"
        # rtmps: TLS is verified here, in the parent
        tunnel = tunnel_for(self.url, self.connect_timeout, self._send_buffer_bytes())
        child_url = tunnel.local_url(self.url) if tunnel else self.url
        proc = self._spawn()
        self._proc, self._proc_started = proc, time.monotonic()
        self._last_progress = time.monotonic()
        reader = threading.Thread(target=self._read_child, args=(proc,), name=f"sender-io[{self.name}]",
                                  daemon=True)
        reader.start()
        with self._lock:
            self._queue = deque(self._gop)  # a new connection starts on the current GOP's keyframe
            self._waiting_key = not self._gop
            self._accepting = True
        container: OutputContainer | None = None
        was_connected = False
        start_s: float | None = None
        try:
            assert proc.stdin is not None  # spawned with PIPE
            header = {"url": child_url, "format": "flv", "sndbuf": self._send_buffer_bytes()}
            proc.stdin.write((json.dumps(header) + "\n").encode())
            container = av.open(proc.stdin, "w", format="nut",
                                container_options={"flush_packets": "1", "max_interleave_delta": "1"})
            vs = container.add_stream_from_template(self._templates[0])
            as_ = container.add_stream_from_template(self._templates[1])
            while True:
                with self._lock:
                    while not self._queue and not self._stop.is_set() and proc.poll() is None:
                        self._lock.wait(0.25)
                    batch = list(self._queue)
                    self._queue.clear()
                if self._stop.is_set() and not batch:
                    break
                if proc.poll() is not None:
                    break
                self._writing_since = time.monotonic()
                for ep in batch:
                    # The connection starts at its first packet (the GOP's keyframe): audio stamped
                    # before it (AAC priming at pts -1024) would be a negative timestamp, which the
                    # NUT muxer rejects with EINVAL, and the sender would drop it anyway.
                    start_s = ep.dts_seconds if start_s is None else start_s
                    if ep.dts_seconds < start_s:
                        continue
                    container.mux(ep.to_av(vs if ep.kind == VIDEO else as_))
                self._writing_since = None
                was_connected = was_connected or self._connected
                if self._stop.is_set():
                    with self._lock:
                        if not self._queue:
                            break
        except (OSError, ValueError, av.error.FFmpegError) as e:
            log.debug("%s: pipe to sender closed: %s", self.name, e)
        finally:
            self._writing_since = None
            with self._lock:
                self._accepting = False
                self._queue.clear()
            was_connected = was_connected or self._connected
            self._finish_child(proc, container, graceful=self._stop.is_set())
            reader.join(timeout=2.0)
            if tunnel is not None:
                tunnel.close()
        if self._stop.is_set():
            return "stopped"
        if tunnel is not None and tunnel.error:
            self._child_error = tunnel.error
        elif self._kill_reason:
            self._child_error = self._kill_reason
        elif self._child_error is None and proc.returncode not in (None, 0):
            self._child_error = f"the sender process ended unexpectedly (exit code {proc.returncode})"
        return "connected-then-lost" if was_connected else "failed"

    def _finish_child(self, proc: subprocess.Popen[bytes], container: OutputContainer | None,
                      graceful: bool) -> None:
        if graceful and proc.poll() is None and container is not None:
            # NUT trailer, then EOF: the child flushes and closes the RTMP stream
            with contextlib.suppress(OSError, ValueError, av.error.FFmpegError):
                container.close()
            with contextlib.suppress(OSError):
                if proc.stdin is not None:
                    proc.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5.0)
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5.0)
        if container is not None:
            with contextlib.suppress(OSError, ValueError, av.error.FFmpegError):
                container.close()
        for f in (proc.stdin, proc.stdout, proc.stderr):
            with contextlib.suppress(OSError, ValueError):
                if f is not None:
                    f.close()

    def _read_child(self, proc: subprocess.Popen[bytes]) -> None:
        audio_base = self.stats.audio_sent  # the child counts per connection
        acked_before = -1
        assert proc.stdout is not None  # spawned with PIPE
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").strip()
            if line.startswith("p "):
                _, packets, nbytes, vsec, written_at, audio, *rest = line.split()
                now = time.monotonic()
                # progress is what the server acknowledged: written bytes minus the socket's unsent
                # queue (the kernel buffers a second or more of stream for a link that carries nothing)
                unsent = int(rest[0]) if rest else -1
                acked = int(nbytes) - unsent if unsent >= 0 else int(nbytes)
                if acked > acked_before:
                    acked_before = acked
                    self.stats.bytes_acked = acked
                    self._last_progress = now
                    if self.state == "stalled":
                        self._set_state("live", self.display_url)   # data goes through again
                self.stats.audio_sent = audio_base + int(audio)
                self.stats.packets_sent = int(packets)
                self.stats.bytes_sent = int(nbytes)
                self._rate_window.append((now, int(nbytes)))
                if len(self._rate_window) >= 2:
                    (t0, b0), (t1, b1) = self._rate_window[0], self._rate_window[-1]
                    if t1 > t0:
                        self.stats.kbps = (b1 - b0) * 8 / 1000 / (t1 - t0)
                if self._capture_time_of is not None:
                    t_cap = self._capture_time_of(float(vsec))
                    if t_cap is not None:
                        self.stats.latencies.append(float(written_at) - t_cap)
                        del self.stats.latencies[:-3000]
            elif line == "connected":
                self._connected = True
                self._connected_at = time.monotonic()
                self._last_progress = time.monotonic()
                self._rate_window.clear()
                self._set_state("live", self.display_url)
            elif line.startswith("error "):
                _, stage, *msg = line.split(" ", 2)
                self._error_stage = stage
                self._child_error = explain_error(stage, " ".join(msg))
                self._rejected = is_rejection(stage, " ".join(msg))
                self._refused = stage == "connect" and "refused" in line.lower()
            elif line == "connecting":
                self._last_progress = time.monotonic()

    def _kill(self, reason: str) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            self._kill_reason = reason
            if not self._stop.is_set():
                log.warning("%s: %s; restarting the sender", self.name, reason)
            proc.kill()
        with self._lock:
            self._lock.notify_all()

    def _watch(self) -> None:
        while self._thread is not None and not self._stop.wait(0.25):
            proc = self._proc
            if proc is None or proc.poll() is not None:
                continue
            now = time.monotonic()
            silent = now - self._last_progress   # since the server last acknowledged a byte
            pending = self._writing_since is not None or bool(self._queue)
            if self._connected and pending and self.state == "live" and silent > STALLED_AFTER_S:
                # nothing has gone through for a while: not "live" for the host, whatever TCP says
                self._set_state("stalled", f"no data has gone through for {silent:.0f} s")
            if not self._connected and now - self._proc_started > self.connect_timeout:
                self._kill(f"the server did not accept the stream within {self.connect_timeout:.0f} s")
            elif (self._connected and self._writing_since is not None
                  and now - max(self._last_progress, self._writing_since) > self.stall_timeout):
                self._kill(f"the server accepted no data for {self.stall_timeout:.0f} s")

    def latency_percentiles(self) -> tuple[float, float] | None:
        lat = sorted(self.stats.latencies)
        if not lat:
            return None
        return lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.95))]


def tcp_accepts(url: str, timeout: float = 1.0) -> bool:
    """Does the destination's host accept a TCP connection right now? (Plain sockets release the GIL
    and time out, unlike PyAV's RTMP connect.)"""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme.lower() == "rtmps" else 1935)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False


def unresolvable(url: str) -> str:
    """The sentence for a destination whose host name does not resolve now, or "" when it does."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        socket.getaddrinfo(host, parts.port or 1935, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return f"the server name {host[:80]} could not be found: check the server address and the network"
    except OSError:
        return ""
    return ""


def is_rejection(stage: str, message: str) -> bool:
    """The server answered, then closed the connection when asked to publish: a refused stream key."""
    m = message.lower()
    if stage != "connect":
        return False
    # The TCP connect worked (not refused, not unresolved, not timed out) and then the server hung up,
    # whichever way FFmpeg words it (EOF, I/O error, reset, broken pipe): it refused the publish.
    return not any(w in m for w in ("refused", "name or service", "resolve", "getaddrinfo", "timed out",
                                    "timeout", "unreachable"))


def explain_error(stage: str, message: str) -> str:
    """One sentence for the host, from the child's error stage and FFmpeg's text."""
    m = message.lower()
    if "refused" in m:
        return "the server refused the connection: check the server address and that it is running"
    if "name or service" in m or "resolve" in m or "getaddrinfo" in m:
        return "the server name could not be found: check the server address and the network"
    if is_rejection(stage, message):
        return ("the server refused to publish the stream: check the stream key (wrong, expired or "
                "already in use)")
    if "timed out" in m or "timeout" in m:
        return "the server did not answer in time"
    if "broken pipe" in m or "reset" in m:
        return "the connection was lost"
    return f"{stage} failed ({message})"
