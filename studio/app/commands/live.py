"""`studio live`: the headless broadcast, for kiosks, servers and tests.

The flags describe a show the same way a profile does (docs/profile.md): `--profile FILE` reads one,
flags given beside it override its parts, `--save-profile FILE` writes the show the flags describe.
The show itself is built by studio/app/assemble.py, exactly as the window builds it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from studio.app.assemble import build_show, destination_urls, recording_path, show_stem
from studio.app.commands.catalog import add_catalog_options
from studio.app.profile.model import (
    AudioSource,
    Commerce,
    Destination,
    Feed,
    Layer,
    Recording,
    ShowSpec,
)
from studio.app.status_text import status_line
from studio.core.errors import EncoderError, UserError
from studio.core.events import BitrateChanged, EncoderProblem, EventBus, StreamStateChanged
from studio.core.files import check_regular_file, create_private
from studio.core.flags import int_flag, number_flag
from studio.core.log import get_logger, say
from studio.core.secrets import mask_text
from studio.core.text import one_line
from studio.media.canvas import MAX_SIDE, check_fps, parse_size
from studio.media.outputs.summary import DestinationSummary
from studio.media.stats import summary_dict

log = get_logger("app.live")

MAX_DURATION_S = 31 * 24 * 3600   # a month: any longer is a typo (no --duration: until Ctrl+C)
MAX_BLOCKLIST_BYTES = 4 * 1024 * 1024
NEVER_LIVE_EXIT = 3   # a destination never went live


def summary_lines(summaries: list[DestinationSummary], record: Path | None) -> list[str]:
    """The show's last words: one line per destination, and the recording."""
    lines = [d.line() for d in summaries]
    if record is not None:
        lines.append(f"recording: {record}")
    return lines

FEED_HELP = ("a live data feed, repeatable: youtube:live_chat_id=ID | shopify:shop=NAME | "
             "twitch:channel=NAME | generic:url=URL[,mode=sse] | demo (simulated data) | none; "
             "add ,api_base=URL to any (default: none)")


def add_commerce_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("products on screen")
    g.add_argument("--catalog", metavar="FILE", help="catalog: Shopify product CSV export or studio CSV/JSON")
    g.add_argument("--pin", metavar="SKU", help="pin this product's price card from the start")
    g.add_argument("--countdown", metavar="MM:SS", help="show a flash-sale countdown, e.g. 05:00")
    g.add_argument("--coupon", metavar="TEXT", help="show a coupon card with this text")
    g.add_argument("--qr", metavar="TARGET", default=None,
                   help="the QR code: auto (the pinned product's link where the platforms allow it, "
                        "default) | product | off | https://… (one link)")
    add_catalog_options(g)


def add_feed_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("chat, viewers and sales")
    g.add_argument("--feed", action="append", default=None, metavar="SPEC", help=FEED_HELP)
    g.add_argument("--session-log", default=None, metavar="PATH",
                   help="append every chat/order/viewer/pin event to this SQLite file "
                        "(default with a feed: a new file under the data folder's sessions/)")
    g.add_argument("--chat-overlay", action="store_true", default=None,
                   help="draw the latest chat messages on the canvas")
    g.add_argument("--blocked-words", default=None, metavar="FILE",
                   help="words never shown on the chat overlay (one per line, UTF-8)")


def register(sub: Any) -> None:
    p = sub.add_parser("live", help="broadcast without a window (kiosk, server)",
                       description="Capture, composite, encode once and push to every --out; record with "
                                   "--record. --profile FILE runs a saved show; flags given beside it "
                                   "override its parts.")
    p.add_argument("--profile", type=Path, default=None, metavar="FILE",
                   help="a show profile (docs/profile.md), e.g. one saved by the window")
    p.add_argument("--save-profile", type=Path, default=None, metavar="FILE",
                   help="write the show these flags describe to FILE (keys stay references) and exit")
    p.add_argument("--video", default=None, metavar="SPEC",
                   help="testsrc | camera:N | camera:NAME | file:PATH | url:rtsp://… | image:PATH "
                        "(default testsrc)")
    p.add_argument("--audio", default=None, metavar="SPEC",
                   help="tone | mic:default | mic:NAME | none (default tone)")
    p.add_argument("--size", default=None, metavar="WxH", help="canvas size, e.g. 1280x720 or 720x1280")
    p.add_argument("--fps", type=number_flag("--fps", 1, 120, example="30"), default=None,
                   help="canvas frame rate (default 30)")
    p.add_argument("--image", action="append", default=[], metavar="PATH@X,Y", help="an RGBA image layer")
    p.add_argument("--out", action="append", default=[], metavar="URL",
                   help="rtmp:// or rtmps:// destination; write the key as ${ENV_VAR} or ${keyring:NAME} "
                        "to keep it off the command line")
    p.add_argument("--out-hevc", action="append", default=[], metavar="URL",
                   help="a destination streamed in HEVC (H.265, Enhanced RTMP: YouTube takes it); its own "
                        "encode, about three times H.264's CPU with libx265")
    p.add_argument("--record", type=Path, default=None, metavar="PATH", help="record to a Matroska file")
    p.add_argument("--bitrate", type=int_flag("--bitrate", 100, 50000, unit="kbps", example="3500"),
                   default=None, metavar="KBPS", help="video bitrate (default 3500)")
    p.add_argument("--bitrate-mode", choices=("adaptive", "cbr"), default=None,
                   help="adaptive (default): lower the bitrate to what a slow link carries and climb "
                        "back when it recovers; cbr: always --bitrate, frames dropped by priority on a "
                        "slow link")
    p.add_argument("--encoder", default=None, help="auto | libx264 | h264_nvenc | h264_qsv | …")
    p.add_argument("--duration", type=number_flag("--duration", 0, MAX_DURATION_S, unit="seconds",
                                                  example="60", low_open=True),
                   default=None, metavar="SECONDS", help="end the show after this long")
    p.add_argument("--stats", type=Path, default=None, metavar="PATH", help="write the status as JSON lines")
    p.add_argument("--scene", type=Path, default=None, metavar="FILE",
                   help="a scene file (docs/scene.md; read as a profile)")
    p.add_argument("--quiet", action="store_true", help="no status line on stderr")
    add_commerce_arguments(p)
    add_feed_arguments(p)
    p.set_defaults(func=run, currency=None)


def parse_image_arg(text: str) -> tuple[str, int, int]:
    path, sep, pos = text.rpartition("@")
    try:
        if not sep:
            raise ValueError
        x_s, y_s = pos.split(",")
        x, y = int(x_s), int(y_s)
    except ValueError:
        shown = one_line(text, 200)
        raise UserError(f"--image '{shown}' is not PATH@X,Y: e.g. --image logo.png@20,20") from None
    if not (-MAX_SIDE <= x <= MAX_SIDE and -MAX_SIDE <= y <= MAX_SIDE):
        raise UserError(f"--image '{one_line(text, 200)}': the position is out of range: use -{MAX_SIDE} to "
                        f"{MAX_SIDE} for X and Y, e.g. --image logo.png@20,20")
    return path, x, y


def _abs(path: str) -> str:
    """A path from the command line: relative to the current folder, whatever profile it joins."""
    return str(Path(path).expanduser().absolute())


def _abs_source(spec: str) -> str:
    kind, sep, rest = spec.partition(":")
    return f"{kind}:{_abs(rest)}" if sep and kind in ("file", "image") and rest else spec


def _blocked_words(path: str) -> tuple[str, ...]:
    from studio.live.blocklist import Blocklist

    check_regular_file(path, MAX_BLOCKLIST_BYTES, "blocked-words")  # /dev/zero never ends, a FIFO blocks
    return tuple(Blocklist.load(path).words)


def _feeds(specs: list[str]) -> tuple[Feed, ...]:
    from studio.live.connectors import check_feed_options
    from studio.live.connectors.base import parse_feed_spec

    if any(s.strip().lower() == "none" for s in specs):
        return ()
    out = []
    for text in specs:
        kind, options = parse_feed_spec(text)
        problems = check_feed_options(kind, options, literal_secrets=True)
        if problems:
            raise UserError(f"--feed {kind}: {problems[0]}")
        name = options.pop("name", "")
        out.append(Feed(kind=kind, name=name, options=tuple(options.items())))
    return tuple(out)


def spec_from_args(args: argparse.Namespace, base: ShowSpec | None = None) -> ShowSpec:
    """The show the flags describe, on top of `base` (a profile): each flag given replaces its part."""
    from studio.media.outputs.network import output_name

    spec = base or ShowSpec(audio=(AudioSource("tone"),), layers=(Layer(kind="video", source="testsrc"),))
    canvas = spec.canvas
    if args.size:
        w, h = parse_size(args.size)
        canvas = replace(canvas, width=w, height=h)
    if args.fps is not None:
        canvas = replace(canvas, fps=check_fps(args.fps))
    layers = list(spec.layers)
    if args.video or not any(layer.kind == "video" for layer in layers):
        layers = [layer for layer in layers if layer.kind != "video"]
        layers.insert(0, Layer(kind="video", source=_abs_source(args.video or "testsrc")))
    for text in args.image:
        path, x, y = parse_image_arg(text)
        layers.append(Layer(kind="image", path=_abs(path), x=x, y=y))
    audio = spec.audio
    if args.audio:
        audio = (AudioSource(args.audio),)
    elif not audio:
        audio = (AudioSource("tone"),)
    destinations = spec.destinations
    if args.out or args.out_hevc:
        destinations = tuple([Destination(name=output_name(url), url=url) for url in args.out]
                             + [Destination(name=output_name(url), url=url, codec="hevc")
                                for url in args.out_hevc])
    recording = spec.recording
    if args.record:
        recording = Recording(enabled=True, path=_abs(str(args.record)))
    encoding = spec.encoding
    if args.bitrate is not None:  # its range is checked where it arrives (the flag's type)
        encoding = replace(encoding, bitrate_kbps=args.bitrate)
    if args.encoder:
        encoding = replace(encoding, encoder=args.encoder)
    if getattr(args, "bitrate_mode", None):
        encoding = replace(encoding, bitrate_mode=args.bitrate_mode)
    c = spec.commerce
    changes: dict[str, Any] = {}
    if args.catalog:
        changes["catalog"] = _abs(args.catalog)
    for flag in ("pin", "coupon", "currency", "store_url", "qr"):
        value = getattr(args, flag, None)
        if value:
            changes[flag] = value.strip()
    if args.countdown:
        from studio.commerce.overlays.countdown import parse_mmss

        try:
            changes["countdown_s"] = parse_mmss(args.countdown)
        except ValueError as e:
            raise UserError(str(e)) from None
    if args.chat_overlay:
        changes["chat_overlay"] = True
    if getattr(args, "image_timeout", None) is not None:
        changes["image_timeout"] = args.image_timeout
    commerce: Commerce = replace(c, **changes)
    if commerce.qr not in ("auto", "product", "off") and not commerce.qr.startswith(("https://", "http://")):
        raise UserError(f"--qr {commerce.qr[:40]!r}: use auto, product, off, or an https:// link")
    feeds = spec.feeds if args.feed is None else _feeds(args.feed)
    return replace(spec, canvas=canvas, layers=tuple(layers), audio=audio, destinations=destinations,
                   recording=recording, encoding=encoding, commerce=commerce, feeds=feeds,
                   blocked_words=(_blocked_words(args.blocked_words) if args.blocked_words
                                  else spec.blocked_words),
                   session_log=_abs(args.session_log) if args.session_log else spec.session_log)


def load_base(args: argparse.Namespace) -> ShowSpec | None:
    """The profile (or scene file) the flags start from; its problems are printed, one line each."""
    from studio.app.profile.load import load_profile

    path = args.profile or args.scene
    if args.profile and args.scene:
        raise UserError("give --profile or --scene, not both: a scene file is a profile without a version")
    if path is None:
        return None
    loaded = load_profile(path)
    for problem in loaded.problems:
        say(f"studio: {problem}")
    spec = loaded.spec
    if not spec.audio:
        spec = replace(spec, audio=(AudioSource("tone"),))
    return spec


class StatsFile:
    """`--stats`: JSON lines, a side file. A write that fails (a full disk) is said once and ends the
    file, never the show; created 0600."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._f: IO[str] | None = None
        self.failed = ""
        if path is not None:
            try:
                self._f = create_private(path)
            except OSError as e:
                self._fail(e)

    def write(self, record: dict[str, Any]) -> None:
        if self._f is None:
            return
        try:
            self._f.write(mask_text(json.dumps(record)) + "\n")
            self._f.flush()
        except (OSError, ValueError) as e:
            self._fail(e)

    def close(self) -> None:
        f, self._f = self._f, None
        if f is None:
            return
        try:
            f.close()
        except OSError as e:
            self._fail(e)

    def _fail(self, e: Exception) -> None:
        f, self._f = self._f, None
        if f is not None:
            with contextlib.suppress(OSError):  # the same full disk; said below, once
                f.close()
        if not self.failed:
            self.failed = getattr(e, "strerror", None) or str(e)
            log.info("--stats %s: %s", self.path, e)
            say(f"studio: --stats {self.path} cannot be written ({self.failed}): no more stats lines; "
                "the show goes on")


def run(args: argparse.Namespace) -> int:
    spec = spec_from_args(args, load_base(args))
    if args.save_profile:
        from studio.app.profile.save import save_profile
        from studio.app.profile.secure import secure_secrets

        path = save_profile(secure_secrets(spec), args.save_profile)
        say(f"profile written to {path}: run it with `studio live --profile {path}`")
        return 0
    if args.duration is not None and args.duration <= 0:
        raise UserError("--duration must be a positive number of seconds")
    dests = destination_urls(spec)
    stem = show_stem()  # the recording and the session log of one show are named alike
    r = spec.recording
    asked = Path(spec.resolve(r.path)) if r.enabled and r.path else None
    record = recording_path(spec, stem)
    if not dests and record is None:
        raise UserError("nothing to do: give --out rtmp://host/app/KEY and/or --record show.mkv")
    if asked is not None and record is not None and record != asked:
        say(f"studio: {asked} already exists: recording to {record} instead (nothing is replaced)")
    bus = EventBus()
    built = build_show(spec, bus, strict=True, stem=stem)
    show = built.show
    show.config.outputs = [url for _, url, _ in dests]
    show.config.codecs = {url: codec for _, url, codec in dests}
    show.config.record = record
    demo = built.demo  # fixed for the show: the final stats line says it too, after the feeds stopped
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)

    def on_state(ev: StreamStateChanged) -> None:
        if not args.quiet and ev.state in ("reconnecting", "stalled", "gave_up", "error", "live"):
            say(f"studio: {ev.output}: {ev.state} {ev.message}")

    bus.subscribe(StreamStateChanged, on_state)

    def on_bitrate(ev: BitrateChanged) -> None:
        if not args.quiet:
            say(f"studio: bitrate {ev.previous_kbps} → {ev.kbps} kbps ({ev.output}: {ev.reason})")

    def on_encoder(ev: EncoderProblem) -> None:
        say(f"studio: {ev.message}")  # said even with --quiet: the show has changed

    bus.subscribe(BitrateChanged, on_bitrate)
    bus.subscribe(EncoderProblem, on_encoder)
    if demo and not args.quiet:
        say("studio: DEMO DATA: the demo feed is on; its orders, chat and viewers are simulated")
    stats = StatsFile(args.stats)
    started = False
    try:
        try:
            show.start()
        except EncoderError as e:
            raise UserError(str(e)) from None
        started = True
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
                s = replace(show.stats(), demo=demo)
                if not args.quiet:
                    say(status_line(s))
                stats.write(s.as_dict())
            if deadline is not None and now >= deadline:
                break
    finally:
        try:
            built.stop()  # the recording is finalised here, whatever a side file did
        finally:
            summaries = show.summaries()
            try:
                final = {**replace(show.stats(), demo=demo).as_dict(), "final": True}
                stats.write({**final, "summary": summary_dict(summaries)})
            finally:
                stats.close()
                if started:
                    # the destinations' lines are the show's result: said even with --quiet
                    rec = show.recording
                    lines = summary_lines(summaries, None if args.quiet or rec is None else rec.path)
                    for line in lines:
                        say(f"studio: {line}")
    # every destination went live at least once: 0; one never did: 3 (the recording is complete either way)
    return 0 if all(d.went_live for d in summaries) else NEVER_LIVE_EXIT
