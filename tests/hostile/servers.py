"""Misbehaving servers on 127.0.0.1 for the hostile suite: raw TCP, so that a test can drip a header byte
by byte, close at once, lie about a length or never end a line — what no well-behaved HTTP library on
the server side would do.

`Hostile(behave)` accepts connections on a free loopback port; for each it reads one request head
(and a POST body by Content-Length) and calls `behave(conn, head, n)` on the connection's own thread
(`n` counts connections from 0); with `http=False` (an IRC server) nothing is read first and `head` is
empty. The connection is closed when `behave` returns. Every head is kept
(`heads`), with the time it arrived, and `sent` counts the bytes behaviours wrote through `send`.
Leaving the `with` block shuts every connection down, so no thread outlives a test.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

MAX_HEAD = 64 * 1024


Behave = Callable[["Hostile", socket.socket, bytes, int], None]


class Gone(Exception):
    """The client hung up, or the server is stopping: a behaviour just ends."""


class Hostile:
    def __init__(self, behave: Behave, http: bool = True) -> None:
        self.behave = behave
        self.http = http
        self.heads: list[tuple[float, bytes]] = []
        self.sent = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._conns: list[socket.socket] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.05)
        self.port = self._sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._accept, name="hostile-accept", daemon=True)

    # -- lifecycle --------------------------------------------------------------------------------
    def __enter__(self) -> Hostile:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stopping.set()
        self._thread.join(2)
        self._sock.close()
        with self._lock:
            conns = list(self._conns)
        for c in conns:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                c.close()

    @property
    def requests(self) -> int:
        with self._lock:
            return len(self.heads)

    def header(self, n: int, name: str) -> str | None:
        """Header `name` of the n-th request head (None when absent)."""
        with self._lock:
            head = self.heads[n][1]
        for line in head.split(b"\r\n")[1:]:
            key, _, value = line.partition(b":")
            if key.strip().lower() == name.lower().encode():
                return value.strip().decode("latin-1")
        return None

    # -- writing, for behaviours ---------------------------------------------------------------------
    def send(self, conn: socket.socket, data: bytes) -> None:
        if self.stopping.is_set():
            raise Gone
        try:
            conn.sendall(data)
        except OSError:
            raise Gone from None
        with self._lock:
            self.sent += len(data)

    def drip(self, conn: socket.socket, data: bytes, every: float, size: int = 1) -> None:
        """Send `data` `size` bytes at a time, one piece every `every` seconds."""
        for i in range(0, len(data), size):
            self.send(conn, data[i:i + size])
            if self.stopping.wait(every):
                raise Gone

    def hold(self, seconds: float = 3600) -> None:
        """Keep the connection open and silent (until the test ends)."""
        self.stopping.wait(seconds)

    # -- inside -----------------------------------------------------------------------------------
    def _accept(self) -> None:
        n = 0
        while not self.stopping.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn, n), name=f"hostile-{n}", daemon=True).start()
            n += 1

    def _serve(self, conn: socket.socket, n: int) -> None:
        try:
            head = self._read_head(conn) if self.http else b""
            if head is None:
                return
            with self._lock:
                self.heads.append((time.monotonic(), head))
            self.behave(self, conn, head, n)
        except Gone:
            pass
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def _read_head(self, conn: socket.socket) -> bytes | None:
        conn.settimeout(5)
        buf = b""
        while b"\r\n\r\n" not in buf:
            try:
                chunk = conn.recv(4096)
            except OSError:
                return None
            if not chunk or len(buf) > MAX_HEAD:
                return None
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            key, _, value = line.partition(b":")
            if key.strip().lower() == b"content-length" and value.strip().isdigit():
                length = int(value.strip())
        while len(rest) < length:
            try:
                chunk = conn.recv(65536)
            except OSError:
                return None
            if not chunk:
                return None
            rest += chunk
        return head


def response_head(status: int = 200, headers: dict[str, str] | None = None) -> bytes:
    """A status line and headers, `Connection: close` always (each request is one connection)."""
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def simple(status: int, headers: dict[str, str], body: bytes) -> Behave:
    """A behaviour that answers every request with the same complete response."""
    def behave(srv: Hostile, conn: socket.socket, head: bytes, n: int) -> None:
        srv.send(conn, response_head(status, {**headers, "Content-Length": str(len(body))}) + body)
    return behave
