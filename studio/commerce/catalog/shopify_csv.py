"""Shopify's product CSV export, as merchants download it from Admin → Products → Export.

The rows of one product share a `Handle`: the first carries the product fields (Title, Body (HTML),
Tags…), later rows leave them empty and add variants or images. Each variant with a `Variant SKU`
becomes one `Product` (the studio pins by SKU); its title is the product's, its subtitle the option
values (`Red / XL`). Columns are found by header name, never by position, because the column set
changes with the export date. Shopify exports carry no currency: the caller supplies the store's.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from studio.commerce.catalog.csvrows import BadRow, Row, header_index, rows_with_lines
from studio.commerce.catalog.result import Catalog, CatalogBuilder
from studio.commerce.product import RowError, make_product, split_list

_LI_OPEN = re.compile(r"<li\b", re.IGNORECASE)
_LI_CLOSE = re.compile(r"</li\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>")  # not <[^>]*>: each "<" without a ">" would rescan the rest
MAX_BULLETS = 64  # far more than a card shows (product.MAX_POINTS); the rest of a long body is not read


def is_shopify_header(header: list[str]) -> bool:
    names = {h.strip().lower() for h in header}
    return {"handle", "title"} <= names and bool({"variant sku", "variant price"} & names)


def selling_points_from_html(body: str) -> list[str]:
    """The `<li>` bullets of a product description, as plain text (the usual "why buy" list).

    Found by scanning forward, not by one `<li…>(.*?)</li>` regex: that one backtracks over the rest
    of the body for every unclosed `<li`, and 40 000 of them (160 kB) took 40 s."""
    out: list[str] = []
    pos = 0
    while len(out) < MAX_BULLETS:
        m = _LI_OPEN.search(body, pos)
        if m is None:
            break
        gt = body.find(">", m.end())
        if gt < 0:
            break  # no tag after this one can be closed either
        close = _LI_CLOSE.search(body, gt + 1)
        if close is None:
            break
        out.append(html.unescape(_TAG.sub(" ", body[gt + 1:close.start()])))
        pos = close.end()
    return out


@dataclass
class _Handle:
    line: int
    title: str = ""
    body: str = ""
    tags: str = ""
    option_names: tuple[str, str, str] = ("", "", "")
    images: list[tuple[int, int, str]] = field(default_factory=list)  # (position, order, src)


@dataclass
class _Variant:
    line: int
    handle: str
    sku: str
    price: str
    compare_at: str
    stock: str
    options: tuple[str, str, str]
    image: str


def parse_shopify_csv(text: str, currency: str, store_url: str | None = None, source: str = "") -> Catalog:
    """Products from a Shopify export; bad rows become line-numbered issues, good rows still import."""
    header, rows = rows_with_lines(text, source or "catalog")
    index = header_index(header)
    out = CatalogBuilder()
    handles: dict[str, _Handle] = {}
    variants: list[_Variant] = []
    for line, cells in rows:
        if isinstance(cells, BadRow):
            out.reject(line, cells.reason)
            continue
        row = Row(index, cells)
        handle = row.get("handle")
        if not handle:
            out.reject(line, "missing Handle")
            continue
        h = handles.get(handle)
        if h is None:
            h = handles[handle] = _Handle(line)
        if not h.title and row.get("title"):
            h.title, h.body, h.tags = row.get("title"), row.get("body (html)"), row.get("tags")
            h.option_names = (row.get("option1 name"), row.get("option2 name"), row.get("option3 name"))
        src = row.get("image src")
        if src:
            pos = row.get("image position")
            ok = pos.isascii() and pos.isdigit() and len(pos) <= 6  # "²".isdigit() is True, int("²") fails
            h.images.append((int(pos) if ok else 1_000_000, len(h.images), src))
        options = (row.get("option1 value"), row.get("option2 value"), row.get("option3 value"))
        sku, price = row.get("variant sku"), row.get("variant price")
        if sku or price or any(options):
            variants.append(_Variant(line, handle, sku, price, row.get("variant compare at price"),
                                     row.get("variant inventory qty"), options, row.get("variant image")))
    base = (store_url or "").rstrip("/")
    for v in variants:
        h = handles[v.handle]
        if not h.title:
            out.reject(v.line, f"missing Title (no row of handle {v.handle!r} has one)")
            continue
        subtitle = " / ".join(o for o in v.options if o and o != "Default Title")
        image = v.image or (min(h.images)[2] if h.images else None)
        try:
            product = make_product(
                sku=v.sku, title=h.title, price=v.price, currency=currency, subtitle=subtitle,
                compare_at=v.compare_at or None, image=image, stock=v.stock,
                url=f"{base}/products/{v.handle}" if base else None,
                selling_points=selling_points_from_html(h.body), tags=split_list(h.tags, ","),
                sku_field="Variant SKU", title_field="Title",
            )
        except RowError as e:
            out.reject(v.line, str(e).replace("price ", "Variant Price ", 1) if str(e).startswith("price ")
                       else str(e))
            continue
        except (ValueError, ArithmeticError) as e:  # unforeseen value: reject the row, not the file
            out.reject(v.line, f"a value is out of range ({str(e)[:80]})")
            continue
        out.add(v.line, product)
    return out.build(source, "shopify-csv")
