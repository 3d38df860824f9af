"""YouTube live chat connector against a local server speaking liveChatMessages.list."""

from __future__ import annotations

import logging
import time
from decimal import Decimal

import pytest

from studio.core.errors import UserError
from studio.live.connectors.youtube import YouTubeChat
from studio.live.counters import Counters
from studio.live.events import FeedState, ViewerCount

from .conftest import run_connector
from .servers.youtube import FakeYouTube, broadcast_item, superchat_item, text_item


def make(base: str, **kw: str) -> YouTubeChat:
    settings = {"live_chat_id": "CHAT1", "api_base": base, "min_interval": "0.02", "retry": "0.02",
                "quota_backoff": "0.05", "rate_limit_backoff": "0.05", **kw}
    return YouTubeChat(settings)


def test_pages_are_followed_with_page_token_in_order(youtube_key):
    pages = [[text_item(1, "多少钱？"), text_item(2, "Is shipping free?")], [text_item(3, "上链接")]]
    with FakeYouTube(pages) as yt:
        ev = run_connector(make(yt.base), lambda e: len(yt.requests) >= 3)
        tokens = [r.query.get("pageToken") for r in yt.requests]
    assert [m.text for m in ev.chat] == ["多少钱？", "Is shipping free?", "上链接"]
    assert tokens[:3] == [None, "p1", "p2"]
    assert all(r.query["part"] == "id,snippet,authorDetails" and r.query["liveChatId"] == "CHAT1"
               for r in yt.requests)
    assert ev.chat[0].author == "Anhad Singh" and ev.chat[0].id == "LCC.msg1"
    assert ev.state_names()[:2] == ["connecting", FeedState.CONNECTED]


def test_polling_interval_millis_is_honoured(youtube_key):
    with FakeYouTube([[]] * 100, interval_ms=200) as yt:
        t0 = time.monotonic()
        run_connector(make(yt.base), lambda e: time.monotonic() - t0 > 0.9, timeout=3)
        n = len(yt.requests)
    assert 3 <= n <= 6, n  # ~1 s / 200 ms: the server's pace, not a spin and not the 5 s default


def test_super_chat_carries_exact_amount_and_currency(youtube_key):
    with FakeYouTube([[superchat_item(1)]]) as yt:
        ev = run_connector(make(yt.base), lambda e: len(e.chat) >= 1)
    sc = ev.chat[0]
    assert sc.kind == "superchat" and sc.amount == Decimal("2") and sc.currency == "EUR" and sc.text == "test"
    assert sc.at == 1623253252.765983


def test_duplicates_across_pages_are_counted_once(youtube_key):
    pages = [[text_item(1, "a"), text_item(2, "b")], [text_item(2, "b"), text_item(3, "c")]]
    with FakeYouTube(pages) as yt:
        ev = run_connector(make(yt.base), lambda e: len(e.chat) >= 4)
    c = Counters()
    for m in ev.chat:
        c.add_chat(m)
    assert c.chat_messages == 3


def test_live_chat_ended_stops_the_connector(youtube_key):
    with FakeYouTube([[text_item(1, "bye")]], end="ended") as yt:
        ev = run_connector(make(yt.base), lambda e: False, timeout=5)
    assert FeedState.ENDED in ev.state_names() and ev.state_names()[-1] == FeedState.STOPPED
    assert len(ev.chat) == 1


def test_offline_at_ends_the_chat(youtube_key):
    with FakeYouTube([[text_item(1, "x")]], end="offline") as yt:
        ev = run_connector(make(yt.base), lambda e: False, timeout=5)
    assert FeedState.ENDED in ev.state_names()


def test_quota_and_rate_limit_back_off_then_recover(youtube_key):
    with FakeYouTube([[text_item(1, "after")]], faults=["quota", "ratelimit"]) as yt:
        ev = run_connector(make(yt.base, min_interval="0.01"), lambda e: len(e.chat) >= 1, timeout=15)
    backoffs = [s for s in ev.states if s.state == FeedState.BACKOFF]
    assert "quota" in backoffs[0].message and backoffs[0].retry_in == 0.05
    assert "too fast" in backoffs[1].message
    assert FeedState.RECONNECTED in ev.state_names() or FeedState.CONNECTED in ev.state_names()


def test_broken_responses_become_backoff_events_never_a_crash(youtube_key, caplog):
    faults = ["500", "html", "truncated", "redirect", "redirect"]
    with FakeYouTube([[text_item(1, "finally")]], faults=faults) as yt, caplog.at_level(logging.DEBUG):
        ev = run_connector(make(yt.base), lambda e: len(e.chat) >= 1, timeout=10)
    msgs = [s.message for s in ev.states if s.state == FeedState.BACKOFF]
    assert len(msgs) == 5
    assert "server error 500" in msgs[0]
    assert "expected JSON" in msgs[1]
    assert "malformed JSON" in msgs[2]
    assert "redirect" in msgs[3] and "redirect" in msgs[4]
    assert [m.text for m in ev.chat] == ["finally"]
    # the API key travels in the query string (as documented): it must not appear in any event or in our
    # log lines (httpx's own request log goes through the masking filter of studio.core.log in the app)
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("studio.")]
    everything = " ".join(s.message for s in ev.states) + " ".join(ours)
    assert youtube_key not in everything


def test_unknown_chat_fails_permanently(youtube_key):
    with FakeYouTube([], faults=["notfound"]) as yt:
        ev = run_connector(make(yt.base), lambda e: False, timeout=5)
    assert FeedState.FAILED in ev.state_names() and len(yt.requests) == 1


def test_oauth_token_goes_in_the_authorization_header(monkeypatch):
    monkeypatch.setenv("STUDIO_YOUTUBE_TOKEN", "AIzaTESTKEY123")
    with FakeYouTube([[text_item(1, "hi")]]) as yt:
        ev = run_connector(make(yt.base), lambda e: len(e.chat) >= 1)
        assert "key" not in yt.requests[0].query
    assert ev.chat


def test_viewers_from_video_live_streaming_details(youtube_key):
    with FakeYouTube([[text_item(1, "hi")]], viewers=5290) as yt:
        ev = run_connector(make(yt.base, video_id="VID"), lambda e: bool(e.of(ViewerCount)))
    assert ev.of(ViewerCount)[0].count == 5290


def test_api_base_keeps_the_documented_path(youtube_key):
    with FakeYouTube([[text_item(1, "hi")]]) as yt:
        run_connector(make(yt.base), lambda e: len(e.chat) >= 1)
        assert yt.requests[0].path == "/youtube/v3/liveChat/messages"


def test_an_oauth_token_finds_the_chat_of_the_active_broadcast(monkeypatch):
    token = "ya29.a0AfH6SMBtest"
    monkeypatch.setenv("STUDIO_YOUTUBE_TOKEN", token)
    monkeypatch.delenv("STUDIO_YOUTUBE_API_KEY", raising=False)
    with FakeYouTube([[text_item(1, "hello")]], api_key=token, viewers=321,
                     broadcasts=[[], [broadcast_item("VID9", "CHAT1")]]) as yt:
        c = YouTubeChat({"api_base": yt.base, "broadcast_retry": "0.05", "min_interval": "0.02",
                         "viewers_every": "0"})
        ev = run_connector(c, lambda e: bool(e.chat) and bool(e.of(ViewerCount)))
        paths = [r.path for r in yt.requests]
    # not live yet, then live
    assert paths[:2] == ["/youtube/v3/liveBroadcasts", "/youtube/v3/liveBroadcasts"]
    assert [m.text for m in ev.chat] == ["hello"] and ev.of(ViewerCount)[0].count == 321
    assert any("no active broadcast" in s.message for s in ev.states)
    assert all(r.query.get("liveChatId") == "CHAT1" for r in yt.requests if r.path.endswith("/messages"))


def test_an_api_key_alone_cannot_find_a_broadcast(youtube_key):
    with pytest.raises(UserError, match="OAuth token to find the chat of your active broadcast"):
        YouTubeChat({})
