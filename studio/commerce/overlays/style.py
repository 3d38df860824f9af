"""The overlay look in one place: colours, radii, and the on-screen words in Chinese and English."""

from __future__ import annotations

from PySide6.QtGui import QColor

CARD_BG = QColor(18, 18, 24, 214)
CARD_BORDER = QColor(255, 255, 255, 40)
TEXT = QColor(255, 255, 255)
TEXT_DIM = QColor(205, 205, 215)
TEXT_STRUCK = QColor(170, 170, 180)
ACCENT = QColor(255, 214, 64)  # sale price: warm yellow reads on dark glass and on video
SALE = QColor(238, 48, 60)  # badges, countdown, coupon
SALE_DARK = QColor(190, 20, 40)
LOW_STOCK = QColor(255, 140, 90)
WHITE = QColor(255, 255, 255)
BLACK = QColor(0, 0, 0)

_LABELS = {
    "en": {"left": "Only {n} left", "in_stock": "{n} in stock", "sold_out": "Sold out", "off": "-{n}%",
           "flash": "FLASH SALE", "coupon": "COUPON", "scan": "Scan to buy", "now": "EXPLAINING NOW",
           "chat": "Chat"},
    "zh": {"left": "仅剩 {n} 件", "in_stock": "库存 {n} 件", "sold_out": "已售罄", "off": "-{n}%",
           "flash": "限时秒杀", "coupon": "优惠券", "scan": "扫码购买", "now": "讲解中", "chat": "评论"},
}

LOW_STOCK_AT = 20


def label(key: str, lang: str = "en", **kw: object) -> str:
    table = _LABELS.get(lang[:2], _LABELS["en"])
    return table[key].format(**kw)


def language_for(currency: str, locale_name: str | None = None) -> str:
    """On-screen words follow the locale asked for, else the currency's audience (CNY → Chinese)."""
    if locale_name:
        return locale_name[:2].lower()
    return "zh" if currency in ("CNY", "HKD", "TWD") else "en"
