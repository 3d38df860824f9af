"""A real RTMP server for tests and the benchmark: nginx with the RTMP module, unprivileged, on a free
loopback port.

`allowed_key` makes the server refuse every other stream key (on_publish → a tiny local HTTP
endpoint answering 403), as platforms do with a wrong key.
"""

from __future__ import annotations

import http.server
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_available() -> bool:
    return shutil.which("nginx") is not None and Path(MODULE).exists()


class _AuthHandler(http.server.BaseHTTPRequestHandler):
    allowed: str = ""

    def do_POST(self):  # noqa: N802 (http.server naming)
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length).decode()
        from urllib.parse import parse_qs

        name = parse_qs(body).get("name", [""])[0]
        self.send_response(200 if name == self.allowed else 403)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


class RtmpServer:
    def __init__(self, workdir: Path, allowed_key: str | None = None, port: int | None = None,
                 record: bool = False, wait_key: bool = True) -> None:
        self.workdir = Path(workdir)
        self.record = record  # keep every publish as received, one FLV per connection (`recordings()`)
        # False: `wait_key off;`, which HEVC (Enhanced RTMP, hvc1) needs: nginx-rtmp does not know the
        # codec and, waiting for a keyframe it recognises, would relay no video. Even then only a player
        # connected before the publisher gets HEVC video (nginx keeps no HEVC header for late ones),
        # and `record` stores none.
        self.wait_key = wait_key
        self.port = port or free_port()
        self.allowed_key = allowed_key
        self.proc: subprocess.Popen | None = None
        self._auth: http.server.ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        return f"rtmp://127.0.0.1:{self.port}/live"

    def url(self, key: str = "test") -> str:
        return f"{self.base}/{key}"

    def start(self) -> RtmpServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        on_publish = ""
        if self.allowed_key is not None:
            handler = type("H", (_AuthHandler,), {"allowed": self.allowed_key})
            self._auth = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            threading.Thread(target=self._auth.serve_forever, daemon=True).start()
            on_publish = f"on_publish http://127.0.0.1:{self._auth.server_address[1]}/publish;"
        conf = self.workdir / "nginx.conf"
        wait_key = "" if self.wait_key else "wait_key off;"
        record = "record off;"
        if self.record:
            (self.workdir / "rec").mkdir(exist_ok=True)
            record = f"record all; record_path {self.workdir}/rec; record_unique on;"
        conf.write_text(f"""
load_module {MODULE};
daemon off;
master_process off;
worker_processes 1;
pid {self.workdir}/nginx.pid;
error_log {self.workdir}/error.log warn;
events {{ worker_connections 2048; }}
rtmp {{
    server {{
        listen 127.0.0.1:{self.port};
        chunk_size 4096;
        application live {{
            live on;
            {wait_key}
            {record}
            {on_publish}
        }}
    }}
}}
http {{
    access_log off;
    client_body_temp_path {self.workdir}/body;
    proxy_temp_path {self.workdir}/proxy;
    fastcgi_temp_path {self.workdir}/fcgi;
    uwsgi_temp_path {self.workdir}/uwsgi;
    scgi_temp_path {self.workdir}/scgi;
}}
""")
        self.proc = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(self.workdir), "-e",
                                      str(self.workdir / "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"nginx exited: {err}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start listening")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None
        if self._auth:
            self._auth.shutdown()
            self._auth.server_close()
            self._auth = None

    def recordings(self) -> list[Path]:
        """What the server received, one file per publish, oldest first (with `record=True`)."""
        return sorted((self.workdir / "rec").glob("*.flv"), key=lambda p: p.stat().st_mtime)

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
