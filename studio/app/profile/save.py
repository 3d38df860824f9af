"""Writing a show profile. An existing file is edited in place with tomlkit, so the host's comments,
order and spacing survive a save from the window: only values that changed are rewritten, tables that
appeared are appended, tables that went away are removed with the comments written above them, and
keys this studio does not know are kept. The edited text is checked by reading it back: when it does
not describe the same show as a freshly written file would (a layout tomlkit cannot edit in place), the
file is written anew.

No secret is ever written: destination URLs and feed tokens are references (`${keyring:NAME}`); a
spec holding a literal stream key or token is refused (`UserError`) before anything is written.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT, Comment, Table, Whitespace

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from studio.app.profile.load import COMMERCE_KEYS, LAYER_KEYS, MAX_FILE, TOP_KEYS, literal_key, parse_profile
from studio.app.profile.model import Commerce, Layer, ShowSpec
from studio.core.errors import UserError
from studio.core.log import get_logger

log = get_logger("app.profile")

HEADER = ("Anchor Studio show profile (docs/profile.md). Secrets are references: ${keyring:NAME} or "
          "${ENV_VAR}.")

_ALL_LAYER_KEYS = sorted({k for keys in LAYER_KEYS.values() for k in keys})
# The keys the writer owns in each table: one the spec no longer has is removed (a width set back to
# "full size"); any other key the host wrote is left alone.
_OWNED: dict[str, list[str]] = {
    "": TOP_KEYS, "canvas": ["width", "height", "fps"], "recording": ["enabled", "path", "folder"],
    "encoder": ["name", "bitrate_kbps", "bitrate_mode"], "commerce": COMMERCE_KEYS, "chat": ["blocked_words"],
    "layer": _ALL_LAYER_KEYS, "audio": ["source", "gain", "muted", "name"],
    "destination": ["name", "preset", "url", "enabled", "codec"],
}
_ARRAYS = ("layer", "audio", "destination", "feed")
# What the loader uses for a key that is not written: a save does not add these to a host's table.
_DEFAULTS: dict[str, dict[str, Any]] = {
    "": {"language": "en", "session_log": ""}, "canvas": {"width": 1280, "height": 720, "fps": 30},
    "layer": {"kind": "video", "name": "", "x": 0, "y": 0, "crop": [0, 0, 0, 0], "opacity": 1.0,
              "visible": True, "font_size": 36, "color": "#ffffff", "background": ""},
    "audio": {"source": "auto", "gain": 1.0, "muted": False, "name": ""},
    "destination": {"name": "Custom", "preset": "custom", "url": "", "enabled": True, "codec": "h264"},
    "recording": {"enabled": False, "path": "", "folder": ""},
    "encoder": {"name": "auto", "bitrate_kbps": 3500, "bitrate_mode": "adaptive"},
    "commerce": {"catalog": "", "currency": "", "store_url": "", "pin": "", "coupon": "", "qr": "auto",
                 "chat_overlay": False, "image_timeout": 3.0},
    "chat": {"blocked_words": []}, "feed": {"enabled": True},
}


def _fps(fps: Fraction) -> int | float:
    """The shortest decimal the loader reads back as exactly this rate (29.97 for 30000/1001)."""
    from studio.media.clock import as_rate

    if fps.denominator == 1:
        return int(fps)
    for digits in range(1, 16):
        value = round(float(fps), digits)
        if value > 0 and as_rate(value) == fps:
            return value
    return float(fps)


def _layer(layer: Layer) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in LAYER_KEYS[layer.kind]:
        value = getattr(layer, name)
        if value is None:
            continue
        if name == "crop":
            if value == (0, 0, 0, 0):
                continue
            value = list(value)
        if name in ("name", "background") and not value:
            continue
        out[name] = value
    return out


def _commerce(c: Commerce) -> dict[str, Any]:
    from studio.commerce.overlays.countdown import format_mmss

    out: dict[str, Any] = {"catalog": c.catalog}
    for key in ("currency", "store_url", "pin", "coupon"):
        if getattr(c, key):
            out[key] = getattr(c, key)
    if c.countdown_s is not None:
        out["countdown"] = format_mmss(c.countdown_s)
    out["qr"] = c.qr
    out["chat_overlay"] = c.chat_overlay
    if c.image_timeout != 3.0:
        out["image_timeout"] = c.image_timeout
    return out


def to_data(spec: ShowSpec) -> dict[str, Any]:
    """The profile as plain TOML data (what `load_profile` reads back into the same spec)."""
    check_no_secrets(spec)
    data: dict[str, Any] = {"version": spec.version, "language": spec.language}
    if spec.session_log:
        data["session_log"] = spec.session_log
    data["canvas"] = {"width": spec.canvas.width, "height": spec.canvas.height, "fps": _fps(spec.canvas.fps)}
    data["layer"] = [_layer(layer) for layer in spec.layers]
    data["audio"] = [{"source": a.source, "gain": a.gain, "muted": a.muted,
                      **({"name": a.name} if a.name else {})} for a in spec.audio]
    data["destination"] = [{"name": d.name, "preset": d.preset, "url": d.url, "enabled": d.enabled,
                            "codec": d.codec} for d in spec.destinations]
    rec: dict[str, Any] = {"enabled": spec.recording.enabled}
    if spec.recording.path:
        rec["path"] = spec.recording.path
    if spec.recording.folder:
        rec["folder"] = spec.recording.folder
    data["recording"] = rec
    data["encoder"] = {"name": spec.encoding.encoder, "bitrate_kbps": spec.encoding.bitrate_kbps,
                       "bitrate_mode": spec.encoding.bitrate_mode}
    data["commerce"] = _commerce(spec.commerce)
    data["feed"] = [{"kind": f.kind, **({"name": f.name} if f.name else {}), "enabled": f.enabled,
                     **{k: v for k, v in f.options if k not in ("kind", "name", "enabled")}}
                    for f in spec.feeds]
    data["chat"] = {"blocked_words": list(spec.blocked_words)}
    return data


def check_no_secrets(spec: ShowSpec) -> None:
    """UserError when a destination's stream key or a feed's secret option is written in plain text."""
    from studio.live.connectors import connector_types
    from studio.live.connectors.options import is_secret_ref

    for d in spec.destinations:
        if literal_key(d.url):
            raise UserError(f"destination {d.name!r} holds its stream key in plain text, and a profile keeps "
                            "only references — give the key as ${keyring:NAME} or ${ENV_VAR}")
    types = connector_types()
    for f in spec.feeds:
        secret = {o.name: o for o in getattr(types.get(f.kind), "OPTIONS", ()) if o.secret}
        for k, v in f.options:
            if k in secret and v.strip() and not is_secret_ref(v):
                raise UserError(f"the {k} of feed {f.name or f.kind!r} is written in plain text, and a "
                                f"profile keeps only references — write {k} = \"{secret[k].reference}\" or "
                                f"\"${{{secret[k].env_var}}}\"")


# -- editing an existing document in place -----------------------------------------------------------

_NONE = object()


def _plain(value: Any) -> Any:
    return value.unwrap() if hasattr(value, "unwrap") else value


def _same(old: Any, new: Any, as_text: bool = False) -> bool:
    """Whether the host's value already says `new` (1 and 1.0 are the same; a feed option 3 is "3")."""
    old = _plain(old)
    if as_text and isinstance(new, str) and not isinstance(old, str):
        if isinstance(old, bool):
            return new == ("true" if old else "false")
        if isinstance(old, (int, float)):
            return new == (repr(old) if isinstance(old, float) else str(old))
    return type(old) is type(new) and old == new or (
        isinstance(old, (int, float)) and isinstance(new, (int, float))
        and not isinstance(old, bool) and not isinstance(new, bool) and old == new)


def _merge_table(table: Any, data: dict[str, Any], owned: list[str] | None, as_text: bool = False,
                 top: bool = False, name: str = "") -> None:
    """Set `data` into a tomlkit table: changed values only, and no default the host left out; owned keys
    missing from `data` removed (`owned` None: every key is owned, as in a feed's table)."""
    defaults = _DEFAULTS.get(name, {})
    for key, value in data.items():
        if top and key in _ARRAYS:
            _merge_aot(table, key, value)
        elif isinstance(value, dict):
            if key not in table or not isinstance(table[key], dict):
                if all(_same(_DEFAULTS.get(key, {}).get(k, _NONE), v) for k, v in value.items()):
                    continue  # a table of defaults only: the host left it out, and so do we
                if key in table:
                    del table[key]
                table[key] = tomlkit.table()
            _merge_table(table[key], value, _OWNED.get(key, list(value)), name=key)
        elif key in table:
            if not _same(table[key], value, as_text):
                table[key] = value
        elif key not in defaults or not _same(defaults[key], value):
            table[key] = value
    for key in list(table.keys()):
        if key in data or top and key in _ARRAYS or owned is not None and key not in owned:
            continue
        if not (key in defaults and _same(table[key], defaults[key])):  # a default the host wrote stays
            del table[key]


def _identity(key: str, item: dict[str, Any]) -> tuple[Any, ...]:
    if key == "layer":
        return (item.get("kind", "video"), item.get("source") or item.get("path") or item.get("text"))
    if key == "destination":
        return (item.get("name"), item.get("preset"))
    if key == "feed":
        return (item.get("kind"), item.get("name", ""))
    return (item.get("source"), item.get("name", ""))


def _is(entry: tuple[Any, Any], kind: type) -> bool:
    return entry[0] is None and isinstance(entry[1], kind)


def _tail(table: Table) -> list[tuple[Any, Any]]:
    """Take the comment block (and the blank lines around it) that ends `table` off it: in the text it
    sits right above whatever header follows, so it belongs to that."""
    body = table.value.body
    end = len(body)
    while end and _is(body[end - 1], Whitespace):
        end -= 1
    while end and _is(body[end - 1], Comment):
        end -= 1
    while end and _is(body[end - 1], Whitespace):
        end -= 1
    tail = body[end:]
    del body[end:]
    return tail


def _text(items: list[tuple[Any, Any]]) -> str:
    return "".join(item.as_string() for _, item in items)


def _before(doc: Any, key: str) -> Table | None:
    """The table written right above the array of tables `key` (its last table, for an array), whose
    tail holds the comments above the array's first table."""
    body = doc.body
    n = next((n for n, (k, v) in enumerate(body) if k is not None and k.key == key and isinstance(v, AoT)), 0)
    if n == 0:
        return None
    prev = body[n - 1][1]
    if isinstance(prev, AoT) and prev.body:
        prev = prev.body[-1]
    return prev if isinstance(prev, Table) else None


def _match(key: str, old: list[dict[str, Any]], items: list[dict[str, Any]]) -> list[int | None]:
    """For each new table, the host's table it continues: same values, else same identity (a layer's
    source, a destination's name), else same place and kind; None for a new one."""
    match: list[int | None] = [None] * len(items)
    used: set[int] = set()
    for rule in ("same", "identity", "place"):
        for j, item in enumerate(items):
            if match[j] is not None:
                continue
            for i, was in enumerate(old):
                if i in used:
                    continue
                if (rule == "same" and {k: v for k, v in was.items() if k in item or key == "feed"} == item
                        or rule == "identity" and _identity(key, was) == _identity(key, item)
                        or rule == "place" and i == j and was.get("kind") == item.get("kind")):
                    match[j] = i
                    used.add(i)
                    break
    return match


def _merge_aot(doc: Any, key: str, items: list[dict[str, Any]]) -> None:
    """Edit the host's [[key]] tables in place, add new ones, drop the rest — each table with the
    comments written above it."""
    current = doc.get(key)
    if not isinstance(current, AoT):
        if key in doc:
            del doc[key]
        if items:
            doc.append(key, tomlkit.aot())
            for item in items:
                doc[key].append(_new_table(_lean(key, item)))
        return
    old = list(current.body)
    match = _match(key, [_plain(t) for t in old], items)
    owned = None if key == "feed" else _OWNED[key]
    if match[: len(old)] == list(range(len(old))):  # nothing removed or moved: edit in place, append
        for n, table in enumerate(old):
            _merge_table(table, items[n], owned, as_text=key == "feed", name=key)
        if len(items) > len(old):
            after = _tail(old[-1]) if old else []
            for item in items[len(old):]:
                table = _new_table(_lean(key, item))
                table.trivia.indent = "\n"
                current.append(table)
            current.body[-1].value.body.extend(after)
        return
    before = _before(doc, key)
    leads = [""] + [_text(_tail(t)) for t in old[:-1]]
    after = _tail(old[-1]) if old else []
    if before is not None and (not match or match[0] != 0):
        lead = _text(_tail(before))  # the first table moved or went: its comments go with it
        leads[0] = lead if 0 in match else ""
    tables = []
    for j, item in enumerate(items):
        i = match[j]
        if i is None:
            table = _new_table(_lean(key, item))
            table.trivia.indent = "\n"
        else:
            table = old[i]
            _merge_table(table, item, owned, as_text=key == "feed", name=key)
            table.trivia.indent = leads[i] + table.trivia.indent
        tables.append(table)
    if not tables:
        del doc[key]
        if before is not None:
            before.value.body.extend(after)
        return
    tables[-1].value.body.extend(after)
    if before is not None and match[0] != 0 and not tables[0].trivia.indent.startswith("\n"):
        tables[0].trivia.indent = "\n" + tables[0].trivia.indent
    doc[key] = AoT(tables, name=key, parsed=True)


_ALWAYS = ("kind", "name", "source", "path", "text", "url")


def _lean(key: str, item: dict[str, Any]) -> dict[str, Any]:
    """A new table for the host's file: what differs from the defaults (and what says what it is)."""
    defaults = _DEFAULTS.get(key, {})
    return {k: v for k, v in item.items() if k in _ALWAYS or not (k in defaults and _same(defaults[k], v))}


def _new_table(item: dict[str, Any]) -> Table:
    t = tomlkit.table()
    for k, v in item.items():
        t[k] = v
    return t


def _fresh(data: dict[str, Any]) -> str:
    doc = tomlkit.document()
    doc.add(tomlkit.comment(HEADER))
    for key, value in data.items():
        if key in _ARRAYS:
            if value:
                aot = tomlkit.aot()
                for item in value:
                    aot.append(_new_table(item))
                doc.append(key, aot)
        else:
            doc[key] = value
    return tomlkit.dumps(doc)


def _reads_as(text: str) -> ShowSpec | None:
    try:
        return parse_profile(text).spec
    except UserError:
        return None


def render(spec: ShowSpec, existing: str | None = None) -> str:
    """The profile text: `existing` edited in place when given (and when that works), else a fresh
    document. UserError when the spec holds a secret in plain text."""
    data = to_data(spec)
    fresh = _fresh(data)
    if existing is None:
        return fresh
    try:
        doc = tomlkit.parse(existing)
        if not isinstance(doc.get("version"), int) or doc.get("version") != data["version"]:
            doc["version"] = data["version"]
        _merge_table(doc, data, _OWNED[""], top=True)
        text = tomlkit.dumps(doc)
        tomllib.loads(text)
    except Exception as e:  # noqa: BLE001 - tomlkit could not edit this layout in place: write it out anew
        log.info("profile written anew: tomlkit could not edit it in place (%s)", e.__class__.__name__)
        return fresh
    if _reads_as(text) != _reads_as(fresh):
        log.info("profile written anew: the edited layout did not read back as the show")
        return fresh
    return text


def _keeps_layout(existing: str) -> bool:
    """An existing file is edited in place unless it is an old settings.toml (version 1), whose layout
    has nothing in common with a profile."""
    try:
        version = tomllib.loads(existing).get("version")
    except (ValueError, RecursionError):
        return False  # not TOML (the loader said so): replaced by what the window holds
    return not (version == 1 and not isinstance(version, bool))


def save_profile(spec: ShowSpec, path: str | Path) -> Path:
    """Write atomically (a temp file beside it, then replace): a crash mid-save never leaves half a
    profile, and no temp file is left behind. An existing profile keeps its comments and layout."""
    p = Path(path).expanduser()
    existing = None
    try:
        if p.stat().st_size <= MAX_FILE:
            existing = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"{p}: cannot be read to update it ({e.__class__.__name__}) — save to another "
                        "file") from None
    if existing is not None and not _keeps_layout(existing):
        existing = None
    text = render(replace(spec, base_dir=""), existing)
    target = Path(os.path.realpath(p)) if p.is_symlink() else p  # a linked profile stays linked
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.chmod(tmp, os.stat(target).st_mode & 0o7777)
        except FileNotFoundError:
            os.chmod(tmp, 0o600)  # a new profile is the user's own: it names their accounts and files
        os.replace(tmp, target)
        tmp = None
    except OSError as e:
        raise UserError(f"{p}: the profile cannot be written ({e.strerror or e}) — check the folder and free "
                        "space") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return p


