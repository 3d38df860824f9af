"""TikTok LIVE chat, gifts and viewer counts through the unofficial TikTokLive library (7.0.1, extra `rooms`).

TikTok has no public LIVE chat API. TikTokLive finds the room id on tiktok.com/@HANDLE/live (or TikTok's
user API), checks that the room is live, asks a third-party sign server (Euler Stream,
api.eulerstream.com: it sees the handle, and the API key when one is set) for a signed websocket
address, and decodes TikTok's protobuf frames into events. What becomes what:

* `CommentEvent` → `ChatMessage`: id `common.msg_id`, author `user.nickname` (else `@display_id`), text
  `content`, time `common.create_time` (milliseconds).
* `GiftEvent` → `ChatMessage(kind="gift", text="sent Rose ×5 (5 diamonds)")`, once per gift. A streakable
  gift (`gift.type == 1`) is sent again and again while the viewer taps; only the event that ends the
  streak (`repeat_end` set: the library's `streaking` is False) is shown, with the streak's `repeat_count`.
  Diamonds are TikTok's virtual currency, not money, so `amount` stays empty.
* `RoomUserSeqEvent` → `ViewerCount(total)`: `total` is who is in the room now (proto field 3, called
  `viewer_count` in TikTokLiveProto v1/v2); `total_user` counts everyone who came and is not used.
* `ConnectEvent` → connected; `LiveEndEvent` (TikTok ended or suspended the LIVE) → ended. Likes,
  follows, shares and joins are ignored.

Offline and ended. A handle that is not live when we connect (`UserOfflineError`) is the usual case
before a show — the host starts the studio, then goes live — so it is a BACKOFF that looks again every
`offline_retry` seconds, not an end. A LIVE that ends while we listen ends the feed (ENDED), as YouTube's
`offlineAt` does: the platform says the show is over, and reconnecting would only find the handle
offline. An account TikTok's API says cannot go live or does not exist (`UserNotFoundError`) and an
age-restricted LIVE (it needs a logged-in session, which we never send) are FAILED. Everything else backs
off and connects again: the sign server's rate limit (`SignatureRateLimitError`, its wait honoured, at
most an hour), the sign server failing, TikTok blocking the page scrape (captcha), network errors, a
dropped websocket.

Worked around in TikTokLive 7.0.1:
* it builds its sign-server client with TLS verification off (`web_signer.py`, `verify_ssl=False`); we
  give that client a verifying httpx client before connecting — verification stays on;
* `client.on(Event, handler)` crashes (pyee's `on` calls the overridden `add_listener` with a string), so
  handlers are added with `add_listener`;
* parsed events hold the proto `User` and `Gift`, not `ExtendedUser`: there is no `user.unique_id`, we
  read `display_id`;
* `connect()` and `close()` call `run_until_complete` on the running loop when cancelled, so we call
  `start()`, await its websocket task and close the HTTP client ourselves.
"""

from __future__ import annotations

import importlib
import warnings
from types import SimpleNamespace
from typing import Any

import httpx

from studio.core.backoff import Backoff
from studio.core.http import make_async_client
from studio.live.connectors.base import FeedError
from studio.live.connectors.options import (
    RETRY,
    RETRY_CAP,
    Option,
    name_option,
    number_value,
    secret_value,
    text_value,
)
from studio.live.connectors.rooms import (
    EXTRA,
    MAX_AUTHOR,
    MAX_COUNT,
    MAX_NAME,
    MAX_VIEWERS,
    MAX_WAIT,
    RoomConnector,
    count_field,
    id_field,
    is_int,
    text_field,
    time_field,
)
from studio.live.events import ChatMessage, FeedState, ViewerCount

MAX_DIAMONDS = 10_000_000  # of one gift; TikTok's dearest gift costs tens of thousands


def _author(user: Any) -> str:
    if user is None:
        return ""
    name = text_field(getattr(user, "nickname", None), MAX_AUTHOR)
    if name:
        return name
    handle = text_field(getattr(user, "display_id", None), MAX_AUTHOR - 1)
    return f"@{handle}" if handle else ""


def _common(event: Any) -> tuple[Any, float]:
    """(message id, time) from a TikTok message's `common` block."""
    common = getattr(event, "common", None)
    return getattr(common, "msg_id", None), time_field(getattr(common, "create_time", None))


def comment_to_chat(event: Any, source: str) -> ChatMessage | None:
    """A `CommentEvent` → ChatMessage; None for an empty comment."""
    text = text_field(getattr(event, "content", None))
    if not text:
        return None
    author = _author(getattr(event, "user", None))
    msg_id, at = _common(event)
    return ChatMessage(source, id_field("c", msg_id, author, text, at), author, text, at)


def gift_to_chat(event: Any, source: str) -> ChatMessage | None:
    """A `GiftEvent` → ChatMessage(kind="gift"); None while a streak is still running. ValueError when
    the gift or its count is missing or absurd."""
    gift = getattr(event, "gift", None)
    if gift is None:
        raise ValueError("a gift event without a gift")
    if getattr(gift, "type", 0) == 1 and not getattr(event, "repeat_end", 0):
        return None  # mid-streak: the event that ends it carries the whole count
    count = max(1, count_field(getattr(event, "repeat_count", 1), MAX_COUNT))
    gift_id = getattr(gift, "id", None)
    name = text_field(getattr(gift, "name", None), MAX_NAME) or (
        f"gift {gift_id}" if is_int(gift_id) and gift_id > 0 else "a gift")
    try:
        diamonds = count_field(getattr(gift, "diamond_count", 0), MAX_DIAMONDS) * count
    except ValueError:
        diamonds = 0
    text = f"sent {name} ×{count}"
    if diamonds:
        text += f" ({diamonds} diamond{'' if diamonds == 1 else 's'})"
    author = _author(getattr(event, "user", None))
    msg_id, at = _common(event)
    return ChatMessage(source, id_field("g", msg_id, author, name, count, at), author, text, at, kind="gift")


def viewers_of(event: Any, source: str) -> ViewerCount:
    """A `RoomUserSeqEvent` → ViewerCount of `total`; ValueError when it is not a sane count."""
    _, at = _common(event)
    return ViewerCount(source, count_field(getattr(event, "total", None), MAX_VIEWERS), at)


UNIQUE_ID = Option("unique_id", "text", "TikTok handle", required=True, placeholder="@NAME",
                   pattern=r"@?[A-Za-z0-9_.]{2,24}",
                   help="The @handle of the account that goes live, as in tiktok.com/@NAME.")
SIGN_API_KEY = Option("sign_api_key", "text", "Sign server API key", secret=True,
                      keyring_name="tiktok_sign_api_key", env_var="STUDIO_TIKTOK_SIGN_API_KEY",
                      help="An Euler Stream (eulerstream.com) API key for more connections per hour; without "
                           "one the free limits apply.")
OFFLINE_RETRY = Option("offline_retry", "number", "Look for the LIVE every (s)", default="30", minimum=1,
                       maximum=3600, advanced=True,
                       help="While the account is not live, how often to look whether its LIVE has started.")
NAME = name_option("tiktok")


class TikTokChat(RoomConnector):
    kind = "tiktok"
    title = "TikTok LIVE"
    OPTIONS = (UNIQUE_ID, NAME, SIGN_API_KEY, OFFLINE_RETRY, RETRY, RETRY_CAP)
    missing = f"TikTok LIVE needs the optional TikTokLive library: {EXTRA}"
    closed = "TikTok closed the connection"

    def __init__(self, settings: dict[str, str]) -> None:
        super().__init__()
        self.unique_id = text_value(settings, UNIQUE_ID).lstrip("@")
        self.name = text_value(settings, NAME)
        self.sign_api_key = secret_value(settings, SIGN_API_KEY)
        self.offline_retry = number_value(settings, OFFLINE_RETRY)
        self.backoff = Backoff(first=number_value(settings, RETRY), cap=number_value(settings, RETRY_CAP))
        self._ended = ""

    def load_library(self) -> Any:
        # TikTokLive 7.0.1 imports websockets.legacy, deprecated since websockets 14.
        warnings.filterwarnings("ignore", message="websockets.legacy is deprecated",
                                category=DeprecationWarning)
        importlib.import_module("TikTokLive")
        client = importlib.import_module("TikTokLive.client.client")
        return SimpleNamespace(
            Client=client.TikTokLiveClient,
            events=importlib.import_module("TikTokLive.events"),
            errors=importlib.import_module("TikTokLive.client.errors"),
            room_id_error=importlib.import_module(
                "TikTokLive.client.web.routes.fetch_room_id_live_html").FailedParseRoomIdError,
            is_live_error=importlib.import_module(
                "TikTokLive.client.web.routes.fetch_is_live").MissingRoomIdInResponse,
        )

    def make_client(self, lib: Any) -> Any:
        """A TikTokLiveClient for the handle (tests replace its network routes)."""
        web_kwargs = {"signer_kwargs": {"sign_api_key": self.sign_api_key}} if self.sign_api_key else {}
        return lib.Client(unique_id=self.unique_id, web_kwargs=web_kwargs)

    async def _verify_sign_server(self, client: Any) -> None:
        """TikTokLive builds its sign-server client with certificate checks off: ours replaces it."""
        sdk = client.web.signer.sdk_client
        given = sdk.get_async_httpx_client()
        sdk.set_async_httpx_client(make_async_client(given.timeout, base_url=given.base_url,
                                                     headers=given.headers, cookies=given.cookies))
        await given.aclose()

    async def session(self, lib: Any) -> None:
        self._ended = ""
        client = self.make_client(lib)
        ev = lib.events
        for event_type, handler in ((ev.ConnectEvent, self._on_connect), (ev.CommentEvent, self._on_comment),
                                    (ev.GiftEvent, self._on_gift), (ev.RoomUserSeqEvent, self._on_viewers),
                                    (ev.LiveEndEvent, self._on_live_end)):
            client.add_listener(event_type, handler)
        try:
            await self._verify_sign_server(client)
            task = await client.start(fetch_live_check=True)
            await task
        finally:
            await self.quietly(client.disconnect(), "disconnecting")
            await self.quietly(client.web.close(), "closing the HTTP client")
        if self._ended:
            raise FeedError(self._ended, fatal=True, state=FeedState.ENDED)

    # The handlers run inside the library's dispatch: `deliver` never raises.
    def _on_connect(self, event: Any) -> None:
        self.joined()

    def _on_comment(self, event: Any) -> None:
        self.deliver("comment", comment_to_chat, event)

    def _on_gift(self, event: Any) -> None:
        self.deliver("gift", gift_to_chat, event)

    def _on_viewers(self, event: Any) -> None:
        self.deliver("viewer count", viewers_of, event)

    def _on_live_end(self, event: Any) -> None:
        suspended = "SUSPENDED" in str(getattr(event, "action", ""))
        self._ended = f"TikTok {'suspended' if suspended else 'ended'} the LIVE of @{self.unique_id}"

    def describe(self, lib: Any, exc: Exception) -> FeedError:
        errors, who = lib.errors, f"@{self.unique_id}"
        if isinstance(exc, errors.UserOfflineError):
            return FeedError(f"{who} is not live on TikTok yet", retry_after=self.offline_retry)
        if isinstance(exc, errors.UserNotFoundError):
            return FeedError(f"TikTok has no account {who} that can go LIVE — check the handle",
                             fatal=True, state=FeedState.FAILED)
        if isinstance(exc, errors.AgeRestrictedError):
            return FeedError(f"the LIVE of {who} is age-restricted: TikTok shows it only to a logged-in "
                             "account", fatal=True, state=FeedState.FAILED)
        if isinstance(exc, errors.SignatureRateLimitError):
            wait = _retry_after(exc)
            return FeedError("the TikTok sign server (Euler Stream) allows no more connections now"
                             + (f"; retry after {wait:g} s" if wait is not None else "")
                             + " — a sign_api_key raises the limit", retry_after=wait)
        if isinstance(exc, errors.SignAPIError):
            reason = str(getattr(getattr(exc, "reason", None), "name", "") or "error")
            reason = reason.lower().replace("_", " ")
            return FeedError(f"the TikTok sign server (Euler Stream) failed ({reason})")
        if isinstance(exc, (errors.WebcastBlockedError, errors.InitialCursorMissingError,
                            errors.WebsocketURLMissingError, lib.room_id_error, lib.is_live_error)):
            return FeedError("TikTok refused the connection (blocked or a captcha); retrying")
        if isinstance(exc, httpx.TimeoutException):
            return FeedError("TikTok did not answer in time")
        if isinstance(exc, (httpx.HTTPError, OSError)):
            return FeedError(f"network error: {exc.__class__.__name__}")
        if type(exc).__module__.startswith("websockets"):
            return FeedError(f"the connection to TikTok was lost ({exc.__class__.__name__})")
        return FeedError(f"unexpected error from TikTokLive ({exc.__class__.__name__})")


def _retry_after(exc: Any) -> float | None:
    """The sign server's wait in seconds, when it said one we can believe."""
    try:
        wait = float(exc.retry_after)
    except (AttributeError, TypeError, ValueError, OverflowError):
        return None
    return wait if 0 < wait <= MAX_WAIT else None
