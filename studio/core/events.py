"""A small thread-safe event bus and the events shared across layers.

Layer-specific events (chat, orders, viewers) are defined in their own layer; the ones several
layers need (what is pinned, the stream's state) live here so that siblings never import each other.
Subscribers are called on the publisher's thread: they must be quick and must not raise (a failing
subscriber is logged and skipped). The UI re-emits what it needs as Qt signals.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from studio.core.log import get_logger

log = get_logger("core.events")


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class ProductPinned:
    sku: str
    title: str = ""
    at: float = field(default_factory=_now)  # wall-clock epoch seconds (orders carry wall-clock times)


@dataclass(frozen=True)
class ProductUnpinned:
    sku: str
    at: float = field(default_factory=_now)


@dataclass(frozen=True)
class StreamStateChanged:
    """An output's state: connecting, live, reconnecting, reconnected, gave_up, stopped, error."""

    output: str
    state: str
    message: str = ""
    at: float = field(default_factory=_now)


@dataclass(frozen=True)
class BitrateChanged:
    """The show's video bitrate changed (dynamic bitrate): `output` is the destination that set it."""

    kbps: int
    previous_kbps: int
    output: str
    reason: str
    at: float = field(default_factory=_now)


@dataclass(frozen=True)
class EncoderProblem:
    """The video encoder failed mid-show: `fatal` when nothing more is encoded, else it fell back."""

    message: str
    fatal: bool = False
    at: float = field(default_factory=_now)


class EventBus:
    def __init__(self) -> None:
        self._subs: dict[type, list[Callable[[Any], None]]] = defaultdict(list)
        self._any: list[Callable[[Any], None]] = []
        self._lock = threading.Lock()

    def subscribe(self, event_type: type | None, fn: Callable[[Any], None]) -> None:
        """`event_type=None` receives every event."""
        with self._lock:
            (self._any if event_type is None else self._subs[event_type]).append(fn)

    def unsubscribe(self, event_type: type | None, fn: Callable[[Any], None]) -> None:
        with self._lock:
            lst = self._any if event_type is None else self._subs[event_type]
            if fn in lst:
                lst.remove(fn)

    def publish(self, event: Any) -> None:
        with self._lock:
            targets = list(self._subs.get(type(event), ())) + list(self._any)
        for fn in targets:
            try:
                fn(event)
            except Exception:
                log.exception("event subscriber failed on %s", type(event).__name__)
