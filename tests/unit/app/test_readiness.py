"""Go-live readiness: each destination's problem named by its platform, with the key link; one bad
destination never hides the good ones."""

from __future__ import annotations

from studio.app.presets import load_presets
from studio.app.profile.model import Canvas, Destination, Encoding, ShowSpec
from studio.app.readiness import check_destinations, has_stream_key

YT = "rtmp://a.rtmp.youtube.com/live2"


def spec(*dests: Destination, **kw) -> ShowSpec:
    return ShowSpec(destinations=dests, **kw)


def test_a_missing_key_names_the_platform_and_its_key_page(monkeypatch):
    monkeypatch.delenv("STUDIO_T_KEY", raising=False)
    [c] = check_destinations(spec(Destination("YouTube", "youtube", YT + "/${STUDIO_T_KEY}")))
    assert not c.ready and c.label == "YouTube"
    assert c.problem.startswith("no stream key: nothing in the environment variable STUDIO_T_KEY")
    assert "https://studio.youtube.com/" in c.problem and c.key_link == "https://studio.youtube.com/"


def test_a_server_without_key_is_not_ready_and_never_shows_an_url():
    [c] = check_destinations(spec(Destination("My Twitch", "twitch", "rtmp://live.twitch.tv/app")))
    assert c.label == "My Twitch (Twitch)" and c.problem.startswith("no stream key")


def test_one_bad_destination_leaves_the_others_ready(monkeypatch):
    monkeypatch.setenv("STUDIO_T_KEY", "abc123")
    checks = check_destinations(spec(Destination("YouTube", "youtube", YT + "/${STUDIO_T_KEY}"),
                                     Destination("Douyin", "douyin", ""),
                                     Destination("Off", "custom", "", enabled=False)))
    assert [(c.label, c.ready) for c in checks] == [("YouTube", True), ("Douyin 抖音", False)]
    assert checks[0].url == YT + "/abc123"
    assert checks[1].problem == "no server address — choose a server in Settings → Destinations"


def test_a_bad_scheme_is_said_with_the_platform_name_not_the_url():
    [c] = check_destinations(spec(Destination("Custom", "custom", "http://example.com/app/secretkey")))
    assert "secretkey" not in c.problem and "http://example.com/app/****" in c.problem
    [c] = check_destinations(spec(Destination("YouTube", "youtube", "http://a.rtmp.youtube.com/live2/secretkey")))
    assert c.problem == ("destination 'YouTube' is not an rtmp:// or rtmps:// URL: use the server URL and "
                         "stream key your platform shows, e.g. rtmp://host/app/KEY")


def test_preset_limits_are_warnings_not_blocks(monkeypatch):
    monkeypatch.setenv("STUDIO_T_KEY", "abc123")
    s = spec(Destination("Twitch", "twitch", "rtmp://live.twitch.tv/app/${STUDIO_T_KEY}"),
             Destination("TikTok", "tiktok", "rtmp://push.tiktok.example/live/${STUDIO_T_KEY}"),
             canvas=Canvas(1280, 720), encoding=Encoding(bitrate_kbps=8000))
    twitch, tiktok = check_destinations(s, load_presets())
    assert twitch.ready and twitch.warnings == ("Twitch takes at most 6000 kbps; the show sends 8000",)
    assert tiktok.ready and any("9:16" in w for w in tiktok.warnings)


def test_has_stream_key(monkeypatch):
    monkeypatch.setenv("STUDIO_T_KEY", "abc123")
    assert has_stream_key(Destination("Y", "youtube", YT + "/${STUDIO_T_KEY}"))
    assert not has_stream_key(Destination("Y", "youtube", YT + "/${STUDIO_T_NOPE}"))
    assert not has_stream_key(Destination("Y", "youtube", YT))


def test_the_qr_code_is_off_where_the_platform_forbids_it_or_nobody_can_scan_it():
    from dataclasses import replace

    from studio.app.assemble import qr_mode
    from studio.app.profile.model import Commerce

    landscape = spec(Destination("YouTube", "youtube", YT + "/k"), canvas=Canvas(1280, 720))
    assert qr_mode(landscape) == ("product", "")
    douyin = replace(landscape, destinations=(*landscape.destinations,
                                              Destination("Douyin", "douyin", "rtmp://push.example/live/k")))
    mode, why = qr_mode(douyin)
    assert mode == "off" and "Douyin 抖音" in why
    assert qr_mode(replace(landscape, canvas=Canvas(720, 1280)))[0] == "off"
    chosen = replace(douyin, commerce=Commerce(qr="product"))
    assert qr_mode(chosen) == ("product", "")     # the host's explicit choice stands, with a warning
    assert any("forbids QR codes" in w for c in check_destinations(chosen) for w in c.warnings)
