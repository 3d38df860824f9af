"""The one lazy QGuiApplication for QtGui drawing (overlays, report charts) outside the desktop app.

Fonts come from the application object, so it must exist before any QPainter draws text. In the
desktop app the QApplication already exists and this does nothing; headless, an offscreen one is made.
Call it on the main thread: a QGuiApplication must not be born on a worker thread.
"""

from __future__ import annotations

import os
import threading

from PySide6.QtGui import QGuiApplication

_lock = threading.Lock()
_app: QGuiApplication | None = None


def ensure_gui() -> None:
    global _app
    if QGuiApplication.instance() is not None:
        return
    with _lock:
        if QGuiApplication.instance() is None:
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
            _app = QGuiApplication(["studio"])
