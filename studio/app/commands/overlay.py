"""`studio overlay render KIND --catalog FILE --sku SKU --canvas WxH --out PNG`: what the viewer sees,
over a transparent canvas, for review and tests. Uses the same renderers and layout as the live show."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from studio.app.commands.catalog import add_catalog_options
from studio.core.errors import UserError
from studio.core.flags import number_flag

MAX_IMAGE_TIMEOUT_S = 120.0

KINDS = {"price-card": "price_card", "countdown": "countdown", "coupon": "coupon", "qr": "qr",
         "lower-third": "lower_third", "badge": "badge", "logo": "logo", "chat": "chat"}
DEMO_CHAT = (("小美", "这个颜色好看！🥰"), ("Alex", "Does it ship to Canada?"), ("茶友007", "已下单，期待"),
             ("Maria", "How many grams is it?"))


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("overlay", help="render overlays to PNG for review")
    sub = parser.add_subparsers(dest="overlay_command", metavar="ACTION", required=True)
    r = sub.add_parser("render", help="render one overlay kind (or all) over a transparent canvas")
    r.add_argument("kind", choices=[*KINDS, "all"], metavar="KIND",
                   help="price-card, countdown, coupon, qr, lower-third, badge, logo, chat or all")
    r.add_argument("--catalog", metavar="FILE", help="catalog file (Shopify CSV export or studio CSV/JSON)")
    r.add_argument("--sku", help="the product to show (default: the catalog's first)")
    r.add_argument("--canvas", default="1280x720", help="canvas WIDTHxHEIGHT (default 1280x720)")
    r.add_argument("--out", required=True, metavar="PNG", help="where to write the PNG")
    r.add_argument("--countdown", default="05:00", metavar="MM:SS",
                   help="flash-sale time left (default 05:00)")
    r.add_argument("--coupon", default=None, metavar="TEXT", help="coupon text (default: a sample)")
    r.add_argument("--text", default=None, metavar="TEXT", help="lower-third line (default: selling points)")
    r.add_argument("--logo", default=None, metavar="IMAGE", help="logo/watermark image file")
    r.add_argument("--locale", default=None, help="money and labels locale, e.g. zh_CN, en_US, de_DE")
    r.add_argument("--image-timeout", type=number_flag("--image-timeout", 0.0, MAX_IMAGE_TIMEOUT_S,
                                                       unit="seconds", example="3", low_open=True),
                   default=3.0, help="seconds to wait for a product image (default 3)")
    add_catalog_options(r)
    r.set_defaults(func=run_render)


def run_render(args: argparse.Namespace) -> int:
    # Qt and the renderers load here, not when the CLI starts: every other command would pay for them.
    from studio.commerce.catalog import load_catalog
    from studio.commerce.images import load_image
    from studio.commerce.overlays.countdown import parse_mmss
    from studio.commerce.overlays.layout import layout_for, parse_canvas
    from studio.commerce.overlays.qr import QRDoesNotFit
    from studio.commerce.overlays.qt import compose, ensure_gui, save_png
    from studio.commerce.overlays.scene import ORDER, SceneOptions, render_kind

    try:
        canvas = parse_canvas(args.canvas)
        seconds = parse_mmss(args.countdown)
    except ValueError as e:
        raise UserError(str(e)) from None
    kinds = [k for k in ORDER if k != "logo" or args.logo] if args.kind == "all" else [KINDS[args.kind]]
    product = None
    base_dir = None
    if args.catalog:
        catalog = load_catalog(args.catalog, currency=args.currency, store_url=args.store_url)
        if not catalog.products:
            raise UserError(f"{args.catalog}: no product imported (run `studio catalog check` to see why)")
        product = catalog.get(args.sku) if args.sku else catalog.products[0]
        if product is None:
            raise UserError(f"{args.catalog}: no product with SKU {args.sku!r}")
        base_dir = Path(args.catalog).resolve().parent
    elif any(k in ("price_card", "qr", "badge") for k in kinds) and args.kind != "all":
        raise UserError(f"overlay {args.kind} needs a product: pass --catalog FILE (and --sku SKU)")
    ensure_gui()
    logo = None
    if args.logo:
        logo = load_image(args.logo, None, args.image_timeout)
        if logo is None:
            raise UserError(f"{args.logo}: not a readable image")
    lang_headline = None
    if args.text is not None:
        lang_headline = (product.title if product else args.text, args.text if product else "")
    default_coupon = "满199减30" if product and product.currency == "CNY" else "SAVE10 · 10% off"
    opts = SceneOptions(countdown_seconds=seconds, coupon=args.coupon or default_coupon,
                        lower_third=lang_headline, locale=args.locale, logo=logo, chat=DEMO_CHAT)
    image = None
    if product is not None and "price_card" in kinds:
        image = load_image(product.image, base_dir, args.image_timeout)
    layout = layout_for(canvas)
    placed = []
    for k in kinds:
        try:
            pl = render_kind(k, layout, product, opts, image)
        except QRDoesNotFit as e:
            if args.kind != "all":
                raise UserError(f"{args.catalog}: the QR code of {product.sku if product else '?'} cannot be "
                                f"drawn: {e}") from None
            print(f"studio: the QR code is left out: {e}", file=sys.stderr)
            continue
        if pl is not None:
            placed.append(pl)
    save_png(compose(canvas, [(pl.image, pl.x, pl.y) for pl in placed]), args.out)
    return 0
