"""Platform ingest presets (resources/presets/platforms.json): server URLs and recommended settings.

A value the platforms do not publish is the string "unknown" in the file and `None` here; the studio
then keeps the host's own canvas settings for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from studio.core.errors import UserError
from studio.core.paths import resources_dir


@dataclass(frozen=True)
class Server:
    name: str
    url: str


@dataclass(frozen=True)
class Preset:
    id: str
    name: str
    protocol: str
    servers: tuple[Server, ...] = ()
    server_note: str = ""
    stream_key_link: str = ""
    resolution: tuple[int, int] | None = None
    fps: int | None = None
    bitrate_kbps: int | None = None
    max_video_kbps: int | None = None
    keyint_s: int | None = None
    profile: str | None = None
    vertical: str = "unknown"
    offsite_qr: str = "unknown"   # "forbidden": the platform's rules forbid QR codes leading off it
    bandwidth_test: str = ""      # appended to the key, the platform takes a stream it never shows (Twitch)
    notes: str = ""
    extra: dict = field(default_factory=dict)


def _known(value):
    return None if value in (None, "unknown", "") else value


def _resolution(value) -> tuple[int, int] | None:
    value = _known(value)
    if value is None:
        return None
    w, _, h = str(value).partition("x")
    return int(w), int(h)


def preset_from_json(doc: dict) -> Preset:
    rec = doc.get("recommended", {}) or {}
    return Preset(
        id=doc["id"], name=doc["name"], protocol=doc.get("protocol", "RTMP"),
        servers=tuple(Server(s["name"], s["url"]) for s in doc.get("servers", [])),
        server_note=doc.get("server_note", ""), stream_key_link=doc.get("stream_key_link", ""),
        resolution=_resolution(rec.get("resolution")), fps=_known(rec.get("fps")),
        bitrate_kbps=_known(rec.get("bitrate_kbps")), max_video_kbps=_known(rec.get("max_video_kbps")),
        keyint_s=_known(rec.get("keyint_s")), profile=_known(rec.get("profile")),
        vertical=doc.get("vertical", "unknown"), offsite_qr=doc.get("offsite_qr", "unknown"),
        bandwidth_test=doc.get("bandwidth_test", ""),
        notes=doc.get("notes", ""),
        extra={k: v for k, v in rec.items() if k == "bitrate_matrix"},
    )


def presets_path() -> Path:
    return resources_dir() / "presets" / "platforms.json"


def load_presets(path: Path | None = None) -> list[Preset]:
    path = path or presets_path()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return [preset_from_json(p) for p in doc["platforms"]]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise UserError(f"the platform presets {path} cannot be read ({e}); reinstall the studio") from None


def preset_by_id(presets: list[Preset], preset_id: str) -> Preset | None:
    return next((p for p in presets if p.id == preset_id), None)


def stream_url(server: str, key: str | None) -> str:
    """`server/<key>` the way OBS builds it (the key is the last path segment); the server alone when
    there is no key (a custom URL that already holds one). A query (`?backup=1`) stays at the end."""
    server = server.strip()
    if not key:
        return server
    base, sep, query = server.partition("?")
    return f"{base.rstrip('/')}/{key.strip()}" + (f"?{query}" if sep else "")
