"""A loopback TCP proxy that injects network faults between the studio and an RTMP server.

    studio ──▶ FaultProxy(127.0.0.1:port) ──▶ nginx-rtmp

Faults, each lasting a given number of seconds and returning at once (the proxy's own threads undo
them when the time is up):
- `cut(seconds)`: reset every open connection; for `seconds`, new connections are refused
  (`mode="refuse"`: the listening socket is closed, connect() gets ECONNREFUSED) or swallowed
  (`mode="blackhole"`: accepted, never answered, reset when the cut ends).
- `stall(seconds)`: connections stay open but the proxy stops reading from the client, so the
  client's socket buffers fill and its writes block, as with a server that stopped reading.
- `throttle(bytes_per_second, seconds)`: client → server bytes pass through a token bucket.

Threads: `fault-proxy: accept` plus two pumps per connection (`fault-proxy: up#N`, `down#N`). Every
blocking call has a timeout, buffers are bounded (one chunk in flight per direction, a small kernel
receive buffer on the client side so throttling and stalls bite quickly), and `stop()` joins them all.
Used by the fault tests and by `studio.app.bench.faults`; loopback only.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

CHUNK = 16 * 1024
CLIENT_RCVBUF = 64 * 1024  # small and fixed: a throttled client blocks within a second, not a minute


@dataclass
class _Conn:
    n: int
    client: socket.socket
    upstream: socket.socket | None
    closed: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def close(self, reset: bool = False) -> None:
        if self.closed.is_set():
            return
        self.closed.set()
        for s in (self.client, self.upstream):
            if s is None:
                continue
            if reset:  # RST rather than FIN: the peer's next write fails at once, like a dropped link
                with contextlib.suppress(OSError):
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            with contextlib.suppress(OSError):
                s.close()


class _TokenBucket:
    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1024.0, rate * 0.05)  # bursts of at most 50 ms worth of bytes
        self.tokens = 0.0
        self.t = time.monotonic()

    def available(self) -> float:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.t) * self.rate)
        self.t = now
        return self.tokens


class FaultProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1", port: int = 0) -> None:
        if target_host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the fault proxy is for loopback targets only")
        self.target = (target_host, target_port)
        self.port = port
        self.bytes_up = 0        # client → server, forwarded
        self.bytes_down = 0      # server → client, forwarded
        self.connections = 0     # accepted while not cut
        self.refused = 0         # connections refused or swallowed during a cut
        self.last_up_at = 0.0    # time.monotonic() of the last forwarded client → server bytes
        self._lock = threading.Lock()
        self._conns: list[_Conn] = []
        self._parked: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        self._accept_thread: threading.Thread | None = None
        self._cut_until = 0.0
        self._cut_mode = "refuse"
        self._stall_until = 0.0
        self._throttle_until = 0.0
        self._bucket: _TokenBucket | None = None

    # -- lifecycle ------------------------------------------------------------------------------------
    def start(self) -> FaultProxy:
        self._listen()
        self._accept_thread = threading.Thread(target=self._accept_loop, name="fault-proxy: accept",
                                               daemon=True)
        self._accept_thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._accept_thread:
            self._accept_thread.join(timeout=5.0)
            self._accept_thread = None
        self._close_listener()
        with self._lock:
            conns, self._conns = self._conns, []
            parked, self._parked = self._parked, []
        for c in conns:
            c.close()
        for s in parked:
            s.close()
        for c in conns:
            for t in c.threads:
                t.join(timeout=5.0)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def url(self, key: str, app: str = "live") -> str:
        return f"rtmp://127.0.0.1:{self.port}/{app}/{key}"

    # -- faults ---------------------------------------------------------------------------------------
    def cut(self, seconds: float, mode: str = "refuse") -> None:
        """Reset every connection; refuse (or blackhole) new ones for `seconds`."""
        if mode not in ("refuse", "blackhole"):
            raise ValueError(mode)
        with self._lock:
            self._cut_until = time.monotonic() + seconds
            self._cut_mode = mode
            conns, self._conns = self._conns, []
        if mode == "refuse":
            self._close_listener()
        for c in conns:
            c.close(reset=True)

    def stall(self, seconds: float) -> None:
        """Keep every connection but read nothing from the client for `seconds`."""
        self._stall_until = time.monotonic() + seconds

    def throttle(self, bytes_per_second: float, seconds: float) -> None:
        """Forward client → server at most `bytes_per_second` for `seconds`."""
        with self._lock:
            self._bucket = _TokenBucket(bytes_per_second)
            self._throttle_until = time.monotonic() + seconds

    @property
    def cut_active(self) -> bool:
        return time.monotonic() < self._cut_until

    @property
    def open_connections(self) -> int:
        with self._lock:
            return sum(1 for c in self._conns if not c.closed.is_set())

    # -- internals ------------------------------------------------------------------------------------
    def _listen(self) -> None:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, CLIENT_RCVBUF)  # inherited by accepted sockets
        s.bind(("127.0.0.1", self.port))
        s.listen(16)
        self.port = s.getsockname()[1]
        self._listener = s

    def _close_listener(self) -> None:
        s, self._listener = self._listener, None
        if s is not None:
            s.close()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            now = time.monotonic()
            if now >= self._cut_until and self._parked:
                with self._lock:
                    parked, self._parked = self._parked, []
                for s in parked:
                    _Conn(-1, s, None).close(reset=True)
            if self._listener is None:
                if now >= self._cut_until:
                    try:
                        self._listen()
                    except OSError:  # the port is still in TIME_WAIT or taken: try again shortly
                        self._stop.wait(0.05)
                else:
                    self._stop.wait(min(0.05, self._cut_until - now))
                continue
            listener = self._listener  # cut() may close it at any moment
            try:
                ready, _, _ = select.select([listener], [], [], 0.1)
                if not ready:
                    continue
                client, _ = listener.accept()
            except (OSError, ValueError):
                continue
            if time.monotonic() < self._cut_until:
                self.refused += 1
                if self._cut_mode == "blackhole":
                    with self._lock:
                        self._parked.append(client)
                else:
                    _Conn(-1, client, None).close(reset=True)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=3.0)
            except OSError:
                _Conn(-1, client, None).close(reset=True)  # the server is down: so are we
                continue
            client.setblocking(False)  # pumps wait in select() with timeouts, never in send()/recv()
            upstream.setblocking(False)
            self.connections += 1
            conn = _Conn(self.connections, client, upstream)
            for up in (True, False):
                t = threading.Thread(target=self._pump, args=(conn, up), daemon=True,
                                     name=f"fault-proxy: {'up' if up else 'down'}#{conn.n}")
                conn.threads.append(t)
            with self._lock:
                self._conns = [c for c in self._conns if not c.closed.is_set()] + [conn]
            for t in conn.threads:
                t.start()

    def _budget(self) -> int:
        """How many client bytes may be read now (0: wait)."""
        now = time.monotonic()
        if now < self._stall_until:
            return 0
        with self._lock:
            bucket = self._bucket if now < self._throttle_until else None
        if bucket is None:
            return CHUNK
        return min(CHUNK, int(bucket.available()))

    def _pump(self, conn: _Conn, up: bool) -> None:
        src, dst = (conn.client, conn.upstream) if up else (conn.upstream, conn.client)
        assert dst is not None and src is not None
        try:
            while not conn.closed.is_set() and not self._stop.is_set():
                n = self._budget() if up else CHUNK
                if n <= 0:
                    conn.closed.wait(0.01)
                    continue
                ready, _, _ = select.select([src], [], [], 0.1)
                if not ready:
                    continue
                try:
                    data = src.recv(n)
                except BlockingIOError:
                    continue
                if not data:
                    break
                if up:
                    with self._lock:
                        if self._bucket is not None and time.monotonic() < self._throttle_until:
                            self._bucket.tokens -= len(data)
                self._send_all(conn, dst, data)
                if up:
                    self.bytes_up += len(data)
                    self.last_up_at = time.monotonic()
                else:
                    self.bytes_down += len(data)
        except (OSError, ValueError):
            pass
        finally:
            conn.close()

    def _send_all(self, conn: _Conn, dst: socket.socket, data: bytes) -> None:
        view = memoryview(data)
        while view and not conn.closed.is_set() and not self._stop.is_set():
            _, ready, _ = select.select([], [dst], [], 0.1)
            if ready:
                try:
                    view = view[dst.send(view):]
                except BlockingIOError:
                    continue
