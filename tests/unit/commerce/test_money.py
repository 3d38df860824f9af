from decimal import Decimal

import pytest

from studio.commerce.money import amount_text, discount_percent, format_money, parse_amount


@pytest.mark.parametrize("amount, currency, locale, expected", [
    ("99", "CNY", None, "¥99.00"),
    ("1299", "USD", None, "$1,299.00"),
    ("1299", "EUR", None, "1.299,00\u00a0€"),
    ("1299.5", "JPY", None, "￥1,300"),
    ("5", "EUR", "en_US", "€5.00"),
    ("0.1", "USD", None, "$0.10"),
])
def test_money_is_formatted_the_locale_way(amount, currency, locale, expected):
    assert format_money(Decimal(amount), currency, locale) == expected


def test_formatting_keeps_every_digit_of_large_amounts():
    assert format_money(Decimal("123456789.99"), "USD") == "$123,456,789.99"


@pytest.mark.parametrize("text, value", [("99", "99"), ("1299.00", "1299.00"), ("1,299.50", "1299.50"),
                                         (" 0.10 ", "0.10")])
def test_amounts_parse_exactly_as_decimal(text, value):
    assert parse_amount(text) == Decimal(value)
    assert isinstance(parse_amount(text), Decimal)


@pytest.mark.parametrize("text, reason", [("abc", "not a number"), ("-5", "negative"), ("", "empty"),
                                          ("1.2.3", "not a number"), ("9999999999", "larger")])
def test_bad_amounts_say_why(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_amount(text)


def test_discount_is_rounded_half_up_and_absent_without_saving():
    assert discount_percent(Decimal("99"), Decimal("159")) == 38
    assert discount_percent(Decimal("99"), None) is None
    assert discount_percent(Decimal("99"), Decimal("99")) is None


def test_amount_text_uses_the_currency_precision():
    assert amount_text(Decimal("99"), "CNY") == "99.00"
    assert amount_text(Decimal("1299.5"), "JPY") == "1300"
