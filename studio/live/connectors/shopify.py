"""Shopify orders: the GraphQL Admin API (default) or the legacy REST Admin API (`api=rest`).

The REST Admin API is legacy since 2024-10 and closed to new public apps since 2025-04 (PLATFORMS.md §3);
custom apps may still use it, so it stays as `api=rest`. Both send `X-Shopify-Access-Token` (the
`token` option: a keyring reference, else `STUDIO_SHOPIFY_TOKEN`, else the keyring entry
`shopify_token`), both validate an order by the same rules (shopify_order.py) and both name an order by
its numeric id, so switching API mid-show does not count an order twice.

GraphQL: see shopify_graphql.py — `orders(first, after, query: "created_at:>=…", sortKey: CREATED_AT)`,
the end cursor kept between polls, cost throttling from `extensions.cost.throttleStatus`.

REST: `GET {api_base}/admin/api/{version}/orders.json?status=any&limit=250&…`.
* The first cycle asks for `created_at_min=<show start − lookback>`; later cycles for `since_id=<the
  highest id seen>`. Each cycle follows the `Link: <…page_info=…>; rel="next"` cursor to the end; a
  page request carries only `page_info` and `limit`, as Shopify requires. `since_id` advances only when
  a whole cycle succeeded, so an error mid-way repeats the cycle — the repeats are not emitted again.
* Leaky bucket: `X-Shopify-Shop-Api-Call-Limit: used/size` on every response; past ¾ full we wait
  until it has drained to half (leak rate 2/s, `leak_rate=` for Plus stores). 429 honours `Retry-After`.

Either way: cancelled orders are not counted; line items map to catalog products by `sku` (`""` when
none); 401/403 stop the feed with "token rejected — open Settings → Feeds".
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from studio.core.errors import UserError
from studio.core.log import get_logger
from studio.live.connectors.base import (
    FeedError,
    PollingConnector,
    Stopping,
    api_base_problem,
    checked_api_base,
    iso,
    json_body,
    parse_time,
    token_rejected,
    try_json,
)
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
from studio.live.connectors.shopify_graphql import (
    ORDERS_QUERY,
    estimated_cost,
    first_error,
    orders_page,
    page_size,
    parse_graphql_order,
    search_query,
    throttle_status,
    throttle_wait,
)
from studio.live.connectors.shopify_order import SeenIds, make_order, rest_id
from studio.live.events import FeedState, Order

log = get_logger("live.shopify")

DEFAULT_VERSION = "2024-10"
_LINK = re.compile(r'<([^>]+)>\s*;\s*rel\s*=\s*"?([a-zA-Z]+)"?')
MAX_PAGES = 40  # per cycle; more than any show sells between two polls
TOKEN_WHAT = "the shop's Admin API access token (it needs the read_orders scope)"
_FATAL_STATUS = {402: "the shop is frozen (402 Payment Required): its owner must settle the bill",
                 404: "Shopify shop or API version not found (404): check shop and version",
                 423: "the shop is locked (423)"}


def parse_link_next(header: str | None) -> str | None:
    """The `rel=next` URL of a Link header (quoted or unquoted rel), or None on the last page."""
    if not header:
        return None
    for url, rel in _LINK.findall(header):
        if rel.lower() == "next":
            return str(url)
    return None


def parse_call_limit(header: str | None) -> tuple[int, int] | None:
    """`"32/40"` → (32, 40)."""
    if not header:
        return None
    m = re.fullmatch(r"\s*(\d{1,9})\s*/\s*(\d{1,9})\s*", header)
    if not m or int(m.group(2)) <= 0:
        return None
    return int(m.group(1)), int(m.group(2))


def bucket_wait(used: int, size: int, leak_rate: float = 2.0, cap: float = 60.0) -> float:
    """Seconds to let the leaky bucket drain before the next call: none below ¾ full, else down to half;
    never more than `cap` (a header claiming a bucket of millions must not park the feed for days)."""
    if used < 0.75 * size:
        return 0.0
    return min(cap, (used - 0.5 * size) / leak_rate)


def parse_order(raw: Any, source: str = "shopify") -> Order | None:
    """A REST order object → Order; None for cancelled orders. Raises ValueError when malformed."""
    if not isinstance(raw, dict):
        raise ValueError("order is not an object")
    oid = rest_id(raw.get("id"))
    if raw.get("cancelled_at"):
        return None
    items = []
    for li in raw.get("line_items") or []:
        if not isinstance(li, dict):
            raise ValueError(f"order {oid}: line item is not an object")
        items.append((li.get("sku"), li.get("title") or li.get("name"), li.get("quantity"), li.get("price")))
    return make_order(source, oid, raw.get("created_at"), raw.get("currency"), raw.get("total_price"), items)


def parse_since(text: str) -> float | None:
    """The `since` option: an ISO 8601 time or epoch seconds → epoch seconds; None when empty."""
    text = text.strip()
    if not text:
        return None
    try:
        return parse_time(float(text) if text.replace(".", "", 1).isdigit() else text)
    except (ValueError, OverflowError):
        raise UserError(f"since={text[:40]!r} must be an ISO 8601 time with an offset, or epoch seconds — "
                        "write e.g. since=2030-01-01T10:00:00+08:00") from None


SHOP = Option("shop", "text", "Shop", required=True, placeholder="NAME", pattern=r"[a-zA-Z0-9][a-zA-Z0-9-]*",
              help="The NAME of NAME.myshopify.com (the address of your store's admin).")
TOKEN = Option("token", "text", "Admin API access token", secret=True, keyring_name="shopify_token",
               env_var="STUDIO_SHOPIFY_TOKEN",
               help="A custom app's Admin API access token (shpat_…) with the read_orders scope: Shopify "
                    "admin → Settings → Apps and sales channels → Develop apps.")
API = Option("api", "choice", "API", default="graphql", choices=("graphql", "rest"),
             help="graphql (Shopify's current Admin API); rest only for an app that still uses the legacy "
                  "REST Admin API.")
INTERVAL = Option("interval", "number", "Poll every (s)", default="5", minimum=0, maximum=3600,
                  help="Seconds between two looks for new orders.")
LOOKBACK = Option("lookback", "number", "Count orders from (s before start)", default="300", minimum=0,
                  maximum=30 * 86400,
                  help="Orders placed up to this many seconds before the feed starts count too.")
SINCE = Option("since", "text", "Count orders since", advanced=True, placeholder="2030-01-01T10:00:00+08:00",
               help="An ISO 8601 time or epoch seconds; replaces lookback.")
SINCE_ID = Option("since_id", "int", "After order id", minimum=0, maximum=2**63 - 1, advanced=True,
                  help="Only orders with a higher numeric id (the number in the order's admin address).")
VERSION = Option("version", "text", "API version", default=DEFAULT_VERSION, pattern=r"\d{4}-\d{2}|unstable",
                 advanced=True, placeholder="2024-10",
                 help="The Admin API version, YYYY-MM; an unsupported one is served by the oldest supported.")
LIMIT = Option("limit", "int", "Orders per page", default="250", minimum=1, maximum=250, advanced=True,
               help="REST pages hold up to 250; GraphQL pages are kept under Shopify's query cost limit "
                    "(6 orders of up to 50 line items).")
LEAK_RATE = Option("leak_rate", "number", "REST calls per second", default="2", minimum=0.1, maximum=1000,
                   advanced=True,
                   help="The REST Admin API bucket's leak rate: 2 a second, 20 on Shopify Plus.")
API_BASE = Option("api_base", "url", "API address", advanced=True,
                  help="Scheme and host instead of https://NAME.myshopify.com (a test server); the paths "
                       "stay.")
NAME = name_option("shopify")


class ShopifyOrders(PollingConnector):
    kind = "shopify"
    title = "Shopify orders"
    OPTIONS = (SHOP, TOKEN, API, INTERVAL, LOOKBACK, NAME, SINCE, SINCE_ID, VERSION, LIMIT, LEAK_RATE,
               API_BASE, RETRY, RETRY_CAP)

    @classmethod
    def check_options(cls, options: Mapping[str, str]) -> list[str]:
        problems = api_base_problem(options.get("api_base"))
        try:
            parse_since(options.get("since") or "")
        except UserError as e:
            problems.append(str(e))
        return problems

    def __init__(self, settings: dict[str, str]) -> None:
        super().__init__()
        self.configure(settings)
        self.shop = text_value(settings, SHOP)
        if not self.shop:
            raise UserError("the shopify feed needs shop=NAME (the NAME of NAME.myshopify.com)")
        self.name = text_value(settings, NAME)
        self.api = text_value(settings, API)
        self.base = checked_api_base(text_value(settings, API_BASE) or None, f"https://{self.shop}.myshopify.com")
        self.version = text_value(settings, VERSION)
        self.path = f"/admin/api/{self.version}/orders.json"
        self.graphql_path = f"/admin/api/{self.version}/graphql.json"
        self.interval = number_value(settings, INTERVAL)
        self.leak_rate = number_value(settings, LEAK_RATE)
        self.lookback = number_value(settings, LOOKBACK)
        self.limit = int_value(settings, LIMIT) or 250
        self.token = secret_value(settings, TOKEN)
        if not self.token:
            raise UserError("the shopify feed needs an Admin API access token: add it in Settings → Feeds, "
                            "or set STUDIO_SHOPIFY_TOKEN")
        since = parse_since(text_value(settings, SINCE))
        self.start = since if since is not None else time.time() - self.lookback
        self.created_at_min = iso(self.start)
        self.since_id: int | None = int_value(settings, SINCE_ID)
        self.page_size = page_size(self.limit)
        self.search = search_query(self.start, self.since_id)
        self.cursor: str | None = None   # GraphQL: the end cursor of the last page that had orders
        self.seen = SeenIds()
        self.throttle = 0.0

    def _headers(self) -> dict[str, str]:
        return {"X-Shopify-Access-Token": self.token or "", "Accept": "application/json"}

    def _wait_throttle(self) -> None:
        if self.throttle > 0:
            if self.sleep(self.throttle):
                raise Stopping
            self.throttle = 0.0

    def _refuse(self, resp: httpx.Response) -> None:
        if resp.status_code in (401, 403):
            raise FeedError(token_rejected("Shopify", TOKEN_WHAT) + f" ({resp.status_code})", fatal=True,
                            state=FeedState.FAILED)
        if resp.status_code in _FATAL_STATUS:
            raise FeedError(f"Shopify: {_FATAL_STATUS[resp.status_code]}", fatal=True, state=FeedState.FAILED)

    def _emit_order(self, order: Order | None) -> None:
        if order is not None and self.seen.add(order.id):
            self._emit(order)

    def poll(self) -> float:
        return self._poll_graphql() if self.api == "graphql" else self._poll_rest()

    # -- GraphQL ---------------------------------------------------------------------------------------

    def _post(self, after: str | None) -> Any:
        self._wait_throttle()
        variables = {"first": self.page_size, "after": after, "query": self.search}
        resp = self.request("POST", self.base + self.graphql_path, what="Shopify GraphQL",
                            headers=self._headers(), json={"query": ORDERS_QUERY, "variables": variables})
        self._refuse(resp)
        if resp.status_code == 400:
            err = first_error(try_json(resp)) if len(resp.content) <= 65536 else None
            raise FeedError("Shopify GraphQL: bad request (400)" + (f": {err[0]}" if err else ""))
        body = json_body(resp, "Shopify GraphQL")
        cost = throttle_status(body)
        requested = estimated_cost(self.page_size)
        if cost is not None:
            requested = int(cost[0]) if cost[0] is not None else requested
        err = first_error(body)
        if err is not None:
            message, code = err
            if code == "THROTTLED":
                wait = throttle_wait(requested, cost[1], cost[2]) if cost is not None else None
                raise FeedError("Shopify GraphQL: throttled (query cost); waiting for the bucket to refill",
                                retry_after=None if wait is None else max(wait, 0.05))
            if code == "ACCESS_DENIED":
                raise FeedError(f"Shopify: the access token may not read orders — {TOKEN_WHAT}: {message}",
                                fatal=True, state=FeedState.FAILED)
            raise FeedError(f"Shopify GraphQL: {message}" + (f" ({code[:40]})" if code else ""))
        if cost is not None:
            self.throttle = throttle_wait(requested, cost[1], cost[2])
        return body

    def _poll_graphql(self) -> float:
        pages = 0
        while pages < MAX_PAGES:
            body = self._post(self.cursor)
            pages += 1
            try:
                nodes, has_next, end = orders_page(body)
            except ValueError as e:
                raise FeedError(f"Shopify GraphQL: {e}") from None
            for node in nodes:
                try:
                    self._emit_order(parse_graphql_order(node, self.name))
                except ValueError as e:
                    log.warning("%s: skipped a malformed order: %s", self.name, e)
            if end:
                self.cursor = end
            if not (has_next and end):
                break
        return self.interval

    # -- REST ------------------------------------------------------------------------------------------

    def _get(self, url: str, params: dict[str, str] | None) -> tuple[dict[str, Any], str | None]:
        self._wait_throttle()
        resp = self.request("GET", url, what="Shopify orders", params=params, headers=self._headers())
        limit = parse_call_limit(resp.headers.get("X-Shopify-Shop-Api-Call-Limit"))
        if limit:
            self.throttle = bucket_wait(*limit, leak_rate=self.leak_rate)
        self._refuse(resp)
        body = json_body(resp, "Shopify orders")
        if not isinstance(body, dict) or not isinstance(body.get("orders"), list):
            raise FeedError("Shopify orders: response has no orders list")
        return body, resp.headers.get("Link")

    def _next_url(self, link: str | None) -> str | None:
        nxt = parse_link_next(link)
        if nxt is None:
            return None
        parts = urlsplit(nxt)
        if not parts.path.startswith("/admin/api/") or "page_info=" not in parts.query:
            raise FeedError("Shopify orders: unexpected pagination link")
        return f"{self.base}{parts.path}?{parts.query}"  # re-rooted: the token never goes to another host

    def _poll_rest(self) -> float:
        first: dict[str, str] = {"status": "any", "limit": str(self.limit)}
        if self.since_id is None:
            first["created_at_min"] = self.created_at_min
        else:
            first["since_id"] = str(self.since_id)
        params: dict[str, str] | None = first
        url: str | None = self.base + self.path
        max_id = self.since_id
        pages = 0
        while url is not None and pages < MAX_PAGES:
            body, link = self._get(url, params)
            params = None  # the cursor URL carries everything
            pages += 1
            for raw in body["orders"]:
                try:
                    order = parse_order(raw, self.name)
                except ValueError as e:
                    log.warning("%s: skipped a malformed order: %s", self.name, e)
                    continue
                if isinstance(raw, dict):
                    try:
                        n = int(rest_id(raw.get("id")))
                        max_id = n if max_id is None else max(max_id, n)
                    except ValueError:
                        pass
                self._emit_order(order)
            url = self._next_url(link)
        if max_id is not None:  # until the first order, keep asking by creation time
            self.since_id = max_id
        return self.interval
