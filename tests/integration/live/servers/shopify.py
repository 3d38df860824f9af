"""Fake Shopify Admin API over one order table, both ways the studio reads it.

REST `orders.json` (PLATFORMS.md §3.2): since_id / created_at_min filters, cursor pagination through
`Link` with opaque `page_info`, the leaky-bucket header, 429 + Retry-After.

GraphQL `graphql.json` (PLATFORMS.md §3.3, shopify.dev `queries/orders`): POST `{query, variables}`;
`orders(first, after, query: "created_at:>='…' id:>N", sortKey: CREATED_AT)` answered as
`data.orders {nodes, pageInfo {hasNextPage endCursor}}` with opaque cursors; every answer carries
`extensions.cost` from a simulated cost bucket (maximumAvailable / currentlyAvailable / restoreRate),
and a query the bucket cannot pay for is answered 200 with `errors[].extensions.code == "THROTTLED"`,
as Shopify does. Nodes are made from the same REST-shaped rows, so an order has the same numeric id
(`gid://shopify/Order/N`) whichever API reads it.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections import deque
from datetime import datetime
from typing import Any

from .http_base import FakeServer, Request, Response, html_response, json_response

VERSION = "2024-10"
TOKEN = "shpat_0123456789abcdef0123456789abcdef"


def sample_order(oid: int, created_at: str = "2008-01-10T11:00:00-05:00", sku: str | None = "IPOD-342-N",
                 qty: int = 1, price: str = "199.99", total: str = "409.94", currency: str = "USD",
                 **extra) -> dict:
    """Shopify's documented sample order 450789469, with id/sku/money varied."""
    return {
        "id": oid, "admin_graphql_api_id": f"gid://shopify/Order/{oid}", "name": f"#{oid % 10000}",
        "order_number": oid % 10000, "email": "bob.norman@hostmail.com", "created_at": created_at,
        "processed_at": created_at, "updated_at": "2012-08-24T14:02:15-04:00", "currency": currency,
        "presentment_currency": "CAD", "financial_status": "authorized", "fulfillment_status": "partial",
        "source_name": "web", "total_price": total, "subtotal_price": "398.00", "total_tax": "11.94",
        "cancelled_at": None,
        "line_items": [{"id": oid * 10 + 1, "sku": sku, "name": "IPod Nano - Pink", "title": "IPod Nano",
                        "price": price, "quantity": qty, "product_id": 7513594, "variant_id": 4264112,
                        "variant_title": "Pink", "vendor": "Apple", "total_discount": "5.00"}],
        **extra,
    }


def _ts(s: str) -> float:
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def _b64(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode()


def _money_bag(amount: Any, currency: str) -> dict:
    return {"shopMoney": {"amount": amount, "currencyCode": currency},
            "presentmentMoney": {"amount": amount, "currencyCode": currency}}


def graphql_node(o: dict) -> dict:
    """The GraphQL Admin `Order` node of a REST-shaped order row (money as strings, as the Money scalar)."""
    return {
        "id": f"gid://shopify/Order/{o['id']}", "legacyResourceId": str(o["id"]), "name": o.get("name"),
        "createdAt": o["created_at"], "cancelledAt": o.get("cancelled_at"), "currencyCode": o["currency"],
        "presentmentCurrencyCode": o.get("presentment_currency", o["currency"]),
        "totalPriceSet": _money_bag(o["total_price"], o["currency"]),
        "lineItems": {"nodes": [{"sku": li.get("sku"), "title": li.get("title"), "name": li.get("name"),
                                 "quantity": li.get("quantity"),
                                 "originalUnitPriceSet": _money_bag(li.get("price"), o["currency"])}
                                for li in o.get("line_items", [])],
                      "pageInfo": {"hasNextPage": False, "endCursor": None}},
    }


THROTTLED_ERROR = {"message": "Throttled", "extensions": {"code": "THROTTLED",
                                                          "documentation": "https://shopify.dev/api/usage/rate-limits"}}
_SEARCH_AT = re.compile(r"created_at:>='([^']+)'")
_SEARCH_ID = re.compile(r"\bid:>(\d+)")


class CostBucket:
    """Shopify's calculated-query-cost bucket: a query needs `requested` points; they come back at
    `restore_rate` a second up to `maximum`."""

    def __init__(self, maximum: float = 2000.0, restore_rate: float = 100.0,
                 available: float | None = None) -> None:
        self.maximum, self.restore_rate = maximum, restore_rate
        self._available = maximum if available is None else available
        self._t = time.monotonic()
        self._lock = threading.Lock()

    def take(self, requested: float) -> tuple[bool, float]:
        with self._lock:
            now = time.monotonic()
            self._available = min(self.maximum, self._available + (now - self._t) * self.restore_rate)
            self._t = now
            if self._available < requested:
                return False, self._available
            self._available -= requested
            return True, self._available

    def status(self, available: float) -> dict:
        return {"maximumAvailable": self.maximum, "currentlyAvailable": available,
                "restoreRate": self.restore_rate}


class FakeShopify:
    """`orders` (dicts) is the shop's order table; append to it while a test runs to simulate sales.
    `faults` are served first, one per request: "429", "500", "html", "truncated", "redirect".
    `repeat_on_next_page`: the last order of each page is served again at the top of the next page
    (a duplicate across pages, as happens when orders are created while a client pages).
    GraphQL: every query costs `query_cost` points of `bucket`; the faults "throttled" (a THROTTLED
    answer whatever the bucket holds) and "error" (a GraphQL error echoing the token) come first too."""

    def __init__(self, orders: list[dict] | None = None, page_size: int = 2, faults: list[str] | None = None,
                 call_limit: tuple[int, int] = (1, 40), retry_after: str = "0.2",
                 repeat_on_next_page: bool = False, shop: str = "teashop", bucket: CostBucket | None = None,
                 query_cost: float = 40.0) -> None:
        self.orders = list(orders or [])
        self.page_size, self.faults = page_size, deque(faults or [])
        self.call_limit, self.retry_after = call_limit, retry_after
        self.repeat = repeat_on_next_page
        self.shop = shop
        self.bucket, self.query_cost = bucket or CostBucket(), query_cost
        self.server = FakeServer(self.handle)

    def __enter__(self) -> FakeShopify:
        self.server.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.server.__exit__(*exc)

    @property
    def base(self) -> str:
        return self.server.base

    @property
    def requests(self) -> list[Request]:
        return self.server.requests

    def _headers(self) -> dict[str, str]:
        return {"X-Shopify-Shop-Api-Call-Limit": f"{self.call_limit[0]}/{self.call_limit[1]}"}

    def handle(self, req: Request) -> Response:
        if req.headers.get("x-shopify-access-token") != TOKEN:
            return json_response({"errors": "[API] Invalid API key or access token (unrecognized login or "
                                             "wrong password)"}, status=401)
        if req.method == "POST" and req.path == f"/admin/api/{VERSION}/graphql.json":
            return self.graphql(req)
        if req.method != "GET" or req.path != f"/admin/api/{VERSION}/orders.json":
            return json_response({"errors": "Not Found"}, status=404)
        if self.faults:
            f = self.faults.popleft()
            if f == "429":
                return json_response({"errors": "Exceeded 2 calls per second for api client. Reduce request "
                                                "rates to resume uninterrupted service."}, status=429,
                                     headers={"Retry-After": self.retry_after, **self._headers()})
            if f == "500":
                return json_response({"errors": "Internal Server Error"}, status=500)
            if f == "html":
                return html_response(503)
            if f == "truncated":
                return 200, {"Content-Type": "application/json; charset=utf-8"}, b'{"orders":[{"id":4507894'
            if f == "redirect":
                return 301, {"Location": req.path + "?" + req.raw_query}, b""
        if "page_info" in req.query:
            if set(req.query) - {"page_info", "limit", "fields"}:
                return json_response({"errors": {"page_info": ["other params not allowed with page_info"]}},
                                     status=400)
            cursor = json.loads(base64.urlsafe_b64decode(req.query["page_info"]))
        else:
            cursor = {"since_id": int(req.query.get("since_id", 0)), "min": req.query.get("created_at_min"),
                      "offset": 0}
        limit = int(req.query.get("limit", 50))
        size = min(limit, self.page_size)
        rows = sorted((o for o in self.orders if o["id"] > cursor["since_id"]
                       and (cursor["min"] is None or _ts(o["created_at"]) >= _ts(cursor["min"]))),
                      key=lambda o: o["id"])
        off = cursor["offset"]
        page = rows[off: off + size]
        if self.repeat and off > 0 and off - 1 < len(rows):
            page = [rows[off - 1], *page]
        headers = self._headers()
        links = []
        page_url = f"https://{self.shop}.myshopify.com{req.path}?limit={limit}"
        if off > 0:
            prev = _b64({**cursor, "offset": max(0, off - size)})
            links.append(f'<{page_url}&page_info={prev}>; rel="previous"')
        if off + size < len(rows):
            nxt = _b64({**cursor, "offset": off + size})
            links.append(f'<{page_url}&page_info={nxt}>; rel="next"')
        if links:
            headers["Link"] = ", ".join(links)
        return json_response({"orders": page}, headers=headers)

    # -- GraphQL -----------------------------------------------------------------------------------------

    def _cost(self, available: float, actual: float | None) -> dict:
        return {"cost": {"requestedQueryCost": self.query_cost, "actualQueryCost": actual,
                         "throttleStatus": self.bucket.status(available)}}

    def graphql(self, req: Request) -> Response:
        try:
            doc = req.json()
            query, variables = doc["query"], doc.get("variables") or {}
        except (ValueError, KeyError, TypeError):
            return json_response({"errors": [{"message": "Bad Request"}]}, status=400)
        if self.faults:
            f = self.faults.popleft()
            if f == "throttled":
                return json_response({"errors": [THROTTLED_ERROR],
                                      "extensions": self._cost(0.0, None)})
            if f == "error":
                token = req.headers.get("x-shopify-access-token", "")
                return json_response({"errors": [{"message": f"Internal error with {token} " + "x" * 500,
                                                  "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]})
            if f == "500":
                return json_response({"errors": "Internal Server Error"}, status=500)
            if f == "html":
                return html_response(503)
            if f == "truncated":
                return (200, {"Content-Type": "application/json; charset=utf-8"},
                        b'{"data":{"orders":{"nodes":[{"id')
            if f == "shape":
                return json_response({"data": {"orders": {"edges": []}}})
        if "orders(" not in query or "sortKey: CREATED_AT" not in query or "pageInfo" not in query:
            return json_response({"errors": [{"message": "this fake serves only the studio's orders query",
                                              "extensions": {"code": "undefinedField"}}]})
        first, after, search = variables.get("first"), variables.get("after"), variables.get("query") or ""
        if not isinstance(first, int) or not 1 <= first <= 250:
            return json_response({"errors": [{"message": "The first argument must be between 1 and 250",
                                              "extensions": {"code": "BAD_REQUEST"}}]})
        ok, available = self.bucket.take(self.query_cost)
        if not ok:
            return json_response({"errors": [THROTTLED_ERROR], "extensions": self._cost(available, None)})
        at, oid = _SEARCH_AT.search(search), _SEARCH_ID.search(search)
        rows = sorted((o for o in self.orders
                       if (at is None or _ts(o["created_at"]) >= _ts(at.group(1)))
                       and (oid is None or o["id"] > int(oid.group(1)))),
                      key=lambda o: (_ts(o["created_at"]), o["id"]))
        start = 0
        if after is not None:
            c = json.loads(base64.urlsafe_b64decode(after))
            start = next((i for i, o in enumerate(rows)
                          if (_ts(o["created_at"]), o["id"]) > (c["t"], c["id"])), len(rows))
        page = rows[start: start + min(first, self.page_size)]
        served = ([rows[start - 1]] if self.repeat and start > 0 else []) + page
        end = None
        if page:
            last = page[-1]
            end = _b64({"t": _ts(last["created_at"]), "id": last["id"]})
        info = {"hasNextPage": start + len(page) < len(rows), "endCursor": end}
        nodes = [graphql_node(o) for o in served]
        return json_response({"data": {"orders": {"nodes": nodes, "pageInfo": info}},
                              "extensions": self._cost(available, 2 + 3 * len(served))})
