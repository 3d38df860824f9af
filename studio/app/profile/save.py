"""Writing a show profile. An existing file is edited in place with tomlkit, so the host's comments,
order and spacing survive a save from the window: only values that changed are rewritten, tables that
appeared are appended, tables that went away are removed. Keys this studio does not know are kept.

No secret is ever written: destination URLs and feed tokens are references (`${keyring:NAME}`); a
spec holding a literal stream key is refused (`UserError`) before anything is written.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import tomlkit
import tomlkit.exceptions
from tomlkit.items import AoT, Table

from studio.app.profile.model import Commerce, Layer, ShowSpec
from studio.core.errors import UserError
from studio.core.secrets import stream_key_of

HEADER = ("Anchor Studio show profile (docs/profile.md). Secrets are references: ${keyring:NAME} or "
          "${ENV_VAR}.")

_LAYER_FIELDS = {"video": ("kind", "name", "source", "x", "y", "width", "height", "crop", "opacity",
                           "visible"),
                 "image": ("kind", "name", "path", "x", "y", "width", "height", "opacity", "visible"),
                 "text": ("kind", "name", "text", "font_size", "color", "background", "x", "y", "width",
                          "height",
                          "opacity", "visible")}


def _fps(spec: ShowSpec) -> int | float:
    f = spec.canvas.fps
    return int(f) if f.denominator == 1 else round(float(f), 3)


def _layer(layer: Layer) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _LAYER_FIELDS[layer.kind]:
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
    data["canvas"] = {"width": spec.canvas.width, "height": spec.canvas.height, "fps": _fps(spec)}
    data["layer"] = [_layer(layer) for layer in spec.layers]
    data["audio"] = [{"source": a.source, "gain": a.gain, "muted": a.muted,
                      **({"name": a.name} if a.name else {})}
                     for a in spec.audio]
    data["destination"] = [{"name": d.name, "preset": d.preset, "url": d.url, "enabled": d.enabled}
                           for d in spec.destinations]
    rec: dict[str, Any] = {"enabled": spec.recording.enabled}
    if spec.recording.path:
        rec["path"] = spec.recording.path
    if spec.recording.folder:
        rec["folder"] = spec.recording.folder
    data["recording"] = rec
    data["encoder"] = {"name": spec.encoding.encoder, "bitrate_kbps": spec.encoding.bitrate_kbps}
    data["commerce"] = _commerce(spec.commerce)
    data["feed"] = [{"kind": f.kind, **({"name": f.name} if f.name else {}), "enabled": f.enabled,
                     **dict(f.options)}
                    for f in spec.feeds]
    data["chat"] = {"blocked_words": list(spec.blocked_words)}
    return data


def check_no_secrets(spec: ShowSpec) -> None:
    for d in spec.destinations:
        key = stream_key_of(d.url)
        if key and "${" not in key:
            raise UserError(f"destination {d.name!r} holds its stream key in plain text; a profile keeps "
                            "only "
                            "references: give the key as ${keyring:NAME} or ${ENV_VAR}")


# -- merging into an existing document --------------------------------------------------------------

def _merge_table(table: Any, data: dict[str, Any], known: set[str] | None = None) -> None:
    """Set `data` into a tomlkit table: changed values only; known keys missing from `data` removed."""
    for key, value in data.items():
        if isinstance(value, dict):
            if key not in table or not isinstance(table[key], dict):
                table[key] = tomlkit.table()
            _merge_table(table[key], value, set(value))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            _merge_aot(table, key, value)
        elif isinstance(value, list) and key in table and isinstance(table[key], AoT):
            del table[key]  # an array of tables that became empty
        elif key not in table or _plain(table[key]) != value:
            table[key] = value
    for key in list(table.keys()):
        if known is not None and key in _KNOWN_DROPPABLE and key not in data:
            del table[key]


# keys the writer owns inside a table: when the spec no longer has them (a width set back to "full size"),
# they are removed; any other key the host wrote is left alone.
_KNOWN_DROPPABLE = {"width", "height", "crop", "name", "background", "path", "folder", "currency",
                    "store_url",
                    "pin", "coupon", "countdown", "image_timeout", "session_log"}


def _merge_aot(table: Any, key: str, items: list[dict[str, Any]]) -> None:
    current = table.get(key)
    if not isinstance(current, AoT):
        aot = tomlkit.aot()
        for item in items:
            aot.append(_new_table(item))
        if key in table:
            del table[key]
        table.append(key, aot)
        return
    body = current.body
    for i, item in enumerate(items):
        if i < len(body):
            old_kind = body[i].get("kind")
            if old_kind is not None and item.get("kind") != old_kind:
                body[i] = _new_table(item)  # a layer of another kind: its old keys mean nothing now
            else:
                _merge_table(body[i], item, set(item))
                if key == "feed":  # a feed's options are all its own: ones the host removed go
                    for k in list(body[i].keys()):
                        if k not in item:
                            del body[i][k]
        else:
            current.append(_new_table(item))
    while len(body) > len(items):
        del current[len(body) - 1]


def _new_table(item: dict[str, Any]) -> Table:
    t = tomlkit.table()
    for k, v in item.items():
        t[k] = v
    return t


def _plain(value: Any) -> Any:
    return value.unwrap() if hasattr(value, "unwrap") else value


def render(spec: ShowSpec, existing: str | None = None) -> str:
    """The profile text: `existing` edited in place when given, else a fresh document."""
    data = to_data(spec)
    if existing is None:
        doc = tomlkit.document()
        doc.add(tomlkit.comment(HEADER))
        for key, value in data.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                aot = tomlkit.aot()
                for item in value:
                    aot.append(_new_table(item))
                doc.append(key, aot)
            elif isinstance(value, list) and key in ("layer", "audio", "destination", "feed"):
                continue
            else:
                doc[key] = value
        return tomlkit.dumps(doc)
    doc = tomlkit.parse(existing)
    if doc.get("version") != data["version"]:
        doc["version"] = data["version"]
    _merge_table(doc, data)
    return tomlkit.dumps(doc)


def save_profile(spec: ShowSpec, path: str | Path) -> Path:
    """Write atomically (a temp file, then replace): a crash mid-save never leaves half a profile.
    An existing current-version profile keeps its comments and layout; an older one is rewritten."""
    p = Path(path).expanduser()
    existing = None
    try:
        existing = p.read_text(encoding="utf-8-sig")
        if tomlkit.parse(existing).get("version") != spec.version:
            existing = None  # an older schema (migrated on load): write it out anew
    except FileNotFoundError:
        pass
    except tomlkit.exceptions.ParseError:
        existing = None  # not TOML (the loader said so): replaced by what the window holds
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"cannot read {p} to update it ({e}); save elsewhere") from None
    try:
        text = render(spec, existing)
    except UserError:
        raise
    except Exception:  # noqa: BLE001 - tomlkit could not edit this layout in place: write it out anew
        text = render(spec, None)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(p.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, p)
    except OSError as e:
        raise UserError(f"cannot write the profile {p} ({e.strerror or e}) — check the folder and free "
                        "space") from None
    return p
