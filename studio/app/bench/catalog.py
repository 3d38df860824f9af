"""Catalog import speed: a 10 000-row Shopify export as merchants download it (BOM, CRLF, quoted
multi-line HTML bodies, CJK and emoji titles, several variants per handle)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from studio.commerce.catalog import load_catalog

HEADER = ("Handle,Title,Body (HTML),Vendor,Tags,Option1 Name,Option1 Value,Variant SKU,Variant Inventory Qty,"
          "Variant Price,Variant Compare At Price,Image Src")


def make_shopify_csv(path: Path, rows: int = 10_000) -> Path:
    if path.exists():
        return path
    lines = [HEADER]
    for i in range(rows):
        handle, first = f"product-{i // 3}", i % 3 == 0
        title = f"\"商品 {i // 3} 🌸 Organic cotton tee, size pack\"" if first else ""
        body = "\"<p>Soft & light.</p>\r\n<ul><li>100% cotton</li><li>包邮</li></ul>\"" if first else ""
        lines.append(f"{handle},{title},{body},Acme,\"tee, summer\",Size,{'SML'[i % 3]},SKU-{i},{i % 50},"
                     f"{i % 500}.99,{i % 500 + 10}.00,")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    return path


def measure_catalog_import(folder: Path, runs: int = 3) -> dict:
    path = make_shopify_csv(folder / "shopify_10000.csv")
    times, products = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        cat = load_catalog(path)
        times.append(time.perf_counter() - t)
        products = len(cat.products)
    return {"rows": 10_000, "products": products, "seconds_median": round(statistics.median(times), 3)}
