"""Generic feed: chat, order and viewer events in a documented JSON schema (docs/feed.md), read from
any HTTP endpoint by polling or as Server-Sent Events. This is how a platform bridge (Douyin, Taobao,
TikTok Shop tools…) feeds the studio.

Poll mode: `GET url[?cursor=C]` → `{"events": [...], "cursor": "C2", "poll_after_ms": 2000}` (a bare
list of events is accepted too). SSE mode (`mode=sse`): `GET url` with `Accept: text/event-stream`;
each `data:` block is one event object or an envelope; `id:` is sent back as `Last-Event-ID` when the
stream is reopened, `retry:` sets the reopen delay. Numbers are parsed as Decimal, so `"total": 19.99`
is as exact as `"19.99"`. A bad event is skipped (and logged); a bad body is an error and a backoff.

Bounds (the SSE reader is written by hand for them: httpx's `iter_lines` grows a line without limit and
waits on a silent server as long as each read is short): a poll body is read under MAX_BODY (8 MiB)
within 30 s; an SSE line is capped at MAX_SSE_LINE and an event at MAX_SSE_EVENT (1 MiB) while they
arrive; a stream must send a complete line (a `:` keep-alive will do) at least every 30 s; `retry:` is
held between 1 s and 60 s; a stream closed with no event before 30 s is a failure (backoff), so an
instant close cannot become a reconnect loop; an `id:` that is not printable ASCII of at most 256
characters is dropped (and logged), the last good one is sent back instead.
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
from studio.core.http import (
    Deadline,
    DeadlineExceeded,
    LineSplitter,
    ResponseTooLarge,
    buffered,
    guard,
    iter_decoded,
    make_client,
    request_extensions,
)
from studio.core.log import get_logger
from studio.live.connectors.base import (
    FeedError,
    PollingConnector,
    Stopping,
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
from studio.live.events import ChatMessage, FeedState, LineItem, Order, ViewerCount

log = get_logger("live.generic")

_CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_SSE_EVENT = 1024 * 1024
MAX_SSE_LINE = MAX_SSE_EVENT + 16  # a `data:` line may carry a whole event, no more
MAX_ERROR_BODY = 64 * 1024         # a non-200 answer to the stream is read for its error only
MAX_EVENT_ID = 256                 # Last-Event-ID goes back in a header
MAX_CURSOR = 4096                  # the poll cursor goes back in the URL
MAX_RETRY_MS = 60_000  # an SSE `retry:` longer than the backoff cap would stall the feed
SSE_MIN_RETRY = 1.0    # seconds: `retry: 0` must not become a reconnect loop
SSE_SILENCE = 30.0     # seconds without a complete line (keep-alives count) before the stream is given up
SSE_HEALTHY = 30.0     # seconds a stream must last, if it brings no event, not to count as a failure
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
    silence = SSE_SILENCE   # seconds: headers, then a complete line at least this often
    healthy = SSE_HEALTHY   # seconds: a stream that lasted this long was no failure, events or not

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
        return make_client(timeout=self.silence if self.mode == "sse" else 10.0)

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
                                + f" ({resp.status_code})", fatal=True, state=FeedState.FAILED)
            raise FeedError(f"the feed wants a token ({resp.status_code}): open Settings → Feeds and enter "
                            "the bridge's bearer token", fatal=True, state=FeedState.FAILED)
        if resp.status_code == 404:
            raise FeedError("the feed URL was not found (404)", fatal=True, state=FeedState.FAILED)

    def _emit_obj(self, obj: Any) -> None:
        try:
            self._emit(parse_event(obj, self.name))
        except (ValueError, KeyError, TypeError, ArithmeticError) as e:
            self.skipped += 1
            log.warning("%s: skipped an invalid event: %s", self.name, e)

    def poll(self) -> float:
        return self._poll_sse() if self.mode == "sse" else self._poll_json()

    def _poll_json(self) -> float:
        params = {"cursor": self.cursor} if self.cursor else None
        resp = self.request("GET", self.url, what="feed", params=params, headers=self._headers())
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
                cursor = str(cursor)
                if len(cursor) <= MAX_CURSOR:
                    self.cursor = cursor
                else:
                    log.warning("%s: ignored a cursor of %d characters (at most %d)", self.name, len(cursor),
                                MAX_CURSOR)
            after = body.get("poll_after_ms")
            if isinstance(after, (int, Decimal)) and not isinstance(after, bool):
                wait = min(max(float(after) / 1000.0, 0.2), 60.0)
        return wait

    def _poll_sse(self) -> float:
        """One stream, read until it ends. Each line is capped (MAX_SSE_LINE) as it arrives, each event
        too (MAX_SSE_EVENT); the headers must come within `silence` seconds and then a complete line at
        least every `silence` seconds (a keep-alive comment counts), else the stream is given up in
        words. A stream that ends before `healthy` seconds without one event counts as a failure (an
        instant close must not become a reconnect loop); after any other the reopen delay is `retry:`
        held between SSE_MIN_RETRY and the backoff cap."""
        client = self.client
        if client is None:
            raise Stopping
        self.pace()
        deadline = Deadline(self.silence)
        started = time.monotonic()
        splitter = LineSplitter(MAX_SSE_LINE)
        events = 0
        phase = "headers"
        ext = request_extensions(deadline, client, self.sockets)
        try:
            with (guard(deadline, self.sockets),
                  client.stream("GET", self.url, headers=self._headers(), extensions=ext) as resp):
                self._refuse(resp)
                if resp.status_code != 200:
                    phase = "body"
                    json_body(buffered(resp, MAX_ERROR_BODY), "feed stream")  # the right FeedError (429…)
                ctype = resp.headers.get("Content-Type", "")
                if not ctype.startswith("text/event-stream"):
                    got = ctype.split(";")[0] or "nothing"
                    raise FeedError(f"feed stream: expected text/event-stream, got {got}")
                phase = "stream"
                reader = _SseReader(self)
                for chunk in iter_decoded(resp):
                    for line in splitter.feed(chunk):
                        deadline.renew()
                        events += reader.line(line.decode("utf-8", errors="replace"))
                    if self._stop.is_set():
                        raise Stopping
        except ResponseTooLarge:
            what, cap = ("an error page", MAX_ERROR_BODY) if phase == "body" else ("a line", MAX_SSE_LINE)
            raise FeedError(f"feed stream: {what} longer than {cap // 1024} KiB; reconnecting") from None
        except DeadlineExceeded:
            if self._stop.is_set():
                raise Stopping from None
            if phase != "stream":
                raise FeedError(f"feed stream: the bridge did not answer within {self.silence:g} s; "
                                "reconnecting") from None
            if splitter.pending:
                raise FeedError(f"feed stream: the bridge sent no complete line for {self.silence:g} s; "
                                "reconnecting") from None
            raise FeedError(f"feed stream: the bridge sent nothing for {self.silence:g} s; reconnecting") \
                from None
        if events == 0 and time.monotonic() - started < self.healthy:
            raise FeedError("feed stream: the bridge closed the stream without sending an event; "
                            "reconnecting")
        ceiling = max(SSE_MIN_RETRY, min(MAX_RETRY_MS / 1000.0, self.backoff.cap))
        return min(max(self.retry_ms / 1000.0, SSE_MIN_RETRY), ceiling)


class _SseReader:
    """The SSE field rules for one stream (html.spec.whatwg.org, "event stream interpretation"): `data:`
    lines gathered into one event, dispatched at a blank line; `id:` kept for Last-Event-ID when it is
    printable ASCII of at most MAX_EVENT_ID characters (any other is dropped, logged once a stream: it
    could not be sent back in a header); `retry:` digits only."""

    def __init__(self, feed: GenericFeed) -> None:
        self.feed = feed
        self.data: list[str] = []
        self.size = 0
        self.event_id: str | None = None
        self.dropped_ids = 0

    def line(self, line: str) -> int:
        """Handle one line; returns the number of events it dispatched (0 or 1)."""
        feed = self.feed
        if line == "":
            dispatched = 0
            if self.data:
                payload = "\n".join(self.data)
                self.data, self.size = [], 0
                try:
                    obj = loads(payload)
                except ValueError:
                    raise FeedError("feed stream: an event is not valid JSON") from None
                batch = obj.get("events") if isinstance(obj, dict) and "events" in obj else [obj]
                if not isinstance(batch, list):
                    raise FeedError("feed stream: \"events\" is not a list")
                for o in batch:
                    feed._emit_obj(o)
                dispatched = 1
            if self.event_id is not None:
                feed.last_event_id, self.event_id = self.event_id, None
            return dispatched
        if line.startswith(":"):
            return 0  # comment / keepalive
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "data":
            self.data.append(value)
            self.size += len(value) + 1
            if self.size > MAX_SSE_EVENT:
                raise FeedError("feed stream: an event is too large")
        elif field == "id" and "\0" not in value:
            if usable_event_id(value):
                self.event_id = value
            else:
                self.dropped_ids += 1
                if self.dropped_ids == 1:
                    log.warning("%s: dropped an event id that cannot be sent back (%d characters, not "
                                "printable ASCII or over %d); resuming from the last good one", feed.name,
                                len(value), MAX_EVENT_ID)
        elif field == "retry" and value.isascii() and value.isdigit() and len(value) <= 9:
            feed.retry_ms = min(int(value), MAX_RETRY_MS)
        return 0


def usable_event_id(value: str) -> bool:
    """An SSE id we can send back as `Last-Event-ID`: printable ASCII (space to ~), at most MAX_EVENT_ID."""
    return len(value) <= MAX_EVENT_ID and all(" " <= c <= "~" for c in value)
