"""Settings → Feeds: a form generated from each connector's declared options, secrets to the keyring
(references only in the feeds), an environment variable when there is no keyring, and the feed-state
words and DEMO DATA badge of the docks."""

from __future__ import annotations

import keyring
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit

from studio.app.profile.model import Feed
from studio.core.secrets import KEYRING_SERVICE
from studio.live import connectors
from studio.live.connectors.base import Connector
from studio.live.connectors.options import Option
from studio.live.events import ConnectorState, FeedState
from studio.ui.feed_fields import SecretField
from studio.ui.feed_status import MAX_CHARS, FeedStatusBar, feed_state_text
from studio.ui.feeds_page import FeedsPage
from tests.support.secrets import TEST_API_KEY, TEST_SHOP_TOKEN
from tests.ui.conftest import RefusingKeyring


def make_page(qtbot, feeds: tuple[Feed, ...] = ()) -> FeedsPage:
    page = FeedsPage(feeds)
    qtbot.addWidget(page)
    page.show()
    return page


def add(qtbot, page: FeedsPage, kind: str):
    page.add_kind.setCurrentIndex(page.add_kind.findData(kind))
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    form = page.current_form()
    assert form is not None and form.kind == kind
    return form


def type_into(qtbot, widget: QLineEdit, text: str) -> None:
    widget.clear()
    qtbot.keyClicks(widget, text)


# -- the page --------------------------------------------------------------------------------------

def test_adding_youtube_and_shopify_feeds_gives_their_feed_objects(qtbot, memory_keyring):
    page = make_page(qtbot)
    yt = add(qtbot, page, "youtube")
    type_into(qtbot, yt.fields["live_chat_id"], "Cg0KC2xpdmVfY2hhdA")
    type_into(qtbot, yt.fields["video_id"], "dQw4w9WgXcQ")
    type_into(qtbot, yt.fields["name"], "main")
    shop = add(qtbot, page, "shopify")
    type_into(qtbot, shop.fields["shop"], "anchor-demo")
    shop.fields["api"].setCurrentIndex(shop.fields["api"].findData("rest"))
    type_into(qtbot, shop.fields["interval"], "10")
    assert page.apply_secrets() == []
    assert page.feeds() == (
        Feed("youtube", "main", True, (("live_chat_id", "Cg0KC2xpdmVfY2hhdA"), ("video_id", "dQw4w9WgXcQ"))),
        Feed("shopify", "", True, (("shop", "anchor-demo"), ("api", "rest"), ("interval", "10"))),
    )
    assert [page.feed_list.item(i).text() for i in range(2)] == ["YouTube live chat — main", "Shopify orders"]


def test_the_list_check_box_enables_and_remove_removes(qtbot, memory_keyring):
    twitch = Feed("twitch", options=(("channel", "anchor"),))
    page = make_page(qtbot, (Feed("demo", options=(("rate", "8"),)), twitch))
    page.feed_list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert [f.enabled for f in page.feeds()] == [False, True]
    page.feed_list.setCurrentRow(0)
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert page.feeds() == (twitch,)


def test_an_unchanged_feed_comes_back_as_it_went_in(qtbot, memory_keyring):
    shop = (("shop", "anchor-demo"), ("token", "${keyring:feed.shopify.store.token}"), ("api", "rest"),
            ("since_id", "42"))
    bridge = (("url", "https://bridge.local/feed"), ("token", "${STUDIO_FEED_TOKEN}"))
    feeds = (Feed("shopify", "store", False, shop), Feed("generic", "", True, bridge))
    page = make_page(qtbot, feeds)
    assert page.feeds() == feeds
    assert page.forms[0].advanced.isVisibleTo(page.forms[0])  # an advanced value is set: the fold is open


def test_a_feed_of_a_kind_this_studio_lacks_is_kept_as_it_is(qtbot, memory_keyring):
    feed = Feed("kuaishou", "shop", True, (("room", "1"),))
    page = make_page(qtbot, (feed,))
    assert "Unknown feed kind kuaishou" in page.forms[0].notice.text()
    assert page.feeds() == (feed,) and page.apply_secrets() == []


def test_a_typed_secret_goes_to_the_keyring_and_only_a_reference_to_the_feed(qtbot, memory_keyring):
    page = make_page(qtbot)
    shop = add(qtbot, page, "shopify")
    type_into(qtbot, shop.fields["shop"], "anchor-demo")
    token = shop.fields["token"]
    assert isinstance(token, SecretField) and token.edit.echoMode() == QLineEdit.EchoMode.Password
    type_into(qtbot, token.edit, TEST_SHOP_TOKEN)
    assert TEST_SHOP_TOKEN not in repr(page.feeds())      # not even before it is stored
    assert page.apply_secrets() == []
    (feed,) = page.feeds()
    ref = feed.option_map["token"]
    assert ref == "${keyring:feed.shopify.shopify.token}"
    assert memory_keyring.store[(KEYRING_SERVICE, "feed.shopify.shopify.token")] == TEST_SHOP_TOKEN
    assert TEST_SHOP_TOKEN not in repr(page.feeds())
    assert connectors.check_feed_options("shopify", {**feed.option_map}) == []
    assert token.edit.text() == "" and token.status.text() == "Stored in the OS keyring"
    assert "stored in keyring" in token.edit.placeholderText()


def test_a_new_secret_for_a_stored_reference_keeps_its_entry_and_two_feeds_get_two(qtbot, memory_keyring):
    page = make_page(qtbot)
    first, second = add(qtbot, page, "youtube"), add(qtbot, page, "youtube")
    for form in (first, second):
        type_into(qtbot, form.fields["live_chat_id"], "chat")
        type_into(qtbot, form.fields["api_key"].edit, TEST_API_KEY)
    assert page.apply_secrets() == []
    refs = [f.option_map["api_key"] for f in page.feeds()]
    assert refs == ["${keyring:feed.youtube.youtube.api_key}", "${keyring:feed.youtube.youtube.api_key-2}"]
    type_into(qtbot, first.fields["api_key"].edit, TEST_API_KEY + "x")
    assert page.apply_secrets() == []
    assert [f.option_map["api_key"] for f in page.feeds()] == refs
    assert memory_keyring.store[(KEYRING_SERVICE, "feed.youtube.youtube.api_key")] == TEST_API_KEY + "x"


def test_without_a_keyring_the_form_says_so_and_takes_an_environment_variable(qtbot, monkeypatch):
    monkeypatch.setattr("studio.ui.keyfile.ask_passphrase", lambda parent: None)  # declines the key file
    previous = keyring.get_keyring()
    keyring.set_keyring(RefusingKeyring())
    try:
        page = make_page(qtbot)
        shop = add(qtbot, page, "shopify")
        type_into(qtbot, shop.fields["shop"], "anchor-demo")
        token = shop.fields["token"]
        type_into(qtbot, token.edit, TEST_SHOP_TOKEN)
        problems = page.apply_secrets()
        assert len(problems) == 1 and "No OS keyring is available" in problems[0]
        assert "STUDIO_SHOPIFY_TOKEN" in problems[0]
        assert token.status.text() in problems[0]          # the same sentence under the field
        assert token.env_row.isVisibleTo(token) and token.edit.text() == ""
        assert "token" not in page.feeds()[0].option_map    # the secret is kept nowhere
        assert TEST_SHOP_TOKEN not in repr(page.feeds())
        type_into(qtbot, token.env_edit, "STUDIO_SHOPIFY_TOKEN")
        assert page.apply_secrets() == []
        assert page.feeds()[0].option_map["token"] == "${STUDIO_SHOPIFY_TOKEN}"
    finally:
        keyring.set_keyring(previous)


def test_problems_are_the_connectors_own_sentences_in_plain_text(qtbot, memory_keyring):
    page = make_page(qtbot)
    shop = add(qtbot, page, "shopify")
    label = shop.problems_label
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert "'shop' is required" in label.text() and label.isVisibleTo(shop)
    type_into(qtbot, shop.fields["shop"], "<b>bad shop</b>")
    assert "<b>bad shop</b>" in label.text()   # shown literally, never as markup
    assert any("shop=" in p for p in page.apply_secrets())
    page.feed_list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert page.apply_secrets() == []          # a feed that is off does not hold the dialog
    type_into(qtbot, shop.fields["shop"], "anchor-demo")
    assert label.text() == "" and not label.isVisibleTo(shop)


def test_fields_follow_the_declarations(qtbot, memory_keyring):
    page = make_page(qtbot)
    shop = add(qtbot, page, "shopify")
    assert isinstance(shop.fields["api"], QComboBox)
    assert shop.labels["shop"].text() == "Shop *" and shop.labels["shop"].font().bold()
    assert "myshopify.com" in shop.fields["shop"].toolTip()
    interval = shop.fields["interval"]
    qtbot.keyClicks(interval, "5x.5")         # the validator keeps letters out
    assert interval.text() == "5.5"
    assert not shop.fields["api_base"].isVisibleTo(shop)   # advanced: folded away
    qtbot.mouseClick(shop.advanced_button, Qt.MouseButton.LeftButton)
    assert shop.fields["api_base"].isVisibleTo(shop)
    demo = add(qtbot, page, "demo")
    assert demo.notice.text() == "Simulated data: orders and chat are not real"
    assert demo.notice.isVisibleTo(demo)
    assert not shop.notice.isVisibleTo(shop)


class FakeConnector(Connector):
    kind = "fake"
    title = "Fake platform chat"
    unofficial = True
    OPTIONS = (
        Option("room", "text", "Room", required=True, help="The room to read."),
        Option("fast", "bool", "Fast mode"),
        Option("flavour", "choice", "Flavour", default="plain", choices=("plain", "spicy")),
        Option("count", "int", "Count", minimum=1, maximum=9),
        Option("secret", "text", "Password", secret=True, keyring_name="fake_secret", env_var="STUDIO_FAKE"),
        Option("endpoint", "url", "Endpoint", advanced=True),
        Option("name", "text", "Name", default="fake"),
    )

    def run(self, emit, stop):  # pragma: no cover - never run here
        stop.wait()


def test_a_new_connector_gets_its_form_without_ui_code(qtbot, memory_keyring, monkeypatch):
    monkeypatch.setitem(connectors.REGISTRY, "fake", FakeConnector)
    page = make_page(qtbot)
    form = add(qtbot, page, "fake")
    assert page.add_kind.itemText(page.add_kind.findData("fake")) == "Fake platform chat"
    assert isinstance(form.fields["room"], QLineEdit) and form.labels["room"].text() == "Room *"
    assert isinstance(form.fields["fast"], QCheckBox)
    assert isinstance(form.fields["flavour"], QComboBox) and form.fields["flavour"].currentText() == "plain"
    assert isinstance(form.fields["secret"], SecretField)
    assert not form.fields["endpoint"].isVisibleTo(form)
    assert "unofficial library" in form.notice.text() and form.notice.isVisibleTo(form)
    assert "'room' is required" in form.problems_label.text()
    type_into(qtbot, form.fields["room"], "lobby")
    form.fields["fast"].setChecked(True)
    form.fields["flavour"].setCurrentIndex(1)
    type_into(qtbot, form.fields["count"], "12")
    assert "count='12' must be a whole number from 1 to 9" in form.problems_label.text()
    type_into(qtbot, form.fields["count"], "3")
    type_into(qtbot, form.fields["secret"].edit, "a-fake-password-1")
    type_into(qtbot, form.fields["name"], "lobby chat")
    assert page.apply_secrets() == []
    assert page.feeds() == (Feed("fake", "lobby chat", True, (
        ("room", "lobby"), ("fast", "true"), ("flavour", "spicy"), ("count", "3"),
        ("secret", "${keyring:feed.fake.lobby-chat.secret}"))),)
    assert page.feed_list.item(0).text() == "Fake platform chat — lobby chat"


# -- feed states -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("state", "expected"), [
    (ConnectorState("youtube", FeedState.CONNECTED), "youtube: connected"),
    (ConnectorState("youtube", FeedState.CONNECTING), "youtube: connecting…"),
    (ConnectorState("youtube", FeedState.RECONNECTED), "youtube: reconnected"),
    (ConnectorState("youtube", FeedState.BACKOFF, "429 from YouTube", 8.0),
     "youtube: retrying in 8 s: 429 from YouTube"),
    (ConnectorState("youtube", FeedState.BACKOFF, "quota exceeded", 600.0),
     "youtube: retrying in 10 min: quota exceeded"),
    (ConnectorState("twitch", FeedState.BACKOFF, "network error", 1.5),
     "twitch: retrying in 1.5 s: network error"),
    (ConnectorState("shopify", FeedState.FAILED, "Shopify: token rejected — open Settings → Feeds"),
     "shopify: token rejected — open Settings → Feeds"),
    (ConnectorState("youtube", FeedState.ENDED), "youtube: the live chat has ended"),
    (ConnectorState("demo", FeedState.STOPPED), "demo: stopped"),
    (ConnectorState("generic", FeedState.FAILED), "generic: failed"),
])
def test_feed_state_words(state, expected):
    assert feed_state_text(state) == expected


def test_feed_state_text_is_one_masked_capped_line():
    message = "bad\nline <b>x</b> token=" + TEST_SHOP_TOKEN + " " + "y" * 300
    ev = ConnectorState("shopify", FeedState.BACKOFF, message, 2.0)
    text = feed_state_text(ev)
    assert "\n" not in text and "<b>x</b>" in text
    assert TEST_SHOP_TOKEN not in text and "token=****" in text
    assert len(text) <= MAX_CHARS and text.endswith("…")


def test_status_bar_keeps_the_latest_state_per_feed(qtbot):
    bar = FeedStatusBar()
    qtbot.addWidget(bar)
    bar.update_state(ConnectorState("youtube", FeedState.CONNECTING))
    bar.update_state(ConnectorState("shopify", FeedState.CONNECTED))
    bar.update_state(ConnectorState("youtube", FeedState.BACKOFF, "rate limited (429)", 8))
    assert bar.text() == "youtube: retrying in 8 s: rate limited (429)\nshopify: connected"
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in bar.findChildren(QLabel))
    bar.clear()
    assert bar.text() == ""


def test_demo_badge_shows_only_when_on(qtbot):
    bar = FeedStatusBar()
    qtbot.addWidget(bar)
    bar.show()
    assert not bar.demo_badge.isVisible()
    bar.set_demo(True)
    assert bar.demo_badge.isVisible() and bar.demo_badge.text() == "DEMO DATA — simulated orders and chat"
    assert "bold" in bar.demo_badge.styleSheet() and "#ffb300" in bar.demo_badge.styleSheet()
    bar.set_demo(False)
    assert not bar.demo_badge.isVisible()


def test_without_a_keyring_a_feed_token_can_go_to_the_encrypted_key_file(qtbot, monkeypatch):
    from studio.core.keystore import key_file

    monkeypatch.setattr("studio.ui.keyfile.ask_passphrase", lambda parent: "feeds passphrase")
    previous = keyring.get_keyring()
    keyring.set_keyring(RefusingKeyring())
    try:
        page = make_page(qtbot)
        shop = add(qtbot, page, "shopify")
        type_into(qtbot, shop.fields["shop"], "anchor-demo")
        type_into(qtbot, shop.fields["token"].edit, TEST_SHOP_TOKEN)
        assert page.apply_secrets() == []
        ref = page.feeds()[0].option_map["token"]
        assert ref.startswith("${keyring:")
        from studio.core.secrets import expand_secret_refs

        assert expand_secret_refs(ref) == TEST_SHOP_TOKEN
        assert TEST_SHOP_TOKEN.encode() not in key_file().read_bytes()
    finally:
        keyring.set_keyring(previous)
