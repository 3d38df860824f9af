"""The live pipeline: every event → de-duplicate → session log → counters → bus, under one lock.

Order of work matters: an event is written to the log *before* the counters change, so whatever the
counters showed is in the log if the process dies the next instant. Duplicate orders (polling
overlaps, page repeats, reconnect replays) and duplicate chat ids are neither logged nor counted.
A restarted show replays its log first and then appends to it, so totals continue.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any

from studio.core.events import EventBus, ProductPinned, ProductUnpinned, StreamStateChanged
from studio.core.log import get_logger
from studio.core.secrets import mask_text
from studio.live.counters import Counters
from studio.live.events import ChatMessage, ConnectorState, Order, ViewerCount
from studio.live.session_log import SessionLog, apply, replay

log = get_logger("live.pipeline")

REPUBLISHED = (ChatMessage, Order, ViewerCount, ConnectorState)  # from connectors to the bus


class LiveSession:
    def __init__(self, log_path: str | Path, bus: EventBus | None = None,
                 catalog: dict[str, str] | None = None, meta: dict[str, Any] | None = None) -> None:
        self.log = SessionLog(log_path)
        self.counters = replay(log_path, Counters(catalog))
        self.bus = bus
        self._lock = threading.Lock()
        self.version = 0  # bumps on every counted change (the overlay polls it)
        # the start mark carries what the report needs and the events do not: whether the data is
        # simulated (demo) and the catalog's titles, so the report names products as the show did
        self.log.mark("start", **{**(meta or {}), **({"catalog": dict(catalog)} if catalog else {})})
        if bus is not None:
            for t in (ProductPinned, ProductUnpinned, StreamStateChanged):
                bus.subscribe(t, self._from_bus)

    def _from_bus(self, event: Any) -> None:
        self.handle(event, republish=False)

    def handle(self, event: Any, republish: bool = True) -> bool:
        """Take one event from a connector (or the bus). Returns False when it was a duplicate."""
        if isinstance(event, ChatMessage):
            # A platform or a viewer may echo a stream key or token into chat: never log or show it.
            author, text = mask_text(event.author), mask_text(event.text)
            if (author, text) != (event.author, event.text):
                event = dataclasses.replace(event, author=author, text=text)
        with self._lock:
            if isinstance(event, Order) and not self.counters.is_new_order(event):
                return False
            if isinstance(event, ChatMessage) and not self.counters.is_new_chat(event):
                return False
            self.log.append(event)
            apply(self.counters, event)
            self.version += 1
        if isinstance(event, ConnectorState):
            log.info("%s: %s %s", event.source, event.state, event.message)
        if republish and self.bus is not None and isinstance(event, REPUBLISHED):
            self.bus.publish(event)
        return True

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return self.counters.totals()

    def recent_chat(self, n: int = 8) -> list[ChatMessage]:
        with self._lock:
            return list(self.counters.recent_chat)[-n:]

    def close(self) -> None:
        if self.bus is not None:
            for t in (ProductPinned, ProductUnpinned, StreamStateChanged):
                self.bus.unsubscribe(t, self._from_bus)
        try:
            self.log.mark("stop")
        finally:
            self.log.close()
