"""A network destination (RTMP/RTMPS): a bounded packet queue in this process, the socket in a child.

The output plugin of libobs' model: one attempt (`_one_connection`) spawns a sender child, feeds it
and reports how it ended as an `Outcome` with a `StopCode`; the generic `Supervisor` decides waits,
probing and retries. Threads per destination: `sender[NAME]` (the supervisor, feeding the child a NUT
stream); `sender-io[NAME]` reads the child's progress lines; `sender-watch[NAME]` kills a child that
does not connect, or stops accepting data, within its deadline. Nothing here can block the
compositor, the encoder or the UI: `push` only appends to a bounded queue under congestion rules.
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
from studio.media.outputs.base import Outcome, Output, OutputCounters, OutputState, OutputStats, StopCode
from studio.media.outputs.policy import ADAPTING, CongestionPolicy, ReconnectPolicy, admit
from studio.media.outputs.summary import DestinationSummary, LiveRecord
from studio.media.outputs.supervisor import Supervisor
from studio.media.outputs.tls_tunnel import TlsTunnel, tunnel_for
from studio.media.packets import AUDIO_LEAD_S, VIDEO, EncodedPacket

log = get_logger("media.network")

QUEUE_CAP = 2000  # hard cap on queued packets whatever the congestion rules say
REJECTED_WITHIN_S = 3.0   # dropped sooner than this after publishing: treated as a refused key
STALLED_AFTER_S = 2.0     # connected but no byte through for this long: shown as stalled, not live
PIPE_SHIFT_S = 1      # timestamps on the pipe to the child are this much later: AAC priming (pts -1024)
                      # stays positive, as NUT requires; the child rebases every connection to zero
RECENT_AUDIO = 64     # audio packets kept (~1.4 s) to start a connection's GOP with the audio it covers


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
                 capture_time_of: Callable[[float], float | None] | None = None,
                 bitrate_kbps: int = 0) -> None:
        self.url = validate_url(url)
        self.name = name or output_name(url)
        self.display_url = mask_url(url)
        self.reconnect = reconnect or ReconnectPolicy()
        self.congestion = congestion or CongestionPolicy()
        self.connect_timeout = connect_timeout
        self.stall_timeout = stall_timeout
        self.counters = OutputCounters()
        self.record = LiveRecord()
        self.state = OutputState.IDLE
        self.message = ""
        self.bitrate_kbps = bitrate_kbps   # the video bitrate of the encode feeding it (set by the show)
        self.adapting = False              # the show is lowering the bitrate for this destination
        self._templates = (video_template, audio_template)
        self._on_state = on_state
        self._capture_time_of = capture_time_of
        self._lock = threading.Condition()
        self._queue: deque[EncodedPacket] = deque()
        self._gop: list[EncodedPacket] = []
        self._recent_audio: deque[EncodedPacket] = deque(maxlen=RECENT_AUDIO)
        self._accepting = False
        self._waiting_key = False
        self._stop = threading.Event()
        self._proc: subprocess.Popen[bytes] | None = None
        self._proc_started = 0.0
        self._connected = False
        self._last_progress = 0.0
        self._kill_reason: tuple[StopCode, str] | None = None
        self._writing_since: float | None = None  # set while the pump is handing a batch to the child
        self._child_error: tuple[StopCode, str] | None = None   # what the child said went wrong
        self._connected_at = 0.0
        self._rate_window: deque[tuple[float, int]] = deque(maxlen=50)
        self._thread: threading.Thread | None = None
        self.supervisor = Supervisor(self.name, self._attempt, self._set_state, self.reconnect, self._stop,
                                     probe=lambda: tcp_accepts(self.url))

    # -- state --------------------------------------------------------------------------------------
    def _set_state(self, state: OutputState, message: str = "") -> None:
        self.state, self.message = state, message
        self.record.on_state(state, message, self.bitrate_kbps)
        log.info("%s: %s %s", self.name, state.value, message)
        if self._on_state:
            self._on_state(self.name, state.value, message)

    @property
    def stats(self) -> OutputCounters:
        return self.counters

    def snapshot(self) -> OutputStats:
        c = self.counters
        p = self.latency_percentiles()
        return OutputStats(
            name=self.name, state=self.state, message=self.message, kbps=round(c.kbps, 1),
            dropped=c.video_dropped + c.queue_overflow, reconnects=c.reconnects,
            queued_s=round(self.queued_seconds, 3), bitrate_kbps=self.bitrate_kbps,
            latency_p50_ms=round(p[0] * 1000, 1) if p else None,
            latency_p95_ms=round(p[1] * 1000, 1) if p else None,
            waiting_s=round(self.supervisor.waiting_s, 1))

    def summary(self) -> DestinationSummary:
        c = self.counters
        return self.record.summary(self.name, c.video_dropped + c.queue_overflow)

    # -- producer side ------------------------------------------------------------------------------
    def push(self, packet: EncodedPacket) -> None:
        with self._lock:
            if packet.kind == VIDEO and packet.keyframe:
                # audio encoded before the keyframe left the encoder may be stamped at or after it
                # (or cover it, as AAC's priming frame does): a connection that starts on this
                # keyframe sends that audio first
                t = packet.dts_seconds - AUDIO_LEAD_S
                self._gop = [*(a for a in self._recent_audio if a.dts_seconds >= t), packet]
            elif self._gop:
                self._gop.append(packet)
            if packet.kind != VIDEO:
                self._recent_audio.append(packet)
            if not self._accepting:
                return
            if packet.kind == VIDEO:
                # while the bitrate follows the link the queue may grow for the encoder to catch up;
                # at the floor, or for a destination slower than the shared encode, the usual rule
                rule = ADAPTING if self.adapting else self.congestion
                ok, self._waiting_key = admit(packet.priority, self._queued_video_seconds(),
                                              self._waiting_key, rule)
                if not ok:
                    self.counters.video_dropped += 1
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
                self.counters.queue_overflow += 1
                self._waiting_key = True  # what follows cannot be decoded without a new keyframe
                return
        self._queue.popleft()
        self.counters.queue_overflow += 1
        self.counters.audio_dropped += 1

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

    @property
    def backlog_seconds(self) -> float:
        """Seconds of stream waiting to reach the server: our queue plus the socket's unacknowledged bytes."""
        kbps = self.bitrate_kbps or 1000
        return self.queued_seconds + self.counters.unsent_bytes * 8 / 1000 / kbps

    # -- lifecycle ----------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"sender[{self.name}]", daemon=True)
        self._thread.start()
        threading.Thread(target=self._watch, args=(self._thread,), name=f"sender-watch[{self.name}]",
                         daemon=True).start()

    def request_stop(self) -> None:
        """Begin stopping without waiting (so several outputs stop in parallel)."""
        self._stop.set()
        with self._lock:
            self._lock.notify_all()
        if not self._connected:
            self._kill(StopCode.STOPPED, "stopping")  # a connection that never opened has nothing to close

    def stop(self, timeout: float = 5.0, state: OutputState = OutputState.STOPPED) -> None:
        """Send what is queued (up to `timeout`), close the stream cleanly, end the child."""
        self.request_stop()
        if self._thread:
            self._thread.join(timeout=timeout + 3.0)
            if self._thread.is_alive():
                self._kill(StopCode.STOPPED, "stopping")
                self._thread.join(timeout=3.0)
            self._thread = None
        self._set_state(state)

    def reconnect_now(self) -> bool:
        """The host's Reconnect now: end the backoff wait at once. False when not waiting."""
        return self.supervisor.reconnect_now()

    # -- the sender thread --------------------------------------------------------------------------
    def _run(self) -> None:
        self._set_state(OutputState.CONNECTING, self.display_url)
        self.supervisor.run()

    def _attempt(self) -> Outcome:
        outcome = self._one_connection()
        self.counters.reconnects = self.supervisor.reconnects + (outcome.code != StopCode.STOPPED)
        return outcome

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

    def _one_connection(self) -> Outcome:
        """Run one child until it fails or we stop, and say how it ended."""
        self._connected = False
        self._kill_reason = None
        self._child_error = None
        unresolved = unresolvable(self.url)
        if unresolved:
            # FFmpeg says "Input/output error" for a name it cannot resolve, as for a refused key:
            # the name is looked up here first, so each failure gets its own sentence
            return Outcome(StopCode.UNRESOLVED, unresolved)
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
            # a new connection starts on the current GOP's keyframe; before the show's first
            # keyframe, on the audio encoded so far (nothing of the show's first second is lost)
            self._queue = deque(self._gop) if self._gop else deque(self._recent_audio)
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
                    # The connection starts at its first packet (the GOP's keyframe, or the show's
                    # first packet): anything stamped before it is not part of this connection,
                    # except audio within AUDIO_LEAD_S of it (it leaves the encoder later).
                    start_s = ep.dts_seconds if start_s is None else start_s
                    if ep.dts_seconds < start_s - AUDIO_LEAD_S:
                        continue
                    container.mux(ep.to_av(vs if ep.kind == VIDEO else as_, PIPE_SHIFT_S))
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
        lasted = time.monotonic() - self._connected_at if was_connected else 0.0
        if self._stop.is_set():
            return Outcome(StopCode.STOPPED, "", was_connected, lasted)
        code, message = self._why_it_ended(proc, tunnel, was_connected, lasted)
        return Outcome(code, message, was_connected, lasted)

    def _why_it_ended(self, proc: subprocess.Popen[bytes], tunnel: TlsTunnel | None, was_connected: bool,
                      lasted: float) -> tuple[StopCode, str]:
        if tunnel is not None and tunnel.error:
            return (StopCode.TLS_REJECTED if tunnel.tls_failed else StopCode.REFUSED), tunnel.error
        if self._kill_reason:
            return self._kill_reason
        if self._child_error:
            code, message = self._child_error
            if was_connected and code == StopCode.LOST and lasted < REJECTED_WITHIN_S:
                # Accepted, then the server dropped us at once: servers that check the key after
                # the publish (nginx-rtmp's on_publish, some platforms) answer a wrong key this way.
                return StopCode.KEY_REJECTED, explain_error("connect", "end of file")
            return code, message
        if proc.returncode not in (None, 0):
            return (StopCode.SENDER_DIED,
                    f"the sender process ended unexpectedly (exit code {proc.returncode})")
        return StopCode.LOST, "the connection was lost"

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
        c = self.counters
        audio_base, video_base = c.audio_sent, c.video_sent  # the child counts per connection
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
                c.unsent_bytes = max(0, unsent)
                if acked > acked_before:
                    acked_before = acked
                    c.bytes_acked = acked
                    self._last_progress = now
                    if self.state == OutputState.STALLED:
                        self._set_state(OutputState.LIVE, self.display_url)   # data goes through again
                c.audio_sent = audio_base + int(audio)
                c.video_sent = video_base + int(packets) - int(audio)
                c.packets_sent = int(packets)
                c.bytes_sent = int(nbytes)
                self._rate_window.append((now, int(nbytes)))
                if len(self._rate_window) >= 2:
                    (t0, b0), (t1, b1) = self._rate_window[0], self._rate_window[-1]
                    if t1 > t0:
                        c.kbps = (b1 - b0) * 8 / 1000 / (t1 - t0)
                if self._capture_time_of is not None:
                    t_cap = self._capture_time_of(float(vsec))
                    if t_cap is not None:
                        c.latencies.append(float(written_at) - t_cap)
                        del c.latencies[:-3000]
            elif line == "connected":
                self._connected = True
                self._connected_at = time.monotonic()
                self._last_progress = time.monotonic()
                self._rate_window.clear()
                self._set_state(OutputState.LIVE, self.display_url)
            elif line.startswith("error "):
                _, stage, *msg = line.split(" ", 2)
                self._child_error = classify_error(stage, " ".join(msg))
            elif line == "connecting":
                self._last_progress = time.monotonic()

    def _kill(self, code: StopCode, reason: str) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            self._kill_reason = (code, reason)
            if not self._stop.is_set():
                log.warning("%s: %s; restarting the sender", self.name, reason)
            proc.kill()
        with self._lock:
            self._lock.notify_all()

    def _watch(self, thread: threading.Thread) -> None:
        while self._thread is thread and not self._stop.wait(0.25):
            proc = self._proc
            if proc is None or proc.poll() is not None:
                continue
            now = time.monotonic()
            silent = now - self._last_progress   # since the server last acknowledged a byte
            pending = self._writing_since is not None or bool(self._queue)
            if (self._connected and pending and self.state == OutputState.LIVE
                    and silent > STALLED_AFTER_S):
                # nothing has gone through for a while: not "live" for the host, whatever TCP says
                self._set_state(OutputState.STALLED, f"no data has gone through for {silent:.0f} s")
            if not self._connected and now - self._proc_started > self.connect_timeout:
                self._kill(StopCode.TIMEOUT,
                           f"the server did not accept the stream within {self.connect_timeout:.0f} s")
            elif (self._connected and self._writing_since is not None
                  and now - max(self._last_progress, self._writing_since) > self.stall_timeout):
                self._kill(StopCode.STALLED, f"the server accepted no data for {self.stall_timeout:.0f} s")

    def latency_percentiles(self) -> tuple[float, float] | None:
        lat = sorted(self.counters.latencies)
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


def classify_error(stage: str, message: str) -> tuple[StopCode, str]:
    """The stop code and the host's sentence for an error line of the sender child."""
    m = message.lower()
    sentence = explain_error(stage, message)
    if "refused" in m:
        return StopCode.REFUSED, sentence
    if "name or service" in m or "resolve" in m or "getaddrinfo" in m:
        return StopCode.UNRESOLVED, sentence
    if is_rejection(stage, message):
        return StopCode.KEY_REJECTED, sentence
    if "timed out" in m or "timeout" in m:
        return StopCode.TIMEOUT, sentence
    if stage in ("send", "close"):
        return StopCode.LOST, sentence
    return StopCode.ERROR, sentence


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
