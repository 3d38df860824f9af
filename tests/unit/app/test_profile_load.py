"""The show-profile loader (docs/profile.md): every message it can give, word for word, at the line it
is about; one bad value costs that value and nothing else; older files are migrated, newer ones read
as far as they go; a file that cannot be a profile is refused with one sentence."""

from __future__ import annotations

import os
import re
from fractions import Fraction
from pathlib import Path

import pytest

from studio.app.profile.load import MAX_FILE, line_index, load_profile, parse_profile
from studio.app.profile.model import (
    SCHEMA_VERSION,
    AudioSource,
    Canvas,
    Commerce,
    Destination,
    Encoding,
    Feed,
    Layer,
    Recording,
)
from studio.core.errors import UserError
from tests.support.secrets import TEST_SHOP_TOKEN, TEST_STREAM_KEY

ROOT = Path(__file__).resolve().parents[3]
FORM = re.compile(r"^.+:\d+: .+ — .+$")
F = "show.toml"


def problems(text: str) -> list[str]:
    out = [str(p) for p in parse_profile(text, F).problems]
    assert all(FORM.match(p) for p in out), out
    return out


def refused(text: str) -> str:
    with pytest.raises(UserError) as e:
        parse_profile(text, F)
    return str(e.value)


V2 = "version = 2\n"
LAYER_TAKES = {
    "video": "kind, name, source, x, y, width, height, crop, opacity, visible",
    "image": "kind, name, path, x, y, width, height, opacity, visible",
    "text": "kind, name, text, font_size, color, background, x, y, width, height, opacity, visible",
}

# (what the host wrote, every problem the loader reports) — one distinct message each.
CASES = {
    # -- unknown keys, with the nearest valid name or the list of valid ones
    "unknown key, near a valid one": (
        V2 + "[canvas]\nwidth = 1280\nwidht = 640\n",
        [f"{F}:4: unknown key 'widht' in [canvas] — did you mean 'width'?"]),
    "unknown key, nothing near": (
        V2 + "[canvas]\nzoom = 2\n",
        [f"{F}:3: unknown key 'zoom' in [canvas] — [canvas] takes width, height, fps"]),
    "unknown top-level key": (
        V2 + "langauge = \"en\"\n",
        [f"{F}:2: unknown key 'langauge' in the profile — did you mean 'language'?"]),
    "unknown key in an array table": (
        V2 + "[[audio]]\nsource = \"tone\"\ngian = 2.0\n",
        [f"{F}:4: unknown key 'gian' in [[audio]] 1 — did you mean 'gain'?"]),
    "unknown key in a layer": (
        V2 + "[[layer]]\nsource = \"camera\"\nopacty = 0.5\n",
        [f"{F}:4: unknown key 'opacty' in [[layer]] 1 — did you mean 'opacity'?"]),
    "unknown key in a layer, nothing near": (
        V2 + "[[layer]]\nkind = \"image\"\npath = \"logo.png\"\nzzz = 1\n",
        [f"{F}:5: unknown key 'zzz' in [[layer]] 1 — an image layer takes {LAYER_TAKES['image']}"]),
    "a key of another layer kind": (
        V2 + "[[layer]]\nkind = \"image\"\npath = \"logo.png\"\ncrop = [0, 0, 10, 0]\n",
        [(f"{F}:5: 'crop' in [[layer]] 1 is for video layers, not an image layer — remove it (an image layer "
         f"takes {LAYER_TAKES['image']})")]),
    "a text key on a video layer": (
        V2 + "[[layer]]\nsource = \"camera\"\nfont_size = 20\n",
        [(f"{F}:4: 'font_size' in [[layer]] 1 is for text layers, not a video layer — remove it (a video "
          "layer "
         f"takes {LAYER_TAKES['video']})")]),
    # -- a value of the wrong type: what it must be, and an example to write
    "whole number expected": (
        V2 + "[canvas]\nwidth = \"1280\"\n",
        [f"{F}:3: 'width' in [canvas] must be a whole number, not '1280' — write e.g. width = 1280"]),
    "a float where a whole number goes": (
        V2 + "[[layer]]\nsource = \"camera\"\nx = 1.5\n",
        [f"{F}:4: 'x' in [[layer]] 1 must be a whole number, not 1.5 — write e.g. x = 0"]),
    "size of a layer, wrong type": (
        V2 + "[[layer]]\nsource = \"camera\"\nwidth = \"full\"\n",
        [f"{F}:4: 'width' in [[layer]] 1 must be a whole number, not 'full' — write e.g. width = 640"]),
    "number expected": (
        V2 + "[[audio]]\ngain = \"loud\"\n",
        [f"{F}:3: 'gain' in [[audio]] 1 must be a number, not 'loud' — write e.g. gain = 1"]),
    "nan is not a number here": (
        V2 + "[canvas]\nfps = nan\n",
        [f"{F}:3: 'fps' in [canvas] must be a number, not nan — write e.g. fps = 30"]),
    "true or false expected": (
        V2 + "[recording]\nenabled = \"yes\"\n",
        [f"{F}:3: 'enabled' in [recording] must be true or false, not 'yes' — write e.g. enabled = false"]),
    "text expected": (
        V2 + "language = 1\n",
        [f"{F}:2: 'language' in the profile must be text in quotes, not 1 — write e.g. language = \"en\""]),
    "text expected, a date-time given": (
        V2 + "[commerce]\npin = 2030-01-01T10:00:00Z\n",
        [(f"{F}:3: 'pin' in [commerce] must be text in quotes, not 2030-01-01T10:00:00+00:00 — write e.g. "
         "pin = \"SKU-1\"")]),
    "text expected, a table given": (
        V2 + "[commerce]\ncatalog = { path = \"p.csv\" }\n",
        [(f"{F}:3: 'catalog' in [commerce] must be text in quotes, not a table — write e.g. "
         "catalog = \"products.csv\"")]),
    "list of texts expected": (
        V2 + "[chat]\nblocked_words = \"spam\"\n",
        [(f"{F}:3: 'blocked_words' in [chat] must be a list of texts in quotes, not 'spam' — write e.g. "
         "blocked_words = [\"spam\", \"scam\"]")]),
    "list of texts, a nested array given": (
        V2 + "[chat]\nblocked_words = [[\"spam\"], [\"scam\"]]\n",
        [(f"{F}:3: 'blocked_words' in [chat] must be a list of texts in quotes, not [[…], […]] — write e.g. "
         "blocked_words = [\"spam\", \"scam\"]")]),
    "crop of the wrong shape": (
        V2 + "[[layer]]\nsource = \"camera\"\ncrop = [1, 2, 3]\n",
        [(f"{F}:4: 'crop' in [[layer]] 1 must be [left, top, right, bottom] in whole pixels, not [1, 2, 3] — "
         "write e.g. crop = [0, 0, 0, 0]")]),
    # -- a value of the right type that is not allowed
    "text too long": (
        V2 + "[commerce]\ncoupon = \"" + "x" * 2001 + "\"\n",
        [f"{F}:3: 'coupon' in [commerce] is too long (2001 characters, at most 2000) — shorten it"]),
    "NUL in a text": (
        V2 + "[commerce]\ncoupon = \"a\\u0000b\"\n",
        [f"{F}:3: 'coupon' in [commerce] holds a NUL character (\\u0000) — remove it"]),
    "a blocked word too long": (
        V2 + "[chat]\nblocked_words = [\"" + "w" * 2001 + "\"]\n",
        [(f"{F}:3: 'blocked_words' in [chat] has a text that is too long (2001 characters, at most 2000) — "
         "shorten it")]),
    "crop out of range": (
        V2 + "[[layer]]\nsource = \"camera\"\ncrop = [0, -1, 0, 0]\n",
        [f"{F}:4: 'crop' [0, -1, 0, 0] in [[layer]] 1 is out of range — use 0 to 4096 pixels for each side"]),
    "canvas side odd": (
        V2 + "[canvas]\nwidth = 1281\n",
        [f"{F}:3: 'width' 1281 in [canvas] is not an even number from 16 to 4096 — write e.g. width = 1280"]),
    "canvas height too big": (
        V2 + "[canvas]\nheight = 8192\n",
        [(f"{F}:3: 'height' 8192 in [canvas] is not an even number from 16 to 4096 — write e.g. height = "
         "720")]),
    "frame rate out of range": (
        V2 + "[canvas]\nfps = 240\n",
        [f"{F}:3: 'fps' 240 in [canvas] is out of range — use 1 to 120 frames a second"]),
    "layer size out of range": (
        V2 + "[[layer]]\nsource = \"camera\"\nheight = 1\n",
        [(f"{F}:4: 'height' 1 in [[layer]] 1 is out of range — use 2 to 4096, or leave it out for the full "
         "size")]),
    "layer position out of range": (
        V2 + "[[layer]]\nsource = \"camera\"\ny = -5000\n",
        [f"{F}:4: 'y' -5000 in [[layer]] 1 is out of range — use -4096 to 4096"]),
    "opacity out of range": (
        V2 + "[[layer]]\nsource = \"camera\"\nopacity = 1.5\n",
        [f"{F}:4: 'opacity' 1.5 in [[layer]] 1 is out of range — use 0 to 1"]),
    "font size out of range": (
        V2 + "[[layer]]\nkind = \"text\"\ntext = \"Hi\"\nfont_size = 2\n",
        [f"{F}:5: 'font_size' 2 in [[layer]] 1 is out of range — use 6 to 400 pixels"]),
    "gain out of range": (
        V2 + "[[audio]]\ngain = 9.0\n",
        [f"{F}:3: 'gain' 9.0 in [[audio]] 1 is out of range — use 0 to 4"]),
    "bitrate out of range": (
        V2 + "[encoder]\nbitrate_kbps = 50\n",
        [f"{F}:3: 'bitrate_kbps' 50 in [encoder] is out of range — use 100 to 50000 kbps"]),
    "image timeout out of range": (
        V2 + "[commerce]\nimage_timeout = 0.0\n",
        [f"{F}:3: 'image_timeout' 0.0 in [commerce] is out of range — use 0.1 to 60 seconds"]),
    "language not one of them": (
        V2 + "language = \"fr\"\n",
        [f"{F}:2: 'language' 'fr' in the profile is not a language — use one of en, zh_CN"]),
    "encoder near a known one": (
        V2 + "[encoder]\nname = \"x264\"\n",
        [(f"{F}:3: 'name' 'x264' in [encoder] is not a known encoder — did you mean 'libx264'? (auto, "
          "libx264, "
         "h264_nvenc, h264_qsv, h264_amf, h264_videotoolbox, h264_mf)")]),
    "layer kind unknown: the layer is left out": (
        V2 + "[[layer]]\nkind = \"vidoe\"\nsource = \"camera\"\n",
        [(f"{F}:3: 'kind' 'vidoe' in [[layer]] 1 is not a layer kind — did you mean 'video'? (video, image, "
         "text)")]),
    "destination URL not rtmp": (
        V2 + "[[destination]]\nurl = \"https://example.com/live\"\n",
        [(f"{F}:3: 'url' 'https://example.com/live' in [[destination]] 1 is not an rtmp:// or rtmps:// "
          "address "
         "— write e.g. url = \"rtmps://a.rtmps.youtube.com/live2/${keyring:youtube-main}\"")]),
    "destination preset unknown": (
        V2 + "[[destination]]\npreset = \"yotube\"\n",
        [(f"{F}:3: 'preset' 'yotube' in [[destination]] 1 is not a platform preset — did you mean 'youtube'? "
         "(youtube, twitch, facebook, tiktok, kuaishou, douyin, taobao, bilibili, custom)")]),
    "store URL not a web address": (
        V2 + "[commerce]\nstore_url = \"shop.example.com\"\n",
        [(f"{F}:3: 'store_url' 'shop.example.com' in [commerce] is not an http(s):// address — write e.g. "
         "store_url = \"https://shop.example.com\"")]),
    "countdown not minutes:seconds": (
        V2 + "[commerce]\ncountdown = \"5 minutes\"\n",
        [(f"{F}:3: 'countdown' '5 minutes' in [commerce] is not minutes:seconds — write e.g. countdown = "
         "\"05:00\"")]),
    "countdown longer than the card shows": (
        V2 + "[commerce]\ncountdown = \"9999\"\n",
        [(f"{F}:3: 'countdown' '9999' in [commerce] is longer than 99:59 — write at most countdown = "
         "\"99:59\"")]),
    "countdown as a number": (
        V2 + "[commerce]\ncountdown = 300\n",
        [(f"{F}:3: 'countdown' in [commerce] must be text in quotes, not 300 — write e.g. countdown = "
         "\"05:00\"")]),
    "QR target unknown": (
        V2 + "[commerce]\nqr = \"none\"\n",
        [(f"{F}:3: 'qr' 'none' in [commerce] is not a QR target — write qr = \"auto\" (the pinned "
          "product's link where the platforms allow it), qr = \"product\", qr = \"off\", or a link such as "
          "qr = \"https://shop.example.com\"")]),
    "colour not #rrggbb": (
        V2 + "[[layer]]\nkind = \"text\"\ntext = \"Hi\"\ncolor = \"red\"\n",
        [(f"{F}:5: 'color' 'red' in [[layer]] 1 is not a colour — write \"#rrggbb\" or \"#rrggbbaa\", e.g. "
         "color = \"#ffffff\"")]),
    "currency not ISO 4217": (
        V2 + "[commerce]\ncurrency = \"rmb\"\n",
        [(f"{F}:3: 'currency' 'rmb' in [commerce] is not an ISO 4217 code — write three capitals, e.g. "
         "currency = \"CNY\"")]),
    # -- tables written the wrong way
    "a table written as a value": (
        V2 + "canvas = 5\n",
        [(f"{F}:2: 'canvas' must be a table, not 5 — write [canvas] on a line of its own, with its keys on "
          "the "
         "lines below it")]),
    "an array of tables written as a table": (
        V2 + "[audio]\nsource = \"tone\"\n",
        [(f"{F}:2: 'audio' must be written as [[audio]] tables, one per audio — write [[audio]] on a line of "
          "its "
         "own, with its keys on the lines below it")]),
    "an element that is not a table": (
        V2 + "layer = [1]\n",
        [(f"{F}:2: [[layer]] 1 must be a table, not 1 — write [[layer]] on a line of its own, with its keys "
          "on "
         "the lines below it")]),
    # -- layers without what they show
    "a layer without its source": (
        V2 + "[[layer]]\nkind = \"image\"\nx = 10\n",
        [f"{F}:2: [[layer]] 1 (image) has no 'path', so it is left out — write e.g. path = \"logo.png\""]),
    "a layer with an empty source": (
        V2 + "[[layer]]\nkind = \"text\"\ntext = \"  \"\n",
        [(f"{F}:4: 'text' of [[layer]] 1 is empty, so the layer is left out — write e.g. text = \"Free "
         "shipping\"")]),
    # -- secrets
    "a literal stream key": (
        V2 + "[[destination]]\nname = \"YouTube\"\nurl = "
             "\"rtmp://a.rtmp.youtube.com/live2/" + TEST_STREAM_KEY + "\"\n",
        [(f"{F}:4: [[destination]] 1 holds its stream key in plain text, so the key is left out — keep the "
          "key in "
         "the OS keyring or an environment variable and write url = "
         "\"rtmp://a.rtmp.youtube.com/live2/${keyring:NAME}\" or url = "
         "\"rtmp://a.rtmp.youtube.com/live2/${ENV_VAR}\"")]),
    # -- feeds: the connector's own sentences, in profile words, at the option's line
    "a feed without a kind": (
        V2 + "[[feed]]\nname = \"chat\"\n",
        [(f"{F}:2: [[feed]] 1 has no 'kind', so it is left out — write e.g. kind = \"youtube\" (youtube, "
          "shopify, "
         "twitch, tiktok, bilibili, generic, demo)")]),
    "a feed of an unknown kind": (
        V2 + "[[feed]]\nkind = \"yotube\"\n",
        [(f"{F}:3: 'kind' 'yotube' in [[feed]] 1 is not a feed kind — did you mean 'youtube'? (youtube, "
          "shopify, "
         "twitch, tiktok, bilibili, generic, demo)")]),
    "a feed option of the wrong type": (
        V2 + "[[feed]]\nkind = \"demo\"\nrate = [1, 2]\n",
        [(f"{F}:4: 'rate' in [[feed]] 1 must be text, a number or true/false, not [1, 2] — write e.g. "
         "rate = \"…\"")]),
    "a feed option too long": (
        V2 + "[[feed]]\nkind = \"demo\"\nseed = \"" + "1" * 2001 + "\"\n",
        [f"{F}:4: 'seed' in [[feed]] 1 is too long (2001 characters, at most 2000) — shorten it"]),
    "a feed option unknown": (
        V2 + "[[feed]]\nkind = \"youtube\"\nlive_chat_id = \"abc\"\ninterval = 3\n",
        [f"{F}:5: [[feed]] 1 (youtube): no option 'interval' — did you mean 'min_interval'?"]),
    "a feed option missing": (
        V2 + "[[feed]]\nkind = \"twitch\"\n",
        [(f"{F}:2: [[feed]] 1 (twitch): 'channel' is required — write channel = \"NAME\"; the channel's "
          "login "
         "name, as in twitch.tv/NAME")]),
    "a feed option out of its choices": (
        V2 + "[[feed]]\nkind = \"generic\"\nurl = \"https://bridge.example.com/feed\"\nmode = \"push\"\n",
        [f"{F}:5: [[feed]] 1 (generic): mode = 'push' must be poll or sse — write e.g. mode = \"poll\""]),
    "a feed option not a number": (
        V2 + "[[feed]]\nkind = \"demo\"\nrate = \"fast\"\n",
        [(f"{F}:4: [[feed]] 1 (demo): rate = 'fast' must be a number from 1e-06 to 1000000 — write e.g. rate "
         "= 1")]),
    "a feed token in plain text": (
        V2 + "[[feed]]\nkind = \"shopify\"\nshop = \"teashop\"\ntoken = \"" + TEST_SHOP_TOKEN + "\"\n",
        [(f"{F}:5: [[feed]] 1 (shopify): token must be a reference, not the secret itself — store it in "
          "Settings "
         "→ Feeds (the keyring) and write token = \"${keyring:shopify_token}\" or "
         "token = \"${STUDIO_SHOPIFY_TOKEN}\"")]),
    "a feed cross-check after the single values": (
        V2 + "[[feed]]\nkind = \"shopify\"\nshop = \"teashop\"\nsince = \"yesterday\"\n",
        [(f"{F}:5: [[feed]] 1 (shopify): since = 'yesterday' must be an ISO 8601 time with an offset, or "
          "epoch "
         "seconds — write e.g. since = \"2030-01-01T10:00:00+08:00\"")]),
    "a feed's bad value costs only that value": (
        V2 + "[[feed]]\nkind = \"shopify\"\nshop = \"bad shop!\"\n",
        [(f"{F}:4: [[feed]] 1 (shopify): shop = 'bad shop!' is not valid — write shop = \"NAME\"; the NAME "
          "of "
         "NAME.myshopify.com (the address of your store's admin)")]),
    # -- the version
    "version not a whole number": (
        "version = \"2\"\n",
        [f"{F}:1: 'version' must be a whole number, not '2' — write version = 2"]),
    "version negative": (
        "version = -1\n",
        [f"{F}:1: 'version' -1 is not a schema version — write version = 2"]),
    "version newer than this studio": (
        "version = 3\n[canvas]\nwidth = 1280\nhdr = true\n",
        [(f"{F}:1: this profile is version 3, written by a newer Anchor Studio; this one reads version 2 — "
          "what "
         "it does not know is reported and left out: update Anchor Studio, or write version = 2"),
         f"{F}:4: unknown key 'hdr' in [canvas] — [canvas] takes width, height, fps"]),
}


@pytest.mark.parametrize("text, expected", list(CASES.values()), ids=list(CASES))
def test_each_problem_is_reported_word_for_word_at_its_line(text, expected):
    assert problems(text) == expected


# -- settings.toml of 0.1 (version 1): its own messages ------------------------------------------------

V1_CASES = {
    "an unknown key": (
        "version = 1\nwidht = 720\n",
        ["settings.toml:2: unknown key 'widht' in the settings file — did you mean 'width'?"]),
    "an unknown key in a destination": (
        "version = 1\n[[destinations]]\nname = \"YT\"\nsever = \"rtmp://a/b\"\n",
        [("settings.toml:4: unknown key 'sever' in [[destinations]] 1 of the settings file — did you mean "
         "'server'?")]),
    "a list that is not one": (
        "version = 1\nlayers = 5\n",
        [("settings.toml:2: 'layers' in the settings file must be [[layers]] tables, not 5 — it is left out; "
          "set "
         "it again in Settings")]),
    "feeds that are not a list": (
        "version = 1\nfeeds = \"demo\"\n",
        [("settings.toml:2: 'feeds' in the settings file must be a list of texts in quotes, not 'demo' — it "
          "is "
         "left out; set it again in Settings")]),
    "an element of the wrong type": (
        "version = 1\nfeeds = [\"demo\",\n  5]\n",
        [("settings.toml:3: 'feeds' 2 in the settings file must be text in quotes, not 5 — it is left out; "
          "set it "
         "again in Settings")]),
    "a table that is not one": (
        "version = 1\ndestinations = [\"rtmp://a/b\"]\n",
        [("settings.toml:2: 'destinations' 1 in the settings file must be a table, not 'rtmp://a/b' — it is "
          "left out; set it again in Settings")]),
    "a feed spec that is not one": (
        "version = 1\nfeeds = [\"shopify:oops\"]\n",
        [("settings.toml:2: feed 'shopify:oops' in the settings file is not kind:key=value,… — it is left "
          "out; "
         "write e.g. feeds = [\"demo\"] or set it again in Settings")]),
    "a migrated value that is bad, at the old line": (
        "version = 1\nlanguage = \"en\"\nwidth = 721\n",
        [("settings.toml:3: 'width' 721 in [canvas] is not an even number from 16 to 4096 — write e.g. "
         "width = 1280")]),
    "a migrated destination server that is not rtmp": (
        ("version = 1\n\n[[destinations]]\nname = \"YT\"\nserver = \"http://a.example.com/live2\"\n"
        "key_name = \"destination:yt\"\n"),
        [("settings.toml:5: 'url' 'http://a.example.com/live2/****' in [[destination]] 1 is not an rtmp:// "
          "or "
         "rtmps:// address — write e.g. url = \"rtmps://a.rtmps.youtube.com/live2/${keyring:youtube-main}\"")]),
}


@pytest.mark.parametrize("text, expected", list(V1_CASES.values()), ids=list(V1_CASES))
def test_each_settings_file_problem_is_reported_at_its_old_line(text, expected):
    loaded = parse_profile(text, "settings.toml")
    assert loaded.migrated_from == 1
    assert [str(p) for p in loaded.problems] == expected


# -- files that cannot be a profile: one sentence, UserError ----------------------------------------------

def test_not_toml_names_the_line_and_column():
    assert refused(V2 + "[canvas]\nwidth = = 3\n") == (
        f"{F}:3: not valid TOML: Invalid value (column 9) — fix that line; docs/profile.md has a full "
        "example")


def test_not_toml_at_the_end_of_the_file():
    assert refused(V2 + "[canvas]\nwidth = ") == (
        f"{F}:3: not valid TOML: Invalid value at the end of the file — finish that line; docs/profile.md "
        "has a full example")


def test_a_duplicate_key_is_not_toml():
    assert refused(V2 + "language = \"en\"\nlanguage = \"zh_CN\"\n").startswith(f"{F}:3: not valid TOML: ")


def test_nesting_too_deep_is_refused_in_one_sentence():
    assert refused("a = " + "[" * 5000 + "]" * 5000 + "\n") == (
        f"{F}: arrays or tables are nested too deeply to be a profile — a profile nests at most three "
        "levels; "
        "docs/profile.md has a full example")


def test_a_number_with_thousands_of_digits_is_refused_at_its_line():
    assert refused(V2 + "[canvas]\nwidth = " + "9" * 5000 + "\n") == (
        f"{F}:3: a number with thousands of digits is not a profile value — write a whole number of at most "
        "19 digits")


def test_text_with_a_lone_surrogate_is_not_utf8():
    assert refused(V2 + "language = \"\ud800\"\n") == (
        f"{F}:2: not UTF-8 text (a lone surrogate) — save the file as UTF-8")


def test_a_missing_file(tmp_path):
    path = tmp_path / "nope.toml"
    with pytest.raises(UserError) as e:
        load_profile(path)
    assert str(e.value) == (f"{path}: the profile does not exist — check the path, or write one with "
                            "`studio live … --save-profile FILE`")


def test_a_folder(tmp_path):
    with pytest.raises(UserError) as e:
        load_profile(tmp_path)
    assert str(e.value) == f"{tmp_path}: is a folder, not a profile — give the .toml file inside it"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_not_read(tmp_path):
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    with pytest.raises(UserError) as e:
        load_profile(path)  # would block forever if it were opened
    assert str(e.value) == f"{path}: is not a regular file — give a profile .toml file"


def test_a_file_too_big(tmp_path):
    path = tmp_path / "huge.toml"
    with path.open("wb") as f:
        f.truncate(MAX_FILE + 1)
    with pytest.raises(UserError) as e:
        load_profile(path)
    assert str(e.value) == (f"{path}: more than 4 MiB is too big for a profile (a profile is a few kB) — is "
                            "it the right file?")


def test_a_file_that_is_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'version = 2\n[[layer]]\nkind = "text"\ntext = "caf\xe9"\n')
    with pytest.raises(UserError) as e:
        load_profile(path)
    assert str(e.value) == f"{path}:4: not UTF-8 text (byte 0xe9) — save the file as UTF-8"


def test_a_file_that_is_not_toml(tmp_path):
    path = tmp_path / "notes.toml"
    path.write_text("these are my show notes\n", encoding="utf-8")
    with pytest.raises(UserError) as e:
        load_profile(path)
    assert str(e.value) == (f"{path}:1: not valid TOML: Expected '=' after a key in a key/value pair "
                            "(column 7) — fix that line; docs/profile.md has a full example")


def test_an_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "locked.toml"
    path.write_text(V2)

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", denied)  # chmod 000 does not stop root, who runs CI here
    with pytest.raises(UserError) as e:
        load_profile(path)
    assert str(e.value) == f"{path}: cannot be read (Permission denied) — check the path and its permissions"


# -- one bad value costs that value ---------------------------------------------------------------------

def test_a_bad_value_beside_good_ones_keeps_the_good_ones():
    loaded = parse_profile(V2 + "[canvas]\nwidth = 720\nheight = 1281\nfps = 25\n\n"
                           "[[layer]]\nsource = \"camera:0\"\nx = \"left\"\ny = 40\nopacity = 0.5\n", F)
    assert [str(p) for p in loaded.problems] == [
        f"{F}:4: 'height' 1281 in [canvas] is not an even number from 16 to 4096 — write e.g. height = 720",
        f"{F}:9: 'x' in [[layer]] 1 must be a whole number, not 'left' — write e.g. x = 0"]
    assert loaded.spec.canvas == Canvas(720, 720, Fraction(25))          # height: the default
    assert loaded.spec.layers == (Layer(source="camera:0", x=0, y=40, opacity=0.5),)


def test_a_bad_layer_costs_that_layer_only():
    loaded = parse_profile(V2 + "[[layer]]\nkind = \"sound\"\nsource = \"mic\"\n\n"
                           "[[layer]]\nkind = \"image\"\npath = \"logo.png\"\n", F)
    assert len(loaded.problems) == 1
    assert loaded.spec.layers == (Layer(kind="image", path="logo.png"),)


def test_a_literal_key_costs_the_key_not_the_destination():
    loaded = parse_profile(V2 + "[[destination]]\nname = \"Twitch\"\npreset = \"twitch\"\n"
                           f"url = \"rtmp://live.twitch.tv/app/{TEST_STREAM_KEY}\"\n", F)
    assert loaded.spec.destinations == (Destination("Twitch", "twitch", "rtmp://live.twitch.tv/app"),)
    assert TEST_STREAM_KEY not in str(loaded.problems)


def test_a_feed_keeps_its_good_options_and_loses_the_bad_one():
    loaded = parse_profile(V2 + "[[feed]]\nkind = \"shopify\"\nname = \"store\"\nshop = \"teashop\"\n"
                           "token = \"${keyring:shopify_token}\"\ninterval = \"often\"\nenabled = false\n", F)
    assert [p.line for p in loaded.problems] == [7]
    assert loaded.spec.feeds == (Feed("shopify", "store", False,
                                      (("shop", "teashop"), ("token", "${keyring:shopify_token}"))),)


def test_feed_numbers_and_booleans_are_read_as_option_text():
    loaded = parse_profile(V2 + "[[feed]]\nkind = \"demo\"\nrate = 3\nseed = 7\n", F)
    assert loaded.problems == []
    assert loaded.spec.feeds[0].option_map == {"rate": "3", "seed": "7"}


def test_problems_come_in_line_order():
    loaded = parse_profile(V2 + "[[layer]]\nsource = \"camera\"\nx = \"a\"\n[canvas]\nwidth = 3\n"
                           "language = 5\n", F)
    assert [p.line for p in loaded.problems] == sorted(p.line for p in loaded.problems)


def test_a_byte_order_mark_is_not_a_problem(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes("\ufeffversion = 2\nlanguage = \"zh_CN\"\n".encode())
    loaded = load_profile(path)
    assert loaded.problems == [] and loaded.spec.language == "zh_CN"
    assert parse_profile("\ufeff" + V2, F).problems == []


# -- the right line, whatever the layout ----------------------------------------------------------------

@pytest.mark.parametrize("text, line", [
    (V2 + "canvas = { width = 1280, height = 721 }\n", 2),                                  # inline table
    (V2 + "canvas.width = 1280\ncanvas.height = 721\n", 3),                                 # dotted keys
    (V2 + "layer = [\n  { source = \"a\" },\n  { source = \"b\", height = 721000 "
          "},\n]\n", 4),  # array of tables
    (V2 + "[chat]\nblocked_words = [\n  \"a\",\n  [\"b\"]\n]\n[canvas]\nheight = "
          "721\n", 8),  # array line "[b]"
    (V2 + "[[layer]]\nkind = \"text\"\ntext = \"\"\"\n[canvas]\nheight = 1\n\"\"\"\nheight = 721000\n", 8),
    (V2 + "# a comment with a line separator\u2028in it\n[canvas]\nheight = 721\n", 4),
    (V2.replace("\n", "\r\n") + "[canvas]\r\n\r\nheight = 721\r\n", 4),                    # CRLF
    (V2 + "[\"canvas\"]\n\"height\" = 721\n", 3),                                            # quoted keys
    (V2 + "[ canvas ]   # spaced\n  height   =   721\n", 3),
    (V2 + "title = 'C:\\dir\\'\n[canvas]\nheight = 721\n", 4),                              # literal strings
    (V2 + "note = \"\"\"a \\\"\"\" b\"\"\"\n[canvas]\nheight = 721\n", 4),                   # escaped quotes
], ids=["inline table", "dotted keys", "array of inline tables", "multi-line array", "multi-line string",
        "U+2028 in a comment", "CRLF", "quoted keys", "spaces", "literal strings", "escaped quotes"])
def test_the_line_is_right_for_every_layout(text, line):
    assert [p.line for p in parse_profile(text, F).problems if "'height'" in p.message] == [line]


def test_line_index_knows_arrays_of_tables_and_their_sub_tables():
    text = "[[layer]]\nkind = \"video\"\n\n[[layer.x]]\na = 1\n\n[[layer]]\nkind = \"text\"\n"
    where = line_index(text)
    assert where[("layer", 0, "kind")] == 2 and where[("layer", 0, "x", 0, "a")] == 5
    assert where[("layer", 1)] == 7 and where[("layer", 1, "kind")] == 8


# -- migration ------------------------------------------------------------------------------------------

def test_a_scene_file_without_a_version_is_read_as_a_profile(tmp_path):
    text = (ROOT / "docs" / "scene.md").read_text(encoding="utf-8")
    scene = re.search(r"```toml\n(.*?)```", text, re.S).group(1)
    path = tmp_path / "station.toml"
    path.write_text(scene, encoding="utf-8")
    loaded = load_profile(path)
    assert loaded.migrated_from == 0 and loaded.problems == []
    spec = loaded.spec
    assert spec.version == SCHEMA_VERSION and spec.canvas == Canvas(720, 1280, Fraction(30))
    assert [layer.kind for layer in spec.layers] == ["video", "video", "image"]
    assert spec.layers[1] == Layer(source="url:rtsp://192.168.1.20/stream1", x=420, y=60, width=270,
                                   height=480)
    assert spec.layers[2].opacity == 0.8 and spec.resolve(spec.layers[2].path) == str(tmp_path / "logo.png")
    assert spec.audio == (AudioSource("mic:default", 1.0, False),)


def test_version_zero_is_a_scene_file_too():
    assert parse_profile("version = 0\n[canvas]\nwidth = 640\n", F).migrated_from == 0


SETTINGS_V1 = """\
version = 1
language = "zh_CN"
width = 720
height = 1280
fps = 30
bitrate_kbps = 2500
encoder = "libx264"
record = false
recordings_dir = "/srv/recordings"
camera = "camera:1"
catalog = "/srv/products.csv"
feeds = ["demo", "shopify:shop=teashop,interval=10"]
blocked_words = ["spam"]
first_run_done = true

[[destinations]]
name = "YouTube"
preset = "youtube"
server = "rtmps://a.rtmps.youtube.com/live2"
enabled = true
key_name = "destination:3f2a"

[[destinations]]
name = "Douyin"
preset = "douyin"
server = "rtmp://push.example.com/live?auth=1"
enabled = false
key_name = "destination:9c1b"

[[layers]]
source = "camera"
x = 0
y = 0
visible = true
name = "Cam"

[[layers]]
source = "testsrc"
x = 20
y = 40
width = 320
height = 180
visible = false
name = ""

[[audio]]
source = "mic:default"
gain = 1.5
muted = true
"""


def test_a_settings_file_of_version_1_is_migrated():
    loaded = parse_profile(SETTINGS_V1, "settings.toml")
    assert loaded.migrated_from == 1 and loaded.problems == []
    spec = loaded.spec
    assert spec.version == SCHEMA_VERSION and spec.language == "zh_CN"
    assert spec.canvas == Canvas(720, 1280, Fraction(30))
    assert spec.encoding == Encoding("libx264", 2500)
    assert spec.recording == Recording(enabled=False, folder="/srv/recordings")
    assert spec.commerce == Commerce(catalog="/srv/products.csv")
    assert spec.destinations == (
        Destination("YouTube", "youtube", "rtmps://a.rtmps.youtube.com/live2/${keyring:destination:3f2a}"),
        Destination("Douyin", "douyin", "rtmp://push.example.com/live/${keyring:destination:9c1b}?auth=1",
                    enabled=False))
    assert spec.layers == (Layer(source="camera:1", name="Cam"),  # "camera" was the camera setting
                           Layer(source="testsrc", x=20, y=40, width=320, height=180, visible=False))
    assert spec.audio == (AudioSource("mic:default", 1.5, True),)
    assert spec.feeds == (Feed("demo"), Feed("shopify", options=(("shop", "teashop"), ("interval", "10"))))
    assert spec.blocked_words == ("spam",)


def test_a_bare_settings_file_gets_the_defaults_of_0_1():
    """0.1 showed the demo catalog for an empty catalog, ran the demo feed without a `feeds` key, and
    used the default microphone without `audio`."""
    spec = parse_profile("version = 1\n", "settings.toml").spec
    assert spec.commerce.catalog.endswith(os.path.join("catalog", "demo.json"))
    assert spec.feeds == (Feed("demo"),) and spec.audio == (AudioSource("auto"),)
    assert spec.layers == (Layer(name="Camera", source="camera"),) and spec.recording.enabled


def test_feeds_none_in_a_settings_file_is_no_feed():
    assert parse_profile('version = 1\nfeeds = ["none"]\n', "settings.toml").spec.feeds == ()


# -- the documented example ------------------------------------------------------------------------------

def test_the_full_example_in_the_docs_loads_without_a_problem(tmp_path):
    text = (ROOT / "docs" / "profile.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", text, re.S).group(1)
    path = tmp_path / "show.toml"
    path.write_text(example, encoding="utf-8")
    loaded = load_profile(path)
    assert loaded.problems == [] and loaded.migrated_from is None
    spec = loaded.spec
    assert [layer.kind for layer in spec.layers] == ["video", "image", "text"]
    assert spec.layers[0].crop != (0, 0, 0, 0) and not spec.canvas.vertical
    assert len(spec.destinations) == 2 and all("${" in d.url for d in spec.destinations)
    assert {f.kind for f in spec.feeds} == {"youtube", "shopify"}
    assert spec.commerce.pin and spec.commerce.countdown_s and spec.commerce.coupon and spec.commerce.qr
    assert spec.recording.enabled and spec.blocked_words and spec.audio


def test_the_error_lines_in_the_docs_are_the_loaders_own(tmp_path):
    """docs/profile.md shows what a bad file prints; the loader prints exactly that."""
    text = (ROOT / "docs" / "profile.md").read_text(encoding="utf-8")
    bad = re.search(r"```toml bad\.toml\n(.*?)```", text, re.S).group(1)
    shown = re.search(r"```text\n(.*?)```", text, re.S).group(1).splitlines()
    path = tmp_path / "bad.toml"
    path.write_text(bad, encoding="utf-8")
    assert [f"studio: {str(p).replace(str(path), 'bad.toml')}" for p in load_profile(path).problems] == shown


def test_a_connector_sentence_without_what_to_write_gets_it():
    from studio.app.profile.load import _toml_words

    assert _toml_words("rate=x is odd", ["rate"]) == 'rate = "x" is odd — fix it or leave the option out'
    assert _toml_words("'shop' is required: write shop=NAME", ["shop"]) == (
        "'shop' is required — write shop = \"NAME\"")
