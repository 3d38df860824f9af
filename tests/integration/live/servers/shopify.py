"""Fake Shopify Admin REST `orders.json` (PLATFORMS.md §3.2): since_id / created_at_min filters,
cursor pagination through `Link` with opaque `page_info`, the leaky-bucket header, 429 + Retry-After."""

from __future__ import annotations

import base64
import json
from collections import deque
from datetime import datetime

from .http_base import FakeServer, Request, Response, html_response, json_response

VERSION = "2024-10"
TOKEN = "shpat_0123456789abcdef0123456789abcdef"


def sample_order(oid: int, created_at: str = "2008-01-10T11:00:00-05:00", sku: str | None = "IPOD-342-N",
                 qty: int = 1, price: str = "199.99", total: str = "409.94", currency: str = "USD", **extra) -> dict:
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


class FakeShopify:
    """`orders` (dicts) is the shop's order table; append to it while a test runs to simulate sales.
    `faults` are served first, one per request: "429", "500", "html", "truncated", "redirect".
    `repeat_on_next_page`: the last order of each page is served again at the top of the next page
    (a duplicate across pages, as happens when orders are created while a client pages)."""

    def __init__(self, orders: list[dict] | None = None, page_size: int = 2, faults: list[str] | None = None,
                 call_limit: tuple[int, int] = (1, 40), retry_after: str = "0.2", repeat_on_next_page: bool = False,
                 shop: str = "teashop") -> None:
        self.orders = list(orders or [])
        self.page_size, self.faults = page_size, deque(faults or [])
        self.call_limit, self.retry_after = call_limit, retry_after
        self.repeat = repeat_on_next_page
        self.shop = shop
        self.server = FakeServer(self.handle)

    def __enter__(self) -> "FakeShopify":
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
            return json_response({"errors": "[API] Invalid API key or access token (unrecognized login or wrong "
                                             "password)"}, status=401)
        if req.path != f"/admin/api/{VERSION}/orders.json":
            return json_response({"errors": "Not Found"}, status=404)
        if self.faults:
            f = self.faults.popleft()
            if f == "429":
                return json_response({"errors": "Exceeded 2 calls per second for api client. Reduce request rates "
                                                "to resume uninterrupted service."}, status=429,
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
        if off > 0:
            prev = base64.urlsafe_b64encode(json.dumps({**cursor, "offset": max(0, off - size)}).encode()).decode()
            links.append(f'<https://{self.shop}.myshopify.com{req.path}?limit={limit}&page_info={prev}>; rel="previous"')
        if off + size < len(rows):
            nxt = base64.urlsafe_b64encode(json.dumps({**cursor, "offset": off + size}).encode()).decode()
            links.append(f'<https://{self.shop}.myshopify.com{req.path}?limit={limit}&page_info={nxt}>; rel="next"')
        if links:
            headers["Link"] = ", ".join(links)
        return json_response({"orders": page}, headers=headers)
