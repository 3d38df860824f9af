"""The sender child process: remuxes the parent's packets to one RTMP/RTMPS destination.

PyAV's RTMP connect, header write and close hold the GIL with no timeout, so they run here, where a
silent server can freeze nothing but this process; the parent kills it when it stops making progress.

Protocol. stdin: one JSON line {"url", "format"}, then a NUT stream of already-encoded packets
(the parent's current GOP first, so the destination starts on a keyframe). stdout: one line per event:
  connecting | connected | p PACKETS BYTES VIDEO_SECONDS VIDEO_WRITTEN_AT AUDIO_PACKETS UNSENT
  | error STAGE MESSAGE | closed
(VIDEO_WRITTEN_AT is time.monotonic() when the newest video packet left for the socket: the
monotonic clock is system-wide, so the parent can measure capture-to-socket latency. UNSENT is the
bytes still in the socket's send queue, not yet acknowledged by the server (-1 where the system cannot
say): BYTES − UNSENT grows only while the link really carries the stream.)
Timestamps are rebased so every connection starts at zero (AUDIO_LEAD_S before its first packet).
"""

from __future__ import annotations

import io
import json
import sys
import time
from typing import cast


def _say(line: str) -> None:
    sys.stdout.write(line.replace("\n", " ") + "\n")
    sys.stdout.flush()


class _Read1:
    """A pipe reader whose read(n) returns what has arrived: BufferedReader.read(n) waits for all n
    bytes, which delays every packet by up to one 32 KiB buffer of stream."""

    def __init__(self, f: io.BufferedReader) -> None:
        self._f = f

    def read(self, n: int = -1) -> bytes:
        return self._f.read1(n if n and n > 0 else 65536)


def _unsent(fd: int | None) -> int:
    """Bytes in the socket's send queue not yet acknowledged by the peer (Linux SIOCOUTQ); -1 unknown."""
    if fd is None:
        return -1
    try:
        import fcntl
        import struct
        import termios

        return int(struct.unpack("i", fcntl.ioctl(fd, termios.TIOCOUTQ, b"\0\0\0\0"))[0])
    except (OSError, ImportError, AttributeError):
        return -1


def _limit_send_buffer(url: str, nbytes: int) -> int | None:
    """Cap the kernel send buffer of the RTMP socket at about one second of stream; returns the
    socket's descriptor (FFmpeg's own: never closed here), or None when it cannot be found.

    Linux and macOS grow a socket's send buffer up to several megabytes: on a link slower than the
    bitrate that is tens of seconds of stream hidden in the kernel, the parent's queue never grows,
    congestion never drops a frame, and viewers fall further and further behind. FFmpeg owns the
    socket and PyAV cannot pass it `send_buffer_size`, so find it among our descriptors by its peer.
    (On Windows sockets are not descriptors: the buffer keeps its default there.)"""
    import os
    import socket
    from urllib.parse import urlsplit

    if os.name != "posix":
        return None
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme.lower() == "rtmps" else 1935)
    try:
        peers = {ai[4][0] for ai in socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)}
    except OSError:
        return None
    fds = [int(x) for x in os.listdir("/proc/self/fd")] if os.path.isdir("/proc/self/fd") else range(3, 256)
    for fd in fds:
        if fd < 3:
            continue
        try:
            s = socket.socket(fileno=os.dup(fd))
        except OSError:
            continue
        try:
            peer = s.getpeername()
            if s.type == socket.SOCK_STREAM and peer[0] in peers and peer[1] == port:
                if nbytes > 0:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, nbytes)
                return fd
        except OSError:
            pass
        finally:
            s.close()  # closes our duplicate only
    return None


def main() -> int:
    from studio.core.secrets import mask_text, register_secret, stream_key_of

    header = json.loads(sys.stdin.buffer.readline())
    url = header["url"]
    register_secret(stream_key_of(url))

    def describe(e: BaseException) -> str:
        text = getattr(e, "strerror", None) or str(e) or type(e).__name__
        return mask_text(f"{type(e).__name__}: {text}")

    import av

    from studio.media.packets import AUDIO_LEAD_S

    try:
        stdin = cast(io.BufferedReader, sys.stdin.buffer)  # typed BinaryIO; it is a BufferedReader
        inp = av.open(_Read1(stdin), "r", format="nut",
                      options={"probesize": "32768", "analyzeduration": "0"})
    except Exception as e:  # the parent died or sent garbage
        _say(f"error input {describe(e)}")
        return 2
    vin, ain = inp.streams.video[0], inp.streams.audio[0]
    _say("connecting")
    try:
        out = av.open(url, "w", format=header.get("format", "flv"),
                      options={"flvflags": "no_duration_filesize"},
                      container_options={"max_interleave_delta": "1"})
        vo = out.add_stream_from_template(vin)
        ao = out.add_stream_from_template(ain)
        out.start_encoding()  # TCP connect, RTMP handshake, publish, FLV header: the part that can hang
    except Exception as e:
        _say(f"error connect {describe(e)}")
        return 3
    sock_fd = _limit_send_buffer(url, int(header.get("sndbuf") or 0))
    _say("connected")
    mapping = {vin.index: vo, ain.index: ao}
    offset: float | None = None
    packets = bytes_out = audio_packets = 0
    video_seconds = 0.0
    video_written_at = 0.0
    last_report = 0.0
    try:
        for pkt in inp.demux():
            ts = pkt.dts if pkt.dts is not None else pkt.pts
            if ts is None:
                continue  # demuxer flush marker
            tb = pkt.time_base
            seconds = float(ts * tb)
            if offset is None:
                # zero is AUDIO_LEAD_S before the first packet: audio stamped a little earlier
                # (AAC priming, the audio encoder's delay) arrives after it
                offset = seconds - AUDIO_LEAD_S
            shift = round(offset / float(tb))
            if ts - shift < 0:
                continue
            if pkt.pts is not None:
                pkt.pts -= shift
            if pkt.dts is not None:
                pkt.dts -= shift
            is_video = pkt.stream.index == vin.index
            size = pkt.size
            pkt.stream = mapping[pkt.stream.index]
            out.mux(pkt)
            packets += 1
            bytes_out += size
            now = time.monotonic()
            if is_video:
                video_seconds, video_written_at = seconds, now
            else:
                audio_packets += 1
            if now - last_report >= 0.1:
                _say(f"p {packets} {bytes_out} {video_seconds:.6f} {video_written_at:.6f} {audio_packets} "
                     f"{_unsent(sock_fd)}")
                last_report = now
    except Exception as e:
        _say(f"error send {describe(e)}")
        return 4
    _say(f"p {packets} {bytes_out} {video_seconds:.6f} {video_written_at:.6f} {audio_packets} "
         f"{_unsent(sock_fd)}")
    try:
        out.close()
    except Exception as e:
        _say(f"error close {describe(e)}")
        return 0
    _say("closed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
