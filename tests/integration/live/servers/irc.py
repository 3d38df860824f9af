"""Fake Twitch IRC (TMI) server, plain TCP or TLS, speaking the lines of PLATFORMS.md §2.1.

After the client's NICK and JOIN it sends the welcome numerics, the JOIN echo and ROOMSTATE, then
the connection's script: lines to send, with "<wait-pong>" pausing until the client answered a PING.
`scripts[i]` is used for the i-th connection (the last one repeats)."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time


def privmsg(mid: str, name: str, text: str, channel: str = "xyz", ts: int = 1642786203573) -> str:
    return (f"@badge-info=;badges=broadcaster/1;client-nonce=997dcf443c31e258c1d32a8da47b6936;color=#0000FF;"
            f"display-name={name};emotes=;first-msg=0;flags=0-6:S.7;id={mid};mod=0;room-id=713936733;subscriber=0;"
            f"tmi-sent-ts={ts};turbo=0;user-id=713936733;user-type= :{name.lower()}!{name.lower()}@"
            f"{name.lower()}.tmi.twitch.tv PRIVMSG #{channel} :{text}")


class FakeIRC:
    def __init__(self, scripts: list[list[str]], tls_context: ssl.SSLContext | None = None) -> None:
        self.scripts = scripts
        self.tls = tls_context
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received: list[list[str]] = []
        self.connections = 0
        self.handshake_failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="fake-irc", daemon=True)

    def __enter__(self) -> FakeIRC:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        if self.tls is not None:
            try:
                conn = self.tls.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError):
                self.handshake_failures += 1
                conn.close()
                return
        idx = self.connections
        self.connections += 1
        got: list[str] = []
        self.received.append(got)
        script = self.scripts[min(idx, len(self.scripts) - 1)]
        buf = b""

        def read_until(pred) -> bool:
            nonlocal buf
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not self._stop.is_set():
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    got.append(line.rstrip(b"\r").decode())
                    if pred(got[-1]):
                        return True
                try:
                    chunk = conn.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    return False
                if not chunk:
                    return False
                buf += chunk
            return False

        def send(line: str) -> None:
            conn.sendall((line + "\r\n").encode())

        try:
            if not read_until(lambda s: s.startswith("JOIN ")):
                return
            nick = next((g.split()[1] for g in got if g.startswith("NICK ")), "justinfan0")
            channel = next(g.split()[1] for g in got if g.startswith("JOIN "))
            send(":tmi.twitch.tv CAP * ACK :twitch.tv/tags twitch.tv/commands")
            welcome = (("001", "Welcome, GLHF!"), ("002", "Your host is tmi.twitch.tv"), ("376", ">"))
            for code, text in welcome:
                send(f":tmi.twitch.tv {code} {nick} :{text}")
            send(f":{nick}!{nick}@{nick}.tmi.twitch.tv JOIN {channel}")
            send(f"@emote-only=0;followers-only=-1;r9k=0;room-id=713936733;slow=0;subs-only=0 :tmi.twitch.tv "
                 f"ROOMSTATE {channel}")
            for line in script:
                if line == "<wait-pong>":
                    read_until(lambda s: s.startswith("PONG"))
                elif line == "<hold>":
                    read_until(lambda s: False) if not self._stop.is_set() else None
                elif line == "<close>":
                    break
                else:
                    send(line)
            time.sleep(0.05)
        finally:
            with contextlib.suppress(OSError):
                conn.close()
