"""Where each overlay sits: presets for landscape 16:9 and vertical 9:16, scaled to any canvas.

Boxes are designed on a 1920x1080 (landscape) or 1080x1920 (vertical) canvas and anchored to the
nearest edges, so on another size they keep their distance to those edges and scale uniformly.
Vertical is how Douyin/TikTok show a live room: the platform draws its own UI over the bottom ~20%
(comments, cart, input) and a button column along the right edge, and the host's name and viewer
count across the top; the vertical preset keeps every card out of those areas.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("price_card", "countdown", "coupon", "qr", "lower_third", "badge", "logo", "chat")


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    @property
    def size(self) -> tuple[int, int]:
        return self.w, self.h

    def right(self) -> int:
        return self.x + self.w

    def bottom(self) -> int:
        return self.y + self.h


@dataclass(frozen=True)
class _Spec:
    x: int
    y: int
    w: int
    h: int
    anchor_x: str = "left"  # "left", "right" or "center"
    anchor_y: str = "top"  # "top", "bottom" or "center"


# (design canvas, boxes). Landscape: card bottom-left, QR bottom-right, chat right, marks on top.
_LANDSCAPE = ((1920, 1080), {
    "price_card": _Spec(48, 700, 720, 330, "left", "bottom"),
    "countdown": _Spec(48, 590, 340, 96, "left", "bottom"),
    "coupon": _Spec(404, 590, 364, 96, "left", "bottom"),
    "qr": _Spec(1620, 730, 252, 300, "right", "bottom"),
    "lower_third": _Spec(800, 930, 780, 100, "center", "bottom"),
    "badge": _Spec(48, 48, 360, 56, "left", "top"),
    "logo": _Spec(1632, 48, 240, 100, "right", "top"),
    "chat": _Spec(1472, 160, 400, 520, "right", "top"),
})

# Vertical: everything in the left 82% and between 13% and 78% of the height.
_VERTICAL = ((1080, 1920), {
    "badge": _Spec(40, 250, 360, 56, "left", "top"),
    "logo": _Spec(640, 250, 240, 100, "left", "top"),
    "qr": _Spec(40, 380, 252, 300, "left", "top"),
    "chat": _Spec(316, 380, 564, 300, "left", "top"),
    "lower_third": _Spec(40, 716, 840, 100, "left", "center"),
    "countdown": _Spec(40, 990, 400, 96, "left", "bottom"),
    "coupon": _Spec(456, 990, 424, 96, "left", "bottom"),
    "price_card": _Spec(40, 1106, 840, 380, "left", "bottom"),
})

VERTICAL_SAFE_BOTTOM = 0.80  # fraction of the height below which platform UI covers the video
VERTICAL_SAFE_RIGHT = 0.82  # fraction of the width right of which the platform's buttons sit


@dataclass(frozen=True)
class Layout:
    canvas: tuple[int, int]
    vertical: bool
    scale: float
    boxes: dict[str, Box]

    def box(self, kind: str) -> Box:
        return self.boxes[kind]


def _place(spec: _Spec, design: tuple[int, int], canvas: tuple[int, int], s: float) -> Box:
    dw, dh = design
    cw, ch = canvas
    w, h = max(1, round(spec.w * s)), max(1, round(spec.h * s))
    if spec.anchor_x == "right":
        x = cw - round((dw - spec.x) * s)
    elif spec.anchor_x == "center":
        x = round(cw / 2 + (spec.x - dw / 2) * s)
    else:
        x = round(spec.x * s)
    if spec.anchor_y == "bottom":
        y = ch - round((dh - spec.y) * s)
    elif spec.anchor_y == "center":
        y = round(ch / 2 + (spec.y - dh / 2) * s)
    else:
        y = round(spec.y * s)
    return Box(x, y, w, h)


def layout_for(canvas: tuple[int, int]) -> Layout:
    """The preset for a canvas: vertical when taller than wide, scaled to fit its short side."""
    cw, ch = canvas
    if cw <= 0 or ch <= 0:
        raise ValueError(f"canvas {cw}x{ch} must have a positive size")
    vertical = ch > cw
    design, specs = _VERTICAL if vertical else _LANDSCAPE
    s = min(cw / design[0], ch / design[1])
    return Layout(canvas, vertical, s, {k: _place(v, design, canvas, s) for k, v in specs.items()})


def parse_canvas(text: str) -> tuple[int, int]:
    """`1280x720` → (1280, 720); ValueError unless both sides are 16–8192 pixels."""
    parts = text.lower().replace("×", "x").split("x")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise ValueError(f"canvas {text!r} is not WIDTHxHEIGHT, e.g. 1280x720")
    w, h = (int(p) for p in parts)
    if not (16 <= w <= 8192 and 16 <= h <= 8192):
        raise ValueError(f"canvas {text} must be between 16 and 8192 pixels a side")
    return w, h
