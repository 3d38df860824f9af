"""The host's own profile: what the window opens when no `--profile` is given.

`profile.toml` in `studio.core.paths.config_dir()` (STUDIO_HOME in tests). A studio of 0.1 kept
`settings.toml` there: it is migrated on first start (the old file stays, renamed `.migrated`). No
file at all is the first run: a demo show (the demo catalog and the simulated demo feed, which the
window marks DEMO DATA) until the host sets up their own.
"""

from __future__ import annotations

from pathlib import Path

from studio.app.profile.load import Loaded, load_profile
from studio.app.profile.model import AudioSource, Commerce, Feed, Layer, Recording, ShowSpec
from studio.app.profile.save import save_profile
from studio.core.errors import UserError
from studio.core.log import get_logger
from studio.core.paths import config_dir, resources_dir

log = get_logger("app.profile")

FILE_NAME = "profile.toml"
OLD_FILE_NAME = "settings.toml"


def host_profile_path() -> Path:
    return config_dir() / FILE_NAME


def first_run_spec() -> ShowSpec:
    """The show a new host sees: their camera (or the test pattern), their microphone, the demo catalog
    and the demo feed, recording on."""
    return ShowSpec(layers=(Layer(kind="video", name="Camera", source="camera"),),
                    audio=(AudioSource("auto"),),
                    recording=Recording(enabled=True),
                    commerce=Commerce(catalog=str(resources_dir() / "catalog" / "demo.json")),
                    feeds=(Feed(kind="demo"),))


def open_profile(path: Path | None = None) -> tuple[ShowSpec, list[str], bool]:
    """(spec, messages for the host, first run?) for the window. A profile that is not TOML at all is
    moved aside (`.corrupt-…`) and the first-run show is used, with one sentence saying so."""
    explicit = path is not None
    path = path or host_profile_path()
    messages: list[str] = []
    if not path.exists() and not explicit:
        old = path.with_name(OLD_FILE_NAME)
        if old.exists():
            return _migrate_old(old, path)
        return first_run_spec(), [], True
    try:
        loaded: Loaded = load_profile(path)
    except UserError as e:
        if explicit:
            raise
        aside = _move_aside(path)
        message = f"{e}. It was moved to {aside} and a new show is set up." if aside else str(e)
        return first_run_spec(), [message], True
    messages += [str(p) for p in loaded.problems]
    return loaded.spec, messages, False


def _migrate_old(old: Path, new: Path) -> tuple[ShowSpec, list[str], bool]:
    try:
        loaded = load_profile(old)
    except UserError as e:
        aside = _move_aside(old)
        return first_run_spec(), [f"{e}. It was moved to {aside} and a new show is set up."], True
    spec = loaded.spec
    messages = [str(p) for p in loaded.problems]
    try:
        save_profile(spec, new)
        old.replace(old.with_name(old.name + ".migrated"))
        messages.append(f"Your settings were moved to the show profile {new}.")
    except (UserError, OSError) as e:
        log.warning("could not write the migrated profile: %s", e)
    return spec, messages, False


def _move_aside(path: Path) -> Path | None:
    import time

    aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        path.replace(aside)
    except OSError as e:
        log.warning("could not move %s aside: %s", path, e)
        return None
    return aside
