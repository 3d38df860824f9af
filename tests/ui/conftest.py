"""The real main window, offscreen, on a real controller (test pattern, tone, demo feed at a fast
pace); always shut down. Stream keys go to an in-memory keyring."""

from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtWidgets import QApplication

from studio.app.controller import StudioController
from studio.app.host_profile import host_profile_path
from studio.app.profile.model import AudioSource, Canvas, Commerce, Encoding, Feed, Layer, Recording, ShowSpec
from studio.core.paths import resources_dir

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


class RefusingKeyring(MemoryKeyring):
    """A machine without a usable OS keyring: reads find nothing, every write is refused."""

    def set_password(self, service, username, password):
        from keyring.errors import NoKeyringError

        raise NoKeyringError("No recommended backend was available.")


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


DEMO_CATALOG = resources_dir() / "catalog" / "demo.json"


def test_spec(feeds: tuple[Feed, ...] | None = None, **kw) -> ShowSpec:
    """A small, fast show: test pattern, tone, 640x360, libx264 at 800 kbps, the demo feed at a fast pace."""
    demo = (Feed(kind="demo", options=(("rate", "8"), ("seed", "7"))),)
    base = {"canvas": Canvas(640, 360), "layers": (Layer(kind="video", name="Camera", source="testsrc"),),
            "audio": (AudioSource("tone"),), "encoding": Encoding("libx264", 800),
            "feeds": demo if feeds is None else feeds, "recording": Recording(enabled=False),
            "commerce": Commerce(catalog=str(DEMO_CATALOG))}
    base.update(kw)
    return ShowSpec(**base)  # type: ignore[arg-type]


test_spec.__test__ = False  # a helper, not a test


@pytest.fixture
def make_window(qtbot, memory_keyring):
    from studio.ui.main_window import MainWindow

    made = []

    def make(spec: ShowSpec | None = None):
        spec = spec or test_spec()
        controller = StudioController(spec).start()
        window = MainWindow(spec, controller, profile_path=host_profile_path())
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
