"""The rules of money, counts and time at the door of the show (studio.live.validate), as properties:
each is checked against an oracle written another way (quantize under a huge context, plain range
tests), over arbitrary Decimals (huge, tiny, NaN, signed), integers up to 10^31, floats, text, any
currency string and any time."""

from __future__ import annotations

import decimal
import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.commerce.money import ISO_4217 as COMMERCE_ISO_4217
from studio.live import validate as v
from studio.live.events import Cancellation, ChatMessage, LineItem, Order, Refund, ViewerCount

PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = 1_750_000_000.0

HUGE = st.builds(lambda digits, exp: Decimal(f"{digits}E{exp}"),
                 st.integers(min_value=0, max_value=10**40), st.integers(min_value=-10**6, max_value=10**6))
LONG = st.builds(lambda n, frac: Decimal("9" * n + ("." + "1" * frac if frac else "")),
                 st.integers(min_value=1, max_value=5000), st.integers(min_value=0, max_value=40))
PLAIN = st.decimals(min_value=-10**10, max_value=10**10, allow_nan=False, allow_infinity=False, places=4)
DECIMALS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True), PLAIN, HUGE, LONG,
    st.sampled_from([Decimal("-0"), Decimal("0E-1000"), Decimal("999999999.99"), Decimal("1000000000"),
                     Decimal("1.50"), Decimal("1.5"), Decimal("1.001"), Decimal("sNaN"), Decimal("-Infinity"),
                     Decimal("1E+999999"), Decimal("1E-999999"), Decimal("-0.01")]),
)
AMOUNTS = st.one_of(DECIMALS, st.integers(min_value=-(10**31), max_value=10**31), st.booleans(),
                    st.floats(allow_nan=True, allow_infinity=True), st.none(), st.text(max_size=5))
CURRENCIES = st.one_of(st.sampled_from(sorted(v.ISO_4217)), st.from_regex(r"[A-Z]{3}", fullmatch=True),
                       st.text(max_size=4), st.sampled_from(["usd", "XAU", "XXX", "", "US D", "JPY\n"]),
                       st.none(), st.integers())
QUANTITIES = st.one_of(st.integers(min_value=-(10**31), max_value=10**31),
                       st.sampled_from([0, 1, -1, v.MAX_QTY, v.MAX_QTY + 1, 10**30, True, False, 1.0, None]),
                       st.floats(allow_nan=True))
TIMES = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                  st.integers(min_value=-(10**20), max_value=10**20),
                  st.floats(min_value=NOW - 10**6, max_value=NOW + 2 * 86_400),
                  st.sampled_from([0, 0.0, -0.0, -1e-9, v.YEAR_10000, v.YEAR_10000 - 1, 253_402_300_799.0,
                                   NOW + v.FUTURE_SKEW, NOW + v.FUTURE_SKEW + 1e-3, NOW + v.FUTURE_LIMIT,
                                   NOW + v.FUTURE_LIMIT + 1e-3, 10**400, True, None, "2030-01-01"]))


def amount_ok(value: object, currency: str) -> bool:
    """The oracle: an exact number, finite, 0 ≤ x < 10^9, equal to itself quantized to the currency."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        return False
    d = Decimal(value)
    if not d.is_finite() or d < 0 or d >= 10**9:
        return False
    with decimal.localcontext() as ctx:
        ctx.prec = 20_000
        ctx.traps[decimal.InvalidOperation] = False
        try:
            return d == d.quantize(Decimal(1).scaleb(-v.ISO_4217[currency]))
        except decimal.InvalidOperation:  # pragma: no cover - the context is wide enough
            return False


def time_kind(t: object, now: float) -> str:
    """The oracle for an order's time: "reject", "clamp" or "keep"."""
    if isinstance(t, bool) or not isinstance(t, (int, float)):
        return "reject"
    try:
        f = float(t)
    except OverflowError:
        return "reject"
    if math.isnan(f) or not 0 <= f < 253_402_300_800 or f > now + 86_400:
        return "reject"
    return "clamp" if f > now + 300 else "keep"


# -- the table -----------------------------------------------------------------------------------------

def test_the_currency_table_is_iso_4217_with_its_minor_units():
    assert all(len(c) == 3 and c.isascii() and c.isupper() for c in v.ISO_4217)
    want = {"USD": 2, "CNY": 2, "EUR": 2, "JPY": 0, "KRW": 0, "KWD": 3, "BHD": 3, "CLF": 4, "VND": 0}
    assert {c: v.ISO_4217[c] for c in want} == want
    assert not {"XAU", "XXX", "XTS", "XDR", "ABC"} & set(v.ISO_4217)


def test_commerce_and_live_share_one_currency_table():
    # studio.commerce and studio.live may not import each other: the table is written twice, kept equal here
    assert COMMERCE_ISO_4217 is v.ISO_4217   # one table (studio/core/currency.py)


# -- money, quantities, currencies, times -------------------------------------------------------------

@PROPS
@given(AMOUNTS, st.sampled_from(["USD", "JPY", "KWD", "CLF", "CNY"]))
def test_an_amount_is_accepted_exactly_when_it_can_be_money(value, currency):
    if amount_ok(value, currency):
        assert v.check_amount(value, currency, "price") == value
    else:
        with pytest.raises(v.Invalid) as e:
            v.check_amount(value, currency, "price")
        assert e.value.reason in v.REASONS and len(e.value.detail) < 200


@PROPS
@given(QUANTITIES)
def test_a_quantity_is_a_whole_number_from_1_to_the_bound(qty):
    ok = type(qty) is int and 1 <= qty <= v.MAX_QTY
    if ok:
        assert v.check_quantity(qty) == qty
    else:
        with pytest.raises(v.Invalid):
            v.check_quantity(qty)


@PROPS
@given(CURRENCIES)
def test_only_codes_of_the_list_are_currencies(code):
    if isinstance(code, str) and code in v.ISO_4217:
        assert v.check_currency(code) == code
    else:
        with pytest.raises(v.Invalid) as e:
            v.check_currency(code)
        assert e.value.reason == v.UNKNOWN_CURRENCY


NOWS = st.one_of(st.just(NOW), st.floats(min_value=1e9, max_value=4e9))
NEAR = st.sampled_from([-86_400.0, -1.0, 0.0, 299.999, 300.0, 300.001, 86_399.9, 86_400.0, 86_400.001,
                        86_401.0])
AROUND_NOW = st.one_of(TIMES, st.builds(lambda off: NOW + off, st.one_of(NEAR, st.floats(-1e6, 3 * 86_400.))))


@PROPS
@given(AROUND_NOW, NOWS)
def test_an_order_time_is_kept_clamped_or_refused(t, now):
    kind = time_kind(t, now)
    if kind == "reject":
        with pytest.raises(v.Invalid) as e:
            v.check_money_time(t, now)
        assert e.value.reason in (v.BAD_TIME, v.FUTURE)
    elif kind == "clamp":
        assert v.check_money_time(t, now) == (now, float(t))
    else:
        assert v.check_money_time(t, now) == (float(t), None)


@PROPS
@given(AROUND_NOW, NOWS)
def test_chat_and_viewer_times_are_always_a_real_time_not_after_arrival(t, now):
    at = v.quiet_time(t, now)
    assert 0 <= at < v.YEAR_10000 and at <= now + v.FUTURE_SKEW
    kind = time_kind(t, now)
    assert at == (float(t) if kind == "keep" else now)


def test_decimal_places_are_counted_without_rounding():
    assert v.decimal_places(Decimal("1.50")) == 1
    assert v.decimal_places(Decimal("100")) == 0 and v.decimal_places(Decimal("1E+5")) == 0
    assert v.decimal_places(Decimal("0E-99")) == 0
    # 1 + 10^-40 has 40 places; normalize() under the default 28-digit context would say 0
    assert v.decimal_places(Decimal("1." + "0" * 39 + "1")) == 40


# -- whole events ---------------------------------------------------------------------------------------

LINES = st.lists(st.builds(LineItem, sku=st.one_of(st.text(max_size=6), st.none()), qty=QUANTITIES,
                           price=AMOUNTS, title=st.just("")), max_size=4)


@PROPS
@given(CURRENCIES, LINES, AMOUNTS, TIMES, st.text(max_size=3))
def test_an_order_is_counted_only_when_every_rule_holds(currency, lines, total, created, oid):
    order = Order("shop", oid, created, currency, tuple(lines), total)
    verdict = v.validate(order, NOW)
    cur_ok = isinstance(currency, str) and currency in v.ISO_4217
    kept = [li for li in lines if not (type(li.qty) is int and li.qty == 0)]
    ok = (bool(oid) and cur_ok and amount_ok(total, currency) and time_kind(created, NOW) != "reject"
          and all(isinstance(li.sku, str) and type(li.qty) is int and 1 <= li.qty <= v.MAX_QTY
                  and amount_ok(li.price, currency) for li in kept))
    assert verdict.rejected is (not ok), verdict
    if ok:
        out = verdict.event
        assert isinstance(out, Order) and out.items == tuple(kept)     # a line of quantity 0 bought nothing
        assert out.total == total and 0 <= out.created_at <= NOW + v.FUTURE_SKEW
        assert (verdict.clamped_from is not None) is (time_kind(created, NOW) == "clamp")
    else:
        assert verdict.reason in v.REASONS and verdict.event is None


def test_every_hostile_order_of_the_issue_is_refused_with_its_reason():
    line = (LineItem("TEA", 1, Decimal("9.90")),)
    cases = {
        v.NEGATIVE: [Order("s", "1", NOW, "USD", (LineItem("TEA", 1, Decimal("-9.90")),), Decimal("1")),
                     Order("s", "2", NOW, "USD", line, Decimal("-9.90"))],
        v.TOO_MANY: [Order("s", "3", NOW, "USD", (LineItem("TEA", 10**30, Decimal("1")),), Decimal("1"))],
        v.FUTURE: [Order("s", "4", 253_402_214_400.0, "USD", line, Decimal("9.90"))],   # 9999-12-31
        v.BAD_TIME: [Order("s", "5", math.nan, "USD", line, Decimal("9.90")),
                     Order("s", "6", -1.0, "USD", line, Decimal("9.90"))],
        v.UNKNOWN_CURRENCY: [Order("s", "7", NOW, "XYZ", line, Decimal("9.90"))],
        v.TOO_PRECISE: [Order("s", "8", NOW, "JPY", (LineItem("TEA", 1, Decimal("1.5")),), Decimal("2"))],
        v.TOO_LARGE: [Order("s", "9", NOW, "USD", line, Decimal("1E+12"))],
        v.NOT_A_NUMBER: [Order("s", "10", NOW, "USD", line, Decimal("NaN"))],
        v.BAD_QUANTITY: [Order("s", "11", NOW, "USD", (LineItem("TEA", -2, Decimal("1")),), Decimal("1"))],
    }
    for reason, orders in cases.items():
        for order in orders:
            verdict = v.validate(order, NOW)
            assert verdict.rejected and verdict.reason == reason, (order, verdict)


def test_a_refund_is_money_back_never_a_negative_order():
    ok = v.validate(Refund("shop", "450789469", Decimal("19.99"), "USD", NOW), NOW)
    assert not ok.rejected
    for bad in (Refund("shop", "1", Decimal("-5"), "USD", NOW), Refund("shop", "1", Decimal("5"), "XYZ", NOW),
                Refund("shop", "", Decimal("5"), "USD", NOW),
                Refund("shop", "1", Decimal("5.001"), "USD", NOW)):
        assert v.validate(bad, NOW).rejected, bad
    ahead = v.validate(Refund("shop", "1", Decimal("5"), "USD", NOW + 3600), NOW)
    assert ahead.event.at == NOW and ahead.clamped_from == NOW + 3600
    assert v.validate(Cancellation("shop", "1", NOW), NOW).event == Cancellation("shop", "1", NOW)
    assert v.validate(Cancellation("shop", "1", math.inf), NOW).rejected


@PROPS
@given(st.one_of(st.none(), AMOUNTS), CURRENCIES, TIMES)
def test_a_paid_chat_line_carries_real_money_in_a_real_currency(amount, currency, at):
    msg = ChatMessage("yt", "m1", "a", "hi", at=at, kind="superchat" if amount is not None else "text",
                      amount=amount, currency=currency)
    verdict = v.validate(msg, NOW)
    cur_ok = isinstance(currency, str) and currency in v.ISO_4217
    ok = amount is None or (cur_ok and amount_ok(amount, currency))
    assert verdict.rejected is (not ok)
    if ok:
        assert verdict.event.at <= NOW + v.FUTURE_SKEW and verdict.event.text == "hi"


@PROPS
@given(QUANTITIES, TIMES)
def test_a_viewer_count_is_a_whole_number_within_bounds(count, at):
    verdict = v.validate(ViewerCount("yt", count, at), NOW)
    ok = type(count) is int and 0 <= count <= v.MAX_VIEWERS
    assert verdict.rejected is (not ok)
