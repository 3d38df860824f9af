"""Shopify orders connector against a local Admin API: GraphQL (the default) and REST (`api=rest`)."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest

from studio.core.errors import UserError
from studio.live.connectors.shopify import ShopifyOrders
from studio.live.counters import Counters
from studio.live.events import FeedState

from .conftest import run_connector
from .servers.shopify import TOKEN, VERSION, CostBucket, FakeShopify, sample_order

NOW = "2030-01-01T10:00:00-05:00"


def make(base: str, **kw: str) -> ShopifyOrders:
    """The REST connector (the tests of this first part are about the legacy REST path)."""
    return ShopifyOrders({"shop": "teashop", "api_base": base, "version": VERSION, "interval": "0.05",
                          "retry": "0.02", "since": "2029-12-31T00:00:00Z", "api": "rest", **kw})


def make_gql(base: str, **kw: str) -> ShopifyOrders:
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
        ev = run_connector(make(shop.base),
                           lambda e: len({o.id for o in e.orders}) >= 7 and len(shop.requests) >= 6)
        page_requests = [r for r in shop.requests if "page_info" in r.query]
    assert page_requests and all(set(r.query) <= {"page_info", "limit"} for r in page_requests)
    assert len(ev.orders) == 7  # the fake repeated orders across pages; each was emitted once
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
    b = [s for s in ev.states if s.state == FeedState.BACKOFF][0]
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
    msgs = [s.message for s in ev.states if s.state == FeedState.BACKOFF]
    assert len(msgs) == 2 and expect in msgs[0]
    assert TOKEN not in " ".join(s.message for s in ev.states)


def test_bad_token_fails_without_leaking_it(monkeypatch):
    monkeypatch.setenv("STUDIO_SHOPIFY_TOKEN", "shpat_wrongwrongwrong")
    with FakeShopify([]) as shop:
        ev = run_connector(make(shop.base), lambda e: False, timeout=5)
    assert FeedState.FAILED in ev.state_names() and len(shop.requests) == 1
    assert "token rejected — open Settings → Feeds" in ev.states[-2].message
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


# -- GraphQL Admin API (the default) --------------------------------------------------------------------

def gql_requests(shop: FakeShopify) -> list[dict]:
    return [r.json() for r in shop.requests if r.path.endswith("/graphql.json")]


def test_graphql_is_the_default_and_posts_the_documented_orders_query(shopify_token):
    with FakeShopify([sample_order(450789469, created_at=NOW, qty=2)]) as shop:
        ev = run_connector(make_gql(shop.base), lambda e: len(e.orders) >= 1)
        req = shop.requests[0]
    assert req.method == "POST" and req.path == f"/admin/api/{VERSION}/graphql.json"
    assert req.headers["x-shopify-access-token"] == TOKEN
    assert req.headers["content-type"] == "application/json"
    doc = json.loads(req.body)
    assert "orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT)" in doc["query"]
    assert "lineItems(first: 50)" in doc["query"] and "pageInfo { hasNextPage endCursor }" in doc["query"]
    assert doc["variables"] == {"first": 6, "after": None, "query": "created_at:>='2029-12-31T00:00:00Z'"}
    o = ev.orders[0]
    assert o.id == "450789469" and o.currency == "USD" and o.total == Decimal("409.94")
    assert o.items[0].sku == "IPOD-342-N" and o.items[0].qty == 2 and o.items[0].price == Decimal("199.99")
    assert o.created_at == 1893510000.0


def test_graphql_and_rest_read_the_same_order_with_the_same_id(shopify_token):
    orders = [sample_order(450789469, created_at=NOW), sample_order(450789470, created_at=NOW, sku=None)]
    with FakeShopify(orders, page_size=250) as shop:
        gql = run_connector(make_gql(shop.base), lambda e: len(e.orders) >= 2)
        rest = run_connector(make(shop.base), lambda e: len(e.orders) >= 2)
    assert gql.orders == rest.orders  # same ids, money, items: switching API counts nothing twice
    assert gql.orders[1].items[0].sku == ""


def test_graphql_pages_with_the_end_cursor_and_emits_repeats_once(shopify_token):
    orders = [sample_order(1000 + i, created_at=NOW, total="10.10") for i in range(7)]
    with FakeShopify(orders, page_size=2, repeat_on_next_page=True) as shop:
        ev = run_connector(make_gql(shop.base), lambda e: len(e.orders) >= 7 and len(shop.requests) >= 5)
        docs = gql_requests(shop)
    afters = [d["variables"]["after"] for d in docs[:4]]
    assert afters[0] is None and all(afters[1:]) and len(set(afters)) == 4
    assert len(ev.orders) == 7  # the fake served the last order of each page again; emitted once
    c = counted(ev.orders)
    assert c.orders == 7 and c.gmv == {"USD": Decimal("70.70")}


def test_graphql_keeps_the_cursor_between_polls_and_picks_up_new_orders_once(shopify_token):
    with FakeShopify([sample_order(2000, created_at=NOW)]) as shop:
        def until(e):
            if len(shop.requests) >= 3 and len(shop.orders) == 1:
                shop.orders.append(sample_order(2001, created_at=NOW))
            return len(e.orders) >= 2 and len(shop.requests) >= 6
        ev = run_connector(make_gql(shop.base), until)
        docs = gql_requests(shop)
    assert [o.id for o in ev.orders] == ["2000", "2001"]
    assert docs[0]["variables"]["after"] is None and all(d["variables"]["after"] for d in docs[1:])


def test_graphql_since_id_filters_by_id(shopify_token):
    orders = [sample_order(3000 + i, created_at=NOW) for i in range(3)]
    with FakeShopify(orders) as shop:
        ev = run_connector(make_gql(shop.base, since_id="3000"), lambda e: len(e.orders) >= 2)
        docs = gql_requests(shop)
    assert docs[0]["variables"]["query"].endswith(" id:>3000")
    assert [o.id for o in ev.orders] == ["3001", "3002"]


def test_graphql_throttled_backs_off_by_the_restore_rate(shopify_token):
    # THROTTLED with currentlyAvailable 0, requestedQueryCost 40, restoreRate 100 → 0.4 s
    with FakeShopify([sample_order(4000, created_at=NOW)], faults=["throttled"], query_cost=40) as shop:
        t0 = time.monotonic()
        ev = run_connector(make_gql(shop.base), lambda e: len(e.orders) >= 1)
        elapsed = time.monotonic() - t0
    b = [s for s in ev.states if s.state == FeedState.BACKOFF]
    assert len(b) == 1 and "throttled" in b[0].message and b[0].retry_in == 0.4
    assert elapsed >= 0.4 and len(shop.requests) == 2


def test_graphql_waits_for_the_bucket_before_a_query_it_cannot_pay_for(shopify_token):
    # a bucket of 100 points refilling 100/s, queries of 80: after one query, the next must wait ~0.6 s
    orders = [sample_order(5000 + i, created_at=NOW) for i in range(4)]
    bucket = CostBucket(maximum=100, restore_rate=100)
    with FakeShopify(orders, page_size=1, bucket=bucket, query_cost=80) as shop:
        ev = run_connector(make_gql(shop.base), lambda e: len(e.orders) >= 4)
    assert [o.id for o in ev.orders] == ["5000", "5001", "5002", "5003"]
    assert not [s for s in ev.states if s.state == FeedState.BACKOFF]  # paced ahead: never throttled


def test_graphql_rejected_token_stops_with_a_plain_message(monkeypatch):
    monkeypatch.setenv("STUDIO_SHOPIFY_TOKEN", "shpat_wrongwrongwrong")
    with FakeShopify([sample_order(6000, created_at=NOW)]) as shop:
        ev = run_connector(make_gql(shop.base), lambda e: False, timeout=5)
    assert FeedState.FAILED in ev.state_names() and len(shop.requests) == 1
    failed = [s for s in ev.states if s.state == FeedState.FAILED][0]
    assert "token rejected — open Settings → Feeds" in failed.message and "401" in failed.message
    assert "shpat_wrongwrongwrong" not in repr(list(ev))


def test_graphql_error_is_shown_masked_and_short_then_recovers(shopify_token):
    with FakeShopify([sample_order(7000, created_at=NOW)], faults=["error"]) as shop:
        ev = run_connector(make_gql(shop.base), lambda e: len(e.orders) >= 1)
    b = [s for s in ev.states if s.state == FeedState.BACKOFF][0]
    assert b.message.startswith("Shopify GraphQL: Internal error with ****") and len(b.message) < 260
    assert "INTERNAL_SERVER_ERROR" in b.message and TOKEN not in repr(list(ev))


@pytest.mark.parametrize("fault,expect", [("500", "server error 500"), ("html", "server error 503"),
                                          ("truncated", "malformed JSON"), ("shape", "no nodes list")])
def test_graphql_broken_responses_back_off_and_recover(shopify_token, fault, expect):
    with FakeShopify([sample_order(8000, created_at=NOW)], faults=[fault]) as shop:
        ev = run_connector(make_gql(shop.base), lambda e: len(e.orders) >= 1)
    msgs = [s.message for s in ev.states if s.state == FeedState.BACKOFF]
    assert len(msgs) == 1 and expect in msgs[0]


def test_graphql_cancelled_malformed_and_negative_orders_are_not_counted(shopify_token):
    rows = [sample_order(9000, created_at=NOW, cancelled_at="2030-01-01T10:05:00-05:00"),
            sample_order(9001, created_at=NOW, total="lots"),
            sample_order(9002, created_at=NOW, price="-1.00"),
            sample_order(9003, created_at=NOW, qty=True), sample_order(9004, created_at=NOW)]
    with FakeShopify(rows, page_size=250) as shop:
        ev = run_connector(make_gql(shop.base), lambda e: len(shop.requests) >= 2)
    assert [o.id for o in ev.orders] == ["9004"]


def test_graphql_body_size_is_bounded(shopify_token, monkeypatch):
    from studio.live.connectors import base

    monkeypatch.setattr(base, "MAX_BODY", 512)
    rows = [sample_order(9100 + i, created_at=NOW) for i in range(3)]
    with FakeShopify(rows, page_size=3) as shop:
        ev = run_connector(make_gql(shop.base), lambda e: any(s.state == FeedState.BACKOFF for s in e.states))
    backoff = [s for s in ev.states if s.state == FeedState.BACKOFF][0]
    assert "response too large" in backoff.message and not ev.orders
