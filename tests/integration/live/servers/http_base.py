"""A tiny threaded HTTP server for fake platforms: a handler function gets a `Request` (method, path,
query, headers, body — GET and POST) and returns (status, headers, body). Every request is recorded for
assertions."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    raw_query: str
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)


Response = tuple[int, dict[str, str], bytes]
MAX_REQUEST_BODY = 1024 * 1024


def json_response(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return (status, {"Content-Type": "application/json; charset=UTF-8", **(headers or {})},
            json.dumps(obj).encode())


def html_response(status: int = 502) -> Response:
    return status, {"Content-Type": "text/html"}, b"<html><body><h1>502 Bad Gateway</h1>nginx</body></html>"


class FakeServer:
    def __init__(self, handler: Callable[[Request], Response | None]) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        fake = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                self._serve("GET", b"")

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                if not 0 <= length <= MAX_REQUEST_BODY:
                    self.send_error(413)
                    return
                self._serve("POST", self.rfile.read(length))

            def _serve(self, method: str, body: bytes) -> None:
                parts = urlsplit(self.path)
                req = Request(method, parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()},
                              {k.lower(): v for k, v in self.headers.items()}, parts.query, body)
                fake.requests.append(req)
                result = fake.handler(req)
                if result is None:  # the handler wrote the response itself (streaming)
                    return
                status, headers, payload = result
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *a: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), name="fake-http",
                                        daemon=True)

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
