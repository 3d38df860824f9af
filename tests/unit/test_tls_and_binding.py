"""TLS is verified on every HTTPS call and every RTMPS destination, with no switch to turn it off, and
every server the studio itself opens listens on loopback only.

Two kinds of check: a scan of the source (`ast`), so that a future `verify=False` or `bind(("0.0.0.0", …))`
fails here, and real connections to local TLS servers whose self-signed certificate nobody trusts.
"""

from __future__ import annotations

import ast
import http.server
import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

from studio.live.events import FeedState

ROOT = Path(__file__).resolve().parents[2]
STUDIO = ROOT / "studio"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

# Where an httpx client may be built: only `studio/core/http.py`'s `make_client` (timeouts, TLS
# verified, no proxy/cert environment, redirects only where asked) — a new construction site fails.
HTTPX_FACTORIES = {("studio/core/http.py", "make_client"), ("studio/core/http.py", "make_async_client")}


def _sources() -> list[tuple[str, ast.Module]]:
    out = []
    for path in sorted(STUDIO.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        out.append((rel, ast.parse(path.read_text(encoding="utf-8"), filename=rel)))
    return out


SOURCES = _sources()


def _calls(tree: ast.AST):
    """(call, enclosing function name) for every call in `tree`."""
    def walk(node: ast.AST, func: str):
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else func
            if isinstance(child, ast.Call):
                yield child, func
            yield from walk(child, name)

    yield from walk(tree, "<module>")


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


# -- source scans --------------------------------------------------------------------------------

def test_no_call_turns_certificate_verification_off():
    bad = []
    for rel, tree in SOURCES:
        for call, _ in _calls(tree):
            for kw in call.keywords:
                if kw.arg in ("verify", "check_hostname", "tls_verify", "verify_ssl") and \
                        isinstance(kw.value, ast.Constant) and kw.value.value in (False, 0, "0", None):
                    bad.append(f"{rel}:{call.lineno} {kw.arg}={kw.value.value!r}")
            if _dotted(call.func).endswith(("_create_unverified_context", "_create_stdlib_context")):
                bad.append(f"{rel}:{call.lineno} {_dotted(call.func)}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "CERT_NONE":
                bad.append(f"{rel}:{node.lineno} ssl.CERT_NONE")
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Attribute) and t.attr == "check_hostname" for t in node.targets):
                bad.append(f"{rel}:{node.lineno} check_hostname assignment")
    assert not bad, bad


def _code_words(tree: ast.Module) -> list[tuple[int, str]]:
    """Identifiers and string constants of the code (docstrings left out: they may explain FFmpeg's
    `tls_verify`)."""
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr)
                  and isinstance(n.body[0].value, ast.Constant)}
    out = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings:
            out.append((n.lineno, n.value))
        elif isinstance(n, ast.Name):
            out.append((n.lineno, n.id))
        elif isinstance(n, ast.Attribute):
            out.append((n.lineno, n.attr))
        elif isinstance(n, ast.keyword) and n.arg:
            out.append((getattr(n.value, "lineno", 0), n.arg))
        elif isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name):
            out.append((n.lineno, n.target.id))
    return out


def test_no_insecure_option_is_offered():
    """No setting, flag, feed option or FFmpeg option named like a TLS off-switch (a silent downgrade
    waiting to happen)."""
    words = ("insecure", "no_verify", "noverify", "skip_verify", "tls_verify", "verify_ssl", "unverified")
    hits = [f"{rel}:{line} {text[:60]!r}" for rel, tree in SOURCES for line, text in _code_words(tree)
            if any(w in text.lower().replace("-", "_") for w in words)]
    assert not hits, hits


def test_httpx_clients_are_built_only_in_the_known_factories():
    sites = set()
    for rel, tree in SOURCES:
        imported = {a.asname or a.name for n in ast.walk(tree)
                    if isinstance(n, ast.ImportFrom) and n.module == "httpx"
                    for a in n.names if a.name in ("Client", "AsyncClient")}
        for call, func in _calls(tree):
            name = _dotted(call.func)
            if name in ("httpx.Client", "httpx.AsyncClient") or name in imported:
                sites.add((rel, func))
            if name in ("httpx.get", "httpx.post", "httpx.stream", "httpx.request", "httpx.put",
                        "httpx.delete"):
                sites.add((rel, f"{func} (module-level {name})"))
    assert sites <= HTTPX_FACTORIES, sorted(sites - HTTPX_FACTORIES)
    assert ("studio/core/http.py", "make_client") in sites


def test_connector_client_factory_keeps_verification_and_ignores_the_environment():
    from studio.core.http import make_client

    with make_client() as client:
        assert client.follow_redirects is False
        assert client._trust_env is False  # SSL_CERT_FILE / proxies from the environment cannot weaken it
        pool = client._transport._pool
        assert pool._ssl_context.verify_mode == ssl.CERT_REQUIRED and pool._ssl_context.check_hostname


def test_every_server_socket_binds_to_loopback():
    bad = []
    for rel, tree in SOURCES:
        for call, _ in _calls(tree):
            name = _dotted(call.func)
            addr = None
            if name.endswith(".bind") and call.args and isinstance(call.args[0], (ast.Tuple, ast.Constant)):
                addr = call.args[0]  # a socket address (widgets have `bind(controller)` too)
            elif name.endswith(("HTTPServer", "TCPServer", "create_server", "start_server")) and call.args:
                addr = call.args[0]
            if addr is None:
                continue
            host = addr.elts[0] if isinstance(addr, ast.Tuple) and addr.elts else addr
            if not (isinstance(host, ast.Constant) and host.value in LOOPBACK):
                bad.append(f"{rel}:{call.lineno} {name}({ast.unparse(addr)})")
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    ("0.0.0.0" in node.value or "listen [::]" in node.value):
                bad.append(f"{rel}:{node.lineno} {node.value[:60]!r}")
    assert not bad, bad


def test_the_bench_nginx_listens_on_loopback(tmp_path):
    from studio.app.bench.nginx import RtmpServer

    text = (STUDIO / "app" / "bench" / "nginx.py").read_text()
    assert "listen 127.0.0.1:{self.port};" in text
    assert RtmpServer(tmp_path).base.startswith("rtmp://127.0.0.1:")


# -- real connections against a certificate nobody trusts ---------------------------------------

@pytest.fixture(scope="module")
def self_signed(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("openssl command not available to make a test certificate")
    d = tmp_path_factory.mktemp("tls-untrusted")
    crt, key = d / "server.crt", d / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(crt), "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return crt, key


class _TlsHttpServer:
    """HTTPS on a free loopback port with the untrusted certificate; counts requests that got through."""

    def __init__(self, cert) -> None:
        self.requests = 0
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests += 1
                body = b'{"events": [], "items": [], "orders": []}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*cert)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.httpd.daemon_threads = True
        self.base = f"https://localhost:{self.httpd.server_address[1]}"
        self._t = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def handle_error(self, *a):  # handshake failures are expected
        pass

    def __enter__(self):
        self.httpd.handle_error = lambda *a: None
        self._t.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _connector(kind: str, base: str, monkeypatch):
    from studio.live.connectors.generic import GenericFeed
    from studio.live.connectors.shopify import ShopifyOrders
    from studio.live.connectors.youtube import YouTubeChat

    monkeypatch.setenv("STUDIO_YOUTUBE_API_KEY", "AIza-unit-test")
    monkeypatch.setenv("STUDIO_SHOPIFY_TOKEN", "shpat-unit-test")
    if kind == "generic":
        return GenericFeed({"url": base + "/feed", "retry": "5"})
    if kind == "youtube":
        return YouTubeChat({"live_chat_id": "C", "api_base": base, "retry": "5"})
    return ShopifyOrders({"shop": "s", "api_base": base, "retry": "5"})


@pytest.mark.parametrize("kind", ["generic", "youtube", "shopify"])
def test_connector_refuses_a_self_signed_https_server_with_a_clear_message(kind, self_signed, monkeypatch):
    from tests.integration.live.conftest import run_connector

    with _TlsHttpServer(self_signed) as srv:
        ev = run_connector(_connector(kind, srv.base, monkeypatch),
                           lambda e: any(s.state == FeedState.BACKOFF for s in e.states), timeout=10)
        assert srv.requests == 0  # no request (and no token) went over the untrusted connection
    backoff = [s for s in ev.states if s.state == FeedState.BACKOFF]
    assert backoff and "TLS certificate not trusted" in backoff[0].message, backoff
    assert "self-signed" in backoff[0].message


# -- RTMPS ---------------------------------------------------------------------------------------

def test_rtmps_destinations_are_accepted_and_kept_rtmps():
    from studio.app.profile.load import parse_profile
    from studio.media.outputs.network import validate_url
    from studio.media.outputs.tls_tunnel import tunnel_for

    url = "rtmps://live-api-s.facebook.com:443/rtmp/FB-123-abc"
    assert validate_url(url) == url
    loaded = parse_profile('[[destination]]\nurl = "rtmps://a.rtmps.youtube.com/live2/${keyring:yt}"\n')
    assert loaded.problems == [] and loaded.spec.destinations[0].url.startswith("rtmps://")
    assert tunnel_for("rtmp://h/app/k", 1.0) is None  # plain RTMP stays plain, as asked
    tunnel = tunnel_for(url, 1.0)
    try:
        assert tunnel is not None and (tunnel.host, tunnel.port) == ("live-api-s.facebook.com", 443)
        assert tunnel._listener.getsockname()[0] == "127.0.0.1"  # the local end is loopback only
    finally:
        tunnel.close()


def test_rtmps_to_an_untrusted_server_sends_no_stream_and_says_why(self_signed):
    from studio.media.outputs.tls_tunnel import TlsTunnel

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*self_signed)
    received: list[bytes] = []
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve():
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(5)
            first = conn.recv(1, socket.MSG_PEEK)
            received.append(first)  # what the studio sent first: a TLS record, never plain RTMP
            try:
                with ctx.wrap_socket(conn, server_side=True, do_handshake_on_connect=False) as tls:
                    tls.do_handshake()
                    received.append(tls.recv(1))
            except (ssl.SSLError, OSError):
                pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    tunnel = TlsTunnel("localhost", port, connect_timeout=5)
    try:
        with socket.create_connection(("127.0.0.1", tunnel.local_port), timeout=5) as local:
            local.sendall(b"\x03" + b"\x00" * 1536)  # RTMP C0+C1
            t.join(10)
            # the server may see the handshake fail a moment before the tunnel has said why
            deadline = time.monotonic() + 5
            while tunnel.error is None and time.monotonic() < deadline:
                time.sleep(0.02)
    finally:
        tunnel.close()
        listener.close()
    assert received[:1] == [b"\x16"], received  # 0x16: a TLS handshake record, not RTMP's 0x03
    assert len(received) == 1  # the handshake failed: not one byte of the stream was delivered
    assert tunnel.error and "not valid" in tunnel.error and "self-signed" in tunnel.error
