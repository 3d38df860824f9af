"""Verified TLS for RTMPS, outside FFmpeg.

FFmpeg's TLS layer does not verify the server's certificate unless `tls_verify=1` is passed as a
protocol option, and PyAV opens outputs without protocol options (measured: an rtmps:// push to a
self-signed server succeeded). So for an rtmps:// destination the sender child speaks plain RTMP to
this tunnel on 127.0.0.1, and the tunnel — in the parent process, whose GIL the child's connect
cannot hold — connects to the real server with Python's `ssl`: certificate chain and host name
verified against the system's trust store (certifi where the system offers none). There is no
switch to turn verification off; `SSL_CERT_FILE` can add a trust anchor (a company proxy, tests).
The RTMP tcUrl then names 127.0.0.1, as with the stunnel set-ups platforms document for RTMPS.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from urllib.parse import urlsplit, urlunsplit

from studio.core.log import get_logger

log = get_logger("media.tls")

RTMPS_DEFAULT_PORT = 443


def client_context() -> ssl.SSLContext:
    ctx = ssl.create_default_context()  # CERT_REQUIRED + check_hostname; honours SSL_CERT_FILE
    if not ctx.cert_store_stats().get("x509_ca"):
        try:
            import certifi

            ctx.load_verify_locations(certifi.where())
        except (ImportError, OSError):
            log.warning("no trusted certificates found on this system; RTMPS will fail verification")
    return ctx


class TlsTunnel:
    """One local listening socket; each connection accepted is piped to host:port over verified TLS."""

    def __init__(self, host: str, port: int, connect_timeout: float = 10.0, buffer_bytes: int = 0) -> None:
        self.host, self.port = host, port
        self.connect_timeout = connect_timeout
        # Kernel buffers on both legs stay small (about a second of stream), as on the sender's own
        # socket: otherwise megabytes of stream hide in them and congestion is never seen.
        self.buffer_bytes = buffer_bytes
        self.error: str | None = None
        self.tls_failed = False   # the handshake or the certificate failed (not the TCP connection)
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(2)
        self.local_port = self._listener.getsockname()[1]
        self._socks: list[socket.socket] = []
        self._closed = False
        threading.Thread(target=self._accept, name=f"tls-tunnel[{host}]", daemon=True).start()

    def local_url(self, url: str) -> str:
        """rtmps://host[:port]/app/key → rtmp://127.0.0.1:LOCAL/app/key."""
        parts = urlsplit(url)
        return urlunsplit(("rtmp", f"127.0.0.1:{self.local_port}", parts.path, parts.query, ""))

    def _accept(self) -> None:
        while not self._closed:
            try:
                local, _ = self._listener.accept()
            except OSError:
                return
            self._socks.append(local)
            if self.buffer_bytes:
                local.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.buffer_bytes)
            threading.Thread(target=self._serve, args=(local,), name=f"tls-tunnel[{self.host}]",
                             daemon=True).start()

    def _serve(self, local: socket.socket) -> None:
        try:
            raw = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
            self._socks.append(raw)
            if self.buffer_bytes:
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.buffer_bytes)
            remote = client_context().wrap_socket(raw, server_hostname=self.host)
            self._socks.append(remote)
            remote.settimeout(None)
        except ssl.SSLCertVerificationError as e:
            self.tls_failed = True
            self.error = (f"the TLS certificate of {self.host} is not valid ({e.verify_message}): "
                          "refusing to send the stream")
            log.warning("%s", self.error)
            local.close()
            return
        except (OSError, ssl.SSLError) as e:
            self.tls_failed = isinstance(e, ssl.SSLError)
            why = getattr(e, "strerror", None) or e
            self.error = f"cannot reach {self.host}:{self.port} over TLS ({why})"
            log.warning("%s", self.error)
            local.close()
            return
        t = threading.Thread(target=self._pipe, args=(remote, local), name=f"tls-tunnel[{self.host}]",
                             daemon=True)
        t.start()
        self._pipe(local, remote)
        t.join(timeout=5.0)

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._closed = True
        for s in [self._listener, *self._socks]:
            with contextlib.suppress(OSError):
                s.close()


def tunnel_for(url: str, connect_timeout: float, buffer_bytes: int = 0) -> TlsTunnel | None:
    parts = urlsplit(url)
    if parts.scheme.lower() != "rtmps":
        return None
    return TlsTunnel(parts.hostname or "", parts.port or RTMPS_DEFAULT_PORT, connect_timeout, buffer_bytes)
