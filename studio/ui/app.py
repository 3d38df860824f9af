"""Start the desktop studio: settings (a corrupt file is moved aside with a message), language,
the controller (preview, commerce, demo feed) and the main window; the first-run wizard beside it."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from studio.app.controller import StudioController
from studio.app.settings import load_settings, save_settings
from studio.ui import i18n


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        # before the QApplication exists: fractional scales (150 %) stay fractional, not rounded
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv or sys.argv[:1])
    app.setApplicationName("Anchor Studio")
    app.setOrganizationName("AnchorStudio")
    return app


def build_window(settings, message: str | None = None, wizard: bool | None = None):
    from studio.ui.main_window import MainWindow

    controller = StudioController(settings).start()
    window = MainWindow(settings, controller)
    if message:
        box = QMessageBox(QMessageBox.Icon.Warning, "Anchor Studio", message, parent=window)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setModal(False)
        box.show()
        window.settings_message_box = box
    return window


def run(language: str | None = None, wizard: bool | None = None) -> int:
    settings, message = load_settings()
    if language:
        settings.language = language
    app = make_app()
    i18n.install(app, settings.language)
    window = build_window(settings, message)
    window.show()
    if wizard if wizard is not None else not settings.first_run_done:
        settings.first_run_done = True
        save_settings(settings)
        window.open_wizard()
    code = app.exec()
    if window.controller is not None:
        window.shutdown()
    return code
