"""Commerce tests render real QImages offscreen and keep every cache under a temporary STUDIO_HOME."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _studio_home(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_HOME", str(tmp_path / "home"))
    yield


@pytest.fixture(scope="session")
def gui():
    from studio.commerce.overlays.qt import ensure_gui
    ensure_gui()
    return True
