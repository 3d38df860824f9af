"""Anchor Studio's own catalog formats (spec: docs/catalog.md): a flat CSV and a JSON document.

CSV: one product per row, columns by header name — sku, title, price required; subtitle,
compare_at, currency, stock, image, url, selling_points and tags (`|`-separated) optional.
JSON: `{"currency": "CNY", "products": [{...}, ...]}` or a bare list of product objects, with the
same keys; prices as strings ("99.00") or numbers, parsed exactly (never through float): integers
too are read as Decimal, since Python refuses to turn more than 4 300 digits into an int.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from studio.commerce.catalog.csvrows import BadRow, Row, header_index, rows_with_lines
from studio.commerce.catalog.result import Catalog, CatalogBuilder
from studio.commerce.product import RowError, make_product, split_list
from studio.core.errors import UserError

REQUIRED_COLUMNS = ("sku", "title", "price")


def is_simple_header(header: list[str]) -> bool:
    names = {h.strip().lower() for h in header}
    return set(REQUIRED_COLUMNS) <= names


def parse_simple_csv(text: str, currency: str, source: str = "") -> Catalog:
    header, rows = rows_with_lines(text, source or "catalog")
    index = header_index(header)
    missing = [c for c in REQUIRED_COLUMNS if c not in index]
    if missing:
        raise UserError(f"{source or 'catalog'}: line 1: missing column(s) {', '.join(missing)} "
                        "(see docs/catalog.md)")
    out = CatalogBuilder()
    for line, cells in rows:
        if isinstance(cells, BadRow):
            out.reject(line, cells.reason)
            continue
        row = Row(index, cells)
        try:
            product = make_product(
                sku=row.get("sku"), title=row.get("title"), price=row.get("price"),
                currency=row.get("currency") or currency, subtitle=row.get("subtitle"),
                compare_at=row.get("compare_at") or None, image=row.get("image"), stock=row.get("stock"),
                url=row.get("url"), selling_points=split_list(row.get("selling_points"), "|"),
                tags=split_list(row.get("tags"), "|"),
            )
        except RowError as e:
            out.reject(line, str(e))
            continue
        except (ValueError, ArithmeticError) as e:  # unforeseen value: reject the row, not the file
            out.reject(line, f"a value is out of range ({str(e)[:80]})")
            continue
        out.add(line, product)
    return out.build(source, "simple-csv")


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _array_offsets(text: str, i: int, decoder: json.JSONDecoder) -> list[int]:
    """Start offsets of the elements of the JSON array whose `[` is at `i`."""
    offsets: list[int] = []
    i = _skip_ws(text, i + 1)
    while i < len(text) and text[i] != "]":
        offsets.append(i)
        _, i = decoder.raw_decode(text, i)
        i = _skip_ws(text, i)
        if i < len(text) and text[i] == ",":
            i = _skip_ws(text, i + 1)
    return offsets


def _products_offsets(text: str, decoder: json.JSONDecoder) -> list[int]:
    """Start offsets of each product object, for line numbers (json itself keeps no positions)."""
    i = _skip_ws(text, 0)
    if text.startswith("[", i):
        return _array_offsets(text, i, decoder)
    i = _skip_ws(text, i + 1)  # inside the top-level object
    while i < len(text) and text[i] != "}":
        key, i = decoder.raw_decode(text, i)
        i = _skip_ws(text, _skip_ws(text, i) + 1)  # past ':'
        if key == "products" and text.startswith("[", i):
            return _array_offsets(text, i, decoder)
        _, i = decoder.raw_decode(text, i)
        i = _skip_ws(text, i)
        if i < len(text) and text[i] == ",":
            i = _skip_ws(text, i + 1)
    return []


def _as_list(value: Any, name: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return split_list(value, "|")
    if isinstance(value, list):
        return value
    raise RowError(f"{name} must be a list, not {type(value).__name__}")


def parse_json(text: str, currency: str, source: str = "") -> Catalog:
    decoder = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal)
    try:
        doc = decoder.decode(text)
    except json.JSONDecodeError as e:
        raise UserError(f"{source or 'catalog'}: line {e.lineno}: invalid JSON ({e.msg})") from None
    except RecursionError:
        where = source or "catalog"
        raise UserError(f"{where}: line 1: the JSON is nested too deeply to be a catalog") from None
    except ValueError as e:  # a number the decoder cannot hold
        raise UserError(f"{source or 'catalog'}: line 1: unreadable JSON ({str(e)[:80]})") from None
    if isinstance(doc, dict):
        items = doc.get("products")
        if not isinstance(items, list):
            where = source or "catalog"
            raise UserError(f"{where}: the JSON needs a \"products\" list (see docs/catalog.md)")
        currency = str(doc.get("currency") or currency)
    elif isinstance(doc, list):
        items = doc
    else:
        raise UserError(f"{source or 'catalog'}: the JSON must be an object with \"products\" or a list")
    try:
        offsets = _products_offsets(text, decoder)
    except (ValueError, RecursionError):  # cannot happen after a good decode; line 1 then
        offsets = []
    out = CatalogBuilder()
    for n, item in enumerate(items):
        line = _line_of(text, offsets[n]) if n < len(offsets) else 1
        if not isinstance(item, dict):
            out.reject(line, "a product must be a JSON object")
            continue
        try:
            product = make_product(
                sku=item.get("sku"), title=item.get("title"), price=item.get("price"),
                currency=item.get("currency") or currency, subtitle=item.get("subtitle"),
                compare_at=item.get("compare_at"), image=item.get("image"), stock=item.get("stock"),
                url=item.get("url"), selling_points=_as_list(item.get("selling_points"), "selling_points"),
                tags=_as_list(item.get("tags"), "tags"),
            )
        except RowError as e:
            out.reject(line, str(e))
            continue
        except (ValueError, ArithmeticError) as e:  # unforeseen value: reject the product, not the file
            out.reject(line, f"a value is out of range ({str(e)[:80]})")
            continue
        out.add(line, product)
    return out.build(source, "json")
