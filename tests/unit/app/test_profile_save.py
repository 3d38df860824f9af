"""Writing a show profile: what is written reads back as the same show; a save over the host's own file
keeps their comments, blank lines, key order and keys the studio does not know, and changes only what
changed; no secret is ever written; the write is atomic."""

from __future__ import annotations

import difflib
import os
from dataclasses import replace
from fractions import Fraction

import pytest

from studio.app.profile.load import load_profile, parse_profile
from studio.app.profile.model import (
    AudioSource,
    Canvas,
    Commerce,
    Destination,
    Encoding,
    Feed,
    Layer,
    Recording,
    ShowSpec,
)
from studio.app.profile.save import render, save_profile
from studio.core.errors import UserError
from tests.support.secrets import TEST_SHOP_TOKEN, TEST_STREAM_KEY

FULL = ShowSpec(
    language="zh_CN",
    canvas=Canvas(1920, 1080, Fraction(30000, 1001)),
    layers=(Layer(kind="video", name="Camera", source="camera:0", width=1920, height=1080,
                  crop=(40, 0, 40, 0)),
            Layer(kind="video", source="url:rtsp://192.168.1.20/stream1", x=1400, y=60, width=480, height=270,
                  opacity=0.9, visible=False),
            Layer(kind="image", name="Logo", path="logo.png", x=20, y=20, width=200, height=80, opacity=0.8),
            Layer(kind="text", name="Banner", text="Free shipping 今天", font_size=48, color="#ffcc00",
                  background="#00000080", x=40, y=980)),
    audio=(AudioSource("mic:default", 1.5, False, "Host mic"), AudioSource("tone:440", 0.0, True)),
    destinations=(Destination("YouTube", "youtube", "rtmps://a.rtmps.youtube.com/live2/${keyring:youtube-main}"),
                  Destination("Twitch", "twitch", "rtmp://live.twitch.tv/app/${TWITCH_KEY}", enabled=False)),
    recording=Recording(enabled=True, path="show.mkv", folder="recordings"),
    encoding=Encoding("libx264", 6000),
    commerce=Commerce(catalog="products.csv", currency="CNY", store_url="https://shop.example.com",
                      pin="TEA-1",
                      countdown_s=300, coupon="SAVE10", qr="https://shop.example.com/sale", chat_overlay=True,
                      image_timeout=5.0),
    feeds=(Feed("youtube", "yt", True,
                (("live_chat_id", "Cg0KC2FiYw"), ("token", "${keyring:youtube_token}"))),
           Feed("shopify", "", False, (("shop", "teashop"), ("token", "${STUDIO_SHOPIFY_TOKEN}"),
                                       ("interval", "10"))),
           Feed("demo", "", True, (("rate", "3"),))),
    blocked_words=("spam", "scam", "免费"),
    session_log="show.sqlite",
)


def reread(text: str) -> ShowSpec:
    loaded = parse_profile(text, "show.toml")
    assert loaded.problems == [], loaded.problems
    return loaded.spec


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]


def test_a_rendered_spec_reads_back_as_the_same_spec():
    assert reread(render(FULL)) == FULL


def test_a_spec_of_defaults_reads_back_too():
    assert reread(render(ShowSpec())) == ShowSpec()


def test_the_rendered_file_is_stable():
    text = render(FULL)
    assert render(reread(text)) == text


@pytest.mark.parametrize("fps", [Fraction(30), Fraction(25), Fraction(30000, 1001), Fraction(24000, 1001),
                                 Fraction(60000, 1001), Fraction(25, 2), Fraction(100, 3),
                                 Fraction(1001, 1000)])
def test_any_frame_rate_the_loader_makes_is_written_exactly(fps):
    spec = ShowSpec(canvas=Canvas(fps=fps))
    assert reread(render(spec)).canvas.fps == fps


def test_ntsc_is_written_as_people_write_it():
    assert "fps = 29.97\n" in render(ShowSpec(canvas=Canvas(fps=Fraction(30000, 1001))))


def test_base_dir_is_not_saved(tmp_path):
    path = save_profile(replace(FULL, base_dir="/somewhere"), tmp_path / "show.toml")
    assert "somewhere" not in path.read_text(encoding="utf-8")
    assert load_profile(path).spec == replace(FULL, base_dir=str(tmp_path))


HAND = """\
# Saturday tea show — written by hand
version = 2
language = "en"        # the window's language
producer = "Mei"       # not a studio key: kept

[canvas]
width = 1280
height = 720
fps = 30

# the main camera
[[layer]]
kind = "video"
source = "camera:0"
crop = [0, 0, 0, 0]

# the logo, top left
[[layer]]
kind = "image"
path = "logo.png"
x = 20   # a little in from the edge
y = 20

# main channel
[[destination]]
name = "YouTube"
preset = "youtube"
url = "rtmps://a.rtmps.youtube.com/live2/${keyring:yt}"

# backup channel
[[destination]]
name = "Twitch"
preset = "twitch"
url = "rtmp://live.twitch.tv/app/${TWITCH_KEY}"
enabled = false

# the store
[[feed]]
kind = "shopify"
shop = "teashop"
token = "${keyring:shopify_token}"
interval = 10

[[feed]]
kind = "demo"
rate = 3

# words never shown
[chat]
blocked_words = ["spam"]
"""


def hand_spec() -> ShowSpec:
    loaded = parse_profile(HAND, "show.toml")
    assert [p.message.split(" — ")[0] for p in loaded.problems] == ["unknown key 'producer' in the profile"]
    return loaded.spec


def test_saving_an_unchanged_show_changes_nothing(tmp_path):
    path = tmp_path / "show.toml"
    path.write_text(HAND, encoding="utf-8")
    save_profile(hand_spec(), path)
    assert path.read_text(encoding="utf-8") == HAND


def test_a_changed_value_changes_that_line_only(tmp_path):
    path = tmp_path / "show.toml"
    path.write_text(HAND, encoding="utf-8")
    spec = hand_spec()
    logo = replace(spec.layers[1], x=64)
    save_profile(replace(spec, layers=(spec.layers[0], logo), canvas=replace(spec.canvas, width=1920,
                                                                              height=1080)), path)
    text = path.read_text(encoding="utf-8")
    assert changed_lines(HAND, text) == ["- width = 1280", "+ width = 1920",
                                         "- height = 720", "+ height = 1080",
                                         "- x = 20   # a little in from the edge",
                                         "+ x = 64   # a little in from the edge"]
    assert load_profile(path).spec.layers[1].x == 64


def test_comments_blank_lines_order_and_unknown_keys_survive_a_save(tmp_path):
    path = tmp_path / "show.toml"
    path.write_text(HAND, encoding="utf-8")
    spec = hand_spec()
    save_profile(replace(spec, language="zh_CN", blocked_words=("spam", "scam")), path)
    text = path.read_text(encoding="utf-8")
    for line in HAND.splitlines():
        if not line.startswith(("language", "blocked_words")):
            assert line in text.splitlines()
    assert 'language = "zh_CN"        # the window\'s language' in text
    assert text.index("producer") < text.index("[canvas]") < text.index("[[layer]]") < text.index("[chat]")
    assert text.count("\n\n") == HAND.count("\n\n")


def test_removing_a_layer_removes_its_table_and_its_comment(tmp_path):
    path = tmp_path / "show.toml"
    path.write_text(HAND, encoding="utf-8")
    spec = hand_spec()
    save_profile(replace(spec, layers=spec.layers[:1]), path)
    assert changed_lines(HAND, path.read_text(encoding="utf-8")) == [
        "- ", "- # the logo, top left", "- [[layer]]", '- kind = "image"', '- path = "logo.png"',
        "- x = 20   # a little in from the edge", "- y = 20"]


def test_removing_the_first_layer_takes_its_comment_and_keeps_the_next_ones(tmp_path):
    path = tmp_path / "show.toml"
    path.write_text(HAND, encoding="utf-8")
    spec = hand_spec()
    save_profile(replace(spec, layers=spec.layers[1:]), path)
    text = path.read_text(encoding="utf-8")
    assert "# the main camera" not in text and "camera:0" not in text
    assert "\n\n# the logo, top left\n[[layer]]\nkind = \"image\"" in text
    assert load_profile(path).spec.layers == spec.layers[1:]


def test_removing_a_destination_removes_its_table_only(tmp_path):
    path = tmp_path / "show.toml"
    path.write_text(HAND, encoding="utf-8")
    spec = hand_spec()
    save_profile(replace(spec, destinations=spec.destinations[1:]), path)
    assert changed_lines(HAND, path.read_text(encoding="utf-8")) == [
        "- # main channel", "- [[destination]]", '- name = "YouTube"', '- preset = "youtube"',
        '- url = "rtmps://a.rtmps.youtube.com/live2/${keyring:yt}"', "- "]


def test_removing_a_feed_removes_its_table(tmp_path):
    path = tmp_path / "show.toml"
    path.write_text(HAND, encoding="utf-8")
    spec = hand_spec()
    save_profile(replace(spec, feeds=spec.feeds[:1]), path)
    text = path.read_text(encoding="utf-8")
    assert 'kind = "demo"' not in text and "rate = 3" not in text
    assert "interval = 10\n" in text and "# words never shown\n[chat]" in text  # the host's 10 stays a number
    assert load_profile(path).spec.feeds == spec.feeds[:1]


def test_removing_every_feed_removes_every_feed_table(tmp_path):
    path = tmp_path / "show.toml"
    path.write_text(HAND, encoding="utf-8")
    save_profile(replace(hand_spec(), feeds=()), path)
    text = path.read_text(encoding="utf-8")
    assert "[[feed]]" not in text and "feed = []" not in text and "# words never shown\n[chat]" in text


def test_a_new_layer_is_appended_after_the_others(tmp_path):
    path = tmp_path / "show.toml"
    path.write_text(HAND, encoding="utf-8")
    spec = hand_spec()
    banner = Layer(kind="text", text="Live now")
    save_profile(replace(spec, layers=(*spec.layers, banner)), path)
    text = path.read_text(encoding="utf-8")
    assert text.index('path = "logo.png"') < text.index('text = "Live now"') < text.index("# main channel")
    assert load_profile(path).spec.layers[-1] == banner


def test_reordered_layers_keep_their_own_comments(tmp_path):
    path = tmp_path / "show.toml"
    path.write_text(HAND, encoding="utf-8")
    spec = hand_spec()
    save_profile(replace(spec, layers=spec.layers[::-1]), path)
    text = path.read_text(encoding="utf-8")
    assert text.index("# the logo, top left\n[[layer]]\nkind = \"image\"") < text.index(
        "# the main camera\n[[layer]]\nkind = \"video\"")
    assert load_profile(path).spec.layers == spec.layers[::-1]


def test_a_key_set_back_to_its_default_is_removed(tmp_path):
    path = tmp_path / "show.toml"
    path.write_text(HAND + "\n[recording]\nenabled = true\npath = \"show.mkv\"\n", encoding="utf-8")
    spec = load_profile(path).spec
    save_profile(replace(spec, recording=Recording(enabled=True)), path)
    text = path.read_text(encoding="utf-8")
    assert "show.mkv" not in text and "[recording]\nenabled = true\n" in text


def test_a_save_adds_no_defaults_the_host_left_out(tmp_path):
    path = tmp_path / "show.toml"
    path.write_text(HAND, encoding="utf-8")
    save_profile(replace(hand_spec(), encoding=Encoding("libx264", 3500)), path)
    added = changed_lines(HAND, path.read_text(encoding="utf-8"))
    assert added == ["+ ", "+ [encoder]", '+ name = "libx264"']


def test_a_scene_file_keeps_its_layout_and_gains_a_version(tmp_path):
    path = tmp_path / "station.toml"
    scene = ("# kiosk 3\n[canvas]\nwidth = 720   # vertical\nheight = 1280\n\n"
             "[[layer]]\nsource = \"camera:0\"\n")
    path.write_text(scene, encoding="utf-8")
    loaded = load_profile(path)
    save_profile(loaded.spec, path)
    text = path.read_text(encoding="utf-8")
    assert "# kiosk 3\n" in text and "width = 720   # vertical\n" in text and "version = 2\n" in text
    again = load_profile(path)
    assert again.migrated_from is None and again.spec == loaded.spec


def test_an_old_settings_file_is_written_anew(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('version = 1\nwidth = 720\nheight = 1280\nfeeds = ["none"]\n', encoding="utf-8")
    spec = load_profile(path).spec
    save_profile(spec, path)
    text = path.read_text(encoding="utf-8")
    assert "version = 2" in text and "feeds" not in text and "\nwidth = 720\n" in text
    assert load_profile(path).spec == spec


def test_a_file_that_is_not_toml_is_replaced(tmp_path):
    path = tmp_path / "show.toml"
    path.write_text("width = [", encoding="utf-8")
    save_profile(FULL, path)
    assert load_profile(path).spec == replace(FULL, base_dir=str(tmp_path))


def test_a_literal_stream_key_is_refused_and_nothing_is_written(tmp_path):
    path = tmp_path / "show.toml"
    spec = ShowSpec(destinations=(Destination("YouTube", "youtube",
                                              f"rtmps://a.rtmps.youtube.com/live2/{TEST_STREAM_KEY}"),))
    with pytest.raises(UserError) as e:
        save_profile(spec, path)
    assert str(e.value) == ("destination 'YouTube' holds its stream key in plain text, and a profile keeps "
                            "only "
                            "references — give the key as ${keyring:NAME} or ${ENV_VAR}")
    assert list(tmp_path.iterdir()) == []


def test_a_literal_stream_key_leaves_an_existing_file_as_it_was(tmp_path):
    path = tmp_path / "show.toml"
    path.write_text(HAND, encoding="utf-8")
    spec = replace(hand_spec(), destinations=(Destination("X", url=f"rtmp://h/app/{TEST_STREAM_KEY}"),))
    with pytest.raises(UserError):
        save_profile(spec, path)
    assert path.read_text(encoding="utf-8") == HAND and sorted(tmp_path.iterdir()) == [path]


def test_a_literal_feed_token_is_refused(tmp_path):
    spec = ShowSpec(feeds=(Feed("shopify", options=(("shop", "teashop"), ("token", TEST_SHOP_TOKEN))),))
    with pytest.raises(UserError) as e:
        save_profile(spec, tmp_path / "show.toml")
    assert str(e.value) == ("the token of feed 'shopify' is written in plain text, and a profile keeps only "
                            "references — write token = \"${keyring:shopify_token}\" or "
                            "\"${STUDIO_SHOPIFY_TOKEN}\"")
    assert list(tmp_path.iterdir()) == []


def test_the_write_is_atomic_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "show.toml"
    save_profile(FULL, path)
    save_profile(replace(FULL, language="en"), path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["show.toml"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "show.toml"
    path.write_text(HAND, encoding="utf-8")

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(UserError) as e:
        save_profile(replace(hand_spec(), language="zh_CN"), path)
    assert str(e.value) == (f"{path}: the profile cannot be written (No space left on device) — check the "
                            "folder and free space")
    assert path.read_text(encoding="utf-8") == HAND and sorted(tmp_path.iterdir()) == [path]


def test_a_save_keeps_the_files_permissions(tmp_path):
    path = tmp_path / "show.toml"
    path.write_text(HAND, encoding="utf-8")
    path.chmod(0o640)
    save_profile(hand_spec(), path)
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_save_creates_the_folder(tmp_path):
    path = save_profile(FULL, tmp_path / "shows" / "saturday.toml")
    assert path.exists() and load_profile(path).problems == []


def test_a_save_through_a_symbolic_link_keeps_the_link(tmp_path):
    real = tmp_path / "synced" / "show.toml"
    real.parent.mkdir()
    real.write_text(HAND, encoding="utf-8")
    link = tmp_path / "show.toml"
    link.symlink_to(real)
    save_profile(replace(hand_spec(), language="zh_CN"), link)
    assert link.is_symlink() and 'language = "zh_CN"' in real.read_text(encoding="utf-8")
