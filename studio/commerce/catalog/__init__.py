"""Catalog import: Shopify's product CSV export and Anchor Studio's own CSV/JSON (docs/catalog.md).

`load_catalog(path)` picks the format from the content, returns every good product and every bad
row as a line-numbered issue; only an unreadable file or an unknown layout is a `UserError`.
"""

from __future__ import annotations

import stat
from pathlib import Path

from studio.commerce.catalog.csvrows import rows_with_lines
from studio.commerce.catalog.result import Catalog, RowIssue
from studio.commerce.catalog.shopify_csv import is_shopify_header, parse_shopify_csv
from studio.commerce.catalog.simple import is_simple_header, parse_json, parse_simple_csv
from studio.commerce.catalog.text import decode_catalog
from studio.core.errors import UserError

__all__ = ["Catalog", "RowIssue", "load_catalog", "parse_catalog_text"]

MAX_FILE_BYTES = 200 * 1024 * 1024


def parse_catalog_text(text: str, currency: str = "USD", store_url: str | None = None,
                       source: str = "catalog") -> Catalog:
    """Parse catalog text of any supported format (JSON when it starts with `{` or `[`)."""
    if text.lstrip()[:1] in ("{", "["):
        return parse_json(text, currency, source)
    header, _ = rows_with_lines(text, source)
    if is_shopify_header(header):
        return parse_shopify_csv(text, currency, store_url, source)
    if is_simple_header(header):
        return parse_simple_csv(text, currency, source)
    raise UserError(f"{source}: line 1: not a catalog header — expected Shopify's export "
                    "(Handle, Title, Variant SKU, Variant Price…) or sku,title,price (see docs/catalog.md)")


def load_catalog(path: str | Path, currency: str = "USD", store_url: str | None = None) -> Catalog:
    """Read and parse a catalog file; relative image paths are resolved against its folder."""
    p = Path(path)
    mb = MAX_FILE_BYTES // (1024 * 1024)
    try:
        st = p.stat()
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(st.st_mode):  # a device (/dev/zero never ends) or a FIFO (blocks forever)
            raise UserError(f"{p}: not a regular file; save the catalog as a file and name that")
        if st.st_size > MAX_FILE_BYTES:
            raise UserError(f"{p}: larger than {mb} MB; is this really a catalog?")
        with p.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)  # bounded even if the file grows meanwhile
        if len(data) > MAX_FILE_BYTES:
            raise UserError(f"{p}: larger than {mb} MB; is this really a catalog?")
    except FileNotFoundError:
        raise UserError(f"{p}: no such catalog file") from None
    except IsADirectoryError:
        raise UserError(f"{p}: is a folder, not a catalog file") from None
    except OSError as e:
        raise UserError(f"{p}: cannot read the catalog ({e.strerror or type(e).__name__})") from None
    except ValueError:  # a NUL in the name
        raise UserError(f"{str(p)[:80]!r} is not a usable file name") from None
    return parse_catalog_text(decode_catalog(data, str(p)), currency, store_url, str(p))
