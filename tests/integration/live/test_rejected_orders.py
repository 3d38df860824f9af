"""Hostile orders through a real LiveSession and its SQLite log, then the report rebuilt from that log:
GMV, units and orders count only what can be true; every refused event is logged once with its
reason and counted as rejected; refunds are counted apart and never taken off GMV."""

from __future__ import annotations

import math
import random
import sqlite3
import time
from collections import Counter
from decimal import Decimal

import pytest

from studio.live.events import Cancellation, ChatMessage, LineItem, Order, Refund, ViewerCount
from studio.live.report import build_report
from studio.live.report.html import render_html
from studio.live.session import LiveSession
from studio.live.session_log import read_rows
from studio.live.validate import (
    BAD_QUANTITY,
    BAD_TIME,
    BAD_VIEWERS,
    FUTURE,
    NEGATIVE,
    NOT_A_NUMBER,
    TOO_LARGE,
    TOO_MANY,
    TOO_PRECISE,
    UNKNOWN_CURRENCY,
)

SKUS = ["TEA", "MUG", "SCARF"]


def _hostile(rng: random.Random, i: int, now: float) -> tuple[str, Order]:
    """One order that cannot be true, and the reason it must be refused for; the values are drawn."""
    good = LineItem(rng.choice(SKUS), rng.randint(1, 5), Decimal(rng.randint(1, 99_999)) / 100)
    total = good.price * good.qty
    oid = f"bad-{i}"
    kind = rng.randrange(10)
    if kind == 0:
        return NEGATIVE, Order("shop", oid, now, "USD", (LineItem("TEA", 1, -good.price),), total)
    if kind == 1:
        return NEGATIVE, Order("shop", oid, now, "USD", (good,), -total - Decimal("0.01"))
    if kind == 2:
        qty = rng.choice([10**30, 10**6, 100_001 + rng.randrange(10**9)])
        return TOO_MANY, Order("shop", oid, now, "USD", (LineItem("TEA", qty, good.price),), total)
    if kind == 3:  # the year 9999, or any day more than a day ahead
        t = rng.choice([253_402_214_400.0, now + 86_400 * rng.uniform(1.01, 10**5)])
        return FUTURE, Order("shop", oid, t, "USD", (good,), total)
    if kind == 4:
        t = rng.choice([math.nan, math.inf, -math.inf, -rng.uniform(1, 1e9), 1e300])
        return BAD_TIME, Order("shop", oid, t, "USD", (good,), total)
    if kind == 5:
        code = rng.choice(["XYZ", "usd", "US", "", "RMB", "BTC"])
        return UNKNOWN_CURRENCY, Order("shop", oid, now, code, (good,), total)
    if kind == 6:  # more decimals than the currency has
        cur, price = rng.choice([("USD", "1.001"), ("JPY", "99.5"), ("KWD", "0.0001"), ("CNY", "9.999")])
        return TOO_PRECISE, Order("shop", oid, now, cur, (LineItem("TEA", 1, Decimal(price)),), Decimal(1))
    if kind == 7:
        big = Decimal(10) ** rng.randint(9, 5000)
        return TOO_LARGE, Order("shop", oid, now, "USD", (good,), big)
    if kind == 8:
        return NOT_A_NUMBER, Order("shop", oid, now, "USD", (good,), Decimal(rng.choice(["NaN", "Infinity"])))
    negative = LineItem("TEA", -rng.randint(1, 10), good.price)
    return BAD_QUANTITY, Order("shop", oid, now, "USD", (negative,), total)


@pytest.mark.parametrize("seed", range(3))
def test_only_orders_that_can_be_true_reach_gmv_and_the_rest_are_rejected_once(tmp_path, seed):
    rng = random.Random(seed)
    log = tmp_path / "show.sqlite"
    s = LiveSession(log)
    now = time.time()
    valid: list[Order] = []
    want_reasons: Counter[str] = Counter()
    for i in range(rng.randint(20, 40)):
        items = tuple(LineItem(sku, rng.randint(1, 4), Decimal(rng.randint(1, 20_000)) / 100)
                      for sku in rng.sample(SKUS, rng.randint(1, 2)))
        if rng.random() < 0.2:  # a line removed by an edit: quantity 0, dropped, the order still counts
            items += (LineItem("MUG", 0, Decimal("5.00")),)
        o = Order("shop", f"ok-{i}", time.time(), "USD", items,
                  sum((li.price * li.qty for li in items), Decimal(0)) + Decimal(rng.randint(0, 900)) / 100)
        valid.append(o)
        assert s.handle(o, republish=False)
    hostile = [_hostile(rng, i, now) for i in range(rng.randint(15, 30))]
    for reason, o in hostile:
        want_reasons[reason] += 1
        assert not s.handle(o, republish=False)
        assert not s.handle(o, republish=False)   # the platform sends it again: not logged again
    # not money, but impossible all the same
    s.handle(ViewerCount("yt", -5), republish=False)
    s.handle(ViewerCount("yt", 10**12), republish=False)
    s.handle(ChatMessage("yt", "sc1", "a", "hi", kind="superchat", amount=Decimal("-100"), currency="USD"),
             republish=False)
    s.handle(ChatMessage("yt", "sc2", "a", "hi", kind="superchat", amount=Decimal("5"), currency="XYZ"),
             republish=False)
    assert s.handle(ChatMessage("yt", "c1", "a", "多少钱", at=math.nan), republish=False)   # clamped, shown
    assert s.handle(ViewerCount("yt", 42), republish=False)
    # refunds and cancellations: their own events, never a negative order, never taken off GMV
    assert s.handle(Refund("shop", "ok-0", Decimal("3.50"), "USD", now, id="r1"), republish=False)
    assert not s.handle(Refund("shop", "ok-0", Decimal("3.50"), "USD", now, id="r1"), republish=False)
    assert s.handle(Refund("shop", "ok-1", Decimal("1000"), "JPY", now, id="r2"), republish=False)
    assert not s.handle(Refund("shop", "ok-2", Decimal("-9"), "USD", now, id="r3"), republish=False)
    assert s.handle(Cancellation("shop", "ok-3", now), republish=False)
    # an order from a clock running an hour ahead: counted at its arrival, flagged
    ahead = Order("shop", "ahead", now + 3600, "USD", (LineItem("TEA", 1, Decimal("1.00")),), Decimal("1.00"))
    assert s.handle(ahead, republish=False)
    valid.append(ahead)
    live_totals = s.snapshot()
    s.close()

    t = build_report(log).totals()
    for totals in (t, live_totals):       # what the window showed, and what the report says afterwards
        assert totals["orders"] == len(valid)
        assert Decimal(totals["gmv"]["USD"]) == sum((o.total for o in valid), Decimal(0))
        assert totals["units"] == sum(li.qty for o in valid for li in o.items)
        assert totals["rejected"]["orders"] == len(hostile)
        assert totals["rejected"]["viewers"] == 2 and totals["rejected"]["chat"] == 2
        assert totals["rejected"]["refunds"] == 1
        reasons = Counter(want_reasons)
        reasons[BAD_VIEWERS] += 2
        reasons[NEGATIVE] += 2          # the negative paid chat and the negative refund
        reasons[UNKNOWN_CURRENCY] += 1  # the paid chat in XYZ
        assert totals["rejected"]["reasons"] == dict(sorted(reasons.items()))
        assert totals["refunds"] == {"count": 2, "amount": {"JPY": "1000", "USD": "3.50"}}
        assert totals["cancellations"] == 1 and totals["clamped"] == 1
        assert totals["peak_viewers"] == 42
    assert t["show_seconds"] < 60      # the year 9999 did not stretch the show
    rows = list(read_rows(log))
    marks = Counter(r[5].get("what") for r in rows if r[2] == "session")
    assert marks["rejected"] == len(hostile) + 5 and marks["clamped"] == 1
    assert marks["refund"] == 2 and marks["cancel"] == 1
    assert sum(1 for r in rows if r[2] == "order") == len(valid)
    assert max(r[4] for r in rows if r[2] == "order") <= time.time() + 1    # nothing dated ahead in the log


def test_a_restarted_show_remembers_what_it_refused(tmp_path):
    log = tmp_path / "show.sqlite"
    bad = Order("shop", "b1", time.time(), "USD", (LineItem("TEA", 10**30, Decimal("1")),), Decimal("1"))
    s1 = LiveSession(log)
    s1.handle(bad, republish=False)
    s1.handle(Refund("shop", "o1", Decimal("2.00"), "USD", id="r1"), republish=False)
    s1.close()
    s2 = LiveSession(log)   # the kiosk restarts; the platform replays everything
    assert s2.counters.rejected == {"order": 1} and s2.counters.refunds == 1
    assert not s2.handle(bad, republish=False)
    assert not s2.handle(Refund("shop", "o1", Decimal("2.00"), "USD", id="r1"), republish=False)
    s2.close()
    rows = [r[5]["what"] for r in read_rows(log) if r[2] == "session"]
    assert rows.count("rejected") == 1 and rows.count("refund") == 1
    t = build_report(log).totals()
    assert t["rejected"]["orders"] == 1 and t["refunds"]["count"] == 1 and t["orders"] == 0


def test_a_log_written_without_the_rules_cannot_put_them_in_the_report(tmp_path):
    """A log from before validation (or another writer) holding the issue's orders: the report judges
    every row again and counts them as rejected, not as sales."""
    log = tmp_path / "old.sqlite"
    s = LiveSession(log)
    fine = Order("shop", "fine", time.time(), "USD", (LineItem("TEA", 2, Decimal("5.00")),), Decimal("10.00"))
    s.handle(fine, republish=False)
    s.close()
    db = sqlite3.connect(log)
    now = time.time()
    rows = [(now, "order", "shop", 253_402_214_400.0,
             '{"id":"y9999","currency":"USD","total":"5","items":[{"sku":"TEA","qty":1,"price":"5"}]}'),
            (now, "order", "shop", now,
             '{"id":"neg","currency":"USD","total":"-50","items":[{"sku":"TEA","qty":1,"price":"-50"}]}'),
            (now, "order", "shop", now,
             '{"id":"many","currency":"USD","total":"1","items":[{"sku":"TEA","qty":' + str(10**30)
             + ',"price":"1"}]}')]
    db.executemany("INSERT INTO events(logged_at, kind, source, at, data) VALUES (?,?,?,?,?)", rows)
    db.commit()
    db.close()
    t = build_report(log).totals()
    assert t["orders"] == 1 and t["gmv"] == {"USD": "10.00"} and t["units"] == 2
    assert t["rejected"]["orders"] == 3
    assert t["rejected"]["reasons"] == {FUTURE: 1, NEGATIVE: 1, TOO_MANY: 1}
    assert t["between_shows"]["orders"] == 0 and t["pre_live"]["orders"] == 0


def test_the_report_page_names_what_was_refused_in_the_hosts_language(tmp_path):
    log = tmp_path / "show.sqlite"
    s = LiveSession(log)
    s.handle(Order("shop", "neg", time.time(), "USD", (LineItem("TEA", 1, Decimal("-1")),), Decimal("1")),
             republish=False)
    s.handle(Refund("shop", "o1", Decimal("2.00"), "USD", id="r1"), republish=False)
    s.close()
    rep = build_report(log)
    en, zh = render_html(rep, "en"), render_html(rep, "zh_CN")
    assert "Refused" in en and "negative amount: 1" in en and "Refunds</b>: 1 (2.00 USD)" in en
    assert "已拒收" in zh and "金额为负: 1" in zh and "退款" in zh
