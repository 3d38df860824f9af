"""Where the studio keeps its files (platformdirs), overridable with STUDIO_HOME for tests and kiosks."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "AnchorStudio"


def _base(kind: str) -> Path:
    home = os.environ.get("STUDIO_HOME")
    if home:
        return Path(home) / kind
    fn = {"config": platformdirs.user_config_dir, "data": platformdirs.user_data_dir,
          "cache": platformdirs.user_cache_dir}[kind]
    return Path(fn(APP, appauthor=False))


def config_dir() -> Path:
    return _base("config")


def data_dir() -> Path:
    return _base("data")


def cache_dir() -> Path:
    return _base("cache")


def resources_dir() -> Path:
    """The top-level resources/ folder (presets, demo catalog, fonts); in a bundle, STUDIO_RESOURCES
    overrides it."""
    env = os.environ.get("STUDIO_RESOURCES")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "resources"
