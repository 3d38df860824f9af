"""Bilibili danmaku through blivedm 0.1.1, tested where the connector plugs in: Bilibili's commands, shaped
like the real DANMU_MSG / SEND_GIFT / SUPER_CHAT_MESSAGE / GUARD_BUY / ONLINE_RANK_COUNT, go through
blivedm's own packet parser (16-byte headers, brotli batches) and `BaseHandler.handle` dispatch into the
connector's handler. Only blivedm's websocket reader and the two HTTP look-ups are scripted: nothing
here reaches Bilibili."""

from __future__ import annotations

import asyncio
import json
import math
import sys
import threading
import time
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studio.live.connectors import build_feed, check_feed_options
from studio.live.connectors.base import FeedError
from studio.live.connectors.bilibili import (
    BilibiliDanmaku,
    danmaku_to_chat,
    gift_to_chat,
    superchat_to_chat,
)
from studio.live.connectors.rooms import MAX_TEXT, MIN_WAIT
from studio.live.events import ChatMessage, ConnectorState, FeedState, ViewerCount

blivedm = pytest.importorskip("blivedm")
brotli = pytest.importorskip("brotli")
from blivedm import models  # noqa: E402
from blivedm.client import HEADER_STRUCT, Operation, ProtoVer  # noqa: E402

T0 = 1893463200  # 2030-01-01T02:00:00Z
ROOM = 21396545


@pytest.fixture(autouse=True)
def _no_keyring(monkeypatch):
    import keyring

    monkeypatch.setattr(keyring, "get_password", lambda service, name: None)
    monkeypatch.delenv("STUDIO_BILIBILI_SESSDATA", raising=False)


# -- Bilibili's commands, shaped like the real ones ---------------------------------------------------

def danmu(text: str, uname: str = "小美", uid: int = 24342153, ms: int = T0 * 1000 + 123,
          id_str: str | None = None) -> dict[str, Any]:
    extra = {"send_from_me": False, "mode": 0, "color": 16777215, "dm_type": 0, "font_size": 25,
             "player_mode": 1, "show_player_type": 0, "content": text, "user_hash": "3232362304",
             "emoticon_unique": "", "bulge_display": 0, "recommend_score": 3, "direction": 0}
    if id_str is not None:
        extra["id_str"] = id_str
    mode_info = {"mode": 0, "show_player_type": 0, "extra": json.dumps(extra, ensure_ascii=False),
                 "user": {"uid": uid, "base": {"name": uname, "face": "https://i0.hdslb.com/bfs/face/x.jpg",
                                               "is_mystery": False, "name_color": 0},
                          "medal": None, "wealth": {"level": 3}}}
    info = [
        [0, 1, 25, 16777215, ms, 1893462000, 0, "c0a9ef40", 0, 0, 0, "", 0, "{}", "{}", mode_info,
         {"activity_identity": "", "activity_source": 0, "not_show": 0}, 0],
        text,
        [uid, uname, 0, 0, 0, 10000, 1, ""],
        [12, "茶友", "茶艺小店", ROOM, 6067854, "", 0, 6067854, 6067854, 6067854, 0, 1, 19288025],
        [16, 0, 9868950, ">50000", 0],
        ["", ""], 0, 0, None, {"ts": T0, "ct": "E22EEA8"}, 0, 0, None, None, 0, 105, [3], None,
    ]
    return {"cmd": "DANMU_MSG", "info": info, "dm_v2": ""}


def send_gift(name: str, num: int, price: int, coin_type: str = "gold", tid: str = "1893463200121200001",
              uname: str = "老王") -> dict[str, Any]:
    return {"cmd": "SEND_GIFT", "data": {
        "action": "投喂", "batch_combo_id": "", "coin_type": coin_type, "discount_price": price,
        "face": "https://i0.hdslb.com/bfs/face/y.jpg", "giftId": 31036, "giftName": name, "giftType": 0,
        "guard_level": 0, "is_first": True, "medal_info": {"medal_level": 0, "medal_name": ""}, "num": num,
        "price": price, "rcost": 2937395, "rnd": tid, "super_gift_num": num, "tid": tid, "timestamp": T0 + 1,
        "total_coin": price * num, "uid": 11223344, "uname": uname}}


def super_chat(message: str, price: Any, sc_id: int = 7777001, uname: str = "小美") -> dict[str, Any]:
    return {"cmd": "SUPER_CHAT_MESSAGE", "roomid": ROOM, "data": {
        "background_bottom_color": "#2A60B2", "background_color": "#EDF5FF", "background_icon": "",
        "background_image": "https://i0.hdslb.com/bfs/live/sc.png", "background_price_color": "#7497CD",
        "end_time": T0 + 62, "gift": {"gift_id": 12000, "gift_name": "醒目留言", "num": 1}, "id": sc_id,
        "message": message, "message_trans": "", "price": price, "rate": 1000, "start_time": T0 + 2,
        "time": 60, "token": "ABCDEF12", "ts": T0 + 2, "uid": 24342153,
        "user_info": {"face": "https://i0.hdslb.com/bfs/face/x.jpg", "guard_level": 0, "uname": uname,
                      "user_level": 12, "is_vip": 0, "manager": 0}}}


GUARD_BUY = {"cmd": "GUARD_BUY", "data": {"uid": 24342153, "username": "小美", "guard_level": 3, "num": 1,
                                           "price": 198000, "gift_id": 10003, "gift_name": "舰长",
                                           "start_time": T0 + 3, "end_time": T0 + 3}}
ONLINE = {"cmd": "ONLINE_RANK_COUNT", "data": {"count": 1112, "count_text": "1112", "online_count": 1395,
                                               "online_count_text": "1395"}}


# -- blivedm's wire format: 16-byte header, then the body ------------------------------------------------

def packet(body: bytes, operation: int = Operation.SEND_MSG_REPLY, ver: int = ProtoVer.NORMAL) -> bytes:
    return HEADER_STRUCT.pack(HEADER_STRUCT.size + len(body), HEADER_STRUCT.size, ver, operation, 1) + body


def command(obj: dict[str, Any]) -> bytes:
    return packet(json.dumps(obj, ensure_ascii=False).encode())


def batch(*objs: dict[str, Any]) -> bytes:
    """Several commands in one brotli packet, as Bilibili sends them (protover 3)."""
    return packet(brotli.compress(b"".join(command(o) for o in objs)), ver=ProtoVer.BROTLI)


def heartbeat_reply(popularity: int = 1) -> bytes:
    return packet(popularity.to_bytes(4, "big"), operation=Operation.HEARTBEAT_REPLY, ver=ProtoVer.HEARTBEAT)


class ScriptedClient(blivedm.BLiveClient):
    """blivedm's client with its websocket reader replaced: the scripted packets go through blivedm's
    own `_parse_ws_message` (and so its brotli decoding and `_handle_command` dispatch); then the
    connection stays open ("hang"), or blivedm's loop gives up ("give up", as after a refused auth)."""

    def __init__(self, room_id: int, *, packets: list[bytes], init_ok: bool, after: str, **kw: Any) -> None:
        super().__init__(room_id, **kw)
        self.packets, self.init_ok, self.after = packets, init_ok, after

    async def init_room(self) -> bool:
        if not self.init_ok:
            return False
        self._room_id, self._room_short_id, self._room_owner_uid = self._tmp_room_id, 0, 1
        self._host_server_list = [{"host": "127.0.0.1", "port": 9, "wss_port": 9, "ws_port": 9}]
        self._host_server_token = "token"
        return True

    async def _network_coroutine(self) -> None:
        for p in self.packets:
            await self._parse_ws_message(p)
        if self.after == "give up":
            raise blivedm.client.InitError("init_room() failed")
        await asyncio.Event().wait()


ROOM_OK = {"code": 0, "message": "0", "data": {"room_info": {"room_id": ROOM, "short_id": 0, "uid": 1,
                                                              "live_status": 1}}}


class Script:
    def __init__(self, packets: list[bytes] | None = None, *, room: Any = ROOM_OK, nav: Any = None,
                 init_ok: bool = True, after: str = "hang") -> None:
        self.packets, self.room, self.nav, self.init_ok, self.after = packets or [], room, nav, init_ok, after


class ScriptedBilibili(BilibiliDanmaku):
    """The real connector; the HTTP answers and blivedm's reader come from the scripts (one per session,
    the last one repeats)."""

    def __init__(self, settings: dict[str, str], *scripts: Script) -> None:
        super().__init__(settings)
        self.scripts = list(scripts)
        self.script = scripts[0]
        self.clients: list[Any] = []
        self.sessions: list[Any] = []
        self.asked: list[str] = []

    async def session(self, lib: Any) -> None:
        self.script = self.scripts.pop(0) if len(self.scripts) > 1 else self.scripts[0]
        await super().session(lib)

    def make_session(self, lib: Any) -> Any:
        session = super().make_session(lib)
        self.sessions.append(session)
        return session

    async def fetch_json(self, session: Any, url: str, params: dict[str, str]) -> Any:
        self.asked.append(url)
        answer = self.script.nav if "nav" in url else self.script.room
        if isinstance(answer, Exception):
            raise answer
        return answer

    def make_client(self, lib: Any, session: Any) -> Any:
        s = self.script
        client = ScriptedClient(self.room_id, uid=self.uid or 0, session=session, ssl=True,
                                packets=s.packets, init_ok=s.init_ok, after=s.after)
        self.clients.append(client)
        return client


def feed(*scripts: Script, **options: str) -> ScriptedBilibili:
    return ScriptedBilibili({"room_id": str(ROOM), "retry": "0.5", **options}, *scripts)


def run_until(connector: Any, done: Any, timeout: float = 3.0) -> list[Any]:
    events: list[Any] = []
    stop = threading.Event()
    thread = threading.Thread(target=connector.run, args=(events.append, stop), daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not done(events) and thread.is_alive():
        time.sleep(0.01)
    assert done(events), f"gave up waiting; got {events}"
    stop.set()
    connector.close()
    thread.join(3.0)
    assert not thread.is_alive(), "run() did not return"
    return events


def states(events: list[Any]) -> list[str]:
    return [e.state for e in events if isinstance(e, ConnectorState)]


def has_state(state: str, n: int = 1) -> Any:
    return lambda events: states(events).count(state) >= n


def of(kind: type, events: list[Any]) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]


# -- what arrives --------------------------------------------------------------------------------------

def test_danmaku_gifts_super_chats_and_viewers_through_blivedms_parser_and_dispatch():
    script = Script([
        heartbeat_reply(1),
        command(danmu("这个龙井多少钱？", id_str="6a9f3c0e7b")),
        batch(danmu("包邮吗", uname="阿强", ms=T0 * 1000 + 900), send_gift("小花花", 10, 100),
              send_gift("辣条", 5, 100, coin_type="silver", tid="1893463200121200002")),
        batch(super_chat("龙井还有货吗？", 30), GUARD_BUY, ONLINE),
    ])
    connector = feed(script)
    events = run_until(connector, lambda ev: len(of(ViewerCount, ev)) == 1)
    assert states(events)[:2] == [FeedState.CONNECTING, FeedState.CONNECTED]
    lines = [(m.id, m.kind, m.author, m.text, m.at, m.amount, m.currency) for m in of(ChatMessage, events)]
    assert lines[:2] == [("dm:6a9f3c0e7b", "text", "小美", "这个龙井多少钱？", T0 + 0.123, None, None),
                         (lines[1][0], "text", "阿强", "包邮吗", T0 + 0.9, None, None)]
    assert lines[1][0].startswith("dm:h")  # no id_str: a digest of the danmaku
    assert lines[2:] == [
        ("gift:1893463200121200001", "gift", "老王", "sent 小花花 ×10", T0 + 1, Decimal("1.00"), "CNY"),
        ("gift:1893463200121200002", "gift", "老王", "sent 辣条 ×5", T0 + 1, None, None),  # silver: free
        ("sc:7777001", "superchat", "小美", "龙井还有货吗？", T0 + 2, Decimal("30.00"), "CNY"),
        (lines[5][0], "gift", "小美", "sent 舰长 ×1", T0 + 3, Decimal("198.00"), "CNY"),
    ]
    assert of(ViewerCount, events)[0].count == 1395 and of(ViewerCount, events)[0].source == "bilibili"
    assert connector.asked == [blivedm.client.ROOM_INIT_URL]  # no SESSDATA: no account look-up
    assert connector.clients[0]._ssl is True and connector.dropped == 0


def test_the_heartbeat_popularity_is_not_a_viewer_count():
    events = run_until(feed(Script([heartbeat_reply(123456), command(danmu("hi"))])),
                       lambda ev: len(of(ChatMessage, ev)) == 1)
    assert of(ViewerCount, events) == [] and FeedState.CONNECTED in states(events)


# -- hostile or broken commands ---------------------------------------------------------------------------

def handle(connector: BilibiliDanmaku, *commands: Any) -> list[Any]:
    """Commands straight into the connector's BaseHandler subclass, as blivedm's `_handle_command` calls
    it."""
    out: list[Any] = []
    connector._emit = out.append
    handler = connector.load_library().Handler(connector)

    async def go() -> None:
        for c in commands:
            await handler.handle(SimpleNamespace(room_id=ROOM), c)

    asyncio.run(go())
    return [e for e in out if not isinstance(e, ConnectorState)]


def test_malformed_commands_are_dropped_without_an_exception():
    connector = BilibiliDanmaku({"room_id": str(ROOM)})
    short_danmu = {"cmd": "DANMU_MSG", "info": [[0, 1, 25], "too short"]}
    sc_without_user = super_chat("x", 30)
    del sc_without_user["data"]["user_info"]
    out = handle(connector, short_danmu, sc_without_user, send_gift("小花花", -1, 100),
                 {"cmd": "ONLINE_RANK_COUNT", "data": {"online_count": -3}}, ["not", "a", "dict"],
                 {"cmd": "SOMETHING_NEW", "data": {}}, danmu("ok"))
    assert [m.text for m in out] == ["ok"]
    assert connector.dropped == 5  # the short danmaku, the SC, the gift, the count, the non-dict


@pytest.mark.parametrize(("price", "amount"), [(30, Decimal("30.00")), ("50", Decimal("50.00")),
                                               (9.995, Decimal("10.00")), (math.nan, None), (math.inf, None),
                                               (-5, None), (10**30, None), ("lots", None), (None, None)])
def test_a_super_chat_price_is_money_only_when_it_is_sane(price, amount):
    [msg] = handle(BilibiliDanmaku({"room_id": str(ROOM)}), super_chat("谢谢", price))
    assert (msg.kind, msg.text, msg.amount, msg.currency) == (
        "superchat", "谢谢", amount, "CNY" if amount is not None else None)


def test_huge_text_and_names_with_escapes_are_plain_and_bounded():
    hostile = "\x1b[2J\x1b[31m" + "刷屏" * 50_000
    name = "\x1b]0;pwned\x07" + "名" * 500
    [msg] = handle(BilibiliDanmaku({"room_id": str(ROOM)}), danmu(hostile, uname=name))
    assert len(msg.text) == MAX_TEXT and msg.text.startswith("[2J [31m刷屏") and msg.text.endswith("…")
    assert len(msg.author) <= 64 and "\x1b" not in msg.author and "\x07" not in msg.author


def test_a_danmaku_replayed_gets_the_same_id_and_a_different_one_does_not():
    a, b, c = (danmaku_to_chat(models.DanmakuMessage.from_command(danmu(t)["info"]), "bilibili")
               for t in ("同一条", "同一条", "另一条"))
    assert a.id == b.id != c.id


def test_a_gift_of_nothing_or_too_much_is_refused():
    for num in (0, -2, 10**9):
        with pytest.raises(ValueError):
            gift_to_chat(models.GiftMessage.from_command(send_gift("小花花", num, 100)["data"]), "bilibili")


@settings(max_examples=80, deadline=None)
@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
                 st.decimals(allow_nan=True)),
       st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=12)))
def test_any_price_count_or_time_gives_an_event_or_a_value_error(value, stamp):
    gift = SimpleNamespace(num=value, gift_name=value, uname=value, timestamp=stamp, coin_type="gold",
                           total_coin=value, tid=stamp, rnd=None)
    sc = SimpleNamespace(price=value, message=value, uname=value, start_time=stamp, id=stamp)
    dm = SimpleNamespace(msg=value, uname=value, timestamp=stamp, mode_info=value, uid_crc32=value, rnd=value)
    for parse, obj in ((gift_to_chat, gift), (superchat_to_chat, sc), (danmaku_to_chat, dm)):
        try:
            msg = parse(obj, "bilibili")
        except ValueError:
            continue
        if msg is None:
            continue
        assert msg.id and len(msg.text) <= MAX_TEXT and 0 <= msg.at <= 253402300799
        if msg.amount is not None:
            assert msg.amount.is_finite() and msg.amount >= 0
            assert msg.amount == msg.amount.quantize(Decimal("0.01"))


# -- connection states -------------------------------------------------------------------------------------

def test_a_room_bilibili_does_not_know_is_failed_without_connecting():
    connector = feed(Script(room={"code": 60004, "message": "直播间不存在", "data": None}))
    events = run_until(connector, has_state(FeedState.STOPPED))
    assert states(events) == [FeedState.CONNECTING, FeedState.FAILED, FeedState.STOPPED]
    assert of(ConnectorState, events)[1].message == (
        f"Bilibili has no live room {ROOM} (直播间不存在) — check the room number")
    assert connector.clients == [] and connector.sessions[0].closed


UNEXPECTED = "Bilibili sent an unexpected answer about the room"


@pytest.mark.parametrize(("room", "message"), [
    ({"code": -352, "message": "-352", "data": None}, "Bilibili is limiting requests (code -352)"),
    ({"code": -500, "message": "服务器错误"}, "Bilibili could not look the room up (code -500)"),
    ({"code": 0, "data": {"room_info": {"room_id": -1}}}, UNEXPECTED),
    ("<html>", UNEXPECTED),
    (FeedError("Bilibili is limiting requests (HTTP 412)"), "Bilibili is limiting requests (HTTP 412)"),
    (OSError("unreachable"), "network error: OSError"),
])
def test_risk_control_server_and_network_errors_back_off(room, message):
    events = run_until(feed(Script(room=room), retry_cap="20"), has_state(FeedState.BACKOFF))
    backoff = of(ConnectorState, events)[1]
    assert (backoff.state, backoff.message) == (FeedState.BACKOFF, message)
    assert MIN_WAIT <= backoff.retry_in <= 20


def test_no_danmaku_server_backs_off():
    events = run_until(feed(Script(init_ok=False)), has_state(FeedState.BACKOFF))
    assert of(ConnectorState, events)[1].message == "Bilibili gave no danmaku server for the room; retrying"


def test_blivedm_giving_up_reconnects_with_backoff():
    gave_up = Script([heartbeat_reply(), command(danmu("一"))], after="give up")
    again = Script([heartbeat_reply(), command(danmu("二"))])
    connector = feed(gave_up, again)
    events = run_until(connector, has_state(FeedState.RECONNECTED))
    assert states(events) == [FeedState.CONNECTING, FeedState.CONNECTED, FeedState.BACKOFF,
                              FeedState.RECONNECTED, FeedState.STOPPED]
    backoff = of(ConnectorState, events)[2]
    assert backoff.message == "the danmaku connection ended" and MIN_WAIT <= backoff.retry_in <= 1.0
    assert [m.text for m in of(ChatMessage, events)] == ["一", "二"]
    assert all(s.closed for s in connector.sessions[:1])  # the first session's HTTP session was closed


def test_silence_longer_than_dead_after_reconnects():
    events = run_until(feed(Script([heartbeat_reply()]), dead_after="0.3"), has_state(FeedState.BACKOFF),
                       timeout=2)
    assert of(ConnectorState, events)[2].message.startswith("no data from Bilibili for ")


@pytest.mark.parametrize("how", ["stop", "close"])
def test_run_ends_within_a_second_when_stopped(how):
    connector = feed(Script([heartbeat_reply()]))
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
    assert not connector.clients[0].is_running and connector.sessions[0].closed


def test_a_cancelled_session_stops_blivedm_before_closing_its_http_session():
    connector = feed(Script([heartbeat_reply()]))
    connector._emit = lambda event: None
    lib = connector.load_library()

    async def go() -> None:
        session = asyncio.ensure_future(connector.session(lib))
        while not connector.clients or not connector._joined:
            await asyncio.sleep(0.01)
        session.cancel()
        await asyncio.wait({session}, timeout=1)
        # still inside the loop: nothing else has cancelled blivedm's task for us
        assert not connector.clients[0].is_running and connector.sessions[0].closed

    asyncio.run(go())


def test_without_the_library_the_feed_fails_with_one_line(monkeypatch):
    for name in [m for m in sys.modules if m == "blivedm" or m.startswith("blivedm.")]:
        monkeypatch.setitem(sys.modules, name, None)
    events: list[Any] = []
    BilibiliDanmaku({"room_id": "6"}).run(events.append, threading.Event())
    assert [(e.state, e.message) for e in events] == [
        (FeedState.FAILED, "Bilibili needs the optional blivedm library: pip install 'anchor-studio[rooms]'"),
        (FeedState.STOPPED, "")]
    assert check_feed_options("bilibili", {"room_id": "6"}) == []  # pure: no library needed


def test_bilibili_answers_are_taken_only_as_small_json_200s():
    """`fetch_json` against a real HTTP server on a loopback port (aiohttp's own)."""
    from aiohttp import web

    async def answer(request: Any) -> Any:
        kind = request.query["kind"]
        if kind == "ok":
            return web.json_response({"code": 0, "echo": request.query.get("room_id")})
        if kind == "big":
            return web.Response(body=b"[" + b"0," * 600_000 + b"0]", content_type="application/json")
        if kind == "redirect":
            raise web.HTTPFound("https://evil.example/")
        if kind == "html":
            return web.Response(text="<html>502</html>", content_type="text/html")
        return web.Response(status=int(kind))

    async def go() -> list[Any]:
        app = web.Application()
        app.router.add_get("/x", answer)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        connector = BilibiliDanmaku({"room_id": "6"})
        session = connector.make_session(connector.load_library())
        out: list[Any] = []
        try:
            for kind in ("ok", "big", "redirect", "html", "412", "500"):
                try:
                    out.append(await connector.fetch_json(session, f"http://127.0.0.1:{port}/x",
                                                          {"kind": kind, "room_id": "6"}))
                except FeedError as e:
                    out.append(str(e))
        finally:
            await session.close()
            await runner.cleanup()
        return out

    assert asyncio.run(go()) == [
        {"code": 0, "echo": "6"}, "Bilibili's answer is too large", "Bilibili answered HTTP 302",
        "Bilibili's answer is not JSON", "Bilibili is limiting requests (HTTP 412)",
        "Bilibili answered HTTP 500"]


# -- SESSDATA ----------------------------------------------------------------------------------------------

def test_with_sessdata_the_cookie_goes_along_and_the_accounts_uid_authenticates():
    connector = feed(Script([heartbeat_reply()], nav={"code": 0, "data": {"isLogin": True, "mid": 987654}}),
                     sessdata="sessdata-unit-test%2C1893463200%2Cabc")
    events = run_until(connector, has_state(FeedState.CONNECTED))
    assert connector.asked == [blivedm.client.ROOM_INIT_URL, "https://api.bilibili.com/x/web-interface/nav"]
    assert connector.clients[0]._uid == 987654 and of(ConnectorState, events)[1].message == ""
    jar = {c.key: c.value for c in connector.sessions[0].cookie_jar}
    assert jar == {"SESSDATA": "sessdata-unit-test%2C1893463200%2Cabc"}


def test_a_refused_sessdata_still_connects_and_says_names_are_hidden():
    connector = feed(Script([heartbeat_reply()], nav={"code": -101, "message": "账号未登录"}),
                     sessdata="sessdata-unit-test-expired")
    events = run_until(connector, has_state(FeedState.CONNECTED))
    assert connector.clients[0]._uid == 0
    assert of(ConnectorState, events)[1].message == (
        "Bilibili refused the SESSDATA cookie: senders' names are hidden — open Settings → Feeds")


# -- options ---------------------------------------------------------------------------------------------

def test_bad_room_numbers_are_named_with_what_to_write():
    hint = "write e.g. room_id=123456"
    for bad in ("abc", "0", "-5", "live.bilibili.com/6", "1.5"):
        assert check_feed_options("bilibili", {"room_id": bad}) == [
            f"room_id={bad!r} must be a whole number of at least 1 — {hint}"]
    assert check_feed_options("bilibili", {}) == [
        ("'room_id' is required: write room_id=123456 — the number in the room's address, "
         "live.bilibili.com/123456 (a short number works too)")]
    assert check_feed_options("bilibili", {"room_id": "6", "sessdata": "literal-cookie-in-a-profile"}) == [
        ("sessdata must be a reference, not the secret itself — store it in Settings → Feeds (the keyring) "
         "and write sessdata=${keyring:bilibili_sessdata} or sessdata=${STUDIO_BILIBILI_SESSDATA}")]


def test_the_defaults_are_what_the_connector_uses():
    c = build_feed("bilibili", {"room_id": "6"})
    assert (c.room_id, c.name, c.dead_after, c.backoff.first, c.backoff.cap, c.sessdata, c.uid) == (
        6, "bilibili", 90.0, 1.0, 60.0, None, 0)
    assert c.unofficial and c.kind == "bilibili"
