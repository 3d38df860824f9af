"""The one assembler: a `ShowSpec` becomes a running show. `studio live` and the window both call
`build_show` and nothing else builds sources, layers, overlays, commerce or feeds.

Order matters and lives here: sources and the compositor first, then the session log (it subscribes to
pins at once), then commerce — so a product pinned at start is logged, counted and titled in the
report — then the feeds.

`strict` is the kiosk's rule (`studio live`): any bad part is a `UserError` before anything starts
(exit code 2). The window is lenient: a bad layer, overlay or feed is switched off with one sentence
in `messages` and the show goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.app.profile.model import AudioSource, Layer, ShowSpec
from studio.core.errors import UserError
from studio.core.events import EventBus
from studio.core.files import free_name
from studio.core.log import get_logger
from studio.core.paths import data_dir
from studio.media.compositor import VideoLayer
from studio.media.outputs.adaptive import BitrateMode
from studio.media.overlay import Overlay, OverlayBoard
from studio.media.show import Show, ShowConfig

log = get_logger("app.assemble")

LAYER_SLOT = "layer."   # image and text layers live on the overlay board under layer.<index>
LAYER_Z = 10            # below every commerce overlay (price card, QR… start at 100)


@dataclass
class BuiltShow:
    """What `build_show` returns: the engine's `Show` and the parts wired onto it."""

    spec: ShowSpec
    show: Show
    commerce: Any = None            # studio.app.show_commerce.CommerceShow
    feeds: Any = None               # studio.app.show_feeds.LiveFeeds
    messages: list[str] = field(default_factory=list)
    video_specs: list[str] = field(default_factory=list)   # the source each video layer really opened

    @property
    def demo(self) -> bool:
        return self.spec.demo and self.feeds is not None

    def stop(self) -> None:
        """End everything (idempotent): feeds, commerce threads, then the show (live part flushed first).
        The show is stopped — its recording finalised — even when stopping a part before it failed."""
        feeds, self.feeds = self.feeds, None
        try:
            if feeds is not None:
                feeds.stop()
        finally:
            try:
                if self.commerce is not None:
                    self.commerce.stop()
            finally:
                self.show.stop()


# -- sources ----------------------------------------------------------------------------------------

def first_camera() -> str | None:
    from studio.media.sources.specs import list_cameras

    try:
        cams = list_cameras()
    except Exception:  # noqa: BLE001 - no video devices readable: there is no camera
        return None
    return f"camera:{cams[0].index}" if cams else None


def has_microphone() -> bool:
    from studio.media.sources.specs import list_microphones

    try:
        return bool(list_microphones())
    except Exception:  # noqa: BLE001 - no PortAudio, no sound server: no microphone
        return False


def open_video(source: str, spec: ShowSpec, strict: bool, messages: list[str]) -> tuple[Any, str]:
    """(VideoSource, the spec it opened). "camera"/"auto": the first camera, or the test pattern."""
    from studio.media.sources.specs import parse_video_spec

    size, fps = spec.canvas.size, float(spec.canvas.fps)
    if source in ("camera", "auto"):
        found = first_camera()
        if found is None:
            messages.append("No camera found: the test pattern is shown instead.")
        source = found or "testsrc"
    if source.startswith(("file:", "image:")):
        kind, _, path = source.partition(":")
        source = f"{kind}:{spec.resolve(path)}"
    try:
        return parse_video_spec(source, size, fps), source
    except UserError as e:
        if strict:
            raise
        messages.append(f"{e} The test pattern is shown instead.")
        return parse_video_spec("testsrc", size, fps), "testsrc"


def open_audio(a: AudioSource, strict: bool, messages: list[str]) -> Any:
    from studio.media.sources.specs import parse_audio_spec

    source, muted = a.source, a.muted
    if source == "auto":
        if has_microphone():
            source = "mic:default"
        else:
            source, muted = "tone", True  # meters move; nothing is heard until the host unmutes
            messages.append("No microphone found: a muted test tone stands in for it.")
    try:
        inp = parse_audio_spec(source)
    except UserError as e:
        if strict:
            raise
        messages.append(f"{e} A muted test tone stands in for it.")
        inp, muted = parse_audio_spec("tone"), True
    inp.gain, inp.muted = a.gain, muted
    return inp


def video_layer(layer: Layer, source: Any, index: int) -> VideoLayer:
    """The compositor's layer for `layer`, the `index`-th of the show: image and text layers before it in
    the show (z LAYER_Z + their index) are drawn under it, those after it above."""
    return VideoLayer(source, layer.x, layer.y, layer.width, layer.height, layer.crop, layer.visible,
                      opacity=layer.opacity, z=LAYER_Z + index)


def _still_key(layer: Layer, spec: ShowSpec) -> tuple[Any, ...]:
    what = spec.resolve(layer.path) if layer.kind == "image" else layer.text
    return (layer.kind, what, layer.font_size, layer.color, layer.background, layer.width, layer.height)


def still_image(layer: Layer, spec: ShowSpec) -> Any:
    """The premultiplied BGRA an image or text layer draws; UserError when the image cannot be read."""
    size = (layer.width, layer.height) if layer.width and layer.height else None
    if layer.kind == "image":
        from studio.media.still import load_rgba

        return load_rgba(spec.resolve(layer.path), size)
    from studio.commerce.overlays.qt import ensure_gui
    from studio.commerce.overlays.text import render_text

    ensure_gui()
    return render_text(layer.text, layer.font_size, layer.color, layer.background, size,
                       max_width=spec.canvas.width)


def still_overlay(layer: Layer, spec: ShowSpec, cache: dict[Any, Any] | None = None) -> Overlay:
    key = _still_key(layer, spec)
    img = cache.get(key) if cache is not None else None
    if img is None:
        img = still_image(layer, spec)
        if cache is not None:
            if len(cache) > 64:
                cache.clear()
            cache[key] = img
    return Overlay(img, layer.x, layer.y, layer.opacity)


def place_stills(board: OverlayBoard, spec: ShowSpec, strict: bool, messages: list[str],
                 cache: dict[Any, Any] | None = None) -> None:
    """Put every visible image/text layer on the board (z by layer order) and clear the slots of layers
    that are gone or hidden. `cache` keeps rendered images across calls (a layer dragged on the preview)."""
    wanted: dict[str, tuple[Overlay, int]] = {}
    for i, layer in enumerate(spec.layers):
        if layer.kind == "video" or not layer.visible:
            continue
        try:
            wanted[f"{LAYER_SLOT}{i}"] = (still_overlay(layer, spec, cache), LAYER_Z + i)
        except UserError as e:
            if strict:
                raise
            messages.append(f"Layer '{layer.label}' is switched off: {e}")
        except Exception as e:  # noqa: BLE001 - one layer that cannot be drawn is that layer's problem alone
            log.warning("layer %s cannot be drawn", layer.label, exc_info=e)
            why = f"Layer '{layer.label}' cannot be drawn ({type(e).__name__}: {e})"
            if strict:
                raise UserError(f"{why}: fix or remove it") from None
            messages.append(f"{why}: it is switched off.")
    for slot in board.slots():
        if slot.startswith(LAYER_SLOT) and slot not in wanted:
            board.set(slot, None)
    for slot, (overlay, z) in wanted.items():
        board.set(slot, overlay, z=z)


# -- destinations -----------------------------------------------------------------------------------

def destination_urls(spec: ShowSpec) -> list[tuple[str, str, str]]:
    """(name, url with its key, video codec) of every enabled destination; UserError naming the first
    one that is not ready, by its platform (the kiosk's rule: all or nothing)."""
    from studio.app.readiness import check_destinations

    checks = check_destinations(spec)
    bad = [c for c in checks if not c.ready]
    if bad:
        more = f" (and {len(bad) - 1} more destination(s))" if len(bad) > 1 else ""
        raise UserError(f"{bad[0].label}: {bad[0].problem}{more}")
    return [(c.name, c.url, c.codec) for c in checks]


def show_stem(at: float | None = None) -> str:
    """The name every file of one show shares (recording, session log, report): show-DATE-TIME."""
    return time.strftime("show-%Y%m%d-%H%M%S", time.localtime(at))


def sessions_dir() -> Path:
    return data_dir() / "sessions"


def recording_path(spec: ShowSpec, stem: str | None = None) -> Path | None:
    """Where this show records: the path asked for, or `<stem>.mkv` in the recordings folder — and when
    a file is there already, the first free `name (2).mkv`… beside it: a recording never replaces a file
    (the recording claims its name exclusively when it starts, too)."""
    r = spec.recording
    if not r.enabled:
        return None
    if r.path:
        return free_name(spec.resolve(r.path))
    folder = Path(spec.resolve(r.folder)) if r.folder else data_dir() / "recordings"
    folder.mkdir(parents=True, exist_ok=True)
    return free_name(folder / f"{stem or show_stem()}.mkv")


def session_log_path(spec: ShowSpec, stem: str | None = None) -> Path:
    """The session log asked for (a show continuing one appends to it), or a new `<stem>.sqlite` in the
    sessions folder, never one that another show wrote."""
    if spec.session_log:
        return Path(spec.resolve(spec.session_log))
    return free_name(sessions_dir() / f"{stem or show_stem()}.sqlite")


# -- the parts --------------------------------------------------------------------------------------

def load_spec_catalog(spec: ShowSpec, strict: bool, messages: list[str]) -> Any:
    from studio.commerce.catalog import load_catalog

    c = spec.commerce
    if not c.catalog:
        return None
    path = spec.resolve(c.catalog)
    try:
        catalog = load_catalog(path, currency=c.currency or "USD", store_url=c.store_url or None)
    except UserError as e:
        if strict:
            raise
        messages.append(f"The catalog is off: {e}")
        return None
    for issue in catalog.issues:
        log.warning("%s: %s", path, issue)
    if not catalog.products:
        if strict:
            raise UserError(f"{path}: no product imported (run `studio catalog check {path}`)")
        messages.append(f"{path}: no product could be imported.")
    return catalog


def build_connectors(spec: ShowSpec, strict: bool, messages: list[str]) -> list[Any]:
    from studio.live.connectors import build_feed

    out = []
    seen: dict[str, int] = {}
    for f in spec.feeds:
        if not f.enabled:
            continue
        options = f.option_map
        if f.name:
            options["name"] = f.name
        try:
            c = build_feed(f.kind, options)
        except UserError as e:
            if strict:
                raise
            messages.append(f"Feed '{f.name or f.kind}' is off: {e}")
            continue
        n = seen.get(c.name, 0) + 1
        seen[c.name] = n
        if n > 1:
            c.name = f"{c.name}#{n}"
        out.append(c)
    return out


def qr_mode(spec: ShowSpec) -> tuple[str, str]:
    """(the QR code's mode for this show, the sentence that says why it is off). `auto` shows the
    pinned product's link unless an enabled destination's platform forbids QR codes that lead off it
    (presets: `offsite_qr`), or the canvas is 9:16 (viewers watch on the phone they would scan with)."""
    qr = spec.commerce.qr
    if qr != "auto":
        return qr, ""
    from studio.app.presets import load_presets, preset_by_id

    try:
        presets = load_presets()
    except UserError:
        presets = []
    found = [preset_by_id(presets, d.preset) for d in spec.destinations if d.enabled]
    forbid = sorted({p.name for p in found if p is not None and p.offsite_qr == "forbidden"})
    if forbid:
        return "off", (f"The QR code is off: {', '.join(forbid)} forbid(s) QR codes that lead off the "
                       "platform.")
    if spec.canvas.height > spec.canvas.width:
        return "off", ("The QR code is off on a 9:16 canvas: viewers watch on the phone they would scan "
                       "with. Set qr = \"product\" to show it anyway.")
    return "product", ""


def on_screen_language(spec: ShowSpec, catalog: Any) -> str:
    """The language of the words on stream (FLASH SALE, COUPON…): the audience's, which the catalog's
    currency tells (CNY → Chinese); without a catalog, the host's own."""
    from studio.commerce.overlays.style import language_for

    if catalog is not None and catalog.products:
        return language_for(catalog.products[0].currency)
    return spec.language[:2].lower()


def build_show(spec: ShowSpec, bus: EventBus | None = None, *, strict: bool = True,
               always_commerce: bool = False, log_at_go_live: bool = False, stem: str | None = None,
               chat_renderer: Callable[..., Any] | None = None) -> BuiltShow:
    """Open everything `spec` describes (nothing runs yet: call `show.start()` or `start_preview()`).

    `always_commerce` keeps a commerce layer even without a catalog (the window pins, counts down and
    shows coupons at any time); `log_at_go_live` (the window) always counts sales and chat but writes
    the session log only from Go live (`feeds.session.begin`); otherwise a log named `stem` opens now
    when there are feeds or a session log is asked for. UserError (strict) before any thread starts."""
    messages: list[str] = []
    bus = bus or EventBus()
    board = OverlayBoard()
    layers, opened = [], []
    for i, layer in enumerate(spec.layers):
        if layer.kind != "video":
            continue
        src, used = open_video(layer.source, spec, strict, messages)
        layers.append(video_layer(layer, src, i))
        opened.append(used)
    if not layers:
        from studio.media.sources.specs import parse_video_spec

        layers.append(VideoLayer(parse_video_spec("testsrc", spec.canvas.size, float(spec.canvas.fps))))
        opened.append("testsrc")
    place_stills(board, spec, strict, messages)
    audio = [open_audio(a, strict, messages) for a in (spec.audio or (AudioSource(),))]
    config = ShowConfig(size=spec.canvas.size, rate=spec.canvas.fps, bitrate_kbps=spec.encoding.bitrate_kbps,
                        encoder=spec.encoding.encoder, bitrate_mode=BitrateMode(spec.encoding.bitrate_mode))
    show = Show(config, layers, audio, board, bus)
    built = BuiltShow(spec, show, messages=messages, video_specs=opened)
    try:
        c = spec.commerce
        wants_commerce = always_commerce or bool(c.catalog or c.pin or c.countdown_s or c.coupon)
        if c.pin and not c.catalog:
            if strict:
                raise UserError("a product to pin needs a catalog: give --catalog FILE ([commerce] catalog)")
            messages.append(f"Product {c.pin} is not pinned: there is no catalog.")
        catalog = load_spec_catalog(spec, strict, messages) if wants_commerce else None
        if c.pin and catalog is not None and catalog.get(c.pin) is None:
            if strict:
                raise UserError(f"{spec.resolve(c.catalog)}: no product with SKU {c.pin!r}")
            messages.append(f"Product {c.pin} is not pinned: it is not in the catalog.")
        connectors = build_connectors(spec, strict, messages)
        if connectors or spec.session_log or log_at_go_live:
            from studio.app import show_feeds
            from studio.live.blocklist import Blocklist

            titles = {p.sku: p.title for p in catalog.products} if catalog is not None else None
            built.feeds = show_feeds.start_feeds(
                connectors, board, spec.canvas.size, bus,
                None if log_at_go_live else session_log_path(spec, stem),
                chat_overlay=c.chat_overlay, blocklist=Blocklist(list(spec.blocked_words)),
                renderer=chat_renderer, meta={"demo": spec.demo}, catalog=titles)
        if wants_commerce:
            from studio.app.show_commerce import CommerceShow

            qr, why = qr_mode(spec)
            if why and catalog is not None:
                messages.append(why)
            built.commerce = CommerceShow(board, spec.canvas.size, bus, catalog, c.countdown_s,
                                          c.coupon or None, locale=on_screen_language(spec, catalog),
                                          image_timeout=c.image_timeout, qr=qr)
            if c.pin and catalog is not None and catalog.get(c.pin) is not None:
                built.commerce.pin(c.pin)
        if built.feeds is not None and built.commerce is not None:
            built.commerce.sold = built.feeds.session.units_sold
        if built.feeds is not None:
            built.feeds.start()  # after the pin: an order placed in the first second is attributed to it
    except BaseException:
        built.stop()
        raise
    return built
