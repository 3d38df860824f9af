"""Product images by path and URL, served from loopback: a slow or bad image never blocks the card."""

import contextlib
import http.server
import socket
import threading
import time

import pytest

from studio.commerce.images import ImageFetcher, image_cache_path, load_image
from studio.commerce.product import make_product


@pytest.fixture
def png_bytes(gui, tmp_path):
    from PySide6.QtGui import QColor, QImage, QPainter
    img = QImage(64, 48, QImage.Format.Format_RGB32)
    p = QPainter(img)
    p.fillRect(0, 0, 64, 48, QColor(10, 200, 30))
    p.end()
    path = tmp_path / "photo.png"
    img.save(str(path))
    return path.read_bytes()


@pytest.fixture
def image_server(png_bytes):
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            if self.path.startswith("/photo.png"):
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(png_bytes)))
                self.end_headers()
                self.wfile.write(png_bytes)
            elif self.path == "/garbage.png":
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"not an image")
            else:
                self.send_response(404)
                self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def silent_server():
    """Accepts TCP connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    conns = []
    stop = threading.Event()

    def accept():
        sock.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                conns.append(sock.accept()[0])

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    stop.set()
    t.join(1)
    for c in conns:
        c.close()
    sock.close()


def test_url_image_is_fetched_once_then_served_from_the_disk_cache(image_server):
    base, hits = image_server
    url = f"{base}/photo.png?v=1"
    img = load_image(url, timeout=2)
    assert img is not None and (img.width(), img.height()) == (64, 48)
    assert image_cache_path(url).is_file()
    assert load_image(url, timeout=2) is not None
    assert hits == ["/photo.png?v=1"]


def test_missing_or_broken_images_give_none(image_server, tmp_path):
    base, _ = image_server
    assert load_image(f"{base}/nothing.png", timeout=2) is None
    assert load_image(f"{base}/garbage.png", timeout=2) is None
    assert load_image(str(tmp_path / "nope.png")) is None


def test_relative_paths_resolve_against_the_catalog_folder(png_bytes, tmp_path):
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.png").write_bytes(png_bytes)
    assert load_image("img/a.png", base_dir=tmp_path) is not None


def test_a_server_that_never_answers_costs_at_most_the_timeout_and_the_card_still_renders(silent_server):
    from studio.commerce.overlays.price_card import render_price_card
    product = make_product(sku="S", title="慢图 🐢", price="1", currency="CNY",
                           image=f"{silent_server}/x.png")
    t0 = time.monotonic()
    img = load_image(product.image, timeout=0.5)
    card = render_price_card(product, (720, 330), img)
    assert img is None and time.monotonic() - t0 < 2.0
    assert card.shape == (330, 720, 4)


def test_fetcher_never_waits_and_calls_back_when_the_image_arrives(image_server, silent_server):
    base, _ = image_server
    fetcher = ImageFetcher(timeout=0.5)
    arrived = threading.Event()
    try:
        slow, good = f"{silent_server}/slow.png", f"{base}/photo.png"
        t0 = time.monotonic()
        fetcher.request(slow)
        fetcher.request(good, lambda ref, img: arrived.set())
        assert fetcher.get(good) is None and time.monotonic() - t0 < 0.1
        assert arrived.wait(5)
        assert fetcher.get(good) is not None and fetcher.get(slow) is None
    finally:
        fetcher.stop()
