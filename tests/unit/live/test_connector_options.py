"""Connector option declarations: every setting a connector reads is declared (so the Settings → Feeds
form, generated from the declarations, can offer it), the checks name the option and what to write,
secrets come from references and literals never reach a log."""

from __future__ import annotations

from typing import Any

import pytest

from studio.core.errors import UserError
from studio.core.secrets import mask_text
from studio.live.connectors import build, build_all, build_feed, check_feed_options, connector_types
from studio.live.connectors import options as options_module
from studio.live.connectors.options import Option, check_option

# A valid value for each option that has no default (secrets as references to the env vars below).
SAMPLES = {"live_chat_id": "CHAT1", "video_id": "VID1", "shop": "teashop", "since": "2030-01-01T00:00:00Z",
           "since_id": "5", "api_base": "http://127.0.0.1:9", "channel": "somechannel", "cafile": "ca.pem",
           "url": "http://127.0.0.1:9/feed", "catalog": "missing-catalog.json", "seed": "3", "limit": "10",
           "unique_id": "@tea.house", "room_id": "21396545"}
SECRETS = {"STUDIO_YOUTUBE_TOKEN": "ya29.unit-test-oauth-token", "STUDIO_YOUTUBE_API_KEY": "AIza-unit-test",
           "STUDIO_SHOPIFY_TOKEN": "shpat_unit_test_token_0123", "STUDIO_FEED_TOKEN": "feed-unit-test-token",
           "STUDIO_TIKTOK_SIGN_API_KEY": "euler-unit-test-key",
           "STUDIO_BILIBILI_SESSDATA": "sessdata-unit-test"}
# Read only when another option is absent: the API key is not looked at when there is an OAuth token.
SKIPPED_WHEN_ALL_GIVEN = {("youtube", "api_key")}
TWITCH_BASE = "ircs://127.0.0.1:6697"


@pytest.fixture(autouse=True)
def _credentials(monkeypatch):
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)


class Recorder(dict):  # type: ignore[type-arg]
    """A settings dict that remembers which keys the constructor asked for; bulk reads are refused,
    because they would hide which options a connector uses."""

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)

    def _bulk(self, *a: Any, **kw: Any) -> Any:
        raise AssertionError("a connector read its settings in bulk: read each declared option by name")

    keys = items = values = __iter__ = pop = setdefault = _bulk  # type: ignore[assignment]


def sample(kind: str, opt: Option) -> str:
    if opt.secret:
        return f"${{{opt.env_var}}}"
    if kind == "twitch" and opt.name == "api_base":
        return TWITCH_BASE
    if opt.default is not None:
        return opt.default
    return SAMPLES[opt.name]


def minimal(kind: str) -> dict[str, str]:
    cls = connector_types()[kind]
    return {o.name: sample(kind, o) for o in cls.OPTIONS if o.required}


def full(kind: str) -> dict[str, str]:
    return {o.name: sample(kind, o) for o in connector_types()[kind].OPTIONS}


KINDS = list(connector_types())


def test_the_form_lists_real_platforms_first_and_the_simulation_last():
    assert KINDS == ["youtube", "shopify", "twitch", "tiktok", "bilibili", "generic", "demo"]
    titles = {k: c.title for k, c in connector_types().items()}
    assert titles == {"youtube": "YouTube live chat", "shopify": "Shopify orders", "twitch": "Twitch chat",
                      "tiktok": "TikTok LIVE", "bilibili": "Bilibili danmaku",
                      "generic": "Generic bridge (poll or SSE)", "demo": "Demo (simulated data)"}
    assert [k for k, c in connector_types().items() if c.simulated] == ["demo"]
    # Only the two built on unofficial libraries (the optional `rooms` extra) say so.
    assert [k for k, c in connector_types().items() if c.unofficial] == ["tiktok", "bilibili"]


@pytest.mark.parametrize("kind", KINDS)
def test_declarations_are_well_formed(kind):
    cls = connector_types()[kind]
    names = [o.name for o in cls.OPTIONS]
    assert cls.kind == kind and len(names) == len(set(names)) and "name" in names
    for o in cls.OPTIONS:
        assert o.label and o.help.endswith(".") and len(o.help) < 200, o.name
        if o.default is not None:
            assert check_option(o, o.default) is None, o.name  # a default passes its own check
        if o.secret:
            assert o.keyring_name and o.env_var.startswith("STUDIO_") and o.default is None


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("given", ["minimal", "full"])
def test_every_option_the_constructor_reads_is_declared(kind, given):
    settings = Recorder(minimal(kind) if given == "minimal" else full(kind))
    connector_types()[kind](settings)
    declared = {o.name for o in connector_types()[kind].OPTIONS}
    assert settings.read <= declared, f"{kind} reads undeclared options {sorted(settings.read - declared)}"


@pytest.mark.parametrize("kind", KINDS)
def test_every_declared_option_is_read(kind):
    settings = Recorder(full(kind))
    connector_types()[kind](settings)
    unread = {o.name for o in connector_types()[kind].OPTIONS} - settings.read
    assert {(kind, n) for n in unread} <= SKIPPED_WHEN_ALL_GIVEN, f"{kind} declares unused {sorted(unread)}"


@pytest.mark.parametrize("kind", KINDS)
def test_declared_values_check_clean_and_build(kind):
    assert check_feed_options(kind, full(kind)) == []
    assert check_feed_options(kind, minimal(kind)) == []
    assert build_feed(kind, full(kind)).kind == kind


def test_declared_defaults_are_what_the_connector_uses():
    c = build_feed("shopify", {"shop": "teashop"})
    assert (c.api, c.interval, c.lookback, c.limit, c.leak_rate, c.version, c.name) == (
        "graphql", 5.0, 300.0, 250, 2.0, "2024-10", "shopify")
    assert c.backoff.first == 1.0 and c.backoff.cap == 60.0
    y = build_feed("youtube", {"live_chat_id": "C"})
    assert (y.min_interval, y.quota_backoff, y.rate_limit_backoff, y.viewers_every) == (1.0, 600.0, 5.0, 30.0)


# -- the messages -------------------------------------------------------------------------------------------

def test_unknown_option_names_the_nearest_valid_one():
    assert check_feed_options("shopify", {"shop": "teashop", "intervall": "5"}) == [
        "no option 'intervall' — did you mean 'interval'?"]
    assert check_feed_options("twitch", {"channel": "c", "zzz": "1"}) == [
        ("no option 'zzz' — the options are channel, name, api_base, cafile, connect_timeout, idle_ping, "
         "dead_after")]


TWITCH_HELP = "the channel's login name, as in twitch.tv/NAME"
SHOP_HELP = "the NAME of NAME.myshopify.com (the address of your store's admin)"


def test_missing_required_option_says_what_to_write():
    assert check_feed_options("shopify", {}) == [f"'shop' is required: write shop=NAME — {SHOP_HELP}"]
    assert check_feed_options("twitch", {}) == [
        "'channel' is required: write channel=NAME — " + TWITCH_HELP]


def test_bad_values_name_the_option_the_rule_and_an_example():
    bad = {"shop": "teashop", "interval": "soon", "api": "soap", "limit": "999"}
    assert check_feed_options("shopify", bad) == [
        "api='soap' must be graphql or rest — write e.g. api=graphql",  # in the order of the declaration
        "interval='soon' must be a number from 0 to 3600 — write e.g. interval=5",
        "limit='999' must be a whole number from 1 to 250 — write e.g. limit=250"]
    assert check_feed_options("generic", {"url": "ftp://x/feed"}) == [
        "url='ftp://x/feed' is not a http/https address — write e.g. url=https://bridge.local/feed"]
    assert check_feed_options("shopify", {"shop": "tea shop"}) == [
        f"shop='tea shop' is not valid: write shop=NAME — {SHOP_HELP}"]
    assert check_feed_options("shopify", {"shop": "t", "api_base": "http://h/admin"}) == [
        ("api_base replaces only scheme and host; drop the rest of 'http://h/admin' — write e.g. "
         "api_base=http://127.0.0.1:8080")]
    assert check_feed_options("shopify", {"shop": "t", "since": "yesterday"}) == [
        ("since='yesterday' must be an ISO 8601 time with an offset, or epoch seconds — write e.g. "
         "since=2030-01-01T10:00:00+08:00")]


def test_unknown_kind_suggests_the_nearest():
    assert check_feed_options("shopfy", {}) == [
        ("unknown feed kind 'shopfy' — did you mean 'shopify'? use one of youtube, shopify, twitch, tiktok, "
         "bilibili, generic, demo")]


def test_build_feed_raises_one_sentence_naming_the_feed():
    with pytest.raises(UserError) as e:
        build_feed("shopify", {"shop": "teashop", "intervall": "5", "api": "x"})
    assert str(e.value) == "shopify feed: no option 'intervall' — did you mean 'interval'? (and 1 more)"
    with pytest.raises(UserError, match=r"^twitch feed: 'channel' is required: write channel=NAME"):
        build("twitch:name=x")
    with pytest.raises(UserError, match=r"^unknown feed kind 'myspace'"):
        build("myspace:x=1")


def test_check_feed_options_touches_neither_keyring_nor_environment(monkeypatch):
    def refuse(*a: Any, **kw: Any) -> Any:
        raise AssertionError("check_feed_options looked a secret up")

    monkeypatch.setattr(options_module, "get_secret", refuse)
    monkeypatch.setattr(options_module, "expand_secret_refs", refuse)
    assert check_feed_options("shopify", {"shop": "t", "token": "${keyring:shop_a}"}) == []
    assert check_feed_options("youtube", {"live_chat_id": "C", "token": "${MY_TOKEN}"}) == []


# -- no demo by default -------------------------------------------------------------------------------------

def test_no_feed_spec_builds_no_feed():
    assert build_all([]) == [] and build_all(None) == []
    assert [c.name for c in build_all(["demo", "demo"])] == ["demo", "demo#2"]


# -- secrets ------------------------------------------------------------------------------------------------

def test_secret_reference_is_resolved_from_the_environment(monkeypatch):
    monkeypatch.setenv("TEASHOP_TOKEN", "shpat_from_env_reference_42")
    c = build_feed("shopify", {"shop": "teashop", "token": "${TEASHOP_TOKEN}"})
    assert c.token == "shpat_from_env_reference_42"
    assert mask_text("sent shpat_from_env_reference_42") == "sent ****"


def test_secret_reference_is_resolved_from_the_keyring(monkeypatch):
    import keyring

    monkeypatch.setattr(keyring, "get_password",
                        lambda service, name: "ya29.from-keyring-xyz" if name == "yt_main" else None)
    monkeypatch.delenv("STUDIO_YOUTUBE_TOKEN")
    c = build_feed("youtube", {"live_chat_id": "C", "token": "${keyring:yt_main}"})
    assert c.token == "ya29.from-keyring-xyz" and c.api_key is None


def test_an_empty_reference_says_where_to_put_the_secret(monkeypatch):
    monkeypatch.delenv("NOPE_TOKEN", raising=False)
    with pytest.raises(UserError) as e:
        build_feed("generic", {"url": "http://h/feed", "token": "${NOPE_TOKEN}"})
    assert str(e.value) == ("generic feed: token=${NOPE_TOKEN} is empty: put the bearer token in the "
                            "environment variable NOPE_TOKEN")


def test_absent_secret_option_falls_back_to_env_then_keyring(monkeypatch):
    assert build_feed("shopify", {"shop": "t"}).token == SECRETS["STUDIO_SHOPIFY_TOKEN"]
    assert build_feed("generic", {"url": "http://h/f"}).token == SECRETS["STUDIO_FEED_TOKEN"]
    monkeypatch.delenv("STUDIO_SHOPIFY_TOKEN")
    import keyring

    monkeypatch.setattr(keyring, "get_password",
                        lambda s, n: "shpat_keyring_default" if n == "shopify_token" else None)
    assert build_feed("shopify", {"shop": "t"}).token == "shpat_keyring_default"


def test_a_literal_secret_works_on_the_command_line_and_is_masked():
    literal = "shpat_literal_on_the_cli_7f3a"
    c = build(f"shopify:shop=teashop,token={literal}")
    assert c.token == literal
    assert mask_text(f"Shopify said: {literal} is wrong") == "Shopify said: **** is wrong"


def test_a_literal_secret_in_a_profile_is_a_problem_that_never_quotes_it():
    literal = "shpat_literal_in_a_profile_9c1d"
    problems = check_feed_options("shopify", {"shop": "teashop", "token": literal})
    assert problems == [("token must be a reference, not the secret itself — store it in Settings → Feeds "
                         "(the keyring) and write token=${keyring:shopify_token} or "
                         "token=${STUDIO_SHOPIFY_TOKEN}")]
    assert mask_text(literal) == "****"  # registered all the same
    assert check_feed_options("shopify", {"shop": "teashop", "token": literal}, literal_secrets=True) == []


def test_option_declarations_refuse_nonsense():
    with pytest.raises(ValueError):
        Option("x", "colour", "X")
    with pytest.raises(ValueError):
        Option("x", "choice", "X")
    with pytest.raises(ValueError):
        Option("x", "text", "X", secret=True)


def test_the_options_tables_in_docs_feed_md_are_the_declarations():
    from studio.live.connectors.reference import DOC, with_tables

    doc = DOC.read_text(encoding="utf-8")
    assert doc == with_tables(doc), "run: python -m studio.live.connectors.reference --write"
    for kind, cls in connector_types().items():
        assert f"### `{kind}` — {cls.title}" in doc
