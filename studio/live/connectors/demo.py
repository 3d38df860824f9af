"""Demo feed: believable chat (price, size, shipping questions in Chinese and English), viewers and
orders for the demo catalog, to rehearse a show or try the studio. It runs only when asked for
(`--feed demo`, or a demo feed in the show profile): simulated data must never be mistaken for a real
show, so the class says `simulated = True` and the window marks it. Deterministic with `seed=`; `rate=`
multiplies the pace (tests use a high rate); `catalog=PATH` picks another catalog JSON.
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from studio.core.paths import resources_dir
from studio.live.connectors.base import Connector, Emit
from studio.live.connectors.options import Option, int_value, name_option, number_value, text_value
from studio.live.events import ChatMessage, ConnectorState, FeedState, LineItem, Order, ViewerCount


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    title: str
    price: Decimal
    currency: str = "USD"


def load_demo_products(path: Path | None = None) -> tuple[DemoProduct, ...]:
    """SKU, title and price from a catalog JSON (`resources/catalog/demo.json` by default, see the
    catalog format); the built-in list when it is missing or unreadable. Only the fields the simulation
    needs are read here: the live layer does not import the commerce layer."""
    path = path or resources_dir() / "catalog" / "demo.json"
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        currency = str(doc.get("currency", "USD"))
        out = []
        for p in doc["products"]:
            price = Decimal(str(p["price"]))
            if p.get("sku") and price > 0:
                out.append(DemoProduct(str(p["sku"]), str(p.get("title", "")), price,
                                       str(p.get("currency", currency))))
        return tuple(out) or FALLBACK_PRODUCTS
    except (OSError, ValueError, KeyError, TypeError, InvalidOperation, AttributeError):
        return FALLBACK_PRODUCTS


FALLBACK_PRODUCTS = (
    DemoProduct("DEMO-MUG-01", "Ceramic Mug 350 ml", Decimal("12.90")),
    DemoProduct("DEMO-TEE-02", "Organic Cotton Tee", Decimal("24.00")),
    DemoProduct("DEMO-BAG-03", "Canvas Tote Bag", Decimal("18.50")),
    DemoProduct("DEMO-LAMP-04", "Desk Lamp LED", Decimal("39.99")),
    DemoProduct("DEMO-TEA-05", "Oolong Tea 100 g", Decimal("15.00")),
)

NAMES = ("小美", "Lily", "阿杰", "Tom_88", "王小二", "Mia", "橙子", "Kevin", "Sakura", "大熊", "Ana", "Zoe",
         "李雷", "韩梅梅", "Jun", "Oliver")
QUESTIONS = (
    "多少钱？", "这个多少钱", "有优惠券吗？", "包邮吗？", "发什么快递？", "几天能到？", "有XL码吗？",
    "M码还有吗", "身高165穿什么码？", "能看一下细节吗", "主播再讲讲这个", "已下单！", "上链接", "颜色好看",
    "How much is this?", "Is shipping free?", "Do you ship to Canada?", "What sizes do you have?",
    "Is there a discount code?", "How long is delivery?", "Just ordered!", "Can you show it again?",
    "Does it come in black?", "Is the tea from this year?", "是今年的新茶吗？", "丝巾是真丝的吗？",
    "love this 😍", "hello from Toronto 👋",
)


RATE = Option("rate", "number", "Pace", default="1", minimum=1e-6, maximum=1e6,
              help="Multiplies how fast chat, viewers and orders come (2 = twice as fast).")
CATALOG = Option("catalog", "text", "Catalog file", placeholder="catalog.json",
                 help="The catalog JSON whose products the simulated orders buy; default: the demo catalog.")
SEED = Option("seed", "int", "Random seed", minimum=0, maximum=2**63 - 1, advanced=True,
              help="The same seed gives the same simulated show.")
LIMIT = Option("limit", "int", "Stop after N messages", minimum=0, maximum=10**9, advanced=True,
               help="End the simulation after this many chat messages.")
NAME = name_option("demo")


class DemoFeed(Connector):
    kind = "demo"
    title = "Demo (simulated data)"
    simulated = True
    OPTIONS = (NAME, RATE, CATALOG, SEED, LIMIT)

    def __init__(self, settings: dict[str, str] | None = None, products: tuple[DemoProduct, ...] | None = None
                 ) -> None:
        settings = {} if settings is None else settings
        self.name = text_value(settings, NAME)
        self.rate = number_value(settings, RATE)
        self.rng = random.Random(int_value(settings, SEED))
        catalog = text_value(settings, CATALOG)
        self.products = products or load_demo_products(Path(catalog).expanduser() if catalog else None)
        self.limit = int_value(settings, LIMIT)  # stop after N chat messages
        self.viewers = 120 + self.rng.randint(0, 80)
        self._n = 0

    def make_chat(self, now: float) -> ChatMessage:
        self._n += 1
        return ChatMessage(self.name, f"demo-c{self._n}", self.rng.choice(NAMES), self.rng.choice(QUESTIONS),
                           now)

    def make_order(self, now: float) -> Order:
        p = self.rng.choice(self.products)
        qty = self.rng.choice((1, 1, 1, 2, 3))
        oid = f"demo-o{int(now * 1000)}-{self.rng.randint(0, 1_000_000)}"
        return Order(self.name, oid, now, p.currency, (LineItem(p.sku, qty, p.price, p.title),),
                     p.price * qty)

    def run(self, emit: Emit, stop: threading.Event) -> None:
        emit(ConnectorState(self.name, FeedState.CONNECTED, "demo feed (simulated chat, viewers and orders)"))
        next_viewers = next_order = 0.0
        sent = 0
        try:
            while not stop.is_set():
                now = time.time()
                emit(self.make_chat(now))
                sent += 1
                if self.limit is not None and sent >= self.limit:
                    break
                mono = time.monotonic()
                if mono >= next_viewers:
                    self.viewers = max(5, self.viewers + self.rng.randint(-12, 15))
                    emit(ViewerCount(self.name, self.viewers, now))
                    next_viewers = mono + 5.0 / self.rate
                if mono >= next_order:
                    if next_order:
                        emit(self.make_order(now))
                    next_order = mono + self.rng.uniform(6.0, 20.0) / self.rate
                stop.wait(self.rng.uniform(0.3, 1.5) / self.rate)
        finally:
            emit(ConnectorState(self.name, FeedState.STOPPED))
