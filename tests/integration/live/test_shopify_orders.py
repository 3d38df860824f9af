"""Shopify orders connector against a local Admin REST orders.json server."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from studio.core.errors import UserError
from studio.live.connectors.shopify import ShopifyOrders
from studio.live.counters import Counters
from studio.live.events import BACKOFF, FAILED

from .conftest import run_connector
from .servers.shopify import TOKEN, VERSION, FakeShopify, sample_order

NOW = "2030-01-01T10:00:00-05:00"


def make(base: str, **kw: str) -> ShopifyOrders:
    return ShopifyOrders({"shop": "teashop", "api_base": base, "version": VERSION, "interval": "0.05",
                          "retry": "0.02", "since": "2029-12-31T00:00:00Z", **kw})


def counted(orders) -> Counters:
    c = Counters()
    for o in orders:
        c.add_order(o)
    return c


def test_first_poll_uses_created_at_min_then_since_id(shopify_token):
    orders = [sample_order(450789469 + i, created_at=NOW) for i in range(3)]
    orders.append(sample_order(100, created_at="2008-01-10T11:00:00-05:00"))  # before the show: not asked for
    with FakeShopify(orders, page_size=250) as shop:
        ev = run_connector(make(shop.base), lambda e: len(shop.requests) >= 2)
        first, second = shop.requests[0].query, shop.requests[1].query
    assert first["created_at_min"] == "2029-12-31T00:00:00+00:00" and "since_id" not in first
    assert first["status"] == "any" and second["since_id"] == "450789471" and "created_at_min" not in second
    assert {o.id for o in ev.orders} == {"450789469", "450789470", "450789471"}


def test_order_maps_line_items_by_sku_with_exact_money(shopify_token):
    with FakeShopify([sample_order(450789469, created_at=NOW, qty=2)]) as shop:
        ev = run_connector(make(shop.base), lambda e: len(e.orders) >= 1)
    o = ev.orders[0]
    assert o.currency == "USD" and o.total == Decimal("409.94")
    assert o.items[0].sku == "IPOD-342-N" and o.items[0].qty == 2 and o.items[0].price == Decimal("199.99")
    assert o.created_at == 1893510000.0


def test_link_pagination_with_duplicates_across_pages_counts_each_order_once(shopify_token):
    orders = [sample_order(1000 + i, created_at=NOW, total="10.10") for i in range(7)]
    with FakeShopify(orders, page_size=2, repeat_on_next_page=True) as shop:
        ev = run_connector(make(shop.base), lambda e: len({o.id for o in e.orders}) >= 7 and len(shop.requests) >= 6)
        page_requests = [r for r in shop.requests if "page_info" in r.query]
    assert page_requests and all(set(r.query) <= {"page_info", "limit"} for r in page_requests)
    assert len(ev.orders) > 7  # the fake repeated orders across pages
    c = counted(ev.orders)
    assert c.orders == 7 and c.gmv == {"USD": Decimal("70.70")} and c.units == 7


def test_new_orders_arriving_between_polls_are_picked_up_once(shopify_token):
    orders = [sample_order(2000, created_at=NOW)]
    with FakeShopify(orders) as shop:
        def until(e):
            if len(shop.requests) >= 3 and len(shop.orders) == 1:
                shop.orders.append(sample_order(2001, created_at=NOW))
            return len({o.id for o in e.orders}) >= 2 and len(shop.requests) >= 6
        ev = run_connector(make(shop.base), until)
    assert counted(ev.orders).orders == 2
    assert sum(1 for o in ev.orders if o.id == "2000") == 1  # since_id keeps old orders from coming back


def test_429_honours_retry_after(shopify_token):
    with FakeShopify([sample_order(3000, created_at=NOW)], faults=["429"], retry_after="0.3") as shop:
        t0 = time.monotonic()
        ev = run_connector(make(shop.base), lambda e: len(e.orders) >= 1)
        elapsed = time.monotonic() - t0
    b = [s for s in ev.states if s.state == BACKOFF][0]
    assert "429" in b.message and b.retry_in == 0.3 and elapsed >= 0.3


def test_leaky_bucket_nearly_full_slows_the_next_call(shopify_token):
    orders = [sample_order(4000 + i, created_at=NOW) for i in range(4)]
    with FakeShopify(orders, page_size=2, call_limit=(39, 40)) as shop:
        ev = run_connector(make(shop.base, leak_rate="200"), lambda e: len(shop.requests) >= 3)
    # 39/40 → wait (39-20)/200 = 95 ms before each call
    assert len(ev.orders) == 4
    with FakeShopify(orders, page_size=2, call_limit=(39, 40)) as shop:
        t0 = time.monotonic()
        run_connector(make(shop.base, leak_rate="40"), lambda e: len(shop.requests) >= 3)
        assert time.monotonic() - t0 >= 2 * 19 / 40 * 0.9


@pytest.mark.parametrize("fault,expect", [("500", "server error 500"), ("html", "server error 503"),
                                          ("truncated", "malformed JSON"), ("redirect", "redirect")])
def test_broken_responses_back_off_and_recover(shopify_token, fault, expect):
    with FakeShopify([sample_order(5000, created_at=NOW)], faults=[fault, fault]) as shop:
        ev = run_connector(make(shop.base), lambda e: len(e.orders) >= 1)
    msgs = [s.message for s in ev.states if s.state == BACKOFF]
    assert len(msgs) == 2 and expect in msgs[0]
    assert TOKEN not in " ".join(s.message for s in ev.states)


def test_bad_token_fails_without_leaking_it(monkeypatch):
    monkeypatch.setenv("STUDIO_SHOPIFY_TOKEN", "shpat_wrongwrongwrong")
    with FakeShopify([]) as shop:
        ev = run_connector(make(shop.base), lambda e: False, timeout=5)
    assert FAILED in ev.state_names() and len(shop.requests) == 1
    assert "shpat_wrongwrongwrong" not in repr(list(ev))


def test_cancelled_and_malformed_orders_are_not_counted(shopify_token):
    good = sample_order(6002, created_at=NOW)
    cancelled = sample_order(6000, created_at=NOW, cancelled_at="2030-01-01T10:05:00-05:00")
    bad = sample_order(6001, created_at=NOW, total="lots")
    with FakeShopify([cancelled, bad, good], page_size=250) as shop:
        ev = run_connector(make(shop.base), lambda e: len(shop.requests) >= 2)
    assert [o.id for o in ev.orders] == ["6002"]


def test_missing_sku_is_kept_as_empty(shopify_token):
    with FakeShopify([sample_order(7000, created_at=NOW, sku=None)]) as shop:
        ev = run_connector(make(shop.base), lambda e: len(e.orders) >= 1)
    assert ev.orders[0].items[0].sku == ""


def test_api_base_must_be_scheme_and_host_only(shopify_token):
    with pytest.raises(UserError):
        make("http://127.0.0.1:1/admin")
