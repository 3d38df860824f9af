"""Settings: typed defaults, TOML round trip, validation, a corrupt file moved aside (never a crash),
no stream key in the file; platform presets read from resources/."""

from __future__ import annotations

import pytest

from studio.app.presets import load_presets, preset_by_id, stream_url
from studio.app.settings import (
    Destination,
    LayerSettings,
    Settings,
    SettingsError,
    load_settings,
    save_settings,
    settings_path,
)


def test_defaults_when_there_is_no_file():
    settings, message = load_settings()
    assert message is None
    assert settings.size == (1280, 720) and settings.feeds == ["demo"]


def test_settings_and_scene_survive_a_restart():
    s = Settings(width=720, height=1280, language="zh_CN", blocked_words=["spam"])
    s.destinations.append(Destination(name="YouTube", preset="youtube", server="rtmps://a.rtmps.youtube.com:443/live2"))
    s.layers = [LayerSettings("testsrc", 10, 20, 300, 200, False, "cam")]
    save_settings(s)
    loaded, message = load_settings()
    assert message is None
    assert loaded == s
    assert loaded.vertical


def test_stream_keys_are_never_in_the_file():
    s = Settings()
    d = Destination(server="rtmp://host/app")
    s.destinations.append(d)
    save_settings(s)
    text = settings_path().read_text()
    assert d.key_name in text and "key =" not in text


@pytest.mark.parametrize("content", ["this is [not toml", "width = 'wide'", "width = 1281", "language = 'fr'",
                                     "[[destinations]]\nserver = 'http://x'"])
def test_a_corrupt_file_is_moved_aside_with_a_message(content):
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    settings, message = load_settings()
    assert settings == Settings()
    assert message and "moved" in message
    assert not path.exists()
    assert list(path.parent.glob("settings.toml.corrupt-*"))


def test_validation_names_the_field():
    with pytest.raises(SettingsError, match="bitrate_kbps"):
        Settings(bitrate_kbps=5).validate()


def test_presets_cover_the_platforms_and_say_unknown():
    presets = load_presets()
    ids = {p.id for p in presets}
    assert {"youtube", "twitch", "facebook", "tiktok", "kuaishou", "douyin", "taobao", "bilibili", "custom"} <= ids
    yt = preset_by_id(presets, "youtube")
    assert yt.servers[0].url == "rtmps://a.rtmps.youtube.com:443/live2" and yt.keyint_s == 2
    assert preset_by_id(presets, "twitch").max_video_kbps == 6000
    tiktok = preset_by_id(presets, "tiktok")
    assert not tiktok.servers and "unknown" in tiktok.server_note and tiktok.bitrate_kbps is None


def test_stream_url_appends_the_key_like_obs():
    assert stream_url("rtmp://live.twitch.tv/app", "k1") == "rtmp://live.twitch.tv/app/k1"
    assert stream_url("rtmps://rtmp-api.facebook.com:443/rtmp/", "k") == "rtmps://rtmp-api.facebook.com:443/rtmp/k"
    assert stream_url("rtmps://b.rtmps.youtube.com:443/live2?backup=1", "k") == \
        "rtmps://b.rtmps.youtube.com:443/live2/k?backup=1"
    assert stream_url("rtmp://host/app/inline", None) == "rtmp://host/app/inline"
