"""Reading a show profile: one loader for the window and `studio live`.

Every problem is reported as `FILE:LINE: what is wrong — what to write instead`, unknown keys with the
nearest valid name. One bad value costs that value (its default is used and the problem is reported),
not the whole file; only a file that is not TOML at all, or not readable, is refused (`UserError`).
Files of an older schema are migrated (`migrate`), never rejected: version 1 is the desktop's
`settings.toml` of 0.1, no version at all is a scene file (docs/scene.md), which is a profile subset.
"""

from __future__ import annotations

import difflib
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from studio.app.profile.model import (
    ENCODERS,
    LANGUAGES,
    LAYER_KINDS,
    MAX_GAIN,
    MAX_SIDE,
    SCHEMA_VERSION,
    AudioSource,
    Canvas,
    Commerce,
    Destination,
    Encoding,
    Feed,
    Layer,
    Recording,
    ShowSpec,
)
from studio.core.errors import UserError

MAX_FILE = 4 * 1024 * 1024   # a profile is a few kB; a bigger file is not one
MAX_TEXT = 2000              # any one text value
_COLOR = re.compile(r"#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?")
_SKIP = object()


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Loaded:
    spec: ShowSpec
    problems: list[Problem] = field(default_factory=list)
    migrated_from: int | None = None


# -- where keys are: a line index over the text ---------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*')\s*=")


def line_index(text: str) -> dict[tuple[Any, ...], int]:
    """(table, [index,] key) → line number of where it is written, e.g. ("layer", 1, "x") → 17.
    Good enough for the files people write (headers and `key = value` lines); 1 when unknown."""
    where: dict[tuple[Any, ...], int] = {}
    counts: dict[str, int] = {}
    path: tuple[Any, ...] = ()
    in_multiline = False
    for n, line in enumerate(text.splitlines(), 1):
        if in_multiline:
            if line.count('"""') % 2 or line.count("'''") % 2:
                in_multiline = False
            continue
        m = _HEADER.match(line)
        if m:
            name = m.group(2).strip().strip("\"'")
            if m.group(1) == "[[":
                i = counts.get(name, 0)
                counts[name] = i + 1
                path = (name, i)
            else:
                path = tuple(name.split("."))
            where.setdefault(path, n)
            continue
        k = _KEY.match(line)
        if k:
            where.setdefault((*path, k.group(1).strip("\"'")), n)
            if line.count('"""') % 2 or line.count("'''") % 2:
                in_multiline = True
    return where


class Reader:
    """Collects problems while reading one file's tables."""

    def __init__(self, file: str, lines: dict[tuple[Any, ...], int]) -> None:
        self.file, self.lines = file, lines
        self.problems: list[Problem] = []

    def line(self, *path: Any) -> int:
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return 1

    def problem(self, path: tuple[Any, ...], message: str) -> None:
        self.problems.append(Problem(self.file, self.line(*path), message))

    def unknown(self, table: dict[str, Any], path: tuple[Any, ...], known: list[str], what: str) -> None:
        for key in table:
            if key in known:
                continue
            near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f"did you mean '{near[0]}'?" if near else f"{what} takes {', '.join(known)}"
            self.problem((*path, key), f"unknown key '{key}' in {_name(path)} — {hint}")

    def value(self, table: dict[str, Any], path: tuple[Any, ...], key: str, kind: str, default: Any,
              check: Callable[[Any], str | None] | None = None) -> Any:
        """table[key] as `kind` (int, number, bool, text, texts, ints4), `default` when absent or bad."""
        if key not in table:
            return default
        raw = table[key]
        got = _convert(raw, kind)
        if got is _SKIP:
            self.problem((*path, key), f"'{key}' in {_name(path)} must be {_KIND_WORDS[kind]}, "
                                       f"not {_show(raw)} "
                                       f"— write e.g. {key} = {_example(kind, default)}")
            return default
        if check is not None:
            why = check(got)
            if why:
                self.problem((*path, key), f"'{key}' {_show(raw)} in {_name(path)}: {why}")
                return default
        return got


_KIND_WORDS = {"int": "a whole number", "number": "a number", "bool": "true or false",
               "text": "text in quotes",
               "texts": "a list of texts", "ints4": "[left, top, right, bottom] whole pixels",
               "opt_int": "a whole number"}


def _convert(raw: Any, kind: str) -> Any:
    if kind in ("int", "opt_int"):
        return raw if isinstance(raw, int) and not isinstance(raw, bool) else _SKIP
    if kind == "number":
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
            return _SKIP
        return float(raw)
    if kind == "bool":
        return raw if isinstance(raw, bool) else _SKIP
    if kind == "text":
        return raw if isinstance(raw, str) and len(raw) <= MAX_TEXT and "\x00" not in raw else _SKIP
    if kind == "texts":
        ok = isinstance(raw, list) and all(isinstance(v, str) and len(v) <= MAX_TEXT for v in raw)
        return tuple(raw) if ok else _SKIP
    if kind == "ints4":
        ok = (isinstance(raw, list) and len(raw) == 4
              and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_SIDE for v in raw))
        return tuple(raw) if ok else _SKIP
    raise AssertionError(kind)


def _example(kind: str, default: Any) -> str:
    if kind == "text":
        return f'"{default}"' if default else '"…"'
    if kind == "bool":
        return "true" if default else "false"
    if kind == "texts":
        return '["…"]'
    if kind == "ints4":
        return "[0, 0, 0, 0]"
    return str(default) if default is not None else "100"


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _name(path: tuple[Any, ...]) -> str:
    if not path:
        return "the profile"
    if len(path) >= 2 and isinstance(path[1], int):
        return f"[[{path[0]}]] {path[1] + 1}"
    return f"[{'.'.join(str(p) for p in path)}]"


# -- checks -----------------------------------------------------------------------------------------

def _side(v: int) -> str | None:
    return None if 16 <= v <= MAX_SIDE and v % 2 == 0 else f"use an even number from 16 to {MAX_SIDE}"


def _dim(v: int) -> str | None:
    return None if 2 <= v <= MAX_SIDE else f"use 2 to {MAX_SIDE}, or leave it out for the full size"


def _pos(v: int) -> str | None:
    return None if -MAX_SIDE <= v <= MAX_SIDE else f"use -{MAX_SIDE} to {MAX_SIDE}"


def _between(lo: float, hi: float) -> Callable[[float], str | None]:
    return lambda v: None if lo <= v <= hi else f"use {lo:g} to {hi:g}"


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str | None]:
    return lambda v: None if v in choices else f"use one of {', '.join(choices)}"


def _rtmp_url(v: str) -> str | None:
    if not v or v.lower().startswith(("rtmp://", "rtmps://")):
        return None
    return "a destination URL starts with rtmp:// or rtmps://"


def _mmss(v: str) -> str | None:
    from studio.commerce.overlays.countdown import parse_mmss

    try:
        parse_mmss(v)
    except ValueError as e:
        return str(e)
    return None


def _qr(v: str) -> str | None:
    if v in ("product", "off") or v.startswith(("https://", "http://")):
        return None
    return 'use "product" (the pinned product\'s link), "off", or an https:// link'


def _color(v: str) -> str | None:
    return None if not v or _COLOR.fullmatch(v) else 'use "#rrggbb" or "#rrggbbaa", e.g. "#ffffff"'


def _currency(v: str) -> str | None:
    return None if not v or re.fullmatch(r"[A-Z]{3}", v) else 'use an ISO 4217 code in capitals, e.g. "CNY"'


# -- the sections -----------------------------------------------------------------------------------

TOP_KEYS = ["version", "language", "session_log", "canvas", "layer", "audio", "destination", "recording",
            "encoder", "commerce", "feed", "chat"]


def _table(r: Reader, data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        r.problem((key,), f"'{key}' must be a table: write [{key}] on a line of its own")
        return {}
    return value


def _tables(r: Reader, data: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    value = data.get(key, [])
    if not isinstance(value, list):
        r.problem((key,), f"'{key}' must be written as [[{key}]] tables, one per {key}")
        return []
    out = []
    for i, t in enumerate(value):
        if isinstance(t, dict):
            out.append((i, t))
        else:
            r.problem((key, i), f"[[{key}]] {i + 1} must be a table, not {_show(t)}")
    return out


def _canvas(r: Reader, t: dict[str, Any]) -> Canvas:
    p = ("canvas",)
    r.unknown(t, p, ["width", "height", "fps"], "[canvas]")
    d = Canvas()
    fps = r.value(t, p, "fps", "number", float(d.fps), _between(1, 120))
    from studio.media.clock import as_rate

    return Canvas(r.value(t, p, "width", "int", d.width, _side),
                  r.value(t, p, "height", "int", d.height, _side),
                  Fraction(as_rate(fps)))


LAYER_KEYS = {"video": ["kind", "name", "source", "x", "y", "width", "height", "crop", "opacity", "visible"],
              "image": ["kind", "name", "path", "x", "y", "width", "height", "opacity", "visible"],
              "text": ["kind", "name", "text", "font_size", "color", "background", "x", "y", "width",
                       "height",
                       "opacity", "visible"]}


def _layer(r: Reader, i: int, t: dict[str, Any]) -> Layer | None:
    p = ("layer", i)
    kind = r.value(t, p, "kind", "text", "video", _one_of(LAYER_KINDS))
    if "kind" in t and t["kind"] != kind:
        return None  # reported: a layer of no known kind is left out
    r.unknown(t, p, LAYER_KEYS[kind], f"a {kind} layer")
    d = Layer()
    common: dict[str, Any] = {
        "kind": kind, "name": r.value(t, p, "name", "text", ""),
        "x": r.value(t, p, "x", "int", 0, _pos), "y": r.value(t, p, "y", "int", 0, _pos),
        "width": r.value(t, p, "width", "opt_int", None, _dim),
        "height": r.value(t, p, "height", "opt_int", None, _dim),
        "opacity": r.value(t, p, "opacity", "number", 1.0, _between(0, 1)),
        "visible": r.value(t, p, "visible", "bool", True)}
    required = {"video": "source", "image": "path", "text": "text"}[kind]
    value = r.value(t, p, required, "text", "")
    if not value.strip():
        if required not in t:
            example = {"source": '"camera"', "path": '"logo.png"', "text": '"Free shipping"'}[required]
            r.problem(p, f"[[layer]] {i + 1} ({kind}) has no '{required}' — write e.g. "
                         f"{required} = {example}")
        elif isinstance(t.get(required), str):
            r.problem((*p, required), f"'{required}' of [[layer]] {i + 1} is empty — the layer is left out")
        return None
    if kind == "video":
        return Layer(source=value, crop=r.value(t, p, "crop", "ints4", d.crop), **common)
    if kind == "image":
        return Layer(path=value, **common)
    return Layer(text=value, font_size=r.value(t, p, "font_size", "int", d.font_size, _between(6, 400)),
                 color=r.value(t, p, "color", "text", d.color, _color) or d.color,
                 background=r.value(t, p, "background", "text", "", _color), **common)


def _audio(r: Reader, i: int, t: dict[str, Any]) -> AudioSource:
    p = ("audio", i)
    r.unknown(t, p, ["source", "gain", "muted", "name"], "an [[audio]] source")
    return AudioSource(source=r.value(t, p, "source", "text", "auto") or "auto",
                       gain=r.value(t, p, "gain", "number", 1.0, _between(0, MAX_GAIN)),
                       muted=r.value(t, p, "muted", "bool", False), name=r.value(t, p, "name", "text", ""))


def _destination(r: Reader, i: int, t: dict[str, Any]) -> Destination | None:
    from studio.core.secrets import stream_key_of

    p = ("destination", i)
    r.unknown(t, p, ["name", "preset", "url", "enabled"], "a [[destination]]")
    url = r.value(t, p, "url", "text", "", _rtmp_url)
    key = stream_key_of(url) or ""
    if key and "${" not in key:
        r.problem((*p, "url"), f"[[destination]] {i + 1} holds its stream key in plain text — write the "
                               "key as ${keyring:NAME} or ${ENV_VAR} and keep it in the OS keyring or the "
                               "environment")
    return Destination(name=r.value(t, p, "name", "text", "Custom") or "Custom",
                       preset=r.value(t, p, "preset", "text", "custom") or "custom",
                       url=url, enabled=r.value(t, p, "enabled", "bool", True))


def _recording(r: Reader, t: dict[str, Any]) -> Recording:
    p = ("recording",)
    r.unknown(t, p, ["enabled", "path", "folder"], "[recording]")
    return Recording(enabled=r.value(t, p, "enabled", "bool", False), path=r.value(t, p, "path", "text", ""),
                     folder=r.value(t, p, "folder", "text", ""))


def _encoder(r: Reader, t: dict[str, Any]) -> Encoding:
    p = ("encoder",)
    r.unknown(t, p, ["name", "bitrate_kbps"], "[encoder]")
    return Encoding(encoder=r.value(t, p, "name", "text", "auto", _one_of(ENCODERS)),
                    bitrate_kbps=r.value(t, p, "bitrate_kbps", "int", 3500, _between(100, 50000)))


COMMERCE_KEYS = ["catalog", "currency", "store_url", "pin", "countdown", "coupon", "qr", "chat_overlay",
                 "image_timeout"]


def _commerce(r: Reader, t: dict[str, Any]) -> Commerce:
    from studio.commerce.overlays.countdown import parse_mmss

    p = ("commerce",)
    r.unknown(t, p, COMMERCE_KEYS, "[commerce]")
    countdown = r.value(t, p, "countdown", "text", "", lambda v: _mmss(v) if v else None)
    return Commerce(catalog=r.value(t, p, "catalog", "text", ""),
                    currency=r.value(t, p, "currency", "text", "", _currency),
                    store_url=r.value(t, p, "store_url", "text", ""),
                    pin=r.value(t, p, "pin", "text", "").strip(),
                    countdown_s=parse_mmss(countdown) if countdown else None,
                    coupon=r.value(t, p, "coupon", "text", "").strip(),
                    qr=r.value(t, p, "qr", "text", "product", _qr),
                    chat_overlay=r.value(t, p, "chat_overlay", "bool", False),
                    image_timeout=r.value(t, p, "image_timeout", "number", 3.0, _between(0.1, 60)))


def _feed(r: Reader, i: int, t: dict[str, Any]) -> Feed | None:
    from studio.live.connectors import check_feed_options, connector_types

    p = ("feed", i)
    kinds = list(connector_types())
    if "kind" not in t:
        r.problem(p, f"[[feed]] {i + 1} has no 'kind' — write e.g. kind = \"youtube\" ({', '.join(kinds)})")
        return None
    kind = r.value(t, p, "kind", "text", "", _one_of(tuple(kinds)))
    if not kind:
        return None
    options: dict[str, str] = {}
    for key, raw in t.items():
        if key in ("kind", "name", "enabled"):
            continue
        if isinstance(raw, bool):
            options[key] = "true" if raw else "false"
        elif isinstance(raw, (int, float, str)) and len(str(raw)) <= MAX_TEXT:
            options[key] = str(raw)
        else:
            r.problem((*p, key), f"'{key}' in [[feed]] {i + 1} must be text, a number or true/false, "
                                 f"not {_show(raw)}")
    good = dict(options)
    for message in check_feed_options(kind, options):
        bad = next((k for k in options
                    if f"'{k}'" in message or f" {k}=" in message or f" {k} " in message), None)
        r.problem((*p, bad) if bad else p, f"[[feed]] {i + 1} ({kind}): {message}")
        if bad is not None:
            good.pop(bad, None)
    return Feed(kind=kind, name=r.value(t, p, "name", "text", ""),
                enabled=r.value(t, p, "enabled", "bool", True),
                options=tuple(good.items()))


def read_spec(data: dict[str, Any], r: Reader, base_dir: str = "") -> ShowSpec:
    """A `ShowSpec` from parsed current-version TOML data; problems go to `r`."""
    r.unknown(data, (), TOP_KEYS, "a profile")
    d = ShowSpec()
    chat = _table(r, data, "chat")
    r.unknown(chat, ("chat",), ["blocked_words"], "[chat]")
    layers = [_layer(r, i, t) for i, t in _tables(r, data, "layer")]
    dests = [_destination(r, i, t) for i, t in _tables(r, data, "destination")]
    feeds = [_feed(r, i, t) for i, t in _tables(r, data, "feed")]
    return ShowSpec(
        version=SCHEMA_VERSION,
        language=r.value(data, (), "language", "text", d.language, _one_of(LANGUAGES)),
        canvas=_canvas(r, _table(r, data, "canvas")),
        layers=tuple(x for x in layers if x is not None),
        audio=tuple(_audio(r, i, t) for i, t in _tables(r, data, "audio")),
        destinations=tuple(x for x in dests if x is not None),
        recording=_recording(r, _table(r, data, "recording")),
        encoding=_encoder(r, _table(r, data, "encoder")),
        commerce=_commerce(r, _table(r, data, "commerce")),
        feeds=tuple(x for x in feeds if x is not None),
        blocked_words=tuple(w for w in r.value(chat, ("chat",), "blocked_words", "texts", ()) if w.strip()),
        session_log=r.value(data, (), "session_log", "text", ""),
        base_dir=base_dir)


# -- migration --------------------------------------------------------------------------------------

def migrate(data: dict[str, Any]) -> tuple[dict[str, Any], int | None]:
    """Current-version data from any older one; (data, the version it was) — None when it was current."""
    version = data.get("version")
    if version == SCHEMA_VERSION:
        return data, None
    if version is None:
        return dict(data, version=SCHEMA_VERSION), 0   # a scene file: [canvas], [[layer]], [[audio]] as today
    if version == 1 and isinstance(data, dict):
        return _from_settings_v1(data), 1
    return data, None  # a newer or unknown version: read what we know, report the rest


def _items(old: dict[str, Any], key: str) -> list[Any]:
    value = old.get(key)
    return value if isinstance(value, list) else []


def _from_settings_v1(old: dict[str, Any]) -> dict[str, Any]:
    """The desktop's settings.toml of 0.1: flat canvas keys, destinations with a keyring `key_name`,
    layers with a `source` only, `feeds` as --feed spec strings."""
    new: dict[str, Any] = {"version": SCHEMA_VERSION}
    for key in ("language",):
        if key in old:
            new[key] = old[key]
    canvas = {k: old[k] for k in ("width", "height", "fps") if k in old}
    if canvas:
        new["canvas"] = canvas
    enc = {}
    if "encoder" in old:
        enc["name"] = old["encoder"]
    if "bitrate_kbps" in old:
        enc["bitrate_kbps"] = old["bitrate_kbps"]
    if enc:
        new["encoder"] = enc
    rec: dict[str, Any] = {"enabled": old.get("record", True)}
    if old.get("recordings_dir"):
        rec["folder"] = old["recordings_dir"]
    new["recording"] = rec
    camera = old.get("camera", "auto")
    layers = []
    for t in _items(old, "layers"):
        if isinstance(t, dict):
            kept = ("source", "x", "y", "width", "height", "visible", "name")
            layer = {k: v for k, v in t.items() if k in kept}
            if layer.get("source") == "camera" and camera != "auto":
                layer["source"] = camera
            layers.append({"kind": "video", **layer})
    if not layers:
        layers = [{"kind": "video", "name": "Camera", "source": camera if camera != "auto" else "camera"}]
    new["layer"] = layers
    if isinstance(old.get("audio"), list):
        new["audio"] = [{k: v for k, v in a.items() if k in ("source", "gain", "muted")}
                        for a in old["audio"] if isinstance(a, dict)]
    dests = []
    for d in _items(old, "destinations"):
        if not isinstance(d, dict):
            continue
        server = str(d.get("server", ""))
        url = server
        if d.get("key_name") and server:
            from studio.app.presets import stream_url

            url = stream_url(server, f"${{keyring:{d['key_name']}}}")
        dests.append({"name": d.get("name", "Custom"), "preset": d.get("preset", "custom"), "url": url,
                      "enabled": d.get("enabled", True)})
    if dests:
        new["destination"] = dests
    if old.get("catalog"):
        new["commerce"] = {"catalog": old["catalog"]}
    feeds = []
    for spec in _items(old, "feeds"):
        if not isinstance(spec, str) or spec.strip().lower() == "none":
            continue
        from studio.live.connectors.base import parse_feed_spec

        try:
            kind, opts = parse_feed_spec(spec)
        except UserError:
            continue
        feeds.append({"kind": kind, **opts})
    if feeds:
        new["feed"] = feeds
    if old.get("blocked_words"):
        new["chat"] = {"blocked_words": old["blocked_words"]}
    return new


# -- the entry points --------------------------------------------------------------------------------

def parse_profile(text: str, file: str = "profile.toml", base_dir: str = "") -> Loaded:
    """Parse profile text; UserError only when it is not TOML at all."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"{file}: not valid TOML ({e}) — fix that line; docs/profile.md has a full "
                        "example") from None
    except RecursionError:
        raise UserError(f"{file}: arrays or tables are nested too deeply to be a profile") from None
    r = Reader(file, line_index(text))
    version = data.get("version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        r.problem(("version",), f"'version' must be a whole number, not {_show(version)} — write "
                                f"version = {SCHEMA_VERSION}")
        data = {k: v for k, v in data.items() if k != "version"}
    elif version > SCHEMA_VERSION:
        r.problem(("version",), f"this profile is version {version}, written by a newer studio; this one "
                                f"reads "
                                f"version {SCHEMA_VERSION} — what it does not know is left out")
        data = dict(data, version=SCHEMA_VERSION)
    data, was = migrate(data)
    if was is not None:
        r = Reader(file, {} if was == 1 else r.lines)  # a migrated settings file has other line numbers
    spec = read_spec(data, r, base_dir)
    return Loaded(spec, r.problems, was)


def load_profile(path: str | Path) -> Loaded:
    p = Path(path).expanduser()
    try:
        if p.stat().st_size > MAX_FILE:
            raise UserError(f"{p}: {p.stat().st_size // 1024} KiB is too big for a profile (at most "
                            f"{MAX_FILE // 1024 // 1024} MiB) — is it the right file?")
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"profile {p} does not exist — check the path, or write one with "
                        "`studio live … --save-profile FILE`") from None
    except IsADirectoryError:
        raise UserError(f"profile {p} is a folder — give the .toml file inside it") from None
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"profile {p} cannot be read ({e.__class__.__name__}: {e})") from None
    return parse_profile(text, str(p), str(p.resolve().parent))
