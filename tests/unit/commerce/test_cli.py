"""`studio catalog check` and `studio overlay render`, through the real CLI entry point."""

import json
from pathlib import Path

from PySide6.QtGui import QImage

from studio.cli import main

RESOURCES = Path(__file__).resolve().parents[3] / "resources" / "catalog"


def test_catalog_check_prints_json_lines_and_line_reasons(capsys):
    assert main(["catalog", "check", str(RESOURCES / "shopify_sample.csv")]) == 0
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[0] == {"sku": "TEE-ORG-S-WHT", "title": "Organic Cotton Tee", "price": "29.00",
                       "compare_at": "39.00", "currency": "USD", "stock": 34,
                       "image": "https://cdn.shopify.com/s/files/1/0000/0001/products/tee-white.jpg?v=1700000000"}
    assert err.splitlines()[0] == "line 11: missing Variant SKU"


def test_catalog_check_exits_2_when_nothing_imports(tmp_path, capsys):
    f = tmp_path / "bad.csv"
    f.write_text("sku,title,price\nA,x,abc\n")
    assert main(["catalog", "check", str(f)]) == 2
    assert "line 2: price 'abc'" in capsys.readouterr().err


def test_catalog_check_unreadable_file_is_one_line(tmp_path, capsys):
    assert main(["catalog", "check", str(tmp_path / "missing.csv")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_overlay_render_all_writes_a_transparent_png_of_the_canvas(tmp_path, gui):
    for canvas, w, h in (("1280x720", 1280, 720), ("720x1280", 720, 1280)):
        out = tmp_path / f"all-{canvas}.png"
        assert main(["overlay", "render", "all", "--catalog", str(RESOURCES / "demo.json"),
                     "--sku", "TEA-LJ-250", "--canvas", canvas, "--out", str(out)]) == 0
        img = QImage(str(out))
        assert (img.width(), img.height()) == (w, h) and img.hasAlphaChannel()
        assert img.pixelColor(w // 2, 5).alpha() == 0  # transparent where there is no overlay


def test_overlay_render_unknown_sku_is_a_user_error(tmp_path, capsys):
    assert main(["overlay", "render", "price-card", "--catalog", str(RESOURCES / "demo.json"),
                 "--sku", "NOPE", "--out", str(tmp_path / "x.png")]) == 2
    assert "NOPE" in capsys.readouterr().err
