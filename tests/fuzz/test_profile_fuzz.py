"""The show-profile loader and writer, fed random TOML documents (the real keys with values of every TOML
type — datetimes, inline tables, nested arrays — and random keys beside them, written by tomli_w and by
tomlkit) and random text: `parse_profile` returns a show or raises UserError, nothing else; every
problem is one line `FILE:LINE: what is wrong — what to write instead` at a line of the file; a show
it read is written and read back as the same show (with no problem but a feed kept without an option
it needs), and so is a save over the document it came from."""

from __future__ import annotations

import datetime as dt
import re

import tomli_w
import tomlkit
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from studio.app.profile.load import COMMERCE_KEYS, LAYER_KEYS, TOP_KEYS, Loaded, parse_profile
from studio.app.profile.save import render
from studio.core.errors import UserError
from studio.live.connectors import connector_types

from .strategies import NASTY_TEXT

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                       HealthCheck.function_scoped_fixture])
PROBLEM = re.compile(r"^.+:\d+: .+ — .+$")                 # FILE:LINE: what is wrong — what to write instead
REFUSED = re.compile(r"^.+?(:\d+)?: .+ — .+$", re.DOTALL)  # FILE[:LINE]: what is wrong — what to do
F = "fuzz.toml"

SCALAR = st.one_of(
    st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, 1, 2, 3, -1, 16, 720, 1281, 1280, 4096, 4097, 0.5, 1.5, 29.97, 120.5, 1e300]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), NASTY_TEXT,
    st.datetimes(timezones=st.one_of(st.none(), st.just(dt.timezone.utc),
                                     st.just(dt.timezone(dt.timedelta(hours=8))))),
    st.dates(), st.times(),
)
ALL_KEYS = sorted({*TOP_KEYS, *COMMERCE_KEYS, *(k for keys in LAYER_KEYS.values() for k in keys), "gain",
                   "muted", "url", "preset", "enabled", "bitrate_kbps", "blocked_words", "fps", "folder",
                   "shop", "token", "live_chat_id", "rate", "seed", "channel", "mode"})
KEY = st.one_of(st.sampled_from(ALL_KEYS), st.text(min_size=1, max_size=8))
ANY = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                   st.dictionaries(KEY, inner, max_size=4)), max_leaves=10)

PLAUSIBLE = {
    "kind": st.sampled_from(["video", "image", "text", "vidoe", "audio", "youtube", "shopify", "twitch",
                             "generic", "demo", "yotube"]),
    "source": st.sampled_from(["camera", "camera:0", "testsrc", "file:clip.mp4", "mic:default", "tone", "",
                               " "]),
    "path": st.sampled_from(["logo.png", "show.mkv", "", "/abs/logo.png"]),
    "text": st.sampled_from(["Free shipping", "今天包邮", "", "  ", "x" * 2001]),
    "url": st.sampled_from(["rtmps://a.rtmps.youtube.com/live2/${keyring:yt}", "rtmp://live.twitch.tv/app/${K}",
                            "rtmp://h/app/sk_fuzz_literal_12345", "rtmp://h/app", "https://bridge.example.com/f",
                            "rtmp://h/app/${keyring:a}?backup=1", "ftp://x", ""]),
    "preset": st.sampled_from(["youtube", "twitch", "custom", "yotube", ""]),
    "countdown": st.sampled_from(["05:00", "99:99", "300", "9999", "", "5 min"]),
    "qr": st.sampled_from(["product", "off", "https://shop.example.com", "none"]),
    "color": st.sampled_from(["#ffffff", "#00000080", "red", ""]),
    "background": st.sampled_from(["#00000080", "", "blue"]),
    "currency": st.sampled_from(["CNY", "USD", "rmb", ""]),
    "crop": st.lists(st.integers(-5, 5000), min_size=3, max_size=5),
    "language": st.sampled_from(["en", "zh_CN", "fr"]),
    "name": st.sampled_from(["", "Camera", "yt", "a,b", "auto", "libx264", "x264"]),
    "token": st.sampled_from(["${keyring:shopify_token}", "${STUDIO_SHOPIFY_TOKEN}", "shpat_fuzz_literal_1"]),
    "shop": st.sampled_from(["teashop", "bad shop!", ""]),
    "live_chat_id": st.sampled_from(["Cg0KC2FiYw", ""]),
    "blocked_words": st.lists(st.sampled_from(["spam", "", " ", "免费"]), max_size=3),
    "mode": st.sampled_from(["poll", "sse", "push"]),
    "rate": st.sampled_from(["3", 3, 0, "fast", 1e9]),
}


def value_for(key: str) -> st.SearchStrategy:
    good = PLAUSIBLE.get(key)
    if good is None:
        good = st.one_of(st.integers(-10, 5000), st.floats(0, 200), st.booleans())
    return st.one_of(good, good, SCALAR, ANY)  # mostly the right shape; often the wrong type


def table(keys: list[str], required: dict[str, st.SearchStrategy] | None = None) -> st.SearchStrategy:
    """A table of some of `keys` (plausible values, often of the wrong type), the `required` ones with
    good values, and now and then a random key."""
    required = required or {}
    known = st.fixed_dictionaries(required, optional={k: value_for(k) for k in keys if k not in required})
    extra = st.one_of(st.just({}), st.just({}), st.dictionaries(KEY, SCALAR, max_size=2))
    return st.tuples(known, extra).map(lambda t: {**t[1], **t[0]})


def layer_table(kind: str) -> st.SearchStrategy:
    what = {"video": "source", "image": "path", "text": "text"}[kind]
    return table(LAYER_KEYS[kind], {"kind": st.just(kind),
                                    what: st.sampled_from(["camera", "logo.png", "Hi"])})


def feed_table(kind: str) -> st.SearchStrategy:
    cls = connector_types()[kind]
    needed = {o.name: st.just(o.reference if o.secret else o.example()) for o in cls.OPTIONS if o.required}
    return table(["name", "enabled", *(o.name for o in cls.OPTIONS)], {"kind": st.just(kind), **needed})


def tables(keys: list[str], good: st.SearchStrategy | None = None) -> st.SearchStrategy:
    one = st.one_of(good, good, table(keys)) if good is not None else table(keys)
    return st.one_of(st.lists(one, max_size=3), st.lists(one, max_size=3),
                     st.lists(st.one_of(one, SCALAR), max_size=2), SCALAR)


FEED_KEYS = ["kind", "name", "enabled",
             *sorted({o.name for c in connector_types().values() for o in c.OPTIONS})]
DOCUMENT = st.fixed_dictionaries({}, optional={
    "version": st.one_of(st.sampled_from([2, 2, 2, 1, 0, 3, -1]), SCALAR),
    "language": value_for("language"),
    "session_log": st.one_of(st.just("show.sqlite"), SCALAR),
    "canvas": st.one_of(table(["width", "height", "fps"]), SCALAR),
    "layer": tables(sorted({k for keys in LAYER_KEYS.values() for k in keys}),
                    st.sampled_from(list(LAYER_KEYS)).flatmap(layer_table)),
    "audio": tables(["source", "gain", "muted", "name"]),
    "destination": tables(["name", "preset", "url", "enabled"]),
    "recording": st.one_of(table(["enabled", "path", "folder"]), SCALAR),
    "encoder": st.one_of(table(["name", "bitrate_kbps"]), SCALAR),
    "commerce": st.one_of(table(COMMERCE_KEYS), SCALAR),
    "feed": tables(FEED_KEYS, st.sampled_from(list(connector_types())).flatmap(feed_table)),
    "chat": st.one_of(table(["blocked_words"]), SCALAR),
    "extra": ANY,
})


def dump(doc: dict, how: str) -> str | None:
    try:
        if how == "tomlkit":
            return tomlkit.dumps(doc)
        return tomli_w.dumps(doc, multiline_strings=how == "tomli_w multiline")
    except (TypeError, ValueError):
        return None  # not representable in TOML (a list mixing tables and values, a NUL in a key…)


def check(text: str) -> Loaded | None:
    """parse_profile's contract: a Loaded with one-line problems at lines of the file, or a UserError."""
    try:
        loaded = parse_profile(text, F)
    except UserError as e:
        assert REFUSED.match(str(e)) and str(e).startswith(F), str(e)
        return None
    lines = text.count("\n") + 1
    for p in loaded.problems:
        assert PROBLEM.match(str(p)), str(p)
        assert p.file == F and 1 <= p.line <= lines, str(p)
    spec = loaded.spec
    assert 16 <= spec.canvas.width <= 4096 and 16 <= spec.canvas.height <= 4096
    assert 1 <= spec.canvas.fps <= 120
    assert all(0 <= a.gain <= 4 for a in spec.audio) and all(0 <= layer.opacity <= 1 for layer in spec.layers)
    return loaded


def stable(loaded: Loaded, original: str) -> None:
    """A show read is written and read back as the same show, with no problem; so is a save over the
    document it came from (the window's save)."""
    spec = loaded.spec
    fresh = render(spec)
    again = parse_profile(fresh, F)
    assert again.spec == spec, fresh
    # what remains is only what a value cannot fix: a feed kept without an option it needs
    assert all(re.match(r"\[\[feed\]\] \d+ \(\w+\): ", p.message) for p in again.problems), again.problems
    assert render(again.spec) == fresh
    edited = render(spec, original)
    back = parse_profile(edited, F)
    assert back.spec == spec, edited


@FUZZ
@given(DOCUMENT, st.sampled_from(["tomli_w", "tomli_w multiline", "tomlkit"]))
def test_any_toml_document_is_a_show_or_one_sentence_and_reads_back_the_same(doc, how):
    text = dump(doc, how)
    if text is None:
        return
    loaded = check(text)
    if loaded is not None:
        stable(loaded, text)


@FUZZ
@given(st.text(max_size=400))
def test_any_text_is_a_show_or_one_sentence(text):
    loaded = check(text)
    if loaded is not None:
        stable(loaded, text)


FRAGMENTS = st.sampled_from([
    "version = 2", "version = 1", "[canvas]", "width = 1281", "height = 720", "fps = 29.97", "[[layer]]",
    'kind = "text"', 'text = """\n[canvas]\nwidth = 3\n"""', 'source = "camera"', "crop = [1, 2, 3, 4]",
    "x = 1979-05-27T07:32:00Z", "[[audio]]", "gain = nan", "[[destination]]",
    'url = "rtmp://h/app/${keyring:k}"', "[[feed]]", 'kind = "demo"', "rate = 3", "[chat]",
    'blocked_words = [\n  "a",\n  ["b"]\n]', "canvas.width = 640", 'layer = [{ source = "a" }, { x = "b" }]',
    "[commerce]", 'countdown = "05:00"', "pin = { sku = 1 }", "# a comment", "", "a.b.c = 1",
    '"quoted key" = 1', "[layer.sub]", "t = 07:32:00", "d = 1979-05-27", "n = [[1, 2], [3]]",
])


@FUZZ
@given(st.lists(FRAGMENTS, max_size=25), st.sampled_from(["\n", "\r\n", "\n\n"]))
@example(["[canvas]", "width = 1281", "[[layer]]", 'source = "a"', "x = 1979-05-27T07:32:00Z"], "\n")
def test_profile_like_text_reports_every_problem_at_a_real_line(parts, newline):
    text = newline.join(parts) + newline
    loaded = check(text)
    if loaded is not None:
        stable(loaded, text)
        lines = text.split("\n")
        for p in loaded.problems:
            key = re.match(r"'([^']+)'", p.message)
            if key and p.message.startswith(f"'{key.group(1)}' in ") and "must be" in p.message:
                assert key.group(1) in lines[p.line - 1], (p, lines[p.line - 1])
