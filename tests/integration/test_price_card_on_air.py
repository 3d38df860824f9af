"""The pinned product's price card, as a viewer receives it: pulled back from nginx-rtmp and decoded.

The background is a flat grey still, so the expected picture is known exactly at every pixel:
card (premultiplied) + grey × (1 − alpha). The card must be where the layout puts it, its
anti-aliased edges must blend cleanly (no dark or light halo), and its text must be there.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from studio.commerce.catalog import load_catalog
from studio.commerce.overlays.layout import layout_for
from studio.commerce.overlays.scene import SceneOptions, render_kind
from studio.core.paths import resources_dir
from studio.core.qtgui import ensure_gui
from tests.support.pull import Puller
from tests.support.studio_proc import run_studio

pytestmark = pytest.mark.slow

GREY = 128
SKU = "TEA-LJ-250"


@pytest.mark.parametrize("canvas", [(1280, 720), (720, 1280)])
def test_the_price_card_is_on_air_where_the_layout_says_with_clean_edges(rtmp_server, tmp_path, canvas):
    w, h = canvas
    background = tmp_path / "grey.png"
    cv2.imwrite(str(background), np.full((h, w, 3), GREY, np.uint8))
    catalog = resources_dir() / "catalog" / "demo.json"
    ensure_gui()
    product = load_catalog(catalog).get(SKU)
    placed = render_kind("price_card", layout_for(canvas), product, SceneOptions())
    card, x, y = placed.image.astype(np.float32), placed.x, placed.y
    ch, cw = card.shape[:2]
    alpha = card[..., 3:4] / 255.0
    expected = card[..., :3] + GREY * (1.0 - alpha)  # BGR

    key = f"key-card-{w}x{h}-e5b6"
    puller = Puller(rtmp_server.url(key), 3.0, open_timeout=20).start()
    res = run_studio("live", "--video", f"image:{background}", "--size", f"{w}x{h}",
                     "--catalog", str(catalog), "--pin", SKU, "--feed", "none", "--bitrate", "6000",
                     "--out", rtmp_server.url(key),
                     "--duration", "8", "--quiet")
    assert res.returncode == 0, res.stderr
    pulled = puller.join()
    assert pulled.error is None, pulled.error
    frame = cv2.cvtColor(pulled.frames[-1], cv2.COLOR_RGB2BGR).astype(np.float32)

    got = frame[y:y + ch, x:x + cw]
    err = np.abs(got - expected).mean(axis=2)
    assert err.mean() < 8, f"the card differs from what was rendered (mean error {err.mean():.1f})"
    edge = (alpha[..., 0] > 0.05) & (alpha[..., 0] < 0.95)
    assert edge.sum() > 100, "the card has no anti-aliased edge to check"
    assert np.percentile(err[edge], 95) < 40, "halo on the card's anti-aliased edges"
    # Just outside the card: the grey background, untouched.
    ring = np.concatenate([frame[max(0, y - 12):y - 4, x + 8:x + cw - 8].reshape(-1, 3),
                           frame[y + 8:y + ch - 8, max(0, x - 12):x - 4].reshape(-1, 3)])
    assert np.abs(ring - GREY).mean() < 4, "something was drawn outside the card's rectangle"
    # Text is there, not tofu: the opaque part of the card has real glyph detail (edges) in the stream.
    opaque = got[alpha[..., 0] > 0.99].reshape(-1, 3)
    assert opaque.std() > 20
