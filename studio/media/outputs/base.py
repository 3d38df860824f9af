"""What every output shares: its states, how an attempt ended, its counters and their snapshot.

As in libobs, an output plugin only reports what happened — a state, and when one connection ends, a
typed `StopCode` with the host's sentence — and the generic layer (`outputs/supervisor.py`) decides
what to do about it (wait, probe, retry now, give up).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from studio.media.packets import EncodedPacket


class OutputState(str, Enum):
    IDLE = "idle"
    CONNECTING = "connecting"
    LIVE = "live"
    STALLED = "stalled"            # connected, but nothing has gone through for a while
    RECONNECTING = "reconnecting"  # waiting out a backoff before the next attempt
    GAVE_UP = "gave_up"
    STOPPED = "stopped"
    ERROR = "error"
    RECORDING = "recording"
    OFF = "off"                    # the host stopped this destination alone; the show goes on

    def __str__(self) -> str:
        return self.value


class StopCode(str, Enum):
    """How one connection attempt ended."""

    STOPPED = "stopped"                # we ended it (Stop, or the destination switched off)
    LOST = "lost"                      # it was live and the connection dropped
    REFUSED = "refused"                # the server's port refused the TCP connection (server down)
    UNRESOLVED = "unresolved"          # the host name does not resolve
    TIMEOUT = "timeout"                # the server did not accept the stream in time
    KEY_REJECTED = "key_rejected"      # the server answered and refused to publish (a wrong key)
    STALLED = "stalled"                # connected, then accepted no data: the watchdog ended it
    TLS_REJECTED = "tls_rejected"      # rtmps: the certificate or the TLS handshake failed
    SENDER_DIED = "sender_died"        # the sender process ended on its own (killed, crashed)
    ERROR = "error"                    # anything else, in the message

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Outcome:
    code: StopCode
    message: str = ""          # the host's sentence ("" for STOPPED)
    connected: bool = False    # the attempt went live at some point
    lasted_s: float = 0.0      # seconds it was live


@dataclass
class OutputCounters:
    """Updated by the output's own threads; read through `OutputStats` snapshots."""

    bytes_sent: int = 0
    bytes_acked: int = 0         # of this connection: written minus what the socket has not had acknowledged
    unsent_bytes: int = 0        # in the socket's send queue, not yet acknowledged (0 when unknown)
    packets_sent: int = 0
    video_dropped: int = 0       # congestion drops (video only; audio is never dropped)
    queue_overflow: int = 0      # packets discarded because the queue hit its hard cap
    audio_dropped: int = 0       # audio packets discarded (only ever by the hard cap; must stay 0)
    audio_sent: int = 0          # audio packets written to the destination, over every connection
    video_sent: int = 0          # video packets written to the destination, over every connection
    reconnects: int = 0
    kbps: float = 0.0
    latencies: list[float] = field(default_factory=list)  # capture → socket, seconds (recent)


@dataclass(frozen=True)
class OutputStats:
    """One destination at one moment: what the status line, the status bar and `--stats` show."""

    name: str
    state: OutputState
    message: str = ""
    kbps: float = 0.0
    dropped: int = 0             # video frames dropped for this destination (priority or hard cap)
    reconnects: int = 0
    queued_s: float = 0.0
    bitrate_kbps: int = 0        # the video bitrate of the encode feeding it
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    waiting_s: float = 0.0       # seconds left of a backoff (Reconnect now cuts it short)

    def as_dict(self) -> dict[str, object]:
        return {"state": self.state.value, "message": self.message, "kbps": self.kbps,
                "dropped": self.dropped, "reconnects": self.reconnects, "queued_s": self.queued_s,
                "bitrate_kbps": self.bitrate_kbps, "latency_p50_ms": self.latency_p50_ms,
                "latency_p95_ms": self.latency_p95_ms, "waiting_s": self.waiting_s}


class Output:
    name: str
    state: OutputState = OutputState.IDLE
    message: str = ""

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def push(self, packet: EncodedPacket) -> None: ...
