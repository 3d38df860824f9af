"""Bilibili live danmaku through the unofficial blivedm library (0.1.1, extra `rooms`).

Bilibili's live-room chat is a websocket (`wss://…/sub`) of JSON commands; blivedm connects, sends the
heartbeat every 30 s and dispatches the commands to a `BaseHandler`. Ours turns them into events:

* `DANMU_MSG` → `ChatMessage`: author `uname`, text `msg`, time `timestamp` (ms); id the `id_str` in
  `mode_info.extra` when Bilibili sends one, else a digest of time, sender hash, `rnd` and text.
* `SUPER_CHAT_MESSAGE` (醒目留言, paid) → `ChatMessage(kind="superchat", amount=price, currency="CNY")`,
  id `sc:<id>`; a price that is not a sane number (NaN, negative, huge) keeps the line but no amount.
* `SEND_GIFT` → `ChatMessage(kind="gift", text="sent 小花花 ×10")`, id `gift:<tid>`. A gift paid in gold
  (`coin_type == "gold"`, 1000 gold = ¥1) carries `amount = total_coin / 1000` in CNY; silver gifts are
  free and carry none. `GUARD_BUY` (a captain membership, paid in gold) is a gift line the same way.
* `ONLINE_RANK_COUNT` → `ViewerCount(online_count)`, the "online" figure the room page shows. The
  heartbeat reply's popularity (人气) is not a head count and Bilibili has sent a constant 1 since 2023
  (SocialSisterYi/bilibili-API-collect#809): it only tells us the connection is alive.
* The first command of a connection (normally that heartbeat reply, right after the auth) → connected.

Before each connection we look the room up ourselves (`getInfoByRoom`, checked where it arrives), because
blivedm 0.1.1 answers a missing room and a network failure alike (`init_room()` is False): a room
Bilibili says does not exist (a positive error code) is FAILED; risk control (-352, -412, -799, HTTP
412/429), server errors and network errors back off. Bilibili keeps a room's chat open when the host is
offline and `PREPARING` (stream stopped) is often followed by `LIVE` again, so neither ends the feed;
the host stops it. If nothing at all (not even a heartbeat reply) arrives for `dead_after` seconds, or
blivedm's own loop gives up (auth refused twice, TLS error), we reconnect with backoff.

Without a logged-in SESSDATA cookie Bilibili hides senders (names masked, uid 0). With `sessdata`, the
cookie goes with every request and the account's uid is looked up (`x/web-interface/nav`) for the auth
packet, as upstream blivedm ≥ 1.0 does; if Bilibili does not accept the cookie the feed still runs and
says that names are hidden.

Not verified against the live platform (nothing here can reach it): upstream blivedm signs
`getDanmuInfo` with WBI since July 2025 and fetches buvid/uid, which 0.1.1 does not; if Bilibili refuses
0.1.1's unsigned request the feed backs off with "Bilibili gave no danmaku server".
"""

from __future__ import annotations

import asyncio
import importlib
import json
import warnings
from collections.abc import Mapping
from http.cookies import SimpleCookie
from types import SimpleNamespace
from typing import Any

from studio.core.backoff import Backoff
from studio.core.log import get_logger
from studio.live.connectors.base import FeedError
from studio.live.connectors.options import (
    RETRY,
    RETRY_CAP,
    Option,
    int_value,
    name_option,
    number_value,
    secret_value,
    text_value,
)
from studio.live.connectors.rooms import (
    EXTRA,
    MAX_AUTHOR,
    MAX_COUNT,
    MAX_ID,
    MAX_NAME,
    MAX_VIEWERS,
    RoomConnector,
    count_field,
    id_field,
    is_int,
    money_field,
    text_field,
    time_field,
)
from studio.live.events import ChatMessage, FeedState, ViewerCount

log = get_logger("live.bilibili")

NAV_URL = "https://api.bilibili.com/x/web-interface/nav"
USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/124.0.0.0 Safari/537.36")
MAX_BODY = 1024 * 1024       # a room-info or nav answer is a few kB
MAX_EXTRA = 16 * 1024        # a danmaku's `mode_info.extra` JSON
HTTP_TIMEOUT = 10.0
WATCH_EVERY = 0.25           # seconds between two looks at blivedm's loop
RISK_CONTROL = {-352, -412, -509, -799}
GOLD_PER_YUAN = 1000


# -- the commands, checked ------------------------------------------------------------------------

def _danmaku_id(message: Any) -> Any:
    """`id_str` from the JSON in `mode_info["extra"]`, when Bilibili sends one."""
    mode_info = getattr(message, "mode_info", None)
    extra = mode_info.get("extra") if isinstance(mode_info, dict) else None
    if not isinstance(extra, str) or len(extra) > MAX_EXTRA:
        return None
    try:
        value = json.loads(extra).get("id_str")
    except (ValueError, RecursionError, AttributeError):
        return None
    return value if isinstance(value, str) and value.isalnum() and len(value) <= MAX_ID else None


def danmaku_to_chat(message: Any, source: str) -> ChatMessage | None:
    """blivedm's `DanmakuMessage` → ChatMessage; None for an empty one."""
    text = text_field(getattr(message, "msg", None))
    if not text:
        return None
    author = text_field(getattr(message, "uname", None), MAX_AUTHOR)
    stamp = getattr(message, "timestamp", None)
    at = time_field(stamp)
    mid = id_field("dm", _danmaku_id(message), stamp if is_int(stamp) else at,
                   str(getattr(message, "uid_crc32", ""))[:16], str(getattr(message, "rnd", ""))[:32], text)
    return ChatMessage(source, mid, author, text, at)


def superchat_to_chat(message: Any, source: str) -> ChatMessage:
    """blivedm's `SuperChatMessage` → a paid ChatMessage in CNY (no amount when the price is absurd)."""
    author = text_field(getattr(message, "uname", None), MAX_AUTHOR)
    text = text_field(getattr(message, "message", None))
    at = time_field(getattr(message, "start_time", None))
    amount = money_field(getattr(message, "price", None))
    mid = id_field("sc", getattr(message, "id", None), author, text, at)
    return ChatMessage(source, mid, author, text, at, kind="superchat", amount=amount,
                       currency="CNY" if amount is not None else None)


def _gift_line(source: str, prefix: str, raw_id: Any, author: str, name: str, count: int, gold: Any,
               at: float) -> ChatMessage:
    amount = money_field(gold, GOLD_PER_YUAN) if gold is not None else None
    if not amount:  # zero or unreadable: no money
        amount = None
    return ChatMessage(source, id_field(prefix, raw_id, author, name, count, at), author,
                       f"sent {name} ×{count}", at, kind="gift", amount=amount,
                       currency="CNY" if amount is not None else None)


def gift_to_chat(message: Any, source: str) -> ChatMessage:
    """blivedm's `GiftMessage` → ChatMessage(kind="gift"), with the CNY paid for a gold gift.
    ValueError when the count is not a sane whole number."""
    count = count_field(getattr(message, "num", None), MAX_COUNT)
    if count < 1:
        raise ValueError("a gift of nothing")
    name = text_field(getattr(message, "gift_name", None), MAX_NAME) or "a gift"
    author = text_field(getattr(message, "uname", None), MAX_AUTHOR)
    at = time_field(getattr(message, "timestamp", None))
    gold = getattr(message, "total_coin", None) if getattr(message, "coin_type", None) == "gold" else None
    tid = getattr(message, "tid", None) or getattr(message, "rnd", None)
    return _gift_line(source, "gift", tid, author, name, count, gold, at)


def guard_to_chat(message: Any, source: str) -> ChatMessage:
    """blivedm's `GuardBuyMessage` (a captain membership) → a gift line; `price` is gold per unit."""
    count = count_field(getattr(message, "num", None), MAX_COUNT)
    if count < 1:
        raise ValueError("a membership of nothing")
    name = text_field(getattr(message, "gift_name", None), MAX_NAME) or "a membership"
    author = text_field(getattr(message, "username", None), MAX_AUTHOR)
    at = time_field(getattr(message, "start_time", None))
    price = getattr(message, "price", None)
    gold = price * count if is_int(price) else None  # a negative price gives no amount (money_field)
    return _gift_line(source, "guard", None, author, name, count, gold, at)


def online_to_viewers(data: Any, source: str) -> ViewerCount:
    """`ONLINE_RANK_COUNT`'s data → ViewerCount of `online_count`; ValueError when it has none."""
    if not isinstance(data, Mapping):
        raise ValueError("ONLINE_RANK_COUNT without data")
    return ViewerCount(source, count_field(data.get("online_count"), MAX_VIEWERS), time_field(None))


def _handler_class(base: Any) -> Any:
    """blivedm's `BaseHandler`, its hooks sending to the feed. Built at run time: blivedm is optional."""

    class DanmakuHandler(base):  # type: ignore[misc]
        def __init__(self, feed: BilibiliDanmaku) -> None:
            self.feed = feed

        async def handle(self, client: Any, command: Any) -> None:
            feed = self.feed
            feed.heard()
            try:
                cmd = str(command.get("cmd", "")).partition(":")[0]
                if cmd == "ONLINE_RANK_COUNT":
                    feed.deliver("viewer count", online_to_viewers, command.get("data"))
                elif cmd in ("LIVE", "PREPARING"):
                    log.info("%s: room %s %s", feed.name, feed.room_id,
                             "went live" if cmd == "LIVE" else "stopped streaming; the chat stays open")
                await super().handle(client, command)
            except Exception as e:  # noqa: BLE001 - blivedm's model parsing of a malformed command
                feed.drop("command", f"{e.__class__.__name__}: {e}")

        async def _on_danmaku(self, client: Any, message: Any) -> None:
            self.feed.deliver("danmaku", danmaku_to_chat, message)

        async def _on_super_chat(self, client: Any, message: Any) -> None:
            self.feed.deliver("super chat", superchat_to_chat, message)

        async def _on_gift(self, client: Any, message: Any) -> None:
            self.feed.deliver("gift", gift_to_chat, message)

        async def _on_buy_guard(self, client: Any, message: Any) -> None:
            self.feed.deliver("membership", guard_to_chat, message)

    return DanmakuHandler


async def _joined(client: Any) -> None:
    """Wait for blivedm's loop to end after `stop()` (its `join()` warns when the loop already ended)."""
    if client.is_running:
        await client.join()


# -- the connector ---------------------------------------------------------------------------------

ROOM_ID = Option("room_id", "int", "Room number", required=True, minimum=1, placeholder="123456",
                 help="The number in the room's address, live.bilibili.com/123456 (a short number works "
                      "too).")
SESSDATA = Option("sessdata", "text", "SESSDATA cookie", secret=True, keyring_name="bilibili_sessdata",
                  env_var="STUDIO_BILIBILI_SESSDATA",
                  help="The SESSDATA cookie of a logged-in Bilibili account; without it Bilibili hides who "
                       "sent each danmaku.")
DEAD_AFTER = Option("dead_after", "number", "Reconnect after silence (s)", default="90", minimum=0.1,
                    maximum=3600, advanced=True,
                    help="Reconnect when nothing, not even the 30 s heartbeat reply, arrived for this long.")
NAME = name_option("bilibili")


class BilibiliDanmaku(RoomConnector):
    kind = "bilibili"
    title = "Bilibili danmaku"
    OPTIONS = (ROOM_ID, NAME, SESSDATA, DEAD_AFTER, RETRY, RETRY_CAP)
    missing = f"Bilibili needs the optional blivedm library: {EXTRA}"
    closed = "the danmaku connection ended"

    def __init__(self, settings: dict[str, str]) -> None:
        super().__init__()
        self.room_id = int_value(settings, ROOM_ID) or 0
        self.name = text_value(settings, NAME)
        self.sessdata = secret_value(settings, SESSDATA)
        self.dead_after = number_value(settings, DEAD_AFTER)
        self.backoff = Backoff(first=number_value(settings, RETRY), cap=number_value(settings, RETRY_CAP))
        self.uid: int | None = None if self.sessdata else 0  # the logged-in account, looked up once
        self._login_note = ""
        self._last_heard = 0.0

    def load_library(self) -> Any:
        # blivedm 0.1.1 reads aiohttp's deprecated `ClientSession.loop` when given a session.
        warnings.filterwarnings("ignore", message="client.loop property is deprecated",
                                category=DeprecationWarning)
        blivedm = importlib.import_module("blivedm")
        aiohttp = importlib.import_module("aiohttp")
        return SimpleNamespace(blivedm=blivedm, aiohttp=aiohttp, room_init_url=blivedm.client.ROOM_INIT_URL,
                               Handler=_handler_class(blivedm.BaseHandler))

    def make_client(self, lib: Any, session: Any) -> Any:
        """blivedm's client for the room (tests replace its network part)."""
        return lib.blivedm.BLiveClient(self.room_id, uid=self.uid or 0, session=session, ssl=True)

    def make_session(self, lib: Any) -> Any:
        aiohttp = lib.aiohttp
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT))
        if self.sessdata:
            cookie: SimpleCookie = SimpleCookie()
            cookie["SESSDATA"] = self.sessdata
            cookie["SESSDATA"]["domain"] = "bilibili.com"
            session.cookie_jar.update_cookies(cookie)
        return session

    async def fetch_json(self, session: Any, url: str, params: dict[str, str]) -> Any:
        """GET a Bilibili API answer: 200, at most MAX_BODY bytes of JSON, no redirects; else FeedError."""
        async with session.get(url, params=params, headers={"User-Agent": USER_AGENT},
                               allow_redirects=False) as res:
            if res.status in (412, 429):
                raise FeedError(f"Bilibili is limiting requests (HTTP {res.status})")
            if res.status != 200:
                raise FeedError(f"Bilibili answered HTTP {res.status}")
            chunks, size = [], 0
            async for chunk in res.content.iter_chunked(64 * 1024):
                size += len(chunk)
                if size > MAX_BODY:
                    raise FeedError("Bilibili's answer is too large")
                chunks.append(chunk)
        try:
            return json.loads(b"".join(chunks))
        except (ValueError, RecursionError):
            raise FeedError("Bilibili's answer is not JSON") from None

    async def check_room(self, lib: Any, session: Any) -> None:
        """The room exists (else FeedError FAILED); risk control and server errors back off."""
        body = await self.fetch_json(session, lib.room_init_url, {"room_id": str(self.room_id)})
        code = body.get("code") if isinstance(body, dict) else None
        if not is_int(code):
            raise FeedError("Bilibili sent an unexpected answer about the room")
        if code in RISK_CONTROL:
            raise FeedError(f"Bilibili is limiting requests (code {code})")
        if code < 0:
            raise FeedError(f"Bilibili could not look the room up (code {code})")
        if code != 0:
            said = text_field(body.get("message"), 80)
            raise FeedError(f"Bilibili has no live room {self.room_id}" + (f" ({said})" if said else "")
                            + " — check the room number", fatal=True, state=FeedState.FAILED)
        data = body.get("data")
        info = data.get("room_info") if isinstance(data, dict) else None
        if not isinstance(info, dict) or not is_int(info.get("room_id")) or info["room_id"] <= 0:
            raise FeedError("Bilibili sent an unexpected answer about the room")

    async def login_uid(self, session: Any) -> int:
        """The uid of the SESSDATA's account (0 when Bilibili does not accept it), looked up once."""
        if self.uid is not None:
            return self.uid
        try:
            body = await self.fetch_json(session, NAV_URL, {})
        except Exception as e:  # noqa: BLE001 - a failed look-up only means hidden names
            log.warning("%s: could not check the SESSDATA cookie: %s", self.name, e.__class__.__name__)
            self._login_note = "could not check the SESSDATA cookie: senders' names may be hidden"
            return 0
        data = body.get("data") if isinstance(body, dict) else None
        mid = data.get("mid") if isinstance(data, dict) and data.get("isLogin") is True else None
        if is_int(mid) and 0 < mid < 2**63:
            self.uid, self._login_note = mid, ""
            return mid
        self.uid = 0
        self._login_note = ("Bilibili refused the SESSDATA cookie: senders' names are hidden — open "
                            "Settings → Feeds")
        return 0

    def heard(self) -> None:
        """Something arrived on the connection: it is alive (and, the first time, joined)."""
        self._last_heard = asyncio.get_running_loop().time()
        self.joined(self._login_note)

    async def session(self, lib: Any) -> None:
        session = self.make_session(lib)
        client = None
        try:
            await self.check_room(lib, session)
            await self.login_uid(session)
            client = self.make_client(lib, session)
            client.add_handler(lib.Handler(self))
            if not await client.init_room():
                raise FeedError("Bilibili gave no danmaku server for the room; retrying")
            loop = asyncio.get_running_loop()
            self._last_heard = loop.time()
            client.start()
            while client.is_running:
                await asyncio.sleep(WATCH_EVERY)
                silent = loop.time() - self._last_heard
                if silent > self.dead_after:
                    raise FeedError(f"no data from Bilibili for {silent:.0f} s; reconnecting")
        finally:
            if client is not None and client.is_running:
                client.stop()
                await self.quietly(_joined(client), "stopping blivedm")
            await self.quietly(session.close(), "closing the HTTP session")

    def describe(self, lib: Any, exc: Exception) -> FeedError:
        aiohttp = lib.aiohttp
        if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
            return FeedError("Bilibili did not answer in time")
        if isinstance(exc, (aiohttp.ClientError, OSError)):
            return FeedError(f"network error: {exc.__class__.__name__}")
        return FeedError(f"unexpected error from blivedm ({exc.__class__.__name__})")
