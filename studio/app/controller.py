"""The studio session, without Qt widgets: what the desktop window drives and displays.

`StudioController(settings)` builds the engine's `Show` from the settings (sources, canvas, encoder),
starts the preview (capture + compositing + mixing, no encoding), the commerce overlays (catalog,
pinned product, countdown, coupon) and the live feeds (chat, orders, viewers; the demo feed by
default). `go_live()` starts every enabled destination and the recording, `end_live()` flushes them
and the preview goes on, `shutdown()` ends everything. Methods are called from the GUI thread;
`go_live`/`end_live` may block for a while (encoder warm-up, sender processes) and are meant to be
run on a worker thread by the window. Events arrive on `bus` on their publishers' threads.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np

from studio.app.presets import stream_url
from studio.app.settings import AudioSettings, LayerSettings, Settings
from studio.app.show_commerce import CommerceShow, chat_overlay_image
from studio.commerce.catalog import Catalog, load_catalog
from studio.commerce.product import Product
from studio.core.errors import EncoderError, UserError
from studio.core.events import EventBus
from studio.core.log import get_logger
from studio.core.paths import config_dir, data_dir, resources_dir
from studio.core.secrets import get_secret, mask_text
from studio.live.blocklist import Blocklist, screen_line
from studio.media.blend import i420_planes, i420_to_bgr
from studio.media.compositor import VideoLayer
from studio.media.outputs.network import validate_url
from studio.media.overlay import Overlay
from studio.media.pipeline import Show, ShowConfig
from studio.media.sources.registry import list_cameras, list_microphones, parse_audio_spec, parse_video_spec

log = get_logger("app.controller")

FEATURED_SLOT = "chat.featured"
FEATURED_Z = 210


# -- commerce with runtime countdown and coupon ---------------------------------------------------
# -- preview -----------------------------------------------------------------------------------
class PreviewTap:
    """A preview sink: on the compositor thread, downscale the I420 canvas to `size` and hand a BGR copy
    to `deliver` at most `max_fps` times a second. `size` may be changed from any thread."""

    def __init__(self, deliver: Callable[[int, np.ndarray], None], size: tuple[int, int], max_fps: float = 30.0):
        self.deliver = deliver
        self.size = size
        self.period = 1.0 / max_fps
        self._next = 0.0

    def __call__(self, index: int, canvas: np.ndarray) -> None:
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + self.period * 0.9
        h = canvas.shape[0] * 2 // 3
        w = canvas.shape[1]
        tw, th = self.size
        tw, th = max(2, min(w, tw) & ~1), max(2, min(h, th) & ~1)
        if (tw, th) != (w, h):
            y, u, v = i420_planes(canvas, w, h)
            small = np.empty((th * 3 // 2, tw), np.uint8)
            sy, su, sv = i420_planes(small, tw, th)
            cv2.resize(y, (tw, th), dst=sy, interpolation=cv2.INTER_AREA)
            cv2.resize(u, (tw // 2, th // 2), dst=su, interpolation=cv2.INTER_AREA)
            cv2.resize(v, (tw // 2, th // 2), dst=sv, interpolation=cv2.INTER_AREA)
            bgr = i420_to_bgr(small)
        else:
            bgr = i420_to_bgr(canvas)  # cvtColor writes a new array: a copy of the canvas
        self.deliver(index, bgr)


@dataclass
class CpuMeter:
    """Process CPU % of the whole machine (all cores = 100 %), like OBS's status bar."""

    _wall: float = 0.0
    _cpu: float = 0.0
    value: float = 0.0

    def sample(self) -> float:
        wall, cpu = time.monotonic(), time.process_time()
        if self._wall and wall - self._wall >= 0.25:
            self.value = 100.0 * (cpu - self._cpu) / (wall - self._wall) / (os.cpu_count() or 1)
        if not self._wall or wall - self._wall >= 0.25:
            self._wall, self._cpu = wall, cpu
        return self.value


def _has_microphone() -> bool:
    try:
        return bool(list_microphones())
    except Exception:  # noqa: BLE001 - no PortAudio, no sound server: no microphone
        return False


def _first_camera() -> str | None:
    try:
        cams = list_cameras()
    except Exception:  # noqa: BLE001 - no video devices readable: the test pattern
        return None
    return f"camera:{cams[0].index}" if cams else None


class StudioController:
    def __init__(self, settings: Settings, bus: EventBus | None = None) -> None:
        self.settings = settings
        self.bus = bus or EventBus()
        self.messages: list[str] = []          # one sentence each, for the host (fallbacks taken)
        self.show: Show | None = None
        self.commerce: CommerceShow | None = None
        self.feeds = None
        self.catalog: Catalog | None = None
        self.layer_settings: list[LayerSettings] = []
        self.destination_names: list[str] = []  # parallel to show.outputs while live
        self.blocklist = Blocklist(settings.blocked_words)
        self._cpu = CpuMeter()
        self._featured_until: float | None = None
        self._live_lock = threading.Lock()

    # -- building ------------------------------------------------------------------------------
    def _video_source(self, spec: str):
        size, fps = self.settings.size, float(self.settings.fps)
        if spec == "auto":
            spec = _first_camera() or "testsrc"
        try:
            return parse_video_spec(spec, size, fps), spec
        except UserError as e:
            self.messages.append(f"{e} The test pattern is shown instead.")
            return parse_video_spec("testsrc", size, fps), "testsrc"

    def _audio_input(self, a: AudioSettings):
        spec, muted = a.source, a.muted
        if spec == "auto":
            if _has_microphone():
                spec = "mic:default"
            else:
                spec, muted = "tone", True  # meters move; nothing is heard until the host unmutes
                self.messages.append("No microphone found: a muted test tone stands in for it.")
        try:
            inp = parse_audio_spec(spec)
        except UserError as e:
            self.messages.append(f"{e} A muted test tone stands in for it.")
            inp, muted = parse_audio_spec("tone"), True
        inp.gain, inp.muted = a.gain, muted
        return inp

    def start(self) -> StudioController:
        """Open the sources and start the preview, commerce overlays and feeds."""
        s = self.settings
        if not s.layers:
            s.layers = [LayerSettings(source=s.camera, name="Camera")]
        layers = []
        self.layer_settings = []
        for ls in s.layers:
            src, _ = self._video_source(ls.source if ls.source != "camera" else s.camera)
            layers.append(VideoLayer(src, ls.x, ls.y, ls.width, ls.height, (0, 0, 0, 0), ls.visible))
            self.layer_settings.append(ls)
        audio = [self._audio_input(a) for a in (s.audio or [AudioSettings()])]
        config = ShowConfig(size=s.size, rate=Fraction(s.fps), bitrate_kbps=s.bitrate_kbps, encoder=s.encoder)
        self.show = Show(config, layers, audio, bus=self.bus)
        self.show.start_preview()
        self.catalog = self._load_catalog()
        self.commerce = CommerceShow(self.show.board, s.size, self.bus, self.catalog)
        self._start_feeds()
        return self

    def _load_catalog(self) -> Catalog | None:
        path = self.settings.catalog or str(resources_dir() / "catalog" / "demo.json")
        try:
            catalog = load_catalog(path, currency="USD")
        except UserError as e:
            self.messages.append(str(e))
            return None
        if not catalog.products:
            self.messages.append(f"{path}: no product could be imported.")
        return catalog

    def _start_feeds(self) -> None:
        from studio.app import show_feeds

        words = config_dir() / "blocked_words.txt"
        words.parent.mkdir(parents=True, exist_ok=True)
        words.write_text("\n".join(self.settings.blocked_words) + "\n", encoding="utf-8")
        args = SimpleNamespace(feed=list(self.settings.feeds) or ["none"], session_log=None,
                               chat_overlay=False, blocked_words=str(words))
        try:
            self.feeds = show_feeds.attach(args, self.show.board, self.settings.size, self.bus)
        except UserError as e:
            self.messages.append(f"Live data feeds are off: {e}")
            self.feeds = None

    # -- preview -------------------------------------------------------------------------------
    def add_preview(self, deliver: Callable[[int, np.ndarray], None], size: tuple[int, int],
                    max_fps: float = 30.0) -> PreviewTap:
        tap = PreviewTap(deliver, size, max_fps)
        assert self.show is not None
        self.show.preview_sinks.append(tap)
        return tap

    def remove_preview(self, tap: PreviewTap) -> None:
        if self.show and tap in self.show.preview_sinks:
            self.show.preview_sinks.remove(tap)

    # -- live ----------------------------------------------------------------------------------
    def destination_urls(self) -> list[tuple[str, str]]:
        """(name, url) of every enabled destination; UserError naming the first unusable one."""
        out = []
        for d in self.settings.destinations:
            if not d.enabled:
                continue
            if not d.server:
                raise UserError(f"destination {d.name!r} has no server URL: set it in Settings → Destinations")
            key = get_secret(d.key_name)
            url = stream_url(d.server, key)
            validate_url(url)
            out.append((d.name, url))
        return out

    def recording_path(self) -> Path:
        folder = Path(self.settings.recordings_dir) if self.settings.recordings_dir else data_dir() / "recordings"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / time.strftime("show-%Y%m%d-%H%M%S.mkv")

    @property
    def live(self) -> bool:
        return bool(self.show and self.show.running)

    def go_live(self) -> None:
        """Start the encoder, every enabled destination and the recording. UserError when there is nothing
        to do or a destination is unusable (before anything starts)."""
        assert self.show is not None
        with self._live_lock:
            if self.show.running:
                return
            dests = self.destination_urls()
            record = self.recording_path() if self.settings.record else None
            if not dests and record is None:
                raise UserError("nothing to go live to: add a destination in Settings or turn recording on")
            c = self.show.config
            c.outputs = [u for _, u in dests]
            c.record = record
            c.bitrate_kbps, c.encoder = self.settings.bitrate_kbps, self.settings.encoder
            self.destination_names = [n for n, _ in dests]
            try:
                self.show.go_live()
            except EncoderError as e:
                raise UserError(str(e)) from None
            log.info("live to %s", mask_text(", ".join(c.outputs)) or "the recording only")

    def end_live(self) -> None:
        if self.show is None:
            return
        with self._live_lock:
            self.show.end_live()

    # -- commerce ------------------------------------------------------------------------------
    @property
    def products(self) -> tuple[Product, ...]:
        return self.catalog.products if self.catalog else ()

    def pin(self, sku: str) -> None:
        if self.commerce:
            self.commerce.pin(sku)

    def pin_index(self, n: int) -> Product | None:
        """Pin the n-th product (1-based, the 1–9 keys); None when there is none."""
        if 1 <= n <= len(self.products):
            p = self.products[n - 1]
            self.pin(p.sku)
            return p
        return None

    def unpin(self) -> None:
        if self.commerce:
            self.commerce.unpin()

    @property
    def pinned(self) -> Product | None:
        return self.commerce.pinned if self.commerce else None

    def set_countdown(self, seconds: float | None) -> None:
        if self.commerce:
            self.commerce.set_countdown(seconds)

    def countdown_remaining(self) -> float | None:
        return self.commerce.countdown_remaining() if self.commerce else None

    def set_coupon(self, text: str | None) -> None:
        if self.commerce:
            self.commerce.set_coupon(text)

    # -- chat ----------------------------------------------------------------------------------
    def set_blocked_words(self, words: list[str]) -> None:
        self.settings.blocked_words = [w for w in (x.strip() for x in words) if w]
        self.blocklist = Blocklist(self.settings.blocked_words)

    def screen(self, author: str, text: str) -> tuple[str, str]:
        """(name, text) as they may appear: plain, capped, blocked words masked."""
        return screen_line(author, text, self.blocklist)

    def feature_chat(self, author: str, text: str, seconds: float = 15.0) -> None:
        """Show one chat message on stream (plain text, blocked words masked) for `seconds`."""
        assert self.show is not None
        img, x, y = chat_overlay_image([self.screen(author, text)], self.settings.size)
        self.show.board.set(FEATURED_SLOT, Overlay(img, x, y), z=FEATURED_Z)
        self._featured_until = time.monotonic() + seconds

    def clear_featured(self) -> None:
        if self.show:
            self.show.board.set(FEATURED_SLOT, None, z=FEATURED_Z)
        self._featured_until = None

    def tick(self) -> None:
        """Housekeeping the window calls about once a second (the featured message's timeout)."""
        if self._featured_until is not None and time.monotonic() >= self._featured_until:
            self.clear_featured()

    # -- sales ---------------------------------------------------------------------------------
    def sales(self) -> dict:
        """Totals (orders, units, GMV per currency, per product) and current viewers."""
        if self.feeds is None:
            return {"orders": 0, "units": 0, "gmv": {}, "products": [], "viewers": 0}
        totals = self.feeds.totals()
        return totals

    def stock_left(self, product: Product, sold: int) -> int | None:
        return None if product.stock is None else max(0, product.stock - sold)

    # -- audio and layers ----------------------------------------------------------------------
    @property
    def audio_inputs(self) -> list:
        return self.show.audio_inputs if self.show else []

    def meters(self) -> dict:
        mixer = self.show.mixer if self.show else None
        return dict(mixer.meters) if mixer else {}

    def set_gain(self, index: int, gain: float) -> None:
        self.audio_inputs[index].gain = gain
        if index < len(self.settings.audio):
            self.settings.audio[index].gain = gain

    def set_muted(self, index: int, muted: bool) -> None:
        self.audio_inputs[index].muted = muted
        if index < len(self.settings.audio):
            self.settings.audio[index].muted = muted

    @property
    def layers(self) -> list[VideoLayer]:
        return self.show.compositor.layers if self.show else []

    def _set_layers(self, layers: list[VideoLayer], specs: list[LayerSettings]) -> None:
        assert self.show is not None
        self.show.layers = layers
        self.show.compositor.layers = layers  # one attribute store: the next tick sees the new order
        self.layer_settings = specs
        self.settings.layers = specs

    def set_layer_geometry(self, index: int, x: int, y: int, width: int | None, height: int | None) -> None:
        layer, spec = self.layers[index], self.layer_settings[index]
        layer.width, layer.height = width, height
        layer.x, layer.y = x, y
        spec.x, spec.y, spec.width, spec.height = x, y, width, height

    def set_layer_visible(self, index: int, visible: bool) -> None:
        self.layers[index].visible = visible
        self.layer_settings[index].visible = visible

    def move_layer(self, index: int, delta: int) -> int:
        """Move a layer up (+1, drawn later, on top) or down (-1); returns its new index."""
        j = index + delta
        if not (0 <= index < len(self.layers) and 0 <= j < len(self.layers)):
            return index
        layers, specs = list(self.layers), list(self.layer_settings)
        layers[index], layers[j] = layers[j], layers[index]
        specs[index], specs[j] = specs[j], specs[index]
        self._set_layers(layers, specs)
        return j

    def add_layer(self, source: str, name: str = "") -> int:
        """Add a video layer (a quarter of the canvas, top right) for a source spec; UserError if bad."""
        w, h = self.settings.size
        src = parse_video_spec(source, self.settings.size, float(self.settings.fps))
        src.start()
        spec = LayerSettings(source, w // 2, 0, w // 2, h // 2, True, name or source)
        layer = VideoLayer(src, spec.x, spec.y, spec.width, spec.height)
        self._set_layers([*self.layers, layer], [*self.layer_settings, spec])
        return len(self.layers) - 1

    def remove_layer(self, index: int) -> None:
        layers, specs = list(self.layers), list(self.layer_settings)
        layer = layers.pop(index)
        specs.pop(index)
        self._set_layers(layers, specs)
        layer.source.stop()

    # -- status --------------------------------------------------------------------------------
    def stats(self) -> dict:
        """The engine's stats plus process CPU %, destination names and the featured flag."""
        s = self.show.stats() if self.show else {"outputs": {}, "fps": 0.0, "lagged": 0, "live": False, "time": 0}
        s["cpu"] = round(self._cpu.sample(), 1)
        names = list(s["outputs"])
        s["destinations"] = {names[i]: self.destination_names[i] if i < len(self.destination_names) else names[i]
                             for i in range(len(names))}
        return s

    # -- end -----------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """End everything (idempotent): feeds, commerce threads, then the show (live part flushed first)."""
        feeds, self.feeds = self.feeds, None
        if feeds is not None:
            feeds.stop()
        if self.commerce is not None:
            self.commerce.stop()
        if self.show is not None:
            with self._live_lock:
                self.show.stop()


# -- auto-configuration (the first-run wizard) ----------------------------------------------------
CANDIDATE_SIZES = [(1920, 1080), (1280, 720), (854, 480)]
BITRATE_FOR_HEIGHT = {1080: 6000, 720: 3500, 480: 1500}  # inside every documented horizontal target


def measure_x264(size: tuple[int, int], fps: int = 30, seconds: float = 1.5, bitrate_kbps: int = 3500) -> float:
    """Frames per second libx264 (veryfast, zerolatency, the studio's options) encodes here at `size`,
    timed over about `seconds` of moving test frames after a warm-up frame."""
    import av

    from studio.media.encoders import VideoSettings, configure

    w, h = size
    s = VideoSettings(w, h, Fraction(fps), bitrate_kbps)
    ctx = av.CodecContext.create("libx264", "w")
    configure(ctx, "libx264", s)
    ctx.open()
    rng = np.random.default_rng(1)
    base = rng.integers(16, 235, (h * 3 // 2, w), dtype=np.uint8)
    frame = av.VideoFrame.from_ndarray(base, format="yuv420p")
    frame.pts = 0
    list(ctx.encode(frame))  # warm-up: the first frame is slow
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        n += 1
        frame = av.VideoFrame.from_ndarray(np.roll(base, n * 7, axis=1), format="yuv420p")
        frame.pts = n
        list(ctx.encode(frame))
    elapsed = time.perf_counter() - start
    list(ctx.encode(None))
    return n / elapsed


@dataclass
class Proposal:
    width: int
    height: int
    fps: int
    bitrate_kbps: int
    encoder: str
    measured: dict  # "WxH" -> encoded fps (libx264)
    hardware: list[str]


def propose(measured: dict[tuple[int, int], float], hardware: list[str], fps: int = 30,
            vertical: bool = False, headroom: float = 1.5) -> Proposal:
    """The largest candidate libx264 encodes at `headroom` × real time (compositing, audio and the
    preview need the rest), or the smallest; a hardware encoder allows 1080p. Like OBS's wizard."""
    chosen = CANDIDATE_SIZES[-1]
    for size in CANDIDATE_SIZES:
        if measured.get(size, 0.0) >= fps * headroom or (hardware and size == (1920, 1080)):
            chosen = size
            break
    w, h = chosen
    bitrate = BITRATE_FOR_HEIGHT[h]
    if vertical:
        w, h = h, w
    return Proposal(w, h, fps, bitrate, hardware[0] if hardware else "libx264",
                    {f"{a}x{b}": round(v, 1) for (a, b), v in measured.items()}, hardware)


def auto_configure(fps: int = 30, vertical: bool = False, seconds: float = 1.0,
                   progress: Callable[[str], None] | None = None) -> Proposal:
    """Probe the encoders, time libx264 at the candidate sizes (largest first, stopping once one is fast
    enough), and propose resolution, fps and bitrate."""
    from studio.media.encoders import probe_encoders

    if progress:
        progress("encoders")
    hardware = [n for n, ok, _ in probe_encoders(640, 360, fps) if ok and n != "libx264"]
    measured: dict[tuple[int, int], float] = {}
    for size in CANDIDATE_SIZES:
        if progress:
            progress(f"{size[0]}x{size[1]}")
        measured[size] = measure_x264(size, fps, seconds)
        if measured[size] >= fps * 1.5:
            break
    return propose(measured, hardware, fps, vertical)
