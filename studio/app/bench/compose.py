"""Per-frame cost of compositing: a camera frame plus the commerce overlays, measured in-process."""

from __future__ import annotations

import statistics
import time
from fractions import Fraction

import numpy as np

from studio.commerce.catalog import load_catalog
from studio.core.paths import resources_dir
from studio.media.blend import bgr_to_i420, blend_onto_i420
from studio.media.compositor import Compositor, VideoLayer
from studio.media.overlay import OverlayBoard
from studio.media.sources.base import SourceState, VideoSource


class _FeedSource(VideoSource):
    """Publishes a prepared I420 frame on demand (what a decoded camera frame looks like)."""

    kind = "bench"
    frame_format = "yuv420p"

    def __init__(self, size: tuple[int, int]) -> None:
        super().__init__("bench")
        w, h = size
        rng = np.random.default_rng(1)
        self.frame = bgr_to_i420(rng.integers(0, 255, (h, w, 3), dtype=np.uint8))
        self.state = SourceState.LIVE

    def tick(self) -> None:
        self.publish(self.frame)


def measure_compose(size: tuple[int, int] = (1920, 1080), frames: int = 300) -> dict:
    from studio.app.show_commerce import CommerceShow

    board = OverlayBoard()
    catalog = load_catalog(resources_dir() / "catalog" / "demo.json")
    commerce = CommerceShow(board, size, None, catalog, countdown_s=300, coupon="SAVE10")
    commerce.pin(catalog.products[0].sku)
    time.sleep(0.3)  # let the enter animation finish: measure the steady state
    src = _FeedSource(size)
    comp = Compositor(size, Fraction(30), [VideoLayer(src)], board)
    total, overlays_only = [], []
    try:
        for _ in range(frames):
            src.tick()
            t = time.monotonic()
            a = time.perf_counter()
            comp.compose(t)
            total.append((time.perf_counter() - a) * 1000)
        comp.layers[0].visible = False
        for _ in range(frames):
            a = time.perf_counter()
            for o in board.snapshot():
                x, y, op = o.placement(time.monotonic())
                blend_onto_i420(comp.planes, o.prepared, x, y, op)
            overlays_only.append((time.perf_counter() - a) * 1000)
    finally:
        commerce.stop()
    p95 = lambda v: sorted(v)[int(len(v) * 0.95)]  # noqa: E731
    return {"size": f"{size[0]}x{size[1]}", "overlays": len(board.snapshot()),
            "compose_ms_mean": round(statistics.mean(total), 3), "compose_ms_p95": round(p95(total), 3),
            "blend_ms_mean": round(statistics.mean(overlays_only), 3),
            "blend_ms_p95": round(p95(overlays_only), 3)}
