"""The studio session, without Qt widgets: what the desktop window drives and displays.

`StudioController(spec)` builds the show from a `ShowSpec` with the one assembler
(studio/app/assemble.py, as `studio live` does), starts the preview (capture + compositing + mixing,
no encoding), the commerce overlays and the live feeds. `go_live()` starts every enabled destination
and the recording, `end_live()` flushes them and the preview goes on, `shutdown()` ends everything.

The window edits the model, never a live object: every edit makes a new spec (`self.spec`), and the
compositor gets a new immutable tuple of layers, swapped in one attribute store. Methods are called
from the GUI thread; `go_live`/`end_live` may block for a while (encoder warm-up, sender processes)
and are meant to be run on a worker thread by the window. Events arrive on `bus` on their
publishers' threads.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from studio.app.assemble import (
    BuiltShow,
    build_show,
    open_video,
    place_stills,
    recording_path,
    session_log_path,
    show_stem,
    video_layer,
)
from studio.app.profile.model import Layer, ShowSpec
from studio.app.readiness import DestinationCheck, check_destinations
from studio.app.show_commerce import chat_overlay_image
from studio.app.summary import ShowSummary, summarize
from studio.commerce.product import Product
from studio.core.errors import EncoderError, UserError
from studio.core.events import EventBus
from studio.core.log import get_logger
from studio.core.secrets import mask_text
from studio.live.blocklist import Blocklist, screen_line
from studio.media.blend import i420_planes, i420_to_bgr
from studio.media.outputs.adaptive import BitrateMode
from studio.media.overlay import Overlay
from studio.media.show import Show
from studio.media.stats import ShowStats

log = get_logger("app.controller")

FEATURED_SLOT = "chat.featured"
FEATURED_Z = 210


# -- preview -----------------------------------------------------------------------------------
class PreviewTap:
    """A preview sink: on the compositor thread, downscale the I420 canvas to `size` and hand a BGR copy
    to `deliver` at most `max_fps` times a second. `size` may be changed from any thread."""

    def __init__(self, deliver: Callable[[int, np.ndarray], None], size: tuple[int, int],
                 max_fps: float = 30.0):
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


@dataclass(frozen=True)
class ShowState:
    pinned: str | None
    countdown_s: float | None
    coupon: str | None
    counters: Any          # studio.live.counters.Counters: the sales so far


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


class StudioController:
    def __init__(self, spec: ShowSpec, bus: EventBus | None = None) -> None:
        self.spec = spec
        self.bus = bus or EventBus()
        self.messages: list[str] = []          # one sentence each, for the host (fallbacks taken)
        self.built: BuiltShow | None = None
        self.show: Show | None = None
        self.commerce: Any = None
        self.feeds: Any = None
        self.destination_names: list[str] = []  # parallel to show.outputs while live
        self.blocklist = Blocklist(list(spec.blocked_words))
        self._sources: list[Any] = []          # parallel to spec.layers: the opened source of a video layer
        self._stills: dict[Any, Any] = {}      # rendered image/text layers, so a drag never re-reads a file
        self._cpu = CpuMeter()
        self._featured_until: float | None = None
        self._live_lock = threading.Lock()
        self.recording_file: Path | None = None   # of the show on air (or the last one)
        self._lagged_at_go_live = 0
        self.last_summary: ShowSummary | None = None

    # -- building ------------------------------------------------------------------------------
    def start(self) -> StudioController:
        """Open the sources and start the preview, commerce overlays and feeds."""
        spec = self.spec
        if not any(layer.kind == "video" for layer in spec.layers):
            spec = self.spec = replace(spec, layers=(Layer(kind="video", name="Camera", source="camera"),
                                                     *spec.layers))
        self.built = build_show(spec, self.bus, strict=False, always_commerce=True, log_at_go_live=True)
        self.show, self.commerce, self.feeds = self.built.show, self.built.commerce, self.built.feeds
        self.messages = list(self.built.messages)
        video = iter(self.show.layers)
        self._sources = [next(video).source if layer.kind == "video" else None for layer in spec.layers]
        self.show.start_preview()
        return self

    @property
    def demo(self) -> bool:
        """The simulated demo feed runs: the window shows DEMO DATA."""
        return bool(self.built and self.built.demo)

    @property
    def catalog(self) -> Any:
        return self.commerce.catalog if self.commerce else None

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
    def readiness(self) -> list[DestinationCheck]:
        """What each enabled destination still lacks (nothing connects)."""
        return check_destinations(self.spec)

    def destination_urls(self) -> list[tuple[str, str]]:
        """(name, url) of every ready destination."""
        return [(c.name, c.url) for c in self.readiness() if c.ready]

    @property
    def streams(self) -> bool:
        """Go live would stream somewhere (an enabled destination); otherwise it only records."""
        return any(d.enabled for d in self.spec.destinations)

    @property
    def records(self) -> bool:
        return self.spec.recording.enabled

    @property
    def live(self) -> bool:
        return bool(self.show and self.show.running)

    @property
    def on_air_kind(self) -> str:
        """"live" while streaming to a destination, "rec" while only recording, "" off air."""
        if not self.live:
            return ""
        return "live" if self.destination_names else "rec"

    def go_live(self, skip_unready: bool = False) -> None:
        """Start the encoder, the ready destinations and the recording; from now on the show has its
        session log, named like its recording. UserError before anything starts when there is nothing to
        do, or when a destination is not ready and `skip_unready` is not set (the host chooses)."""
        assert self.show is not None
        with self._live_lock:
            if self.show.running:
                return
            checks = self.readiness()
            bad = [c for c in checks if not c.ready]
            if bad and not skip_unready:
                raise UserError(f"{bad[0].label}: {bad[0].problem}")
            ready = [c for c in checks if c.ready]
            dests = [(c.name, c.url) for c in ready]
            stem = show_stem()
            record = recording_path(self.spec, stem)
            if not dests and record is None:
                raise UserError("nothing to go live to: add a destination in Settings or turn recording on")
            if self.feeds is not None:
                try:
                    self.feeds.session.begin(session_log_path(self.spec, stem), demo=self.spec.demo)
                except Exception as e:  # noqa: BLE001 - a disk or permission problem: one sentence
                    raise UserError(f"cannot start the session log: {e}") from None
            c = self.show.config
            c.outputs = [u for _, u in dests]
            c.codecs = {d.url: d.codec for d in ready}
            c.record = record
            c.bitrate_kbps, c.encoder = self.spec.encoding.bitrate_kbps, self.spec.encoding.encoder
            c.bitrate_mode = BitrateMode(self.spec.encoding.bitrate_mode)
            self.destination_names = [n for n, _ in dests]
            self.recording_file = record
            self._lagged_at_go_live = self.show.compositor.lagged
            try:
                self.show.go_live()
            except EncoderError as e:
                if self.feeds is not None:
                    self.feeds.session.end()
                raise UserError(str(e)) from None
            log.info("live to %s", mask_text(", ".join(c.outputs)) or "the recording only")

    def end_live(self) -> ShowSummary | None:
        """Stop streaming and recording; close the show's session log and write its report beside it.
        Returns the show's summary (None when it was not live)."""
        if self.show is None:
            return None
        with self._live_lock:
            if not self.show.running:
                return None
            self.show.end_live()
            final = self.stats()
            names = final.names
            destinations = [replace(d, name=names.get(d.name, d.name)) for d in self.show.summaries()]
            path = self.feeds.session.end() if self.feeds is not None else None
            self.last_summary = summarize(path, final.time, destinations, self.recording_file,
                                          self.spec.language)
            return self.last_summary

    # -- rebuilding ----------------------------------------------------------------------------
    def state(self) -> ShowState:
        """What the host did since the show was built, which a rebuild must keep."""
        pinned = self.pinned
        counters = self.feeds.session.counters if self.feeds is not None else None
        return ShowState(pinned.sku if pinned else None, self.countdown_remaining(),
                         self.commerce.coupon if self.commerce else None, counters)

    def restore(self, state: ShowState) -> list[str]:
        """Carry `state` over from the show this one replaces; one sentence per thing that could not be
        kept (a pinned product the new catalog does not have)."""
        lost = []
        if state.counters is not None and self.feeds is not None:
            self.feeds.session.adopt(state.counters)
        if state.coupon and self.commerce:
            self.set_coupon(state.coupon)
        if state.countdown_s:
            self.set_countdown(state.countdown_s)
        if state.pinned:
            try:
                self.pin(state.pinned)
            except UserError:
                lost.append(f"Product {state.pinned} is no longer pinned: it is not in the new catalog.")
        return lost

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
        self.spec = replace(self.spec, blocked_words=tuple(w for w in (x.strip() for x in words) if w))
        self.blocklist = Blocklist(list(self.spec.blocked_words))

    def screen(self, author: str, text: str) -> tuple[str, str]:
        """(name, text) as they may appear: plain, capped, blocked words masked."""
        return screen_line(author, text, self.blocklist)

    def feature_chat(self, author: str, text: str, seconds: float = 15.0) -> None:
        """Show one chat message on stream (plain text, blocked words masked) for `seconds`."""
        assert self.show is not None
        img, x, y = chat_overlay_image([self.screen(author, text)], self.spec.canvas.size)
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
    def sales(self) -> dict[str, Any]:
        """Totals (orders, units, GMV per currency, per product) and current viewers."""
        if self.feeds is None:
            return {"orders": 0, "units": 0, "gmv": {}, "products": [], "viewers": 0}
        totals: dict[str, Any] = self.feeds.totals()
        return totals

    def stock_left(self, product: Product, sold: int) -> int | None:
        return None if product.stock is None else max(0, product.stock - sold)

    # -- audio ---------------------------------------------------------------------------------
    @property
    def audio_inputs(self) -> list[Any]:
        return self.show.audio_inputs if self.show else []

    def meters(self) -> dict[str, Any]:
        mixer = self.show.mixer if self.show else None
        return dict(mixer.meters) if mixer else {}

    def _set_audio(self, index: int, **changes: Any) -> None:
        audio = list(self.spec.audio)
        if index < len(audio):
            audio[index] = replace(audio[index], **changes)
            self.spec = replace(self.spec, audio=tuple(audio))

    def set_gain(self, index: int, gain: float) -> None:
        self.audio_inputs[index].gain = gain
        self._set_audio(index, gain=gain)

    def set_muted(self, index: int, muted: bool) -> None:
        self.audio_inputs[index].muted = muted
        self._set_audio(index, muted=muted)

    # -- layers (every kind; index = z-order, 0 at the bottom) -----------------------------------
    @property
    def layers(self) -> tuple[Layer, ...]:
        return self.spec.layers

    def layer_rects(self) -> list[tuple[int, int, int, int]]:
        """(x, y, width, height) on the canvas of every layer, for the preview's outlines."""
        cw, ch = self.spec.canvas.size
        out = []
        for i, layer in enumerate(self.spec.layers):
            w, h = layer.width, layer.height
            if layer.kind != "video" and not (w and h) and self.show is not None:
                placed = self.show.board.get(f"layer.{i}")
                if placed is not None:
                    h, w = placed.image.shape[:2]
            out.append((layer.x, layer.y, w or cw, h or ch))
        return out

    def _publish(self, layers: tuple[Layer, ...], sources: list[Any]) -> None:
        """Make `layers` the scene: a new spec, a new tuple of compositor layers, the stills placed."""
        assert self.show is not None
        self.spec = replace(self.spec, layers=layers)
        self._sources = sources
        pairs = enumerate(zip(layers, sources, strict=True))
        video = [video_layer(layer, src, i) for i, (layer, src) in pairs if layer.kind == "video"]
        self.show.layers = video
        self.show.compositor.layers = list(video)  # one attribute store: the next tick sees the new scene
        self.messages = []
        place_stills(self.show.board, self.spec, False, self.messages, self._stills)

    def set_layer(self, index: int, layer: Layer) -> None:
        """Replace layer `index` by `layer` (same kind and source: geometry, crop, text, visibility…)."""
        layers = list(self.spec.layers)
        old = layers[index]
        sources = list(self._sources)
        if layer.kind == "video" and (old.kind != "video" or old.source != layer.source):
            src, _ = open_video(layer.source, self.spec, True, [])
            src.start()
            if sources[index] is not None:
                sources[index].stop()
            sources[index] = src
        elif layer.kind != "video":
            if layer.visible:
                from studio.app.assemble import still_overlay

                still_overlay(layer, self.spec, self._stills)  # UserError now, before the scene changes
            if sources[index] is not None:
                sources[index].stop()
                sources[index] = None
        layers[index] = layer
        self._publish(tuple(layers), sources)

    def set_layer_geometry(self, index: int, x: int, y: int, width: int | None, height: int | None) -> None:
        self.set_layer(index, replace(self.spec.layers[index], x=x, y=y, width=width, height=height))

    def set_layer_visible(self, index: int, visible: bool) -> None:
        self.set_layer(index, replace(self.spec.layers[index], visible=visible))

    def move_layer(self, index: int, delta: int) -> int:
        """Move a layer up (+1, drawn later, on top) or down (-1); returns its new index."""
        j = index + delta
        n = len(self.spec.layers)
        if not (0 <= index < n and 0 <= j < n):
            return index
        layers, sources = list(self.spec.layers), list(self._sources)
        layers[index], layers[j] = layers[j], layers[index]
        sources[index], sources[j] = sources[j], sources[index]
        self._publish(tuple(layers), sources)
        return j

    def add_layer(self, layer: Layer | str, name: str = "") -> int:
        """Add a layer (a video source spec, or a Layer); a new video layer takes a quarter of the canvas,
        top right. UserError when its source or image cannot be opened."""
        w, h = self.spec.canvas.size
        if isinstance(layer, str):
            layer = Layer(kind="video", source=layer, name=name or layer, x=w // 2, y=0, width=w // 2,
                          height=h // 2)
        src = None
        if layer.kind == "video":
            src, _ = open_video(layer.source, self.spec, True, [])
            src.start()
        else:
            from studio.app.assemble import still_overlay

            if layer.kind == "image":
                layer = self.natural_size(layer)
            still_overlay(layer, self.spec)  # UserError now, not a message after the fact
        self._publish((*self.spec.layers, layer), [*self._sources, src])
        return len(self.spec.layers) - 1

    def natural_size(self, layer: Layer) -> Layer:
        """An image layer at its own aspect: its own size, or fitted inside the canvas when larger; one
        side given, the other follows the aspect. UserError when the image cannot be read."""
        if layer.width and layer.height:
            return layer
        from studio.app.assemble import still_image

        ih, iw = still_image(replace(layer, width=None, height=None), self.spec).shape[:2]
        cw, ch = self.spec.canvas.size
        if layer.width:
            return replace(layer, height=max(1, round(layer.width * ih / iw)))
        if layer.height:
            return replace(layer, width=max(1, round(layer.height * iw / ih)))
        if iw <= cw and ih <= ch:
            return layer
        s = min(cw / iw, ch / ih)
        return replace(layer, width=max(1, round(iw * s)), height=max(1, round(ih * s)))

    def remove_layer(self, index: int) -> None:
        layers, sources = list(self.spec.layers), list(self._sources)
        layers.pop(index)
        src = sources.pop(index)
        if sum(1 for layer in layers if layer.kind == "video") == 0:
            return  # the show keeps one video layer: the canvas is never empty of a source
        self._publish(tuple(layers), sources)
        if src is not None:
            src.stop()

    # -- status --------------------------------------------------------------------------------
    def stats(self) -> ShowStats:
        """The engine's stats plus process CPU %, the host's destination names, and whether the data is
        simulated."""
        s = self.show.stats() if self.show else ShowStats()
        names = [o.name for o in s.outputs]
        given = self.destination_names
        return replace(s, lagged=max(0, s.lagged - self._lagged_at_go_live) if s.live else 0,
                       cpu=round(self._cpu.sample(), 1), demo=self.demo,
                       names={n: given[i] if i < len(given) else n for i, n in enumerate(names)})

    def reconnect_now(self, name: str) -> bool:
        """The status bar's Reconnect now for a destination waiting out a backoff."""
        return self.show is not None and self.show.reconnect_now(name)

    def switch_destination(self, name: str, on: bool) -> bool:
        """Stop or start one destination while the show goes on."""
        return self.show is not None and self.show.switch_output(name, on)

    # -- end -----------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """End everything (idempotent): the show on air first (its log closed and its report written),
        then feeds, commerce threads and the preview."""
        if self.live:
            try:
                self.end_live()
            except Exception:  # noqa: BLE001 - quitting must go on: the log is closed below anyway
                log.exception("ending the show at shutdown")
        if self.built is not None:
            with self._live_lock:
                self.built.stop()
        self.feeds = None


# -- auto-configuration (the first-run wizard) ----------------------------------------------------
CANDIDATE_SIZES = [(1920, 1080), (1280, 720), (854, 480)]
BITRATE_FOR_HEIGHT = {1080: 6000, 720: 3500, 480: 1500}  # inside every documented horizontal target


def measure_x264(size: tuple[int, int], fps: int = 30, seconds: float = 1.5,
                 bitrate_kbps: int = 3500) -> float:
    """Frames per second libx264 (veryfast, zerolatency, the studio's options) encodes here at `size`,
    timed over about `seconds` of moving test frames after a warm-up frame."""
    import av

    from studio.media.encoder_options import VideoSettings, configure

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


def measure_upload(url: str, bitrate_kbps: int, seconds: float = 6.0, size: tuple[int, int] = (1280, 720),
                   connect_timeout: float = 12.0) -> float:
    """Kilobits a second the destination acknowledged while a test pattern was sent to it at
    `bitrate_kbps` for about `seconds` (after it went live). Only for a URL the platform never shows
    (Twitch's `?bandwidthtest=true`). UserError with the destination's own sentence when it never went
    live."""
    from studio.media.audio.base import ToneInput
    from studio.media.compositor import VideoLayer
    from studio.media.show import Show, ShowConfig
    from studio.media.sources.testsrc import TestPatternSource

    show = Show(ShowConfig(size=size, outputs=[url], bitrate_kbps=bitrate_kbps, encoder="libx264"),
                [VideoLayer(TestPatternSource(size))], [ToneInput()])
    show.start()
    try:
        out = show.outputs[0]
        deadline = time.monotonic() + connect_timeout
        while out.state != "live" and time.monotonic() < deadline:
            if out.state in ("reconnecting", "gave_up"):
                raise UserError(f"the upload test did not go live: {out.message}")
            time.sleep(0.05)
        if out.state != "live":
            raise UserError("the upload test did not go live: the server did not accept the stream")
        time.sleep(1.0)   # past the first GOP's burst
        t0, b0 = time.monotonic(), out.stats.bytes_acked
        time.sleep(seconds)
        t1, b1 = time.monotonic(), out.stats.bytes_acked
        return (b1 - b0) * 8 / 1000 / (t1 - t0)
    finally:
        show.stop()


@dataclass
class Proposal:
    width: int
    height: int
    fps: int
    bitrate_kbps: int
    encoder: str
    measured: dict  # "WxH" -> encoded fps (libx264)
    hardware: list[str]
    upload_kbps: float | None = None   # what the destination's test mode acknowledged, when measured


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


def fit_upload(p: Proposal, upload_kbps: float) -> Proposal:
    """The proposal with its bitrate at most 80 % of what the upload carried (the rest is audio,
    overhead and headroom for a busier network), never below 500 kbps."""
    top = max(500, int(upload_kbps * 0.8 / 50) * 50)
    return replace(p, upload_kbps=round(upload_kbps, 1), bitrate_kbps=min(p.bitrate_kbps, top))


def auto_configure(fps: int = 30, vertical: bool = False, seconds: float = 1.0,
                   progress: Callable[[str], None] | None = None, upload_url: str | None = None) -> Proposal:
    """Probe the encoders, time libx264 at the candidate sizes (largest first, stopping once one is fast
    enough), and propose resolution, fps and bitrate; with `upload_url` (a destination's test mode),
    measure the upload too and keep the bitrate inside it."""
    from studio.media.encoder_options import probe_encoders

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
    proposal = propose(measured, hardware, fps, vertical)
    if upload_url:
        if progress:
            progress("upload")
        # probe above the proposal: a link that carries 1.5× the bitrate keeps it (80 % of 1.5× > 1×)
        proposal = fit_upload(proposal, measure_upload(upload_url, round(proposal.bitrate_kbps * 1.5)))
    return proposal
