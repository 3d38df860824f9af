"""The overlay board: where commerce and live data put rendered images for the compositor to blend.

Producers (price card, countdown, chat…) render on change, off the hot path, and `set` an `Overlay`
into a named slot. The compositor reads `snapshot()` every tick: an immutable tuple swapped under a
lock on write, so a tick never waits for a renderer and never sees half an update.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, fields
from typing import Any

from numpy.typing import NDArray

from studio.core.motion import Motion
from studio.media.blend import PreparedImage


@dataclass(frozen=True)
class Animation(Motion):
    """A `Motion` started at `t0` (`time.monotonic()`): the compositor asks where it is at each tick."""

    t0: float = 0.0

    def at(self, t: float) -> tuple[int, int, float]:
        return self.at_fraction(1.0 if self.duration <= 0 else (t - self.t0) / self.duration)

    def finished(self, t: float) -> bool:
        return t >= self.t0 + self.duration

    @classmethod
    def start(cls, motion: Motion, t0: float) -> Animation:
        return cls(t0=t0, **{f.name: getattr(motion, f.name) for f in fields(Motion)})


@dataclass(frozen=True, eq=False)
class Overlay:
    """A premultiplied BGRA image (HxWx4 uint8; QImage ARGB32_Premultiplied bytes on little endian)
    placed at canvas pixel (x, y)."""

    image: NDArray[Any]
    x: int
    y: int
    opacity: float = 1.0
    animation: Animation | None = None
    prepared: PreparedImage = field(init=False, repr=False)

    def __post_init__(self) -> None:
        prepared = PreparedImage(self.image)
        # Prepare the odd-position variants here, on the producer's thread, not on the compositor's.
        if self.animation is not None:
            for variant in ((1, 0), (0, 1), (1, 1)):
                prepared.variant(*variant)
        else:
            prepared.variant(self.x & 1, self.y & 1)
        object.__setattr__(self, "prepared", prepared)

    def placement(self, t: float) -> tuple[int, int, float]:
        if self.animation is None:
            return self.x, self.y, self.opacity
        dx, dy, op = self.animation.at(t)
        return self.x + dx, self.y + dy, self.opacity * op

    def moved(self, x: int, y: int) -> Overlay:
        """The same image at another place (no re-preparation: shares the prepared arrays)."""
        new = object.__new__(Overlay)
        for name, value in (("image", self.image), ("x", x), ("y", y), ("opacity", self.opacity),
                            ("animation", self.animation), ("prepared", self.prepared)):
            object.__setattr__(new, name, value)
        return new


class OverlayBoard:
    """Named overlay slots, drawn in z order (lower first). Thread-safe; reads are lock-free."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[str, tuple[int, Overlay]] = {}
        self._snapshot: tuple[tuple[int, Overlay], ...] = ()
        self.version = 0

    def set(self, slot: str, overlay: Overlay | None, z: int = 100) -> None:
        with self._lock:
            if overlay is None:
                self._slots.pop(slot, None)
            else:
                self._slots[slot] = (z, overlay)
            self._rebuild()

    def get(self, slot: str) -> Overlay | None:
        entry = self._slots.get(slot)
        return entry[1] if entry else None

    def slots(self) -> list[str]:
        with self._lock:
            return list(self._slots)

    def _rebuild(self) -> None:
        self._snapshot = tuple(sorted(self._slots.values(), key=lambda e: e[0]))
        self.version += 1

    def snapshot(self, t: float | None = None) -> tuple[Overlay, ...]:
        """The overlays to draw now, lowest z first."""
        return tuple(o for _, o in self.layered(t))

    def layered(self, t: float | None = None) -> tuple[tuple[int, Overlay], ...]:
        """(z, overlay) to draw now, lowest z first; finished exit animations are dropped here."""
        snap = self._snapshot
        now = time.monotonic() if t is None else t
        if any(o.animation is not None and o.animation.remove_at_end and o.animation.finished(now)
               for _, o in snap):
            with self._lock:
                for name, (_, o) in list(self._slots.items()):
                    if o.animation is not None and o.animation.remove_at_end and o.animation.finished(now):
                        del self._slots[name]
                self._rebuild()
                snap = self._snapshot
        return snap
