"""A merchant's file cannot put an impossible price in the studio nor end `catalog check` in a traceback:
generated hostile prices (thousands of digits, exponents, NaN, signs, more decimals than the currency
has) in every format, cells over the CSV reader's 16 MB limit, files that are not files."""

from __future__ import annotations

import csv
import decimal
import io
import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.commerce.catalog import load_catalog, parse_catalog_text
from studio.commerce.catalog.csvrows import FIELD_LIMIT, record_end, rows_with_lines
from studio.commerce.catalog.shopify_csv import selling_points_from_html
from studio.commerce.money import ISO_4217, MAX_AMOUNT
from studio.core.errors import UserError

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROOT = Path(__file__).resolve().parents[2]

DIGITS = st.builds(lambda n, d: str(d) * n, st.integers(1, 6000), st.integers(1, 9))
PRICES = st.one_of(
    st.decimals(min_value=-10**10, max_value=10**10, allow_nan=False, places=5).map(str),
    DIGITS, st.builds(lambda a, b: f"{a}.{b}", st.integers(0, 10**12), DIGITS),
    st.builds(lambda m, e: f"{m}e{e}", st.integers(-10, 10), st.integers(-10**6, 10**6)),
    st.sampled_from(["NaN", "nan", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "1e999999", "-0", "-1",
                     "0.001", "1,299.00", "1,29,9.00", "1.5", "99.999", "0.0001", "１２３", "٣", "+5", " 7 ",
                     "1000000000", "1000000000.01", "999999999.999", ""]),
)
CURRENCIES = st.one_of(st.sampled_from(["USD", "JPY", "KWD", "CLF", "CNY", "VND"]),
                       st.sampled_from(["XYZ", "usd", "jpy", "", "US", "XAU", "RMB"]))


def price_is_money(price: Decimal, currency: str) -> bool:
    with decimal.localcontext() as ctx:
        ctx.prec = 20_000
        return (price.is_finite() and 0 <= price <= MAX_AMOUNT
                and price == price.quantize(Decimal(1).scaleb(-ISO_4217[currency])))


def check_rows(cat, rows: list[tuple[int, str, str]]) -> None:
    """Each (line, price text, currency) row became a product of true money, or an issue on its line."""
    issues = {i.line for i in cat.issues}
    for line, text, cur in rows:
        p = cat.get(f"S{line}")
        if p is None:
            assert line in issues, (line, text, cur, cat.issues)
            continue
        assert line not in issues
        assert p.currency in ISO_4217 and price_is_money(p.price, p.currency), (text, p)
        assert p.price == Decimal(text.strip().replace(",", ""))   # exactly what was written, never rounded


@FUZZ
@given(st.lists(st.tuples(PRICES, CURRENCIES), min_size=1, max_size=6))
def test_csv_prices_are_true_money_or_a_line_numbered_issue(cells):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["sku", "title", "price", "currency"])
    rows = []
    for n, (price, cur) in enumerate(cells):
        w.writerow([f"S{n + 2}", "Tea", price, cur])
        rows.append((n + 2, price, cur or "USD"))
    check_rows(parse_catalog_text(buf.getvalue(), "USD"), rows)


@FUZZ
@given(st.lists(st.tuples(PRICES, CURRENCIES, st.booleans()), min_size=1, max_size=6))
def test_json_prices_as_text_or_bare_numbers_are_true_money_or_an_issue(cells):
    parts, rows = [], []
    for n, (price, cur, bare) in enumerate(cells):
        line = n + 2
        number_ok = bare and price.strip() and not any(c in price for c in ", +") and price.isascii()
        value = price.strip() if number_ok else json.dumps(price)
        parts.append(f'{{"sku": "S{line}", "title": "Tea", "price": {value}, "currency": "{cur}"}}')
        rows.append((line, price, cur or "USD"))
    text = "[\n" + ",\n".join(parts) + "\n]"
    try:
        cat = parse_catalog_text(text, "USD")
    except UserError as e:   # a bare NaN-like token that is not JSON at all
        assert "JSON" in str(e)
        return
    check_rows(cat, [r for r in rows if r[1].strip().lower() not in ("nan", "infinity", "-infinity")])


@FUZZ
@given(st.lists(PRICES, min_size=1, max_size=5), st.sampled_from(["USD", "JPY", "KWD"]))
def test_shopify_variant_prices_are_true_money_or_an_issue(prices, currency):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Handle", "Title", "Variant SKU", "Variant Price"])
    rows = []
    for n, price in enumerate(prices):
        w.writerow(["h", "Tea" if n == 0 else "", f"S{n + 2}", price])
        rows.append((n + 2, price, currency))
    cat = parse_catalog_text(buf.getvalue(), currency)
    if not prices[0].strip() and all(not p.strip() for p in prices):
        return
    check_rows(cat, [r for r in rows if r[1].strip()])


# -- the record boundary the csv reader cannot tell ----------------------------------------------------

CSV_TEXT = st.text(alphabet='ab,"\n\r ', max_size=60)


@settings(max_examples=400, deadline=None)
@given(CSV_TEXT)
def test_record_end_splits_a_text_where_the_csv_reader_does(text):
    whole = list(csv.reader(io.StringIO(text, newline=""), strict=False))
    pieces, i = [], 0
    while i < len(text):
        j = record_end(text, i)
        assert j > i
        pieces.extend(csv.reader(io.StringIO(text[i:j], newline=""), strict=False))
        i = j
    assert pieces == whole


# -- cells over 16 MB ------------------------------------------------------------------------------------

def _huge_cell(kind: str) -> str:
    n = FIELD_LIMIT + 1024
    if kind == "quoted, many lines, with fake rows inside":
        chunk = 'FAKE-1,Fake tea,1\n"",x,\r\n'   # a naive resync would import these as products
        return '"' + chunk * (n // (len(chunk) - 1) + 1) + '"'
    if kind == "quoted, one line":
        return '"' + "x" * n + '"'
    return "x" * n


@pytest.mark.parametrize("kind", ["quoted, many lines, with fake rows inside", "quoted, one line",
                                  "unquoted"])
def test_a_cell_over_16_mb_rejects_its_row_and_the_rest_imports(tmp_path, kind):
    f = tmp_path / "big.csv"
    with f.open("w", encoding="utf-8", newline="") as out:
        out.write("sku,title,price\nA,Tea,1\n")
        out.write(f"B,{_huge_cell(kind)},2\n")
        out.write('C,"two\nlines",3\nD,Mug,4\n')
    t0 = time.monotonic()
    cat = load_catalog(f)
    assert time.monotonic() - t0 < 20
    assert [p.sku for p in cat.products] == ["A", "C", "D"]
    assert [str(i) for i in cat.issues] == ["line 3: a cell is longer than 16 MB; the row is skipped"]


def test_a_header_over_16_mb_is_one_sentence(tmp_path):
    f = tmp_path / "head.csv"
    f.write_text("sku,title," + "p" * (FIELD_LIMIT + 1) + "\nA,Tea,1\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"head\.csv: line 1: the header row cannot be read"):
        load_catalog(f)


def test_rows_after_a_refused_row_keep_their_physical_lines():
    header, rows = rows_with_lines('a,b\n1,2\n"' + "x" * (FIELD_LIMIT + 1) + '\n\n",3\n\n4,"5\n6"\n7,8')
    got = [(line, cells if isinstance(cells, list) else "bad") for line, cells in rows]
    assert header == ["a", "b"] and got == [(2, ["1", "2"]), (3, "bad"), (7, ["4", "5\n6"]), (9, ["7", "8"])]


# -- descriptions: a small hostile body must not take minutes ------------------------------------------

@pytest.mark.parametrize("body", ["<li>" * 200_000, "<li " * 200_000, "<li>" + "<" * 1_000_000 + "</li>",
                                  "<LI>x</li" + " " * 100_000 + "<li>" * 50_000])
def test_selling_points_are_found_in_linear_time(body):
    t0 = time.monotonic()
    selling_points_from_html(body)
    assert time.monotonic() - t0 < 2.0   # the old regex took 40 s for 40 000 unclosed <li>


def test_selling_points_are_the_li_bullets_as_before():
    body = '<ul><li>A &amp; <b>B</b></li><LI class="x">C</li ><link rel=x><li>D</li></ul>'
    assert selling_points_from_html(body) == ["A &  B ", "C", "D"]


# -- the command: one sentence, never a traceback ---------------------------------------------------------

def _check(path: Path | str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "STUDIO_LOG_FILE": "none"}
    return subprocess.run([sys.executable, "-m", "studio", "catalog", "check", str(path), *args],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)


def test_catalog_check_never_tracebacks_on_hostile_files(tmp_path):
    big = tmp_path / "big.csv"
    big.write_text("sku,title,price\nA,Tea,1\nB," + "x" * (FIELD_LIMIT + 10) + ",2\n", encoding="utf-8")
    digits = tmp_path / "digits.json"
    digits.write_text('[{"sku": "A", "title": "t", "price": ' + "9" * 5000 + '},'
                      ' {"sku": "B", "title": "t", "price": 1e999999},'
                      ' {"sku": "C", "title": "t", "price": 1}]')
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"sku,title,price\nA,caf\xe9 \xff\xfe\xfd,1\n" + bytes(range(0x80, 0x100)))
    res = _check(big)
    assert res.returncode == 0 and "line 3: a cell is longer than 16 MB" in res.stderr, res.stderr
    res = _check(digits)
    assert res.returncode == 0 and res.stderr.count("line ") == 2 and '"sku": "C"' in res.stdout, res.stderr
    for path in (fifo, "/dev/zero", tmp_path, latin):
        res = _check(path)
        assert res.returncode == 2 and res.stderr.count("\n") == 1 and res.stderr.startswith("studio: "), res
    res = _check(big, "--currency", "XYZ")
    assert res.returncode == 2 and "ISO 4217" in res.stderr and "Traceback" not in res.stderr
