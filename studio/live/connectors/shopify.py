"""Shopify orders: Admin REST `orders.json` polling (PLATFORMS.md §3).

`GET {api_base}/admin/api/{version}/orders.json?status=any&limit=250&…` with the header
`X-Shopify-Access-Token` (keyring `shopify_token` or `STUDIO_SHOPIFY_TOKEN`).

* The first cycle asks for `created_at_min=<show start − lookback>`; later cycles for `since_id=<the
  highest id seen>`. Each cycle follows the `Link: <…page_info=…>; rel="next"` cursor to the end; a
  page request carries only `page_info` and `limit`, as Shopify requires. `since_id` advances only when
  a whole cycle succeeded, so an error mid-way repeats the cycle — duplicates are harmless because the
  counters count an order id once.
* Leaky bucket: `X-Shopify-Shop-Api-Call-Limit: used/size` on every response; past ¾ full we wait
  until it has drained to half (leak rate 2/s, `leak_rate=` for Plus stores). 429 honours `Retry-After`.
* Cancelled orders are not counted. Line items map to catalog products by `sku` (`""` when none).
"""

from __future__ import annotations

import re
import time
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from studio.core.errors import UserError
from studio.core.log import get_logger
from studio.core.secrets import get_secret
from studio.live.connectors.base import (
    FeedError,
    PollingConnector,
    checked_api_base,
    iso,
    json_body,
    parse_time,
    setting_int,
    setting_number,
)
from studio.live.events import FAILED, LineItem, Order

log = get_logger("live.shopify")

DEFAULT_VERSION = "2024-10"
_LINK = re.compile(r'<([^>]+)>\s*;\s*rel\s*=\s*"?([a-zA-Z]+)"?')
_CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_PAGES = 40  # per cycle; 40 × 250 orders is more than any show sells between two polls


def parse_link_next(header: str | None) -> str | None:
    """The `rel=next` URL of a Link header (quoted or unquoted rel), or None on the last page."""
    if not header:
        return None
    for url, rel in _LINK.findall(header):
        if rel.lower() == "next":
            return url
    return None


def parse_call_limit(header: str | None) -> tuple[int, int] | None:
    """`"32/40"` → (32, 40)."""
    if not header:
        return None
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", header)
    if not m or int(m.group(2)) <= 0:
        return None
    return int(m.group(1)), int(m.group(2))


def bucket_wait(used: int, size: int, leak_rate: float = 2.0) -> float:
    """Seconds to let the leaky bucket drain before the next call: none below ¾ full, else down to half."""
    if used < 0.75 * size:
        return 0.0
    return (used - 0.5 * size) / leak_rate


def _sane_money(d: Decimal) -> bool:
    """Finite and below 10^16: "NaN", "Infinity" or "1e999999" would poison or overflow the GMV sums."""
    return d.is_finite() and (not d or d.adjusted() <= 15)


def parse_order(raw: Any, source: str = "shopify") -> Order | None:
    """A REST order object → Order; None for cancelled orders. Raises ValueError when malformed."""
    if not isinstance(raw, dict):
        raise ValueError("order is not an object")
    oid = raw.get("id")
    if isinstance(oid, bool) or not isinstance(oid, (int, str)) or not str(oid).strip():
        raise ValueError("order without id")
    if raw.get("cancelled_at"):
        return None
    currency = raw.get("currency")
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise ValueError(f"order {oid}: bad currency")
    try:
        total = Decimal(str(raw["total_price"]))
        items = []
        for li in raw.get("line_items") or []:
            if not isinstance(li, dict):
                raise ValueError("line item is not an object")
            qty = li.get("quantity")
            if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
                raise ValueError("bad quantity")
            price = Decimal(str(li["price"]))
            if not _sane_money(price):
                raise ValueError(f"order {oid}: bad line item price")
            items.append(LineItem(sku=str(li.get("sku") or "").strip(), qty=qty, price=price,
                                  title=str(li.get("title") or li.get("name") or "")))
    except (KeyError, InvalidOperation, TypeError) as e:
        raise ValueError(f"order {oid}: {e.__class__.__name__}") from None
    if not _sane_money(total):
        raise ValueError(f"order {oid}: bad total")
    created = parse_time(raw.get("created_at"))
    return Order(source=source, id=str(oid), created_at=created, currency=currency, items=tuple(items), total=total)


class ShopifyOrders(PollingConnector):
    kind = "shopify"

    def __init__(self, settings: dict[str, str]) -> None:
        super().__init__()
        self.configure(settings)
        self.shop = settings.get("shop", "").strip()
        if not re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9-]*", self.shop or "-"):
            raise UserError("shopify feed needs shop=NAME (the NAME of NAME.myshopify.com)")
        self.name = settings.get("name", "shopify")
        self.base = checked_api_base(settings.get("api_base"), f"https://{self.shop}.myshopify.com")
        self.version = settings.get("version", DEFAULT_VERSION)
        if not re.fullmatch(r"\d{4}-\d{2}|unstable", self.version):
            raise UserError(f"shopify version must look like 2024-10, got {self.version!r}")
        self.path = f"/admin/api/{self.version}/orders.json"
        self.interval = setting_number(settings, "interval", 5.0, 0.0, 3600.0)
        self.leak_rate = setting_number(settings, "leak_rate", 2.0, 0.1, 1000.0)
        self.lookback = setting_number(settings, "lookback", 300.0, 0.0, 30 * 86400.0)
        self.limit = setting_int(settings, "limit", 250, 1, 250) or 250
        self.token = get_secret("shopify_token", "STUDIO_SHOPIFY_TOKEN")
        if not self.token:
            raise UserError("shopify feed needs an Admin API access token: set STUDIO_SHOPIFY_TOKEN or store "
                            "shopify_token in the keyring")
        start = settings.get("since")
        try:
            self.created_at_min = iso(parse_time(start) if start else time.time() - self.lookback)
        except ValueError:
            raise UserError(f"--feed setting since={str(start)[:40]!r} must be an ISO 8601 time or epoch "
                            "seconds") from None
        self.since_id: int | None = setting_int(settings, "since_id", None, 0, 2**63 - 1)
        self.throttle = 0.0

    def _get(self, url: str, params: dict[str, str] | None) -> Any:
        assert self.client is not None
        if self.throttle > 0:
            if self.sleep(self.throttle):
                raise FeedError("stopped")
            self.throttle = 0.0
        resp = self.client.get(url, params=params, headers={"X-Shopify-Access-Token": self.token or "",
                                                            "Accept": "application/json"})
        limit = parse_call_limit(resp.headers.get("X-Shopify-Shop-Api-Call-Limit"))
        if limit:
            self.throttle = bucket_wait(*limit, leak_rate=self.leak_rate)
        if resp.status_code in (401, 403):
            raise FeedError(f"Shopify refused the access token ({resp.status_code}): check read_orders scope",
                            fatal=True, state=FAILED)
        if resp.status_code == 404:
            raise FeedError("Shopify shop or API version not found (404)", fatal=True, state=FAILED)
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

    def poll(self) -> float:
        params = {"status": "any", "limit": str(self.limit)}
        if self.since_id is None:
            params["created_at_min"] = self.created_at_min
        else:
            params["since_id"] = str(self.since_id)
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
                try:
                    n = int(raw["id"])
                    max_id = n if max_id is None else max(max_id, n)
                except (TypeError, ValueError):
                    pass
                if order is not None:
                    self._emit(order)
            url = self._next_url(link)
        if max_id is not None:  # until the first order, keep asking by creation time
            self.since_id = max_id
        return self.interval
