"""Settings dialog (destinations with keys in the keyring, shown masked; devices; language), the
first-run wizard beside the live window, translations, and a corrupt settings file at start."""

from __future__ import annotations

import keyring
from keyring.errors import NoKeyringError
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from studio.app.controller import Proposal, propose
from studio.app.settings import load_settings, settings_path
from studio.core.secrets import KEYRING_SERVICE
from studio.ui import i18n
from studio.ui.settings_dialog import SettingsDialog
from tests.ui.conftest import MemoryKeyring, test_settings


def test_destination_key_goes_to_the_keyring_and_shows_masked(qtbot, memory_keyring):
    settings = test_settings()
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.add_preset.setCurrentIndex(dialog.add_preset.findData("twitch"))
    dialog.add_destination()
    assert dialog.d_server.currentText() == "rtmp://live.twitch.tv/app"
    dialog.d_key.setText("live_123456_secretkey")
    applied = []
    dialog.applied.connect(applied.append)
    dialog.accept_settings()
    d = settings.destinations[0]
    assert memory_keyring.store[(KEYRING_SERVICE, d.key_name)] == "live_123456_secretkey"
    assert "secretkey" not in dialog.d_url.text() and dialog.d_url.text().endswith("****")
    from studio.app.settings import save_settings

    save_settings(settings)
    assert "secretkey" not in settings_path().read_text()
    assert applied == [False]  # nothing that needs the show rebuilt


def test_no_keyring_backend_is_a_clear_message_not_a_crash(qtbot):
    class NoBackend(MemoryKeyring):
        def set_password(self, service, username, password):
            raise NoKeyringError("No recommended backend was available.")

    previous = keyring.get_keyring()
    keyring.set_keyring(NoBackend())
    try:
        dialog = SettingsDialog(test_settings())
        qtbot.addWidget(dialog)
        dialog.add_destination()
        dialog.d_key.setText("abcdef")
        assert dialog.save_key() is False
        assert "keyring" in dialog.keyring_box.text()
    finally:
        keyring.set_keyring(previous)


def test_canvas_change_asks_for_a_rebuild(qtbot, memory_keyring):
    settings = test_settings()
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.canvas.setCurrentIndex(dialog.canvas.findData("720x1280"))
    applied = []
    dialog.applied.connect(applied.append)
    dialog.accept_settings()
    assert applied == [True] and settings.size == (720, 1280) and settings.vertical


def test_settings_change_rebuilds_the_running_show(make_window, qtbot):
    w = make_window()
    w.controller.settings.width, w.controller.settings.height = 360, 640
    w.controller.settings.layers = []
    w.settings_applied(True)
    assert w.controller.show.config.size == (360, 640)
    qtbot.waitUntil(lambda: w.preview.image is not None and w.preview.image.height() > w.preview.image.width(),
                    timeout=3000)


def test_wizard_opens_beside_the_live_window_and_applies(make_window, qtbot, monkeypatch):
    import studio.ui.wizard as wizard_mod

    monkeypatch.setattr(wizard_mod, "auto_configure",
                        lambda fps, vertical, progress=None: propose({(1920, 1080): 20.0, (1280, 720): 50.0}, [], fps,
                                                                     vertical))
    w = make_window()
    w.open_wizard()
    wiz = w.wizard
    assert wiz.isVisible() and not wiz.isModal() and w.isVisible()
    wiz.next()  # → measurement
    qtbot.waitUntil(lambda: wiz.proposal is not None, timeout=5000)
    assert (wiz.proposal.width, wiz.proposal.height) == (1280, 720)
    wiz.accept()
    assert w.controller.show.config.size == (1280, 720)
    assert w.controller.settings.bitrate_kbps == 3500


def test_proposal_follows_the_measurement():
    assert propose({(1920, 1080): 60.0}, [], 30) == Proposal(1920, 1080, 30, 6000, "libx264", {"1920x1080": 60.0}, [])
    slow = propose({(1920, 1080): 10.0, (1280, 720): 20.0, (854, 480): 40.0}, [], 30, vertical=True)
    assert (slow.width, slow.height, slow.bitrate_kbps) == (480, 854, 1500)
    assert propose({(1920, 1080): 5.0}, ["h264_nvenc"], 30).encoder == "h264_nvenc"


def test_chinese_translation_from_the_compiled_qm(qtbot):
    app = QApplication.instance()
    translator, how = i18n.install(app, "zh_CN")
    try:
        assert how == "qm"
        assert i18n.tr("Go live") == "开始直播"
    finally:
        app.removeTranslator(translator)
    assert QCoreApplication.translate("Studio", "Go live") == "Go live"


def test_ts_fallback_translator_reads_the_source_file(qtbot):
    t = i18n.TsTranslator(i18n.HERE / "studio_zh_CN.ts")
    assert t.translate("Studio", "Stop") == "结束直播"


def test_every_ui_string_is_translated():
    from studio.ui.i18n.build import extract, read_ts

    done = read_ts(i18n.HERE / "studio_zh_CN.ts")
    assert [s for s in extract() if s not in done] == []


def test_corrupt_settings_file_opens_the_studio_with_a_message(qtbot, memory_keyring):
    from studio.ui.app import build_window

    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("width = [")
    settings, message = load_settings()
    assert message
    settings.camera, settings.feeds = "testsrc", ["none"]
    settings.audio[0].source = "tone"
    window = build_window(settings, message)
    qtbot.addWidget(window)
    try:
        assert "moved" in window.settings_message_box.text()
        assert window.controller.show is not None
    finally:
        c = window.controller
        window.unbind()
        c.shutdown()
