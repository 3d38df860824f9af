"""`studio catalog check FILE`: what the studio would import from a catalog, and why rows were rejected.

stdout: one JSON object per product (sku, title, price, compare_at, currency, stock, image);
stderr: `line N: reason` per rejected row. Exit 0 when at least one product imported, 2 when none or
when the file cannot be read at all (one sentence; the log keeps the detail of anything unforeseen).
"""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("catalog", help="product catalogs (Shopify CSV export, studio CSV/JSON)")
    sub = parser.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    check = sub.add_parser("check", help="parse a catalog and print its products as JSON lines")
    check.add_argument("file", metavar="FILE", help="Shopify product CSV export, or studio CSV/JSON")
    add_catalog_options(check)
    check.set_defaults(func=run_check)


def add_catalog_options(parser: argparse._ActionsContainer) -> None:  # a parser or an argument group
    """--currency and --store-url, shared by every command that reads a catalog."""
    parser.add_argument("--currency", default="USD",
                        help="ISO 4217 currency for rows that name none (Shopify exports never do); "
                             "default USD")
    parser.add_argument("--store-url", default=None,
                        help="store address, e.g. https://shop.example.com: Shopify products link to "
                             "/products/HANDLE")


def product_json(product) -> str:
    from studio.commerce.money import amount_text  # Qt's locale data: loaded when used

    cur = product.currency
    return json.dumps({
        "sku": product.sku, "title": product.title, "price": amount_text(product.price, cur),
        "compare_at": amount_text(product.compare_at, cur) if product.compare_at is not None else None,
        "currency": cur, "stock": product.stock, "image": product.image,
    }, ensure_ascii=False)


def print_catalog(catalog, out=None, err=None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    from studio.core.text import inert_json, one_line

    for product in catalog.products:
        print(inert_json(product_json(product)), file=out)   # a merchant's cell never drives the terminal
    for issue in catalog.issues:
        print(one_line(str(issue)), file=err)
    if not catalog.products:
        print(one_line(f"studio: {catalog.source}: no product imported"), file=err)
        return 2
    return 0


def run_check(args: argparse.Namespace) -> int:
    import csv

    from studio.commerce.catalog import load_catalog
    from studio.commerce.money import normalize_currency
    from studio.core.errors import UserError
    from studio.core.log import get_logger

    try:
        currency = normalize_currency(args.currency)
    except ValueError as e:
        raise UserError(f"--currency: {e}") from None
    try:
        catalog = load_catalog(args.file, currency=currency, store_url=args.store_url)
    except UserError:
        raise
    except (ValueError, ArithmeticError, LookupError, RecursionError, MemoryError, csv.Error) as e:
        # the loaders turn every known problem into a line-numbered issue; this is the net under them
        get_logger("commerce.catalog").warning("catalog check %s failed", args.file, exc_info=True)
        raise UserError(f"{args.file}: cannot be read as a catalog ({type(e).__name__}); "
                        "see docs/catalog.md for the formats") from None
    return print_catalog(catalog)
