"""Twitch IRC connector against local IRC servers: plain TCP, and TLS with a self-signed certificate
that only this test trusts (verification stays on; an untrusted certificate is refused)."""

from __future__ import annotations

import shutil
import ssl
import subprocess

import pytest

from studio.live.connectors.twitch import TwitchChat, parse_line
from studio.live.counters import Counters
from studio.live.events import FeedState

from .conftest import run_connector
from .servers.irc import FakeIRC, privmsg


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("openssl command not available to make a test certificate")
    d = tmp_path_factory.mktemp("tls")
    crt, key = d / "server.crt", d / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(crt), "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-addext", "basicConstraints=critical,CA:TRUE"], check=True, capture_output=True)
    return crt, key


def server_tls(cert) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*cert)
    return ctx


def make(base: str, **kw: str) -> TwitchChat:
    return TwitchChat({"channel": "xyz", "api_base": base, **kw})


def test_plain_irc_reads_tagged_privmsg():
    script = [privmsg("eb24e920-8065-492a-8aea-266a00fc5126", "abc", "HeyGuys"),
              privmsg("m2", "Lily", "多少钱？ RECONNECT is just text here"), "<hold>"]
    with FakeIRC([script]) as irc:
        ev = run_connector(make(f"irc://127.0.0.1:{irc.port}"), lambda e: len(e.chat) >= 2)
        sent = irc.received[0]
    assert [m.text for m in ev.chat] == ["HeyGuys", "多少钱？ RECONNECT is just text here"]
    assert ev.chat[0].id == "eb24e920-8065-492a-8aea-266a00fc5126" and ev.chat[0].author == "abc"
    assert ev.chat[0].at == 1642786203.573
    assert sent[0] == "CAP REQ :twitch.tv/tags twitch.tv/commands"
    assert any(s.startswith("NICK justinfan") for s in sent) and "JOIN #xyz" in sent
    assert FeedState.CONNECTED in ev.state_names() and irc.connections == 1


def test_ping_is_answered_with_pong():
    script = ["PING :tmi.twitch.tv", "<wait-pong>", privmsg("a1", "abc", "after pong"), "<hold>"]
    with FakeIRC([script]) as irc:
        ev = run_connector(make(f"irc://127.0.0.1:{irc.port}"), lambda e: len(e.chat) >= 1)
    assert "PONG :tmi.twitch.tv" in irc.received[0]
    assert ev.chat[0].text == "after pong"


def test_reconnect_command_reconnects_and_overlap_is_deduplicated():
    first = [privmsg("m1", "abc", "one"), ":tmi.twitch.tv RECONNECT", "<hold>"]
    second = [privmsg("m1", "abc", "one"), privmsg("m2", "abc", "two"), "<hold>"]
    with FakeIRC([first, second]) as irc:
        ev = run_connector(make(f"irc://127.0.0.1:{irc.port}"), lambda e: len(e.chat) >= 3)
        assert irc.connections == 2
    assert FeedState.RECONNECTED in ev.state_names()
    c = Counters()
    for m in ev.chat:
        c.add_chat(m)
    assert c.chat_messages == 2


def test_dropped_connection_is_retried():
    with FakeIRC([["<close>"], [privmsg("z", "abc", "back"), "<hold>"]]) as irc:
        ev = run_connector(make(f"irc://127.0.0.1:{irc.port}"), lambda e: len(e.chat) >= 1)
    assert FeedState.BACKOFF in ev.state_names() and ev.chat[0].text == "back"


def test_tls_with_a_trusted_test_certificate(cert):
    with FakeIRC([[privmsg("t1", "abc", "over TLS"), "<hold>"]], tls_context=server_tls(cert)) as irc:
        ev = run_connector(make(f"ircs://localhost:{irc.port}", cafile=str(cert[0])),
                           lambda e: len(e.chat) >= 1)
    assert ev.chat[0].text == "over TLS"


def test_tls_refuses_an_untrusted_certificate(cert):
    with FakeIRC([[privmsg("t1", "abc", "should not arrive")]], tls_context=server_tls(cert)) as irc:
        ev = run_connector(make(f"ircs://localhost:{irc.port}"),
                           lambda e: any("not trusted" in s.message for s in e.states), timeout=5)
    assert not ev.chat
    assert any("certificate" in s.message for s in ev.states if s.state == FeedState.BACKOFF)


def test_irc_line_parsing_unescapes_tags():
    tags, prefix, cmd, params = parse_line(r"@display-name=a\sb;msg=x\:y :a!a@a PRIVMSG #c :hi :) there")
    assert tags == {"display-name": "a b", "msg": "x;y"} and cmd == "PRIVMSG"
    assert params == ["#c", "hi :) there"] and prefix == "a!a@a"
    assert parse_line(":tmi.twitch.tv RECONNECT")[2] == "RECONNECT"
    assert parse_line("PING :tmi.twitch.tv")[3] == ["tmi.twitch.tv"]
