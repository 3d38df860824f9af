"""Generic feed: chat, order and viewer events in a documented JSON schema (docs/feed.md), read from
any HTTP endpoint by polling or as Server-Sent Events. This is how a platform bridge (Douyin, Taobao,
TikTok Shop tools…) feeds the studio.

Poll mode: `GET url[?cursor=C]` → `{"events": [...], "cursor": "C2", "poll_after_ms": 2000}` (a bare
list of events is accepted too). SSE mode (`mode=sse`): `GET url` with `Accept: text/event-stream`;
each `data:` block is one event object or an envelope; `id:` is sent back as `Last-Event-ID` when the
stream is reopened, `retry:` sets the reopen delay. Numbers are parsed as Decimal, so `"total": 19.99`
is as exact as `"19.99"`. A bad event is skipped (and logged); a bad body is an error and a backoff.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from studio.core.errors import UserError
from studio.core.http import make_client
from studio.core.log import get_logger
from studio.live.connectors.base import (
    FeedError,
    PollingConnector,
    api_base_problem,
    checked_api_base,
    json_body,
    parse_time,
    token_rejected,
)
from studio.live.connectors.options import (
    RETRY,
    RETRY_CAP,
    Option,
    name_option,
    number_value,
    secret_value,
    text_value,
)
from studio.live.events import FAILED, ChatMessage, LineItem, Order, ViewerCount

log = get_logger("live.generic")

_CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_SSE_EVENT = 1024 * 1024
MAX_RETRY_MS = 60_000  # an SSE `retry:` longer than the backoff cap would stall the feed
MAX_MONEY_DIGITS = 15  # no order is worth 10^16 of any currency; bigger would overflow sums


def _money(v: Any, what: str) -> Decimal:
    if isinstance(v, bool) or not isinstance(v, (str, int, Decimal)):
        raise ValueError(f"{what} must be a decimal string or number")
    try:
        d = Decimal(str(v).strip())
    except InvalidOperation:
        raise ValueError(f"{what} is not a number") from None
    if not d.is_finite():
        raise ValueError(f"{what} is not finite")
    if d and d.adjusted() > MAX_MONEY_DIGITS:
        raise ValueError(f"{what} is too large")
    return d


def _text(v: Any, what: str, required: bool = True) -> str:
    if v is None and not required:
        return ""
    if isinstance(v, (int, Decimal)) and not isinstance(v, bool):
        return str(v)
    if not isinstance(v, str) or (required and not v):
        raise ValueError(f"{what} must be a non-empty string")
    return v


def parse_event(obj: Any, source: str) -> ChatMessage | Order | ViewerCount:
    """One event of the generic schema → a typed event. Raises ValueError with the reason."""
    if not isinstance(obj, dict):
        raise ValueError("event is not an object")
    etype = obj.get("type")
    if etype == "chat":
        amount = obj.get("amount")
        currency = obj.get("currency")
        if amount is not None and (not isinstance(currency, str) or not _CURRENCY.match(currency)):
            raise ValueError("a paid chat needs a 3-letter currency")
        return ChatMessage(source=source, id=_text(obj.get("id"), "id", required=False),
                           author=_text(obj.get("author"), "author", required=False),
                           text=_text(obj.get("text"), "text"),
                           at=parse_time(obj["at"]) if "at" in obj else time.time(),
                           kind="superchat" if amount is not None else "text",
                           amount=_money(amount, "amount") if amount is not None else None,
                           currency=currency if amount is not None else None)
    if etype == "order":
        currency = obj.get("currency")
        if not isinstance(currency, str) or not _CURRENCY.match(currency):
            raise ValueError("order currency must be a 3-letter ISO code")
        raw_items = obj.get("items", [])
        if not isinstance(raw_items, list):
            raise ValueError("order items must be a list")
        items = []
        for it in raw_items:
            if not isinstance(it, dict):
                raise ValueError("order item is not an object")
            qty = it.get("qty", 1)
            if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
                raise ValueError("item qty must be a non-negative integer")
            items.append(LineItem(sku=_text(it.get("sku"), "sku", required=False), qty=qty,
                                  price=_money(it.get("price"), "item price"),
                                  title=_text(it.get("title"), "title", required=False)))
        total = (_money(obj["total"], "total") if "total" in obj
                 else sum((i.price * i.qty for i in items), Decimal(0)))
        return Order(source=source, id=_text(obj.get("id"), "order id"),
                     created_at=parse_time(obj.get("created_at")),
                     currency=currency, items=tuple(items), total=total)
    if etype == "viewers":
        count = obj.get("count")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError("viewers count must be a non-negative integer")
        return ViewerCount(source=source, count=count,
                           at=parse_time(obj["at"]) if "at" in obj else time.time())
    raise ValueError(f"unknown event type {etype!r}")


def loads(data: bytes | str) -> Any:
    """JSON with exact decimals; ValueError for anything that is not JSON (deep nesting included)."""
    try:
        return json.loads(data, parse_float=Decimal)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


URL = Option("url", "url", "Feed address", required=True, placeholder="https://bridge.local/feed",
             help="The bridge's HTTP(S) address that serves the events of docs/feed.md.")
MODE = Option("mode", "choice", "Mode", default="poll", choices=("poll", "sse"),
              help="poll: ask the address again and again; sse: keep one Server-Sent Events stream open.")
TOKEN = Option("token", "text", "Bearer token", secret=True, keyring_name="feed_token",
               env_var="STUDIO_FEED_TOKEN",
               help="Sent as Authorization: Bearer … when the bridge wants one; leave empty otherwise.")
INTERVAL = Option("interval", "number", "Poll every (s)", default="2", minimum=0, maximum=3600,
                  help="Seconds between polls when the bridge does not say (poll_after_ms).")
API_BASE = Option("api_base", "url", "Replace scheme and host", advanced=True,
                  help="Scheme and host to use instead of the address's own (a test server); the path stays.")
NAME = name_option("generic")


class GenericFeed(PollingConnector):
    kind = "generic"
    title = "Generic bridge (poll or SSE)"
    OPTIONS = (URL, MODE, TOKEN, INTERVAL, NAME, API_BASE, RETRY, RETRY_CAP)

    @classmethod
    def check_options(cls, options: Mapping[str, str]) -> list[str]:
        return api_base_problem(options.get("api_base"))

    def __init__(self, settings: dict[str, str]) -> None:
        super().__init__()
        self.configure(settings)
        url = text_value(settings, URL)
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError:
            parts = urlsplit("")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UserError("the generic feed needs url=http(s)://host/path")
        api_base = text_value(settings, API_BASE)
        if api_base:
            b = urlsplit(checked_api_base(api_base, url))
            parts = parts._replace(scheme=b.scheme, netloc=b.netloc)
        self.url = urlunsplit(parts)
        self.name = text_value(settings, NAME)
        self.mode = text_value(settings, MODE)
        self.interval = number_value(settings, INTERVAL)
        self.token = secret_value(settings, TOKEN)
        self.cursor: str | None = None
        self.last_event_id: str | None = None
        self.retry_ms = 1000
        self.skipped = 0

    def make_client(self) -> httpx.Client:
        return make_client(timeout=30.0 if self.mode == "sse" else 10.0)

    def _headers(self) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if self.mode == "sse":
            h["Accept"] = "text/event-stream"
            if self.last_event_id:
                h["Last-Event-ID"] = self.last_event_id
        else:
            h["Accept"] = "application/json"
        return h

    def _refuse(self, resp: httpx.Response) -> None:
        if resp.status_code in (401, 403):
            if self.token:
                raise FeedError(token_rejected("the feed", "the bridge's bearer token")
                                + f" ({resp.status_code})", fatal=True, state=FAILED)
            raise FeedError(f"the feed wants a token ({resp.status_code}): open Settings → Feeds and enter "
                            "the bridge's bearer token", fatal=True, state=FAILED)
        if resp.status_code == 404:
            raise FeedError("the feed URL was not found (404)", fatal=True, state=FAILED)

    def _emit_obj(self, obj: Any) -> None:
        try:
            self._emit(parse_event(obj, self.name))
        except (ValueError, KeyError, TypeError, ArithmeticError) as e:
            self.skipped += 1
            log.warning("%s: skipped an invalid event: %s", self.name, e)

    def poll(self) -> float:
        return self._poll_sse() if self.mode == "sse" else self._poll_json()

    def _poll_json(self) -> float:
        assert self.client is not None
        params = {"cursor": self.cursor} if self.cursor else None
        resp = self.client.get(self.url, params=params, headers=self._headers())
        self._refuse(resp)
        json_body(resp, "feed")  # status / content type / well-formed checks
        body = loads(resp.content)
        events = body if isinstance(body, list) else body.get("events") if isinstance(body, dict) else None
        if not isinstance(events, list):
            raise FeedError("feed: the body is neither an event list nor {\"events\": [...]}")
        for obj in events:
            self._emit_obj(obj)
        wait = self.interval
        if isinstance(body, dict):
            cursor = body.get("cursor")
            if isinstance(cursor, (str, int)) and not isinstance(cursor, bool):
                self.cursor = str(cursor)
            after = body.get("poll_after_ms")
            if isinstance(after, (int, Decimal)) and not isinstance(after, bool):
                wait = min(max(float(after) / 1000.0, 0.2), 60.0)
        return wait

    def _poll_sse(self) -> float:
        assert self.client is not None
        with self.client.stream("GET", self.url, headers=self._headers()) as resp:
            self._refuse(resp)
            if resp.status_code != 200:
                resp.read()
                json_body(resp, "feed stream")  # raises the right FeedError (429, 5xx, 3xx…)
            ctype = resp.headers.get("Content-Type", "")
            if not ctype.startswith("text/event-stream"):
                got = ctype.split(";")[0] or "nothing"
                raise FeedError(f"feed stream: expected text/event-stream, got {got}")
            data: list[str] = []
            size = 0
            event_id: str | None = None
            for line in resp.iter_lines():
                if self._stop.is_set():
                    break
                if line == "":
                    if data:
                        payload = "\n".join(data)
                        data, size = [], 0
                        try:
                            obj = loads(payload)
                        except ValueError:
                            raise FeedError("feed stream: an event is not valid JSON") from None
                        batch = obj.get("events") if isinstance(obj, dict) and "events" in obj else [obj]
                        if not isinstance(batch, list):
                            raise FeedError("feed stream: \"events\" is not a list")
                        for o in batch:
                            self._emit_obj(o)
                    if event_id is not None:
                        self.last_event_id, event_id = event_id, None
                    continue
                if line.startswith(":"):
                    continue  # comment / keepalive
                field, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if field == "data":
                    data.append(value)
                    size += len(value)
                    if size > MAX_SSE_EVENT:
                        raise FeedError("feed stream: an event is too large")
                elif field == "id" and "\0" not in value:
                    event_id = value
                elif field == "retry" and value.isascii() and value.isdigit() and len(value) <= 9:
                    self.retry_ms = min(int(value), MAX_RETRY_MS)
        return self.retry_ms / 1000.0
