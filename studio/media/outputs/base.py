"""What every output shares: a name, a state, counters, and `push` of encoded packets."""

from __future__ import annotations

from dataclasses import dataclass, field

from studio.media.packets import EncodedPacket


@dataclass
class OutputStats:
    bytes_sent: int = 0
    bytes_acked: int = 0         # of this connection: written minus what the socket has not had acknowledged
    packets_sent: int = 0
    video_dropped: int = 0       # congestion drops (video only; audio is never dropped)
    queue_overflow: int = 0      # packets discarded because the queue hit its hard cap
    audio_dropped: int = 0       # audio packets discarded (only ever by the hard cap; must stay 0)
    audio_sent: int = 0          # audio packets written to the destination, over every connection
    reconnects: int = 0
    kbps: float = 0.0
    latencies: list[float] = field(default_factory=list)  # capture → socket, seconds (recent)


class Output:
    name: str
    state: str = "idle"
    message: str = ""

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def push(self, packet: EncodedPacket) -> None: ...
