"""Scene files (TOML): a canvas, its layers and its audio sources, set up once for a kiosk.

See docs/scene.md for the format. Every error names the file, the table and the field.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from studio.core.errors import UserError
from studio.media.clock import as_rate

MAX_SIDE = 4096
MAX_GAIN = 4.0  # as in the settings dialog: 0 (silent) to 4 (+12 dB)


@dataclass(frozen=True)
class VideoLayerSpec:
    source: str
    x: int = 0
    y: int = 0
    width: int | None = None
    height: int | None = None
    crop: tuple[int, int, int, int] = (0, 0, 0, 0)
    visible: bool = True


@dataclass(frozen=True)
class ImageLayerSpec:
    path: str
    x: int = 0
    y: int = 0
    width: int | None = None
    height: int | None = None
    opacity: float = 1.0
    visible: bool = True


@dataclass(frozen=True)
class AudioSpec:
    source: str
    gain: float = 1.0
    muted: bool = False


@dataclass(frozen=True)
class Scene:
    size: tuple[int, int] = (1280, 720)
    fps: Fraction = Fraction(30)
    layers: tuple[VideoLayerSpec | ImageLayerSpec, ...] = ()
    audio: tuple[AudioSpec, ...] = field(default_factory=tuple)


def parse_size(text: str, what: str = "--size") -> tuple[int, int]:
    try:
        w_s, h_s = text.lower().split("x")
        w, h = int(w_s), int(h_s)
    except ValueError:
        raise UserError(f"{what} '{text}' is not WIDTHxHEIGHT: use e.g. 1280x720 or 720x1280") from None
    check_size(w, h, what)
    return w, h


def check_size(w: int, h: int, what: str) -> None:
    if not (16 <= w <= MAX_SIDE and 16 <= h <= MAX_SIDE) or w % 2 or h % 2:
        raise UserError(f"{what} {w}x{h} is not supported: width and height must be even numbers "
                        f"between 16 and {MAX_SIDE}, e.g. 1280x720, 1920x1080, 720x1280")


def check_fps(fps: float, what: str = "--fps") -> Fraction:
    if not (1 <= fps <= 120):
        raise UserError(f"{what} {fps} is not supported: use a frame rate from 1 to 120, e.g. 30")
    return as_rate(fps)


def _get(table: dict, key: str, kind, where: str, default=None, required: bool = False):
    if key not in table:
        if required:
            raise UserError(f"{where}: '{key}' is missing")
        return default
    value = table[key]
    ok = isinstance(value, kind) and not (kind in (int, float) and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value, ok = float(value), True
    if not ok:
        names = {int: "an integer", float: "a number", str: "text", bool: "true or false", list: "a list"}
        raise UserError(f"{where}: '{key}' must be {names.get(kind, kind.__name__)}, not {_show(value)}")
    return value


def _show(value: object) -> str:
    """`repr` of a bad value, capped: a 100 000-character string must not become the error message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def load_scene(path: str | Path) -> Scene:
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UserError(f"scene file {p} does not exist: check the path") from None
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"scene file {p} cannot be read ({e})") from None
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"scene file {p} is not valid TOML: {e}") from None
    except RecursionError:
        raise UserError(f"scene file {p} is not a scene: its arrays or tables are nested too deeply") from None
    canvas = data.get("canvas", {})
    if not isinstance(canvas, dict):
        raise UserError(f"{p}: [canvas] must be a table")
    w = _get(canvas, "width", int, f"{p} [canvas]", 1280)
    h = _get(canvas, "height", int, f"{p} [canvas]", 720)
    check_size(w, h, f"{p} [canvas] size")
    fps = check_fps(_get(canvas, "fps", float, f"{p} [canvas]", 30.0), f"{p} [canvas] fps")
    layers: list = []
    raw_layers = data.get("layer", [])
    if not isinstance(raw_layers, list):
        raise UserError(f"{p}: layers are written as [[layer]] tables")
    for i, t in enumerate(raw_layers, 1):
        where = f"{p} layer {i}"
        if not isinstance(t, dict):
            raise UserError(f"{where}: a layer is a [[layer]] table, not {_show(t)}")
        kind = _get(t, "kind", str, where, "video")
        common = dict(x=_get(t, "x", int, where, 0), y=_get(t, "y", int, where, 0),
                      width=_get(t, "width", int, where), height=_get(t, "height", int, where),
                      visible=_get(t, "visible", bool, where, True))
        for dim in ("width", "height"):
            if common[dim] is not None and not (2 <= common[dim] <= MAX_SIDE):
                raise UserError(f"{where}: '{dim}' {common[dim]} must be between 2 and {MAX_SIDE}")
        if kind == "video":
            crop = _get(t, "crop", list, where, [0, 0, 0, 0])
            if len(crop) != 4 or not all(isinstance(c, int) and c >= 0 for c in crop):
                raise UserError(f"{where}: 'crop' must be [left, top, right, bottom] in pixels, each 0 or more")
            layers.append(VideoLayerSpec(source=_get(t, "source", str, where, required=True),
                                         crop=tuple(crop), **common))
        elif kind == "image":
            opacity = _get(t, "opacity", float, where, 1.0)
            if not 0.0 <= opacity <= 1.0:
                raise UserError(f"{where}: 'opacity' must be between 0 and 1")
            img = _get(t, "path", str, where, required=True)
            img_path = (p.parent / img) if not Path(img).is_absolute() else Path(img)
            layers.append(ImageLayerSpec(path=str(img_path), opacity=opacity, **common))
        else:
            raise UserError(f"{where}: unknown kind '{kind}': use \"video\" or \"image\"")
    audio = []
    raw_audio = data.get("audio", [])
    if not isinstance(raw_audio, list):
        raise UserError(f"{p}: audio sources are written as [[audio]] tables")
    for i, t in enumerate(raw_audio, 1):
        where = f"{p} audio {i}"
        if not isinstance(t, dict):
            raise UserError(f"{where}: an audio source is an [[audio]] table, not {_show(t)}")
        gain = _get(t, "gain", float, where, 1.0)
        if not 0.0 <= gain <= MAX_GAIN:  # also refuses nan and inf
            raise UserError(f"{where}: 'gain' must be between 0 and {MAX_GAIN:g}")
        audio.append(AudioSpec(source=_get(t, "source", str, where, required=True),
                               gain=gain, muted=_get(t, "muted", bool, where, False)))
    unknown = set(data) - {"canvas", "layer", "audio"}
    if unknown:
        raise UserError(f"{p}: unknown table(s) {', '.join(sorted(unknown))}: a scene has [canvas], "
                        "[[layer]] and [[audio]]")
    return Scene((w, h), fps, tuple(layers), tuple(audio))
