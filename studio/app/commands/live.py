"""`studio live`: the headless broadcast, for kiosks, servers and tests."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from pathlib import Path

from studio.app.commands.catalog import add_catalog_options
from studio.core.errors import EncoderError, UserError
from studio.core.events import EventBus, StreamStateChanged
from studio.core.secrets import expand_secret_refs, mask_text
from studio.media.compositor import VideoLayer
from studio.media.outputs.network import validate_url
from studio.media.overlay import Overlay, OverlayBoard
from studio.media.pipeline import Show, ShowConfig
from studio.media.scene import ImageLayerSpec, Scene, VideoLayerSpec, check_fps, load_scene, parse_size
from studio.media.sources.registry import parse_audio_spec, parse_video_spec
from studio.media.still import load_rgba

FEED_HELP = ("a live data feed, repeatable: demo | youtube:live_chat_id=ID | shopify:shop=NAME | "
             "twitch:channel=NAME | generic:url=URL[,mode=sse] | none; add ,api_base=URL to any "
             "(default: demo)")


def add_commerce_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("products on screen")
    g.add_argument("--catalog", metavar="FILE", help="catalog: Shopify product CSV export or studio CSV/JSON")
    g.add_argument("--pin", metavar="SKU", help="pin this product's price card from the start")
    g.add_argument("--countdown", metavar="MM:SS", help="show a flash-sale countdown, e.g. 05:00")
    g.add_argument("--coupon", metavar="TEXT", help="show a coupon card with this text")
    add_catalog_options(g)


def add_feed_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("chat, viewers and sales")
    g.add_argument("--feed", action="append", default=None, metavar="SPEC", help=FEED_HELP)
    g.add_argument("--session-log", default=None, metavar="PATH",
                   help="append every chat/order/viewer/pin event to this SQLite file "
                        "(default: a new file under the data folder's sessions/)")
    g.add_argument("--chat-overlay", action="store_true", help="draw the latest chat messages on the canvas")
    g.add_argument("--blocked-words", default=None, metavar="FILE",
                   help="words never shown on the chat overlay (one per line, UTF-8)")


def attach_extensions(args, board: OverlayBoard, size: tuple[int, int], bus: EventBus) -> list:
    """Products and live feeds, imported only when the show uses them: Qt and httpx cost start-up
    time a plain camera-to-RTMP kiosk does not need."""
    out = []
    if args.catalog or args.pin or args.countdown or args.coupon:
        from studio.app import show_commerce

        out.append(show_commerce.attach(args, board, size, bus))
    if not any(s.strip().lower() == "none" for s in (args.feed or [])) or args.session_log:
        from studio.app import show_feeds

        out.append(show_feeds.attach(args, board, size, bus))
    return [e for e in out if e is not None]


def register(sub) -> None:
    p = sub.add_parser("live", help="broadcast without a window (kiosk, server)",
                       description="Capture, composite, encode once and push to every --out; record with --record.")
    p.add_argument("--video", default=None, metavar="SPEC",
                   help="testsrc | camera:N | camera:NAME | file:PATH | url:rtsp://… | image:PATH (default testsrc)")
    p.add_argument("--audio", default=None, metavar="SPEC", help="tone | mic:default | mic:NAME | none (default tone)")
    p.add_argument("--size", default=None, metavar="WxH", help="canvas size, e.g. 1280x720 or 720x1280")
    p.add_argument("--fps", type=float, default=None, help="canvas frame rate (default 30)")
    p.add_argument("--image", action="append", default=[], metavar="PATH@X,Y", help="an RGBA image layer")
    p.add_argument("--out", action="append", default=[], metavar="URL",
                   help="rtmp:// or rtmps:// destination; write the key as ${ENV_VAR} or ${keyring:NAME} "
                        "to keep it off the command line")
    p.add_argument("--record", type=Path, default=None, metavar="PATH", help="record to a Matroska file")
    p.add_argument("--bitrate", type=int, default=3500, metavar="KBPS", help="video bitrate (default 3500)")
    p.add_argument("--encoder", default="auto", help="auto | libx264 | h264_nvenc | h264_qsv | …")
    p.add_argument("--duration", type=float, default=None, metavar="SECONDS", help="end the show after this long")
    p.add_argument("--stats", type=Path, default=None, metavar="PATH", help="write the status as JSON lines")
    p.add_argument("--scene", type=Path, default=None, metavar="FILE", help="a TOML scene (docs/scene.md)")
    p.add_argument("--quiet", action="store_true", help="no status line on stderr")
    add_commerce_arguments(p)
    add_feed_arguments(p)
    p.set_defaults(func=run)


def parse_image_arg(text: str) -> tuple[str, int, int]:
    path, sep, pos = text.rpartition("@")
    try:
        if not sep:
            raise ValueError
        x_s, y_s = pos.split(",")
        return path, int(x_s), int(y_s)
    except ValueError:
        raise UserError(f"--image '{text}' is not PATH@X,Y: e.g. --image logo.png@20,20") from None


def build_scene(args) -> Scene:
    scene = load_scene(args.scene) if args.scene else Scene()
    size = parse_size(args.size) if args.size else scene.size
    fps = check_fps(args.fps) if args.fps is not None else scene.fps
    layers = list(scene.layers)
    if args.video or not any(isinstance(l, VideoLayerSpec) for l in layers):
        layers = [l for l in layers if not isinstance(l, VideoLayerSpec)]
        layers.insert(0, VideoLayerSpec(source=args.video or "testsrc"))
    for text in args.image:
        path, x, y = parse_image_arg(text)
        layers.append(ImageLayerSpec(path=path, x=x, y=y))
    from studio.media.scene import AudioSpec

    audio = list(scene.audio)
    if args.audio or not audio:
        audio = [AudioSpec(source=args.audio or "tone")]
    return Scene(size, fps, tuple(layers), tuple(audio))


def status_line(s: dict) -> str:
    parts = [f"{int(s['time']) // 60:02d}:{s['time'] % 60:04.1f}", f"{s['fps']:.1f} fps",
             f"render {s['render_ms']:.1f} ms", f"encode {s['encode_ms']:.1f} ms",
             f"dropped {s['lagged'] + sum(o['dropped'] for o in s['outputs'].values())}"]
    for name, o in s["outputs"].items():
        parts.append(f"{name}: {o['state']} {o['kbps']:.0f} kbps, {o['reconnects']} reconnects")
    if "recording" in s:
        parts.append(f"rec {s['recording']['state']} {s['recording']['bytes'] / 1e6:.1f} MB")
    return mask_text(" | ".join(parts))


def run(args) -> int:
    scene = build_scene(args)
    args.out = [expand_secret_refs(url) for url in args.out]
    for url in args.out:
        validate_url(url)
    if not args.out and not args.record:
        raise UserError("nothing to do: give --out rtmp://host/app/KEY and/or --record show.mkv")
    if args.bitrate < 100 or args.bitrate > 50000:
        raise UserError(f"--bitrate {args.bitrate} is out of range: use 100 to 50000 kbps, e.g. 3500")
    if args.duration is not None and args.duration <= 0:
        raise UserError("--duration must be a positive number of seconds")
    board = OverlayBoard()
    layers: list[VideoLayer] = []
    for z, spec in enumerate(scene.layers):
        if isinstance(spec, VideoLayerSpec):
            src = parse_video_spec(spec.source, scene.size, float(scene.fps))
            layers.append(VideoLayer(src, spec.x, spec.y, spec.width, spec.height, spec.crop, spec.visible))
        elif spec.visible:
            size = (spec.width, spec.height) if spec.width and spec.height else None
            board.set(f"image{z}", Overlay(load_rgba(spec.path, size), spec.x, spec.y, spec.opacity), z=z)
    audio = []
    for a in scene.audio:
        inp = parse_audio_spec(a.source)
        inp.gain, inp.muted = a.gain, a.muted
        audio.append(inp)
    bus = EventBus()
    config = ShowConfig(size=scene.size, rate=scene.fps, bitrate_kbps=args.bitrate, encoder=args.encoder,
                        outputs=list(args.out), record=args.record)
    show = Show(config, layers, audio, board, bus)
    extensions = attach_extensions(args, board, scene.size, bus)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)

    def on_state(ev: StreamStateChanged) -> None:
        if not args.quiet and ev.state in ("reconnecting", "gave_up", "error", "live"):
            print(mask_text(f"studio: {ev.output}: {ev.state} {ev.message}"), file=sys.stderr, flush=True)

    bus.subscribe(StreamStateChanged, on_state)
    stats_file = args.stats.open("a", encoding="utf-8") if args.stats else None
    try:
        try:
            show.start()
        except EncoderError as e:
            raise UserError(str(e)) from None
        deadline = None if args.duration is None else time.monotonic() + args.duration
        next_status = time.monotonic() + 1.0
        while not stop.is_set():
            now = time.monotonic()
            wait = next_status - now
            if deadline is not None:
                wait = min(wait, deadline - now)
            if stop.wait(max(0.0, wait)):
                break
            now = time.monotonic()
            if now >= next_status:
                next_status += 1.0
                s = show.stats()
                if not args.quiet:
                    print(status_line(s), file=sys.stderr, flush=True)
                if stats_file:
                    stats_file.write(mask_text(json.dumps(s)) + "\n")
                    stats_file.flush()
            if deadline is not None and now >= deadline:
                break
    finally:
        for ext in extensions:
            ext.stop()
        show.stop()
        final = show.stats()
        if stats_file:
            stats_file.write(mask_text(json.dumps({**final, "final": True})) + "\n")
            stats_file.close()
        if show.encoder and show.encoder.failure:
            print(f"studio: {show.encoder.failure}", file=sys.stderr)
    return 0
