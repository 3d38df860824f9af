"""Money: amounts are `Decimal` with an ISO 4217 code, never float; display goes through QLocale.

Parsing accepts what merchants type in spreadsheets (`1299`, `1299.00`, `1,299.00`) and rejects
anything else with a reason: a sign, an exponent, NaN, more than a billion, or more decimals than the
currency has (`check_places`: `1.5` JPY or `1.999` USD is refused, never rounded: the studio would
show a price the merchant did not write). Currencies are codes of the ISO 4217 current list.

Formatting takes the *pattern* (symbol side, spacing, separators and grouping) from a QLocale and
the *digits* from the Decimal itself, so no value is ever rounded through binary floating point:
`¥99.00`, `$1,299.00`, `1.299,00 €`.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from PySide6.QtCore import QLocale

from studio.core.currency import ISO_4217, decimal_places  # the one table, shared with studio.live.validate

MAX_AMOUNT = Decimal("1000000000")  # one billion: anything above is a typo, not a price

# The locale whose audience a currency usually addresses; its conventions are the default display.
_HOME_LOCALE = {"CNY": "zh_CN", "USD": "en_US", "EUR": "de_DE", "GBP": "en_GB", "JPY": "ja_JP",
                "HKD": "zh_HK", "TWD": "zh_TW", "KRW": "ko_KR", "SGD": "en_SG", "MYR": "ms_MY",
                "THB": "th_TH", "IDR": "id_ID", "VND": "vi_VN", "PHP": "en_PH", "INR": "en_IN",
                "AUD": "en_AU", "CAD": "en_CA", "BRL": "pt_BR", "MXN": "es_MX", "CHF": "de_CH",
                "RUB": "ru_RU", "TRY": "tr_TR", "AED": "ar_AE", "SAR": "ar_SA"}

_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_AMOUNT_RE = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$|^\.\d+$")


def minor_units(currency: str) -> int:
    """Decimal places of `currency` (ISO 4217); 2 for a code outside the list (display only)."""
    return ISO_4217.get(currency, 2)


def normalize_currency(text: str) -> str:
    """`cny` → `CNY`; raises ValueError unless it is a code of the ISO 4217 list."""
    code = (text or "").strip().upper()
    if not _CURRENCY_RE.match(code) or code not in ISO_4217:
        raise ValueError(f"currency {text[:40]!r} is not an ISO 4217 code like CNY or USD")
    return code


def check_places(value: Decimal, currency: str, field: str = "price") -> Decimal:
    """`value` unless it has more decimals than `currency` has minor units (ValueError, not rounding)."""
    places = minor_units(currency)
    if decimal_places(value) > places:
        unit = f"{places} decimal{'s' if places != 1 else ''}" if places else "no decimals"
        raise ValueError(f"{field} {_short(value)} has more decimals than {currency} allows ({unit})")
    return value


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 24 else f"{text[:12]}…({len(text)} characters)"


def parse_amount(text: str, field: str = "price") -> Decimal:
    """A non-negative price from spreadsheet text; ValueError with a readable reason otherwise."""
    raw = (text or "").strip()
    if not raw:
        raise ValueError(f"{field} is empty")
    if raw.startswith("-"):
        raise ValueError(f"{field} {raw!r} is negative")
    if not _AMOUNT_RE.match(raw):
        raise ValueError(f"{field} {raw[:40]!r} is not a number like 99 or 1299.00")
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the regex already guarantees a decimal
        raise ValueError(f"{field} {raw[:40]!r} is not a number") from None
    if value > MAX_AMOUNT:
        raise ValueError(f"{field} {_short(raw)} is larger than {MAX_AMOUNT}")
    return value


def amount_text(amount: Decimal, currency: str) -> str:
    """The amount at the currency's precision, plain (`1299.00`), for JSON and logs."""
    return str(amount.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_UP))


@lru_cache(maxsize=64)
def locale_for(currency: str, locale_name: str | None = None) -> QLocale:
    """The QLocale to format `currency` with: the one asked for, else the currency's home locale."""
    if locale_name:
        return QLocale(locale_name)
    home = _HOME_LOCALE.get(currency)
    if home:
        return QLocale(home)
    for loc in QLocale.matchingLocales(QLocale.Language.AnyLanguage, QLocale.Script.AnyScript,
                                       QLocale.Country.AnyTerritory):
        if loc.currencySymbol(QLocale.CurrencySymbolFormat.CurrencyIsoCode) == currency:
            return loc
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


@lru_cache(maxsize=64)
def currency_symbol(currency: str) -> str:
    """`¥` for CNY, `$` for USD, `€` for EUR; the ISO code itself when Qt knows no symbol."""
    loc = locale_for(currency)
    if loc.currencySymbol(QLocale.CurrencySymbolFormat.CurrencyIsoCode) == currency:
        return loc.currencySymbol(QLocale.CurrencySymbolFormat.CurrencySymbol) or currency
    return currency


@lru_cache(maxsize=64)
def _pattern(locale_name: str) -> tuple[str, str]:
    """(prefix, suffix) around the number in this locale's currency format, with `\0` as the symbol."""
    loc = QLocale(locale_name)
    sample = loc.toCurrencyString(1234.5, "\0", 2)
    number = loc.toString(1234.5, "f", 2)
    i = sample.find(number)
    if i < 0:  # a locale with unusual digits: put the symbol first
        return "\0", ""
    return sample[:i], sample[i + len(number):]


def format_money(amount: Decimal, currency: str, locale_name: str | None = None) -> str:
    """`amount` in `currency` as the audience reads it, e.g. `¥99.00`, `$1,299.00`, `1.299,00 €`."""
    loc = locale_for(currency, locale_name)
    places = minor_units(currency)
    q = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign, digits = ("-", -q) if q < 0 else ("", q)
    whole, _, frac = f"{digits:f}".partition(".")
    number = loc.toString(int(whole))  # grouping the locale's way (1,23,456 in India)
    if places:
        number += loc.decimalPoint() + frac.ljust(places, "0")[:places]
    prefix, suffix = _pattern(loc.name())
    symbol = currency_symbol(currency)
    if symbol == currency:  # a bare ISO code reads better apart from the digits: "XYZ 5.00"
        prefix = prefix.replace("\0", "\0\u00a0")
        suffix = suffix.replace("\0", "\u00a0\0").replace("\u00a0\u00a0", "\u00a0")
    return sign + prefix.replace("\0", symbol) + number + suffix.replace("\0", symbol)


def discount_percent(price: Decimal, compare_at: Decimal | None) -> int | None:
    """Whole-percent saving of `price` against `compare_at` (rounded half up), None when there is none."""
    if compare_at is None or compare_at <= 0 or price >= compare_at:
        return None
    pct = ((compare_at - price) * 100 / compare_at).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(int(pct), 1)
