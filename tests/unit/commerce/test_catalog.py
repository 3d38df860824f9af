"""Catalog import: Shopify export and the studio's own CSV/JSON, with line-numbered rejections."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from studio.commerce.catalog import load_catalog, parse_catalog_text
from studio.core.errors import UserError

RESOURCES = Path(__file__).resolve().parents[3] / "resources" / "catalog"
SHOPIFY_HEADER = ("Handle,Title,Body (HTML),Vendor,Tags,Option1 Name,Option1 Value,Variant SKU,"
                  "Variant Inventory Qty,Variant Price,Variant Compare At Price,Image Src,Image Position")


def shopify(*rows: str, newline: str = "\n") -> str:
    return newline.join([SHOPIFY_HEADER, *rows]) + newline


def test_shopify_sample_imports_variants_and_reports_bad_rows():
    cat = load_catalog(RESOURCES / "shopify_sample.csv")
    skus = [p.sku for p in cat.products]
    assert skus == ["TEE-ORG-S-WHT", "TEE-ORG-M-WHT", "TEE-ORG-L-BLK", "POUR-OVER-01", "GIFT-50"]
    tee = cat.get("TEE-ORG-M-WHT")
    assert tee.title == "Organic Cotton Tee"  # inherited from the handle's first row
    assert tee.subtitle == "Medium / White"
    assert tee.price == Decimal("29.00") and tee.compare_at == Decimal("39.00") and tee.stock == 51
    assert tee.selling_points[1] == "Pre-shrunk & garment-dyed"  # from the multi-line Body (HTML)
    assert tee.image.endswith("tee-white.jpg?v=1700000000")  # the product's first image
    assert cat.get("TEE-ORG-L-BLK").image.endswith("tee-black.jpg?v=1700000000")  # its Variant Image
    assert [str(i) for i in cat.issues] == ["line 11: missing Variant SKU", "line 13: stock -3 is negative",
                                            "line 14: Variant Price 'abc' is not a number like 99 or 1299.00"]


def test_shopify_lines_count_physical_lines_of_multiline_bodies():
    text = shopify('h1,Tea,"<ul>\n<li>one</li>\n<li>two</li>\n</ul>",V,,Title,Default Title,T1,5,10.00,,,',
                   "h1,,,,,,Big,,5,abc,,,")
    cat = parse_catalog_text(text, "CNY")
    assert cat.products[0].selling_points == ("one", "two")
    assert cat.products[0].currency == "CNY" and cat.products[0].subtitle == ""
    assert [str(i) for i in cat.issues] == ["line 6: missing Variant SKU"]


def test_shopify_columns_are_found_by_name_not_position():
    header = "Variant Price,Variant SKU,Title,Handle"
    cat = parse_catalog_text(f"{header}\n12.50,S1,Mug,mug\n", "USD")
    assert cat.products[0].sku == "S1" and cat.products[0].price == Decimal("12.50")


@pytest.mark.parametrize("encoding, bom", [("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
                                           ("utf-16-be", b"\xfe\xff"), ("utf-32-le", b"\xff\xfe\x00\x00")])
def test_any_bom_and_crlf_with_chinese_and_emoji_titles(tmp_path, encoding, bom):
    text = shopify("tea,西湖龙井 🍵,,V,,Title,Default Title,TEA-1,3,99.00,129.00,,", newline="\r\n")
    f = tmp_path / "export.csv"
    f.write_bytes(bom + text.encode(encoding))
    cat = load_catalog(f, currency="CNY")
    assert [(p.sku, p.title, p.price) for p in cat.products] == [("TEA-1", "西湖龙井 🍵", Decimal("99.00"))]
    assert not cat.issues


def test_gbk_export_from_chinese_excel_is_read(tmp_path):
    f = tmp_path / "gbk.csv"
    f.write_bytes("sku,title,price,currency\nA1,熊猫公仔,59.90,CNY\n".encode("gb18030"))
    assert load_catalog(f).products[0].title == "熊猫公仔"


def test_each_bad_row_gets_a_line_numbered_reason_and_good_rows_still_import():
    long_title = "长" * 5000
    text = ("sku,title,price,stock\n"
            "OK-1,Good one,10.00,3\n"
            "BAD-PRICE,Price typo,abc,1\n"
            "BAD-STOCK,Negative,10.00,-4\n"
            ",No sku,10.00,1\n"
            f"LONG,{long_title},10.00,1\n"
            "OK-2,Another,0.50,\n")
    cat = parse_catalog_text(text)
    assert [p.sku for p in cat.products] == ["OK-1", "OK-2"]
    assert [str(i) for i in cat.issues] == [
        "line 3: price 'abc' is not a number like 99 or 1299.00",
        "line 4: stock -4 is negative",
        "line 5: missing sku",
        "line 6: title is 5000 characters; the limit is 255",
    ]


def test_duplicate_sku_is_rejected_on_the_later_line():
    cat = parse_catalog_text("sku,title,price\nA,One,1\nA,Two,2\n")
    assert [p.title for p in cat.products] == ["One"]
    assert str(cat.issues[0]) == "line 3: duplicate SKU 'A' (first on line 2)"


def test_simple_csv_lists_and_optional_fields():
    cat = parse_catalog_text("sku,title,price,compare_at,currency,image,url,selling_points,tags\n"
                             "M1,Mug,18.50,24.00,usd,img/mug.png,https://x.test/p/m1,"
                             "Safe | Unique,home|gift\n")
    p = cat.products[0]
    assert (p.currency, p.compare_at, p.image, p.url) == ("USD", Decimal("24.00"), "img/mug.png", "https://x.test/p/m1")
    assert p.selling_points == ("Safe", "Unique") and p.tags == ("home", "gift")
    assert p.discount_percent == 23


def test_json_rows_carry_their_line_and_prices_stay_exact():
    doc = {"currency": "CNY", "products": [
        {"sku": "A", "title": "甲", "price": 0.1},
        {"sku": "B", "title": "乙", "price": "abc"},
        {"sku": "C", "title": "丙", "price": "1299.00", "currency": "USD", "stock": 3},
    ]}
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    cat = parse_catalog_text(text)
    assert cat.get("A").price == Decimal("0.1") and cat.get("A").currency == "CNY"
    assert cat.get("C").currency == "USD"
    line_of_b = text.splitlines().index("    {") + 1 + 5  # the second object starts 5 lines after the first
    assert [str(i) for i in cat.issues] == [
        f"line {line_of_b}: price 'abc' is not a number like 99 or 1299.00"]


def test_invalid_json_is_one_user_error_with_its_line():
    with pytest.raises(UserError, match="line 3: invalid JSON"):
        parse_catalog_text('{"products": [\n{"sku": "A",\n}]}')


def test_unknown_layout_is_a_user_error():
    with pytest.raises(UserError, match="not a catalog header"):
        parse_catalog_text("name,cost\nx,1\n")


def test_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no such catalog file"):
        load_catalog(tmp_path / "nope.csv")


def test_demo_catalog_has_chinese_and_english_products_in_cny_and_usd():
    cat = load_catalog(RESOURCES / "demo.json")
    assert len(cat.products) == 8 and not cat.issues
    assert {p.currency for p in cat.products} == {"CNY", "USD"}


def test_text_is_cleaned_to_plain_single_lines():
    cat = parse_catalog_text('sku,title,price\nA,"<b>Bold</b>\u0007 line\nbreak\u202e",1\n')
    assert cat.products[0].title == "<b>Bold</b> line break"  # kept literally, drawn as plain text


def test_ten_thousand_rows_import(tmp_path):
    rows = [f"h{i},Product {i} 商品,,V,tag,Size,M,SKU-{i},{i % 50},{i}.99,{i + 10}.00,,"
            for i in range(10_000)]
    f = tmp_path / "big.csv"
    f.write_text(shopify(*rows), encoding="utf-8-sig")
    cat = load_catalog(f)
    assert len(cat.products) == 10_000 and not cat.issues
