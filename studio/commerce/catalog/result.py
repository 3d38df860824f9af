"""What an import produces: the products, and every rejected row with its line and reason."""

from __future__ import annotations

from dataclasses import dataclass, field

from studio.commerce.product import Product


@dataclass(frozen=True)
class RowIssue:
    line: int  # 1-based physical line in the file where the row starts
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class Catalog:
    products: tuple[Product, ...]
    issues: tuple[RowIssue, ...] = field(default_factory=tuple)
    source: str = ""
    format: str = ""  # "shopify-csv", "simple-csv" or "json"

    def by_sku(self) -> dict[str, Product]:
        return {p.sku: p for p in self.products}

    def get(self, sku: str) -> Product | None:
        for p in self.products:
            if p.sku == sku:
                return p
        return None


class CatalogBuilder:
    """Collects products and issues; a repeated SKU is an issue on the later line."""

    def __init__(self) -> None:
        self.products: list[Product] = []
        self.issues: list[RowIssue] = []
        self._seen: dict[str, int] = {}

    def add(self, line: int, product: Product) -> None:
        first = self._seen.get(product.sku)
        if first is not None:
            self.issues.append(RowIssue(line, f"duplicate SKU {product.sku!r} (first on line {first})"))
            return
        self._seen[product.sku] = line
        self.products.append(product)

    def reject(self, line: int, reason: str) -> None:
        self.issues.append(RowIssue(line, reason))

    def build(self, source: str, fmt: str) -> Catalog:
        issues = tuple(sorted(self.issues, key=lambda i: i.line))
        return Catalog(tuple(self.products), issues, source, fmt)
