"""Sales and audience counters: idempotent, exact, and rebuilt from the session log alone.

Policies are pure functions over plain data (`unique_orders`, `gmv_by_currency`) and the `Counters`
class applies them incrementally. An order is counted once per (source, id) whatever the replays,
pages, restarts and reconnects; money is summed as `Decimal` per currency (never converted, never
float); each order is attributed to the product pinned at its *creation* time, which may be long
before a polling connector sees it.

What `studio.live.validate` refused is counted too (`rejected`, per kind and per reason), once per
event; refunds and cancellations are counted apart and never subtract from GMV: GMV is what was
placed. The session log holds these as `session` rows (`rejected`, `clamped`, `refund`, `cancel`
marks); `apply_mark` counts one such row, for a restarted show and for the report.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from studio.live.events import Cancellation, ChatMessage, Order, Refund, ViewerCount

CHAT_ID_MEMORY = 20_000   # chat ids remembered for de-duplication (reconnect overlaps are short)
RECENT_CHAT = 50          # chat lines kept for the overlay
REJECTED_MEMORY = 100_000  # refused events remembered, so one sent again is not logged again
REJECTED_KEYS = {"order": "orders", "chat": "chat", "viewers": "viewers", "refund": "refunds",
                 "cancellation": "cancellations"}   # event kind → its key in the totals' "rejected"
MARKS = ("rejected", "clamped", "refund", "cancel")  # the session rows `apply_mark` counts


def order_key(order: Order) -> tuple[str, str]:
    return (order.source, order.id)


def unique_orders(orders: Iterable[Order]) -> list[Order]:
    """The first occurrence of each (source, id), in arrival order."""
    seen: set[tuple[str, str]] = set()
    out: list[Order] = []
    for o in orders:
        k = order_key(o)
        if k not in seen:
            seen.add(k)
            out.append(o)
    return out


def gmv_by_currency(orders: Iterable[Order]) -> dict[str, Decimal]:
    """Sum of order totals per ISO currency, exact."""
    out: dict[str, Decimal] = {}
    for o in orders:
        out[o.currency] = out.get(o.currency, Decimal(0)) + o.total
    return out


def money_json(amounts: dict[str, Decimal]) -> dict[str, str]:
    return {cur: str(amounts[cur]) for cur in sorted(amounts)}


def refund_key(r: Refund) -> tuple[str, str, str]:
    return (r.source, r.order_id, r.id or f"{r.amount}|{r.currency}|{r.at!r}")


def money_mark(event: Refund | Cancellation) -> tuple[str, dict[str, Any]]:
    """(what, data) of the session row that logs a refund or a cancellation (`SessionLog.mark`)."""
    if isinstance(event, Refund):
        return "refund", {"source": event.source, "order_id": event.order_id, "id": event.id,
                          "amount": str(event.amount), "currency": event.currency, "at": event.at}
    return "cancel", {"source": event.source, "order_id": event.order_id, "at": event.at}


def from_money_mark(data: dict[str, Any]) -> Refund | Cancellation | None:
    """The event of a `refund` or `cancel` session row; None for any other row or a damaged one."""
    try:
        if data.get("what") == "refund":
            return Refund(source=str(data["source"]), order_id=str(data["order_id"]),
                          amount=Decimal(str(data["amount"])), currency=str(data["currency"]),
                          at=float(data["at"]), id=str(data.get("id", "")))
        if data.get("what") == "cancel":
            return Cancellation(source=str(data["source"]), order_id=str(data["order_id"]),
                                at=float(data["at"]))
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return None
    return None


@dataclass
class _Pinned:
    start: float
    end: float | None  # None while still pinned
    sku: str


class PinTimeline:
    """Which product was pinned when: half-open intervals [start, end), at most one open at a time."""

    def __init__(self) -> None:
        self._starts: list[float] = []
        self._intervals: list[_Pinned] = []  # sorted by start

    def pin(self, sku: str, at: float) -> None:
        self._close_open(at)
        i = bisect.bisect_right(self._starts, at)
        self._starts.insert(i, at)
        self._intervals.insert(i, _Pinned(at, None, sku))

    def unpin(self, sku: str | None, at: float) -> None:
        self._close_open(at, only_sku=sku)

    def _close_open(self, at: float, only_sku: str | None = None) -> None:
        for iv in self._intervals:
            if iv.end is None and (only_sku is None or iv.sku == only_sku):
                iv.end = max(at, iv.start)

    def sku_at(self, t: float) -> str | None:
        i = bisect.bisect_right(self._starts, t) - 1
        while i >= 0:
            iv = self._intervals[i]
            if iv.end is None or t < iv.end:
                return iv.sku
            if iv.start < t:  # the latest interval starting before t has ended: nothing pinned at t
                return None
            i -= 1
        return None

    def current(self) -> str | None:
        for iv in reversed(self._intervals):
            if iv.end is None:
                return iv.sku
        return None

    def intervals(self, end_time: float) -> list[tuple[str, float, float]]:
        """(sku, start, end); an interval still open is closed at `end_time`."""
        return [(iv.sku, iv.start, iv.end if iv.end is not None else max(end_time, iv.start))
                for iv in self._intervals]

    def pinned_seconds(self, end_time: float) -> dict[str, float]:
        out: dict[str, float] = {}
        for sku, s, e in self.intervals(end_time):
            out[sku] = out.get(sku, 0.0) + (e - s)
        return out


@dataclass
class ProductStats:
    orders: int = 0
    units: int = 0
    gmv: dict[str, Decimal] = field(default_factory=dict)
    own_orders_pinned: int = 0                     # orders of this product placed while it was pinned
    own_units_pinned: int = 0
    own_gmv_pinned: dict[str, Decimal] = field(default_factory=dict)
    attributed_orders: int = 0                     # every order placed while it was pinned (any product)
    attributed_gmv: dict[str, Decimal] = field(default_factory=dict)


class Counters:
    """Running totals. Not thread-safe by itself: the live pipeline calls it under its lock."""

    def __init__(self, catalog: dict[str, str] | None = None) -> None:
        self.catalog = dict(catalog or {})   # sku -> title, for the report
        self._orders: set[tuple[str, str]] = set()
        self.orders = 0
        self.units = 0
        self.gmv: dict[str, Decimal] = {}
        self.products: dict[str, ProductStats] = {}
        self.order_times: list[tuple[float, str | None]] = []  # (created_at, attributed sku) for the report
        self.chat_messages = 0
        self._chat_ids: OrderedDict[tuple[str, str], None] = OrderedDict()
        self.recent_chat: deque[ChatMessage] = deque(maxlen=RECENT_CHAT)
        self.chat_times: list[float] = []  # only if `keep_times`: the report needs them, the show doesn't
        self.keep_times = False
        self.viewers: dict[str, int] = {}
        self.peak_viewers = 0
        self.pins = PinTimeline()
        # units per SKU since the catalog was loaded, pre-live orders included: what left the shelf.
        # Carried across Go live (`LiveSession.begin`) so the stock on the card and in the dock agree.
        self.stock_sold: dict[str, int] = {}
        self.first_at: float | None = None
        self.last_at: float | None = None
        # refused by the validator (once per event), and what is counted apart from GMV
        self.rejected: dict[str, int] = {}           # event kind → count
        self.rejected_reasons: dict[str, int] = {}   # reason → count
        self._rejected: OrderedDict[tuple[str, str, str], None] = OrderedDict()
        self.clamped = 0                             # orders and refunds whose time was clamped
        self.refunds = 0
        self.refunded: dict[str, Decimal] = {}
        self._refunds: set[tuple[str, str, str]] = set()
        self.cancellations = 0
        self._cancellations: set[tuple[str, str]] = set()

    # -- time span -------------------------------------------------------------------------------
    def _seen_time(self, t: float) -> None:
        self.first_at = t if self.first_at is None else min(self.first_at, t)
        self.last_at = t if self.last_at is None else max(self.last_at, t)

    # -- orders ------------------------------------------------------------------------------------
    def is_new_order(self, order: Order) -> bool:
        return order_key(order) not in self._orders

    def add_order(self, order: Order) -> bool:
        """Count `order` unless it was counted before; returns whether it was new."""
        k = order_key(order)
        if k in self._orders:
            return False
        self._orders.add(k)
        self.orders += 1
        self.gmv[order.currency] = self.gmv.get(order.currency, Decimal(0)) + order.total
        for sku in {li.sku for li in order.items}:
            self._product(sku).orders += 1
        for li in order.items:
            p = self._product(li.sku)
            p.units += li.qty
            if li.title and li.sku not in self.catalog:
                self.catalog[li.sku] = li.title
            p.gmv[order.currency] = p.gmv.get(order.currency, Decimal(0)) + li.price * li.qty
            self.units += li.qty
            self.stock_sold[li.sku] = self.stock_sold.get(li.sku, 0) + li.qty
        pinned = self.pins.sku_at(order.created_at)
        if pinned is not None:
            p = self._product(pinned)
            p.attributed_orders += 1
            p.attributed_gmv[order.currency] = p.attributed_gmv.get(order.currency, Decimal(0)) + order.total
            own = [li for li in order.items if li.sku == pinned]
            if own:
                p.own_orders_pinned += 1
                p.own_units_pinned += sum(li.qty for li in own)
                p.own_gmv_pinned[order.currency] = (p.own_gmv_pinned.get(order.currency, Decimal(0))
                                                    + sum((li.price * li.qty for li in own), Decimal(0)))
        if self.keep_times:
            self.order_times.append((order.created_at, pinned))
        self._seen_time(order.created_at)
        return True

    def _product(self, sku: str) -> ProductStats:
        p = self.products.get(sku)
        if p is None:
            p = self.products[sku] = ProductStats()
        return p

    # -- chat and viewers --------------------------------------------------------------------------
    def is_new_chat(self, msg: ChatMessage) -> bool:
        return not msg.id or (msg.source, msg.id) not in self._chat_ids

    def add_chat(self, msg: ChatMessage) -> bool:
        if msg.id:
            k = (msg.source, msg.id)
            if k in self._chat_ids:
                return False
            self._chat_ids[k] = None
            if len(self._chat_ids) > CHAT_ID_MEMORY:
                self._chat_ids.popitem(last=False)
        self.chat_messages += 1
        self.recent_chat.append(msg)
        if self.keep_times:
            self.chat_times.append(msg.at)
        self._seen_time(msg.at)
        return True

    def add_viewers(self, v: ViewerCount) -> None:
        self.viewers[v.source] = v.count
        self.peak_viewers = max(self.peak_viewers, sum(self.viewers.values()))
        self._seen_time(v.at)

    # -- refused, refunded, cancelled ------------------------------------------------------------
    def is_new_rejection(self, kind: str, source: str, key: str) -> bool:
        return (kind, source, key) not in self._rejected

    def add_rejected(self, kind: str, source: str, key: str, reason: str) -> bool:
        """Count a refused event once per (`kind`, `source`, `key`); returns whether it was new."""
        k = (kind, source, key)
        if k in self._rejected:
            return False
        self._rejected[k] = None
        if len(self._rejected) > REJECTED_MEMORY:
            self._rejected.popitem(last=False)
        self.rejected[kind] = self.rejected.get(kind, 0) + 1
        self.rejected_reasons[reason] = self.rejected_reasons.get(reason, 0) + 1
        return True

    def is_new_refund(self, r: Refund) -> bool:
        return refund_key(r) not in self._refunds

    def add_refund(self, r: Refund) -> bool:
        k = refund_key(r)
        if k in self._refunds:
            return False
        self._refunds.add(k)
        self.refunds += 1
        self.refunded[r.currency] = self.refunded.get(r.currency, Decimal(0)) + r.amount
        return True

    def is_new_cancellation(self, c: Cancellation) -> bool:
        return (c.source, c.order_id) not in self._cancellations

    def add_cancellation(self, c: Cancellation) -> bool:
        k = (c.source, c.order_id)
        if k in self._cancellations:
            return False
        self._cancellations.add(k)
        self.cancellations += 1
        return True

    def apply_mark(self, data: dict[str, Any]) -> None:
        """Count one `rejected`, `clamped`, `refund` or `cancel` session row (others are ignored)."""
        what = data.get("what")
        if what == "rejected":
            self.add_rejected(str(data.get("event", "")), str(data.get("source", "")),
                              str(data.get("id", "")), str(data.get("reason", "")))
        elif what == "clamped":
            self.clamped += 1
        else:
            event = from_money_mark(data)
            if isinstance(event, Refund):
                self.add_refund(event)
            elif isinstance(event, Cancellation):
                self.add_cancellation(event)

    # -- pins --------------------------------------------------------------------------------------
    def pin(self, sku: str, at: float, title: str = "") -> None:
        self.pins.pin(sku, at)
        if title and sku not in self.catalog:
            self.catalog[sku] = title
        self._product(sku)
        self._seen_time(at)

    def unpin(self, sku: str | None, at: float) -> None:
        self.pins.unpin(sku, at)
        self._seen_time(at)

    # -- output ------------------------------------------------------------------------------------
    def totals(self, end_time: float | None = None, pinned: dict[str, float] | None = None) -> dict[str, Any]:
        """The `studio report --json` document. `orders_while_pinned` counts that product's own orders
        placed while it was pinned; `all_orders_while_pinned`, every order placed meanwhile (the
        show-wide figure). `pinned` (sku → seconds) replaces the timeline's own sums (the report clips
        pins to the time on air)."""
        end = end_time if end_time is not None else (self.last_at or 0.0)
        pinned = self.pins.pinned_seconds(end) if pinned is None else pinned
        products = []
        for sku in sorted(self.products):
            p = self.products[sku]
            secs = round(pinned.get(sku, 0.0), 3)
            products.append({
                "sku": sku, "title": self.catalog.get(sku, ""),
                "orders": p.orders, "units": p.units, "gmv": money_json(p.gmv),
                "pinned_seconds": secs,
                "orders_while_pinned": p.own_orders_pinned,
                "units_while_pinned": p.own_units_pinned,
                "gmv_while_pinned": money_json(p.own_gmv_pinned),
                "orders_per_minute_pinned": round(p.own_orders_pinned / (secs / 60), 3) if secs > 0 else None,
                "all_orders_while_pinned": p.attributed_orders,
                "all_gmv_while_pinned": money_json(p.attributed_gmv),
            })
        return {
            "orders": self.orders, "units": self.units, "gmv": money_json(self.gmv),
            "chat_messages": self.chat_messages, "peak_viewers": self.peak_viewers,
            "viewers": sum(self.viewers.values()), "products": products,
            "stock_sold": dict(sorted(self.stock_sold.items())),
            "rejected": self.rejected_json(),
            "refunds": {"count": self.refunds, "amount": money_json(self.refunded)},
            "cancellations": self.cancellations, "clamped": self.clamped,
        }

    def rejected_json(self) -> dict[str, Any]:
        """{"orders": n, "chat": n, …, "reasons": {reason: n}}: every kind present, 0 when none."""
        out: dict[str, Any] = {key: self.rejected.get(kind, 0) for kind, key in REJECTED_KEYS.items()}
        for kind, n in self.rejected.items():
            if kind not in REJECTED_KEYS:
                out[kind] = out.get(kind, 0) + n
        out["reasons"] = dict(sorted(self.rejected_reasons.items()))
        return out
