"""How an overlay moves into or out of place: plain data shared by commerce (which decides the motion)
and media (which plays it against the clock). Neither may import the other, so it lives here."""

from __future__ import annotations

from dataclasses import dataclass


def ease_out(u: float) -> float:
    return 1.0 - (1.0 - u) ** 3


@dataclass(frozen=True)
class Motion:
    """From an offset/opacity to another, relative to the overlay's resting place (canvas pixels).
    `remove_at_end`: an exit — the overlay leaves the board once the motion has finished."""

    duration: float = 0.25
    from_dx: int = 0
    from_dy: int = 0
    from_opacity: float = 0.0
    to_dx: int = 0
    to_dy: int = 0
    to_opacity: float = 1.0
    remove_at_end: bool = False

    def at_fraction(self, u: float) -> tuple[int, int, float]:
        """(dx, dy, opacity) at fraction u ∈ [0, 1] of the motion, eased out."""
        e = ease_out(min(max(u, 0.0), 1.0))
        return (round(self.from_dx + (self.to_dx - self.from_dx) * e),
                round(self.from_dy + (self.to_dy - self.from_dy) * e),
                self.from_opacity + (self.to_opacity - self.from_opacity) * e)
