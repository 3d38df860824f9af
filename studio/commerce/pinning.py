"""Which product is on screen, and the motions that swap cards: pure logic, no Qt, no threads.

Pinning publishes `ProductPinned`/`ProductUnpinned` on the core event bus so the sales counters
attribute orders to what was on screen. The motions are plain data; the app layer turns them into
the media layer's `Animation` (commerce may not import media).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from studio.commerce.product import Product
from studio.core.events import EventBus, ProductPinned, ProductUnpinned
from studio.core.motion import Motion

CARD_MOTION_S = 0.25


def enter_motion(slide_px: int) -> Motion:
    """A card rises `slide_px` into place while fading in."""
    return Motion(CARD_MOTION_S, from_dy=slide_px, from_opacity=0.0)


def exit_motion(slide_px: int) -> Motion:
    """A card sinks `slide_px` while fading out, then leaves the board."""
    return Motion(CARD_MOTION_S, from_opacity=1.0, to_dy=slide_px, to_opacity=0.0, remove_at_end=True)


@dataclass(frozen=True)
class PinChange:
    """What a pin/unpin did: the product now on screen and the one that left (either may be None)."""

    pinned: Product | None
    previous: Product | None

    @property
    def changed(self) -> bool:
        return (self.pinned and self.pinned.sku) != (self.previous and self.previous.sku)


class Pinboard:
    """The pinned product, changed atomically; events are published after the change, outside the lock."""

    def __init__(self, products: dict[str, Product], bus: EventBus | None = None) -> None:
        self._products = products
        self._bus = bus
        self._lock = threading.Lock()
        self._pinned: Product | None = None

    @property
    def pinned(self) -> Product | None:
        return self._pinned

    def pin(self, sku: str) -> PinChange:
        """Pin `sku` (KeyError if the catalog has no such SKU); pinning the pinned one changes nothing."""
        product = self._products[sku]
        with self._lock:
            previous, self._pinned = self._pinned, product
        change = PinChange(product, previous)
        if change.changed and self._bus is not None:
            if previous is not None:
                self._bus.publish(ProductUnpinned(previous.sku))
            self._bus.publish(ProductPinned(product.sku, product.title))
        return change

    def unpin(self) -> PinChange:
        with self._lock:
            previous, self._pinned = self._pinned, None
        if previous is not None and self._bus is not None:
            self._bus.publish(ProductUnpinned(previous.sku))
        return PinChange(None, previous)
