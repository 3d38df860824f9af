"""Every connector's parsers, fed anything a platform (or a broken proxy) might send: a typed event,
None for "nothing to show", or a ValueError / FeedError / UserError with the reason — never another
exception. Whole responses go through the real `poll()` over an in-memory HTTP transport."""

from __future__ import annotations

import contextlib
import json
import threading

import httpx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from studio.core.errors import UserError
from studio.live.connectors import build
from studio.live.connectors.base import (
    FeedError,
    parse_feed_spec,
    parse_retry_after,
    parse_time,
)
from studio.live.connectors.generic import GenericFeed, parse_event
from studio.live.connectors.shopify import ShopifyOrders, parse_call_limit, parse_link_next, parse_order
from studio.live.connectors.twitch import parse_line, privmsg_to_chat
from studio.live.connectors.youtube import YouTubeChat, parse_message
from studio.live.events import ChatMessage, Order, ViewerCount

from .strategies import SCALAR, TEXT, json_values, objects

FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

EVENT_KEYS = ["type", "id", "author", "text", "at", "amount", "currency", "created_at", "items", "total",
              "count", "sku", "qty", "price", "title"]
TYPES = st.sampled_from(["chat", "order", "viewers", "gift", None, 1, ["chat"]])
YT_KEYS = ["id", "snippet", "authorDetails", "type", "publishedAt", "displayMessage", "textMessageDetails",
           "messageText", "superChatDetails", "superStickerDetails", "amountMicros", "currency",
           "userComment", "superStickerMetadata", "altText", "displayName"]
SHOP_KEYS = ["id", "cancelled_at", "currency", "total_price", "line_items", "quantity", "price", "sku",
             "title", "name", "created_at"]


def _finite_time(t: float) -> None:
    assert 0 <= t <= 253402300799


@FUZZ
@given(objects(EVENT_KEYS), TYPES)
def test_generic_event_is_typed_or_a_value_error(obj, etype):
    obj["type"] = etype
    try:
        ev = parse_event(obj, "g")
    except ValueError as e:
        assert str(e)
        return
    assert isinstance(ev, (ChatMessage, Order, ViewerCount))
    _finite_time(ev.created_at if isinstance(ev, Order) else ev.at)
    if isinstance(ev, Order):
        assert ev.total.is_finite() and all(i.price.is_finite() for i in ev.items)


@FUZZ
@given(json_values(YT_KEYS))
def test_youtube_message_is_chat_none_or_nothing_else(item):
    msg = parse_message(item)
    assert msg is None or isinstance(msg, ChatMessage)
    if msg is not None and msg.amount is not None:
        assert msg.amount.is_finite()


@FUZZ
@given(objects(SHOP_KEYS), st.lists(objects(SHOP_KEYS), max_size=3))
def test_shopify_order_is_an_order_none_or_a_value_error(raw, items):
    raw["line_items"] = items
    try:
        order = parse_order(raw)
    except ValueError:
        return
    assert order is None or (order.total.is_finite() and all(i.price.is_finite() for i in order.items))


@FUZZ
@given(st.text(max_size=300))
def test_irc_line_parses_and_privmsg_never_raises(line):
    tags, prefix, _cmd, params = parse_line(line)
    msg = privmsg_to_chat(tags, prefix, params, "twitch")
    assert msg is None or isinstance(msg, ChatMessage)


@FUZZ
@given(st.sampled_from(["", "9" * 400, "-5", "abc", "1e30"]), TEXT)
def test_privmsg_with_hostile_tags(ts, text):
    line = f"@id=x;tmi-sent-ts={ts};display-name=Vi :u!u@u PRIVMSG #c :{text}"
    tags, prefix, _, params = parse_line(line.replace("\n", " ").replace("\r", " "))
    msg = privmsg_to_chat(tags, prefix, params, "twitch")
    assert msg is not None and 0 <= msg.at <= 253402300799


@FUZZ
@given(st.one_of(SCALAR, st.text(max_size=60)))
def test_header_and_time_helpers_never_raise_unexpectedly(value):
    s = value if isinstance(value, str) else str(value)
    parse_retry_after(s)
    parse_link_next(s)
    parse_call_limit(s)
    with contextlib.suppress(ValueError):
        _finite_time(parse_time(value))


@FUZZ
@given(st.sampled_from(["demo", "youtube", "shopify", "twitch", "generic", "nope", ""]),
       st.dictionaries(st.sampled_from(["url", "interval", "retry", "retry_cap", "mode", "api_base", "limit",
                                        "since", "since_id", "rate", "seed", "channel", "shop",
                                        "live_chat_id", "idle_ping", "min_interval", "version", "lookback"]),
                       st.one_of(TEXT, st.sampled_from(["nan", "inf", "-1", "0.05", "http://[::1", "https://h:99999",
                                                        "ircs://h:0", "5"])), max_size=5))
def test_feed_spec_builds_or_names_the_problem(monkeypatch_env, kind, opts):
    spec = kind + (":" + ",".join(f"{k}={v}" for k, v in opts.items()) if opts else "")
    try:
        parse_feed_spec(spec)
        build(spec)
    except UserError as e:
        assert str(e)


# -- whole responses through poll() ---------------------------------------------------------------

BODIES = st.one_of(
    json_values(EVENT_KEYS + ["events", "cursor", "poll_after_ms", "items", "nextPageToken",
                              "pollingIntervalMillis", "offlineAt", "orders"]
                ).map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
    st.sampled_from([b"", b"<html>502</html>", b"{", b"[" * 5000 + b"]" * 5000, b'{"events": 5}',
                     b'{"orders": {}}']),
)
STATUS = st.sampled_from([200, 200, 200, 204, 301, 400, 401, 403, 404, 429, 500, 503])
CTYPES = st.sampled_from(["application/json", "text/html", "", "application/json; charset=utf-8",
                          "text/event-stream"])


def _poll(connector, status: int, body: bytes, ctype: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": ctype} if ctype else {}
        return httpx.Response(status, content=body, headers={**headers, "Retry-After": "abc"})

    connector.client = httpx.Client(transport=httpx.MockTransport(handler))
    connector._emit = lambda e: None
    connector._stop = threading.Event()
    try:
        wait = connector.poll()
        assert 0 <= wait <= 3600
    except FeedError as e:
        assert str(e)
    finally:
        connector.client.close()


@FUZZ
@given(STATUS, BODIES, CTYPES)
def test_generic_poll_survives_any_response(status, body, ctype):
    _poll(GenericFeed({"url": "http://bridge.test/feed"}), status, body, ctype)


SSE_LINES = st.sampled_from(["", ": keepalive", "id: 4", "retry: x", "retry: 99999999999999999999", "data: {",
                             'data: {"events": 3}', 'data: {"events": "ab"}'])


@FUZZ
@given(STATUS, st.one_of(BODIES, st.lists(st.one_of(
    st.text(max_size=40).map(lambda t: "data: " + t), SSE_LINES,
    st.text(max_size=30)), max_size=12).map(lambda ls: "\n".join(ls).encode("utf-8", "replace"))))
def test_generic_sse_survives_any_stream(status, body):
    _poll(GenericFeed({"url": "http://bridge.test/s", "mode": "sse"}), status, body, "text/event-stream")


@FUZZ
@given(STATUS, BODIES, CTYPES)
@example(200, b'{"pollingIntervalMillis": 1' + b"0" * 400 + b"}", "application/json")  # found: OverflowError
def test_youtube_poll_survives_any_response(monkeypatch_env, status, body, ctype):
    chat = YouTubeChat({"live_chat_id": "C", "api_base": "http://yt.test", "video_id": "V"})
    _poll(chat, status, body, ctype)


@FUZZ
@given(STATUS, BODIES, CTYPES)
def test_shopify_poll_survives_any_response(monkeypatch_env, status, body, ctype):
    _poll(ShopifyOrders({"shop": "s", "api_base": "http://shop.test"}), status, body, ctype)
