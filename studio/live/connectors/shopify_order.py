"""What a Shopify order must look like before it is counted, whichever API brought it (REST or GraphQL).

One place for the rules, so that the two paths cannot drift apart:
* the order id is Shopify's numeric id (`450789469`, the REST `id`, the tail of the GraphQL
  `gid://shopify/Order/450789469`), so the same order is one order whichever API read it;
* money is an exact Decimal, finite, non-negative and below 10^16 (a "NaN", "-5" or "1e999999" would
  poison or overflow the GMV sums); numbers in JSON are read through their text, never as floats;
* quantities are whole numbers (0 for a line removed by an edit), currencies ISO 4217 upper case;
* an order seen once is not emitted again (`SeenIds`), across pages and polls.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from decimal import Decimal, InvalidOperation
from typing import Any

from studio.live.connectors.base import parse_time
from studio.live.events import LineItem, Order

CURRENCY = re.compile(r"[A-Z]{3}")
MAX_ID = 2**63 - 1
MAX_QTY = 10**9
MAX_TEXT = 500  # a title or SKU longer than this is cut: the overlay and the report show a line, not a page
_GID = re.compile(r"gid://shopify/Order/(\d{1,19})")


def money(raw: Any, what: str) -> Decimal:
    """A Shopify money value ("199.99"; a JSON number is read through its text) → Decimal. ValueError."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float, Decimal)):
        raise ValueError(f"{what} is not an amount")
    try:
        d = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError(f"{what} is not a number") from None
    if not d.is_finite() or (d and d.adjusted() > 15):
        raise ValueError(f"{what} is not a sane amount")
    if d < 0:
        raise ValueError(f"{what} is negative")
    return d


def quantity(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_QTY:
        raise ValueError("quantity is not a whole number from 0")
    return raw


def currency(raw: Any) -> str:
    if not isinstance(raw, str) or not CURRENCY.fullmatch(raw):
        raise ValueError("currency is not a 3-letter ISO code")
    return raw


def text(raw: Any) -> str:
    return str(raw).strip()[:MAX_TEXT] if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""


def rest_id(raw: Any) -> str:
    """The REST `id` (an integer; a string of digits is accepted) → the numeric id as text."""
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise ValueError("order without id")
    s = str(raw).strip()
    if not (s.isascii() and s.isdigit() and 0 < int(s) <= MAX_ID):
        raise ValueError("order id is not a positive number")
    return str(int(s))


def graphql_id(raw: Any) -> str:
    """`gid://shopify/Order/450789469` → "450789469" (the same id REST gives the same order)."""
    m = _GID.fullmatch(raw) if isinstance(raw, str) else None
    if m is None or not 0 < int(m.group(1)) <= MAX_ID:
        raise ValueError("order id is not a gid://shopify/Order/N")
    return str(int(m.group(1)))


def make_order(source: str, oid: str, created_at: Any, cur: Any, total: Any,
               items: list[tuple[Any, Any, Any, Any]]) -> Order:
    """An Order from already-located fields; every one is checked here. `items` are
    (sku, title, quantity, unit price) as the platform sent them. Raises ValueError naming the order."""
    try:
        code = currency(cur)
        lines = tuple(LineItem(sku=text(sku), qty=quantity(qty), price=money(price, "line item price"),
                               title=text(title)) for sku, title, qty, price in items)
        return Order(source=source, id=oid, created_at=parse_time(created_at), currency=code, items=lines,
                     total=money(total, "total"))
    except ValueError as e:
        raise ValueError(f"order {oid}: {e}") from None


class SeenIds:
    """The ids already emitted, the newest `size` of them: an order repeated across pages or polls is
    emitted once (the counters would count it once anyway; the session log stays clean)."""

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def add(self, oid: str) -> bool:
        """True when `oid` is new (and remember it)."""
        if oid in self._ids:
            return False
        self._ids[oid] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True
