"""The commerce side of a live show: catalog, pinned product, price card, countdown, coupon, QR, chat.

Glue between `studio.commerce` (which renders plain ndarrays) and the media layer's `OverlayBoard`
(commerce may not import media). Rendering happens on change only — at pin/unpin on the caller's
thread (never the compositor's), once a second for the countdown on the "studio: overlays" thread,
and when a product image arrives on "studio: images" — and the result is `set` on the board.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from studio.commerce.catalog import Catalog
from studio.commerce.images import ImageFetcher
from studio.commerce.overlays.chat import render_chat
from studio.commerce.overlays.layout import Layout, layout_for
from studio.commerce.overlays.qt import ensure_gui
from studio.commerce.overlays.scene import Placed, SceneOptions, Z, render_kind
from studio.commerce.pinning import Pinboard, enter_motion, exit_motion
from studio.commerce.product import Product
from studio.core.errors import UserError
from studio.core.events import EventBus
from studio.core.log import get_logger
from studio.core.motion import Motion
from studio.live.events import Order
from studio.media.overlay import Animation, Overlay, OverlayBoard

log = get_logger("app.commerce")

PRODUCT_KINDS = ("price_card", "qr", "badge")  # what follows the pinned product
PREFETCH = 9  # products on the 1–9 pin keys get their images fetched at start
COUNTDOWN_LINGER_S = 3.0  # 00:00 stays this long, then fades out


def _animation(m: Motion) -> Animation:
    return Animation.start(m, time.monotonic())


def render_fixed_qr(url: str, layout: Layout, opts: SceneOptions) -> Placed | None:
    """The QR box pointing at one link for the whole show (the shop's page), not the pinned product's."""
    from studio.commerce.overlays.qr import QRDoesNotFit, render_qr
    from studio.commerce.overlays.scene import lang_of

    box = layout.box("qr")
    try:
        return Placed(render_qr(url, box.size, lang=lang_of(None, opts)), box.x, box.y)
    except QRDoesNotFit as e:  # a link no QR code of this card can hold: no QR, the show goes on
        log.warning("The QR code for the show's link is not shown: %s.", e)
        return None


def chat_overlay_image(messages: list[tuple[str, str]],
                       canvas_size: tuple[int, int]) -> tuple[np.ndarray, int, int]:
    """The chat box for the last messages (name, text) and its top-left corner on this canvas."""
    box = layout_for(canvas_size).box("chat")
    return render_chat(messages, box.size), box.x, box.y


class CommerceShow:
    """Pinned product and commerce overlays on one board. `pin`/`unpin` may be called from any thread."""

    def __init__(self, board: OverlayBoard, canvas_size: tuple[int, int], bus: EventBus | None,
                 catalog: Catalog | None = None, countdown_s: int | None = None, coupon: str | None = None,
                 locale: str | None = None, image_timeout: float = 3.0, qr: str = "product") -> None:
        ensure_gui()
        self.board = board
        self.layout: Layout = layout_for(canvas_size)
        self.catalog = catalog
        products = catalog.by_sku() if catalog else {}
        self._pinboard = Pinboard(products, bus)
        base_dir = Path(catalog.source).resolve().parent if catalog and catalog.source else None
        self._images = ImageFetcher(base_dir, image_timeout)
        self._opts = SceneOptions(coupon=coupon, locale=locale)
        self._qr = qr  # "product": the pinned product's link; "off"; or one fixed link for the whole show
        self._render_lock = threading.Lock()  # one renderer at a time; the board itself is thread-safe
        self._stop = threading.Event()
        self._slide = max(8, round(40 * self.layout.scale))
        self._countdown_end: float | None = None
        self._thread: threading.Thread | None = None
        self._qr_refused: set[str] = set()  # links whose QR code cannot be drawn: said once each
        # units sold so far per SKU (the session's counters): the card's "only N left" follows the orders,
        # as the Products dock does
        self.sold: Callable[[str], int] = lambda sku: 0
        self._bus = bus
        if bus is not None:
            bus.subscribe(Order, self._on_order)
        for product in (catalog.products[:PREFETCH] if catalog else ()):
            self._images.request(product.image)
        if coupon:
            self._place("coupon", None, enter_motion(self._slide))
        if self._qr not in ("product", "off"):
            self._place("qr", None, enter_motion(self._slide))
        if countdown_s is not None:
            self.set_countdown(countdown_s)  # on screen when attach() returns

    # -- pinning -------------------------------------------------------------------------------
    @property
    def pinned(self) -> Product | None:
        return self._pinboard.pinned

    def pin(self, sku: str) -> None:
        """Animate `sku`'s card in (and the previous one out); UserError for an unknown SKU."""
        try:
            change = self._pinboard.pin(sku)
        except KeyError:
            raise UserError(f"no product with SKU {sku!r} in the catalog") from None
        if not change.changed:
            return
        product = change.pinned
        assert product is not None
        self._images.request(product.image, self._image_arrived)
        shown = self._with_stock_left(product)
        with self._render_lock:
            for kind in self._product_kinds():
                self._leave(kind)
                self._place(kind, shown, enter_motion(self._slide))

    def _with_stock_left(self, product: Product) -> Product:
        if product.stock is None:
            return product
        return dataclasses.replace(product, stock=max(0, product.stock - self.sold(product.sku)))

    def _on_order(self, order: Order) -> None:
        """An order counted by the session (bus thread): redraw the pinned card's stock, in place."""
        product = self.pinned
        if product is None or product.stock is None or self._stop.is_set():
            return
        if any(li.sku == product.sku for li in order.items):
            self._redraw_card(product, self._images.get(product.image))

    def unpin(self) -> None:
        """Animate the pinned card out; nothing on screen afterwards."""
        change = self._pinboard.unpin()
        if change.previous is None:
            return
        with self._render_lock:
            for kind in self._product_kinds():
                self._leave(kind)

    def _product_kinds(self) -> tuple[str, ...]:
        return PRODUCT_KINDS if self._qr == "product" else tuple(k for k in PRODUCT_KINDS if k != "qr")

    def _slot(self, kind: str) -> str:
        return f"commerce.{kind}"

    def _place(self, kind: str, product: Product | None, motion: Motion | None,
               opts: SceneOptions | None = None) -> None:
        placed: Placed | None
        if kind == "qr" and self._qr != "product":
            if self._qr == "off" or product is not None:  # a fixed link stays as placed at start
                if self._qr == "off":
                    self.board.set(self._slot(kind), None)
                return
            placed = render_fixed_qr(self._qr, self.layout, self._opts)
        elif kind == "qr":
            placed = self._product_qr(product, opts)
        else:
            placed = render_kind(kind, self.layout, product, opts or self._opts,
                                 self._images.get(product.image) if product else None)
        if placed is not None and kind == "coupon" and self._countdown_end is None:
            # no countdown beside it: the coupon takes the countdown's place, leaving no gap
            placed = Placed(placed.image, self.layout.box("countdown").x, placed.y)
        if placed is None:
            self.board.set(self._slot(kind), None)
            return
        anim = _animation(motion) if motion is not None else None
        self.board.set(self._slot(kind), Overlay(placed.image, placed.x, placed.y, animation=anim), z=Z[kind])

    def _product_qr(self, product: Product | None, opts: SceneOptions | None) -> Placed | None:
        """The pinned product's QR code, or None (said once per link) when its link cannot be one."""
        from studio.commerce.overlays.qr import QRDoesNotFit

        try:
            return render_kind("qr", self.layout, product, opts or self._opts, None)
        except QRDoesNotFit as e:
            url = product.url if product is not None and product.url else ""
            if url not in self._qr_refused:
                self._qr_refused.add(url)
                who = f" of {product.sku}" if product is not None else ""
                log.warning("The QR code%s is not shown: %s.", who, e)
            return None

    def _leave(self, kind: str) -> None:
        """Move what is in `kind`'s slot to its ".leaving" slot with an exit animation."""
        current = self.board.get(self._slot(kind))
        self.board.set(self._slot(kind), None)
        if current is None:
            return
        leaving = Overlay(current.image, current.x, current.y, current.opacity,
                          animation=_animation(exit_motion(self._slide)))
        self.board.set(self._slot(kind) + ".leaving", leaving, z=Z[kind] - 1)

    def _image_arrived(self, ref: str, image) -> None:
        """Re-render the card (no animation) when the pinned product's image has arrived."""
        product = self.pinned
        if image is None or product is None or product.image != ref or self._stop.is_set():
            return
        self._redraw_card(product, image)

    def _redraw_card(self, product: Product, image) -> None:
        with self._render_lock:
            if self.pinned is product:
                current = self.board.get(self._slot("price_card"))
                placed = render_kind("price_card", self.layout, self._with_stock_left(product), self._opts,
                                     image)
                if placed is not None:
                    anim = current.animation if current is not None else None  # keep an entry in progress
                    self.board.set(self._slot("price_card"), Overlay(placed.image, placed.x, placed.y,
                                                                    animation=anim), z=Z["price_card"])

    # -- countdown -----------------------------------------------------------------------------
    def countdown_remaining(self, now: float | None = None) -> float | None:
        if self._countdown_end is None:
            return None
        return max(0.0, self._countdown_end - (time.monotonic() if now is None else now))

    def _render_countdown(self, motion: Motion | None) -> float:
        remaining = self.countdown_remaining() or 0.0
        with self._render_lock:
            self._place("countdown", None, motion,
                        SceneOptions(countdown_seconds=remaining, locale=self._opts.locale,
                                     coupon=self._opts.coupon))
        return remaining

    def _countdown_loop(self) -> None:
        """Re-render the countdown when its mm:ss changes (once a second), on absolute deadlines; ends
        as soon as another countdown replaced this one."""
        end = self._countdown_end
        if end is None:
            return
        remaining = self.countdown_remaining() or 0.0
        while remaining > 0 and not self._stop.is_set():
            # the display rounds up (ceil), so it changes when `remaining` crosses a whole second
            shown = math.ceil(remaining - 1e-9)
            next_change = end - (shown - 1)
            if self._stop.wait(max(0.0, next_change - time.monotonic()) + 0.005):
                return
            if self._countdown_end != end:
                return
            remaining = self._render_countdown(None)
        if not self._stop.wait(COUNTDOWN_LINGER_S) and self._countdown_end == end:
            self._countdown_end = None
            with self._render_lock:
                self._leave("countdown")
                self._move_coupon()

    def set_countdown(self, seconds: float | None) -> None:
        """Start a new countdown of `seconds` (replacing one running), or take it off screen (None)."""
        if seconds is None or seconds <= 0:
            self._countdown_end = None
            with self._render_lock:
                self._leave("countdown")
                self._move_coupon()
            return
        had = self._countdown_end is not None
        self._countdown_end = time.monotonic() + seconds
        self._render_countdown(enter_motion(self._slide))
        if not had:
            with self._render_lock:
                self._move_coupon()
        self._thread = threading.Thread(target=self._countdown_loop, name="studio: overlays", daemon=True)
        self._thread.start()

    def _move_coupon(self) -> None:
        """The coupon beside the countdown, or in its place when there is none (caller holds the lock)."""
        if self._opts.coupon and self.board.get(self._slot("coupon")) is not None:
            self._place("coupon", None, None)

    # -- coupon --------------------------------------------------------------------------------
    @property
    def coupon(self) -> str | None:
        return self._opts.coupon

    def set_coupon(self, text: str | None) -> None:
        """Show a coupon card with `text` (replacing one shown), or take it off screen (None/empty)."""
        text = (text or "").strip() or None
        self._opts = SceneOptions(coupon=text, locale=self._opts.locale)
        with self._render_lock:
            self._leave("coupon")
            if text:
                self._place("coupon", None, enter_motion(self._slide))

    # -- lifecycle -----------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop the countdown and image threads (idempotent); overlays stay on the board."""
        self._stop.set()
        if self._bus is not None:
            self._bus.unsubscribe(Order, self._on_order)
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        self._images.stop(timeout=0.5)
