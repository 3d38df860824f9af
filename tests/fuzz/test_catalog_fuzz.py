"""Catalog import never crashes: any text or bytes gives products and line-numbered issues, or one
UserError that names the line. Good rows still import beside bad ones."""

from __future__ import annotations

import csv
import io
import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.commerce.catalog import Catalog, load_catalog, parse_catalog_text
from studio.commerce.catalog.text import decode_catalog
from studio.core.errors import UserError

from .strategies import TEXT, json_values, objects

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PRODUCT_KEYS = ["sku", "title", "price", "compare_at", "currency", "stock", "subtitle", "image", "url",
                "selling_points", "tags"]
SHOPIFY_HEADER = ["Handle", "Title", "Body (HTML)", "Tags", "Option1 Name", "Option1 Value", "Variant SKU",
                  "Variant Price", "Variant Compare At Price", "Variant Inventory Qty", "Image Src",
                  "Image Position", "Variant Image"]
GOOD = {"sku": "GOOD-1", "title": "Good tea", "price": "9.90"}


def check(text: str) -> Catalog | None:
    try:
        cat = parse_catalog_text(text, "USD", "https://shop.example.com")
    except UserError as e:
        assert re.search(r"line \d+", str(e)) or "JSON" in str(e), str(e)
        return None
    lines = text.count("\n") + text.count("\r") + 2
    for issue in cat.issues:
        assert 1 <= issue.line <= lines and issue.reason, issue
    for p in cat.products:
        assert p.sku and p.title and p.price.is_finite() and p.price >= 0
        assert not any(ord(c) < 32 for c in p.title + p.subtitle + "".join(p.selling_points))
    return cat


@FUZZ
@given(st.text(max_size=400))
def test_any_text_is_a_catalog_or_one_user_error(text):
    check(text)


@FUZZ
@given(st.lists(objects(PRODUCT_KEYS), max_size=5), st.booleans())
def test_json_products_of_any_shape(products, wrapped):
    doc = {"currency": "CNY", "products": [*products, GOOD]} if wrapped else [*products, GOOD]
    cat = check(json.dumps(doc, indent=1))
    assert cat is not None and cat.get("GOOD-1") is not None  # the good product survives its neighbours


@FUZZ
@given(json_values(PRODUCT_KEYS + ["products"]))
def test_json_documents_of_any_shape(doc):
    check(json.dumps(doc))


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


@FUZZ
@given(st.lists(st.lists(TEXT, min_size=0, max_size=12), max_size=6))
def test_studio_csv_rows_of_any_content(rows):
    header = ["sku", "title", "price", "compare_at", "currency", "stock", "subtitle", "image", "url",
              "selling_points", "tags"]
    cat = check(_csv(header, [*rows, [GOOD["sku"], GOOD["title"], GOOD["price"]]]))
    assert cat is not None and cat.get("GOOD-1") is not None


@FUZZ
@given(st.lists(st.lists(TEXT, min_size=0, max_size=len(SHOPIFY_HEADER)), max_size=6))
def test_shopify_csv_rows_of_any_content(rows):
    check(_csv(SHOPIFY_HEADER, rows))


@FUZZ
@given(st.binary(max_size=300),
       st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00"]))
def test_any_bytes_decode_or_say_why(data, bom):
    try:
        decode_catalog(bom + data, "f.csv")
    except UserError as e:
        assert str(e).startswith("f.csv: ")


def test_hostile_files_are_rejected_with_their_line(tmp_path):
    cases = {
        "deep.json": "[" * 100_000 + "]" * 100_000,
        "stock.json": json.dumps([{"sku": "A", "title": "t", "price": "1", "stock": "9" * 5000}, GOOD]),
        "pos.csv": _csv(SHOPIFY_HEADER,
                        [["h", "T", "", "", "", "", "S1", "1", "", "", "x.jpg", "²", ""],
                         ["h", "", "", "", "", "", "S2", "2", "", "", "y.jpg", "9" * 5000, ""]]),
        "types.json": json.dumps({"products": [{"sku": "A", "title": "t", "price": "1", "tags": {"a": 1}},
                                               GOOD]}),
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
        try:
            cat = load_catalog(tmp_path / name)
        except UserError as e:
            assert name == "deep.json" and "line 1" in str(e) and "nested too deeply" in str(e)
            continue
        assert cat.products, name
    types = load_catalog(tmp_path / "types.json")
    assert [str(i) for i in types.issues] == ["line 1: tags must be a list, not dict"]
