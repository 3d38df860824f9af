"""What may cross into the show: the rules of money, counts and time for every live event, in one place.

Connectors already refuse what they cannot parse; this module decides what a parsed event may *mean*.
`LiveSession.handle` runs every connector event through `validate` before it is logged or counted,
and the report runs every logged one through it again (a log written before these rules, or by
another writer, cannot put an impossible number in the report either). Pure functions, no Qt.

The rules, and why:
* **Currency**: an ISO 4217 code of the current list (`ISO_4217`, with its minor units); an unknown
  three-letter code is refused: GMV is summed per currency and an invented code is a new column of
  money that no one can read.
* **Money** (unit prices, totals, refunds, paid chat): an exact `Decimal` (or int), finite,
  non-negative, below `MAX_AMOUNT` (10^9 major units: no single price or order is a billion of any
  currency, and the bound keeps every sum far inside `Decimal`'s 28 significant digits, so GMV is
  never silently rounded), with at most the currency's minor units (`1.5` JPY, `1.234` USD do not
  exist; rounding money we were sent would count an amount nobody paid, so it is refused, not rounded).
* **Quantities**: whole numbers from 1 to `MAX_QTY` per line. A line of quantity 0 is what Shopify and
  the generic feed send for a line removed by an edit: it is dropped from the order (it bought
  nothing), not a reason to refuse the order. At most `MAX_LINES` lines.
* **Totals** are not required to equal the sum of the lines (shipping, tax and discounts differ); they
  obey the money rules.
* **Refunds and cancellations** are their own events (`Refund`, `Cancellation`); a negative amount is
  never a refund, it is refused.
* **Time**: not a finite number, before 1970 or from the year 10000 on → refused. More than
  `FUTURE_SKEW` (5 min) ahead of the moment it arrives → an order or a refund is *clamped* to that
  moment and flagged (a platform clock ahead, or local time sent as UTC: zone offsets are at most
  14 h), up to `FUTURE_LIMIT` (24 h); further ahead no clock is that wrong, the data is corrupt and
  the event is refused. Chat and viewer counts are not money: any impossible time is clamped quietly.
  Times in the *past* are kept as sent, however old: the report sets apart everything placed before
  Go live (pre-live, never in the show's totals), so an old order cannot inflate the show, while
  clamping it forward would count a past sale as this show's, and refusing it would contradict a
  connector told to count from an earlier time (Shopify's `since`).
* **Viewers**: a whole number from 0 to `MAX_VIEWERS`.
* **Ids**: an order, refund or cancellation names its order with a non-empty id of at most `MAX_ID`
  characters (the id is the de-duplication key).

A refusal has a stable `reason` (the report counts them by it and translates it) and a `detail`
sentence with the values, cut short and `repr`-quoted so no control character reaches a log.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from studio.core.currency import ISO_4217, decimal_places
from studio.live.events import Cancellation, ChatMessage, LineItem, Order, Refund, ViewerCount

MAX_AMOUNT = Decimal(10) ** 9     # major units, exclusive
MAX_QTY = 100_000                 # per line
MAX_LINES = 1_000                 # per order
MAX_VIEWERS = 100_000_000
MAX_ID = 256
FUTURE_SKEW = 300.0               # s ahead of arrival that is taken as it is (clocks differ a little)
FUTURE_LIMIT = 86_400.0           # s ahead beyond which a time is corrupt, not skewed
YEAR_10000 = 253_402_300_800.0    # 10000-01-01T00:00:00Z: no time from then on is real

# reasons (stable: the report counts by them, words.py translates them)
UNKNOWN_CURRENCY = "unknown currency"
NOT_A_NUMBER = "amount not a number"
NEGATIVE = "negative amount"
TOO_LARGE = "amount too large"
TOO_PRECISE = "too many decimals"
BAD_QUANTITY = "quantity not a positive whole number"
TOO_MANY = "quantity too large"
TOO_MANY_LINES = "too many lines"
BAD_LINES = "bad line item"
BAD_TIME = "time out of range"
FUTURE = "dated in the future"
BAD_ID = "bad order id"
BAD_VIEWERS = "viewer count out of range"
REASONS = (UNKNOWN_CURRENCY, NOT_A_NUMBER, NEGATIVE, TOO_LARGE, TOO_PRECISE, BAD_QUANTITY, TOO_MANY,
           TOO_MANY_LINES, BAD_LINES, BAD_TIME, FUTURE, BAD_ID, BAD_VIEWERS)
CLAMPED_FUTURE = "time ahead of arrival"   # the note of a clamped order or refund


class Invalid(ValueError):
    """An event that cannot be true: `reason` is one of `REASONS`, the message says the values."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Verdict:
    """What to do with an event: count `event` (its time maybe clamped), or refuse it (`event` None)."""

    event: Any | None
    reason: str = ""              # set when refused
    detail: str = ""
    clamped_from: float | None = None   # the time it was sent with, when it was clamped

    @property
    def rejected(self) -> bool:
        return self.event is None


def _show(value: object) -> str:
    """A value for a sentence: repr'd (control characters escaped) and cut short."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def minor_units(currency: str) -> int:
    return ISO_4217[currency]


def check_currency(code: object) -> str:
    if not isinstance(code, str) or code not in ISO_4217:
        raise Invalid(UNKNOWN_CURRENCY, f"currency {_show(code)} is not an ISO 4217 code")
    return code


def check_amount(value: object, currency: str, what: str) -> Decimal:
    """A non-negative exact amount below `MAX_AMOUNT` with at most `currency`'s minor units."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise Invalid(NOT_A_NUMBER, f"{what} {_show(value)} is not an exact decimal")
    d = Decimal(value) if isinstance(value, int) else value
    if not d.is_finite():
        raise Invalid(NOT_A_NUMBER, f"{what} {_show(value)} is not a number")
    if d < 0:
        raise Invalid(NEGATIVE, f"{what} {_show(value)} is negative")
    if d >= MAX_AMOUNT:
        raise Invalid(TOO_LARGE, f"{what} {_show(value)} is not below {MAX_AMOUNT}")
    places = minor_units(currency)
    if decimal_places(d) > places:
        raise Invalid(TOO_PRECISE, f"{what} {_show(value)} has more than {places} decimal(s) for {currency}")
    return d


def check_quantity(qty: object) -> int:
    if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
        raise Invalid(BAD_QUANTITY, f"quantity {_show(qty)} is not a whole number from 1")
    if qty > MAX_QTY:
        raise Invalid(TOO_MANY, f"quantity {_show(qty)} is more than {MAX_QTY} on one line")
    return qty


def check_id(oid: object, what: str = "order id") -> str:
    if not isinstance(oid, str) or not oid or len(oid) > MAX_ID:
        raise Invalid(BAD_ID, f"{what} {_show(oid)} is not 1–{MAX_ID} characters")
    return oid


def real_time(t: object) -> float | None:
    """`t` as a float if it is a time that can exist (finite, 1970 … 9999), else None."""
    if isinstance(t, bool) or not isinstance(t, (int, float)):
        return None
    try:
        f = float(t)
    except OverflowError:  # an int beyond float
        return None
    return f if math.isfinite(f) and 0.0 <= f < YEAR_10000 else None


def check_money_time(t: object, now: float) -> tuple[float, float | None]:
    """(time to count, the time sent when it was clamped) for an order or a refund arriving at `now`."""
    f = real_time(t)
    if f is None:
        raise Invalid(BAD_TIME, f"time {_show(t)} is not between 1970 and 9999")
    if f > now + FUTURE_LIMIT:
        raise Invalid(FUTURE, f"time {f:.0f} is more than {FUTURE_LIMIT / 3600:.0f} h after it arrived")
    if f > now + FUTURE_SKEW:
        return now, f
    return f, None


def quiet_time(t: object, now: float) -> float:
    """The time of a chat line or a viewer count: as sent when it can be true, else `now`."""
    f = real_time(t)
    return f if f is not None and f <= now + FUTURE_SKEW else now


def _line(li: object, currency: str, n: int) -> LineItem:
    if not isinstance(li, LineItem) or not isinstance(li.sku, str) or not isinstance(li.title, str):
        raise Invalid(BAD_LINES, f"line {n} is not a line item with a text SKU and title")
    check_quantity(li.qty)
    check_amount(li.price, currency, f"line {n} price")
    return li


def validate_order(order: Order, now: float) -> Verdict:
    check_id(order.id)
    cur = check_currency(order.currency)
    if not isinstance(order.items, (tuple, list)):
        raise Invalid(BAD_LINES, f"line items {_show(order.items)} are not a list")
    if len(order.items) > MAX_LINES:
        raise Invalid(TOO_MANY_LINES, f"{len(order.items)} lines; the most is {MAX_LINES}")
    kept = tuple(_line(li, cur, n) for n, li in enumerate(order.items, 1)
                 if not (isinstance(li, LineItem) and type(li.qty) is int and li.qty == 0))
    check_amount(order.total, cur, "total")
    at, clamped = check_money_time(order.created_at, now)
    if kept != order.items or at != order.created_at:
        order = dataclasses.replace(order, items=kept, created_at=at)
    return Verdict(order, clamped_from=clamped)


def validate_refund(refund: Refund, now: float) -> Verdict:
    check_id(refund.order_id)
    cur = check_currency(refund.currency)
    check_amount(refund.amount, cur, "refund")
    at, clamped = check_money_time(refund.at, now)
    return Verdict(refund if clamped is None else dataclasses.replace(refund, at=at), clamped_from=clamped)


def validate_cancellation(cancel: Cancellation, now: float) -> Verdict:
    check_id(cancel.order_id)
    at, clamped = check_money_time(cancel.at, now)
    return Verdict(cancel if clamped is None else dataclasses.replace(cancel, at=at), clamped_from=clamped)


def validate_chat(msg: ChatMessage, now: float) -> Verdict:
    if msg.amount is not None:
        cur = check_currency(msg.currency)
        check_amount(msg.amount, cur, "paid amount")
    at = quiet_time(msg.at, now)
    return Verdict(msg if at == msg.at else dataclasses.replace(msg, at=at))


def validate_viewers(v: ViewerCount, now: float) -> Verdict:
    if isinstance(v.count, bool) or not isinstance(v.count, int) or not 0 <= v.count <= MAX_VIEWERS:
        raise Invalid(BAD_VIEWERS, f"viewer count {_show(v.count)} is not 0–{MAX_VIEWERS}")
    at = quiet_time(v.at, now)
    return Verdict(v if at == v.at else dataclasses.replace(v, at=at))


def validate(event: Any, now: float) -> Verdict:
    """The verdict on one event arriving at `now` (wall-clock epoch seconds). Events that carry no
    money, count or time of the show (connector states, pins) pass as they are."""
    try:
        if isinstance(event, Order):
            return validate_order(event, now)
        if isinstance(event, ChatMessage):
            return validate_chat(event, now)
        if isinstance(event, ViewerCount):
            return validate_viewers(event, now)
        if isinstance(event, Refund):
            return validate_refund(event, now)
        if isinstance(event, Cancellation):
            return validate_cancellation(event, now)
    except Invalid as e:
        return Verdict(None, e.reason, e.detail)
    return Verdict(event)


def event_kind(event: Any) -> str:
    """The word for an event in the rejected counts: order, chat, viewers, refund, cancellation."""
    return {Order: "order", ChatMessage: "chat", ViewerCount: "viewers", Refund: "refund",
            Cancellation: "cancellation"}.get(type(event), type(event).__name__)


def event_id(event: Any) -> str:
    """The event's own id, for the session log's notes about it ("" when it has none)."""
    if isinstance(event, (Refund, Cancellation)):
        return f"{event.order_id}/{getattr(event, 'id', '')}"
    return str(getattr(event, "id", ""))


def rejection_key(event: Any, detail: str) -> str:
    """What a refused event is remembered by, so a platform sending it again is not logged again: its
    id, or for an event without one (a viewer count) what was wrong with it."""
    return (event_id(event) or detail)[:MAX_ID]
