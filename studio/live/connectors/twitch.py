"""Twitch chat: anonymous read-only IRC (TMI) over TLS (PLATFORMS.md §2.1).

`NICK justinfan<digits>` (no PASS), `CAP REQ :twitch.tv/tags twitch.tv/commands`, `JOIN #channel`.
PRIVMSG lines with IRCv3 tags become `ChatMessage` (id from the `id` tag, time from `tmi-sent-ts`).
`PING` is answered with `PONG` and the same text; `:tmi.twitch.tv RECONNECT` (matched on the command
field, never on a substring) reconnects at once. If the server is silent for `idle_ping` seconds we
send our own PING, and after `dead_after` seconds without any complete line (bytes dripped without a
newline do not count) the connection is reported dead and reopened. Reconnects follow Twitch's
guidance: immediately, then 1, 2, 4, 8 s… (capped at 30 s); only a session that joined and lasted
HEALTHY_SESSION seconds earns the next immediate one, so a server that accepts and closes at once (or
sends JOIN and closes) gets at most 8 connections in the first minute and 2 a minute after.
Bounded: a line is at most MAX_LINE bytes (longer ones are dropped, and an unfinished one past
4 × MAX_LINE ends the connection), the TCP connect and the TLS handshake each end within
`connect_timeout`, and `close()` wakes a read or a handshake blocked in the connector's thread.

TLS is always verified. `api_base=ircs://host:port` (default `ircs://irc.chat.twitch.tv:6697`) or
`irc://host:port` for plain TCP, which must be asked for explicitly; `cafile=PATH` adds a CA to trust
(for a self-hosted relay) — it never turns verification off.
"""

from __future__ import annotations

import contextlib
import functools
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from studio.core.backoff import Backoff
from studio.core.errors import UserError
from studio.core.log import get_logger
from studio.core.secrets import mask_text
from studio.live.connectors.base import MAX_EPOCH, Connector, Emit
from studio.live.connectors.options import Option, name_option, number_value, text_value
from studio.live.events import ChatMessage, ConnectorState, FeedState

log = get_logger("live.twitch")

DEFAULT_BASE = "ircs://irc.chat.twitch.tv:6697"
MAX_LINE = 8192  # IRCv3 with tags allows 8191 bytes of tags + 512 of message; anything longer is garbage
MAX_PENDING = 4 * MAX_LINE  # an unfinished line past this is no IRC
HEALTHY_SESSION = 10.0  # seconds a joined session must last before the next reconnect may be immediate

_TAG_UNESCAPE = {":": ";", "s": " ", "\\": "\\", "r": "\r", "n": "\n"}


def unescape_tag(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            out.append(_TAG_UNESCAPE.get(value[i + 1], value[i + 1]))
            i += 2
        elif c == "\\":
            i += 1  # a trailing lone backslash is dropped (IRCv3)
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_line(line: str) -> tuple[dict[str, str], str, str, list[str]]:
    """An IRC line → (tags, prefix, command, params); the trailing param keeps its spaces."""
    tags: dict[str, str] = {}
    rest = line
    if rest.startswith("@"):
        raw, _, rest = rest[1:].partition(" ")
        for kv in raw.split(";"):
            if kv:
                k, _, v = kv.partition("=")
                tags[k] = unescape_tag(v)
    rest = rest.lstrip(" ")
    prefix = ""
    if rest.startswith(":"):
        prefix, _, rest = rest[1:].partition(" ")
    rest = rest.lstrip(" ")
    trailing = None
    if " :" in rest:
        rest, trailing = rest.split(" :", 1)
    elif rest.startswith(":"):
        rest, trailing = "", rest[1:]
    parts = rest.split()
    command = parts[0].upper() if parts else ""
    params = parts[1:]
    if trailing is not None:
        params.append(trailing)
    return tags, prefix, command, params


def privmsg_to_chat(tags: dict[str, str], prefix: str, params: list[str], source: str) -> ChatMessage | None:
    if len(params) < 2:
        return None
    login = prefix.split("!", 1)[0]
    name = tags.get("display-name") or login
    text = params[1]
    if text.startswith("\x01ACTION ") and text.endswith("\x01"):
        text = text[8:-1]
    try:
        at = int(tags["tmi-sent-ts"]) / 1000.0
        if not 0.0 <= at <= MAX_EPOCH:
            raise ValueError("time out of range")
    except (KeyError, ValueError, OverflowError):
        at = time.time()
    return ChatMessage(source=source, id=tags.get("id", ""), author=name, text=text, at=at)


class _Reconnect(Exception):
    pass


CHANNEL = Option("channel", "text", "Channel", required=True, placeholder="NAME",
                 pattern=r"#?[A-Za-z0-9_]{1,64}", help="The channel's login name, as in twitch.tv/NAME.")
API_BASE = Option("api_base", "url", "Chat server", default=DEFAULT_BASE, choices=("ircs", "irc"),
                  advanced=True,
                  help="ircs://host:port (TLS) or irc://host:port (plain, only when asked for) of the chat "
                       "server.")
CAFILE = Option("cafile", "text", "Extra CA file", advanced=True, placeholder="/path/to/ca.pem",
                help="A PEM file of a CA to trust as well (a self-hosted relay); verification always stays "
                     "on.")
CONNECT_TIMEOUT = Option("connect_timeout", "number", "Connect timeout (s)", default="10", minimum=0.01,
                         maximum=300, advanced=True,
                         help="How long to wait for the chat server to answer a connection.")
IDLE_PING = Option("idle_ping", "number", "Ping after silence (s)", default="240", minimum=0.01, maximum=3600,
                   advanced=True, help="Send our own PING after this many seconds without a line.")
DEAD_AFTER = Option("dead_after", "number", "Reconnect after silence (s)", default="360", minimum=0.01,
                    maximum=7200, advanced=True,
                    help="Consider the connection dead after this many silent seconds.")
NAME = name_option("twitch")


class TwitchChat(Connector):
    kind = "twitch"
    title = "Twitch chat"
    OPTIONS = (CHANNEL, NAME, API_BASE, CAFILE, CONNECT_TIMEOUT, IDLE_PING, DEAD_AFTER)
    backoff = Backoff(first=1.0, factor=2.0, cap=30.0, jitter=0.1)

    def __init__(self, settings: dict[str, str]) -> None:
        self.channel = text_value(settings, CHANNEL).lstrip("#").lower()
        if not self.channel or not self.channel.replace("_", "").isalnum():
            raise UserError("the twitch feed needs channel=NAME (the channel's login name)")
        self.name = text_value(settings, NAME)
        try:
            base = urlsplit(text_value(settings, API_BASE))
            port = base.port
        except ValueError:  # a port out of range, a broken IPv6 literal
            base, port = urlsplit(""), None
        if base.scheme not in ("irc", "ircs") or not base.hostname:
            raise UserError("twitch api_base must be ircs://host:port (TLS) or irc://host:port (plain)")
        self.host = base.hostname
        self.tls = base.scheme == "ircs"
        self.port = port or (6697 if self.tls else 6667)
        self.cafile = text_value(settings, CAFILE) or None
        self.connect_timeout = number_value(settings, CONNECT_TIMEOUT)
        self.idle_ping = number_value(settings, IDLE_PING)
        self.dead_after = number_value(settings, DEAD_AFTER)
        self.nick = f"justinfan{random.randint(10000, 99999)}"
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._emit: Emit = lambda e: None

    def _state(self, state: FeedState, message: str = "", retry_in: float | None = None) -> None:
        self._emit(ConnectorState(self.name, state, mask_text(message), retry_in))

    def _connect(self) -> socket.socket:
        """A connected (and, for ircs, handshaken) socket, registered so that `close()` can wake it. The
        handshake runs under the socket's timeout, which Python applies to it as a whole."""
        raw = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        sock = raw
        try:
            if self.tls:
                ctx = ssl.create_default_context(cafile=self.cafile)  # CERT_REQUIRED + hostname check
                sock = ctx.wrap_socket(raw, server_hostname=self.host, do_handshake_on_connect=False)
            with self._lock:
                self._sock = sock
            if isinstance(sock, ssl.SSLSocket):
                sock.settimeout(self.connect_timeout)
                sock.do_handshake()
            return sock
        except BaseException:
            sock.close()
            raise

    def run(self, emit: Emit, stop: threading.Event) -> None:
        self._emit = emit
        attempt, ever = 0, False
        self._state(FeedState.CONNECTING)
        try:
            while not stop.is_set():
                self._joined = False
                started = time.monotonic()
                try:
                    sock = self._connect()
                    if stop.is_set():
                        break
                    self._session(sock, stop, functools.partial(self._on_joined, ever))
                except _Reconnect as e:
                    self._last_error = str(e)
                except ssl.SSLCertVerificationError as e:
                    self._last_error = f"TLS certificate not trusted: {e.verify_message}"
                except TimeoutError:
                    self._last_error = f"Twitch did not answer within {self.connect_timeout:g} s"
                except (OSError, ssl.SSLError) as e:
                    self._last_error = f"connection failed: {e.__class__.__name__}"
                except Exception as e:  # noqa: BLE001 - a line we did not foresee: reconnect, never kill the thread
                    log.error("%s: unexpected %s: %s", self.name, e.__class__.__name__, mask_text(str(e)))
                    self._last_error = f"unexpected data from Twitch ({e.__class__.__name__})"
                finally:
                    self._close_sock()
                if stop.is_set():
                    break
                if self._joined:
                    ever = True
                    if time.monotonic() - started >= HEALTHY_SESSION:
                        attempt = 0
                wait = 0.0 if attempt == 0 else self.backoff.delay(attempt - 1)
                attempt += 1
                self._state(FeedState.BACKOFF, self._last_error, round(wait, 3))
                if stop.wait(wait):
                    break
        finally:
            self._close_sock()
            self._state(FeedState.STOPPED)

    def _on_joined(self, ever: bool) -> None:
        self._joined = True
        self._state(FeedState.RECONNECTED if ever else FeedState.CONNECTED)

    _last_error = ""
    _joined = False

    def _session(self, sock: socket.socket, stop: threading.Event, on_joined: Callable[[], None]) -> None:
        sock.settimeout(1.0)  # a short tick so stop is prompt
        self._send(sock, "CAP REQ :twitch.tv/tags twitch.tv/commands")
        self._send(sock, "PASS SCHMOOPIIE")  # any PASS is accepted for justinfan
        self._send(sock, f"NICK {self.nick}")
        self._send(sock, f"JOIN #{self.channel}")
        buf = b""
        last_line = time.monotonic()  # progress is a complete line, not a dripped byte
        pinged = False
        joined = False
        while not stop.is_set():
            idle = time.monotonic() - last_line
            if idle > self.dead_after:
                what = "no complete line" if buf else "nothing"
                raise _Reconnect(f"Twitch sent {what} for {self.dead_after:g} s; reconnecting")
            if idle > self.idle_ping and not pinged:
                self._send(sock, "PING :tmi.twitch.tv")
                pinged = True
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, ssl.SSLWantReadError):
                continue
            if not chunk:
                self._last_error = "Twitch closed the connection"
                return
            buf += chunk
            if b"\n" in chunk:
                *lines, buf = buf.split(b"\n")
            else:
                lines = []  # scan only what is new: a dripped line costs linear time
            if len(buf) > MAX_PENDING:
                self._last_error = "Twitch sent an over-long line"
                return
            if lines:
                last_line, pinged = time.monotonic(), False
            for raw in lines:
                if len(raw) > MAX_LINE:
                    log.warning("%s: dropped a line of %d bytes (at most %d)", self.name, len(raw), MAX_LINE)
                    continue
                line = raw.rstrip(b"\r").decode("utf-8", errors="replace")
                if not line:
                    continue
                tags, prefix, cmd, params = parse_line(line)
                if cmd == "PING":
                    self._send(sock, "PONG :" + (params[-1] if params else "tmi.twitch.tv"))
                elif cmd == "RECONNECT":
                    raise _Reconnect("Twitch asked us to reconnect")
                elif cmd == "PRIVMSG":
                    msg = privmsg_to_chat(tags, prefix, params, self.name)
                    if msg is not None:
                        self._emit(msg)
                elif cmd in ("JOIN", "ROOMSTATE") and not joined:
                    joined = True
                    on_joined()
                elif cmd == "NOTICE" and params and "login" in params[-1].lower():
                    self._last_error = "Twitch refused the login: " + params[-1][:100]
                    return
        return

    def _send(self, sock: socket.socket, line: str) -> None:
        sock.sendall((line + "\r\n").encode("utf-8"))

    def _close_sock(self) -> None:
        with self._lock:
            s, self._sock = self._sock, None
        if s is not None:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)  # wakes a recv() blocked in the connector's thread
            with contextlib.suppress(OSError):
                s.close()

    def close(self) -> None:
        self._close_sock()
