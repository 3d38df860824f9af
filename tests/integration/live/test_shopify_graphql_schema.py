"""The studio's orders query is valid against the GraphQL Admin API, and its answer is read as Shopify
would give it: the query is validated with graphql-core against the part of the Admin schema it uses,
transcribed from shopify.dev (2024-10: `QueryRoot.orders`, `Order`, `LineItem`, `MoneyBag`, `MoneyV2`,
`PageInfo`, `OrderSortKeys`) — a misspelt field or argument fails here, not in a host's show."""

from __future__ import annotations

from decimal import Decimal

import pytest

from studio.live.connectors.shopify_graphql import LINE_ITEMS, ORDERS_QUERY, estimated_cost, page_size

graphql = pytest.importorskip("graphql")

ADMIN_SUBSET = """
scalar DateTime
scalar Decimal
scalar URL
scalar UnsignedInt64

enum CurrencyCode { USD EUR CAD CNY JPY GBP }
enum OrderSortKeys { CREATED_AT CUSTOMER_NAME DESTINATION FINANCIAL_STATUS FULFILLMENT_STATUS ID ORDER_NUMBER
                     PO_NUMBER PROCESSED_AT RELEVANCE TOTAL_ITEMS_QUANTITY TOTAL_PRICE UPDATED_AT }

type MoneyV2 { amount: Decimal! currencyCode: CurrencyCode! }
type MoneyBag { presentmentMoney: MoneyV2! shopMoney: MoneyV2! }
type PageInfo { endCursor: String hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String }

type LineItem {
  id: ID!
  name: String!
  title: String!
  sku: String
  quantity: Int!
  currentQuantity: Int!
  originalUnitPriceSet: MoneyBag!
}
type LineItemConnection { nodes: [LineItem!]! pageInfo: PageInfo! }

type Order {
  id: ID!
  legacyResourceId: UnsignedInt64!
  name: String!
  createdAt: DateTime!
  cancelledAt: DateTime
  currencyCode: CurrencyCode!
  presentmentCurrencyCode: CurrencyCode!
  totalPriceSet: MoneyBag!
  lineItems(first: Int, after: String, last: Int, before: String,
            reverse: Boolean = false): LineItemConnection!
}
type OrderConnection { nodes: [Order!]! pageInfo: PageInfo! }

type QueryRoot {
  orders(first: Int, after: String, last: Int, before: String, reverse: Boolean = false,
         sortKey: OrderSortKeys = PROCESSED_AT, query: String, savedSearchId: ID): OrderConnection!
}
schema { query: QueryRoot }
"""


def test_the_orders_query_is_valid_against_the_admin_schema():
    schema = graphql.build_schema(ADMIN_SUBSET)
    errors = graphql.validate(schema, graphql.parse(ORDERS_QUERY))
    assert errors == []


def test_the_orders_query_asks_for_no_field_the_studio_does_not_read():
    doc = graphql.parse(ORDERS_QUERY)
    op = doc.definitions[0]
    assert [v.variable.name.value for v in op.variable_definitions] == ["first", "after", "query"]
    assert f"lineItems(first: {LINE_ITEMS})" in ORDERS_QUERY


def test_a_page_stays_under_shopifys_single_query_cost_limit():
    assert estimated_cost(page_size(250)) <= 1000
    assert page_size(250) >= 5 and page_size(2) == 2


def test_an_answer_executed_by_the_schema_parses_to_the_order(monkeypatch):
    from studio.live.connectors.shopify_graphql import orders_page, parse_graphql_order

    from .servers.shopify import graphql_node, sample_order

    schema = graphql.build_schema(ADMIN_SUBSET)
    row = graphql_node(sample_order(450789469, created_at="2030-01-01T10:00:00-05:00", qty=3))
    root = {"orders": {"nodes": [row], "pageInfo": {"hasNextPage": False, "endCursor": "eyJsYXN0IjoxfQ==",
                                                      "hasPreviousPage": False, "startCursor": None}}}
    result = graphql.graphql_sync(schema, ORDERS_QUERY, root_value=root,
                                  variable_values={"first": 6, "after": None, "query": "created_at:>='x'"})
    assert result.errors is None
    nodes, has_next, cursor = orders_page({"data": result.data})
    order = parse_graphql_order(nodes[0])
    assert order is not None and order.id == "450789469" and not has_next and cursor == "eyJsYXN0IjoxfQ=="
    assert order.items[0].qty == 3 and order.items[0].price == Decimal("199.99")
    assert order.total == Decimal("409.94")
