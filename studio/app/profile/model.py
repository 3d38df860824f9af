"""The show model: one frozen description of a whole show, read from and written to a profile file.

The window's Settings and `studio live` both build their show from a `ShowSpec` (studio/app/assemble.py)
and nothing else. Every value here is already validated (studio/app/profile/load.py); edits make a new
spec with `dataclasses.replace`, never mutate one, so a spec handed to another thread stays true.

Secrets never appear in a spec: a destination's key and a feed's token are references,
`${keyring:NAME}` or `${ENV_VAR}`, expanded only when the show starts (studio/core/secrets.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

SCHEMA_VERSION = 2  # 1: the desktop settings.toml of 0.1; 0 (no version): a scene file
LANGUAGES = ("en", "zh_CN")
ENCODERS = ("auto", "libx264", "h264_nvenc", "h264_qsv", "h264_amf", "h264_videotoolbox", "h264_mf")
BITRATE_MODES = ("adaptive", "cbr")
VIDEO_CODECS = ("h264", "hevc")
LAYER_KINDS = ("video", "image", "text")
MAX_SIDE = 4096
MAX_GAIN = 4.0  # 0 (silent) to 4 (+12 dB)


@dataclass(frozen=True)
class Canvas:
    width: int = 1280
    height: int = 720
    fps: Fraction = Fraction(30)

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    @property
    def vertical(self) -> bool:
        return self.height > self.width


@dataclass(frozen=True)
class Layer:
    """One layer of the canvas; the list order is the z-order (later layers are drawn on top).

    kind "video": `source` is any `studio live --video` spec (testsrc, camera:N, file:PATH, url:…,
    image:PATH; "camera" is the host's chosen camera). kind "image": `path` to a PNG/JPEG. kind
    "text": `text` in `color` at `font_size` pixels, on `background` (empty: transparent).
    """

    kind: str = "video"
    name: str = ""
    source: str = ""
    path: str = ""
    text: str = ""
    font_size: int = 36
    color: str = "#ffffff"
    background: str = ""
    x: int = 0
    y: int = 0
    width: int | None = None    # None: the canvas (video), the image's or the text's own size
    height: int | None = None
    crop: tuple[int, int, int, int] = (0, 0, 0, 0)   # left, top, right, bottom source pixels cut away
    opacity: float = 1.0
    visible: bool = True

    @property
    def label(self) -> str:
        return self.name or self.source or self.path or self.text[:20] or self.kind


@dataclass(frozen=True)
class AudioSource:
    source: str = "auto"     # any --audio spec; auto: the default microphone, or a muted tone
    gain: float = 1.0
    muted: bool = False
    name: str = ""


@dataclass(frozen=True)
class Destination:
    """Where to stream: `url` is the full ingest URL with the key as a reference, e.g.
    `rtmp://a.rtmp.youtube.com/live2/${keyring:youtube-main}`."""

    name: str = "Custom"
    preset: str = "custom"
    url: str = ""
    enabled: bool = True
    codec: str = "h264"   # h264 (every platform) | hevc (Enhanced RTMP: YouTube)


@dataclass(frozen=True)
class Recording:
    enabled: bool = False
    path: str = ""      # a file (show.mkv); empty: a new show-DATE.mkv in `folder`
    folder: str = ""    # empty: <data folder>/recordings


@dataclass(frozen=True)
class Encoding:
    encoder: str = "auto"
    bitrate_kbps: int = 3500
    bitrate_mode: str = "adaptive"   # adaptive: follow each destination's link; cbr: never lower it


@dataclass(frozen=True)
class Commerce:
    catalog: str = ""              # file; empty: no products
    currency: str = ""             # for catalogs that name none (Shopify exports); empty: USD
    store_url: str = ""            # base for product links of catalogs that give handles only
    pin: str = ""                  # SKU pinned when the show starts
    countdown_s: int | None = None  # flash-sale countdown started with the show (written "MM:SS")
    coupon: str = ""
    # auto: the pinned product's link, unless a destination's platform forbids off-platform QR codes or
    # the canvas is 9:16 (viewers would scan the phone they watch on); product: always; off; a fixed URL
    qr: str = "auto"
    chat_overlay: bool = False
    image_timeout: float = 3.0


@dataclass(frozen=True)
class Feed:
    """A live data connector: `kind` from the connector registry, `options` as its declaration names
    them (secrets as references)."""

    kind: str
    name: str = ""
    enabled: bool = True
    options: tuple[tuple[str, str], ...] = ()

    @property
    def option_map(self) -> dict[str, str]:
        return dict(self.options)


@dataclass(frozen=True)
class ShowSpec:
    version: int = SCHEMA_VERSION
    language: str = "en"
    canvas: Canvas = field(default_factory=Canvas)
    layers: tuple[Layer, ...] = ()
    audio: tuple[AudioSource, ...] = ()
    destinations: tuple[Destination, ...] = ()
    recording: Recording = field(default_factory=Recording)
    encoding: Encoding = field(default_factory=Encoding)
    commerce: Commerce = field(default_factory=Commerce)
    feeds: tuple[Feed, ...] = ()
    blocked_words: tuple[str, ...] = ()
    session_log: str = ""          # a .sqlite file, or empty: a new one per show under the data folder
    base_dir: str = ""             # the profile's folder: its relative paths start there (not saved)

    def resolve(self, path: str) -> str:
        """`path` as written in the profile, made absolute against the profile's folder."""
        from pathlib import Path

        if not path or not self.base_dir or Path(path).expanduser().is_absolute():
            return str(Path(path).expanduser()) if path else path
        return str(Path(self.base_dir) / path)

    @property
    def demo(self) -> bool:
        """True when any enabled feed is the simulated demo feed."""
        return any(f.enabled and f.kind == "demo" for f in self.feeds)
