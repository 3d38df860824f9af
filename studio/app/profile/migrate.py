"""Older profiles to the current schema: no version (or 0) is a scene file (docs/scene.md), which is a
profile subset; version 1 is the desktop's `settings.toml` of studio 0.1. Problems found on the way
are reported at the line of the old file."""

from __future__ import annotations

from typing import Any

from studio.app.profile.lines import Key
from studio.app.profile.model import SCHEMA_VERSION
from studio.app.profile.values import Reader, show_value
from studio.core.errors import UserError


def migrate(data: dict[str, Any], r: Reader | None = None) -> tuple[dict[str, Any], int | None]:
    """Current-version data from any older one; (data, the version it was) — None when it was current.
    With `r`, problems only the old format can have are reported and `r.lines` is moved to where each
    migrated value was written in the old file."""
    version = data.get("version")
    if version is None or version == 0 and not isinstance(version, bool):
        return dict(data, version=SCHEMA_VERSION), 0   # a scene file: [canvas], [[layer]], [[audio]] as today
    if version == 1 and not isinstance(version, bool):
        new, origin = _from_settings_v1(data, r or Reader("settings.toml", {}))
        if r is not None:
            r.lines = _moved_lines(r, origin)
        return new, 1
    return data, None  # current, newer or unreadable: read what we know, report the rest


def _moved_lines(r: Reader, origin: dict[Key, Key]) -> dict[Key, int]:
    """Line numbers for migrated data: each new path takes the line of the old path it came from; the
    keys below a moved table (("layer", 0) ← ("layers", 0)) move with it."""
    lines = {new: r.line(*old) for new, old in origin.items()}
    moved: dict[Key, list[Key]] = {}
    for new, old in origin.items():
        moved.setdefault(old, []).append(new)
    for path, line in r.lines.items():
        for end in range(len(path) - 1, 0, -1):
            if path[:end] in moved:
                for new in moved[path[:end]]:
                    lines.setdefault(new + path[end:], line)
                break
    return lines


V1_KEYS = ["version", "language", "width", "height", "fps", "bitrate_kbps", "encoder", "record",
           "recordings_dir", "camera", "catalog", "feeds", "blocked_words", "first_run_done", "destinations",
           "layers", "audio"]
_V1_TABLES = {"layers": ["source", "x", "y", "width", "height", "visible", "name"],
              "destinations": ["name", "preset", "server", "enabled", "key_name"],
              "audio": ["source", "gain", "muted"]}


def _v1_items(old: dict[str, Any], key: str, r: Reader, default: list[Any]) -> list[tuple[int, Any]]:
    if key not in old:
        return list(enumerate(default))
    value = old[key]
    if not isinstance(value, list):
        what = f"[[{key}]] tables" if key in _V1_TABLES else "a list of texts in quotes"
        r.problem((key,), f"'{key}' in the settings file must be {what}, not {show_value(value)} — it is "
                          f"left "
                          "out; set it again in Settings")
        return []
    out = []
    for j, item in enumerate(value):
        want_table = key in _V1_TABLES
        if want_table != isinstance(item, dict) or not want_table and not isinstance(item, str):
            r.problem((key, j), f"'{key}' {j + 1} in the settings file must be "
                                f"{'a table' if want_table else 'text in quotes'}, "
                                f"not {show_value(item)} — it is "
                                "left out; set it again in Settings")
            continue
        if want_table:
            r.unknown(item, (key, j), _V1_TABLES[key], f"[[{key}]]",
                      f"[[{key}]] {j + 1} of the settings file")
        out.append((j, item))
    return out


def _from_settings_v1(old: dict[str, Any], r: Reader) -> tuple[dict[str, Any], dict[Key, Key]]:
    """The desktop's settings.toml of 0.1: flat canvas keys, destinations with a keyring `key_name`,
    layers with a `source` only, `feeds` as --feed spec strings. Returns the new data and, for each new
    path, the old path it came from (for line numbers). Defaults are the ones 0.1 had: an empty catalog
    was the demo catalog, no `feeds` key was the demo feed, no `audio` was the default microphone."""
    from studio.core.paths import resources_dir

    r.unknown(old, (), V1_KEYS, "a settings file (version 1)", "the settings file")
    new: dict[str, Any] = {"version": SCHEMA_VERSION}
    origin: dict[Key, Key] = {("version",): ("version",)}

    def put(path: Key, value: Any, source: Key) -> None:
        target = new
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = value
        origin[path] = source
        if len(path) > 1:
            origin.setdefault(path[:-1], source)

    moved: list[tuple[str, Key]] = [
        ("language", ("language",)), ("width", ("canvas", "width")), ("height", ("canvas", "height")),
        ("fps", ("canvas", "fps")), ("encoder", ("encoder", "name")),
        ("bitrate_kbps", ("encoder", "bitrate_kbps")),
        ("recordings_dir", ("recording", "folder")), ("blocked_words", ("chat", "blocked_words"))]
    for key, path in moved:
        if key in old and old[key] != "":
            put(path, old[key], (key,))
    put(("recording", "enabled"), old.get("record", True), ("record",))
    catalog = old.get("catalog", "")
    put(("commerce", "catalog"), catalog or str(resources_dir() / "catalog" / "demo.json"), ("catalog",))
    camera = old.get("camera", "auto")
    layers: list[dict[str, Any]] = []
    for j, t in _v1_items(old, "layers", r, []):
        layer = {k: v for k, v in t.items() if k in _V1_TABLES["layers"]}
        if layer.get("source") == "camera" and camera != "auto":
            layer["source"] = camera
            origin[("layer", len(layers), "source")] = ("camera",)
        origin[("layer", len(layers))] = ("layers", j)
        layers.append({"kind": "video", **layer})
    if not layers:
        layers = [{"kind": "video", "name": "Camera", "source": camera if camera != "auto" else "camera"}]
        origin[("layer", 0)] = ("camera",)
    new["layer"] = layers
    audio: list[dict[str, Any]] = []
    for j, a in _v1_items(old, "audio", r, [{"source": "auto"}]):
        origin[("audio", len(audio))] = ("audio", j)
        audio.append({k: v for k, v in a.items() if k in _V1_TABLES["audio"]})
    new["audio"] = audio
    dests: list[dict[str, Any]] = []
    for j, d in _v1_items(old, "destinations", r, []):
        from studio.app.presets import stream_url

        server, key_name = d.get("server", ""), d.get("key_name", "")
        url: Any = server
        if isinstance(server, str) and server and isinstance(key_name, str) and key_name:
            url = stream_url(server, f"${{keyring:{key_name}}}")
        origin[("destination", len(dests))] = ("destinations", j)
        origin[("destination", len(dests), "url")] = ("destinations", j, "server")
        dests.append({"name": d.get("name", "Custom"), "preset": d.get("preset", "custom"), "url": url,
                      "enabled": d.get("enabled", True)})
    new["destination"] = dests
    feeds: list[dict[str, Any]] = []
    for j, spec in _v1_items(old, "feeds", r, ["demo"]):
        if spec.strip().lower() == "none":
            continue
        from studio.live.connectors.base import parse_feed_spec

        try:
            kind, opts = parse_feed_spec(spec)
        except UserError:
            r.problem(("feeds", j), f"feed {show_value(spec)} in the settings file is not kind:key=value,… "
                                    f"— it "
                                    'is left out; write e.g. feeds = ["demo"] or set it again in Settings')
            continue
        origin[("feed", len(feeds))] = ("feeds", j)
        feeds.append({"kind": kind, **opts})
    new["feed"] = feeds
    return new, origin
