"""The one place an httpx client is built, and the one place a remote body is read.

Clients: explicit timeouts, TLS verified, nothing from the environment (no proxy or certificate
settings that could weaken it), redirects only where asked.

Reads: every body is capped in bytes *while it streams* and every request has a wall-clock deadline for
the whole exchange (connect, headers, body, redirects). Both are written here by hand because httpx does
neither: its timeouts are per socket operation (a server that drips one byte every few seconds never
trips a 10 s read timeout and holds the caller forever), `Response.read()` holds the whole body before
anyone can look at its size, and its gzip decoder turns one 64 KiB network read into up to ~64 MB at
once. Here:

* `guard(Deadline, SocketWatch)` arms one watchdog thread ("studio: http deadlines") that shuts the
  request's sockets down when the deadline passes, so a read blocked on a dripping server ends then;
  `renew()` moves a stream's deadline on when it makes progress. (httpcore reads its timeout once per
  phase and restarts it with every byte, so no timeout setting can do this.) `SocketWatch` learns the
  sockets from httpcore's documented `trace` extension and also lets `close()` wake a read at once.
* `iter_decoded` reads raw chunks and inflates gzip/deflate itself, 64 KiB of output at a time, so a
  compressed bomb costs no more than its cap; `read_capped` and `LineSplitter` count what they keep.
* DNS resolution is not covered (getaddrinfo cannot be interrupted); the connect timeout bounds the rest
  of the connect and the TLS handshake.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
import weakref
import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

USER_AGENT = "AnchorStudio/0.1 (+live-commerce studio)"
MiB = 1024 * 1024
CHUNK = 64 * 1024          # the most a single decoded piece holds
MIN_TICK = 0.001           # a socket timeout must be positive
ACCEPT_ENCODING = "gzip, deflate"  # what iter_decoded can inflate under its cap


def make_client(timeout: float = 10.0, connect_timeout: float = 5.0, follow_redirects: bool = False,
                **kw: Any) -> httpx.Client:
    """Connectors keep `follow_redirects=False`: a redirect would carry their token to another host.
    Product images (no credentials) may follow a CDN's redirects."""
    return httpx.Client(timeout=httpx.Timeout(timeout, connect=connect_timeout),
                        follow_redirects=follow_redirects, max_redirects=5,
                        headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
                        trust_env=False, **kw)


def make_async_client(timeout: httpx.Timeout, **kw: Any) -> httpx.AsyncClient:
    """The same rules for a library that wants an asyncio client (TikTokLive's sign server): TLS
    verified, nothing from the environment, no redirects."""
    return httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False, **kw)


# -- limits ----------------------------------------------------------------------------------------

class ResponseTooLarge(httpx.HTTPError):
    """A body (or one line of a stream) grew past its cap; nothing past the cap was kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} bytes")
        self.limit = limit


class DeadlineExceeded(httpx.TimeoutException):
    """The request (or a stream's progress deadline) ran out of wall-clock time."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no progress within {seconds:g} s")
        self.seconds = seconds


class Deadline:
    """`seconds` of wall-clock time from now; `renew()` starts them again (a stream that made progress).
    `tripped` is set when the watchdog ended the request because the time ran out."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = float(seconds)
        self._clock = clock
        self.at = clock() + self.seconds
        self.tripped = False

    def renew(self) -> None:
        self.at = self._clock() + self.seconds

    def remaining(self) -> float:
        return self.at - self._clock()

    @property
    def expired(self) -> bool:
        return self.tripped or self.remaining() <= 0.005

    def timeouts(self, base: httpx.Timeout) -> dict[str, float | None]:
        """httpx's timeouts for one request, none longer than what is left (the connect timeout above
        all: a handshake cannot be woken by the watchdog)."""
        left = max(MIN_TICK, self.remaining())
        return {k: left if v is None else min(v, left) for k, v in base.as_dict().items()}


class SocketWatch:
    """The sockets one client opened, so that `interrupt()` (from any thread) can wake a blocked read."""

    def __init__(self) -> None:
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._lock = threading.Lock()

    def trace(self, name: str, info: Mapping[str, Any]) -> None:
        """httpcore's `trace` extension: keep the socket of every new TCP or TLS stream."""
        if name.endswith((".connect_tcp.complete", ".start_tls.complete")):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                with self._lock:
                    self._sockets.add(sock)

    def interrupt(self) -> None:
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError, ValueError):
                sock.shutdown(socket.SHUT_RDWR)


class _Watchdog:
    """One thread, "studio: http deadlines", started on first use: when an armed deadline passes it
    shuts down that request's sockets, which ends a read blocked on a server that drips (httpx's own
    timeouts restart with every byte). Idle, it waits on a condition and costs nothing."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._armed: dict[int, tuple[Deadline, SocketWatch]] = {}
        self._next = 0
        self._thread: threading.Thread | None = None

    def arm(self, deadline: Deadline, watch: SocketWatch) -> int:
        with self._cond:
            key, self._next = self._next, self._next + 1
            self._armed[key] = (deadline, watch)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="studio: http deadlines", daemon=True)
                self._thread.start()
            self._cond.notify()
        return key

    def disarm(self, key: int) -> None:
        with self._cond:
            self._armed.pop(key, None)

    def _run(self) -> None:
        with self._cond:
            while True:
                soonest: float | None = None
                for key, (deadline, watch) in list(self._armed.items()):
                    left = deadline.remaining()
                    if left <= 0:
                        del self._armed[key]
                        deadline.tripped = True
                        watch.interrupt()
                    elif soonest is None or left < soonest:
                        soonest = left
                self._cond.wait(soonest)


_WATCHDOG = _Watchdog()


def request_extensions(deadline: Deadline, client: httpx.Client, watch: SocketWatch) -> dict[str, Any]:
    """The extensions of a request made under `deadline`: its timeouts, and the trace that lets `watch`
    see its sockets."""
    return {"timeout": deadline.timeouts(client.timeout), "trace": watch.trace}


@contextlib.contextmanager
def guard(deadline: Deadline, watch: SocketWatch) -> Iterator[None]:
    """Holds a request (or a stream) to `deadline`: the watchdog shuts `watch`'s sockets down when it
    passes, and whatever that causes — a timeout, a connection error, or a body that merely looks ended
    — comes out as DeadlineExceeded. Other errors stay what they are. `watch` must be the one whose
    trace the requests carry (`request_extensions`)."""
    key = _WATCHDOG.arm(deadline, watch)
    try:
        yield
    except httpx.TransportError as e:
        if isinstance(e, DeadlineExceeded) or not deadline.expired:
            raise
        raise DeadlineExceeded(deadline.seconds) from None
    finally:
        _WATCHDOG.disarm(key)
    if deadline.tripped:
        raise DeadlineExceeded(deadline.seconds)


# -- bodies ----------------------------------------------------------------------------------------

def iter_decoded(resp: httpx.Response) -> Iterator[bytes]:
    """The body of a streamed response, decoded, in pieces of at most CHUNK bytes whatever the ratio of
    its compression. Only identity, gzip and deflate (what ACCEPT_ENCODING offers) are decoded; another
    encoding is a DecodingError."""
    try:
        content = resp.content  # already read (a transport that answers from memory): already decoded
    except httpx.ResponseNotRead:
        pass
    else:
        for i in range(0, len(content), CHUNK):
            yield content[i:i + CHUNK]
        return
    enc = resp.headers.get("Content-Encoding", "").strip().lower()
    raw = resp.iter_raw()  # as the network gives it (httpcore reads 64 KiB at most); no re-chunking wait
    if enc in ("", "identity"):
        for data in raw:
            if len(data) <= CHUNK:
                yield data
            else:
                yield from (data[i:i + CHUNK] for i in range(0, len(data), CHUNK))
        return
    if enc not in ("gzip", "x-gzip", "deflate"):
        raise httpx.DecodingError(f"unsupported content encoding {enc[:32]!r}")
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
    try:
        for data in raw:
            while data and not inflater.eof:
                piece = inflater.decompress(data, CHUNK)
                data = inflater.unconsumed_tail
                if piece:
                    yield piece
        if not inflater.eof:
            tail = inflater.decompress(b"", CHUNK)
            if tail:
                yield tail
    except zlib.error:
        raise httpx.DecodingError("malformed compressed body") from None


def read_capped(resp: httpx.Response, max_bytes: int) -> bytes:
    """The whole decoded body of a streamed response; ResponseTooLarge as soon as it passes `max_bytes`
    (or at once when an uncompressed body says in Content-Length that it will)."""
    declared = resp.headers.get("Content-Length", "").strip()
    if (declared.isdigit() and len(declared) < 20 and int(declared) > max_bytes
            and resp.headers.get("Content-Encoding", "identity").strip().lower() in ("", "identity")):
        raise ResponseTooLarge(max_bytes)
    chunks: list[bytes] = []
    size = 0
    for chunk in iter_decoded(resp):
        size += len(chunk)
        if size > max_bytes:
            raise ResponseTooLarge(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


_ENCODING_HEADERS = ("content-encoding", "content-length", "transfer-encoding")


def buffered(resp: httpx.Response, max_bytes: int) -> httpx.Response:
    """A plain (read, decoded) Response with the body of streamed `resp`, read under `max_bytes`."""
    body = read_capped(resp, max_bytes)
    headers = [(k, v) for k, v in resp.headers.multi_items() if k.lower() not in _ENCODING_HEADERS]
    return httpx.Response(resp.status_code, headers=headers, content=body, request=resp.request,
                          extensions={"http_version": resp.extensions.get("http_version", b"HTTP/1.1")})


def fetch(client: httpx.Client, method: str, url: str, *, max_bytes: int, deadline: Deadline,
          watch: SocketWatch, **kw: Any) -> httpx.Response:
    """One request, answered within `deadline` with at most `max_bytes` of body, as a read Response.
    `watch` sees every connection `client` opens (pass the same one for every request of the client).
    Raises ResponseTooLarge, DeadlineExceeded or httpx's own errors."""
    with guard(deadline, watch), client.stream(method, url,
                                               extensions=request_extensions(deadline, client, watch),
                                               **kw) as resp:
        return buffered(resp, max_bytes)


# -- lines -----------------------------------------------------------------------------------------

_EOL = re.compile(rb"\r\n|\r|\n")


class LineSplitter:
    """Bytes in, complete lines out (CR, LF or CRLF ends a line, as SSE allows); a line may not grow
    past `max_line` bytes: ResponseTooLarge as soon as the unfinished part does, before it is kept.
    Each chunk is scanned once, so a line dripped one byte at a time costs linear time."""

    def __init__(self, max_line: int) -> None:
        self.max_line = max_line
        self._parts: list[bytes] = []
        self._size = 0
        self._after_cr = False

    @property
    def pending(self) -> int:
        """Bytes of the line not finished yet."""
        return self._size

    def feed(self, chunk: bytes) -> list[bytes]:
        if self._after_cr and chunk.startswith(b"\n"):
            chunk = chunk[1:]  # the LF of a CRLF split between two chunks
        self._after_cr = chunk.endswith(b"\r")
        lines: list[bytes] = []
        start = 0
        for m in _EOL.finditer(chunk):
            piece = chunk[start:m.start()]
            if self._size + len(piece) > self.max_line:
                raise ResponseTooLarge(self.max_line)
            lines.append(b"".join(self._parts) + piece if self._parts else piece)
            self._parts, self._size = [], 0
            start = m.end()
        rest = chunk[start:]
        if rest:
            if self._size + len(rest) > self.max_line:
                raise ResponseTooLarge(self.max_line)
            self._parts.append(rest)
            self._size += len(rest)
        return lines
