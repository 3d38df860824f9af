"""TikTok LIVE through TikTokLive 7.0.1, tested where the connector plugs in: a real TikTokLiveClient whose
network routes (room-id scrape, live check, sign server, websocket) are replaced by a script of TikTok's
own protobuf messages, so the library's parser and its pyee dispatch hand the connector real event
objects. Nothing here reaches TikTok."""

from __future__ import annotations

import asyncio
import ssl
import sys
import threading
import time
import warnings
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studio.live.connectors import build_feed, check_feed_options
from studio.live.connectors.rooms import MAX_TEXT, MIN_WAIT
from studio.live.connectors.tiktok import TikTokChat, comment_to_chat, gift_to_chat, viewers_of
from studio.live.events import ChatMessage, ConnectorState, FeedState, ViewerCount

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # websockets.legacy, imported by TikTokLive
    TikTokLive = pytest.importorskip("TikTokLive")
    from TikTokLive.client import errors
    from TikTokLive.events import CommentEvent, GiftEvent, RoomUserSeqEvent
    from TikTokLive.proto import (
        CommonMessageData,
        ControlAction,
        Gift,
        ProtoMessageFetchResult,
        ProtoMessageFetchResultBaseProtoMessage,
        User,
        WebcastChatMessage,
        WebcastControlMessage,
        WebcastGiftMessage,
        WebcastRoomUserSeqMessage,
    )

T0 = 1893463200  # 2030-01-01T02:00:00Z


@pytest.fixture(autouse=True)
def _no_keyring(monkeypatch):
    import keyring

    monkeypatch.setattr(keyring, "get_password", lambda service, name: None)
    monkeypatch.delenv("STUDIO_TIKTOK_SIGN_API_KEY", raising=False)


# -- TikTok's messages, made with the library's own proto classes ---------------------------------------

def msg_common(msg_id: int, ms: int) -> CommonMessageData:
    return CommonMessageData(msg_id=msg_id, create_time=ms)


def msg_chat(text: str, msg_id: int = 7301, nickname: str = "Lily",
             handle: str = "lily_tea") -> WebcastChatMessage:
    return WebcastChatMessage(common=msg_common(msg_id, T0 * 1000 + 250), content=text,
                              user=User(id=42, nickname=nickname, display_id=handle))


def msg_gift(name: str, count: int, *, streakable: bool, ended: bool, diamonds: int = 1,
         msg_id: int = 9001) -> WebcastGiftMessage:
    return WebcastGiftMessage(common=msg_common(msg_id, T0 * 1000 + 500), user=User(nickname="Bob"),
                              gift=Gift(id=5655, name=name, diamond_count=diamonds,
                                        type=1 if streakable else 2),
                              repeat_count=count, repeat_end=1 if ended else 0)


def msg_viewers(total: int) -> WebcastRoomUserSeqMessage:
    return WebcastRoomUserSeqMessage(common=msg_common(0, T0 * 1000), total=total, total_user=total * 7)


METHODS = {cls: cls.__name__ for cls in (WebcastChatMessage, WebcastGiftMessage, WebcastRoomUserSeqMessage,
                                         WebcastControlMessage)}


def msg_frame(*messages: Any, first: bool = False) -> ProtoMessageFetchResult:
    """One websocket frame as TikTokLive receives it: serialised messages named by their method."""
    return ProtoMessageFetchResult(is_first=first, messages=[
        ProtoMessageFetchResultBaseProtoMessage(method=METHODS[type(m)], payload=bytes(m)) for m in messages])


LIVE_ENDED = WebcastControlMessage(action=ControlAction.STREAM_ENDED)


class Script:
    """What TikTok does for one connection: how the room look-up goes, then the websocket's frames, then
    `after` ("hang": stays open, "close": TikTok closes it)."""

    def __init__(self, frames: list[ProtoMessageFetchResult] | None = None, *, after: str = "hang",
                 room_error: Exception | None = None, sign_error: Exception | None = None,
                 api_error: Exception | None = None) -> None:
        self.frames, self.after = frames or [], after
        self.room_error, self.sign_error, self.api_error = room_error, sign_error, api_error

    def install(self, client: Any) -> None:
        async def room_id_from_html(unique_id: str) -> str:
            if self.room_error is not None:
                raise self.room_error
            return "7123456789"

        async def room_id_from_api(unique_id: str) -> int:
            raise self.api_error or errors.UserNotFoundError(unique_id, "no such user")

        async def is_live(room_id: int | None = None, unique_id: str | None = None) -> bool:
            return True

        async def signed_websocket(platform: Any) -> ProtoMessageFetchResult:
            if self.sign_error is not None:
                raise self.sign_error
            return ProtoMessageFetchResult(is_first=True)

        async def websocket(**kwargs: Any):
            for f in self.frames:
                yield f
                await asyncio.sleep(0)
            if self.after == "hang":
                await asyncio.Event().wait()

        web = client.web
        web.fetch_room_id_from_html = room_id_from_html
        web.fetch_room_id_from_api = room_id_from_api
        web.fetch_is_live = is_live
        web.fetch_signed_websocket = signed_websocket
        client._ws.connect = websocket


class ScriptedTikTok(TikTokChat):
    """The real connector; each session's client gets the next script (the last one repeats)."""

    def __init__(self, settings: dict[str, str], *scripts: Script) -> None:
        super().__init__(settings)
        self.scripts = list(scripts)
        self.clients: list[Any] = []

    def make_client(self, lib: Any) -> Any:
        client = super().make_client(lib)
        script = self.scripts.pop(0) if len(self.scripts) > 1 else self.scripts[0]
        script.install(client)
        self.clients.append(client)
        return client


def feed(*scripts: Script, **options: str) -> ScriptedTikTok:
    return ScriptedTikTok({"unique_id": "@tea.house", "retry": "0.5", **options}, *scripts)


def run_until(connector: Any, done: Any, timeout: float = 3.0) -> tuple[list[Any], float]:
    """Run the connector on its own thread until `done(events)`; then stop it. (events, seconds the
    thread took to end after stop was set)."""
    events: list[Any] = []
    stop = threading.Event()
    thread = threading.Thread(target=connector.run, args=(events.append, stop), daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not done(events) and thread.is_alive():
        time.sleep(0.01)
    assert done(events), f"gave up waiting; got {events}"
    t = time.monotonic()
    stop.set()
    connector.close()
    thread.join(3.0)
    assert not thread.is_alive(), "run() did not return"
    return events, time.monotonic() - t


def states(events: list[Any]) -> list[str]:
    return [e.state for e in events if isinstance(e, ConnectorState)]


def has_state(state: str, n: int = 1) -> Any:
    return lambda events: states(events).count(state) >= n


def of(kind: type, events: list[Any]) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]


# -- what arrives --------------------------------------------------------------------------------------

def test_comments_gifts_and_viewers_arrive_through_the_librarys_dispatch():
    script = Script([
        msg_frame(msg_chat("how much is the longjing?"), first=True),
        msg_frame(msg_gift("Rose", 3, streakable=True, ended=False, msg_id=1),   # mid-streak: not shown
              msg_gift("Rose", 5, streakable=True, ended=True, msg_id=2),    # the streak's end: 5 roses
              msg_gift("Lion", 1, streakable=False, ended=False, diamonds=29999, msg_id=3)),
        msg_frame(msg_viewers(1520)),
    ])
    connector = feed(script)
    events, _ = run_until(connector, lambda ev: len(of(ViewerCount, ev)) == 1)
    assert states(events)[:2] == [FeedState.CONNECTING, FeedState.CONNECTED]
    lines = of(ChatMessage, events)
    assert lines[0] == ChatMessage("tiktok", "c:7301", "Lily", "how much is the longjing?", T0 + 0.25)
    assert [(m.kind, m.author, m.text, m.id, m.amount) for m in lines[1:]] == [
        ("gift", "Bob", "sent Rose ×5 (5 diamonds)", "g:2", None),
        ("gift", "Bob", "sent Lion ×1 (29999 diamonds)", "g:3", None)]
    assert of(ViewerCount, events) == [ViewerCount("tiktok", 1520, float(T0))]
    assert states(events)[-1] == FeedState.STOPPED and FeedState.FAILED not in states(events)
    assert sign_server_verify_mode(connector.clients[0]) == ssl.CERT_REQUIRED  # fixed before connecting


@pytest.mark.parametrize(("streakable", "ended"),
                         [(True, False), (True, True), (False, False), (False, True)])
def test_a_gift_is_shown_exactly_when_the_library_says_its_streak_is_over(streakable, ended):
    event = GiftEvent().parse(bytes(msg_gift("Rose", 4, streakable=streakable, ended=ended)))
    shown = gift_to_chat(event, "tiktok")
    assert (shown is None) == event.streaking  # the library's own rule, not our guess
    if shown is not None:
        assert shown.text == "sent Rose ×4 (4 diamonds)" and shown.kind == "gift"


def test_a_nickname_less_user_is_shown_by_handle():
    event = CommentEvent().parse(bytes(msg_chat("hi", nickname="", handle="quiet_one")))
    assert comment_to_chat(event, "tiktok").author == "@quiet_one"


# -- hostile or broken events --------------------------------------------------------------------------

def test_huge_text_with_escapes_is_plain_and_bounded():
    hostile = "\x1b[31mRED\x1b[0m\r\nnext\x00line " + "买" * 100_000
    msg = comment_to_chat(CommentEvent().parse(bytes(msg_chat(hostile))), "tiktok")
    assert len(msg.text) == MAX_TEXT and msg.text.endswith("买…")
    assert msg.text.startswith("[31mRED [0m  next line 买") and not any(ord(c) < 32 for c in msg.text)


def test_a_comment_without_user_or_common_block_gets_an_id_and_the_time_it_arrived():
    bare = CommentEvent().parse(bytes(WebcastChatMessage(content="no user, no common")))
    before = time.time()
    msg = comment_to_chat(bare, "tiktok")
    assert msg.author == "" and msg.text == "no user, no common"
    assert msg.id.startswith("c:h") and len(msg.id) == 27 and before <= msg.at <= time.time()


def test_a_comment_without_message_id_gets_the_same_id_when_replayed():
    replay = bytes(WebcastChatMessage(common=msg_common(0, T0 * 1000), content="same",
                                      user=User(nickname="A")))
    first, again = (comment_to_chat(CommentEvent().parse(replay), "tiktok") for _ in range(2))
    other = comment_to_chat(CommentEvent().parse(bytes(msg_chat("same", msg_id=0, nickname="B"))), "tiktok")
    assert first.id == again.id != other.id and first.at == T0


@pytest.mark.parametrize("total", [-5, 10**12])
def test_a_negative_or_absurd_viewer_count_is_dropped(total):
    event = RoomUserSeqEvent().parse(bytes(msg_viewers(total)))
    with pytest.raises(ValueError):
        viewers_of(event, "tiktok")


@pytest.mark.parametrize("bad", [
    WebcastGiftMessage(repeat_count=3, repeat_end=1),                                      # no gift
    WebcastGiftMessage(gift=Gift(name="Rose", type=2), repeat_count=-4, repeat_end=1),     # negative count
    WebcastGiftMessage(gift=Gift(name="Rose", type=2), repeat_count=10**8, repeat_end=1),  # absurd count
])
def test_a_gift_without_gift_or_with_an_absurd_count_is_refused(bad):
    with pytest.raises(ValueError):
        gift_to_chat(GiftEvent().parse(bytes(bad)), "tiktok")


def test_malformed_events_are_dropped_and_the_connection_goes_on():
    script = Script([
        msg_frame(msg_chat("first"), first=True),
        msg_frame(msg_viewers(-1), WebcastGiftMessage(repeat_count=2, repeat_end=1), msg_chat("\x00" * 50)),
        # a truncated payload TikTokLive cannot parse (EOFError): the library logs it and goes on
        ProtoMessageFetchResult(messages=[ProtoMessageFetchResultBaseProtoMessage(
            method="WebcastChatMessage", payload=b"\n")]),
        msg_frame(msg_chat("still here", msg_id=7302), msg_viewers(10)),
    ])
    connector = feed(script)
    events, _ = run_until(connector, lambda ev: len(of(ViewerCount, ev)) == 1)
    assert [m.text for m in of(ChatMessage, events)] == ["first", "still here"]
    assert of(ViewerCount, events)[0].count == 10
    assert connector.dropped == 2 and FeedState.BACKOFF not in states(events)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["content", "repeat_count", "repeat_end", "total"]),
                       st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=30), st.booleans())),
       st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.text(max_size=5)))
def test_any_shape_of_event_is_an_event_none_or_a_value_error(fields, stamp):
    gift_obj = SimpleNamespace(name=fields.get("content"), type=fields.get("repeat_end"), diamond_count=stamp)
    event = SimpleNamespace(**fields, user=SimpleNamespace(nickname=fields.get("content")),
                            common=SimpleNamespace(msg_id=stamp, create_time=stamp), gift=gift_obj)
    for parse in (comment_to_chat, gift_to_chat, viewers_of):
        try:
            out = parse(event, "tiktok")
        except ValueError:
            continue
        assert out is None or isinstance(out, (ChatMessage, ViewerCount))
        if isinstance(out, ChatMessage):
            assert out.id and len(out.text) <= MAX_TEXT and 0 <= out.at <= 253402300799
        if isinstance(out, ViewerCount):
            assert out.count >= 0


# -- connection states -----------------------------------------------------------------------------------

def test_a_live_that_ends_ends_the_feed():
    script = Script([msg_frame(msg_chat("bye!"), first=True), msg_frame(LIVE_ENDED)], after="close")
    events, _ = run_until(feed(script), has_state(FeedState.STOPPED))
    assert states(events) == [FeedState.CONNECTING, FeedState.CONNECTED, FeedState.ENDED, FeedState.STOPPED]
    assert of(ConnectorState, events)[2].message == "TikTok ended the LIVE of @tea.house"


def test_a_handle_not_live_yet_is_looked_for_again_after_offline_retry():
    script = Script(room_error=errors.UserOfflineError("The requested TikTok LIVE user is offline."))
    events, _ = run_until(feed(script, offline_retry="45"), has_state(FeedState.BACKOFF))
    backoff = of(ConnectorState, events)[1]
    assert (backoff.state, backoff.message, backoff.retry_in) == (
        FeedState.BACKOFF, "@tea.house is not live on TikTok yet", 45.0)


def test_an_account_tiktok_does_not_know_is_failed_without_retrying():
    script = Script(room_error=errors.UserNotFoundError("tea.house", "LiveRoom missing"),
                    api_error=errors.UserNotFoundError("tea.house", "user_not_found"))
    events, _ = run_until(feed(script), has_state(FeedState.STOPPED))
    assert states(events) == [FeedState.CONNECTING, FeedState.FAILED, FeedState.STOPPED]
    assert of(ConnectorState, events)[1].message == (
        "TikTok has no account @tea.house that can go LIVE — check the handle")


def rate_limited(seconds: str) -> Exception:
    response = httpx.Response(429, headers={"RateLimit-Remaining": seconds, "RateLimit-Reset": "1893463300"})
    return errors.SignatureRateLimitError(
        "slow down", "Too many connections started, try again in %s seconds.", response=response)


@pytest.mark.parametrize(("seconds", "expected"), [("120", 120.0), ("9999999", None)])
def test_the_sign_servers_rate_limit_wait_is_honoured_within_bounds(seconds, expected):
    events, _ = run_until(feed(Script(sign_error=rate_limited(seconds)), retry_cap="30"),
                          has_state(FeedState.BACKOFF))
    backoff = of(ConnectorState, events)[1]
    assert backoff.message.startswith("the TikTok sign server (Euler Stream) allows no more connections now")
    if expected is not None:
        assert backoff.retry_in == expected and "retry after 120 s" in backoff.message
    else:  # an absurd wait is not believed: the ordinary backoff applies
        assert MIN_WAIT <= backoff.retry_in <= 30


def test_a_failing_sign_server_backs_off():
    error = errors.SignAPIError(errors.SignAPIError.ErrorReason.EMPTY_COOKIES,
                                "Sign server did not return cookies!")
    events, _ = run_until(feed(Script(sign_error=error)), has_state(FeedState.BACKOFF))
    backoff = of(ConnectorState, events)[1]
    assert backoff.message == "the TikTok sign server (Euler Stream) failed (empty cookies)"
    assert MIN_WAIT <= backoff.retry_in <= 60


def test_a_closed_connection_reconnects_with_backoff():
    dropped = Script([msg_frame(msg_chat("one"), first=True)], after="close")
    again = Script([msg_frame(msg_chat("two", msg_id=7302), first=True)])
    events, _ = run_until(feed(dropped, again), has_state(FeedState.RECONNECTED))
    assert states(events) == [FeedState.CONNECTING, FeedState.CONNECTED, FeedState.BACKOFF,
                              FeedState.RECONNECTED, FeedState.STOPPED]
    backoff = of(ConnectorState, events)[2]
    assert backoff.message == "TikTok closed the connection" and MIN_WAIT <= backoff.retry_in <= 1.0
    assert [m.text for m in of(ChatMessage, events)] == ["one", "two"]


@pytest.mark.parametrize("how", ["stop", "close"])
def test_run_ends_within_a_second_when_stopped(how):
    connector = feed(Script([msg_frame(msg_chat("hello"), first=True)]))
    events: list[Any] = []
    stop = threading.Event()
    thread = threading.Thread(target=connector.run, args=(events.append, stop), daemon=True)
    thread.start()
    deadline = time.monotonic() + 3
    while FeedState.CONNECTED not in states(events) and time.monotonic() < deadline:
        time.sleep(0.01)
    t = time.monotonic()
    stop.set() if how == "stop" else connector.close()
    thread.join(2.0)
    assert not thread.is_alive() and time.monotonic() - t < 1.0
    assert states(events)[-1] == FeedState.STOPPED
    assert connector.clients[0].web.httpx_client.is_closed  # the session closed its client on the way out


def test_without_the_library_the_feed_fails_with_one_line(monkeypatch):
    for name in [m for m in sys.modules if m == "TikTokLive" or m.startswith("TikTokLive.")]:
        monkeypatch.setitem(sys.modules, name, None)
    events: list[Any] = []
    TikTokChat({"unique_id": "tea.house"}).run(events.append, threading.Event())
    assert events == [ConnectorState("tiktok", FeedState.FAILED,
                                     "TikTok LIVE needs the optional TikTokLive library: "
                                     "pip install 'anchor-studio[rooms]'", at=events[0].at),
                      ConnectorState("tiktok", FeedState.STOPPED, at=events[1].at)]
    assert check_feed_options("tiktok", {"unique_id": "@tea.house"}) == []  # pure: no library needed


def sign_server_verify_mode(client: Any) -> int:
    return client.web.signer.sdk_client.get_async_httpx_client()._transport._pool._ssl_context.verify_mode


def test_the_sign_server_is_reached_with_tls_verification_on():
    connector = TikTokChat({"unique_id": "tea.house", "sign_api_key": "euler-unit-test-key"})
    lib = connector.load_library()
    client = connector.make_client(lib)

    async def fix() -> None:
        assert sign_server_verify_mode(client) == ssl.CERT_NONE  # what TikTokLive 7.0.1 builds
        await connector._verify_sign_server(client)
        await client.web.close()

    asyncio.run(fix())
    assert sign_server_verify_mode(client) == ssl.CERT_REQUIRED
    headers = client.web.signer.sdk_client.get_async_httpx_client().headers
    assert headers["X-Api-Key"] == "euler-unit-test-key"  # the key still goes with every request


# -- options ---------------------------------------------------------------------------------------------

def test_bad_handles_are_named_with_what_to_write():
    hint = "write unique_id=@NAME — the @handle of the account that goes live, as in tiktok.com/@NAME"
    assert check_feed_options("tiktok", {"unique_id": "tea house"}) == [
        f"unique_id='tea house' is not valid: {hint}"]
    assert check_feed_options("tiktok", {"unique_id": "https://www.tiktok.com/@tea/live"}) == [
        f"unique_id='https://www.tiktok.com/@tea/live' is not valid: {hint}"]
    assert check_feed_options("tiktok", {}) == [f"'unique_id' is required: {hint}"]
    assert check_feed_options("tiktok", {"unique_id": "t", "offline_retry": "0"}) == [
        "unique_id='t' is not valid: " + hint,
        "offline_retry='0' must be a number from 1 to 3600 — write e.g. offline_retry=30"]


def test_the_handle_loses_its_at_and_the_defaults_are_what_the_connector_uses():
    c = build_feed("tiktok", {"unique_id": "@Tea.House_1"})
    assert (c.unique_id, c.name, c.offline_retry, c.backoff.first, c.backoff.cap, c.sign_api_key) == (
        "Tea.House_1", "tiktok", 30.0, 1.0, 60.0, None)
    assert c.unofficial and c.kind == "tiktok"
