"""Shopify orders through the GraphQL Admin API (PLATFORMS.md §3.3; shopify.dev `queries/orders`).

`POST {base}/admin/api/{version}/graphql.json`, header `X-Shopify-Access-Token`, body
`{"query": ORDERS_QUERY, "variables": {"first", "after", "query"}}`. Orders come oldest first
(`sortKey: CREATED_AT`) filtered by Shopify search syntax (`created_at:>='2030-01-01T00:00:00Z'`); the
connection's `pageInfo.endCursor` is kept between polls, so each poll asks only for what came after
the last order seen — the GraphQL twin of REST's `since_id`.

Cost throttling (shopify.dev "GraphQL Admin API rate limits"): every response carries
`extensions.cost {requestedQueryCost, actualQueryCost, throttleStatus {maximumAvailable,
currentlyAvailable, restoreRate}}`. A query needs its requested cost in the bucket; a throttled one is
answered **200** with `errors[].extensions.code == "THROTTLED"`. We wait (requested − available) /
restoreRate before the next call, and after a THROTTLED answer. A single query may cost at most 1000
points: objects cost 1, connections 2 + `first` × what each node selects, so a page holds
`page_size()` orders of up to `LINE_ITEMS` line items.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

from studio.live.connectors.shopify_order import graphql_id, make_order
from studio.live.events import Order

LINE_ITEMS = 50
MAX_QUERY_COST = 1000
# Per order node: the Order (1) + totalPriceSet and its shopMoney (2) + lineItems (2 + 50 × (LineItem,
# originalUnitPriceSet, shopMoney)).
ORDER_COST = 1 + 2 + 2 + LINE_ITEMS * 3
MAX_CURSOR = 1024
MAX_MESSAGE = 200

ORDERS_QUERY = """\
query StudioOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      name
      createdAt
      cancelledAt
      currencyCode
      totalPriceSet { shopMoney { amount currencyCode } }
      lineItems(first: $LINE_ITEMS) {
        nodes {
          sku
          title
          quantity
          originalUnitPriceSet { shopMoney { amount currencyCode } }
        }
      }
    }
  }
}
""".replace("$LINE_ITEMS", str(LINE_ITEMS))


def page_size(limit: int) -> int:
    """Orders per page: `limit`, but never so many that the query would cost more than Shopify allows."""
    return max(1, min(limit, 250, (MAX_QUERY_COST - 3) // ORDER_COST))


def estimated_cost(first: int) -> int:
    return 3 + first * ORDER_COST


def search_query(created_at_min: float, since_id: int | None = None) -> str:
    """Shopify search syntax for orders created at or after `created_at_min` (and after `since_id`)."""
    when = datetime.fromtimestamp(created_at_min, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    q = f"created_at:>='{when}'"
    return q + (f" id:>{since_id}" if since_id is not None else "")


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    f = float(v)
    return f if math.isfinite(f) and f >= 0 else None


def throttle_status(body: Any) -> tuple[float | None, float, float] | None:
    """(requestedQueryCost or None, currentlyAvailable, restoreRate) from `extensions.cost`, or None."""
    if not isinstance(body, dict):
        return None
    ext = body.get("extensions")
    cost = ext.get("cost") if isinstance(ext, dict) else None
    status = cost.get("throttleStatus") if isinstance(cost, dict) else None
    if not isinstance(status, dict):
        return None
    available, restore = _number(status.get("currentlyAvailable")), _number(status.get("restoreRate"))
    if available is None or restore is None or restore <= 0:
        return None
    assert isinstance(cost, dict)
    return _number(cost.get("requestedQueryCost")), available, restore


def throttle_wait(requested: float, available: float, restore_rate: float, cap: float = 60.0) -> float:
    """Seconds until the bucket holds `requested` points again (0 when it already does), at most `cap`."""
    if restore_rate <= 0 or available >= requested:
        return 0.0
    return min(cap, (requested - available) / restore_rate)


def first_error(body: Any) -> tuple[str, str] | None:
    """(message, extensions.code) of the first entry of a top-level `errors`, or None when there is none.
    A plain string (`{"errors": "Not Found"}`, as REST-style 4xx bodies have) counts as a message."""
    if not isinstance(body, dict) or "errors" not in body or body["errors"] in (None, [], ""):
        return None
    errors = body["errors"]
    if isinstance(errors, str):
        return _clean(errors), ""
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        ext = errors[0].get("extensions")
        code = ext.get("code") if isinstance(ext, dict) else None
        return _clean(errors[0].get("message")), code if isinstance(code, str) else ""
    return "malformed errors", ""


def _clean(message: Any) -> str:
    text = str(message) if isinstance(message, (str, int)) else "no message"
    text = "".join(c if c.isprintable() else " " for c in text).strip()
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 1] + "…"


def orders_page(body: Any) -> tuple[list[Any], bool, str | None]:
    """(nodes, hasNextPage, endCursor) of `data.orders`; ValueError when the shape is not the documented
    one."""
    data = body.get("data") if isinstance(body, dict) else None
    conn = data.get("orders") if isinstance(data, dict) else None
    if not isinstance(conn, dict):
        raise ValueError("response has no data.orders")
    nodes, info = conn.get("nodes"), conn.get("pageInfo")
    if not isinstance(nodes, list) or not isinstance(info, dict):
        raise ValueError("data.orders has no nodes list or pageInfo")
    has_next, cursor = info.get("hasNextPage"), info.get("endCursor")
    if not isinstance(has_next, bool):
        raise ValueError("pageInfo.hasNextPage is not true or false")
    if cursor is not None and (not isinstance(cursor, str) or not cursor or len(cursor) > MAX_CURSOR
                               or not cursor.isascii()):
        raise ValueError("pageInfo.endCursor is not a cursor")
    return nodes, has_next, cursor


def _shop_money(bag: Any, what: str) -> tuple[Any, Any]:
    money = bag.get("shopMoney") if isinstance(bag, dict) else None
    if not isinstance(money, dict):
        raise ValueError(f"{what} has no shopMoney")
    return money.get("amount"), money.get("currencyCode")


def parse_graphql_order(node: Any, source: str = "shopify") -> Order | None:
    """One `Order` node → Order; None for a cancelled order. Raises ValueError when malformed.

    Money is the shop's (`shopMoney`, as REST's `total_price` and `price`); every amount must be in the
    order's `currencyCode`."""
    if not isinstance(node, dict):
        raise ValueError("order is not an object")
    oid = graphql_id(node.get("id"))
    if node.get("cancelledAt"):
        return None
    cur = node.get("currencyCode")
    total, total_cur = _shop_money(node.get("totalPriceSet"), f"order {oid} totalPriceSet")
    if total_cur != cur:
        raise ValueError(f"order {oid}: total in {str(total_cur)[:8]!r}, order in {str(cur)[:8]!r}")
    li = node.get("lineItems")
    raw_items = li.get("nodes") if isinstance(li, dict) else None
    if not isinstance(raw_items, list):
        raise ValueError(f"order {oid}: lineItems has no nodes list")
    items = []
    for item in raw_items:
        if not isinstance(item, dict):
            raise ValueError(f"order {oid}: line item is not an object")
        price, price_cur = _shop_money(item.get("originalUnitPriceSet"), f"order {oid} line item")
        if price_cur != cur:
            raise ValueError(f"order {oid}: a line item is in another currency")
        items.append((item.get("sku"), item.get("title"), item.get("quantity"), price))
    return make_order(source, oid, node.get("createdAt"), cur, total, items)
