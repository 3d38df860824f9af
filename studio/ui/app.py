"""Start the desktop studio: the show profile (the host's own, or `--profile FILE`), language, the
controller (preview, commerce, feeds) and the main window; the first-run wizard beside it."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from studio.app.controller import StudioController
from studio.app.host_profile import host_profile_path, open_profile
from studio.app.profile.model import ShowSpec
from studio.core.errors import UserError
from studio.ui import i18n
from studio.ui.i18n import tr


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        # before the QApplication exists: fractional scales (150 %) stay fractional, not rounded
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv or sys.argv[:1])
    app.setApplicationName("Anchor Studio")
    app.setOrganizationName("AnchorStudio")
    return app  # type: ignore[return-value]


def build_window(spec: ShowSpec, messages: list[str] | None = None, profile_path: Path | None = None):
    from studio.ui.main_window import MainWindow

    controller = StudioController(spec).start()
    window = MainWindow(spec, controller, profile_path=profile_path or host_profile_path())
    if messages:
        box = QMessageBox(QMessageBox.Icon.Warning, "Anchor Studio", "\n".join(messages[:12]), parent=window)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setModal(False)
        box.show()
        window.settings_message_box = box
    return window


def unlock_key_file() -> list[str]:
    """No OS keyring, and the studio keeps its keys in its encrypted file: ask for the passphrase (three
    tries). Returns the sentences to show (keys unavailable)."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    from studio.core.keystore import encrypted_store_active, key_file, os_keyring_usable, use_encrypted_store

    if encrypted_store_active() or not key_file().exists() or os_keyring_usable():
        return []
    prompt = tr("The studio's stream keys are in an encrypted file. Passphrase:")
    for _ in range(3):
        text, ok = QInputDialog.getText(None, "Anchor Studio", prompt, QLineEdit.EchoMode.Password)
        if not ok:
            break
        try:
            use_encrypted_store(text)
            return []
        except UserError as e:
            prompt = str(e) + "\n" + tr("Passphrase:")
    return [tr("The encrypted key file is locked: destinations and feeds that need a key will say so. "
                    "Restart the studio to type the passphrase.")]


def run(language: str | None = None, wizard: bool | None = None, profile: Path | None = None) -> int:
    try:
        spec, messages, first_run = open_profile(profile)
    except UserError as e:
        print(f"studio: {e}", file=sys.stderr)
        return 2
    if language:
        from dataclasses import replace

        spec = replace(spec, language=language)
    app = make_app()
    i18n.install(app, spec.language)
    messages = [*messages, *unlock_key_file()]
    window = build_window(spec, messages, profile)
    window.show()
    if wizard if wizard is not None else first_run:
        window.save()  # the first run's show becomes the host's profile: the wizard opens once
        window.open_wizard()
    code = app.exec()
    while window.replaced_by is not None:   # a language switch hands the show to a new window
        window = window.replaced_by
    if window.controller is not None:
        window.shutdown()
    return code
