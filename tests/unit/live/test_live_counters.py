"""Counters: order de-duplication, exact GMV per currency, attribution to the product pinned at creation."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from studio.live.counters import Counters, PinTimeline, gmv_by_currency, unique_orders
from studio.live.events import ChatMessage, LineItem, Order

money = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999.99"), places=2, allow_nan=False,
                    allow_infinity=False)
orders_st = st.builds(
    lambda oid, src, cur, price, qty, t: Order(src, str(oid), t, cur, (LineItem(f"S{oid % 5}", qty, price),),
                                               price * qty),
    st.integers(0, 40), st.sampled_from(["shopify", "generic"]), st.sampled_from(["USD", "CNY", "EUR"]),
    money, st.integers(1, 5), st.floats(0, 10_000, allow_nan=False))


@settings(max_examples=200, deadline=None)
@given(st.lists(orders_st, max_size=60), st.randoms())
def test_replays_in_any_order_count_each_order_once(orders, rnd):
    replayed = orders + [rnd.choice(orders) for _ in range(len(orders))] if orders else []
    c = Counters()
    for o in replayed:
        c.add_order(o)
    uniq = unique_orders(replayed)
    assert c.orders == len({(o.source, o.id) for o in orders}) == len(uniq)
    assert c.gmv == dict(gmv_by_currency(uniq))
    assert c.units == sum(li.qty for o in uniq for li in o.items)


@settings(max_examples=200, deadline=None)
@given(st.lists(money, max_size=100))
def test_gmv_is_exact_decimal(amounts):
    orders = [Order("x", str(i), 0.0, "CNY", (), a) for i, a in enumerate(amounts)]
    got = gmv_by_currency(orders).get("CNY", Decimal(0))
    assert got == sum(amounts, Decimal(0))
    assert str(got) == str(sum(amounts, Decimal(0)))  # no float rounding anywhere


def test_gmv_is_kept_per_currency_never_mixed():
    c = Counters()
    c.add_order(Order("a", "1", 0, "USD", (), Decimal("0.10")))
    c.add_order(Order("a", "2", 0, "USD", (), Decimal("0.20")))
    c.add_order(Order("a", "3", 0, "CNY", (), Decimal("99.00")))
    assert c.totals()["gmv"] == {"CNY": "99.00", "USD": "0.30"}


def test_order_is_attributed_to_the_product_pinned_when_it_was_created():
    c = Counters()
    c.pin("TEA", 100.0)
    c.pin("SCARF", 200.0)      # pinning another closes the first
    c.unpin("SCARF", 300.0)
    # the order created at 150 arrives late (a polling connector), after SCARF was pinned
    c.add_order(Order("s", "1", 150.0, "CNY", (LineItem("SCARF", 1, Decimal("1")),), Decimal("1")))
    c.add_order(Order("s", "2", 250.0, "CNY", (LineItem("TEA", 1, Decimal("1")),), Decimal("1")))
    c.add_order(Order("s", "3", 350.0, "CNY", (LineItem("TEA", 1, Decimal("1")),), Decimal("1")))
    c.add_order(Order("s", "4", 160.0, "CNY", (LineItem("TEA", 2, Decimal("3")),), Decimal("6")))
    t = {p["sku"]: p for p in c.totals(400.0)["products"]}
    # a product's own orders while it was pinned: TEA's order 4; SCARF's order 1 came while TEA was pinned
    assert t["TEA"]["orders_while_pinned"] == 1 and t["TEA"]["units_while_pinned"] == 2
    assert t["TEA"]["gmv_while_pinned"] == {"CNY": "6"}
    assert t["SCARF"]["orders_while_pinned"] == 0   # order 2 (TEA) was placed while SCARF was pinned
    # the show-wide figure: every order placed while it was pinned, whatever it bought
    assert t["TEA"]["all_orders_while_pinned"] == 2 and t["SCARF"]["all_orders_while_pinned"] == 1
    assert t["TEA"]["orders"] == 3 and t["SCARF"]["orders"] == 1
    assert t["TEA"]["pinned_seconds"] == 100.0 and t["SCARF"]["pinned_seconds"] == 100.0
    assert t["TEA"]["orders_per_minute_pinned"] == 0.6


@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C", None]), st.floats(0, 1000, allow_nan=False)),
                max_size=30), st.floats(0, 1000, allow_nan=False))
def test_pin_timeline_matches_a_brute_force_replay(ops, t):
    ops = sorted(ops, key=lambda o: o[1])
    tl = PinTimeline()
    for sku, at in ops:
        tl.pin(sku, at) if sku else tl.unpin(None, at)
    expected = None
    for sku, at in ops:
        if at <= t:
            expected = sku
    assert tl.sku_at(t) == expected


def test_chat_is_deduplicated_by_id_and_the_overlay_buffer_is_bounded():
    c = Counters()
    for i in range(500):
        c.add_chat(ChatMessage("tw", f"m{i}", "a", "b", 0.0))
        c.add_chat(ChatMessage("tw", f"m{i}", "a", "b", 0.0))
    c.add_chat(ChatMessage("gen", "", "a", "no id", 0.0))
    c.add_chat(ChatMessage("gen", "", "a", "no id", 0.0))
    assert c.chat_messages == 502 and len(c.recent_chat) == 50


def test_peak_viewers_sums_the_latest_count_of_each_source():
    from studio.live.events import ViewerCount

    c = Counters()
    for src, n in (("yt", 100), ("tw", 50), ("yt", 80), ("tw", 10)):
        c.add_viewers(ViewerCount(src, n, 0.0))
    assert c.peak_viewers == 150


def test_a_secret_echoed_into_chat_is_masked_before_the_log_and_the_screen(tmp_path):
    from studio.core.events import EventBus
    from studio.core.secrets import register_secret
    from studio.live.events import ChatMessage
    from studio.live.session import LiveSession
    from studio.live.session_log import read_rows

    register_secret("echoed-stream-key-123")
    bus, shown = EventBus(), []
    bus.subscribe(ChatMessage, shown.append)
    session = LiveSession(tmp_path / "log.sqlite", bus)
    session.handle(ChatMessage("demo", "m1", "bot", "your key is echoed-stream-key-123 lol"))
    assert shown[0].text == "your key is **** lol"
    assert all(b"echoed-stream-key-123" not in f.read_bytes() for f in tmp_path.iterdir())  # db and WAL
    assert all("echoed-stream-key-123" not in str(row) for row in read_rows(tmp_path / "log.sqlite"))
