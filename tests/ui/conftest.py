"""The real main window, offscreen, on a real controller (test pattern, tone, demo feed at a fast
pace); always shut down. Stream keys go to an in-memory keyring."""

from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtWidgets import QApplication

from studio.app.controller import StudioController
from studio.app.settings import AudioSettings, Settings

# Collection runs before any test: create the QApplication now, so that no earlier test (engine,
# overlays) leaves a plain QGuiApplication/QCoreApplication behind, under which widgets abort.
_APP = QApplication.instance() or QApplication(["studio-tests"])


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_settings(**kw) -> Settings:
    base = {"feeds": ["demo:rate=8,seed=7"], "audio": [AudioSettings(source="tone")], "camera": "testsrc",
            "width": 640, "height": 360, "fps": 30, "bitrate_kbps": 800, "encoder": "libx264", "first_run_done": True}
    base.update(kw)
    return Settings(**base)


test_settings.__test__ = False  # a helper, not a test


@pytest.fixture
def make_window(qtbot, memory_keyring):
    from studio.ui.main_window import MainWindow

    made = []

    def make(settings: Settings | None = None):
        settings = settings or test_settings()
        controller = StudioController(settings).start()
        window = MainWindow(settings, controller)
        made.append(window)
        qtbot.addWidget(window)
        window.show()
        return window

    yield make
    for w in made:
        if w.controller is not None:
            c = w.controller
            w.unbind()
            c.shutdown()
