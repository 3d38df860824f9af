"""Settings dialog (destinations with keys in the keyring, shown masked; devices; language), the
first-run wizard beside the live window, translations, and a corrupt profile at start."""

from __future__ import annotations

import keyring
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from studio.app.controller import Proposal, propose
from studio.app.host_profile import host_profile_path, open_profile
from studio.app.profile.load import load_profile
from studio.app.profile.save import save_profile
from studio.core.secrets import KEYRING_SERVICE
from studio.ui import i18n
from studio.ui.settings_dialog import SettingsDialog
from tests.ui.conftest import RefusingKeyring, test_spec


def test_destination_key_goes_to_the_keyring_and_shows_masked(qtbot, memory_keyring):
    dialog = SettingsDialog(test_spec())
    qtbot.addWidget(dialog)
    dialog.add_preset.setCurrentIndex(dialog.add_preset.findData("twitch"))
    dialog.add_destination()
    assert dialog.d_server.currentText() == "rtmp://live.twitch.tv/app"
    dialog.d_key.setText("live_123456_secretkey")
    applied = []
    dialog.applied.connect(lambda spec, rebuild: applied.append((spec, rebuild)))
    dialog.accept_settings()
    (spec, rebuild), = applied
    d = spec.destinations[0]
    assert d.url.startswith("rtmp://live.twitch.tv/app/${keyring:destination:")
    name = d.url.rsplit("${keyring:", 1)[1].rstrip("}")
    assert memory_keyring.store[(KEYRING_SERVICE, name)] == "live_123456_secretkey"
    assert "secretkey" not in dialog.d_url.text() and dialog.d_url.text().endswith("****")
    save_profile(spec, host_profile_path())
    assert "secretkey" not in host_profile_path().read_text()
    assert load_profile(host_profile_path()).spec.destinations == spec.destinations
    assert rebuild is False  # nothing that needs the show rebuilt


def test_no_keyring_backend_is_a_clear_message_not_a_crash(qtbot, monkeypatch):
    monkeypatch.setattr("studio.ui.keyfile.ask_passphrase", lambda parent: None)  # declines the key file
    previous = keyring.get_keyring()
    keyring.set_keyring(RefusingKeyring())
    try:
        dialog = SettingsDialog(test_spec())
        qtbot.addWidget(dialog)
        dialog.add_destination()
        dialog.d_key.setText("abcdef")
        assert dialog.save_key() is False
        assert "keyring" in dialog.keyring_box.text()
    finally:
        keyring.set_keyring(previous)


def test_canvas_change_asks_for_a_rebuild(qtbot, memory_keyring):
    from dataclasses import replace

    from studio.app.profile.model import Layer

    spec = test_spec()
    spec = replace(spec, layers=(*spec.layers, Layer(kind="text", text="Free shipping", x=64, y=36)))
    dialog = SettingsDialog(spec)
    qtbot.addWidget(dialog)
    dialog.canvas.setCurrentIndex(dialog.canvas.findData("720x1280"))
    applied = []
    dialog.applied.connect(lambda spec, rebuild: applied.append((spec, rebuild)))
    dialog.accept_settings()
    (new, rebuild), = applied
    assert rebuild and new.canvas.size == (720, 1280) and new.canvas.vertical
    # the layout survives the new canvas: the text layer is still there, in the same proportion
    assert [(layer.kind, layer.x, layer.y) for layer in new.layers] == [("video", 0, 0), ("text", 72, 128)]


def test_settings_change_rebuilds_the_running_show(make_window, qtbot):
    from dataclasses import replace

    from studio.app.profile.model import Canvas

    w = make_window()
    w.settings_applied(replace(w.controller.spec, canvas=Canvas(360, 640)), True)
    assert w.controller.show.config.size == (360, 640)
    def vertical_frame() -> bool:
        return w.preview.image is not None and w.preview.image.height() > w.preview.image.width()

    qtbot.waitUntil(vertical_frame, timeout=3000)


def test_wizard_opens_beside_the_live_window_and_applies(make_window, qtbot, monkeypatch, memory_keyring):
    import studio.ui.wizard as wizard_mod

    def measured(fps, vertical, progress=None, upload_url=None):
        return propose({(1920, 1080): 20.0, (1280, 720): 50.0}, [], fps, vertical)

    monkeypatch.setattr(wizard_mod, "auto_configure", measured)
    w = make_window()
    w.open_wizard()
    wiz = w.wizard
    assert wiz.isVisible() and not wiz.isModal() and w.isVisible()
    wiz.next()  # → where do you stream
    wiz.platform.setCurrentIndex(wiz.platform.findData("twitch"))
    assert "dashboard.twitch.tv" in wiz.key_link.text() and wiz.server.currentText().startswith("rtmp")
    wiz.key.setText("live_424242_wizardkey")
    # Twitch's test mode (never shown live) is what the upload test streams to
    assert wiz.upload_test_url() == "rtmp://live.twitch.tv/app/live_424242_wizardkey?bandwidthtest=true"
    wiz.next()  # → measurement
    qtbot.waitUntil(lambda: wiz.proposal is not None, timeout=5000)
    assert (wiz.proposal.width, wiz.proposal.height) == (1280, 720)
    text = wiz.result_label.text()
    assert "libx264 encodes 1280×720 at 50.0 fps here" in text and "Twitch accepts up to 6000 kbps" in text
    wiz.accept()
    assert w.controller.show.config.size == (1280, 720)
    assert w.controller.spec.encoding.bitrate_kbps == 3500
    [dest] = w.controller.spec.destinations
    assert dest.preset == "twitch" and dest.enabled and "${keyring:destination:" in dest.url
    assert "live_424242_wizardkey" in memory_keyring.store.values()
    saved = load_profile(host_profile_path()).spec
    assert saved.canvas.size == (1280, 720) and saved.destinations == (dest,)   # saved, the key by reference
    assert "wizardkey" not in host_profile_path().read_text()


def test_proposal_follows_the_measurement():
    expected = Proposal(1920, 1080, 30, 6000, "libx264", {"1920x1080": 60.0}, [])
    assert propose({(1920, 1080): 60.0}, [], 30) == expected
    slow = propose({(1920, 1080): 10.0, (1280, 720): 20.0, (854, 480): 40.0}, [], 30, vertical=True)
    assert (slow.width, slow.height, slow.bitrate_kbps) == (480, 854, 1500)
    assert propose({(1920, 1080): 5.0}, ["h264_nvenc"], 30).encoder == "h264_nvenc"


def test_chinese_translation_from_the_compiled_qm(qtbot):
    app = QApplication.instance()
    translator, how = i18n.install(app, "zh_CN")
    try:
        assert how == "qm"
        assert i18n.tr("Go live") == "开始直播"
        # Qt's own buttons too (a QMessageBox's Yes / No / Cancel)
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
        assert QCoreApplication.translate("QPlatformTheme", "&Yes") == "是(&Y)"
        assert QCoreApplication.translate("QWizard", "&Next >") == "下一步(&N) >"
    finally:
        i18n.uninstall(app, translator)
    assert QCoreApplication.translate("Studio", "Go live") == "Go live"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"


def test_ts_fallback_translator_reads_the_source_file(qtbot):
    t = i18n.TsTranslator(i18n.HERE / "studio_zh_CN.ts")
    assert t.translate("Studio", "Stop") == "结束直播"


def test_every_ui_string_is_translated():
    from studio.ui.i18n.build import extract, read_ts

    done = read_ts(i18n.HERE / "studio_zh_CN.ts")
    assert [s for s in extract() if s not in done] == []


def test_corrupt_profile_opens_the_studio_with_a_message(qtbot, memory_keyring):
    from studio.ui.app import build_window

    path = host_profile_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("width = [")
    spec, messages, first_run = open_profile()
    assert first_run and messages and "moved" in messages[0]
    assert not path.exists() and list(path.parent.glob("profile.toml.corrupt-*"))
    window = build_window(test_spec(feeds=()), messages)
    qtbot.addWidget(window)
    try:
        assert "moved" in window.settings_message_box.text()
        assert window.controller.show is not None
    finally:
        c = window.controller
        window.unbind()
        c.shutdown()


def test_old_settings_file_is_migrated_to_a_profile(memory_keyring):
    old = host_profile_path().with_name("settings.toml")
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_text('version = 1\nlanguage = "zh_CN"\nwidth = 720\nheight = 1280\nfps = 30\n'
                   'camera = "testsrc"\n'
                   'feeds = ["none"]\n[[destinations]]\nname = "Douyin"\npreset = "douyin"\n'
                   'server = "rtmp://push.example.com/live"\nenabled = true\nkey_name = "destination:abc"\n',
                   encoding="utf-8")
    spec, messages, first_run = open_profile()
    assert not first_run and any("moved to the show profile" in m for m in messages)
    assert spec.language == "zh_CN" and spec.canvas.size == (720, 1280) and spec.feeds == ()
    assert spec.destinations[0].url == "rtmp://push.example.com/live/${keyring:destination:abc}"
    assert spec.layers[0].source == "testsrc"
    assert host_profile_path().exists() and old.with_name("settings.toml.migrated").exists()


def test_a_new_destination_is_not_ticked_until_it_has_a_key_and_offers_the_key_page(qtbot, memory_keyring):
    dialog = SettingsDialog(test_spec())
    qtbot.addWidget(dialog)
    dialog.add_preset.setCurrentIndex(dialog.add_preset.findData("youtube"))
    dialog.add_destination()
    assert not dialog.d_enabled.isChecked()
    assert "https://studio.youtube.com/" in dialog.d_link.text() and dialog.d_link.openExternalLinks()
    dialog.d_key.setText("abcd-efgh-ijkl-mnop")
    assert dialog.save_key() is True
    assert dialog.d_enabled.isChecked()
    spec = dialog.new_spec()
    assert spec.destinations[0].enabled and "abcd-efgh" not in spec.destinations[0].url


def test_a_key_pasted_into_the_server_field_is_moved_to_the_keyring_and_masked(qtbot, memory_keyring):
    dialog = SettingsDialog(test_spec())
    qtbot.addWidget(dialog)
    dialog.add_preset.setCurrentIndex(dialog.add_preset.findData("twitch"))
    dialog.add_destination()
    dialog.d_server.setCurrentText("rtmp://live.twitch.tv/app/live_998877_pastedkey")
    applied = []
    dialog.applied.connect(lambda spec, rebuild: applied.append(spec))
    dialog.accept_settings()
    [spec] = applied
    d = spec.destinations[0]
    assert d.url.startswith("rtmp://live.twitch.tv/app/${keyring:destination:") and d.enabled
    assert "live_998877_pastedkey" in memory_keyring.store.values()
    assert "pastedkey" not in dialog.d_server.currentText() and "pastedkey" not in dialog.d_url.text()
    save_profile(spec, host_profile_path())
    assert "pastedkey" not in host_profile_path().read_text()


def test_without_a_keyring_the_key_is_read_from_the_environment_and_never_stored(qtbot, monkeypatch):
    monkeypatch.setattr("studio.ui.keyfile.ask_passphrase", lambda parent: None)  # declines the key file
    previous = keyring.get_keyring()
    keyring.set_keyring(RefusingKeyring())
    try:
        dialog = SettingsDialog(test_spec())
        qtbot.addWidget(dialog)
        dialog.add_preset.setCurrentIndex(dialog.add_preset.findData("twitch"))
        dialog.add_destination()
        dialog.d_key.setText("live_123_kioskkey")
        applied = []
        dialog.applied.connect(lambda spec, rebuild: applied.append(spec))
        dialog.accept_settings()   # OK closes: the key field no longer holds the dialog open
        [spec] = applied
        d = spec.destinations[0]
        assert d.url == "rtmp://live.twitch.tv/app/${STUDIO_KEY_TWITCH}" and not d.enabled
        message = dialog.keyring_box.text()
        assert "STUDIO_KEY_TWITCH" in message and "kioskkey" not in message
        save_profile(spec, host_profile_path())
        assert "kioskkey" not in host_profile_path().read_text()
        monkeypatch.setenv("STUDIO_KEY_TWITCH", "live_123_kioskkey")
        from dataclasses import replace

        from studio.app.readiness import check_destinations

        [check] = check_destinations(replace(spec, destinations=(replace(d, enabled=True),)))
        assert check.ready and check.url.endswith("/live_123_kioskkey")
    finally:
        keyring.set_keyring(previous)


def test_the_language_switch_applies_at_once_and_the_show_goes_on(make_window, qtbot):
    from dataclasses import replace

    w = make_window()
    controller = w.controller
    p = controller.products[0]
    controller.pin(p.sku)
    app = QApplication.instance()
    try:
        w.settings_applied(replace(controller.spec, language="zh_CN"), False)
        new = w.replaced_by
        assert new is not None and new.controller is controller and w.controller is None
        qtbot.addWidget(new)
        assert new.go_button.text() == "开始直播" and new.docks["products"].windowTitle() == "商品"
        index = controller.show.compositor.next_index()
        qtbot.waitUntil(lambda: new.preview.frame_index > index, timeout=3000)   # the preview goes on
        assert controller.pinned.sku == p.sku
        assert load_profile(host_profile_path()).spec.language == "zh_CN"
        new.settings_applied(replace(controller.spec, language="en"), False)
        back = new.replaced_by
        qtbot.addWidget(back)
        assert back.go_button.text() == "Go live"
    finally:
        i18n.uninstall(app, getattr(app, "_studio_translator", None))
    back.unbind()
    controller.shutdown()


def test_without_a_keyring_the_key_can_go_to_the_encrypted_key_file(qtbot, monkeypatch):
    monkeypatch.setattr("studio.ui.keyfile.ask_passphrase", lambda parent: "kiosk passphrase")
    from studio.core.keystore import key_file

    previous = keyring.get_keyring()
    keyring.set_keyring(RefusingKeyring())
    try:
        dialog = SettingsDialog(test_spec())
        qtbot.addWidget(dialog)
        dialog.add_preset.setCurrentIndex(dialog.add_preset.findData("twitch"))
        dialog.add_destination()
        dialog.d_key.setText("live_555_sealedkey")
        assert dialog.save_key() is True
        d = dialog.new_spec().destinations[0]
        assert d.enabled and "${keyring:destination:" in d.url
        from studio.app.readiness import check_destinations

        [check] = check_destinations(dialog.new_spec())
        assert check.ready and check.url.endswith("/live_555_sealedkey")
        assert b"sealedkey" not in key_file().read_bytes()
    finally:
        keyring.set_keyring(previous)


def test_the_engines_sentences_are_shown_in_chinese(qtbot):
    from studio.ui.messages import localize

    app = QApplication.instance()
    translator, _ = i18n.install(app, "zh_CN")
    try:
        camera = "No camera found: the test pattern is shown instead."
        assert localize(camera) == "未找到摄像头：改为显示测试图案。"
        assert localize("Layer 'Logo' is switched off: /x/logo.png does not exist") == \
            "图层“Logo”已关闭：/x/logo.png does not exist"
        no_key = "no stream key: nothing in the OS keyring; get it at https://studio.youtube.com/"
        assert localize(no_key) == "没有推流码：系统钥匙串中没有；在这里获取：https://studio.youtube.com/"
        assert localize("something the studio does not know") == "something the studio does not know"
    finally:
        i18n.uninstall(app, translator)
    assert localize("No camera found: the test pattern is shown instead.").startswith("No camera found")


def test_a_destination_streams_hevc_and_the_show_adapts_or_not_as_chosen(qtbot, memory_keyring):
    dialog = SettingsDialog(test_spec())
    qtbot.addWidget(dialog)
    dialog.add_preset.setCurrentIndex(dialog.add_preset.findData("youtube"))
    dialog.add_destination()
    dialog.d_key.setText("abcd-efgh-ijkl")
    dialog.d_codec.setCurrentIndex(dialog.d_codec.findData("hevc"))
    dialog.bitrate_mode.setCurrentIndex(dialog.bitrate_mode.findData("cbr"))
    applied = []
    dialog.applied.connect(lambda spec, rebuild: applied.append(spec))
    dialog.accept_settings()
    [spec] = applied
    assert spec.destinations[0].codec == "hevc" and spec.encoding.bitrate_mode == "cbr"
    save_profile(spec, host_profile_path())
    text = host_profile_path().read_text()
    assert 'codec = "hevc"' in text and 'bitrate_mode = "cbr"' in text
    again = load_profile(host_profile_path()).spec
    assert again.destinations == spec.destinations and again.encoding == spec.encoding
    reopened = SettingsDialog(again)
    qtbot.addWidget(reopened)
    assert reopened.d_codec.currentData() == "hevc" and reopened.bitrate_mode.currentData() == "cbr"
