"""The desktop studio's settings: one typed schema with defaults and validation, stored as TOML.

`settings.toml` lives in `studio.core.paths.config_dir()` (STUDIO_HOME in tests). Stream keys are
never part of it: a destination names its key by `key_name`, and the key lives in the OS keyring
(`studio.core.secrets`). A file that cannot be read or validated is moved aside
(`settings.toml.corrupt-YYYYmmdd-HHMMSS`) and the defaults are used; `load_settings` returns the
one sentence the host should see about it.
"""

from __future__ import annotations

import sys
import time
import uuid
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import tomli_w

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from studio.core.log import get_logger
from studio.core.paths import config_dir

log = get_logger("app.settings")

FILE_NAME = "settings.toml"
SCHEMA_VERSION = 1
LANGUAGES = ("en", "zh_CN")
ENCODERS = ("auto", "libx264", "h264_nvenc", "h264_qsv", "h264_amf", "h264_videotoolbox", "h264_mf")
MAX_SIDE = 4096


class SettingsError(ValueError):
    """A value in the settings file is out of range or of the wrong type (the message names the field)."""


@dataclass
class Destination:
    """One place to stream to. The full URL is `server/<key>`; the key is in the keyring under `key_name`."""

    name: str = "Custom"
    preset: str = "custom"
    server: str = ""
    enabled: bool = True
    key_name: str = ""

    def __post_init__(self) -> None:
        if not self.key_name:
            self.key_name = f"destination:{uuid.uuid4().hex[:12]}"


@dataclass
class LayerSettings:
    """A video layer of the scene (source spec as in `studio live --video`)."""

    source: str = "testsrc"
    x: int = 0
    y: int = 0
    width: int | None = None
    height: int | None = None
    visible: bool = True
    name: str = ""


@dataclass
class AudioSettings:
    source: str = "auto"      # auto: the default microphone, or a muted tone when there is none
    gain: float = 1.0
    muted: bool = False


@dataclass
class Settings:
    version: int = SCHEMA_VERSION
    language: str = "en"
    width: int = 1280
    height: int = 720
    fps: int = 30
    bitrate_kbps: int = 3500
    encoder: str = "auto"
    record: bool = True
    recordings_dir: str = ""          # empty: <data dir>/recordings
    camera: str = "auto"              # auto: the first camera, or the test pattern when there is none
    catalog: str = ""                 # empty: the demo catalog
    feeds: list[str] = field(default_factory=lambda: ["demo"])
    blocked_words: list[str] = field(default_factory=list)
    first_run_done: bool = False
    destinations: list[Destination] = field(default_factory=list)
    layers: list[LayerSettings] = field(default_factory=list)
    audio: list[AudioSettings] = field(default_factory=lambda: [AudioSettings()])

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    @property
    def vertical(self) -> bool:
        return self.height > self.width

    def validate(self) -> Settings:
        """Raise SettingsError naming the first bad field; return self."""
        if self.language not in LANGUAGES:
            raise SettingsError(f"language {self.language!r}: use one of {', '.join(LANGUAGES)}")
        for name in ("width", "height"):
            v = getattr(self, name)
            if not 16 <= v <= MAX_SIDE or v % 2:
                raise SettingsError(f"{name} {v}: use an even number from 16 to {MAX_SIDE}")
        if not 1 <= self.fps <= 120:
            raise SettingsError(f"fps {self.fps}: use 1 to 120")
        if not 100 <= self.bitrate_kbps <= 50000:
            raise SettingsError(f"bitrate_kbps {self.bitrate_kbps}: use 100 to 50000")
        if self.encoder not in ENCODERS:
            raise SettingsError(f"encoder {self.encoder!r}: use one of {', '.join(ENCODERS)}")
        for d in self.destinations:
            if d.server and not d.server.lower().startswith(("rtmp://", "rtmps://")):
                raise SettingsError(f"destination {d.name!r}: server must start with rtmp:// or rtmps://")
        for i, layer in enumerate(self.layers):
            for name in ("width", "height"):
                v = getattr(layer, name)
                if v is not None and not 2 <= v <= MAX_SIDE:
                    raise SettingsError(f"layers[{i}].{name} {v}: use 2 to {MAX_SIDE}, or leave it out")
        for a in self.audio:
            if not 0.0 <= a.gain <= 4.0:
                raise SettingsError(f"audio gain {a.gain}: use 0 to 4")
        return self


def _typed(cls: type, table: Any, where: str):
    """Build dataclass `cls` from a TOML table, checking each known field's type; unknown keys are ignored."""
    if not isinstance(table, dict):
        raise SettingsError(f"{where}: expected a table")
    default = cls()
    kwargs = {}
    for f in fields(cls):
        if f.name not in table:
            continue
        value = table[f.name]
        current = getattr(default, f.name)
        if f.name == "destinations":
            value = [_typed(Destination, t, f"destinations[{i}]") for i, t in enumerate(_list(value, f.name))]
        elif f.name == "layers":
            value = [_typed(LayerSettings, t, f"layers[{i}]") for i, t in enumerate(_list(value, f.name))]
        elif f.name == "audio":
            value = [_typed(AudioSettings, t, f"audio[{i}]") for i, t in enumerate(_list(value, f.name))]
        elif isinstance(current, bool):
            if not isinstance(value, bool):
                raise SettingsError(f"{where}.{f.name}: expected true or false")
        elif isinstance(current, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise SettingsError(f"{where}.{f.name}: expected a number")
            value = float(value)
        elif isinstance(current, int) or f.name in ("width", "height") and cls is LayerSettings:
            if isinstance(value, bool) or not isinstance(value, int):
                raise SettingsError(f"{where}.{f.name}: expected a whole number")
        elif isinstance(current, str) and not isinstance(value, str):
            raise SettingsError(f"{where}.{f.name}: expected text")
        elif isinstance(current, list) and (not isinstance(value, list)
                                            or not all(isinstance(v, str) for v in value)):
            raise SettingsError(f"{where}.{f.name}: expected a list of text")
        kwargs[f.name] = value
    return replace(default, **kwargs)


def _list(value: Any, name: str) -> list:
    if not isinstance(value, list):
        raise SettingsError(f"{name}: expected an array of tables")
    return value


def settings_path() -> Path:
    return config_dir() / FILE_NAME


def from_toml(text: str) -> Settings:
    """Parse and validate; SettingsError (or tomllib.TOMLDecodeError) when the text is not valid."""
    try:
        data = tomllib.loads(text)
    except RecursionError:  # tomllib recurses per nesting level: `a = [[[[…` thousands deep
        raise SettingsError("settings: arrays or tables nested too deeply") from None
    return _typed(Settings, data, "settings").validate()


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def to_toml(settings: Settings) -> str:
    return tomli_w.dumps(_drop_none(asdict(settings)))


def load_settings(path: Path | None = None) -> tuple[Settings, str | None]:
    """(settings, message): the defaults and None when there is no file yet; the defaults and one
    sentence for the host when the file was unreadable and has been moved aside."""
    path = path or settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings(), None
    except (OSError, UnicodeDecodeError) as e:
        return Settings(), _move_aside(path, str(e))
    try:
        return from_toml(text), None
    except (tomllib.TOMLDecodeError, SettingsError, TypeError, ValueError) as e:
        return Settings(), _move_aside(path, str(e))


def _move_aside(path: Path, why: str) -> str:
    aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        path.replace(aside)
    except OSError as e:
        log.warning("could not move the bad settings file aside: %s", e)
        return f"The settings file {path} could not be read ({why}); the defaults are used."
    log.warning("settings file %s unreadable (%s); moved to %s", path, why, aside)
    return f"The settings file could not be read ({why}). It was moved to {aside} and the defaults are used."


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write atomically (temp file + replace), so a crash mid-write never leaves half a file."""
    path = path or settings_path()
    settings.validate()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(to_toml(settings), encoding="utf-8")
    tmp.replace(path)
    return path
