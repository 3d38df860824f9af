"""Reading a show profile: one loader for the window and `studio live`.

Every problem is reported as `FILE:LINE: what is wrong — what to write instead`, unknown keys with the
nearest valid name. One bad value costs that value (its default is used and the problem is reported),
not the whole file; only a file that cannot be read, or is not TOML at all, is refused (`UserError`,
`FILE: what is wrong — what to do`, with `:LINE` when the line is known). Files of an older schema
are migrated, never rejected: version 1 is the desktop's `settings.toml` of 0.1, no version at all
(or 0) is a scene file (docs/scene.md), which is a profile subset. docs/profile.md is the reference.

Line numbers come from `lines.py`, value rules and messages from `values.py`, migration from
`migrate.py`; this module reads each table of the profile.
"""

from __future__ import annotations

import math
import re
import stat
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from studio.app.profile.lines import Key, line_index
from studio.app.profile.migrate import migrate
from studio.app.profile.model import (
    BITRATE_MODES,
    ENCODERS,
    LANGUAGES,
    LAYER_KINDS,
    MAX_GAIN,
    SCHEMA_VERSION,
    VIDEO_CODECS,
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
from studio.app.profile.values import (
    DOCS,
    Problem,
    Reader,
    article,
    check_between,
    check_color,
    check_crop,
    check_currency,
    check_dim,
    check_mmss,
    check_one_of,
    check_pos,
    check_preset,
    check_qr,
    check_rtmp_url,
    check_side,
    check_web_url,
    near_hint,
    show_value,
    table_name,
    text_problem,
)
from studio.core.errors import UserError
from studio.core.secrets import register_secret, stream_key_of

MAX_FILE = 4 * 1024 * 1024   # a profile is a few kB; a bigger file is not one
_REF = re.compile(r"\$\{[^}]+\}")


@dataclass
class Loaded:
    spec: ShowSpec
    problems: list[Problem] = field(default_factory=list)
    migrated_from: int | None = None   # 0: a scene file, 1: a settings.toml; None: current


# -- the sections -----------------------------------------------------------------------------------

TOP_KEYS = ["version", "language", "session_log", "canvas", "layer", "audio", "destination", "recording",
            "encoder", "commerce", "feed", "chat"]
_HOW = "write [{0}] on a line of its own, with its keys on the lines below it"


def _table(r: Reader, data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        r.problem((key,), f"'{key}' must be a table, not {show_value(value)} — {_HOW.format(key)}")
        return {}
    return value


def _tables(r: Reader, data: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    value = data.get(key, [])
    how = _HOW.format(f"[{key}]")
    if not isinstance(value, list):
        r.problem((key,), f"'{key}' must be written as [[{key}]] tables, one per {key} — {how}")
        return []
    out = []
    for i, t in enumerate(value):
        if isinstance(t, dict):
            out.append((i, t))
        else:
            r.problem((key, i), f"[[{key}]] {i + 1} must be a table, not {show_value(t)} — {how}")
    return out


def _canvas(r: Reader, t: dict[str, Any]) -> Canvas:
    from studio.media.clock import as_rate

    p = ("canvas",)
    r.unknown(t, p, ["width", "height", "fps"], "[canvas]")
    d = Canvas()
    fps = r.value(t, p, "fps", "number", float(d.fps), check_between(1, 120, " frames a second"))
    return Canvas(r.value(t, p, "width", "int", d.width, check_side("width", d.width)),
                  r.value(t, p, "height", "int", d.height, check_side("height", d.height)),
                  Fraction(as_rate(fps)))


_COMMON = ["kind", "name", "x", "y", "width", "height", "opacity", "visible"]
LAYER_KEYS = {"video": [*_COMMON[:2], "source", *_COMMON[2:6], "crop", *_COMMON[6:]],
              "image": [*_COMMON[:2], "path", *_COMMON[2:]],
              "text": [*_COMMON[:2], "text", "font_size", "color", "background", *_COMMON[2:]]}
_REQUIRED = {"video": ("source", '"camera"'), "image": ("path", '"logo.png"'),
             "text": ("text", '"Free shipping"')}


def _layer_unknown(r: Reader, t: dict[str, Any], p: Key, kind: str) -> None:
    known = LAYER_KEYS[kind]
    for key in t:
        if key in known:
            continue
        owners = [k for k, keys in LAYER_KEYS.items() if key in keys]
        if owners:
            r.problem((*p, key), f"'{key}' in {table_name(p)} is for {' and '.join(owners)} layers, not "
                                 f"{article(kind)} layer — remove it ({article(kind)} layer takes "
                                 f"{', '.join(known)})")
        else:
            r.problem((*p, key), f"unknown key {show_value(key)} in {table_name(p)} — "
                                 f"{near_hint(key, known, article(kind) + ' layer')}")


def _layer(r: Reader, i: int, t: dict[str, Any]) -> Layer | None:
    p = ("layer", i)
    kind = r.value(t, p, "kind", "text", "video", check_one_of(LAYER_KINDS, "layer kind"), '"video"')
    if "kind" in t and t["kind"] != kind:
        return None  # reported: a layer of no known kind is left out
    _layer_unknown(r, t, p, kind)
    d = Layer()
    common: dict[str, Any] = {
        "kind": kind, "name": r.value(t, p, "name", "text", ""),
        "x": r.value(t, p, "x", "int", 0, check_pos), "y": r.value(t, p, "y", "int", 0, check_pos),
        "width": r.value(t, p, "width", "opt_int", None, check_dim, "640"),
        "height": r.value(t, p, "height", "opt_int", None, check_dim, "360"),
        "opacity": r.value(t, p, "opacity", "number", 1.0, check_between(0, 1)),
        "visible": r.value(t, p, "visible", "bool", True)}
    required, example = _REQUIRED[kind]
    value = r.value(t, p, required, "text", "", example=example)
    if not value.strip():
        if required not in t:
            r.problem(p, f"[[layer]] {i + 1} ({kind}) has no '{required}', so it is left out — "
                         f"write e.g. {required} = {example}")
        elif isinstance(t.get(required), str) and not text_problem(t[required]):
            r.problem((*p, required), f"'{required}' of [[layer]] {i + 1} is empty, so the layer is left out "
                                      f"— write e.g. {required} = {example}")
        return None
    if kind == "video":
        return Layer(source=value, crop=r.value(t, p, "crop", "ints4", d.crop, check_crop), **common)
    if kind == "image":
        return Layer(path=value, **common)
    return Layer(text=value,
                 font_size=r.value(t, p, "font_size", "int", d.font_size, check_between(6, 400, " pixels")),
                 color=r.value(t, p, "color", "text", d.color, check_color("color"), '"#ffffff"') or d.color,
                 background=r.value(t, p, "background", "text", "", check_color("background"), '"#00000080"'),
                 **common)


def _audio(r: Reader, i: int, t: dict[str, Any]) -> AudioSource:
    p = ("audio", i)
    r.unknown(t, p, ["source", "gain", "muted", "name"], "an [[audio]] source")
    return AudioSource(source=r.value(t, p, "source", "text", "auto", example='"mic:default"') or "auto",
                       gain=r.value(t, p, "gain", "number", 1.0, check_between(0, MAX_GAIN)),
                       muted=r.value(t, p, "muted", "bool", False), name=r.value(t, p, "name", "text", ""))


_SECRET_PARAMS = ("key", "streamname", "stream_key", "streamkey", "token", "secret", "password", "auth")


def literal_key(url: str) -> str | None:
    """The stream key of `url` when it is written in plain text (not as `${keyring:NAME}` or
    `${ENV_VAR}`): the path after the app, or a secret-looking query value; None when there is none."""
    key = stream_key_of(url)
    if not key:
        return None
    path, _, query = key.partition("?")
    if _REF.sub("", path).strip("/"):
        return path
    if path.strip("/"):
        return None  # the key is a reference; a query after it (?backup=1) is the server's
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if name.lower() in _SECRET_PARAMS and value and not _REF.fullmatch(value):
            return value
    return None


def _destination(r: Reader, i: int, t: dict[str, Any]) -> Destination:
    p = ("destination", i)
    r.unknown(t, p, ["name", "preset", "url", "enabled", "codec"], "a [[destination]]")
    url = r.value(t, p, "url", "text", "", check_rtmp_url,
                  '"rtmps://a.rtmps.youtube.com/live2/${keyring:youtube-main}"')
    literal = literal_key(url)
    if literal:
        register_secret(literal)
        server = url[: len(url) - len(stream_key_of(url) or "")].rstrip("/")
        r.problem((*p, "url"), f"[[destination]] {i + 1} holds its stream key in plain text, so the key is "
                               f"left out — keep the key in the OS keyring or an environment variable and "
                               f"write "
                               f'url = "{server}/${{keyring:NAME}}" or url = "{server}/${{ENV_VAR}}"')
        url = server
    return Destination(name=r.value(t, p, "name", "text", "Custom") or "Custom",
                       preset=(r.value(t, p, "preset", "text", "custom", check_preset, '"youtube"')
                               or "custom"),
                       url=url, enabled=r.value(t, p, "enabled", "bool", True),
                       codec=r.value(t, p, "codec", "text", "h264",
                                     check_one_of(VIDEO_CODECS, "video codec")))


def _recording(r: Reader, t: dict[str, Any]) -> Recording:
    p = ("recording",)
    r.unknown(t, p, ["enabled", "path", "folder"], "[recording]")
    return Recording(enabled=r.value(t, p, "enabled", "bool", False),
                     path=r.value(t, p, "path", "text", "", example='"show.mkv"'),
                     folder=r.value(t, p, "folder", "text", "", example='"recordings"'))


def _encoder(r: Reader, t: dict[str, Any]) -> Encoding:
    p = ("encoder",)
    r.unknown(t, p, ["name", "bitrate_kbps", "bitrate_mode"], "[encoder]")
    return Encoding(encoder=r.value(t, p, "name", "text", "auto", check_one_of(ENCODERS, "known encoder")),
                    bitrate_kbps=r.value(t, p, "bitrate_kbps", "int", 3500,
                                         check_between(100, 50000, " kbps")),
                    bitrate_mode=r.value(t, p, "bitrate_mode", "text", "adaptive",
                                         check_one_of(BITRATE_MODES, "bitrate mode")))


COMMERCE_KEYS = ["catalog", "currency", "store_url", "pin", "countdown", "coupon", "qr", "chat_overlay",
                 "image_timeout"]


def _commerce(r: Reader, t: dict[str, Any]) -> Commerce:
    from studio.commerce.overlays.countdown import parse_mmss

    p = ("commerce",)
    r.unknown(t, p, COMMERCE_KEYS, "[commerce]")
    countdown = r.value(t, p, "countdown", "text", "", check_mmss, '"05:00"')
    return Commerce(catalog=r.value(t, p, "catalog", "text", "", example='"products.csv"'),
                    currency=r.value(t, p, "currency", "text", "", check_currency, '"CNY"'),
                    store_url=r.value(t, p, "store_url", "text", "", check_web_url("store_url"),
                                      '"https://shop.example.com"'),
                    pin=r.value(t, p, "pin", "text", "", example='"SKU-1"').strip(),
                    countdown_s=parse_mmss(countdown) if countdown else None,
                    coupon=r.value(t, p, "coupon", "text", "", example='"SAVE10"').strip(),
                    qr=r.value(t, p, "qr", "text", "auto", check_qr, '"auto"'),
                    chat_overlay=r.value(t, p, "chat_overlay", "bool", False),
                    image_timeout=r.value(t, p, "image_timeout", "number", 3.0,
                                          check_between(0.1, 60, " seconds")))


_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?|true|false")


def _toml_words(message: str, names: Iterable[str]) -> str:
    """A connector's sentence in profile words: `write shop=NAME` → `write shop = "NAME"`, and no
    sentence without its ` — what to write`."""
    names = sorted(set(names), key=len, reverse=True)
    if names:
        pattern = re.compile(r"(?<![\w$'{:.])(" + "|".join(map(re.escape, names)) +
                             r")=('[^']*'|\"[^\"]*\"|[^\s,;)]+)")

        def one(m: re.Match[str]) -> str:
            value = m.group(2)
            tail = "." if value.endswith(".") and len(value) > 1 and not _NUMBER.fullmatch(value) else ""
            value = value[:-1] if tail else value
            if not (value[:1] in "'\"" or _NUMBER.fullmatch(value)):
                value = f'"{value}"'
            return f"{m.group(1)} = {value}{tail}"

        message = pattern.sub(one, message)
    head, sep, rest = message.partition(": write ")
    if sep:
        message = f"{head} — write {rest.replace(' — ', '; ')}"
    if " — " not in message:
        message = f"{message} — fix it or leave the option out"
    return message


def _bad_option(message: str, options: dict[str, str]) -> str | None:
    """Which option a connector's sentence is about (its value is then left out), or None."""
    m = re.match(r"no option '([^']*)'", message) or re.match(r"'?([A-Za-z0-9_]+)'?[= ]", message)
    if m and m.group(1) in options:
        return m.group(1)
    return next((k for k in options if f"'{k}'" in message), None)


def _feed(r: Reader, i: int, t: dict[str, Any]) -> Feed | None:
    from studio.live.connectors import check_feed_options, connector_types

    p = ("feed", i)
    types = connector_types()
    kinds = tuple(types)
    if "kind" not in t:
        r.problem(p, f"[[feed]] {i + 1} has no 'kind', so it is left out — write e.g. kind = \"youtube\" "
                     f"({', '.join(kinds)})")
        return None
    kind = r.value(t, p, "kind", "text", "", check_one_of(kinds, "feed kind"), '"youtube"')
    if not kind:
        return None
    options: dict[str, str] = {}
    for key, raw in t.items():
        if key in ("kind", "enabled"):
            continue
        if isinstance(raw, bool):
            options[key] = "true" if raw else "false"
        elif isinstance(raw, float) and math.isfinite(raw) or isinstance(raw, (int, str)):
            text = raw if isinstance(raw, str) else repr(raw) if isinstance(raw, float) else str(raw)
            if why := text_problem(text):
                r.problem((*p, key), f"'{key}' in [[feed]] {i + 1} {why}")
            else:
                options[key] = text
        else:
            r.problem((*p, key), f"'{key}' in [[feed]] {i + 1} must be text, a number or true/false, not "
                                 f"{show_value(raw)} — write e.g. {key} = \"…\"")
    cls = types[kind]
    names = [o.name for o in getattr(cls, "OPTIONS", ())]
    dropped: set[str] = set()
    for _ in range(len(options) + 1):  # a value left out may let the connector's cross-checks run
        before = len(dropped)
        for message in check_feed_options(kind, options):
            required = re.match(r"'([^']*)' is required", message)
            if required and required.group(1) in dropped:
                continue  # its bad value was reported already
            bad = _bad_option(message, options)
            r.problem((*p, bad) if bad else p, f"[[feed]] {i + 1} ({kind}): {_toml_words(message, names)}")
            if bad is not None:
                options.pop(bad)
                dropped.add(bad)
        if len(dropped) == before:
            break
    name = options.pop("name", "")
    return Feed(kind=kind, name=name, enabled=r.value(t, p, "enabled", "bool", True),
                options=tuple(options.items()))


def read_spec(data: dict[str, Any], r: Reader, base_dir: str = "") -> ShowSpec:
    """A `ShowSpec` from parsed current-version TOML data; problems go to `r`."""
    r.unknown(data, (), TOP_KEYS, "a profile")
    d = ShowSpec()
    chat = _table(r, data, "chat")
    r.unknown(chat, ("chat",), ["blocked_words"], "[chat]")
    layers = [_layer(r, i, t) for i, t in _tables(r, data, "layer")]
    feeds = [_feed(r, i, t) for i, t in _tables(r, data, "feed")]
    words = r.value(chat, ("chat",), "blocked_words", "texts", (), example='["spam", "scam"]')
    return ShowSpec(
        version=SCHEMA_VERSION,
        language=r.value(data, (), "language", "text", d.language, check_one_of(LANGUAGES, "language"),
                         '"en"'),
        canvas=_canvas(r, _table(r, data, "canvas")),
        layers=tuple(x for x in layers if x is not None),
        audio=tuple(_audio(r, i, t) for i, t in _tables(r, data, "audio")),
        destinations=tuple(_destination(r, i, t) for i, t in _tables(r, data, "destination")),
        recording=_recording(r, _table(r, data, "recording")),
        encoding=_encoder(r, _table(r, data, "encoder")),
        commerce=_commerce(r, _table(r, data, "commerce")),
        feeds=tuple(x for x in feeds if x is not None),
        blocked_words=tuple(w for w in words if w.strip()),
        session_log=r.value(data, (), "session_log", "text", "", example='"show.sqlite"'),
        base_dir=base_dir)


# -- the entry points --------------------------------------------------------------------------------

def _not_toml(file: str, text: str, e: Exception) -> UserError:
    message = str(e)
    m = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if m:
        what = message[: m.start()].strip()
        return UserError(f"{file}:{m.group(1)}: not valid TOML: {what} (column {m.group(2)}) — fix that "
                         f"line; {DOCS} has a full example")
    end = re.search(r"\(at end of document\)", message)
    if end:
        what = message[: end.start()].strip()
        line = text.count("\n") + (0 if text.endswith("\n") else 1)
        return UserError(f"{file}:{max(line, 1)}: not valid TOML: {what} at the end of the file — finish "
                         f"that line; {DOCS} has a full example")
    if "digits" in message:  # Python's limit on the length of an integer literal
        where = re.search(r"\d{4000,}", text)
        line = text.count("\n", 0, where.start()) + 1 if where else 1
        return UserError(f"{file}:{line}: a number with thousands of digits is not a profile value — write a "
                         "whole number of at most 19 digits")
    return UserError(f"{file}: not valid TOML ({message[:200]}) — fix it; {DOCS} has a full example")


def parse_profile(text: str, file: str = "profile.toml", base_dir: str = "") -> Loaded:
    """Parse profile text; UserError only when it is not TOML at all."""
    text = text[1:] if text.startswith("\ufeff") else text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        line = text.count("\n", 0, e.start) + 1
        raise UserError(f"{file}:{line}: not UTF-8 text (a lone surrogate) — save the file as "
                        "UTF-8") from None
    try:
        data = tomllib.loads(text)
    except ValueError as e:  # TOMLDecodeError, and integers past Python's digit limit
        raise _not_toml(file, text, e) from None
    except RecursionError:
        raise UserError(f"{file}: arrays or tables are nested too deeply to be a profile — a profile nests "
                        f"at most three levels; {DOCS} has a full example") from None
    r = Reader(file, line_index(text))
    version = data.get("version")
    if "version" in data and (not isinstance(version, int) or isinstance(version, bool)):
        r.problem(("version",), f"'version' must be a whole number, not {show_value(version)} — write "
                                f"version = {SCHEMA_VERSION}")
        data = dict(data, version=SCHEMA_VERSION)
    elif isinstance(version, int) and version < 0:
        r.problem(("version",), f"'version' {version} is not a schema version — write "
                                f"version = {SCHEMA_VERSION}")
        data = dict(data, version=SCHEMA_VERSION)
    elif isinstance(version, int) and version > SCHEMA_VERSION:
        r.problem(("version",), f"this profile is version {show_value(version)}, written by a newer Anchor "
                                f"Studio; this one reads version {SCHEMA_VERSION} — what it does not know is "
                                f"reported and left out: update Anchor Studio, or write version = "
                                f"{SCHEMA_VERSION}")
        data = dict(data, version=SCHEMA_VERSION)
    data, was = migrate(data, r)
    spec = read_spec(data, r, base_dir)
    return Loaded(spec, sorted(r.problems, key=lambda p: p.line), was)


def load_profile(path: str | Path) -> Loaded:
    """Read and parse a profile file; UserError when it cannot be read or is not TOML."""
    p = Path(path).expanduser()
    try:
        st = p.stat()
        if stat.S_ISDIR(st.st_mode):
            raise UserError(f"{p}: is a folder, not a profile — give the .toml file inside it")
        if not stat.S_ISREG(st.st_mode):
            raise UserError(f"{p}: is not a regular file — give a profile .toml file")
        with p.open("rb") as f:
            raw = f.read(MAX_FILE + 1)
    except FileNotFoundError:
        raise UserError(f"{p}: the profile does not exist — check the path, or write one with "
                        "`studio live … --save-profile FILE`") from None
    except OSError as e:
        raise UserError(f"{p}: cannot be read ({e.strerror or e.__class__.__name__}) — check the path and "
                        "its permissions") from None
    if len(raw) > MAX_FILE:  # read, not stat: a file that grows, or one that says it is empty (/proc)
        raise UserError(f"{p}: more than {MAX_FILE // 1024 // 1024} MiB is too big for a profile (a profile "
                        "is a few kB) — is it the right file?")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise UserError(f"{p}:{line}: not UTF-8 text (byte 0x{raw[e.start]:02x}) — save the file as "
                        "UTF-8") from None
    return parse_profile(text, str(p), str(p.resolve().parent))
