"""The product a host sells on screen, and the validation every importer shares.

A `Product` is immutable and already clean: its text fields are plain text (no markup, no control
characters) within length limits, its money is `Decimal` in an ISO 4217 currency. Importers call
`make_product`, which raises `RowError` with a reason a merchant can act on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from studio.commerce.money import check_places, discount_percent, normalize_currency, parse_amount

MAX_SKU = 64
MAX_TITLE = 255  # Shopify's own title limit
MAX_SUBTITLE = 255
MAX_POINT = 120
MAX_POINTS = 6
MAX_TAGS = 30
MAX_STOCK = 10_000_000
MAX_RAW = 64 * 1024  # characters of one cell read at all: longer is refused (or cut, for a list's item)

_SKU_RE = re.compile(r"^[^\s\x00-\x1f\x7f]{1,64}$")
_WS = re.compile(r"\s+")


class RowError(ValueError):
    """A catalog row that cannot become a product; the message is the reason shown after `line N:`."""


def clean_text(value: object, limit: int | None = None) -> str:
    """Plain, single-line text: control and format characters dropped, whitespace collapsed.

    Zero-width joiners stay (emoji sequences need them). Untrusted text only ever goes through this
    and is drawn as plain text, never interpreted as markup.
    """
    text = "" if value is None else str(value)
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\t\n\r":
            kept.append(" ")
        elif cat == "Cc" or (cat == "Cf" and ch not in "\u200d\ufe0f\ufe0e") or cat in ("Cs", "Co"):
            continue
        else:
            kept.append(ch)
    out = _WS.sub(" ", "".join(kept)).strip()
    if limit is not None and len(out) > limit:
        out = out[: limit - 1].rstrip() + "…"
    return out


@dataclass(frozen=True)
class Product:
    sku: str
    title: str
    price: Decimal
    currency: str
    subtitle: str = ""
    compare_at: Decimal | None = None
    image: str | None = None  # a file path (relative to the catalog) or an http(s) URL
    stock: int | None = None  # None: not tracked, the card shows no "left" line
    url: str | None = None  # product page, for the QR code
    selling_points: tuple[str, ...] = field(default_factory=tuple)
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def discount_percent(self) -> int | None:
        """Whole-percent saving against the compare-at price, None when there is no real discount."""
        return discount_percent(self.price, self.compare_at)


def _cut(value: object) -> object:
    """A cell whose end cannot survive the cleaning anyway is cut before it is cleaned (a 16 MB
    subtitle costs seconds of cleaning for 255 characters kept)."""
    return value[:MAX_RAW] if isinstance(value, str) and len(value) > MAX_RAW else value


def _not_huge(value: object, name: str) -> object:
    if isinstance(value, str) and len(value) > MAX_RAW:
        raise RowError(f"{name} is {len(value):,} characters long; is this the right column?")
    return value


def _text_list(values: Iterable[object] | None, limit: int, count: int) -> tuple[str, ...]:
    out = []
    for v in values or ():
        t = clean_text(_cut(v), limit)
        if t:
            out.append(t)
    return tuple(out[:count])


def split_list(text: str | None, sep: str) -> list[str]:
    """`a|b|c` → [a, b, c], blanks dropped."""
    return [p for p in (s.strip() for s in (text or "").split(sep)) if p]


def _stock(value: object) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise RowError(f"stock {value!r} is not a whole number")
    if isinstance(value, int):
        n = value
    else:
        raw = str(value).strip()
        if re.fullmatch(r"-?\d+(\.0+)?", raw) is None:
            raise RowError(f"stock {raw[:40]!r} is not a whole number")
        whole = raw.split(".")[0].lstrip("-").lstrip("0")
        if len(whole) > len(str(MAX_STOCK)):  # before int(): Python refuses to convert 4 300+ digits
            raise RowError(f"stock {raw[:12]}…({len(raw)} digits) is larger than {MAX_STOCK}")
        n = int(raw.split(".")[0])
    if n < 0:
        raise RowError(f"stock {n} is negative")
    if n > MAX_STOCK:
        raise RowError(f"stock {n} is larger than {MAX_STOCK}")
    return n


def _money(value: object, name: str) -> Decimal:
    if isinstance(value, (bool, float)):
        # JSON numbers arrive as float unless parsed with parse_float=Decimal; refuse silently lossy input
        # (JSON's NaN and Infinity arrive as float too)
        raise RowError(f"{name} {value!r} must be a decimal string or exact number")
    try:
        return parse_amount(str(_not_huge(value, name)) if value is not None else "", name)
    except ValueError as e:
        raise RowError(str(e)) from None


def _places(value: Decimal | None, currency: str, name: str) -> None:
    if value is not None:
        try:
            check_places(value, currency, name)
        except ValueError as e:
            raise RowError(str(e)) from None


def _url(value: object, name: str) -> str | None:
    text = clean_text(_not_huge(value, name))
    if not text:
        return None
    if len(text) > 2048:
        raise RowError(f"{name} is longer than 2048 characters")
    return text


def make_product(*, sku: object, title: object, price: object, currency: object, subtitle: object = "",
                 compare_at: object = None, image: object = None, stock: object = None, url: object = None,
                 selling_points: Iterable[object] | None = None, tags: Iterable[object] | None = None,
                 sku_field: str = "sku", title_field: str = "title") -> Product:
    """Validate raw field values into a `Product`; RowError names the first problem found."""
    sku_text = clean_text(_not_huge(sku, sku_field))
    if not sku_text:
        raise RowError(f"missing {sku_field}")
    if len(sku_text) > MAX_SKU or not _SKU_RE.match(sku_text):
        raise RowError(f"{sku_field} {sku_text[:40]!r} must be 1–{MAX_SKU} characters without spaces")
    title_text = clean_text(_not_huge(title, title_field))
    if not title_text:
        raise RowError(f"missing {title_field}")
    if len(title_text) > MAX_TITLE:
        raise RowError(f"{title_field} is {len(title_text)} characters; the limit is {MAX_TITLE}")
    price_value = _money(price, "price")
    compare_value = None
    if compare_at is not None and str(compare_at).strip():
        compare_value = _money(compare_at, "compare-at price")
    try:
        currency_code = normalize_currency(str(currency or ""))
    except ValueError as e:
        raise RowError(str(e)) from None
    _places(price_value, currency_code, "price")
    _places(compare_value, currency_code, "compare-at price")
    url_text = _url(url, "url")
    if url_text and not re.match(r"^https?://", url_text, re.I):
        raise RowError(f"url {url_text[:60]!r} must start with http:// or https://")
    return Product(
        sku=sku_text, title=title_text, price=price_value, currency=currency_code,
        subtitle=clean_text(_cut(subtitle), MAX_SUBTITLE), compare_at=compare_value,
        image=_url(image, "image"), stock=_stock(stock), url=url_text,
        selling_points=_text_list(selling_points, MAX_POINT, MAX_POINTS),
        tags=_text_list(tags, 40, MAX_TAGS),
    )
